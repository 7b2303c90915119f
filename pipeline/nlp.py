"""Stage 3, NLP: tokens, sentences and mentions for a batch of articles.

Which model runs is decided once (:mod:`pipeline.models`) and recorded in the manifest; each
worker process loads it once (:func:`get_nlp`) with only the components the tables need.
Articles longer than :data:`CHUNK_CHARS` are cut on paragraph or sentence boundaries and the
chunk offsets added back, so every offset refers to the whole article text, and token and
sentence numbers run on across the pieces; the article rules and name resolution still see
the whole article's mentions at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokenizer import Tokenizer

from .models import TAG_COMPONENTS, NlpSettings, pipeline_dir
from .postprocess import Found, Mention, doc_mentions, harmonise, warm
from .records import Article
from .resolve import resolve_article

SENTENCE_COMPONENTS = ("parser", "senter", "sentencizer")


DEFAULT_TOKENIZER = "spacy.Tokenizer.v1"


@spacy.registry.tokenizers("nl_entities.SavedTokenizer.v1")
def saved_tokenizer():
    """An empty tokenizer, for a pipeline whose saved tokenizer replaces it as it loads.

    spaCy's default factory first builds the language's tokenizer with all its exceptions
    (4,670 for Dutch, each tokenized and added to a matcher), and loading the saved tokenizer
    then throws them away and adds the saved ones again. That first pass was 40% of a worker's
    model load time (docs/benchmarks.md).
    """

    def factory(nlp: Language) -> Tokenizer:
        return Tokenizer(nlp.vocab)

    return factory


def config_overrides(settings: NlpSettings) -> dict[str, Any]:
    """Skip building the default tokenizer when the pipeline brings its own saved one."""
    folder = pipeline_dir(Path(settings.model.path))
    if not (folder / "config.cfg").is_file() or not (folder / "tokenizer").is_file():
        return {}
    config = spacy.util.load_config(folder / "config.cfg", interpolate=False)
    if config["nlp"].get("tokenizer", {}).get("@tokenizers") != DEFAULT_TOKENIZER:
        return {}
    return {"nlp": {"tokenizer": {"@tokenizers": "nl_entities.SavedTokenizer.v1"}}}


def load(settings: NlpSettings) -> Language:
    """Load the model with only what the tables need, and make sure it splits sentences."""
    name = settings.model.name
    nlp = spacy.load(
        name,
        exclude=[] if settings.with_tags else list(TAG_COMPONENTS),
        config=config_overrides(settings),
    )
    if not settings.with_tags:
        for component in TAG_COMPONENTS:
            if component in nlp.pipe_names:
                nlp.disable_pipe(component)
    # Sentences: the parser is slow and only used here for boundaries; a senter does the job.
    if "senter" in nlp.component_names and "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
        if "parser" in nlp.pipe_names:
            nlp.disable_pipe("parser")
    if not any(c in nlp.pipe_names for c in SENTENCE_COMPONENTS):
        nlp.add_pipe("sentencizer", first=True)
    return nlp


_CACHE: dict[NlpSettings, Language] = {}


def get_nlp(settings: NlpSettings) -> Language:
    """The loaded model for these settings, loaded once per process."""
    nlp = _CACHE.get(settings)
    if nlp is None:
        _CACHE.clear()
        nlp = _CACHE[settings] = load(settings)
        warm(nlp)
    return nlp


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))


#: Longest piece of an article one Doc holds, when the run sets no ``chunk_chars``. A Doc's
#: memory grows with its length (one of 1,000,000 characters, the model's ``max_length``, took
#: 2.5 GB in the model and 7 GB in the worker), so a longer article is cut; 100,000 characters
#: is about 16,000 words, longer than news articles are, whose results stay those of one Doc.
CHUNK_CHARS = 100_000
#: Characters that go through the model at once (one ``nlp.pipe`` call): a batch of ordinary
#: articles (``--batch-words``, about 130,000 characters) in one call, a long article's pieces
#: two at a time, so what the model holds is bounded by this, not by the article.
PIPE_CHARS = 2 * CHUNK_CHARS


def chunks(text: str, limit: int) -> list[tuple[int, str]]:
    """(offset, piece) covering ``text``, each at most ``limit`` characters, cut at the best
    boundary available: blank line, line end, sentence end, any white space, else hard."""
    return list(iter_chunks(text, limit))


def iter_chunks(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """:func:`chunks` one piece at a time, so a long article is never copied whole."""
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in _BREAKS:
            ends = [m.end() for m in pattern.finditer(window) if m.end() < len(window)]
            if ends and ends[-1] > limit // 4:
                cut = ends[-1]
                break
        if cut <= 0:
            cut = limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def _groups(pieces: Iterable[tuple[str, Any]], budget: int) -> Iterator[list[tuple[str, Any]]]:
    """Consecutive pieces, as many as fit in ``budget`` characters (at least one)."""
    group: list[tuple[str, Any]] = []
    size = 0
    for piece in pieces:
        if group and size + len(piece[0]) > budget:
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece[0])
    if group:
        yield group


TOKEN_COLUMNS = (
    "article_id",
    "sent_idx",
    "token_idx",
    "text",
    "start_char",
    "end_char",
    "whitespace",
    "is_punct",
    "lemma",
    "pos",
)
MENTION_COLUMNS = (
    "article_id",
    "mention_idx",
    "sent_idx",
    "start_char",
    "end_char",
    "text",
    "label",
    "type",
    "entity_id",
    "model",
)
_ATTRS = [IDX, LENGTH, IS_SPACE, IS_PUNCT, SENT_START, SPACY]


TokenSink = Callable[[dict[str, Any]], None]


def annotate(
    nlp: Language,
    articles: list[Article],
    model_name: str,
    chunk_chars: int | None = None,
    on_tokens: TokenSink | None = None,
):
    """Token and mention columns for ``articles``, plus per-article token and sentence counts.

    Token columns are cut from ``Doc.to_array`` with numpy rather than by visiting Token
    objects, and token texts are sliced from the input text (``Doc.text`` would rebuild it
    token by token). White-space tokens are left out; a sentence counts when it has a
    non-space token.

    ``chunk_chars``: cut articles longer than this (default :data:`CHUNK_CHARS`, at most the
    model's ``max_length``). ``on_tokens``: called with each piece's token columns as soon as
    they are made, so a long article's tokens are never held at once (the worker writes them
    to Parquet); the token columns returned are then None.
    """
    limit = min(chunk_chars or CHUNK_CHARS, nlp.max_length)
    pieces = (
        (piece, (i, offset, piece)) for i, a in enumerate(articles) for offset, piece in iter_chunks(a.text, limit)
    )
    tok: dict[str, list] = {k: [] for k in TOKEN_COLUMNS}
    men: dict[str, list] = {k: [] for k in MENTION_COLUMNS}
    n_tokens = [0] * len(articles)
    n_sents = [0] * len(articles)
    # per article: start, end, sent, text, label, type, initial
    pending: list[tuple[int, int, int, str, str, str, bool]] = []
    current = -1
    names: Found = {}  # the article's names so far, for the repeats rule across its pieces
    tags = any(c in nlp.pipe_names for c in TAG_COMPONENTS)

    def flush(i: int) -> None:
        if i < 0 or not pending:
            return
        types = harmonise([Mention(p[3], p[5], p[6]) for p in pending])
        ids = resolve_article([(p[3], t) for p, t in zip(pending, types, strict=True)])
        aid = articles[i].article_id
        for k, ((start, end, sent, text, label, _, _), type_, eid) in enumerate(zip(pending, types, ids, strict=True)):
            for col, value in zip(men, (aid, k, sent, start, end, text, label, type_, eid, model_name), strict=True):
                men[col].append(value)
        pending.clear()

    docs = (d for group in _groups(pieces, PIPE_CHARS) for d in nlp.pipe(group, as_tuples=True, batch_size=len(group)))
    for doc, (i, offset, text) in docs:
        if i != current:
            flush(current)
            current, names = i, {}
        if len(doc) == 0:
            continue
        arr = doc.to_array(_ATTRS).astype(np.int64)
        keep = arr[:, 2] == 0
        starts_sentence = arr[:, 4] == 1
        starts_sentence[0] = True
        raw_sent = np.cumsum(starts_sentence) - 1
        uniq, dense = np.unique(raw_sent[keep], return_inverse=True)
        sent_of = np.full(len(doc), -1, dtype=np.int64)
        sent_of[keep] = n_sents[i] + dense
        n_kept = int(keep.sum())
        start = arr[keep, 0]
        end = start + arr[keep, 1]
        part: dict[str, Any] = {
            "article_id": [articles[i].article_id] * n_kept,
            "sent_idx": sent_of[keep],
            "token_idx": np.arange(n_tokens[i], n_tokens[i] + n_kept),
            "text": [text[a:b] for a, b in zip(start.tolist(), end.tolist(), strict=True)],
            "start_char": start + offset,
            "end_char": end + offset,
            "whitespace": np.where(arr[keep, 5] == 1, " ", ""),
            "is_punct": arr[keep, 3] == 1,
        }
        if tags:
            kept_tokens = [t for t in doc if not t.is_space]
            part["lemma"] = [t.lemma_ or None for t in kept_tokens]
            part["pos"] = [t.pos_ or None for t in kept_tokens]
        else:
            part["lemma"] = part["pos"] = [None] * n_kept
        if on_tokens is None:
            for k, v in part.items():
                tok[k].append(v)
        else:
            on_tokens(part)
        n_tokens[i] += n_kept
        n_sents[i] += len(uniq)
        for m in doc_mentions(doc, nlp.tokenizer, names):
            sent_idx = int(sent_of[m.start]) if sent_of[m.start] >= 0 else n_sents[i] - 1
            pending.append((m.start_char + offset, m.end_char + offset, sent_idx, m.text, m.label, m.type, m.initial))
    flush(current)
    return (None if on_tokens else join_tokens(tok)), men, n_tokens, n_sents


def join_tokens(parts: dict[str, list]) -> dict[str, Any]:
    """One column each from the pieces' token columns (numpy arrays or lists)."""
    return {
        k: np.concatenate(v) if v and isinstance(v[0], np.ndarray) else [x for part in v for x in part]
        for k, v in parts.items()
    }
