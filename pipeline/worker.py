"""What a worker process does with a batch: NLP, the batch's tables, written aside in staging.

Runs in the local engine's worker processes and in Dask workers; the only module of the run
besides :mod:`pipeline.nlp` that imports spaCy, so the reading process never has to.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from . import schemas
from .batches import Batch, BatchResult
from .models import NlpSettings
from .nlp import MENTION_COLUMNS, TOKEN_COLUMNS, annotate, get_nlp, join_tokens
from .records import Article, Reject
from .store import part_writer, write_batch

log = logging.getLogger(__name__)

#: Token rows a worker holds before it writes them out as one Parquet row group: a batch of
#: ordinary articles (``--batch-words``) is one group, as it was; a long article's tokens go
#: out a group at a time, so its tokens never sit in memory at once.
TOKEN_ROW_GROUP = 200_000


class TokenWriter:
    """The batch's tokens, written to the staged part as the NLP stage makes them.

    The file lies in a folder that :meth:`pipeline.store.OutputDir.staging` clears as a
    leftover when a worker dies, and :func:`pipeline.store.write_batch` moves it into the
    batch's folder with the other tables, all or nothing.
    """

    def __init__(self, staging: Path, key: str) -> None:
        self.folder = staging / f".{key}.{os.getpid()}.tmp-tokens"
        self.path = self.folder / "tokens.parquet"
        self.rows = 0
        self._parts: list[dict[str, Any]] = []
        self._buffered = 0
        self._writer: pq.ParquetWriter | None = None

    def __call__(self, part: dict[str, Any]) -> None:
        self._parts.append(part)
        self._buffered += len(part["text"])
        if self._buffered >= TOKEN_ROW_GROUP:
            self._flush()

    def _open(self) -> pq.ParquetWriter:
        if self._writer is None:
            self.folder.mkdir(exist_ok=True)
            self._writer = part_writer(self.path, "tokens")
        return self._writer

    def _flush(self) -> None:
        if self._buffered:
            table = schemas.table("tokens", join_tokens({k: [p[k] for p in self._parts] for k in TOKEN_COLUMNS}))
            self._open().write_table(table, row_group_size=table.num_rows)
            self.rows += table.num_rows
        self._parts, self._buffered = [], 0

    def reset(self) -> None:
        """Drop what was written: the batch is done again, one article at a time."""
        self.close()
        self.rows = 0
        self._parts, self._buffered = [], 0

    def finish(self) -> Path:
        """The complete file (an empty table when the batch has no tokens)."""
        self._flush()
        self._open().close()
        self._writer = None
        return self.path

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        shutil.rmtree(self.folder, ignore_errors=True)


def _annotate_safely(nlp, articles: list[Article], settings: NlpSettings, rejects: list[Reject], tokens: TokenWriter):
    """Annotate the batch; when the model fails, retry one article at a time and reject the culprit.

    The retry holds each article's tokens in memory until it has succeeded, so a failed
    article leaves no rows behind.
    """
    name, chunk_chars = settings.model.name, settings.chunk_chars
    try:
        return articles, annotate(nlp, articles, name, chunk_chars, on_tokens=tokens)[1:]
    except Exception:  # a model error must cost one article, not the run
        log.exception("NLP failed on a batch; retrying its articles one by one")
    tokens.reset()
    kept, parts = [], []
    for a in articles:
        try:
            tok, *rest = annotate(nlp, [a], name, chunk_chars)
        except Exception as exc:
            rejects.append(Reject(a.input, a.record, "processing_error", f"{type(exc).__name__}: {exc}", a.article_id))
            continue
        tokens(tok)
        kept.append(a)
        parts.append(rest)
    men = {k: [v for p in parts for v in p[0][k]] for k in MENTION_COLUMNS}
    return kept, (men, [n for p in parts for n in p[1]], [n for p in parts for n in p[2]])


def process_batch(batch: Batch, settings: NlpSettings, staging: str) -> BatchResult:
    """Run NLP on one batch and stage its tables. Runs in a worker process."""
    started = time.perf_counter()
    nlp = get_nlp(settings)
    rejects = list(batch.rejects)
    tokens = TokenWriter(Path(staging), batch.key)
    try:
        articles, (men, n_tokens, n_sents) = _annotate_safely(nlp, batch.articles, settings, rejects, tokens)
        tables = {
            "articles": schemas.from_objects("articles", articles, n_tokens=n_tokens, n_sentences=n_sents),
            "tokens": tokens.finish(),
            "mentions": schemas.table("mentions", men),
            "rejects": schemas.from_objects("rejects", rejects),
        }
        write_batch(Path(staging), batch.key, tables)
    finally:
        tokens.close()
    return BatchResult(
        batch.key,
        articles=len(articles),
        rejects=len(rejects),
        tokens=tokens.rows,
        mentions=tables["mentions"].num_rows,
        seconds=time.perf_counter() - started,
    )
