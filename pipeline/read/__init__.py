"""Stage 1, read: files and folders in, raw :class:`Record` or :class:`Reject` out.

Readers stream: a reader never holds more than one record (or one Parquet row group, one
saved page, one Word document) of a file in memory, and archives are never unpacked. Each
format is a module that registers its reader for the suffixes it handles (``READERS``), each
wrapper around formats (compression, zip, tar) one that registers in ``CONTAINERS``: a new
format is a new module, not another branch in an if-chain.

| module | reads |
|---|---|
| ``jsonl``, ``delimited``, ``parquet``, ``text`` | JSON Lines, CSV/TSV, Parquet, plain text |
| ``excel``, ``nexis``, ``webpage`` | .xlsx, .docx (Nexis Uni exports), saved web pages |
| ``compressed``, ``bundles`` | .gz/.bz2/.xz/.zst around any of them; .zip and .tar archives |
| ``fields``, ``dates`` | column names to field names; dates as people write them |
| ``sources``, ``base`` | what a reader reads (a file or an archive member); the dispatch |
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

# the modules that register formats and containers: imported for their registrations
from . import bundles, compressed, delimited, excel, jsonl, nexis, parquet, text, webpage  # noqa: F401
from .base import CONTAINERS, READERS, Input, Item, count, inputs
from .dates import parse_date
from .fields import ALIASES, FieldError, FieldMap
from .sources import InputStats, Source, discover, display_name, sha256_file, unreadable
from .text import sniff

__all__ = [
    "ALIASES",
    "CONTAINERS",
    "READERS",
    "FieldError",
    "FieldMap",
    "Input",
    "InputStats",
    "Item",
    "Source",
    "count_records",
    "discover",
    "display_name",
    "inputs",
    "parse_date",
    "read_input",
    "sha256_file",
    "sniff",
]


def read_input(path: Path, stats: InputStats, fields: FieldMap | None = None) -> Iterator[Item]:
    """Every record in one file, archive members included, with ``stats`` for the file as a whole.

    The run reads through :func:`inputs`, which gives each archive member stats of its own.
    """
    n = 0
    for inp in inputs(path, fields or FieldMap()):
        yield from inp.items
        n += 1
        stats.records += inp.stats.records
        stats.unparsed_dates += inp.stats.unparsed_dates
        if n == 1:
            stats.sha256 = inp.stats.sha256
        stats.changed = stats.changed or inp.stats.changed
    if stats.changed:
        stats.sha256 = ""  # of which bytes?
    elif (n != 1 or not stats.sha256) and unreadable(path) is None:  # a FIFO is never opened
        stats.sha256 = sha256_file(path)


def count_records(path: Path, fields: FieldMap | None = None) -> int:
    """How many records the file holds (members included): the progress bar's total.

    Exact: each record is counted as the article or reject it will be.
    """
    try:
        return count(path, fields or FieldMap())
    except Exception:  # the total is for the bar only; reading reports what is wrong
        return 1
