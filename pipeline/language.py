"""Is this text Dutch? A function-word test, good at "clearly not Dutch" and nothing more.

Articles are long enough that the share of very frequent function words tells Dutch from
English, German, French and the other languages a Dutch news archive picks up. The test only
rejects when another language's function words clearly outnumber Dutch ones, so short,
name-heavy or mixed Dutch texts are kept.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "nl": frozenset(
        (
            "de het een en van in is op dat die te zijn met voor niet aan er om ook als bij maar naar "
            "dan wordt werd door nog uit over zijn worden heeft hebben zich wel tot was waren deze dit "
            "al zo kan meer geen nu onder tegen "
        ).split()
    ),
    "en": frozenset(
        (
            "the and of to in is that for it with as was on be by at this are from or an have not has "
            "but which they were their been will would there what about "
        ).split()
    ),
    "de": frozenset(
        (
            "der die das und ist nicht mit den dem ein eine zu sich auf für von im auch es wird wurde "
            "sind bei aus nach noch wie einer über so durch oder werden "
        ).split()
    ),
    "fr": frozenset(
        (
            "le la les et des du un une est pour dans que qui pas sur au par avec ce il sont ne se plus "
            "mais ou été aux cette leur ses elle nous "
        ).split()
    ),
    "es": frozenset(
        ("el la los las y del en que por con para una es se no su al lo como más pero sus le ya o fue este ha ").split()
    ),
    "it": frozenset(
        ("il di che la è per un una non sono gli le del della con si da al nel anche come più ma questo ha ").split()
    ),
}
MIN_WORDS = 12


def _scores(words: list[str]) -> dict[str, int]:
    # count each word form once (C speed), then look up the few function words: this runs in
    # the reading process for every article, so it must stay cheap next to the workers
    counts = Counter(map(str.lower, words))
    return {lang: sum(counts[w] for w in vocab if w in counts) for lang, vocab in FUNCTION_WORDS.items()}


def not_dutch(text: str) -> str | None:
    """The likely language when the text is clearly not Dutch, else None."""
    words = _WORD.findall(text[:5000])
    if len(words) < MIN_WORDS:
        return None
    scores = _scores(words)
    nl = scores.pop("nl")
    best, hits = max(scores.items(), key=lambda kv: kv[1])
    if hits >= 5 and hits > 2 * nl and hits >= 0.15 * len(words):
        return best
    if nl == 0 and hits >= 3:
        return best
    return None
