"""variant: spellings and transliterations of one name ("Zelensky", "Zelenski", "Zelenskyj";
"Jermak", "Yermak"; "Poetin", "Putin"), proposed by a comparison key, merged on evidence only.

:func:`variant_key` folds what Dutch, English and German transliterations of Slavic names
(and plain typing) do differently: -sky/-ski/-skyj/-skij endings, j/y/ij/i, ks/x, kh/ch and
tsj/ch, sj/sh, zj/zh, oe/u, w/v, ph/f, and double letters. Two names of the same type whose keys
are equal but whose spellings differ are *proposed* as one; a bare surname is also proposed to
a full name whose surname has its variant key ("Zelenski" and "Volodimir Zelensky").

A proposal is merged only with supporting evidence in the archive:

* the two share at least :attr:`Params.min_shared` co-occurring entities (other people,
  places, organisations in their articles), or share one and the target dominates (at least
  :attr:`Params.variant_ratio` times the mentions of the variant), and
* the shared entities are at least :attr:`Params.min_overlap` of the smaller one's
  co-occurring entities: two Dutch surnames that both appear beside "Den Haag" and the
  "Tweede Kamer" among thirty others ("Jansen", "Janssen") are not one person;

Two co-occurring entities spelled alike count as one shared entity ("Putin" beside "Shoigu",
"Poetin" beside "Sjojgoe"), so two variants that support each other are found together. A bare
variant proposed to two different full names ("Yermak": "Andri Jermak" and "Olga Yermak")
stays its own; two spellings of one full name are one proposal. The key alone never merges
("Jansen" and "Janssen" with nothing in common stay two).
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=262144)
def variant_key(key: str) -> str:
    """The comparison key of a normalised key: equal for spellings proposed as one name."""
    text = _NOT_ALNUM.sub("", fold(key).replace("-", " "))
    text = _ENDINGS.sub("i", text)
    for a, b in _FOLDS:
        text = text.replace(a, b)
    return " ".join(_DOUBLE.sub(r"\1", text).split())


@RULES.register("variant")
def variant(archive: Archive, merges: Merges, params: Params) -> None:
    by_variant: dict[tuple[str, str], list[str]] = defaultdict(list)  # (type, variant key) -> groups
    by_surname: dict[tuple[str, str], list[str]] = defaultdict(list)  # (type, variant of a surname) -> groups
    vkey, surname_vkey = {}, {}
    for g in sorted(archive.groups.values(), key=lambda g: (-g.mentions, g.id)):
        vkey[g.id] = variant_key(g.key)
        if g.type == "PERSON" and len(g.words) > 1:
            surname_vkey[g.id] = variant_key(g.words[-1])
        by_variant[(g.type, vkey[g.id])].append(g.id)
        if g.type == "PERSON" and len(g.words) > 1:
            by_surname[(g.type, variant_key(g.words[-1]))].append(g.id)
    # spellings of one name: each joins the most mentioned spelling
    proposals: list[tuple[str, list[str]]] = []
    for groups in by_variant.values():
        proposals += [(g, [groups[0]]) for g in groups[1:]]
    # a bare surname spelled like the surname of full names: proposed to them, joined if to one entity
    for g in archive.groups.values():
        if len(g.words) == 1:
            targets = [t for t in by_surname.get((g.type, vkey[g.id]), ()) if archive.groups[t].words[-1] != g.key]
            if targets:
                proposals.append((g.id, targets))
    if not proposals:
        return
    members = merges.members()
    involved = {m for g, ts in proposals for x in (g, *ts) for m in members[merges.find(x)]}
    neighbours = archive.neighbours(involved)

    cache: dict[str, set[str]] = {}  # cleared on every join, which are few next to proposals

    def around(r: str) -> set[str]:
        if r not in cache:
            cache[r] = {merges.find(n) for m in members[r] for n in neighbours.get(m, ())}
        return cache[r]

    def shared_with(a: str, b: str) -> tuple[int, int]:
        """Entities both co-occur with, counting two spellings of one name as one ("Putin" beside
        "Shoigu", "Poetin" beside "Sjojgoe"), and the size of the smaller neighbourhood."""
        mine, theirs = around(a) - {b}, around(b) - {a}
        both = mine & theirs
        spelled = len(_alike(mine - both, theirs - both))
        return len(both) + spelled, min(len(mine), len(theirs)) or 1

    def _alike(mine: set[str], theirs: set[str]) -> set[str]:
        """The clusters of ``mine`` spelled like one of ``theirs``: the same variant key, or a bare
        name like the surname of a full one ("Shoigu", "Sergej Sjojgoe")."""

        def tokens(clusters):
            full, bare, sur = set(), set(), set()
            for c in clusters:
                for m in members.get(c, (c,)):
                    full.add(vkey[m])
                    if m in surname_vkey:
                        sur.add(surname_vkey[m])
                    elif len(archive.groups[m].words) == 1:
                        bare.add(vkey[m])
            return full, bare, sur

        t_full, t_bare, t_sur = tokens(theirs)
        out = set()
        for c in mine:
            full, bare, sur = tokens((c,))
            if full & t_full or bare & t_sur or sur & t_bare:
                out.add(c)
        return out

    for gid, targets in proposals:
        root = merges.find(gid)
        targets = [t for t in targets if merges.find(t) != root]
        # two full names spelled alike are one proposal ("Volodimir"/"Volodymyr Zelensky"), not rivals
        if not targets or len({vkey[t] for t in targets}) != 1:
            continue
        clusters = {merges.find(t) for t in targets}
        target = max(clusters, key=lambda c: (sum(archive.groups[m].mentions for m in members[c]), c))
        shared, smaller = shared_with(root, target)
        size = sum(archive.groups[m].mentions for m in members[target])
        mine = sum(archive.groups[m].mentions for m in members[root])
        enough = shared >= params.min_shared or (shared >= 1 and size >= params.variant_ratio * mine)
        if enough and shared >= params.min_overlap * smaller:
            into = sorted(t for t in targets if merges.find(t) == target)[0]
            if merges.join(gid, into, "variant", shared):
                members[target].extend(members.pop(root))
                cache.clear()
