"""The ``nl-entities`` command: ``run`` (the pipeline), ``resolve`` (entity resolution again, from
the published mentions, without the model), ``compact`` (merge small Parquet files) and
``evaluate`` (score a model on gold data).

Exit codes: 0 the run completed (with or without rejects); 2 usage error (no such input, an
input folder with no files, unknown model, bad or unknown option, an --out that cannot be
written or is an input folder or above one); 3 another run holds the output folder; 4 the disk
is full (the tables published before stay as they were); 130 interrupted (Ctrl-C) and 143
terminated (SIGTERM), both resumable by running the same command again; 1 an internal error.
Every error is one line on stderr: ``nl-entities: error: ...``.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from .models import ModelError
from .store import OutputError, OutputLocked

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Dutch news articles in, people/places/organisations Parquet tables out.",
)
log = logging.getLogger("nl-entities")


def _fail(code: int, message: str) -> None:
    typer.echo(f"nl-entities: error: {message}", err=True)
    raise typer.Exit(code)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    for noisy in ("distributed", "dask", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _path(value: str | Path) -> Path:
    """A path given on the command line; an empty one is refused, as it would silently mean the
    current folder (``--out ""`` would write the tables among whatever is there)."""
    if not str(value).strip():
        raise typer.BadParameter("an empty path; give a file or folder")
    return Path(value)


ALIASES_OPTION = typer.Option(
    "--aliases",
    help="Corrections CSV with header type,name,entity: merge a name into an entity, or keep it its own "
    "(entity = name). Kept for later runs; an empty file (header only) drops them.",
)


@app.command()
def run(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            parser=_path,
            help="Files or folders of them: .jsonl .csv .tsv .parquet .txt .xlsx .docx .html, "
            "compressed (.gz .bz2 .xz .zst) or in .zip/.tar archives.",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", parser=_path, help="Output folder: one Parquet dataset per table.")
    ],
    model: Annotated[
        str | None,
        typer.Option(
            help="spaCy package name or pipeline folder. Default: "
            "nl_core_news_lg/md/sm if installed, else the project's model."
        ),
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes (default: this machine's cores).")] = 0,
    batch_size: Annotated[int, typer.Option(help="Articles per batch at most (the unit of work and of restart).")] = 64,
    batch_words: Annotated[int, typer.Option(help="Words per batch at most: keeps batches of equal weight.")] = 20_000,
    engine: Annotated[str, typer.Option(help="local (processes on this machine) or dask.")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option(help="Dask scheduler address (with --engine dask); without it a local Dask cluster is started."),
    ] = None,
    security: Annotated[
        Path | None,
        typer.Option(
            help="YAML file of Dask config with the TLS certificates (distributed: comm: tls: ...) for a "
            "--scheduler tls://... address; default: Dask's own config (docs/scale-out.md)."
        ),
    ] = None,
    with_tags: Annotated[
        bool,
        typer.Option("--with-tags", help="Also run the tagger and lemmatizer (tokens.pos, tokens.lemma)."),
    ] = False,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="When --out holds tables made with another model or settings, rebuild them from these inputs "
            "(without it such a run is refused).",
        ),
    ] = False,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: on a terminal).")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="NAME=COLUMN: the column holding NAME (text, id, title, published, source, url) where the "
            "known column names do not; repeatable.",
        ),
    ] = None,
    aliases: Annotated[Path | None, ALIASES_OPTION] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging, tracebacks.")] = False,
) -> None:
    """Extract people, places and organisations from Dutch articles into Parquet tables in --out."""
    from .run import RunOptions
    from .run import run as run_pipeline

    _setup_logging(verbose)
    opts = RunOptions(
        inputs=inputs,
        out=out,
        model=model,
        workers=workers or os.cpu_count() or 1,
        batch_size=batch_size,
        batch_words=batch_words,
        engine=engine,
        scheduler=scheduler,
        security=security,
        with_tags=with_tags,
        progress=progress,
        replace=replace,
        fields=field or [],
        aliases=aliases,
    )
    _guarded(lambda: run_pipeline(opts), verbose)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: the run stops as on Ctrl-C (workers ended, staged
    batches kept). A KeyboardInterrupt, so no ``except Exception`` on the way takes it for a
    bad record."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


DISK_FULL = 4
#: OS errors that are the output storage's, not a bug: exit code and what the user can do
_STORAGE_ERRORS: dict[int, tuple[int, str]] = {
    errno.ENOSPC: (DISK_FULL, "the disk is full"),
    errno.EDQUOT: (DISK_FULL, "the disk quota is used up"),
    errno.EROFS: (2, "the file system is read-only; give an --out on writable storage"),
    errno.EACCES: (2, "permission denied"),
    errno.EPERM: (2, "permission denied"),
}


def _storage_error(exc: Exception) -> tuple[int, str] | None:
    """Exit code and message where ``exc`` is the storage's fault. DuckDB's own IOException is
    no OSError: a full disk is known by the system's words for it."""
    number = exc.errno if isinstance(exc, OSError) else None
    if number is None and os.strerror(errno.ENOSPC) in str(exc):
        number = errno.ENOSPC
    if number not in _STORAGE_ERRORS:
        return None
    code, what = _STORAGE_ERRORS[number]
    where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
    if code == DISK_FULL:
        what += "; the tables published before this run are intact: free space and run the same command to resume"
    return code, where + what


def _guarded(call, verbose: bool) -> None:
    from .engines import EngineError
    from .run import UsageError

    before = signal.signal(signal.SIGTERM, _terminate)
    try:
        call()
    except (UsageError, EngineError, ModelError, OutputError) as exc:
        _fail(2, str(exc))
    except OutputLocked as exc:
        _fail(3, str(exc))
    except Terminated:
        _fail(143, "terminated; run the same command again to resume")
    except KeyboardInterrupt:
        _fail(130, "interrupted; run the same command again to resume")
    except Exception as exc:
        if (known := _storage_error(exc)) is None:
            _internal(exc, verbose)
        _fail(*known)
    finally:
        signal.signal(signal.SIGTERM, before)


def _internal(exc: Exception, verbose: bool) -> None:
    if verbose:
        raise exc
    _fail(1, f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")


@app.command()
def resolve(
    out: Annotated[Path, typer.Option("--out", "-o", parser=_path, help="Output folder of earlier runs.")],
    aliases: Annotated[Path | None, ALIASES_OPTION] = None,
    workers: Annotated[int, typer.Option(help="DuckDB threads (default: 2).")] = 2,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging, tracebacks.")] = False,
) -> None:
    """Rebuild entity resolution and the entity tables from the published mentions (no model run)."""
    from .run import resolve as resolve_archive

    _setup_logging(verbose)
    _guarded(lambda: resolve_archive(out, aliases, max(1, workers)), verbose)


@app.command()
def compact(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder of earlier runs.")],
    workers: Annotated[int, typer.Option(help="DuckDB threads (default: 2).")] = 2,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging, tracebacks.")] = False,
) -> None:
    """Merge the small Parquet files of every table into files of ~128 MB (runs also do this when
    small files pile up); published atomically as a new version, like a run."""
    from .run import compact as compact_archive

    _setup_logging(verbose)
    _guarded(lambda: compact_archive(out, max(1, workers)), verbose)


@app.command()
def evaluate(
    gold: Annotated[
        Path,
        typer.Argument(
            help="Gold file: CoNLL IOB (.conll/.iob/.txt) or JSONL ({text, entities: [[start, end, type]]})."
        ),
    ],
    model: Annotated[str | None, typer.Option(help="Model to score (default: as for run).")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the scores as JSON here.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Score people/places/organisations against gold data: exact spans, P/R/F per type and micro."""
    from .evaluate import GoldError, evaluate_file, format_table

    _setup_logging(verbose)
    if not gold.exists():
        _fail(2, f"no such gold file: {gold}")
    try:
        scores = evaluate_file(gold, model)
    except (ModelError, GoldError) as exc:
        _fail(2, str(exc))
    typer.echo(format_table(scores))
    if json_out is not None:
        import json

        json_out.write_text(json.dumps(scores, indent=2), encoding="utf-8")


#: Click's exception base, from click or from Typer's own copy of it (Typer 0.2x and later)
_CLICK_ERROR = next(k for k in typer.BadParameter.__mro__ if k.__name__ == "ClickException")


def main() -> None:
    """The command, with Click's usage errors (unknown option, missing --out, a bad number) in
    one line like every other error, not in a box."""
    try:
        code = app(standalone_mode=False)
    except _CLICK_ERROR as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # no command: the help, as before
            typer.echo(exc.format_message())
            sys.exit(exc.exit_code)
        message = " ".join(exc.format_message().split())
        ctx = getattr(exc, "ctx", None)
        hint = f" (see {ctx.command_path} --help)" if ctx is not None else ""
        typer.echo(f"nl-entities: error: {message}{hint}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("nl-entities: error: aborted", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
