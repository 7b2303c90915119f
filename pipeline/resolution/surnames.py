"""surname_in_archive: a bare surname or short form joins the one full name the archive backs.

Within an article the batches already attach "Jermak" to "Andri Jermak" (rule
``surname_in_article``). Each time they do, the archive gains one piece of evidence that the
short form, written alone elsewhere, means that full name. A bare group joins a full name when

* the full name has at least :data:`MIN_EVIDENCE` articles where the short form was resolved
  to it (within-article evidence), and
* that full name dominates: at least :data:`DOMINANCE` of the short form's within-article
  evidence, and of the articles of every full name of the same type that contains it.

So a bare "Trump" joins "Donald Trump" in an archive where "Trump" follows "Donald Trump" in
many articles, but a bare "Kok" joins neither "Wim Kok" nor "Marieke Kok" when both are in the
archive: they compete, and no guess is made. Full names compete per name, not per spelling:
"Volodimir Zelensky" and "Volodymyr Zelensky" (one :func:`.variants.variant_key`) are one
candidate, and the short form joins the spelling with the most evidence.
"""

from __future__ import annotations

from collections import defaultdict

from ..resolve import informative
from . import RULES, Params
from .archive import Archive, Merges
from .variants import variant_key


def _parts(words: tuple[str, ...]):
    n = len(words)
    for size in range(1, n):
        for i in range(n - size + 1):
            yield words[i : i + size]


@RULES.register("surname_in_archive")
def surname_in_archive(archive: Archive, merges: Merges, params: Params) -> None:
    containing: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for g in archive.groups.values():
        if len(g.words) > 1:
            for part in set(_parts(g.words)):
                containing[(g.type, part)].append(g.id)
    for sid in sorted(archive.groups):
        short = archive.groups[sid]
        if not short.words or not informative(short.words):
            continue
        candidates = set(containing.get((short.type, short.words), ()))
        if short.type == "PERSON" and short.words[-1].endswith("s"):  # a fused possessive: "Trumps"
            candidates |= set(containing.get((short.type, (*short.words[:-1], short.words[-1][:-1])), ()))
        candidates.discard(sid)
        if not candidates:
            continue
        # full names compete per name, not per spelling: "Volodimir" and "Volodymyr Zelensky" are one
        evidence: dict[str, int] = defaultdict(int)
        presence: dict[str, int] = defaultdict(int)
        best_group: dict[str, tuple[int, int, str]] = {}
        for fid in candidates:
            name = variant_key(archive.groups[fid].key)
            n = archive.in_article.get((sid, fid), 0)
            evidence[name] += n
            presence[name] += archive.groups[fid].articles
            best_group[name] = max(best_group.get(name, (-1, -1, "")), (n, archive.groups[fid].articles, fid))
        name = max(evidence, key=lambda r: (evidence[r], presence[r], r))
        n = evidence[name]
        if (
            n >= params.min_evidence
            and n >= params.dominance * sum(evidence.values())
            and presence[name] >= params.dominance * sum(presence.values())
        ):
            merges.join(sid, best_group[name][2], "surname_in_archive", n)
