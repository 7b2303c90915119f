"""The output folder: staged batch parts, versions published atomically, one writer at a time.

Layout of ``DIR`` (what readers use is the top level; ``.nl-entities/`` is ours)::

    DIR/articles -> current/articles      one Parquet dataset folder per table
    DIR/manifest.json -> current/manifest.json
    DIR/current -> .nl-entities/versions/<run id>
    DIR/.nl-entities/versions/<run id>/articles/part-<content hash>.parquet
    DIR/.nl-entities/versions/<run id>/.batch/mentions/   the batches' mentions (within-article ids)
    DIR/.nl-entities/.../<run id>/.corrections.csv        the analyst's corrections it was resolved with
    DIR/.nl-entities/lock                 held (flock) while a run writes
    DIR/.nl-entities/staging/<settings>/<batch key>/   finished batches of an unpublished run

Why this shape: a batch's parts are written aside and renamed into place, so a killed run
leaves only whole batches, which the next run with the same settings reuses instead of
redoing. A run publishes by building a new version folder (hard links to the previous
version's files, plus its own) and swapping one symlink, so readers see the old tables or
the new ones, never a mix. Mentions are the one batch table rewritten at publish (their
entity_id is resolved across the archive): their batch parts are carried in ``.batch/`` and
each version writes its own ``mentions/``, so the previous version's stays whole for its
readers. The flock dies with its process, so SIGKILL leaves no stale lock.

File names: a file is named by a hash of its bytes (``part-<hash>.parquet``), so one name in
a table folder always means one content, in every version. A reader that listed
``DIR/<table>`` and reads later (a pyarrow dataset kept in a notebook) resolves those names
in whatever version is current then: a file the new version carried is the very same file,
one it dropped (merged, filtered rejects, rewritten derived tables) is gone. So such a reader
gets its old rows or a FileNotFoundError, never other rows under an old name (which pyarrow,
holding the old footer, reads as a corrupt file). To keep reading one version across
publishes, open its folder (``os.path.realpath(DIR/<table>)``, as :mod:`pipeline.tables`
does): the version just replaced stays on disk through the next publish. The first publish
creates the table links before ``current``, so no reader ever sees ``current`` with a table
missing.

Compaction: every batch stages one small file per table; a publish never copies them as they
are. The batch tables (articles, tokens, rejects, mentions' batch parts) of a new version are
assembled by :func:`_assemble`: the previous version's files of at least half the target size
(:data:`TARGET_BYTES` or :data:`TARGET_ROWS`) are carried by hard link, this run's staged parts
are streamed, row group by row group, into new files of up to the target, and once more than
:data:`MAX_SMALL` files below half the target would remain, those are merged along. So a table
holds its full files plus at most :data:`MAX_SMALL` small ones, and a publish rewrites what is
new plus at most that many small files, never the whole archive. ``nl-entities compact``
merges every small file of the published version into a new version (``full=True``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .schemas import BATCH_TABLES, DERIVED_TABLES, REWRITTEN_TABLES, SCHEMAS, empty

META = ".nl-entities"
TABLES = (*BATCH_TABLES, *DERIVED_TABLES)
_PARQUET = {"compression": "zstd"}


class OutputLocked(Exception):
    """Another run is writing to the same output folder."""


class OutputError(Exception):
    """The output folder cannot be used (a usage error)."""


#: Characters DuckDB reads as a pattern in a path.
_GLOB_CHARS = frozenset("*?[]{}")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def parquet_sql(folder: Path, pattern: str = "*.parquet") -> str:
    """``read_parquet(...)`` of the files in ``folder`` matching ``pattern``, for DuckDB.

    Paths are quoted as SQL strings (a folder named ``o'brien`` works). Where the folder's own
    path holds glob characters (``archief[2024]``), the files are listed here and passed one
    by one, so DuckDB does not read the path as a pattern.
    """
    if _GLOB_CHARS & set(str(folder)):
        files = ", ".join(_sql_string(str(p)) for p in sorted(folder.glob(pattern)))
        return f"read_parquet([{files}])"
    return f"read_parquet({_sql_string(f'{folder}/{pattern}')})"


#: What os.link raises where a file system has no hard links (or not across these folders).
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def _link(src: Path, dst: Path) -> None:
    """A hard link (no copy, no extra disk), or a copy where the file system has none (SMB)."""
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        shutil.copyfile(src, dst)


def batch_dir(version: Path, name: str) -> Path:
    """Where a version keeps the batch parts of table ``name``: the table itself, or for a table
    rewritten at publish (mentions) its hidden ``.batch/`` copy, which readers never see."""
    return version / ".batch" / name if name in REWRITTEN_TABLES else version / name


def _carried(previous: Path, name: str) -> Path:
    """The previous version's batch parts of ``name`` (a version from before ``.batch/`` existed
    holds them in the table's own folder)."""
    folder = batch_dir(previous, name)
    return folder if folder.is_dir() else previous / name


def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file aside and rename it into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp, **_PARQUET)
    os.replace(tmp, path)


def settings_key(fingerprint: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:16]


class OutputDir:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.meta = self.root / META
        self.versions = self.meta / "versions"

    # -- one writer -------------------------------------------------------------------------
    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        for name in ("current", "manifest.json", *TABLES):
            path = self.root / name
            if path.exists() and not path.is_symlink():
                raise OutputError(f"{self.root} holds a '{name}' that nl-entities did not write; use another --out")
        self.versions.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.meta / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
                raise OutputLocked(
                    f"another nl-entities run (pid {holder}) is writing to {self.root}; wait for it to finish"
                ) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)

    # -- what is published ------------------------------------------------------------------
    def current(self) -> Path | None:
        link = self.root / "current"
        return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None

    def manifest(self) -> dict[str, Any] | None:
        cur = self.current()
        if cur is None:
            return None
        return json.loads((cur / "manifest.json").read_text(encoding="utf-8"))

    def published_articles(self) -> dict[str, str]:
        """article_id -> text_sha256 of the published articles."""
        cur = self.current()
        if cur is None:
            return {}
        out: dict[str, str] = {}
        for part in sorted((cur / "articles").glob("*.parquet")):
            table = pq.read_table(part, columns=["article_id", "text_sha256"])
            out.update(zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True))
        return out

    # -- staging ----------------------------------------------------------------------------
    def _staging_root(self) -> Path:
        return self.meta / "staging"

    def has_staging(self, key: str) -> bool:
        """Whether a run with these settings left staged batches (it was interrupted)."""
        return (self._staging_root() / key).is_dir()

    def staging(self, key: str) -> Path:
        """The staging folder for runs with these settings; others' leftovers are removed."""
        base = self._staging_root()
        base.mkdir(parents=True, exist_ok=True)
        for other in base.iterdir():
            if other.name != key:
                shutil.rmtree(other, ignore_errors=True)
        path = base / key
        path.mkdir(exist_ok=True)
        for leftover in path.glob(".*.tmp*"):
            shutil.rmtree(leftover, ignore_errors=True)
        return path

    # -- publish ----------------------------------------------------------------------------
    def publish(
        self,
        run_id: str,
        staging: Path | None,
        batch_keys: Iterable[str],
        keep_previous: bool,
        replaced_inputs: set[str],
        derive,
        manifest: dict[str, Any],
        full: bool = False,
    ) -> dict[str, Any]:
        """Build version ``run_id`` from the previous one and this run's batches, then swap it in.

        ``replaced_inputs``: inputs read by this run, whose earlier rejects this run's replace.
        ``derive(version_dir)`` writes the derived tables (and the rewritten ones, from their
        batch parts in :func:`batch_dir`) and returns what the manifest should add, or None.
        ``staging`` None: no new batches (``nl-entities resolve``, ``compact``). ``full``: merge
        every small file of the batch tables, not only once they pile up (``compact``).
        """
        for leftover in self.versions.glob("*.tmp"):
            shutil.rmtree(leftover, ignore_errors=True)
        new = self.versions / f"{run_id}.tmp"
        new.mkdir()
        previous = self.current() if keep_previous else None
        keys = list(batch_keys) if staging is not None else []
        for name in BATCH_TABLES:
            folder = batch_dir(new, name)
            folder.mkdir(parents=True)
            carried = _files(_carried(previous, name)) if previous is not None else []
            staged = [staging / key / f"{name}.parquet" for key in keys]
            drop = replaced_inputs if name == "rejects" else set()
            _assemble(name, folder, carried, [p for p in staged if p.exists()], drop, full)
        added = derive(new) or {}
        counts = {name: count_rows(new / name) for name in TABLES}
        manifest = {**manifest, **added, "row_counts": counts}
        (new / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        final = self.versions / run_id
        os.replace(new, final)
        _fsync_dir(self.versions)
        replaced = self.current()
        keep = {final.name, replaced.name if replaced else final.name}
        self._swap(final)
        # keep the version just replaced: a reader that opened it before the swap (tables.load)
        # can finish reading it. Its parts are hard links shared with the new one: little disk.
        for old in self.versions.iterdir():
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        return manifest

    def _swap(self, version: Path) -> None:
        """Point ``current`` at ``version``, the table links made first: on the first publish they
        dangle until ``current`` appears, so all tables appear at once, in one rename."""
        for name in (*TABLES, "manifest.json"):
            link = self.root / name
            if not link.is_symlink():
                link.symlink_to(Path("current") / name)
        tmp = self.root / ".current.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.path.relpath(version, self.root))
        os.replace(tmp, self.root / "current")
        _fsync_dir(self.root)


# -- files of a table: named by content, of a target size --------------------------------------

#: A published file closes at whichever it reaches first: bytes on disk or rows.
TARGET_BYTES = 128 * 2**20
TARGET_ROWS = 4_000_000
#: A table may keep this many files below half the target; past that they are merged.
MAX_SMALL = 4
#: A row group closes at whichever it reaches first (rows, or bytes in memory): bounds the
#: memory of merging however large the tables.
ROW_GROUP_ROWS = 128 * 1024
ROW_GROUP_BYTES = 64 * 2**20


def _files(folder: Path) -> list[Path]:
    """The Parquet files of a table folder, in name order (the order they are merged in)."""
    return sorted(folder.glob("*.parquet")) if folder.is_dir() else []


def _small(path: Path) -> bool:
    rows = pq.ParquetFile(path).metadata.num_rows
    return rows < TARGET_ROWS // 2 and path.stat().st_size < TARGET_BYTES // 2


def _seal(tmp: Path, folder: Path) -> Path:
    """Rename a finished file to ``part-<hash of its bytes>.parquet``: a name never means two
    contents. The same bytes twice in one table (rows repeated) get ``-2``, ``-3``, ..."""
    with tmp.open("rb") as f:
        digest = hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=8)).hexdigest()
    path, n = folder / f"part-{digest}.parquet", 1
    while path.exists():
        n += 1
        path = folder / f"part-{digest}-{n}.parquet"
    os.replace(tmp, path)
    return path


def _row_groups(batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> Iterator[pa.Table]:
    """Record batches regrouped into row groups of :data:`ROW_GROUP_ROWS` rows or
    :data:`ROW_GROUP_BYTES` bytes, cast to ``schema`` (DuckDB's result types may differ)."""
    held: list[pa.RecordBatch] = []
    rows = size = 0
    for batch in batches:
        if not batch.num_rows:
            continue
        held.append(batch)
        rows, size = rows + batch.num_rows, size + batch.nbytes
        if rows >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
            yield _cast(held, schema)
            held, rows, size = [], 0, 0
    if held:
        yield _cast(held, schema)


def _cast(batches: list[pa.RecordBatch], schema: pa.Schema) -> pa.Table:
    """One table of ``schema`` from batches of several sources (files, a DuckDB result)."""
    return pa.Table.from_batches([b if b.schema.equals(schema) else b.cast(schema) for b in batches], schema)


def write_parts(batches: Iterable[pa.RecordBatch], name: str, folder: Path, empty_file: bool = True) -> list[Path]:
    """Stream ``batches`` of table ``name`` into files of up to the target size in ``folder``,
    each written aside and named by its content (:func:`_seal`). Memory: one row group.
    ``empty_file``: write a file with no rows where there were none, so readers find the schema.
    """
    schema = SCHEMAS[name]
    written: list[Path] = []
    sink = writer = tmp = None
    rows = 0
    for group in _row_groups(batches, schema):
        if writer is None:
            tmp = folder / f".part-{os.getpid()}-{len(written)}.tmp"
            sink = pa.OSFile(str(tmp), "wb")
            writer = pq.ParquetWriter(sink, schema, **_PARQUET)
            rows = 0
        writer.write_table(group, row_group_size=group.num_rows)
        rows += group.num_rows
        if rows >= TARGET_ROWS or sink.tell() >= TARGET_BYTES:
            writer.close()
            sink.close()
            written.append(_seal(tmp, folder))
            writer = None
    if writer is not None:
        writer.close()
        sink.close()
        written.append(_seal(tmp, folder))
    if not written and empty_file:
        tmp = folder / f".part-{os.getpid()}-empty.tmp"
        pq.write_table(empty(name), tmp, **_PARQUET)
        written.append(_seal(tmp, folder))
    return written


def _read(path: Path, drop_inputs: set[str], skip: Counter | None = None) -> Iterator[pa.RecordBatch]:
    """A file's rows as record batches, without the rejects of ``drop_inputs`` and without the
    rows of ``skip`` (as many times as it counts them, which it then forgets)."""
    dropped = pa.array(sorted(drop_inputs), pa.string())
    for batch in pq.ParquetFile(path).iter_batches(batch_size=8192):
        if drop_inputs:
            batch = batch.filter(pc.invert(pc.is_in(batch["input"], dropped)))
        if skip:
            keep = []
            for row in _rows(batch):
                keep.append(skip[row] <= 0)
                if skip[row] > 0:
                    skip[row] -= 1
            batch = batch.filter(pa.array(keep, pa.bool_()))
        yield batch


def _rows(batch: pa.RecordBatch) -> Iterator[tuple]:
    return zip(*(column.to_pylist() for column in batch.columns), strict=True)


def _rejects_of(paths: Iterable[Path], inputs: set[str] | None = None) -> Counter:
    """The rows of rejects files (those of ``inputs`` only, if given), counted."""
    wanted = pa.array(sorted(inputs or ()), pa.string())
    rows: Counter = Counter()
    for path in paths:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=65536):
            rows.update(_rows(batch.filter(pc.is_in(batch["input"], wanted)) if inputs is not None else batch))
    return rows


def _replaced_rejects(carried: list[Path], staged: list[Path], inputs: set[str]) -> tuple[list[Path], Counter]:
    """Which carried rejects files must be rewritten without the rejects of ``inputs`` (read
    again by this run): those whose rows of these inputs this run did not reject again, the
    same. The others stay as they are (a re-run of the same input changes no rejects file),
    and the staged copies of their rows are skipped: returned, counted."""
    again = _rejects_of(staged)
    rewrite, skip = [], Counter()
    for path in carried:
        before = _rejects_of([path], inputs)
        if before and before <= again:
            again -= before
            skip += before
        elif before:
            rewrite.append(path)
    return rewrite, skip


def _assemble(
    name: str, folder: Path, carried: list[Path], staged: list[Path], drop_inputs: set[str], full: bool
) -> None:
    """Table ``name`` of a new version in ``folder``: the previous version's files (``carried``)
    and this run's staged parts, compacted.

    Full-size carried files are hard-linked (same name, same bytes); staged parts, carried
    rejects files holding other rejects of ``drop_inputs`` than this run's (filtered out: see
    :func:`_replaced_rejects`) and, once more than :data:`MAX_SMALL` would remain or when
    ``full``, the small carried files are streamed into new files of up to the target size.
    With nothing new and nothing to filter, every file is carried as it is.
    """
    carried = [p for p in carried if pq.ParquetFile(p).metadata.num_rows]  # an empty file: rewritten if needed
    rewrite, skip = _replaced_rejects(carried, staged, drop_inputs) if drop_inputs else ([], Counter())
    carried = [p for p in carried if p not in rewrite]
    small = [p for p in carried if _small(p)]
    merge = [*rewrite, *staged]
    if len(small) + bool(merge) > (1 if full else MAX_SMALL):  # full: down to one small file
        merge = [*small, *merge]
        carried = [p for p in carried if p not in small]
    for part in carried:
        _link(part, folder / part.name)
    if merge:
        batches = (
            b for p in merge for b in _read(p, drop_inputs if p in rewrite else set(), skip if p in staged else None)
        )
        write_parts(batches, name, folder, False)
    if not any(folder.glob("*.parquet")):
        write_parts((), name, folder)  # the same bytes as the previous version's: the same name


def count_rows(folder: Path) -> int:
    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.glob("*.parquet"))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_batch(staging: Path, key: str, tables: dict[str, pa.Table | Path]) -> None:
    """Write one batch's tables aside, then rename the folder into place: all or nothing.

    A table given as a Path is a Parquet file the worker wrote part by part (a long article's
    tokens, :class:`pipeline.worker.TokenWriter`): it is moved in, not read.
    """
    tmp = staging / f".{key}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for name, table in tables.items():
        if isinstance(table, Path):
            assert pq.read_schema(table).equals(SCHEMAS[name]), name
            os.replace(table, tmp / f"{name}.parquet")
            continue
        assert table.schema.equals(SCHEMAS[name]), name
        pq.write_table(table, tmp / f"{name}.parquet", **_PARQUET)
    final = staging / key
    if final.exists():  # another worker finished the same batch (a retried task): keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
        return
    os.replace(tmp, final)


def part_writer(path: Path, name: str) -> pq.ParquetWriter:
    """A writer of table ``name``'s staged part, row group by row group, as write_batch writes it."""
    return pq.ParquetWriter(path, SCHEMAS[name], **_PARQUET)


def batch_done(staging: Path, key: str) -> bool:
    return (staging / key).is_dir()
