"""Compressed files (``.gz``, ``.bz2``, ``.xz``, ``.zst``) around any format the pipeline reads.

Known by suffix (``archive.jsonl.gz`` is a JSONL file) and by magic bytes (a gzip file named
``archive.jsonl`` is one too). Decompressed as a stream, never whole: a second pass (text
readers check the encoding first) decompresses again, which costs time, not memory or disk.
The manifest's sha256 is of the compressed file, the one the user has.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from collections.abc import Callable, Iterator
from typing import BinaryIO

import zstandard

from .base import CONTAINERS, MAGIC, Failed
from .sources import Owning, Source


def _zstd(stream: BinaryIO) -> BinaryIO:
    reader = zstandard.ZstdDecompressor().stream_reader(stream, read_across_frames=True, closefd=True)
    return io.BufferedReader(reader)  # type: ignore[arg-type]  # a raw reader: buffered for text and peek


_CODECS: dict[str, Callable[[BinaryIO], BinaryIO]] = {
    ".gz": lambda s: Owning(gzip.GzipFile(fileobj=s, mode="rb"), s),
    ".bz2": lambda s: Owning(bz2.BZ2File(s, "rb"), s),
    ".xz": lambda s: Owning(lzma.LZMAFile(s, "rb"), s),  # noqa: SIM115 - Owning closes both
    ".zst": _zstd,
}
MAGIC.extend(
    [
        (b"\x1f\x8b", ".gz"),
        (b"BZh", ".bz2"),
        (b"\xfd7zXZ\x00", ".xz"),
        (b"\x28\xb5\x2f\xfd", ".zst"),
    ]
)
_TAR_SHORT = {".tgz": ".gz", ".tbz2": ".bz2", ".txz": ".xz", ".tzst": ".zst"}


def _codec_for(source: Source) -> tuple[str, str]:
    """(codec suffix, the kind name inside) for a compressed source."""
    name, suffix = source.kind_name, source.suffix
    if suffix in _TAR_SHORT:
        return _TAR_SHORT[suffix], name[: -len(suffix)] + ".tar"
    if suffix in _CODECS:
        return suffix, name[: -len(suffix)]
    head = source.head(8)
    codec = next(s for magic, s in MAGIC if head.startswith(magic))
    return codec, name  # named as if plain: the name inside is the name


@CONTAINERS.register(*_CODECS, *_TAR_SHORT)
def decompress(source: Source) -> Iterator[Source | Failed]:
    codec, inner = _codec_for(source)
    wrap = _CODECS[codec]
    if source.rewindable:

        def opener() -> BinaryIO:
            return wrap(source.open())

        digest = source.digest or source.sha256()
    else:
        stream = wrap(source.open())
        opener, digest = (lambda: stream), None
    # a one-pass outer stream gives a one-pass inner one
    yield Source(
        source.name,
        inner,
        opener,
        rewindable=source.rewindable,
        digest=digest,
        depth=source.depth + 1,
    )
