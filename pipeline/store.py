"""The output folder: staged batch parts, versions published atomically, one writer at a time.

Layout of ``DIR`` (what readers use is the top level; ``.nl-entities/`` is ours)::

    DIR/articles -> current/articles      one Parquet dataset folder per table
    DIR/manifest.json -> current/manifest.json
    DIR/current -> .nl-entities/versions/<run id>
    DIR/.nl-entities/versions/<run id>/.batch/mentions/   the batches' mentions (within-article ids)
    DIR/.nl-entities/.../<run id>/.corrections.csv        the analyst's corrections it was resolved with
    DIR/.nl-entities/lock                 held (flock) while a run writes
    DIR/.nl-entities/staging/<settings>/<batch key>/   finished batches of an unpublished run

Why this shape: a batch's parts are written aside and renamed into place, so a killed run
leaves only whole batches, which the next run with the same settings reuses instead of
redoing. A run publishes by building a new version folder (hard links to the previous
version's parts, plus its own) and swapping one symlink, so readers see the old tables or
the new ones, never a mix. Mentions are the one batch table rewritten at publish (their
entity_id is resolved across the archive): their batch parts are carried in ``.batch/`` and
each version writes its own ``mentions/``, so the previous version's stays whole for its
readers. The flock dies with its process, so SIGKILL leaves no stale lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
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
    ) -> dict[str, Any]:
        """Build version ``run_id`` from the previous one and this run's batches, then swap it in.

        ``replaced_inputs``: inputs read by this run, whose earlier rejects this run's replace.
        ``derive(version_dir)`` writes the derived tables (and the rewritten ones, from their
        batch parts in :func:`batch_dir`) and returns what the manifest should add, or None.
        ``staging`` None: no new batches (``nl-entities resolve``).
        """
        for leftover in self.versions.glob("*.tmp"):
            shutil.rmtree(leftover, ignore_errors=True)
        new = self.versions / f"{run_id}.tmp"
        new.mkdir()
        previous = self.current() if keep_previous else None
        keys = list(batch_keys)
        for name in BATCH_TABLES:
            folder = batch_dir(new, name)
            folder.mkdir(parents=True)
            if previous is not None:
                self._carry(_carried(previous, name), folder, name, replaced_inputs)
            for key in keys if staging is not None else ():
                part = staging / key / f"{name}.parquet"
                if part.exists() and pq.ParquetFile(part).metadata.num_rows:
                    _link(part, folder / f"part-{key}.parquet")
            if not any(folder.iterdir()):
                write_table(empty(name), folder / "part-empty.parquet")
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

    def _carry(self, src: Path, dst: Path, name: str, replaced_inputs: set[str]) -> None:
        """Bring the previous version's parts along: hard links, no copies (rejects filtered)."""
        for part in sorted(src.glob("*.parquet")):
            if part.name == "part-empty.parquet":
                continue
            if name == "rejects" and replaced_inputs:
                table = pq.read_table(part)
                keep = table.filter(pc.invert(pc.is_in(table["input"], pa.array(sorted(replaced_inputs)))))
                if keep.num_rows:
                    write_table(keep, dst / part.name)
                continue
            _link(part, dst / part.name)

    def _swap(self, version: Path) -> None:
        tmp = self.root / ".current.tmp"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(os.path.relpath(version, self.root))
        os.replace(tmp, self.root / "current")
        for name in (*TABLES, "manifest.json"):
            link = self.root / name
            if not link.is_symlink():
                link.symlink_to(Path("current") / name)
        _fsync_dir(self.root)


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
