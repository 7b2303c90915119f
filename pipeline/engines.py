"""Engines run :func:`pipeline.worker.process_batch` over a stream of batches.

An engine is started first thing in a run, so the model loads while the run is still opening
its inputs and reading its first batches. Both engines keep a bounded number of batches in
flight (memory stays flat however large the input) and yield results as they finish. The
model is loaded once per worker process and kept in :func:`pipeline.nlp.get_nlp`'s cache; the
local engine loads it once in all, in the fork server its workers are forked from. This module
imports neither spaCy nor the model.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import forkserver
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa
import pyarrow.parquet as pq

from . import schemas
from .batches import Batch, BatchResult
from .models import ModelError, NlpSettings
from .records import Article, Reject
from .registry import Registry
from .schemas import BATCH_TABLES
from .store import write_batch

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # dask is imported only by a run that uses it
    from distributed import Security

#: glibc malloc settings for worker processes, read when a process starts. Profiling showed the
#: model's large matrix buffers being mapped and unmapped for every batch (page faults: ~10% of
#: a worker's time, see docs/benchmarks.md); these keep freed memory in the worker's heap.
WORKER_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(1 << 30),
    "MALLOC_TRIM_THRESHOLD_": str(1 << 32),
    "MALLOC_TOP_PAD_": str(1 << 28),
}
#: The model the local engine's fork server loads before forking workers (pipeline.preload).
PRELOAD_ENV = "NL_ENTITIES_PRELOAD"


@dataclass
class EngineOptions:
    workers: int
    scheduler: str | None = None  # dask only: address of an existing scheduler
    security: Security | None = None  # dask only: the client's distributed.Security for a tls:// scheduler


class Engine(Protocol):
    def run(self, batches: Iterable[Batch], staging: str) -> Iterator[BatchResult]: ...

    def close(self) -> None: ...


ENGINES: Registry[type] = Registry()


@contextlib.contextmanager
def started(name: str, settings: NlpSettings, opts: EngineOptions) -> Iterator[Engine]:
    engine = ENGINES[name](settings, opts)
    try:
        yield engine
    finally:
        engine.close()


@contextlib.contextmanager
def _environ(extra: dict[str, str], replace: bool = False) -> Iterator[None]:
    """``extra`` in the environment of processes started inside; values the user set are kept
    unless ``replace``."""
    before = {k: os.environ.get(k) for k in extra}
    added = {k: v for k, v in extra.items() if replace or k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for k in added:
            if before[k] is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = before[k]


def _context() -> multiprocessing.context.BaseContext:
    """A fork server that imports the worker code and loads the model once (:mod:`pipeline.preload`);
    workers fork from it with both in memory. Spawned workers where there is no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["pipeline.preload"])
    return ctx


_load_error: str | None = None  # why this worker process could not load the model


def _warm(settings: NlpSettings) -> str | None:
    """Load the model in this worker; the reason it failed, if it did.

    A failure is returned, not raised: raised in a pool's initializer it would break the pool
    and reach the user as a dead worker instead of as the model's own error.
    """
    global _load_error
    try:
        from .nlp import get_nlp

        get_nlp(settings)
        _load_error = None
    except Exception as exc:
        _load_error = f"{type(exc).__name__}: {exc}"
    return _load_error


def _check_loaded(name: str, errors: Iterable[str | None]) -> None:
    for error in errors:
        if error:
            raise ModelError(f"model {name} could not be loaded: {error}")


def process_batch(batch: Batch, settings: NlpSettings, staging: str) -> BatchResult:
    """The task: imported in the worker, so this process never loads spaCy."""
    from .worker import process_batch

    return process_batch(batch, settings, staging)


def _ready() -> str | None:
    """Submitting one per worker makes the pool start them all at once; says if the model failed."""
    return _load_error


def _how_it_died(processes: Iterable[multiprocessing.process.BaseProcess]) -> str:
    """How a pool's worker ended, from the exit codes of its processes (the pool terminates the
    others with SIGTERM once one has died)."""
    codes = [p.exitcode for p in processes if p.exitcode not in (None, 0, -signal.SIGTERM)]
    if not codes:
        return "it ended without saying how"
    code = codes[0]
    if code < 0:
        name = signal.Signals(-code).name
        return f"killed by {name}" + (", as the out-of-memory killer does" if -code == signal.SIGKILL else "")
    return f"exit code {code}"


def worker_died(article: Article, how: str) -> Reject:
    """The reject for an article that killed the worker processing it, alone, after retries."""
    return Reject(
        article.input,
        article.record,
        "worker_died",
        f"the worker process died on this article, processed alone after its batch had ({how}); "
        "most likely it ran out of memory",
        article.article_id,
    )


def split_batch(batch: Batch, staging: str, attempt: Callable[[Batch, str], BatchResult | str]) -> BatchResult:
    """Stage ``batch`` from its articles processed one at a time by ``attempt``: a batch that
    kills its worker costs only the articles that kill a worker on their own.

    ``attempt(sub_batch, folder)`` stages a one-article batch in ``folder`` and returns its
    result, or how its worker died. The parts are joined, in article order, into the batch's
    own tables under its own key, so a re-run finds it staged and publishes the same rows.
    """
    started_at = time.perf_counter()
    scratch = Path(staging) / f".{batch.key}.split.tmp"  # a leftover is removed by the next run
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    parts: dict[str, list[pa.Table]] = {name: [] for name in BATCH_TABLES}
    parts["rejects"].append(schemas.from_objects("rejects", batch.rejects))
    for i, article in enumerate(batch.articles):
        sub = Batch(f"{i:06d}", [article])
        result = attempt(sub, str(scratch))
        if isinstance(result, str):
            parts["rejects"].append(schemas.from_objects("rejects", [worker_died(article, result)]))
            continue
        for name in BATCH_TABLES:
            parts[name].append(pq.read_table(scratch / sub.key / f"{name}.parquet", schema=schemas.SCHEMAS[name]))
    tables = {name: pa.concat_tables(tables) if tables else schemas.empty(name) for name, tables in parts.items()}
    write_batch(Path(staging), batch.key, tables)
    shutil.rmtree(scratch, ignore_errors=True)
    return BatchResult(
        batch.key,
        articles=tables["articles"].num_rows,
        rejects=tables["rejects"].num_rows,
        tokens=tables["tokens"].num_rows,
        mentions=tables["mentions"].num_rows,
        seconds=time.perf_counter() - started_at,
    )


@ENGINES.register("local")
class LocalEngine:
    """N worker processes on this machine, forked from a server that has loaded the model once.

    A worker that dies (the out-of-memory killer, a crash in native code) breaks the whole
    pool: every batch in flight fails with it. Those batches are retried in a fresh pool; a
    batch in flight at a second death is retried alone, and one that kills its worker alone is
    split into its articles, each processed alone; an article that still kills its worker is a
    ``worker_died`` reject. Forking a fresh pool is cheap: the fork server holds the model.
    """

    def __init__(self, settings: NlpSettings, opts: EngineOptions) -> None:
        self.settings, self.workers = settings, opts.workers
        self.warming: set[Future] = set()
        self.ctx = _context()
        self.deaths: dict[str, int] = {}  # batch key -> worker deaths it was in flight for
        # the fork server and spawned workers read the environment when they start, so both start
        # inside this block
        with _environ(WORKER_ENV), _environ({PRELOAD_ENV: settings.to_json()}, replace=True):
            self.pool = self._pool(opts.workers)
            if self.ctx.get_start_method() == "forkserver":
                forkserver.ensure_running()
        # Starting a worker waits until the fork server has loaded the model (seconds). Wait in a
        # thread: the run reads and normalises its first batches meanwhile.
        self.starting = threading.Thread(target=self._start_workers, name="start-workers", daemon=True)
        self.starting.start()

    def _pool(self, size: int) -> ProcessPoolExecutor:
        self.size = size
        return ProcessPoolExecutor(max_workers=size, mp_context=self.ctx, initializer=_warm, initargs=(self.settings,))

    def _start_workers(self) -> None:
        # one no-op task per worker makes the pool start them all now; an error surfaces in run()
        with contextlib.suppress(Exception):
            self.warming = {self.pool.submit(_ready) for _ in range(self.workers)}

    def _workers(self) -> list[multiprocessing.process.BaseProcess]:
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def _renew(self, size: int, seen: Iterable[multiprocessing.process.BaseProcess] = ()) -> str:
        """End the pool (broken or not) and start one of ``size`` workers; says how a dead
        worker of the old pool died. ``seen``: its workers as seen while they ran (a broken
        pool may have let go of them by now, and how one died goes into a reject, which must
        read the same in every run)."""
        processes = list(dict.fromkeys([*seen, *self._workers()]))
        self._end_pool()
        for process in processes:
            process.join(timeout=5)  # a dead worker's exit code is known once it is reaped
        how = _how_it_died(processes)
        self.pool = self._pool(size)
        return how

    def _submit(self, batch: Batch, staging: str) -> Future:
        return self.pool.submit(process_batch, batch, self.settings, staging)

    def _alone(self, batch: Batch, staging: str) -> BatchResult | str:
        """``batch`` processed with no other in flight, in a pool of one: its result, or how
        the worker died."""
        if self.size != 1:
            self._renew(1)
        future = self._submit(batch, staging)
        worker = self._workers()  # started by the submit
        try:
            return future.result()
        except BrokenProcessPool:
            return self._renew(1, worker)

    def _isolated(self, batch: Batch, staging: str) -> BatchResult:
        """A batch that was in flight at two worker deaths: alone, then article by article."""
        result = self._alone(batch, staging)
        if isinstance(result, BatchResult):
            return result
        log.warning(
            "a worker died on batch %s alone (%s); its %d articles are retried one at a time",
            batch.key,
            result,
            len(batch.articles),
        )
        return split_batch(batch, staging, self._alone)

    def run(self, batches: Iterable[Batch], staging: str) -> Iterator[BatchResult]:
        in_flight = max(2, 2 * self.workers)
        batches = iter(batches)
        ahead: deque[Batch] = deque()
        while self.starting.is_alive() and len(ahead) < in_flight and (batch := next(batches, None)) is not None:
            ahead.append(batch)
        self.starting.join()
        _check_loaded(self.settings.model.name, (f.result() for f in self.warming))
        retry, isolate = ahead, deque()  # retried batches go first
        pending: dict[Future, Batch] = {}
        while True:
            if isolate and not pending:
                yield self._isolated(isolate.popleft(), staging)
                continue
            if self.size != self.workers:
                self._renew(self.workers)
            while not isolate and len(pending) < in_flight:
                batch = retry.popleft() if retry else next(batches, None)
                if batch is None:
                    break
                pending[self._submit(batch, staging)] = batch
            if not pending:
                if isolate:
                    continue
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            if not any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                for f in done:
                    del pending[f]
                    if (result := f.result()) is not None:
                        yield result
                continue
            # a worker died: the pool has failed every batch not finished, and is done for
            wait(pending)
            lost = []
            for f, batch in pending.items():
                if isinstance(f.exception(), BrokenProcessPool):
                    lost.append(batch)
                elif (result := f.result()) is not None:
                    yield result
            pending.clear()
            for batch in lost:
                self.deaths[batch.key] = self.deaths.get(batch.key, 0) + 1
                (isolate if self.deaths[batch.key] > 1 else retry).append(batch)
            how = self._renew(1 if isolate else self.workers)  # isolated batches run in a pool of one
            log.warning("a worker process died (%s); %d batches in flight are retried", how, len(lost))

    def _end_pool(self) -> None:
        # workers hold nothing unsaved once their batches are staged: end them, don't wait for
        # each to tear down its model
        workers = self._workers()
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(timeout=5)

    def close(self) -> None:
        self.starting.join()
        self._end_pool()


class EngineError(Exception):
    """The engine cannot start with the options given (a Dask scheduler's address or TLS settings):
    reported in one line as a usage error (exit 2), not as a crash."""


def dask_security(scheduler: str | None, path: Path | None) -> Security | None:
    """The client's ``distributed.Security`` for ``scheduler``: None where Dask's own defaults apply.

    Anyone who reaches a Dask scheduler runs code on every worker, so a cluster beyond one
    machine should listen on ``tls://`` with certificates. ``path`` is a YAML file of Dask config
    (``distributed: comm: tls: ...``, the format of Dask's own config files), merged over Dask's
    config; without it ``Client`` takes the certificates from Dask's config
    (``distributed.comm.tls.*``, ``~/.config/dask/``, ``DASK_*`` variables) or its security
    loader. The checks here turn what would surface later as a timeout or a traceback into one
    line before the run starts. Messages name files and settings, never their contents.
    """
    tls = bool(scheduler) and scheduler.startswith("tls://")
    if path is None and not tls:
        return None
    import dask
    from distributed import Security

    if path is not None and not tls:
        raise EngineError(
            f"--security {path} holds TLS settings for a tls:// scheduler: give --scheduler tls://HOST:PORT"
        )
    if path is None:
        if dask.config.get("distributed.client.security-loader", None):
            return None  # Client calls the loader the user configured
        security, where = Security(), "Dask's config (distributed.comm.tls.*)"
    else:
        security, where = _security_from_file(path), f"--security {path}"
    if not (security.tls_ca_file and security.tls_client_cert):
        raise EngineError(
            f"--scheduler {scheduler} needs TLS certificates: {where} gives no "
            "distributed.comm.tls.ca-file and distributed.comm.tls.client.cert; see docs/scale-out.md"
        )
    files = {
        "ca-file": security.tls_ca_file,
        "client.cert": security.tls_client_cert,
        "client.key": security.tls_client_key,
    }
    for name, file in files.items():  # a path, or PEM text (distributed.Security.temporary)
        if file and "\n" not in file and not os.path.isfile(file):
            raise EngineError(f"{where}: distributed.comm.tls.{name} {file}: no such file")
    try:
        security.get_connection_args("client")  # reads the files: an unreadable file or a wrong key fails here
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        raise EngineError(f"{where}: the TLS certificates cannot be loaded: {type(exc).__name__}: {exc}") from None
    return security


def _security_from_file(path: Path) -> Security:
    import dask
    import yaml
    from distributed import Security

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EngineError(f"--security {path}: cannot be read ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "parse error"
        raise EngineError(f"--security {path}: not YAML{where}: {problem}") from None
    if not isinstance(data, dict) or not isinstance(data.get("distributed"), dict):
        raise EngineError(
            f"--security {path}: expected a YAML file of Dask config, distributed: comm: tls: ... "
            "(see docs/scale-out.md)"
        )
    # the file's settings over Dask's config, as if it were one more Dask config file; a file
    # that does not say otherwise requires encryption for every connection the client makes
    defaults = {"distributed": {"comm": {"require-encryption": True}}}
    merged = dask.config.merge(dask.config.config, defaults, data)
    try:
        with dask.config.set(merged):
            return Security()
    except (TypeError, ValueError) as exc:
        raise EngineError(f"--security {path}: {exc}") from None


@ENGINES.register("dask")
class DaskEngine:
    """Dask distributed: a local cluster of N worker processes, or the cluster at ``scheduler``.

    Workers write their parts to the staging folder themselves, so the output folder must be
    on storage every worker sees (see docs/scale-out.md).
    """

    def __init__(self, settings: NlpSettings, opts: EngineOptions) -> None:
        import dask
        from dask.distributed import Client, LocalCluster

        self.settings, self.cluster = settings, None
        if opts.scheduler:
            try:
                self.client = Client(opts.scheduler, security=opts.security)
            except OSError as exc:  # refused, unknown certificate, plain tcp:// to a tls:// scheduler
                raise EngineError(
                    f"cannot connect to the Dask scheduler at {opts.scheduler}: {exc} (a scheduler with TLS "
                    "takes tls://HOST:PORT and its certificates, see docs/scale-out.md)"
                ) from None
        else:
            environ = {**dask.config.get("distributed.nanny.pre-spawn-environ", {}), **WORKER_ENV}
            with dask.config.set({"distributed.nanny.pre-spawn-environ": environ}):
                # 127.0.0.1 is LocalCluster's default, stated: whoever reaches a scheduler runs code
                # on its workers, so the run's own cluster listens on this machine only
                self.cluster = LocalCluster(
                    n_workers=opts.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            self.client = Client(self.cluster)
        addresses = list(self.client.scheduler_info().get("workers", {}))
        self.workers = max(1, len(addresses))
        # load the model on every worker now, while the run reads its first batch
        self.warming = [
            self.client.submit(_warm, settings, workers=[a], allow_other_workers=False, pure=False) for a in addresses
        ]

    def run(self, batches: Iterable[Batch], staging: str) -> Iterator[BatchResult]:
        from dask.distributed import as_completed

        in_flight = max(2, 2 * self.workers)
        _check_loaded(self.settings.model.name, self.client.gather(self.warming))
        futures = as_completed()
        count, batch_of = 0, {}
        for batch in batches:
            fut = self.client.submit(process_batch, batch, self.settings, staging, key=f"batch-{batch.key}", retries=1)
            batch_of[fut.key] = batch
            futures.add(fut)
            count += 1
            if count >= in_flight:
                fut = next(futures)
                count -= 1
                yield self._result(fut, batch_of.pop(fut.key), staging)
        for fut in futures:
            yield self._result(fut, batch_of.pop(fut.key), staging)

    def _result(self, fut, batch: Batch, staging: str) -> BatchResult:
        """The batch's result; a batch whose task killed its worker each time it was retried
        (KilledWorker) is split into its articles, as the local engine does."""
        from dask.distributed import KilledWorker

        try:
            return fut.result()
        except KilledWorker:
            log.warning("batch %s killed its Dask workers; its articles are retried one at a time", batch.key)
            return split_batch(batch, staging, lambda sub, folder: self._alone(batch.key, sub, folder))
        finally:
            fut.release()

    def _alone(self, key: str, sub: Batch, folder: str) -> BatchResult | str:
        from dask.distributed import KilledWorker

        fut = self.client.submit(process_batch, sub, self.settings, folder, key=f"batch-{key}-{sub.key}")
        try:
            return fut.result()
        except KilledWorker:
            return "its Dask worker died each time the task was tried"
        finally:
            fut.release()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
