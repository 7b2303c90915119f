"""Batches: the unit of work, of retry after a kill, and of output parts.

:func:`make_batches` streams inputs through read and normalise into batches whose key is a
hash of the settings and their content, so the same input gives the same keys in every run:
a finished batch found in staging is not done again. :func:`process_batch` is what a worker
runs (local process or Dask task): NLP, the batch's tables, written aside in staging.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from . import schemas
from .nlp import NlpSettings, annotate, get_nlp
from .normalise import SeenArticles, normalise
from .read import InputStats, read_input
from .records import Article, Reject
from .store import write_batch

log = logging.getLogger(__name__)


@dataclass
class Batch:
    key: str
    articles: list[Article] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


@dataclass
class BatchResult:
    key: str
    articles: int
    rejects: int
    tokens: int = 0
    mentions: int = 0
    words: int = 0
    skipped: bool = False  # found finished in staging


@dataclass
class InputTally:
    """Per-input accounting: records = articles + already_published + rejects."""

    stats: InputStats
    articles: int = 0
    already_published: int = 0
    rejects: int = 0


def _key(settings_key: str, batch: Batch) -> str:
    h = hashlib.sha256(settings_key.encode())
    for a in batch.articles:
        h.update(f"a\x1f{a.article_id}\x1f{a.text_sha256}\x1e".encode())
    for r in batch.rejects:
        h.update(f"r\x1f{r.input}\x1f{r.record}\x1f{r.reason}\x1e".encode())
    return h.hexdigest()[:24]


def make_batches(
    files: list[Path],
    settings_key: str,
    published: dict[str, str],
    batch_size: int,
    tallies: dict[str, InputTally],
) -> Iterator[Batch]:
    """Read, normalise and de-duplicate every record of ``files``, ``batch_size`` articles a batch.

    Articles already published with the same text are counted, not batched. Rejects ride along
    with the batch being filled, so they are staged and published like everything else.
    """
    seen = SeenArticles()
    batch = Batch("")
    for path in files:
        tally = tallies[str(path)] = InputTally(InputStats(str(path)))
        for item in read_input(path, tally.stats):
            if isinstance(item, Reject):
                batch.rejects.append(item)
                tally.rejects += 1
                continue
            result = normalise(item)
            if isinstance(result, Article):
                # repeats within this run first, so a re-run rejects exactly what the first run did
                result = seen.check(result) or result
            if isinstance(result, Article) and result.article_id in published:
                if published[result.article_id] == result.text_sha256:
                    tally.already_published += 1
                    continue
                result = Reject(
                    result.input,
                    result.record,
                    "conflicting_id",
                    "same id as an article published by an earlier run, other text",
                    result.article_id,
                )
            if isinstance(result, Reject):
                batch.rejects.append(result)
                tally.rejects += 1
                continue
            batch.articles.append(result)
            tally.articles += 1
            if len(batch.articles) >= batch_size:
                batch.key = _key(settings_key, batch)
                yield batch
                batch = Batch("")
    if batch.articles or batch.rejects:
        batch.key = _key(settings_key, batch)
        yield batch


def _rejects_table(rejects: list[Reject]) -> pa.Table:
    return schemas.table(
        "rejects",
        {
            "input": [r.input for r in rejects],
            "record": [r.record for r in rejects],
            "article_id": [r.article_id for r in rejects],
            "reason": [r.reason for r in rejects],
            "detail": [r.detail for r in rejects],
        },
    )


def _annotate_safely(nlp, articles: list[Article], settings: NlpSettings, rejects: list[Reject]):
    """Annotate the batch; when the model fails, retry one article at a time and reject the culprit."""
    try:
        return articles, annotate(nlp, articles, settings.model.name, settings.chunk_chars)
    except Exception:  # a model error must cost one article, not the run
        log.exception("NLP failed on a batch; retrying its articles one by one")
    kept, parts = [], []
    for a in articles:
        try:
            parts.append(annotate(nlp, [a], settings.model.name, settings.chunk_chars))
            kept.append(a)
        except Exception as exc:
            rejects.append(Reject(a.input, a.record, "processing_error", f"{type(exc).__name__}: {exc}", a.article_id))
    tok = {k: [v for p in parts for v in p[0][k]] for k in parts[0][0]} if parts else None
    men = {k: [v for p in parts for v in p[1][k]] for k in parts[0][1]} if parts else None
    n_tok = [n for p in parts for n in p[2]]
    n_sent = [n for p in parts for n in p[3]]
    if tok is None:
        return [], ({}, {}, [], [])
    return kept, (tok, men, n_tok, n_sent)


def process_batch(batch: Batch, settings: NlpSettings, staging: str) -> BatchResult:
    """Run NLP on one batch and stage its tables. Runs in a worker process."""
    nlp = get_nlp(settings)
    rejects = list(batch.rejects)
    articles, (tok, men, n_tokens, n_sents) = _annotate_safely(nlp, batch.articles, settings, rejects)
    tables = {
        "articles": schemas.table(
            "articles",
            {
                "article_id": [a.article_id for a in articles],
                "source": [a.source for a in articles],
                "title": [a.title for a in articles],
                "published": [a.published for a in articles],
                "url": [a.url for a in articles],
                "text": [a.text for a in articles],
                "text_sha256": [a.text_sha256 for a in articles],
                "n_tokens": n_tokens,
                "n_sentences": n_sents,
            },
        ),
        "tokens": schemas.table("tokens", tok) if tok else schemas.empty("tokens"),
        "mentions": schemas.table("mentions", men) if men else schemas.empty("mentions"),
        "rejects": _rejects_table(rejects),
    }
    write_batch(Path(staging), batch.key, tables)
    return BatchResult(
        batch.key,
        articles=len(articles),
        rejects=len(rejects),
        tokens=tables["tokens"].num_rows,
        mentions=tables["mentions"].num_rows,
        words=sum(n_tokens),
    )
