"""What the archive says about its names: one row per name group, read out of core with DuckDB.

A **group** is what the batches already resolved: all mentions that got one within-article
entity id (:func:`pipeline.resolve.resolve_article`), i.e. one type and normalised key plus the
short forms an article attached to it. A **unit** is one surface form within one group
(type, text, group id): the grain at which published mentions are re-labelled. Units and groups
are few next to mentions (one per distinct spelling), so they are held in Python; every pass
over the mentions themselves is a DuckDB query over the Parquet parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..resolve import entity_id, key_words, name_key


@dataclass(slots=True)
class Unit:
    type: str
    text: str
    group: str  # the within-article entity id of these mentions
    own: str  # the id this text has on its own (its own key)
    mentions: int
    articles: int


@dataclass(slots=True)
class Group:
    id: str
    type: str
    key: str
    words: tuple[str, ...]
    mentions: int = 0
    articles: int = 0


def own_key(text: str, type_: str) -> str:
    """The key a mention has alone, as :func:`resolve_article` gives it."""
    return name_key(text, type_)


class Archive:
    """Groups, units and within-article evidence of one set of mentions (a DuckDB view ``local``)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.units: list[Unit] = []
        self.groups: dict[str, Group] = {}
        self.by_key: dict[tuple[str, str], str] = {}  # (type, key) -> group id
        #: (short group id, full group id) -> articles where the short form joined the full name
        self.in_article: dict[tuple[str, str], int] = defaultdict(int)
        rows = con.sql(
            "SELECT type, text, entity_id, count(*), count(DISTINCT article_id) FROM local GROUP BY ALL "
            "ORDER BY entity_id, 4 DESC, text"
        ).fetchall()
        keys: dict[str, str] = {}
        for type_, text, group, n, arts in rows:
            key = own_key(text, type_)
            own = entity_id(type_, key)
            self.units.append(Unit(type_, text, group, own, n, arts))
            if own == group:
                keys[group] = key
        for gid, type_, n, arts in con.sql(
            "SELECT entity_id, any_value(type), count(*), count(DISTINCT article_id) FROM local GROUP BY 1"
        ).fetchall():
            key = keys.get(gid, "")
            self.groups[gid] = Group(gid, type_, key, tuple(key.split()), n, arts)
            self.by_key[(type_, key)] = gid
        for u in self.units:
            if u.own != u.group:
                self.in_article[(u.own, u.group)] += u.articles
            g = self.groups[u.group]
            if not g.key:  # no mention of the group has its key alone (cannot happen today): best effort
                g.key, g.words = own_key(u.text, g.type), key_words(u.text, g.type == "PERSON")

    def group_of(self, type_: str, text: str) -> str | None:
        """The group whose key is the key of ``text`` as a ``type_`` name, if the archive has one."""
        return self.by_key.get((type_, own_key(text, type_)))

    def neighbours(self, groups: Iterable[str]) -> dict[str, set[str]]:
        """group -> the other groups it shares an article with, for the groups asked."""
        wanted = sorted(set(groups))
        if not wanted:
            return {}
        self.con.register("wanted", pa.table({"g": pa.array(wanted, pa.string())}))
        rows = self.con.sql(
            """
            WITH ae AS (SELECT DISTINCT article_id, entity_id FROM local)
            SELECT DISTINCT x.entity_id, y.entity_id
            FROM ae x JOIN wanted w ON x.entity_id = w.g
                      JOIN ae y ON x.article_id = y.article_id AND x.entity_id <> y.entity_id
            """
        ).fetchall()
        self.con.unregister("wanted")
        out: dict[str, set[str]] = {g: set() for g in wanted}
        for a, b in rows:
            out[a].add(b)
        return out


class Merges:
    """Union-find over groups that remembers why each group joined (rule, evidence).

    ``join(a, b)`` puts group ``a`` (the short form, the acronym, the variant) into the entity of
    ``b``. Groups of other types never join; a ``fixed`` group (the analyst's own decision)
    takes part in no automatic merge.
    """

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.parent: dict[str, str] = {g: g for g in archive.groups}
        self.why: dict[str, tuple[str, int]] = {}
        self.fixed: set[str] = set()
        self.edges: dict[str, list[tuple[str, str, int]]] = defaultdict(list)  # group -> (other, rule, evidence)

    def find(self, g: str) -> str:
        root = g
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[g] != root:
            self.parent[g], g = root, self.parent[g]
        return root

    def join(self, a: str, b: str, rule: str, evidence: int, force: bool = False) -> bool:
        groups = self.archive.groups
        if groups[a].type != groups[b].type:
            return False
        if not force and (a in self.fixed or b in self.fixed):
            return False
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[ra] = rb
        self.why.setdefault(a, (rule, evidence))
        self.edges[a].append((b, rule, evidence))
        self.edges[b].append((a, rule, evidence))
        return True

    def path_rule(self, start: str, goal: str) -> tuple[str, int] | None:
        """The rule and evidence of the first merge on the way from group ``start`` to ``goal``."""
        seen, frontier = {start}, [(start, None)]
        while frontier:
            nxt = []
            for g, first in frontier:
                for other, rule, evidence in self.edges.get(g, ()):
                    if other in seen:
                        continue
                    step = first or (rule, evidence)
                    if other == goal:
                        return step
                    seen.add(other)
                    nxt.append((other, step))
            frontier = nxt
        return None

    def members(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for g in self.parent:
            out[self.find(g)].append(g)
        return out
