"""JSON Lines (``.jsonl``, ``.ndjson``): one JSON object a line, the usual form of news dumps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TextIO

from ..records import Record, Reject
from .base import COUNTERS, READERS, Item
from .fields import FieldMap
from .sources import InputStats, Source
from .text import lines, text_format


@READERS.register(".jsonl", ".ndjson")
@text_format
def read_jsonl(source: Source, stats: InputStats, fields: FieldMap, f: TextIO) -> Iterator[Item]:
    for n, line in enumerate(lines(f), start=1):
        if not line.strip():
            continue
        stats.records += 1
        where = f"line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Reject(source.name, where, "malformed_json", f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        except (ValueError, RecursionError) as exc:  # a 5,000-digit number, [[[[... 100,000 deep
            yield Reject(source.name, where, "malformed_json", f"JSON that cannot be read: {str(exc)[:200]}")
            continue
        if not isinstance(obj, dict):
            yield Reject(source.name, where, "malformed_json", f"a JSON {type(obj).__name__}, not an object")
            continue
        yield Record(source.name, where, obj)


@COUNTERS.register(".jsonl", ".ndjson")
def count_jsonl(source: Source, fields: FieldMap) -> int:
    """Lines that are not blank: each is one record or one reject. Bytes only, no decoding
    (a UTF-16 file is left to the reader's count)."""
    with source.open() as f:
        head = f.read(4)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
            raise ValueError("wide encoding")
        n, rest = 0, head
        while chunk := f.read(1 << 20):
            rest += chunk
            *done, rest = rest.split(b"\n")
            n += sum(1 for line in done if line.strip())
        return n + bool(rest.strip())
