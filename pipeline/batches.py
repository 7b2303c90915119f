"""Batches: the unit of work, of retry after a kill, and of output parts.

:func:`make_batches` streams inputs through read and normalise into batches whose key is a
hash of the settings and their content, so the same input gives the same keys in every run:
a finished batch found in staging is not done again. What a worker does with a batch is
:func:`pipeline.worker.process_batch`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .normalise import SeenArticles, normalise
from .read import FieldMap, InputStats, inputs
from .records import Article, BadId, Record, Reject, id_text

#: The longest text one article may have, in characters as read: 10 million, some 1.6 million
#: words, far beyond any news article (a long report is 100,000). Longer is a dump or many
#: articles run together: a ``too_long`` reject, so that one record cannot hold a run for an
#: hour in one worker; the message says to split it. Up to the limit, time grows in
#: proportion to the length and memory stays that of a chunk (:data:`pipeline.nlp.CHUNK_CHARS`).
MAX_ARTICLE_CHARS = 10_000_000


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
    skipped: bool = False  # found finished in staging
    seconds: float = 0.0  # worker time spent on the batch


@dataclass
class InputTally:
    """Per-input accounting: records = articles + already_published + rejects."""

    stats: InputStats
    articles: int = 0
    already_published: int = 0
    rejects: int = 0


def _merged(first: InputStats, second: InputStats) -> InputStats:
    """Both inputs' counts on ``second``, which its reader is still updating."""
    second.records += first.records
    second.unparsed_dates += first.unparsed_dates
    second.unparsed_date_examples[:0] = first.unparsed_date_examples
    return second


def _too_long(record: Record) -> Reject | None:
    """A ``too_long`` reject for a text over :data:`MAX_ARTICLE_CHARS`, checked before the text
    is cleaned: cleaning alone would take a 50 MB text most of a minute."""
    text = record.fields.get("text")
    if not isinstance(text, str) or len(text) <= MAX_ARTICLE_CHARS:
        return None
    try:
        given_id = id_text(record.fields.get("id"))
    except BadId:
        given_id = None
    return Reject(
        record.input,
        record.record,
        "too_long",
        f"the text has {len(text):,} characters, more than the {MAX_ARTICLE_CHARS:,} one article may have: "
        "split it into articles",
        given_id,
    )


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
    batch_words: int,
    tallies: dict[str, InputTally],
    fields: FieldMap | None = None,
) -> Iterator[Batch]:
    """Read, normalise and de-duplicate every record of ``files`` into batches.

    A batch closes at ``batch_size`` articles or ``batch_words`` words, whichever comes first:
    batches of similar weight keep every worker busy to the end of a run, however unequal the
    articles.

    Articles already published with the same text are counted, not batched. Rejects ride along
    with the batch being filled, so they are staged and published like everything else.
    ``tallies`` gets one entry per input: a file, or each member of an archive.
    """
    seen = SeenArticles()
    batch, words = Batch(""), 0
    for source in (inp for path in files for inp in inputs(path, fields or FieldMap())):
        tally = tallies.get(source.stats.path)
        if tally is None:
            tally = tallies[source.stats.path] = InputTally(source.stats)
        else:  # the same name twice (a zip may hold two members of one name): one entry, both counted
            tally.stats = _merged(tally.stats, source.stats)
        for item in source.items:
            if isinstance(item, Reject):
                batch.rejects.append(item)
                tally.rejects += 1
                continue
            result = _too_long(item) or normalise(item)
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
            words += result.text.count(" ") + 1
            if len(batch.articles) >= batch_size or words >= batch_words:
                batch.key = _key(settings_key, batch)
                yield batch
                batch, words = Batch(""), 0
    if batch.articles or batch.rejects:
        batch.key = _key(settings_key, batch)
        yield batch
