"""CSV and TSV as they come: from Excel in Dutch (``;``, a BOM), from AmCAT, from a database.

The delimiter is the one of ``,`` ``;`` tab ``|`` that the header line uses most (the suffix
decides a tie: tab for ``.tsv``), or the one an Excel ``sep=;`` first line names; fields are
quoted with ``"``, as every spreadsheet writes them. Fields of any size are accepted. Named
``delimited`` rather than ``csv`` so that it never stands in for the standard library's module.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import TextIO

from ..records import Record, Reject
from .base import READERS, Item
from .fields import FieldMap
from .sources import InputStats, Source
from .text import text_format

_DELIMITERS = (",", ";", "\t", "|")
_SEP_LINE = re.compile(r"^sep=(.)\r?\n?$")
csv.field_size_limit(1 << 30)


def delimiter(header: str, default: str) -> str:
    """The delimiter the header line uses most, counting only outside quotes."""
    counts = dict.fromkeys(_DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts.values())
    if best == 0 or counts[default] == best:
        return default
    return next(d for d in _DELIMITERS if counts[d] == best)


@READERS.register(".csv", ".tsv", ".tab")
@text_format
def read_csv(source: Source, stats: InputStats, fields: FieldMap, f: TextIO) -> Iterator[Item]:
    first = f.readline().lstrip("\ufeff")
    if (hint := _SEP_LINE.match(first)) is not None:  # Excel's "sep=;" line: the delimiter, said
        sep, first = hint.group(1), f.readline()
    else:
        sep = delimiter(first, "\t" if source.suffix in (".tsv", ".tab") else ",")
    rows = csv.reader(_chain(first, f), delimiter=sep)
    try:
        header = next(rows)
    except (StopIteration, csv.Error) as exc:
        stats.records += 1
        yield Reject(source.name, "file", "unreadable_file", f"no CSV header: {exc or 'empty file'}")
        return
    header = [h.strip().lstrip("\ufeff") for h in header]
    width = len(header)
    n = 0
    while True:
        n += 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            stats.records += 1
            yield Reject(source.name, f"row {n}", "malformed_row", f"CSV error: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            n -= 1
            continue
        stats.records += 1
        if len(row) > width and not any(cell.strip() for cell in row[width:]):
            row = row[:width]  # a trailing delimiter, as Excel writes after the last column
        if any("\x00" in cell for cell in row):  # damage, not text: the other rows stand
            nuls = sum(cell.count("\x00") for cell in row)
            yield Reject(source.name, f"row {n}", "malformed_row", f"the row holds {nuls} NUL bytes (a damaged file?)")
            continue
        if len(row) != width:
            yield Reject(
                source.name,
                f"row {n}",
                "malformed_row",
                f"{len(row)} fields, header has {width} (delimiter {sep!r})",
            )
            continue
        yield Record(source.name, f"row {n}", dict(zip(header, row, strict=True)))


def _chain(first: str, rest: TextIO) -> Iterator[str]:
    yield first
    yield from rest
