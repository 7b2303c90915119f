"""How a source becomes records: containers unwrap it, a format's reader reads it.

Two registries, filled where each kind is defined, so a new format or a new archive type is a
new module, not another branch here:

- ``READERS``: format suffix -> reader of records (``.jsonl``, ``.csv``, ``.xlsx``, ...);
- ``CONTAINERS``: suffix -> a function giving the sources inside (``.gz`` gives one, ``.zip``
  one per member). Compressed streams are also known by their magic bytes, whatever the name.

Whatever a reader or container raises for one file is that file's reject (``unreadable_file``,
with the error's class and message), never the end of the run: the records it gave before
stand, and the reject counts as one more record of the input, so records = articles +
already published + rejects holds for it too. A file that changes while it is read gives an
``input_changed`` reject as well (:func:`inputs`).

Every record a reader yields passes :func:`finish`: column names become the pipeline's field
names (:mod:`.fields`) and the published value a date (:mod:`.dates`), so no reader repeats
either.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..records import BadId, Record, Reject, id_text
from ..registry import Registry
from .dates import parse_date
from .fields import FieldMap
from .sources import InputStats, Source, changed, display_name, snapshot, unreadable

Item = Record | Reject
Reader = Callable[[Source, InputStats, FieldMap], Iterator[Item]]
Counter = Callable[[Source, FieldMap], int]
READERS: Registry[Reader] = Registry()
#: Readers' own exact record counts where that is much cheaper than reading (progress totals).
COUNTERS: Registry[Counter] = Registry()
CONTAINERS: Registry[Callable[[Source], Iterator[Source | Failed]]] = Registry()
#: (magic bytes, container suffix): a compressed stream is unwrapped whatever its name says.
MAGIC: list[tuple[bytes, str]] = []
#: What a reader may raise for one file, caught where one file's reading ends: any error.
#: Deliberately broad: the libraries under the readers (pyarrow, openpyxl, lxml, zipfile) raise
#: many types for damaged input (ArrowInvalid, NotImplementedError for an unknown zip method,
#: KeyError from a package missing a part), and one bad file must not end an archive's run.
READ_ERRORS = (Exception,)
MAX_DEPTH = 4  # archives inside archives inside ...: deeper is refused, not followed
_EXAMPLES = 3


@dataclass
class Failed:
    """A member that a container can name but not hand over (encrypted, too large to stream)."""

    name: str
    reason: str
    detail: str


@dataclass
class Input:
    """One input of the manifest (a file or an archive member) and its records, to be read in turn.

    ``items`` streams from the open file or archive: read it before asking for the next input.
    """

    stats: InputStats
    items: Iterator[Item]
    source: Source | None = None


def describe(exc: BaseException) -> str:
    """A reader's error as one line for a reject's detail."""
    if isinstance(exc, EOFError):
        return f"the compressed stream ends early (truncated file?): {exc}"
    if isinstance(exc, zipfile.BadZipFile | zlib.error):
        return f"corrupt zip data: {exc}"
    return f"{type(exc).__name__}: {exc}"


def inputs(path: Path, fields: FieldMap) -> Iterator[Input]:
    """Every input in one file: the file itself, or each member of an archive, in archive order.

    What is not a regular file is one reject, never opened. A file that changed between the
    start and the end of reading it (its size, modification time or inode) gets one more input
    of its name: an ``input_changed`` reject, with ``stats.changed`` saying what changed, so
    its manifest entry says so and its sha256 (of which bytes?) is left empty. Read each
    input's ``items`` before asking for the next: the file is looked at again after the last.
    """
    if (problem := unreadable(path)) is not None:
        yield failed(display_name(path), *problem)
        return
    before = snapshot(path)
    yield from _inputs(Source.file(path), fields)
    if what := changed(before, snapshot(path)):
        name = display_name(path)
        detail = f"{what} while it was read: its records are as read then; run again to read it whole"
        inp = failed(name, "input_changed", detail)
        inp.stats.changed = what
        yield inp


def container_for(source: Source) -> Callable[[Source], Iterator[Source | Failed]] | None:
    if source.suffix in CONTAINERS:
        return CONTAINERS[source.suffix]
    head = source.head(8)
    for magic, suffix in MAGIC:
        if head.startswith(magic):
            return CONTAINERS[suffix]
    return None


def _inputs(source: Source, fields: FieldMap) -> Iterator[Input]:
    try:
        container = container_for(source)
    except READ_ERRORS as exc:
        yield failed(source.name, "unreadable_file", f"cannot be opened: {describe(exc)}", source)
        return
    if container is None:
        stats = InputStats(source.name)
        yield Input(stats, _items(source, stats, fields), source)
        return
    if source.depth >= MAX_DEPTH:
        yield failed(
            source.name, "unsupported_format", f"archives nested more than {MAX_DEPTH} deep are not read", source
        )
        return
    try:
        for inner in container(source):
            if isinstance(inner, Failed):  # the archive itself, or one member of it
                yield failed(inner.name, inner.reason, inner.detail, source if inner.name == source.name else None)
            else:
                yield from _inputs(inner, fields)
    except READ_ERRORS as exc:
        yield failed(
            source.name, "unreadable_file", f"the archive cannot be read on from here: {describe(exc)}", source
        )


def failed(name: str, reason: str, detail: str, source: Source | None = None) -> Input:
    """An input that is one reject as a whole (hashed when its bytes can be read)."""
    stats = InputStats(name, records=1)
    if source is not None:
        _hash(source, stats)
    return Input(stats, iter([Reject(name, "file", reason, detail)]))


def _items(source: Source, stats: InputStats, fields: FieldMap) -> Iterator[Item]:
    reader = READERS.get(source.suffix)
    if reader is None:
        stats.records = 1
        _hash(source, stats)
        known = ", ".join(sorted({*READERS, *CONTAINERS}))
        yield Reject(source.name, "file", "unsupported_format", f"{source.suffix or 'no suffix'}: reads {known}")
        return
    given = 0
    try:
        for item in reader(source, stats, fields):
            yield finish(item, stats, fields) if isinstance(item, Record) else item
            given += 1
    except READ_ERRORS as exc:
        # what was given stands and the reject is one more: counted here, whatever the reader
        # had counted before it raised
        stats.records = given + 1
        read = f" (after {given} records, which stand)" if given else ""
        yield Reject(source.name, "file", "unreadable_file", describe(exc) + read)
    _hash(source, stats)


def _hash(source: Source, stats: InputStats) -> None:
    if source.digest:
        stats.sha256 = source.digest
    if not stats.sha256:
        try:
            stats.sha256 = source.sha256()
        except READ_ERRORS:
            stats.sha256 = ""


def finish(record: Record, stats: InputStats, fields: FieldMap) -> Item:
    """Map the record's columns to field names and read its date; no text column is a reject."""
    mapped = fields.apply(record.fields)
    if "text" not in mapped:
        try:
            given_id = id_text(mapped.get("id"))
        except BadId:
            given_id = None
        return Reject(record.input, record.record, "missing_text", fields.missing_text(record.fields), given_id)
    raw = mapped.get("published")
    if raw is not None and raw != "":
        when = parse_date(raw)
        if when is None:
            stats.unparsed_dates += 1
            if len(stats.unparsed_date_examples) < _EXAMPLES:
                stats.unparsed_date_examples.append(str(raw)[:60])
        mapped["published"] = when
    return Record(record.input, record.record, mapped)


def count(path: Path, fields: FieldMap) -> int:
    """The exact number of records in one file, for the progress bar's total.

    Formats with a cheap exact count (a JSONL's lines, a Parquet file's metadata) use it;
    others are read, since every item a reader yields is one record of the run's accounting.
    """
    n = 0
    for inp in inputs(path, fields):
        counter = COUNTERS.get(inp.source.suffix) if inp.source is not None else None
        if counter is not None:
            try:
                n += counter(inp.source, fields)
                continue
            except Exception:  # a broken file is read below, and counted as what it yields
                pass
        n += sum(1 for _ in inp.items)
    return n
