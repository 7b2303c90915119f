"""Stage 4, entity resolution: which mentions are the same real-world entity.

Three rules, all documented in docs/entities.md:

* Across articles, one normalised key is one entity (:func:`name_key`, the one place a key is
  made). The key folds case, white space, invisible characters (:mod:`pipeline.characters`)
  and diacritics, drops a possessive -s/'s and a lower-case leading article, and keeps Dutch
  particles ("van der", "De", "'t"). A person's key also drops leading titles ("minister",
  "burgemeester", ...); other names keep them ("Prins Claus Fonds"), and a word in capitals is
  never a title ("ING Bank").
* Within an article, a mention whose key words are a contiguous part of a longer name of the
  same type is that entity: the nearest full name before it ("Andri Jermak" ... "Jermak"), or
  the one full name after it ("Trump" as a sub-heading above "Donald Trump").
* Before that, the post-processing stage (:mod:`pipeline.postprocess`) has given each name one
  type per article, on the article's evidence ("Wim Kok" ... "Kok" is a person).

``entity_id`` is a hash of type and key, so it is the same in every run and every increment.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

from .characters import clean_name

TITLES = frozenset(
    (
        "president presidente premier minister-president minister staatssecretaris burgemeester "
        "schepen wethouder gouverneur commissaris gedeputeerde koning koningin prins prinses keizer "
        "keizerin kroonprins kroonprinses graaf gravin hertog paus kardinaal bisschop aartsbisschop "
        "pater dominee rabbijn imam generaal kolonel majoor kapitein luitenant sergeant commandant "
        "admiraal senator kamerlid parlementslid europarlementariër fractievoorzitter "
        "partijvoorzitter voorzitter secretaris-generaal ceo topman topvrouw directeur trainer "
        "coach bondscoach chef chef-kok rechter advocaat procureur officier dokter doctor dr dr. prof prof. "
        "professor mr mr. ir ir. drs drs. ing ing. meneer mevrouw mevr mevr. dhr dhr. heer sir lord "
        "lady oud-premier oud-minister oud-president ex-premier ex-minister ex-president "
        "vicepremier vice-premier "
    ).split()
)
#: The titles without their final dot, as words are compared with them
TITLE_KEYS = frozenset(t.rstrip(".") for t in TITLES)
#: Lower-case articles a name can be written after.
ARTICLES = ("de", "het", "een")
PARTICLES = frozenset(("van de der den het 't ten ter te von d' le la du des di da del y ").split())
_EDGE_PUNCT = "\"'“”„‘’‚«»()[]{}.,;:!?-–—*"
POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def strip_edges(text: str) -> str:
    """Quotes and punctuation off both ends, but not the apostrophe of "'t Hart" or "'s-Hertogenbosch"."""
    head = ""
    if re.match(r"['’](?:t |s-)", text):
        head, text = text[:1], text[1:]
    return head + text.strip().strip(_EDGE_PUNCT).strip() if head else text.strip().strip(_EDGE_PUNCT).strip()


def fold(text: str) -> str:
    """Casefolded, accents and format characters removed, compatibility forms folded: the key's
    spelling ("Oekraïne" == "Oekraine", "Ru\u200dtte" == "Rutte", "ﬁ" == "fi")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")


#: The titles as :func:`fold` spells them ("europarlementariër" -> "europarlementarier").
_FOLDED_TITLES = frozenset(fold(t) for t in TITLE_KEYS)


def is_title(word: str) -> bool:
    """A title before a person's name ("minister", "Dr."), not an acronym in capitals ("ING")."""
    return not word.isupper() and fold(word).rstrip(".") in _FOLDED_TITLES


def bare_words(text: str, person: bool) -> list[str]:
    """The name's words as written, without a leading lower-case article ("de Verenigde Naties";
    "De Morgen" keeps it) and, for a person, without leading titles."""
    words = text.split(" ")
    while len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    while person and len(words) > 1 and is_title(words[0]):
        words = words[1:]
    return words


@functools.lru_cache(maxsize=65536)
def key_words(text: str, person: bool) -> tuple[str, ...]:
    """The words of a mention's normalised key; ``person``: the mention names a person."""
    text = strip_edges(clean_name(text))
    text = POSSESSIVE.sub("", text)
    return tuple(w for w in map(fold, bare_words(text, person)) if w)


def entity_key(text: str, type_: str) -> str:
    return " ".join(key_words(text, type_ == "PERSON"))


def name_key(text: str, type_: str) -> str:
    """The key a mention has on its own: its key words, or for a mention that has none (only
    punctuation, a lone article) its whole text folded."""
    return entity_key(text, type_) or fold(clean_name(text))


def entity_id(type_: str, key: str) -> str:
    digest = hashlib.blake2b(f"{type_}\x1f{key}".encode(), digest_size=8).hexdigest()
    return f"{type_[:3].lower()}-{digest}"


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def informative(words: tuple[str, ...]) -> bool:
    """Not only particles and single letters: "van" or "J." alone never joins a name."""
    return any(w not in PARTICLES and len(w) > 1 for w in words)


def _parts(words: tuple[str, ...]) -> set[tuple[str, ...]]:
    """Every contiguous part of a name shorter than the name ("andri", "jermak" of "andri jermak")."""
    n = len(words)
    return {words[i:j] for i in range(n) for j in range(i + 1, n + 1) if j - i < n}


class _Holders:
    """The full names that contain one part, by position: which comes last before a mention,
    and whether those after it are all one entity, each found in log time (an article with
    thousands of "Wim Kok" and "Kok" asks this for every "Kok")."""

    MANY = ""  # more than one entity after

    def __init__(self, positions: list[int], own: list[str]) -> None:
        self.positions = positions  # increasing: mentions are indexed in text order
        # after[k]: the one entity of positions[k:], or MANY; "" never is an entity id
        self.after = [self.MANY] * len(positions)
        one = None
        for k in range(len(positions) - 1, -1, -1):
            eid = own[positions[k]]
            one = eid if one in (None, eid) else self.MANY
            self.after[k] = one

    def before(self, i: int) -> int:
        """The last position before mention i, or -1."""
        k = bisect.bisect_left(self.positions, i)
        return self.positions[k - 1] if k else -1

    def later(self, i: int) -> str | None:
        """The one entity after mention i (MANY: several; None: none)."""
        k = bisect.bisect_left(self.positions, i)
        return self.after[k] if k < len(self.positions) else None


def resolve_article(mentions: Sequence[tuple[str, str]]) -> list[str]:
    """Entity ids for one article's mentions, given as (text, type) in text order.

    A short mention joins the full name it is part of: the nearest one before it, else, when
    the short form comes first (a sub-heading "Trump" above "Donald Trump"), the one full name
    after it; two different full names after it compete, and the short form stays its own.
    The full names are indexed by their parts (:class:`_Holders`), so an article of many
    mentions takes time in proportion to its mentions, not their square.
    """
    keyed = [(key_words(text, type_ == "PERSON"), type_, text) for text, type_ in mentions]
    own = [entity_id(t, " ".join(w) or name_key(text, t)) for w, t, text in keyed]
    by_part: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for i, (words, type_, _) in enumerate(keyed):
        if len(words) > 1:
            for part in _parts(words):
                by_part.setdefault((type_, part), []).append(i)
    holders: dict[tuple[str, tuple[str, ...]], _Holders] = {}

    def held(key: tuple[str, tuple[str, ...]]) -> _Holders | None:
        if key not in by_part:
            return None
        if key not in holders:
            holders[key] = _Holders(by_part[key], own)
        return holders[key]

    ids = list(own)
    for i, (words, type_, _) in enumerate(keyed):
        if not words or not informative(words):
            continue
        keys = [(type_, words)]
        if type_ == "PERSON" and words[-1].endswith("s"):  # fused possessive: "Trumps", "Koks"
            keys.append((type_, (*words[:-1], words[-1][:-1])))
        found = [h for h in map(held, keys) if h is not None]
        if not found:
            continue
        before = max(h.before(i) for h in found)
        if before >= 0:
            ids[i] = ids[before]
            continue
        later = {h.later(i) for h in found} - {None}
        if len(later) == 1 and _Holders.MANY not in later:
            ids[i] = later.pop()
    return ids
