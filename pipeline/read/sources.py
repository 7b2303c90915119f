"""Where bytes come from: a file, a decompressed stream, or a member of an archive.

Every reader reads a :class:`Source`, never a path, so a CSV inside ``archive.zip`` or a JSONL
inside ``dump.jsonl.gz`` is read exactly like one on disk. A source is named the way rejects
and the manifest name it (``/data/archive.zip/2024/a.txt``) and opened as often as a reader
needs (text readers make two passes: check the encoding, then read), each time a fresh stream
from the start. Only members of a compressed tar stream cannot be opened twice
(``rewindable`` is false); the text readers then decode in one pass.

Names are always valid UTF-8: a file name that is not (``caf\\xe9.txt`` from a Latin-1 disk)
is named with its odd bytes written as ``\\xe9``, so it can be stored in the tables and the
manifest, and the same file gets the same name in every run. What :func:`discover` finds is
every path under the folders given that is not hidden, regular files or not: what cannot be
read (a FIFO, a device, a dangling link, a folder that cannot be listed) is a reject of its
own (:func:`unreadable`), never skipped without a word, and never opened.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
log = logging.getLogger("nl-entities")


def display_name(name: str | os.PathLike[str]) -> str:
    """A name as rejects and the manifest write it: the same text where it is valid UTF-8, else
    each byte that is not written ``\\xe9`` (a name read from disk or a tar keeps such bytes as
    surrogates, which no UTF-8 table or JSON file can hold)."""
    text = os.fspath(name)
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no byte escaped to
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


@dataclass
class InputStats:
    """What the manifest says of one input: a file, or one member of an archive."""

    path: str
    sha256: str = ""
    records: int = 0
    #: what changed in the file while it was read ("" when nothing did): its sha256 is then ""
    changed: str = ""
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

    def __post_init__(self) -> None:
        # names become table values (input, and a .txt file's id from kind_name): valid UTF-8
        self.name, self.kind_name = display_name(self.name), display_name(self.kind_name)

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


#: A file's state, taken before and after it is read: what differs is what changed under the run.
Snapshot = tuple[int, int, int, int, int] | None


def snapshot(path: Path) -> Snapshot:
    """The file's identity and state (device, inode, size, mtime and ctime in ns), or None when
    it is gone. Any write moves ctime, even one that sets mtime back (``touch -d``)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def changed(before: Snapshot, after: Snapshot) -> str:
    """What differs between two snapshots of one file, for people ("" when nothing does)."""
    if before == after:
        return ""
    if after is None:
        return "it was removed"
    if before is None:
        return "it appeared"
    if before[:2] != after[:2]:
        return "it was replaced by another file"
    if before[2] != after[2]:
        return f"its size went from {before[2]} to {after[2]} bytes"
    return "it was written to (modification time changed)"


_SPECIAL = {
    stat.S_ISFIFO: "a FIFO (named pipe)",
    stat.S_ISSOCK: "a socket",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
}


def unreadable(path: Path) -> tuple[str, str] | None:
    """(reason, detail) when ``path`` is not a regular file the readers can open, else None.

    Decided from ``stat`` alone: a FIFO or ``/dev/zero`` is never opened (reading one would
    wait or run on for ever). A folder here is one that :func:`discover` could not list.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            target = display_name(os.readlink(path))
            return "unreadable_file", f"a dangling symbolic link (to {target}, which is missing)"
        return "unreadable_file", "no such file (removed after the inputs were listed?)"
    except OSError as exc:  # ELOOP: a link to itself; EACCES: a folder on the way is closed
        return "unreadable_file", f"cannot be looked at: {exc.strerror or exc}"
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            return "unreadable_file", f"a folder that cannot be listed: {exc.strerror or exc}"
        return "unreadable_file", "a folder that could not be listed when the inputs were found"
    kind = next((what for test, what in _SPECIAL.items() if test(st.st_mode)), "not a regular file")
    return "not_regular_file", f"{kind}, not a regular file: never opened (save what it gives to a file, read that)"


def discover(paths: Iterable[Path], skip: Iterable[Path] = ()) -> list[Path]:
    """What to read, in a stable order: the paths given, and every path in folders except hidden
    ones (a name or folder starting with ".") and those under ``skip`` (the run's own output
    folder, when it lies inside an input folder).

    Symbolic links to folders are followed, each real folder once (a link back to a folder
    above is not followed again). What cannot be read is listed all the same, with a warning:
    a dangling link, a FIFO or device, a folder that cannot be listed; reading it gives its
    reject (:func:`unreadable`).
    """
    skipped = [s.resolve() for s in skip]
    seen: set[tuple[int, int]] = set()  # (device, inode) of every folder walked
    # absolute paths: rejects and the manifest name an input the same way from any directory
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(_absolute(path))
            continue
        walked: list[tuple[Path, Path]] = []
        _walk(path, path, skipped, seen, walked)
        found.extend(p for _, p in sorted(walked, key=lambda item: item[0]))  # by name, part by part
    found = list(dict.fromkeys(found))
    for p in found:
        if (problem := unreadable(p)) is not None:
            log.warning("%s cannot be read: %s (a reject)", display_name(p), problem[1])
    return found


def _absolute(path: Path) -> Path:
    """Where ``path`` really is; a link that leads nowhere is named as the link (its folder resolved)."""
    resolved = path.resolve()
    return resolved if resolved.exists() else path.absolute().parent.resolve() / path.name


def _walk(
    top: Path, folder: Path, skipped: list[Path], seen: set[tuple[int, int]], out: list[tuple[Path, Path]]
) -> None:
    """Add what is in ``folder`` (and below) to ``out`` as (path from ``top``, where it is)."""
    try:
        st = folder.stat()
        real = folder.resolve()
    except OSError:
        out.append((folder.relative_to(top), _absolute(folder)))
        return
    if (st.st_dev, st.st_ino) in seen or any(real.is_relative_to(s) for s in skipped):
        return
    seen.add((st.st_dev, st.st_ino))
    try:
        with os.scandir(folder) as it:
            entries = [(e.name, _is_dir(e)) for e in it if not e.name.startswith(".")]
    except OSError:
        out.append((folder.relative_to(top), real))  # its reject says why
        return
    for name, is_dir in entries:
        child = folder / name
        if is_dir:
            _walk(top, child, skipped, seen, out)
        else:
            where = _absolute(child)
            if not any(where.is_relative_to(s) for s in skipped):
                out.append((child.relative_to(top), where))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether an entry is a folder or a link to one (no stat call but for links)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


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
