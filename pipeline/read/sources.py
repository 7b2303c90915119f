"""Where bytes come from: a file, a decompressed stream, or a member of an archive.

Every reader reads a :class:`Source`, never a path, so a CSV inside ``archive.zip`` or a JSONL
inside ``dump.jsonl.gz`` is read exactly like one on disk. A source is named the way rejects
and the manifest name it (``/data/archive.zip/2024/a.txt``) and opened as often as a reader
needs (text readers make two passes: check the encoding, then read), each time a fresh stream
from the start. Only members of a compressed tar stream cannot be opened twice
(``rewindable`` is false); the text readers then decode in one pass.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass
class InputStats:
    """What the manifest says of one input: a file, or one member of an archive."""

    path: str
    sha256: str = ""
    records: int = 0
    #: published values that were given but could not be read as a date (left empty)
    unparsed_dates: int = 0
    unparsed_date_examples: list[str] = field(default_factory=list)


@dataclass
class Source:
    """A named stream of bytes that can be opened (again) from its start."""

    name: str  # what rejects.input and the manifest call it
    kind_name: str  # the name whose suffixes tell the format: "a.jsonl" inside "a.jsonl.gz"
    opener: Callable[[], BinaryIO]
    rewindable: bool = True
    digest: str | None = None  # sha256 known otherwise (a compressed file: the file on disk)
    depth: int = 0  # how many containers it is inside
    _head: bytes = field(default=b"", repr=False)
    _head_asked: int = field(default=0, repr=False)

    @classmethod
    def file(cls, path: Path) -> Source:
        return cls(str(path), path.name, lambda: path.open("rb"))

    @property
    def suffix(self) -> str:
        return Path(self.kind_name).suffix.lower()

    def open(self) -> BinaryIO:
        return self.opener()

    def head(self, n: int = 8192) -> bytes:
        """The first bytes, for magic numbers. A one-pass stream is peeked, not consumed."""
        if n > self._head_asked:
            if self.rewindable:
                with self.open() as f:
                    self._head = f.read(n)
            else:
                stream = self.opener()
                self._head = stream.peek(n)[:n] if hasattr(stream, "peek") else b""
            self._head_asked = n
        return self._head[:n]

    def sha256(self) -> str:
        """The sha256 of the source's bytes: one more pass unless it is known already."""
        if self.digest is None:
            if not self.rewindable:
                return ""
            with self.open() as f:
                self.digest = sha256_stream(f)
        return self.digest


def one_pass(stream: BinaryIO) -> Callable[[], BinaryIO]:
    """The opener of a stream that can be read only once (a member of a compressed tar): every
    call gives the same stream, which ``head()`` peeks at without consuming it."""
    buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[arg-type]
    return lambda: _Uncloseable(buffered)


def sha256_stream(f: BinaryIO) -> str:
    h = hashlib.sha256()
    while chunk := f.read(CHUNK):
        h.update(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return sha256_stream(f)


def hidden(parts: Iterable[str]) -> bool:
    """A hidden name (".git", "._a.txt"), or the folder macOS adds to every zip it makes."""
    return any(part.startswith(".") or part == "__MACOSX" for part in parts)


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


class Owning(io.BufferedIOBase):
    """A decompressing stream that also closes the stream under it (gzip, bz2 and lzma leave
    a file object they were given open)."""

    def __init__(self, stream: BinaryIO, under: BinaryIO) -> None:
        super().__init__()
        self._s, self._under = stream, under

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        return self._s.read(n)

    def read1(self, n: int = -1) -> bytes:
        return self._s.read1(n) if hasattr(self._s, "read1") else self._s.read(n)

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        return self._s.readinto(buffer)

    def peek(self, n: int = 0) -> bytes:
        return self._s.peek(n)

    def seekable(self) -> bool:
        return self._s.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._s.seek(offset, whence)

    def tell(self) -> int:
        return self._s.tell()

    def close(self) -> None:
        try:
            self._s.close()
        finally:
            self._under.close()
            super().close()


class _Uncloseable(Owning):
    """A view of a stream whose close() leaves the stream open (the tar reader owns it)."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(stream, stream)

    def close(self) -> None:
        io.BufferedIOBase.close(self)
