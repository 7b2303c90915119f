"""Excel workbooks (``.xlsx``, ``.xlsm``) with openpyxl, streamed in read-only mode.

Every sheet with a text column is read; its header is the first of its top rows that names
one (sheets often start with a title line or two). Sheets without one (notes, pivot tables)
are passed over; a workbook in which no sheet has one is one reject naming the columns of its
first sheet. Cells come as typed values: a date cell is a date, not a string to parse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..records import Record, Reject
from .base import READERS, Item
from .fields import FieldMap
from .office import unreadable_package
from .sources import InputStats, Source

_HEADER_ROWS = 10  # how far down a sheet its header row is looked for


def _cell(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # an id typed as 1234 comes back 1234.0
    return value


@READERS.register(".xlsx", ".xlsm")
def read_xlsx(source: Source, stats: InputStats, fields: FieldMap) -> Iterator[Item]:
    import openpyxl  # here, not at the top: importing it costs every run ~0.4 s, most never need it

    if (problem := unreadable_package(source, ".xlsx")) is not None:
        stats.records += 1
        yield Reject(source.name, "file", *problem)
        return
    with source.open() as f:
        try:
            book = openpyxl.load_workbook(f, read_only=True, data_only=True)
        except Exception as exc:  # zipfile, XML and openpyxl's own errors for a broken package
            stats.records += 1
            yield Reject(source.name, "file", "unreadable_file", f"not a readable .xlsx workbook: {exc}")
            return
        first_columns: list[str] | None = None
        read_any, where = False, "file"
        try:
            for sheet in book.worksheets:
                rows = sheet.iter_rows(values_only=True)
                header, at = None, 0
                for at, row in enumerate(rows, start=1):
                    names = [str(c).strip() if c is not None else "" for c in row]
                    if first_columns is None and any(names):
                        first_columns = [n for n in names if n]
                    if fields.has_text(n for n in names if n):
                        header = names
                        break
                    if at >= _HEADER_ROWS:
                        break
                if header is None:
                    continue
                read_any = True
                for number, row in enumerate(rows, start=at + 1):
                    if all(c is None or (isinstance(c, str) and not c.strip()) for c in row):
                        continue
                    where = f"sheet {sheet.title} row {number}"
                    stats.records += 1
                    record = {h: _cell(v) for h, v in zip(header, row, strict=False) if h}
                    yield Record(source.name, where, record)
        except Exception as exc:  # a sheet whose XML breaks off: what came before it stands
            stats.records += 1
            yield Reject(source.name, f"after {where}", "unreadable_file", f"the workbook breaks off: {exc}")
            return
        finally:
            book.close()
        if not read_any:
            stats.records += 1
            yield Reject(
                source.name,
                "file",
                "missing_text",
                "no sheet has a text column: " + fields.missing_text(first_columns or []),
            )
