"""Engines run :func:`pipeline.batches.process_batch` over a stream of batches.

Both keep a bounded number of batches in flight (memory stays flat however large the input)
and yield results as they finish. The model is loaded once per worker process: the local
engine's workers and Dask's workers each keep it in :func:`pipeline.nlp.get_nlp`'s cache.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass

from .batches import Batch, BatchResult, process_batch
from .nlp import NlpSettings, get_nlp
from .registry import Registry


@dataclass
class EngineOptions:
    workers: int
    scheduler: str | None = None  # dask only: address of an existing scheduler


Engine = Callable[[Iterable[Batch], NlpSettings, str, EngineOptions], Iterator[BatchResult]]
ENGINES: Registry[Engine] = Registry()


def _warm(settings: NlpSettings) -> None:
    get_nlp(settings)


def _ready() -> None:
    """A no-op task: submitting one per worker makes the pool start them all at once."""


@ENGINES.register("local")
def run_local(batches: Iterable[Batch], settings: NlpSettings, staging: str, opts: EngineOptions):
    """N worker processes on this machine (spawned: no state inherited from the parent)."""
    ctx = multiprocessing.get_context("spawn")
    in_flight = max(2, 2 * opts.workers)
    with ProcessPoolExecutor(max_workers=opts.workers, mp_context=ctx, initializer=_warm, initargs=(settings,)) as pool:
        # start every worker now: they load the model while this process reads the first batch
        pending = {pool.submit(_ready) for _ in range(opts.workers)}
        for batch in batches:
            pending.add(pool.submit(process_batch, batch, settings, staging))
            if len(pending) >= in_flight:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    result = fut.result()
                    if result is not None:
                        yield result
        for fut in pending:
            result = fut.result()
            if result is not None:
                yield result


@ENGINES.register("dask")
def run_dask(batches: Iterable[Batch], settings: NlpSettings, staging: str, opts: EngineOptions):
    """Dask distributed: a local cluster of N worker processes, or the cluster at ``scheduler``.

    Workers write their parts to ``staging`` themselves, so the output folder must be on
    storage every worker sees (see docs/scale-out.md).
    """
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if opts.scheduler:
        client = Client(opts.scheduler)
    else:
        cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        in_flight = max(2, 2 * max(1, len(client.scheduler_info().get("workers", {})) or opts.workers))
        futures = as_completed()
        count = 0
        for batch in batches:
            futures.add(client.submit(process_batch, batch, settings, staging, key=f"batch-{batch.key}", retries=1))
            count += 1
            if count >= in_flight:
                fut = next(futures)
                count -= 1
                yield fut.result()
                fut.release()
        for fut in futures:
            yield fut.result()
            fut.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
