"""One run, start to end: choose the model, stream batches to an engine, publish the tables.

This is the only module that touches every stage; each stage stays ignorant of the others.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import platform
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from . import __version__, entities
from .batches import Batch, BatchResult, InputTally, make_batches
from .engines import ENGINES, Engine, EngineError, EngineOptions, dask_security, started
from .models import GET_LG, TAGGERS, ModelRef, NlpSettings, advice, components, resolve_model
from .read import FieldError, FieldMap, count_records, discover, display_name
from .schemas import RULES_VERSION, SCHEMA_VERSION
from .store import OutputDir, batch_done, settings_key

log = logging.getLogger("nl-entities")


class UsageError(Exception):
    """Bad command-line use: reported in one line, exit code 2."""


@dataclass
class RunOptions:
    inputs: list[Path]
    out: Path
    model: str | None = None
    workers: int = os.cpu_count() or 1
    batch_size: int = 64
    batch_words: int = 20_000
    engine: str = "local"
    scheduler: str | None = None
    security: Path | None = None  # --security: Dask config YAML with the TLS certificates for a tls:// scheduler
    with_tags: bool = False
    chunk_chars: int | None = None
    progress: bool | None = None  # None: a bar on a terminal, log lines otherwise
    replace: bool = False  # rebuild tables made with other settings instead of refusing
    fields: list[str] = field(default_factory=list)  # --field NAME=COLUMN
    aliases: Path | None = None  # the analyst's corrections CSV (type,name,entity)


def _staged(staging: Path, batch: Batch) -> BatchResult:
    folder = staging / batch.key

    def rows(name: str) -> int:
        return pq.ParquetFile(folder / f"{name}.parquet").metadata.num_rows

    return BatchResult(
        batch.key,
        rows("articles"),
        rows("rejects"),
        rows("tokens"),
        rows("mentions"),
        skipped=True,
    )


class Progress:
    """Articles done, articles/s and ETA: a rich bar on a terminal, a log line every 10 s otherwise."""

    def __init__(self, total: int, enabled: bool | None) -> None:
        self.total, self.done, self.start, self.last = total, 0, time.monotonic(), 0.0
        self.bar = None
        if enabled if enabled is not None else sys.stderr.isatty():
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            self.bar = Bar(
                TextColumn("articles"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:.1f}/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                transient=False,
            )
            self.task = self.bar.add_task("run", total=total, rate=0.0)
            self.bar.start()

    def advance(self, n: int) -> None:
        self.done += n
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, rate=rate)
        elif time.monotonic() - self.last >= 10:
            self.last = time.monotonic()
            left = max(self.total - self.done, 0)
            eta = f"{left / rate:.0f}s" if rate > 0 else "?"
            log.info("%d/%d articles, %.1f articles/s, ETA %s", self.done, self.total, rate, eta)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done)
            self.bar.stop()


def read_corrections(path: Path | None):
    """The corrections file, checked before anything runs (a bad row is a usage error)."""
    if path is None:
        return None
    from .resolution.corrections import CorrectionsError, read

    if not path.is_file():
        raise UsageError(f"--aliases {path}: no such file")
    try:
        return read(path)
    except CorrectionsError as exc:
        raise UsageError(f"--aliases {exc}") from None


def _corrections_for(out: OutputDir, given):
    """The corrections to resolve with: the file given, else those the archive was resolved with."""
    if given is not None:
        return given
    stored = entities.stored_corrections(out.current())
    if stored is not None:
        log.info("resolving with the corrections the archive was published with (%s)", stored.path)
    return stored


def resolve(out_dir: Path, aliases: Path | None = None, workers: int = 2) -> dict[str, Any]:
    """``nl-entities resolve``: rebuild resolution and the entity tables from the published
    mentions, without the model, published atomically like a run. Returns the manifest."""
    manifest = _republish(out_dir, "resolve", read_corrections(aliases), workers, full=False)
    log.info("resolved %d entities in %s", manifest["row_counts"]["entities"], out_dir)
    return manifest


def compact(out_dir: Path, workers: int = 2) -> dict[str, Any]:
    """``nl-entities compact``: the published version again with every table's small files
    merged into files of the target size (pipeline.store), published atomically like a run."""
    manifest = _republish(out_dir, "compact", None, workers, full=True)
    log.info("compacted the tables in %s", out_dir)
    return manifest


def _republish(out_dir: Path, command: str, corrections, workers: int, full: bool) -> dict[str, Any]:
    """A new version from the published one without the model: entity tables built again (with
    ``corrections``, else those the archive was resolved with); ``full`` compacts every table."""
    started_at = datetime.now(UTC)
    out = OutputDir(out_dir)
    if not out_dir.is_dir() or out.current() is None:
        raise UsageError(f"{out_dir} holds no published tables; run `nl-entities run ... --out {out_dir}` first")
    with out.lock():
        previous = out.manifest() or {}
        corrections = _corrections_for(out, corrections)
        run_id = started_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
        manifest = {
            **{k: v for k, v in previous.items() if k not in ("corrections", "resolution", "row_counts")},
            "run_id": run_id,
            "command": command,
            "started": started_at.isoformat(),
            "finished": datetime.now(UTC).isoformat(),
            "this_run": {"articles": 0, "already_published": len(out.published_articles()), "records": 0},
        }
        temp = out.meta / "duckdb-tmp"

        def derive(version: Path) -> dict[str, Any]:
            return entities.build(version, threads=workers, temp_dir=temp, corrections=corrections)

        return out.publish(run_id, None, [], True, set(), derive, manifest, full=full)


def run(opts: RunOptions) -> dict[str, Any]:
    """Run the pipeline; returns the manifest. Raises UsageError for bad use."""
    started_at = datetime.now(UTC)
    missing = [str(p) for p in opts.inputs if not p.exists()]
    if missing:
        raise UsageError(f"no such input: {', '.join(missing)}")
    corrections = read_corrections(opts.aliases)
    if opts.engine not in ENGINES:
        raise UsageError(f"unknown engine '{opts.engine}'; choose from {', '.join(ENGINES)}")
    if min(opts.workers, opts.batch_size, opts.batch_words) < 1:
        raise UsageError("--workers, --batch-size and --batch-words must be at least 1")
    if opts.scheduler and opts.engine != "dask":
        raise UsageError("--scheduler is the address of a Dask scheduler: use it with --engine dask")
    if opts.security and opts.engine != "dask":
        raise UsageError("--security holds TLS settings for a Dask scheduler: use it with --engine dask")
    try:
        security = dask_security(opts.scheduler, opts.security) if opts.engine == "dask" else None
    except EngineError as exc:
        raise UsageError(str(exc)) from None
    if opts.out.exists() and not opts.out.is_dir():
        raise UsageError(f"--out {opts.out} is a file; give a folder (it is created if missing)")
    _check_out_outside_inputs(opts.out, opts.inputs)
    try:
        field_map = FieldMap.parse(opts.fields)
    except FieldError as exc:
        raise UsageError(str(exc)) from None
    files = _input_files(opts.inputs, opts.out)
    model = resolve_model(opts.model)
    if opts.with_tags and not set(parts := components(model)) & set(TAGGERS):
        raise UsageError(
            f"--with-tags: model {model.name} has no tagger or lemmatizer (its components: "
            f"{', '.join(parts) or 'unknown'}), so tokens.pos and tokens.lemma would stay empty; "
            f"run without --with-tags, or {GET_LG}"
        )
    log.info("model: %s %s (%s)", model.name, model.version, model.path)
    if hint := advice(model):
        log.warning(hint)
    settings = NlpSettings(model, opts.with_tags, opts.chunk_chars)
    out = OutputDir(opts.out)
    try:
        opts.out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file on the way (--out notes.txt/out), read-only storage, no permission
        raise UsageError(f"--out {opts.out}: the folder cannot be made ({exc.strerror})") from None
    fingerprint = {
        **settings.fingerprint(),
        "chunk_chars": opts.chunk_chars,
        "schema_version": SCHEMA_VERSION,
        "rules_version": RULES_VERSION,
    }
    # lock first (a refused run starts nothing), then the engine, whose workers load the model
    # while _run opens inputs and output
    with out.lock():
        previous = out.manifest()
        same_settings = _check_settings(opts, out, previous, fingerprint)
        with started(opts.engine, settings, EngineOptions(opts.workers, opts.scheduler, security)) as engine:
            corrections = _corrections_for(out, corrections)
            return _run(
                opts,
                out,
                started_at,
                model,
                settings,
                engine,
                fingerprint,
                same_settings,
                field_map,
                files,
                corrections,
            )


def _check_out_outside_inputs(out: Path, inputs: list[Path]) -> None:
    """--out may lie inside an input folder (it is not read), but not be one or hold one: its
    inputs would be skipped as the run's own output, and the run would read nothing."""
    where = out.resolve()
    for path in inputs:
        given = path.resolve()
        if where == given or where in given.parents:
            what = "is the input" if where == given else "holds the input"
            raise UsageError(f"--out {out} {what} {path}; give an --out outside the inputs")


def _input_files(inputs: list[Path], out: Path) -> list[Path]:
    """The files to read. A folder with none (empty, or only hidden files) is a usage error: a
    run from cron that reads nothing, because a share is not mounted or a path is wrong, must
    not pass as a run that completed. (A re-run that finds every article already published
    reads its files and completes.)"""
    found = {path: discover([path], skip=[out]) for path in inputs}
    if empty := [str(path) for path, files in found.items() if not files]:
        raise UsageError(f"no files to read in {', '.join(empty)} (hidden files are not read)")
    return list(dict.fromkeys(f for files in found.values() for f in files))


def _check_settings(
    opts: RunOptions, out: OutputDir, previous: dict[str, Any] | None, fingerprint: dict[str, Any]
) -> bool:
    """Whether the tables in ``opts.out`` were made with these settings.

    Tables never mix models or settings, so a run with others would have to replace them all:
    an archive's worth of work. That takes ``--replace``; without it the run is refused.
    """
    skey = settings_key(fingerprint)
    if previous is None or previous.get("settings_key") == skey:
        return True
    before = previous.get("settings", {})
    changed = [f"{k} {before.get(k)!r} -> {v!r}" for k, v in fingerprint.items() if before.get(k) != v]
    what = "; ".join(changed) or "settings"
    if not opts.replace:
        resume = out.has_staging(skey)
        raise UsageError(
            f"{opts.out} holds tables made with other settings ({what}). "
            + (
                "A --replace run with these settings was interrupted: run with --replace again to finish it"
                if resume
                else "Run with --replace to rebuild them from these inputs alone, or choose another --out"
            )
        )
    log.warning("--replace: the tables in %s are rebuilt from these inputs alone (%s)", opts.out, what)
    return False


def _run(
    opts: RunOptions,
    out: OutputDir,
    started_at: datetime,
    model: ModelRef,
    settings: NlpSettings,
    engine: Engine,
    fingerprint: dict[str, Any],
    same_settings: bool,
    field_map: FieldMap,
    files: list[Path],
    corrections=None,
) -> dict[str, Any]:
    skey = settings_key(fingerprint)
    published = out.published_articles() if same_settings else {}
    staging = out.staging(skey)
    tallies: dict[str, InputTally] = {}
    total = sum(count_records(p, field_map) for p in files)
    progress = Progress(total, opts.progress)
    keys: list[str] = []
    totals = {
        "articles": 0,
        "rejects": 0,
        "tokens": 0,
        "mentions": 0,
        "batches": 0,
        "resumed_batches": 0,
        "already_published": 0,
        "worker_seconds": 0.0,
    }

    def count_skipped() -> None:
        """Advance the bar over articles already published: done, not redone."""
        skipped = sum(t.already_published for t in tallies.values())
        progress.advance(skipped - totals["already_published"])
        totals["already_published"] = skipped

    def todo() -> Iterator[Batch]:
        for batch in make_batches(files, skey, published, opts.batch_size, opts.batch_words, tallies, field_map):
            keys.append(batch.key)
            count_skipped()
            if batch_done(staging, batch.key):
                account(_staged(staging, batch))
                continue
            yield batch

    def account(result: BatchResult) -> None:
        totals["articles"] += result.articles
        totals["rejects"] += result.rejects
        totals["tokens"] += result.tokens
        totals["mentions"] += result.mentions
        totals["batches"] += 1
        totals["resumed_batches"] += result.skipped
        totals["worker_seconds"] += result.seconds
        progress.advance(result.articles + result.rejects)

    t0 = time.monotonic()
    try:
        for result in engine.run(todo(), str(staging)):
            account(result)
        count_skipped()
    finally:
        progress.close()
    nlp_seconds = time.monotonic() - t0
    skipped = totals["already_published"]
    run_id = started_at.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]
    manifest = {
        "run_id": run_id,
        "command": "run",
        "started": started_at.isoformat(),
        "finished": None,
        "package": {"name": "nl-entities", "version": __version__},
        "spacy_version": importlib.metadata.version("spacy"),
        "python": platform.python_version(),
        "model": {"name": model.name, "package": model.identity, "version": model.version, "path": model.path},
        "model_advice": advice(model),
        "settings": {
            **fingerprint,
            "engine": opts.engine,
            "workers": opts.workers,
            "batch_size": opts.batch_size,
            "batch_words": opts.batch_words,
        },
        "settings_key": skey,
        "schema_version": SCHEMA_VERSION,
        "inputs": [
            {
                "path": t.stats.path,
                "sha256": t.stats.sha256,
                "records": t.stats.records,
                "articles": t.articles,
                "already_published": t.already_published,
                "rejects": t.rejects,
                "unparsed_dates": t.stats.unparsed_dates,
                **({"unparsed_date_examples": t.stats.unparsed_date_examples} if t.stats.unparsed_dates else {}),
                **({"changed_while_read": t.stats.changed} if t.stats.changed else {}),
            }
            for t in tallies.values()
        ],
        "this_run": {
            **totals,
            "records": sum(t.stats.records for t in tallies.values()),
            "unparsed_dates": sum(t.stats.unparsed_dates for t in tallies.values()),
            "nlp_seconds": round(nlp_seconds, 3),
        },
    }
    temp = out.meta / "duckdb-tmp"

    def derive(version: Path) -> dict[str, Any]:
        return entities.build(version, threads=opts.workers, temp_dir=temp, corrections=corrections)

    manifest["finished"] = datetime.now(UTC).isoformat()
    known = _inputs_with_rejects(out.manifest()) if same_settings else {}
    read_inputs = _replaced_inputs(files, tallies, known)
    manifest["inputs_with_rejects"] = {
        **{name: sha for name, sha in known.items() if name not in read_inputs},
        **{name: t.stats.sha256 for name, t in tallies.items() if t.rejects and t.stats.sha256},
    }
    manifest = out.publish(run_id, staging, keys, same_settings, read_inputs, derive, manifest)
    for t in tallies.values():
        if t.stats.changed:
            log.warning(
                "%s changed while it was read (%s): its records are published as read, with an input_changed "
                "reject; run again once it no longer changes to read it whole",
                t.stats.path,
                t.stats.changed,
            )
    log.info(
        "done: %d records -> %d articles, %d already published, %d rejects; %d mentions; tables in %s",
        manifest["this_run"]["records"],
        totals["articles"],
        skipped,
        totals["rejects"],
        totals["mentions"],
        opts.out,
    )
    if unparsed := manifest["this_run"]["unparsed_dates"]:
        log.warning(
            "%d published dates could not be read and were left empty (manifest: inputs[].unparsed_dates)", unparsed
        )
    return manifest


def _inputs_with_rejects(previous: dict[str, Any] | None) -> dict[str, str]:
    """Input name -> sha256 of every input whose rejects are published (carried from run to run;
    a manifest from before that knew only its own run's inputs)."""
    if not previous:
        return {}
    known = {e["path"]: e["sha256"] for e in previous.get("inputs", []) if e.get("rejects") and e.get("sha256")}
    known.update(previous.get("inputs_with_rejects", {}))
    return known


def _replaced_inputs(files: list[Path], tallies: dict[str, InputTally], known: dict[str, str]) -> set[str]:
    """The inputs whose earlier rejects this run's replace: every input read (archive members are
    inputs of their own), and earlier names of the same content. A folder moved or renamed since
    the last run is read under new names; its rejects must not stay twice, under both."""
    read = {display_name(p) for p in files} | set(tallies)
    hashes = {t.stats.sha256 for t in tallies.values() if t.stats.sha256}
    return read | {name for name, sha in known.items() if sha in hashes}
