"""The ``nl-entities`` command: ``run`` (the pipeline), ``resolve`` (entity resolution again, from
the published mentions, without the model), ``compact`` (merge small Parquet files) and
``evaluate`` (score a model on gold data).

Exit codes: 0 the run completed (with or without rejects); 2 usage error (no such input,
unknown model, bad option); 3 another run holds the output folder; 1 an internal error.
"""

from __future__ import annotations

import logging
import os
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
            help="Files or folders of them: .jsonl .csv .tsv .parquet .txt .xlsx .docx .html, "
            "compressed (.gz .bz2 .xz .zst) or in .zip/.tar archives."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: one Parquet dataset per table.")],
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
        with_tags=with_tags,
        progress=progress,
        replace=replace,
        fields=field or [],
        aliases=aliases,
    )
    _guarded(lambda: run_pipeline(opts), verbose)


def _guarded(call, verbose: bool) -> None:
    from .run import UsageError

    try:
        call()
    except (UsageError, ModelError, OutputError) as exc:
        _fail(2, str(exc))
    except OutputLocked as exc:
        _fail(3, str(exc))
    except KeyboardInterrupt:
        _fail(130, "interrupted; run the same command again to resume")
    except Exception as exc:
        if verbose:
            raise
        _fail(1, f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)")


@app.command()
def resolve(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder of earlier runs.")],
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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
