"""Corpus-level resolution at publish: which within-article entities are one real-world entity.

The batches resolve names inside each article (:mod:`pipeline.resolve`); at publish this
package looks at the whole archive and joins those groups by rules, one module per family,
applied in the order of :data:`RULES` (a registry, not an if-chain):

=====================  ==================================================================
``surname_in_archive``  :mod:`.surnames`: a bare short form joins the one full name the
                        archive's within-article evidence points to
``acronym``             :mod:`.acronyms`: acronyms and expansions, defined in text or listed
``exonym``              :mod:`.exonyms`: other names of one place (CLDR, GeoNames)
``variant``             :mod:`.variants`: spelling/transliteration variants, on evidence
``user``                :mod:`.corrections`: the analyst's CSV, applied last, overriding all
=====================  ==================================================================

Each rule is ``rule(archive, merges, params)`` and calls ``merges.join(group, into, rule,
evidence)``. :func:`resolve` returns what the tables need: the entity of every unit (surface
form in a group), each entity's name, and one ``aliases`` row per name form and rule.
The entity id is the hash of type and the key of the entity's display name, so it stays the
same across runs as long as that name does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..registry import Registry
from ..resolve import entity_id
from .archive import Archive, Merges, own_key
from .corrections import Corrections

Rule = Callable[[Archive, Merges, "Params"], None]
RULES: Registry[Rule] = Registry()


@dataclass(frozen=True)
class Params:
    #: surname_in_archive: articles of within-article evidence the full name needs at least
    min_evidence: int = 1
    #: share of the evidence (and of the competing full names' articles) the winner needs
    dominance: float = 0.8
    #: variant: co-occurring entities two spellings must share
    min_shared: int = 2
    #: variant: with one shared entity, how many times the variant's mentions the target needs
    variant_ratio: float = 10.0
    #: variant: share of the smaller one's co-occurring entities the two must have in common
    min_overlap: float = 0.3
    #: which rules run, in order (all registered ones by default)
    rules: tuple[str, ...] = ("surname_in_archive", "acronym", "exonym", "variant")


@dataclass
class Resolution:
    #: (type, text, group) -> entity id, for every unit
    units: dict[tuple[str, str, str], str] = field(default_factory=dict)
    #: entity id -> (name, surface forms most frequent first)
    names: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: aliases rows: type, alias, entity_id, rule, evidence, mentions
    aliases: list[tuple[str, str, str, str, int, int]] = field(default_factory=list)
    #: corrections rows that named nothing in the archive
    unused: list[int] = field(default_factory=list)


def resolve(archive: Archive, corrections: Corrections | None = None, params: Params | None = None) -> Resolution:
    from ..entities import best_name, display_form

    params = params or Params()
    corrections = corrections or Corrections()
    merges = Merges(archive)
    result = Resolution()
    # the analyst's decisions first: the names they place take part in no automatic rule
    pins: dict[str, tuple[str, str | None, str]] = {}  # own id -> (anchor group or "", target group, name)
    owns = {u.own for u in archive.units}
    for row in corrections.rows:
        own = entity_id(row.type, own_key(row.name, row.type))
        if own not in owns:
            result.unused.append(row.line)
            continue
        anchor = own if own in archive.groups else ""
        if anchor:
            merges.fixed.add(anchor)
        target = None if row.own else archive.group_of(row.type, row.entity)
        pins[own] = (anchor, target, row.entity)
    for name in params.rules:
        RULES[name](archive, merges, params)
    for anchor, target, _name in pins.values():
        if anchor and target:
            merges.join(anchor, target, "user", 0, force=True)
    # clusters of units: a pinned unit goes where the analyst said, the others with their group
    clusters: dict[str, list] = defaultdict(list)
    named: dict[str, str] = {}
    for u in archive.units:
        pin = pins.get(u.own)
        if pin is None:
            ckey = merges.find(u.group)
        else:
            anchor, target, name = pin
            ckey = merges.find(target) if target else (merges.find(anchor) if anchor else f"own:{u.own}")
            named[ckey] = name
        clusters[ckey].append(u)
    taken: set[str] = set()
    for ckey in sorted(clusters, key=lambda c: (c.startswith("own:"), c)):
        units = clusters[ckey]
        type_ = units[0].type
        person = type_ == "PERSON"
        forms = Counter()
        for u in units:
            forms[u.text] += u.mentions
        ranked = sorted(forms.items(), key=lambda f: (-f[1], f[0]))
        name = named.get(ckey) or best_name(ranked, person)
        key = own_key(name, type_)
        eid = entity_id(type_, key)
        if eid in taken:  # two entities whose names share a key (only after corrections): keep both apart
            eid = entity_id(type_, f"{key}\x1f{ckey}")
        taken.add(eid)
        canonical = entity_id(type_, key)
        result.names[eid] = (name, [f for f, _ in ranked])
        rows: dict[tuple[str, str], list[int]] = {}
        paths: dict[str, tuple[str, int] | None] = {}
        for u in units:
            result.units[(u.type, u.text, u.group)] = eid
            rule, evidence, per_unit = _why(u, canonical, merges, pins, paths)
            alias = display_form(u.text, person) or u.text
            row = rows.setdefault((alias, rule), [0, 0])
            row[0] = row[0] + evidence if per_unit else max(row[0], evidence)
            row[1] += u.mentions
        for (alias, rule), (evidence, mentions) in sorted(rows.items(), key=lambda r: (-r[1][1], r[0])):
            result.aliases.append((type_, alias, eid, rule, evidence, mentions))
    return result


def _why(u, canonical: str, merges: Merges, pins, paths: dict) -> tuple[str, int, bool]:
    """The rule that put unit ``u`` in its entity, its evidence, and whether evidence adds up per unit."""
    if u.own in pins:
        return "user", u.articles, True
    group = u.group
    if group != canonical:
        if group not in paths:
            paths[group] = merges.path_rule(group, canonical) if canonical in merges.parent else None
        step = paths[group] or merges.why.get(group)
        if step is not None:
            return step[0], step[1], False
    if u.own != u.group:
        return "surname_in_article", u.articles, True
    return "same_key", u.articles, True


# the rule families register themselves on import, in this order
from . import surnames, acronyms, exonyms, variants  # noqa: E402, F401, I001
