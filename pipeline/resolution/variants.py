"""variant: spellings and transliterations of one name ("Zelensky", "Zelenski", "Zelenskyj";
"Jermak", "Yermak"; "Poetin", "Putin"), proposed by a comparison key, merged on evidence only.

:func:`variant_key` folds what Dutch, English and German transliterations of Slavic names
(and plain typing) do differently: -sky/-ski/-skyj/-skij endings, j/y/ij/i, ks/x, kh/ch and
tsj/ch, sj/sh, zj/zh, oe/u, w/v, ph/f, and double letters. Two names of the same type whose keys
are equal but whose spellings differ are *proposed* as one; a bare surname is also proposed to
a full name whose surname has its variant key ("Zelenski" and "Volodimir Zelensky").

A proposal is merged only with supporting evidence in the archive:

* the two share at least :attr:`Params.min_shared` co-occurring entities (other people,
  places, organisations in their articles), or
* they share one and the target dominates (at least :attr:`Params.variant_ratio` times the
  mentions of the variant);

and only when the variant points to one entity: proposed to two, it stays its own. The key
alone never merges ("Jansen" and "Janssen" with nothing in common stay two).
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..resolve import fold
from . import RULES, Params
from .archive import Archive, Merges

_ENDINGS = re.compile(r"(?<=sk|ck|zk)(?:yj|yi|iy|ij|ii|y|i)\b")
_FOLDS = (
    ("tsj", "ch"),
    ("tch", "ch"),
    ("kh", "ch"),
    ("sj", "sh"),
    ("zj", "zh"),
    ("oe", "u"),
    ("ks", "x"),
    ("ph", "f"),
    ("ij", "i"),
    ("j", "i"),
    ("y", "i"),
    ("w", "v"),
)
_DOUBLE = re.compile(r"(.)\1+")
_NOT_ALNUM = re.compile(r"[^\w ]+")


def variant_key(key: str) -> str:
    """The comparison key of a normalised key: equal for spellings proposed as one name."""
    text = _NOT_ALNUM.sub("", fold(key).replace("-", " "))
    text = _ENDINGS.sub("i", text)
    for a, b in _FOLDS:
        text = text.replace(a, b)
    return " ".join(_DOUBLE.sub(r"\1", text).split())


@RULES.register("variant")
def variant(archive: Archive, merges: Merges, params: Params) -> None:
    full: dict[tuple[str, str], set[str]] = defaultdict(set)  # (type, variant key) -> groups
    surname: dict[tuple[str, str], set[str]] = defaultdict(set)  # (type, variant of a surname) -> groups
    vkey = {}
    for g in archive.groups.values():
        vkey[g.id] = variant_key(g.key)
        full[(g.type, vkey[g.id])].add(g.id)
        if g.type == "PERSON" and len(g.words) > 1:
            surname[(g.type, variant_key(g.words[-1]))].add(g.id)
    proposals: list[tuple[str, set[str]]] = []
    for g in sorted(archive.groups.values(), key=lambda g: (g.mentions, g.id)):
        targets = {t for t in full[(g.type, vkey[g.id])] if archive.groups[t].key != g.key}
        if len(g.words) == 1:
            targets |= {t for t in surname[(g.type, vkey[g.id])] if archive.groups[t].words[-1] != g.key}
        targets.discard(g.id)
        if targets:
            proposals.append((g.id, targets))
    if not proposals:
        return
    members = merges.members()
    involved = {m for g, ts in proposals for x in (g, *ts) for m in members[merges.find(x)]}
    neighbours = archive.neighbours(involved)
    for gid, targets in proposals:
        root = merges.find(gid)
        clusters = {merges.find(t) for t in targets} - {root}
        if len(clusters) != 1:  # none left, or two entities compete for the variant
            continue
        target = clusters.pop()

        def around(r: str) -> set[str]:
            return {merges.find(n) for m in members[r] for n in neighbours.get(m, ())}

        shared = len(around(root) & around(target) - {root, target})
        size = sum(archive.groups[m].mentions for m in members[target])
        mine = sum(archive.groups[m].mentions for m in members[root])
        if shared >= params.min_shared or (shared >= 1 and size >= params.variant_ratio * mine):
            into = sorted(t for t in targets if merges.find(t) == target)[0]
            if merges.join(gid, into, "variant", shared):
                members[target].extend(members.pop(root))
