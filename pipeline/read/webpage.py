"""Saved web pages (``.html``, ``.htm``): the article without the page around it.

trafilatura finds the article's text (no navigation, cookie banner, related links or footer)
and the page's metadata: title, publication date (from the page's markup, not guessed from
its text), site name and canonical URL. One page is one article. Named ``webpage`` rather
than ``html`` so that it never stands in for the standard library's module.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from ..records import Record, Reject
from .base import COUNTERS, READERS, Item
from .fields import FieldMap
from .sources import InputStats, Source

_MAX_BYTES = 64 << 20  # a saved page larger than this is not an article page
_DATES = {"extensive_search": False, "original_date": True}
#: meta tags (property, name or itemprop) that declare when a page was published
_DATE_META = frozenset(
    (
        "article:published_time og:published_time og:article:published_time datepublished pubdate "
        "publishdate publish-date date dc.date dc.date.issued dcterms.date dcterms.issued "
        "parsely-pub-date sailthru.date"
    ).split()
)

# trafilatura logs every page it finds little in at WARNING; the reject says it once
logging.getLogger("trafilatura").setLevel(logging.ERROR)


@READERS.register(".html", ".htm", ".xhtml")
def read_html(source: Source, stats: InputStats, fields: FieldMap) -> Iterator[Item]:
    import trafilatura  # here, not at the top: importing it costs every run ~0.4 s, most never need it

    stats.records += 1
    with source.open() as f:
        page = f.read(_MAX_BYTES + 1)
    if len(page) > _MAX_BYTES:
        yield Reject(source.name, "file", "unreadable_file", f"a page over {_MAX_BYTES >> 20} MB is not read")
        return
    try:
        doc = trafilatura.bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params=_DATES,
        )
    except Exception as exc:  # lxml and trafilatura's own errors on markup they cannot parse
        yield Reject(source.name, "file", "unreadable_file", f"the page cannot be parsed: {type(exc).__name__}: {exc}")
        return
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        yield Reject(source.name, "file", "empty_text", "no article text found in the page (trafilatura)")
        return
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    if doc.title and paragraphs and paragraphs[0] == doc.title.strip():
        paragraphs = paragraphs[1:]  # the page's headline: the title, not the text's first line
    yield Record(
        source.name,
        "file",
        {
            "text": "\n\n".join(paragraphs),
            "title": doc.title,
            "published": doc.date or declared_date(page),
            "source": doc.sitename or doc.hostname,
            "url": doc.url,
        },
    )


def declared_date(page: bytes) -> str | None:
    """The publication date the page's meta tags declare, as written, for when trafilatura gives
    none: its date finder drops a date it cannot read and one before 1995 or after today, so
    an archived 1990 page would lose its date and a broken one ("2024-13-45") would go uncounted.
    Read like any other published value, it becomes the date or an unparsed date of the manifest."""
    import lxml.etree
    import lxml.html

    try:
        tree = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return None
    for meta in tree.iter("meta"):
        names = {(meta.get(a) or "").strip().lower() for a in ("property", "name", "itemprop")}
        content = (meta.get("content") or "").strip()
        if content and names & _DATE_META:
            return content
    return None


@COUNTERS.register(".html", ".htm", ".xhtml")
def count_html(source: Source, fields: FieldMap) -> int:
    return 1
