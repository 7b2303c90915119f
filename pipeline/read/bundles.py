"""Archives (``.zip``, ``.tar`` and compressed tars): members read as if they were files in a folder.

Each member is an input of its own, named ``archive.zip/folder/a.txt`` in rejects and the
manifest, in archive order; hidden members and macOS's ``__MACOSX`` folder are passed over,
as hidden files are in folders. Nothing is unpacked: a zip member is decompressed as it is
read (zips are read by seeking, so a second pass is cheap), a tar is read front to back in
one pass. A tar member up to ``TAR_MEMBER_IN_MEMORY`` bytes is held in memory while it is
read (one at a time), so every format reads it as usual; a larger one is decoded in one pass,
which the text formats can do and the formats read by seeking (Parquet, Excel, Word) cannot.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath

from .base import CONTAINERS, Failed
from .sources import Source, hidden, one_pass

TAR_MEMBER_IN_MEMORY = 64 << 20


def _member_name(archive: Source, name: str) -> str:
    return f"{archive.name}/{name.lstrip('/')}"


@CONTAINERS.register(".zip")
def read_zip(source: Source) -> Iterator[Source | Failed]:
    if not source.rewindable:
        yield Failed(source.name, "unreadable_file", "a zip is read by seeking; this one is in a stream")
        return
    with source.open() as f:
        try:
            archive = zipfile.ZipFile(f)
        except zipfile.BadZipFile as exc:
            yield Failed(source.name, "unreadable_file", f"not a readable zip archive: {exc}")
            return
        with archive:
            for info in archive.infolist():
                if info.is_dir() or hidden(PurePosixPath(info.filename).parts):
                    continue
                name = _member_name(source, info.filename)
                if info.flag_bits & 0x1:
                    yield Failed(name, "encrypted_file", "password-protected zip member: unzip it with its password")
                    continue
                yield Source(
                    name,
                    info.filename,
                    lambda info=info: archive.open(info),
                    depth=source.depth + 1,
                )


@CONTAINERS.register(".tar")
def read_tar(source: Source) -> Iterator[Source | Failed]:
    with source.open() as f, tarfile.open(fileobj=f, mode="r|") as archive:  # a stream: front to back, once
        for member in archive:
            if not member.isfile() or hidden(PurePosixPath(member.name).parts):
                continue
            name = _member_name(source, member.name)
            stream = archive.extractfile(member)
            if stream is None:
                continue
            if member.size <= TAR_MEMBER_IN_MEMORY:
                data = stream.read()
                yield Source(name, member.name, lambda data=data: io.BytesIO(data), depth=source.depth + 1)
            else:
                yield Source(name, member.name, one_pass(stream), rewindable=False, depth=source.depth + 1)
