"""Word documents (``.docx``), Nexis Uni exports first: the main source of Dutch newspaper
archives for researchers.

A Nexis Uni export holds one or many articles, each ending in ``End of Document``, each laid
out as: title, publication, date line (``12 maart 2024 dinsdag`` or ``March 12, 2024
Tuesday``), metadata lines (``Copyright``, ``Section:``, ``Length:``, ``Byline:``, ...), a
``Body`` heading, the paragraphs, then more metadata (``Classification``, ``Load-Date:``).
Only the paragraphs are text; the export's own lines and its cover page never are. The same
positions are what LexisNexisTools and nexis-analysis go by.

A Word document that is not such an export is one article: its paragraphs, with the
document's title property as title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..records import Record, Reject
from .base import READERS, Item
from .dates import parse_date
from .fields import FieldMap
from .office import unreadable_package
from .sources import InputStats, Source

_END = re.compile(r"^\s*End of Document\s*$", re.IGNORECASE)
_BODY = re.compile(r"^\s*(Body|Tekst|Text)\s*$", re.IGNORECASE)
#: Lines of the export itself, in the English and Dutch interface: never an article's text.
_META = re.compile(
    r"^\s*(Copyright|©|Section|Sectie|Rubriek|Length|Lengte|Byline|Auteur|Dateline|Highlight|Load-Date|"
    r"Laaddatum|Language|Taal|Publication-Type|Publicatietype|Journal Code|Subject|Onderwerp|Geographic|"
    r"Company|Industry|Person|Graphic|Notes|Correction|Correction-Date|Document-Type|Edition|Editie|"
    r"Classification|Classificatie|Date and Time|Datum en tijd|Job Number|Client/Matter|Search Terms|"
    r"Search Type|Narrowed by|Content Type|Documents?\s*\(\d+\))\b\s*[:(]?",
    re.IGNORECASE,
)
_AFTER_BODY = re.compile(r"^\s*(Classification|Classificatie|Load-Date|Laaddatum|Graphic|Notes)\b", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^\s*(Link to (Image|PDF|the PDF)|Link naar (afbeelding|PDF)|Bekijk (de )?afbeelding)\b", re.I
)


@READERS.register(".docx")
def read_docx(source: Source, stats: InputStats, fields: FieldMap) -> Iterator[Item]:
    import docx  # here, not at the top: importing it costs every run ~0.4 s, most never need it

    if (problem := unreadable_package(source, ".docx")) is not None:
        stats.records += 1
        yield Reject(source.name, "file", *problem)
        return
    with source.open() as f:
        try:
            document = docx.Document(f)
            paragraphs = [p.text for p in document.paragraphs]
            title = document.core_properties.title
        except Exception as exc:  # zipfile, XML and python-docx's own errors for a broken package
            stats.records += 1
            yield Reject(source.name, "file", "unreadable_file", f"not a readable .docx document: {exc}")
            return
    if not any(_END.match(p) for p in paragraphs):
        stats.records += 1
        text = "\n\n".join(p.strip() for p in paragraphs if p.strip())
        yield Record(source.name, "file", {"title": title or None, "text": text})
        return
    for n, part in enumerate(_split(paragraphs), start=1):
        stats.records += 1
        yield _article(source, n, part)


def _split(paragraphs: list[str]) -> Iterator[list[str]]:
    """Each article's lines, without blank lines; the export's end marker ends one."""
    part: list[str] = []
    for p in paragraphs:
        if _END.match(p):
            yield part
            part = []
        elif p.strip():
            part.append(p.strip())
    if any(_BODY.match(p) for p in part):  # an article cut off before its end marker
        yield part


def _article(source: Source, n: int, lines: list[str]) -> Item:
    where = f"document {n}"
    body_at = next((i for i, line in enumerate(lines) if _BODY.match(line)), None)
    if body_at is None:
        return Reject(source.name, where, "missing_text", "a Nexis document without a 'Body' heading: no text found")
    head, rest = lines[:body_at], lines[body_at + 1 :]
    body: list[str] = []
    for line in rest:
        if _AFTER_BODY.match(line):
            break
        if not _BOILERPLATE.match(line):
            body.append(line)
    fields: dict[str, object] = {"text": "\n\n".join(body)}
    byline = next(
        (m.group(1).strip() for line in head if (m := re.match(r"^\s*(?:Byline|Auteur):\s*(.+)", line))), None
    )
    if byline:
        fields["byline"] = byline
    # title, publication, date: the lines just before the metadata block (a cover page, with
    # its search terms and list of documents, comes before the first article's title)
    top = list(head)
    while top and _META.match(top[-1]):
        top.pop()
    if top and parse_date(top[-1]) is not None:
        fields["published"] = top.pop()
    if len(top) >= 2:
        fields["title"], fields["source"] = top[-2], top[-1]
    elif top:
        fields["title"] = top[0]
    return Record(source.name, where, fields)
