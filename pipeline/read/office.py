"""What Word and Excel files have in common: a zip package, or else an OLE2 container.

An ``.xlsx`` or ``.docx`` saved with a password is not a zip at all but an encrypted OLE2
container (the same kind of file as an old ``.xls``/``.doc``). Knowing which gives the user a
reason they can act on instead of a library's "File is not a zip file".
"""

from __future__ import annotations

from .sources import Source

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")  # the stream every encrypted OOXML package holds
_SCAN = 4 << 20


def not_a_package(source: Source, kind: str) -> tuple[str, str] | None:
    """(reason, detail) when ``source`` is an OLE2 file instead of a zip package, else None."""
    if not source.head(8).startswith(_OLE2):
        return None
    seen, scanned = b"", 0
    with source.open() as f:
        while scanned < _SCAN and (chunk := f.read(1 << 16)):
            scanned += len(chunk)
            seen = seen[-64:] + chunk
            if _ENCRYPTED in seen:
                return "encrypted_file", f"password-protected {kind}: save it without a password and read it again"
    old = {".xlsx": ".xls", ".docx": ".doc"}.get(kind, "old Office")
    return "unreadable_file", f"an old binary Office file ({old}), not {kind}: save it as {kind}"


def unreadable_package(source: Source, kind: str) -> tuple[str, str] | None:
    """(reason, detail) when ``source`` cannot be read as an Office package at all: an OLE2 file
    (see :func:`not_a_package`), or a stream, since zip packages are read by seeking."""
    if (problem := not_a_package(source, kind)) is not None:
        return problem
    if not source.rewindable:
        return "unreadable_file", f"a {kind} file is read by seeking; this one is in a stream"
    return None
