"""Text formats' bytes to characters, and the ``.txt`` reader (one article a file).

UTF-8 when the whole source is valid UTF-8, else Latin-1, whose C1 range the normalise stage
then reads as Windows-1252 (ftfy), so cp1252 and latin-1 files come out right. A source that
starts with a UTF-16 or UTF-32 byte-order mark (Windows' "Unicode" text) is read as that.

Deciding needs the whole source, so text readers make two passes. A source that can be read
only once (a large member of a compressed tar) is decoded in one pass instead: UTF-8, and
each byte that is not UTF-8 read as Latin-1, which is the same for any real cp1252 file.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import BinaryIO, TextIO

from ..records import Record, Reject
from .base import COUNTERS, READERS, Item
from .fields import FieldMap
from .sources import CHUNK, InputStats, Source

_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"GIF8", b"\xff\xd8\xff", b"\x7fELF")
_DATE_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\s*", re.IGNORECASE)
#: Byte-order marks of the wide Unicode encodings, longest first (UTF-32-LE starts like UTF-16-LE).
_WIDE_BOMS = (
    ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
    ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"),
)
_LATIN1_FALLBACK = "nl-entities-latin1"


def _latin1(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start : exc.end].decode("latin-1"), exc.end


codecs.register_error(_LATIN1_FALLBACK, _latin1)


def _kind(head: bytes) -> tuple[str, bool]:
    """(encoding to try, binary?) from a source's first bytes."""
    encoding = next((enc for boms, enc in _WIDE_BOMS if head.startswith(boms)), "utf-8-sig")
    binary = encoding == "utf-8-sig" and (head.startswith(_BINARY_MAGIC) or _nul_lines(head))
    return encoding, binary


def _nul_lines(head: bytes) -> bool:
    """NUL bytes on most lines of the head: a binary file, or a wide encoding without a BOM.

    NUL bytes on a line or two of text are damage to those lines (a write that failed, a NUL
    run pasted in): the file is text, and the reader rejects the records on those lines alone
    (a CSV row: ``malformed_row``; a JSON line: ``malformed_json``), not the file.
    """
    if head.count(b"\x00") <= max(8, len(head) // 100):
        return False
    lines = head.split(b"\n")
    return 2 * sum(b"\x00" in line for line in lines) > len(lines)


def sniff(stream: BinaryIO) -> tuple[str | None, str]:
    """(encoding, sha256) of a text stream, or (None, sha256) when it is binary.

    One streaming pass: hashes the bytes and checks that all of them decode.
    """
    h = hashlib.sha256()
    encoding, decoder, valid, binary = "utf-8-sig", None, True, False
    while chunk := stream.read(CHUNK):
        h.update(chunk)
        if decoder is None:
            encoding, binary = _kind(chunk[:8192])
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


class _Hashing(io.RawIOBase):
    """Hashes what is read through it: the sha256 of a source read only once."""

    def __init__(self, stream: BinaryIO, stats: InputStats) -> None:
        self._s, self._h, self._stats = stream, hashlib.sha256(), stats

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        data = self._s.read(len(buffer))
        buffer[: len(data)] = data
        self._h.update(data)
        if not data:
            self._stats.sha256 = self._h.hexdigest()
        return len(data)


TextReader = Callable[[Source, InputStats, FieldMap, TextIO], Iterator[Item]]
BINARY = "file content is binary (NUL bytes, a binary signature, or a byte-order mark on text that does not decode)"


def text_format(fn: TextReader) -> Callable[[Source, InputStats, FieldMap], Iterator[Item]]:
    """For readers of text formats: decode as above, and reject a binary source whole.

    The reader gets the text as a stream whose lines are split on ``\\n`` only as written
    (``newline=""``).
    """

    @functools.wraps(fn)
    def read(source: Source, stats: InputStats, fields: FieldMap) -> Iterator[Item]:
        if source.rewindable:
            with source.open() as f:
                encoding, stats.sha256 = sniff(f)
            if encoding is None:
                stats.records += 1
                yield Reject(source.name, "file", "binary_file", BINARY)
                return
            with io.TextIOWrapper(source.open(), encoding=encoding, newline="") as text:
                yield from fn(source, stats, fields, text)
            return
        encoding, binary = _kind(source.head())
        if binary:
            stats.records += 1
            yield Reject(source.name, "file", "binary_file", BINARY)
            return
        raw = io.BufferedReader(_Hashing(source.open(), stats), CHUNK)
        errors = "strict" if encoding != "utf-8-sig" else _LATIN1_FALLBACK
        with io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="") as text:
            yield from fn(source, stats, fields, text)

    return read


def lines(f: TextIO) -> Iterator[str]:
    """Lines split on \\n only: JSON strings may hold U+2028 and other separators."""
    rest = ""
    while chunk := f.read(CHUNK):
        rest += chunk
        *done, rest = rest.split("\n")
        yield from done
    if rest:
        yield rest


def stem(source: Source) -> str:
    """The file or member name without folders and suffix: a ``.txt`` article's id."""
    return PurePosixPath(source.kind_name).stem


@READERS.register(".txt")
@text_format
def read_txt(source: Source, stats: InputStats, fields: FieldMap, f: TextIO) -> Iterator[Item]:
    """One article a file; a leading ``date YYYY-MM[-DD]`` marker is its published date."""
    text = f.read()
    stats.records += 1
    record: dict[str, object] = {"id": stem(source)}
    marker = _DATE_MARKER.match(text)
    if marker:
        record["published"] = marker.group(1)
        text = text[marker.end() :]
    record["text"] = text
    yield Record(source.name, "file", record)


@COUNTERS.register(".txt")
def count_txt(source: Source, fields: FieldMap) -> int:
    return 1  # one article, or one reject for a file that cannot be one
