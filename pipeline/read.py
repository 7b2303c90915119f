"""Stage 1, read: files and folders in, raw :class:`Record` or :class:`Reject` out.

Readers stream: a reader never holds more than one record (or one Parquet row group) of a
file in memory. Each reader is registered for the suffixes it handles; a new format is a new
function with ``@READERS.register(".ext")``, not another branch in an if-chain.

Bytes are decoded here: UTF-8 when the whole file is valid UTF-8, else Latin-1, whose C1
range the normalise stage then reads as Windows-1252 (ftfy), so cp1252 and latin-1 files
come out right.
"""

from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from .records import Record, Reject
from .registry import Registry

Item = Record | Reject
Reader = Callable[[Path, "InputStats"], Iterator[Item]]
READERS: Registry[Reader] = Registry()
FIELDS = ("id", "title", "published", "date", "source", "url", "text")
_CHUNK = 1 << 20
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff", b"\x7fELF")
_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s*", re.IGNORECASE)


@dataclass
class InputStats:
    """What the manifest says of one input file."""

    path: str
    sha256: str = ""
    records: int = 0


def discover(paths: Iterable[Path], skip: Iterable[Path] = ()) -> list[Path]:
    """Files to read, in a stable order: the files given, and every file in folders except hidden
    ones (a name or folder starting with ".") and those under ``skip`` (the run's own output
    folder, when it lies inside an input folder)."""
    skipped = [s.resolve() for s in skip]
    # absolute paths: rejects and the manifest name an input the same way from any directory
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path.resolve())
            continue
        for p in sorted(path.rglob("*")):
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts):
                resolved = p.resolve()
                if not any(resolved.is_relative_to(s) for s in skipped):
                    found.append(resolved)
    return list(dict.fromkeys(found))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


#: Byte-order marks of the wide Unicode encodings, longest first (UTF-32-LE starts like UTF-16-LE).
_WIDE_BOMS = (
    ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
    ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"),
)


def sniff(path: Path) -> tuple[str | None, str]:
    """(encoding, sha256) of a text file, or (None, sha256) when it is binary.

    One streaming pass: hashes the file and checks that all of it decodes. A file that starts
    with a UTF-16 or UTF-32 byte-order mark (Windows' "Unicode" text) is checked as that
    encoding; any other as UTF-8, else read as latin-1 (ftfy repairs cp1252 later).
    """
    h = hashlib.sha256()
    encoding, decoder, valid, binary = "utf-8-sig", None, True, False
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            if decoder is None:
                head = chunk[:8192]
                encoding = next((enc for boms, enc in _WIDE_BOMS if head.startswith(boms)), "utf-8-sig")
                binary = encoding == "utf-8-sig" and (
                    head.startswith(_BINARY_MAGIC) or head.count(b"\x00") > max(8, len(head) // 100)
                )
                decoder = codecs.getincrementaldecoder(encoding)()
            if valid:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    valid = False
    if valid and decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            valid = False
    if binary or (encoding != "utf-8-sig" and not valid):  # a wide file that does not decode is binary
        return None, h.hexdigest()
    return (encoding if valid else "latin-1"), h.hexdigest()


def read_input(path: Path, stats: InputStats) -> Iterator[Item]:
    """Every record of one input file, or one reject for the whole file."""
    fn = READERS.get(path.suffix.lower())
    if fn is None:
        stats.sha256 = sha256_file(path)
        stats.records = 1
        known = ", ".join(sorted(READERS))
        yield Reject(str(path), "file", "unsupported_format", f"{path.suffix or 'no suffix'}: reads {known}")
        return
    try:
        yield from fn(path, stats)
    except (OSError, UnicodeError) as exc:
        stats.records += 1
        yield Reject(str(path), "file", "unreadable_file", f"{type(exc).__name__}: {exc}")


TextReader = Callable[[Path, "InputStats", str], Iterator[Item]]


def text_file(fn: TextReader) -> Reader:
    """For readers of text formats: sniff the encoding first, and reject a binary file whole."""

    @functools.wraps(fn)
    def read(path: Path, stats: InputStats) -> Iterator[Item]:
        encoding, stats.sha256 = sniff(path)
        if encoding is None:
            stats.records += 1
            why = "NUL bytes, a binary signature, or a byte-order mark on text that does not decode"
            yield Reject(str(path), "file", "binary_file", f"file content is binary ({why})")
            return
        yield from fn(path, stats, encoding)

    return read


@READERS.register(".jsonl", ".ndjson")
@text_file
def read_jsonl(path: Path, stats: InputStats, encoding: str) -> Iterator[Item]:
    with path.open("r", encoding=encoding, newline="") as f:
        for n, line in enumerate(_lines(f), start=1):
            if not line.strip():
                continue
            stats.records += 1
            where = f"line {n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield Reject(str(path), where, "malformed_json", f"invalid JSON: {exc.msg} at column {exc.colno}")
                continue
            except (ValueError, RecursionError) as exc:  # a 5,000-digit number, [[[[... 100,000 deep
                yield Reject(str(path), where, "malformed_json", f"JSON that cannot be read: {str(exc)[:200]}")
                continue
            if not isinstance(obj, dict):
                yield Reject(str(path), where, "malformed_json", f"a JSON {type(obj).__name__}, not an object")
                continue
            yield Record(str(path), where, obj)


def _lines(f: io.TextIOBase) -> Iterator[str]:
    """Lines split on \\n only: JSON strings may hold U+2028 and other separators."""
    rest = ""
    while chunk := f.read(_CHUNK):
        rest += chunk
        *lines, rest = rest.split("\n")
        yield from lines
    if rest:
        yield rest


@READERS.register(".csv", ".tsv")
@text_file
def read_csv(path: Path, stats: InputStats, encoding: str) -> Iterator[Item]:
    csv.field_size_limit(1 << 30)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open("r", encoding=encoding, newline="") as f:
        rows = csv.reader(f, delimiter=delimiter)
        try:
            header = next(rows)
        except (StopIteration, csv.Error) as exc:
            stats.records += 1
            yield Reject(str(path), "file", "unreadable_file", f"no CSV header: {exc or 'empty file'}")
            return
        header = [h.strip().lower() for h in header]
        n = 0
        while True:
            n += 1
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                stats.records += 1
                yield Reject(str(path), f"row {n}", "malformed_row", f"CSV error: {exc}")
                continue
            if not any(cell.strip() for cell in row):
                n -= 1
                continue
            stats.records += 1
            if len(row) != len(header):
                yield Reject(str(path), f"row {n}", "malformed_row", f"{len(row)} fields, header has {len(header)}")
                continue
            yield Record(str(path), f"row {n}", dict(zip(header, row, strict=True)))


@READERS.register(".parquet", ".pq")
def read_parquet(path: Path, stats: InputStats) -> Iterator[Item]:
    stats.sha256 = sha256_file(path)
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a broken file
        stats.records += 1
        yield Reject(str(path), "file", "unreadable_file", f"not a readable Parquet file: {exc}")
        return
    columns = [c for c in pf.schema_arrow.names if c.lower() in FIELDS]
    n = 0
    for batch in pf.iter_batches(batch_size=1024, columns=columns):
        for row in batch.to_pylist():
            n += 1
            stats.records += 1
            yield Record(str(path), f"row {n}", {k.lower(): v for k, v in row.items()})


@READERS.register(".txt")
@text_file
def read_txt(path: Path, stats: InputStats, encoding: str) -> Iterator[Item]:
    """One article a file; a leading ``date YYYY-MM[-DD]`` marker is its published date."""
    text = path.read_text(encoding=encoding)
    stats.records += 1
    fields: dict[str, object] = {"id": path.stem}
    marker = _DATE_MARKER.match(text)
    if marker:
        fields["published"] = marker.group(1)
        text = text[marker.end() :]
    fields["text"] = text
    yield Record(str(path), "file", fields)


def count_records(path: Path) -> int:
    """A fast estimate of the records in a file, for the progress bar's total."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pq.ParquetFile(path).metadata.num_rows
        if suffix in (".jsonl", ".ndjson", ".csv", ".tsv"):
            n = 0
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    n += chunk.count(b"\n")
            return max(n - (suffix in (".csv", ".tsv")), 1)
    except Exception:
        return 1
    return 1
