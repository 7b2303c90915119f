"""What a worker process does with a batch: NLP, the batch's tables, written aside in staging.

Runs in the local engine's worker processes and in Dask workers; the only module of the run
besides :mod:`pipeline.nlp` that imports spaCy, so the reading process never has to.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from . import schemas
from .batches import Batch, BatchResult
from .models import NlpSettings
from .nlp import annotate, get_nlp
from .records import Article, Reject
from .store import write_batch

log = logging.getLogger(__name__)


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
    started = time.perf_counter()
    nlp = get_nlp(settings)
    rejects = list(batch.rejects)
    articles, (tok, men, n_tokens, n_sents) = _annotate_safely(nlp, batch.articles, settings, rejects)
    tables = {
        "articles": schemas.from_objects("articles", articles, n_tokens=n_tokens, n_sentences=n_sents),
        "tokens": schemas.table("tokens", tok) if tok else schemas.empty("tokens"),
        "mentions": schemas.table("mentions", men) if men else schemas.empty("mentions"),
        "rejects": schemas.from_objects("rejects", rejects),
    }
    write_batch(Path(staging), batch.key, tables)
    return BatchResult(
        batch.key,
        articles=len(articles),
        rejects=len(rejects),
        tokens=tables["tokens"].num_rows,
        mentions=tables["mentions"].num_rows,
        seconds=time.perf_counter() - started,
    )
