"""Parquet files, one row group at a time, only the columns the pipeline uses."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow.parquet as pq

from ..records import Record, Reject
from .base import COUNTERS, READERS, Item, describe
from .fields import FieldMap
from .sources import InputStats, Source


@READERS.register(".parquet", ".pq")
def read_parquet(source: Source, stats: InputStats, fields: FieldMap) -> Iterator[Item]:
    if not source.rewindable:
        stats.records += 1
        yield Reject(
            source.name, "file", "unreadable_file", "a Parquet file is read by seeking; this one is in a stream"
        )
        return
    with source.open() as f:
        try:
            pf = pq.ParquetFile(f)
            names = pf.schema_arrow.names
        except Exception as exc:  # pyarrow raises several types for a broken file
            stats.records += 1
            yield _unreadable(source, exc)
            return
        columns = list(dict.fromkeys(fields.columns(names).values()))
        if "text" not in fields.columns(names):
            columns = names  # every record gets the missing-text reject that names these columns
        n = 0
        # row group by row group: a damaged one ends the file after the rows of those before it
        batches = (b for g in range(pf.num_row_groups) for b in pf.iter_batches(1024, [g], columns))
        while True:
            try:
                rows = next(batches).to_pylist()
            except StopIteration:
                return
            except Exception as exc:  # a damaged page: the rows before it stand
                stats.records += 1
                if n == 0:  # nothing read: the file is unreadable, not one row of it
                    yield _unreadable(source, exc)
                else:
                    yield Reject(source.name, f"after row {n}", "malformed_row", f"the Parquet file breaks off: {exc}")
                return
            for row in rows:
                n += 1
                stats.records += 1
                yield Record(source.name, f"row {n}", row)


def _unreadable(source: Source, exc: Exception) -> Reject:
    return Reject(source.name, "file", "unreadable_file", f"not a readable Parquet file: {describe(exc)}")


@COUNTERS.register(".parquet", ".pq")
def count_parquet(source: Source, fields: FieldMap) -> int:
    with source.open() as f:
        return pq.ParquetFile(f).metadata.num_rows
