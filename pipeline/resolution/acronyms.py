"""acronym: an acronym joins its expansion, defined in the text or listed in a curated table.

* **Defined in text**: an organisation written with its acronym in brackets right after it
  ("Nieuw-Vlaamse Alliantie (N-VA)") or the other way round ("N-VA (Nieuw-Vlaamse
  Alliantie)"), where the acronym's letters are the expansion's in order, starting with its
  first letter. Evidence: the articles that define it. An acronym defined as two different
  names joins the dominant one, or neither.
* **Listed** (:mod:`.acronym_table`): Dutch and Belgian parties, institutions and bodies, joined
  only when both forms are in the archive as organisations. Evidence 0: no article defines it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from ..entities import display_form
from ..resolve import fold
from . import RULES, Params
from .acronym_table import ACRONYMS
from .archive import Archive, Merges

_WORDS = re.compile(r"[\s\-]+")


def is_acronym(text: str) -> bool:
    """One word (or "Open VLD") mostly in capitals: "N-VA", "CD&V", "PvdA", "D66"; not "Groen"."""
    if not 2 <= len(text) <= 12 or not text[0].isupper() or text.count(" ") > 1:
        return False
    caps = sum(c.isupper() or c.isdigit() for c in text)
    return caps >= 2 and not re.search(r"[a-zà-ÿ]{3}", text)


def expands(acronym: str, expansion: str) -> bool:
    """The acronym's letters are the expansion's, in order, from its first letter."""
    letters = [c for c in fold(acronym) if c.isalnum()]
    text = [c for c in fold(expansion) if c.isalnum()]
    words = [w for w in _WORDS.split(fold(expansion)) if w]
    if len(letters) < 2 or len(text) <= len(letters) + 2 or not words or letters[0] != words[0][0]:
        return False
    it = iter(text)
    return all(c in it for c in letters)


_PAREN = re.compile(r"\s*\(([^()]{2,80})\)")


def _parentheticals(archive: Archive) -> Iterator[tuple[str, str, str, str]]:
    """(article_id, type, mention text, the bracketed text right after it), for every mention
    followed by one. Two streams ordered by article are merged here, so each article's text is
    read once and indexed in Python: slicing it in SQL per mention scans the text from its start
    every time, which made one long article take minutes."""
    articles = archive.con.cursor().execute(
        "SELECT article_id, text FROM article_text WHERE contains(text, '(') ORDER BY article_id"
    )
    mentions = archive.con.cursor().execute(
        "SELECT article_id, type, text, end_char FROM local WHERE article_id IN "
        "(SELECT article_id FROM article_text WHERE contains(text, '(')) ORDER BY article_id, end_char"
    )
    pending = iter(())
    current, body = None, ""
    while batch := mentions.fetchmany(10_000):
        for aid, type_, text, end in batch:
            while current is None or current < aid:
                row = next(pending, None)
                if row is None:
                    rows = articles.fetchmany(64)
                    if not rows:
                        return
                    pending = iter(rows)
                    continue
                current, body = row
            if current != aid:
                continue
            match = _PAREN.match(body, end)
            if match and match.group(1).strip():
                yield aid, type_, text, match.group(1).strip()


def _definitions(archive: Archive) -> dict[tuple[str, str], int]:
    """(acronym group, expansion group) -> articles defining one as the other."""
    counted: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for aid, type_, text, paren in _parentheticals(archive):
        counted[(type_, text, paren)].add(aid)
    rows = [(type_, text, paren, len(aids)) for (type_, text, paren), aids in counted.items()]
    found: dict[tuple[str, str], int] = defaultdict(int)
    for type_, text, paren, n in rows:
        form = display_form(text, type_ == "PERSON") or text
        if is_acronym(form) and expands(form, paren):
            acronym, expansion = form, paren
        elif is_acronym(paren) and expands(paren, form):
            acronym, expansion = paren, form
        else:
            continue
        ga, ge = archive.group_of(type_, acronym), archive.group_of(type_, expansion)
        if ga and ge and ga != ge:
            found[(ga, ge)] += n
    return found


@RULES.register("acronym")
def acronym(archive: Archive, merges: Merges, params: Params) -> None:
    by_acronym: dict[str, dict[str, int]] = defaultdict(dict)
    for (ga, ge), n in _definitions(archive).items():
        by_acronym[ga][ge] = n
    for ga in sorted(by_acronym):
        defs = by_acronym[ga]
        ge = max(defs, key=lambda g: (defs[g], g))
        if defs[ge] >= params.dominance * sum(defs.values()):
            merges.join(ga, ge, "acronym", defs[ge])
    for acr, expansions in ACRONYMS.items():
        ga = archive.group_of("ORGANISATION", acr)
        if ga is None or ga in by_acronym:  # the archive's own definitions come first
            continue
        for expansion in expansions:
            ge = archive.group_of("ORGANISATION", expansion)
            if ge is not None and ge != ga:
                merges.join(ga, ge, "acronym", 0)
                break
