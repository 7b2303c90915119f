"""Stage 3, NLP: tokens, sentences and mentions for a batch of articles.

Which model runs is decided once (:func:`resolve_model`) and recorded in the manifest; each
worker process loads it once (:func:`get_nlp`) with only the components the tables need.
Articles longer than the model's ``max_length`` are cut on paragraph or sentence boundaries
and the chunk offsets added back, so every offset refers to the whole article text.
"""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import spacy
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START, SPACY
from spacy.language import Language

from .labels import mention_type
from .records import Article
from .resolve import harmonise_types, resolve_article

PREFERRED = ("nl_core_news_lg", "nl_core_news_md", "nl_core_news_sm")
PROJECT_MODEL = "nl_entities_ner"
PROJECT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / PROJECT_MODEL
GET_LG = "run `make model-lg` (needs network access to the spaCy model wheels) to install nl_core_news_lg"
#: Components that only add columns we do not write unless asked.
TAG_COMPONENTS = ("tagger", "morphologizer", "lemmatizer", "attribute_ruler", "trainable_lemmatizer")
SENTENCE_COMPONENTS = ("parser", "senter", "sentencizer")


class ModelError(Exception):
    """The requested model cannot be loaded (a usage error: exit code 2)."""


@dataclass(frozen=True)
class ModelRef:
    """What the manifest says of a model: ``name`` is what ``spacy.load`` accepts here."""

    name: str
    version: str
    path: str
    lang: str
    spacy_version: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class NlpSettings:
    model: ModelRef
    with_tags: bool = False
    chunk_chars: int | None = None  # None: the model's max_length

    def fingerprint(self) -> dict[str, Any]:
        return {"model": self.model.name, "model_version": self.model.version, "with_tags": self.with_tags}


def _installed(name: str) -> bool:
    return spacy.util.is_package(name)


def resolve_model(requested: str | None) -> ModelRef:
    """The model to run: the one asked for, else the best installed Dutch model."""
    if requested is None:
        candidates = [n for n in (*PREFERRED, PROJECT_MODEL) if _installed(n)]
        if not candidates and PROJECT_MODEL_DIR.exists():
            candidates = [str(PROJECT_MODEL_DIR)]
        if not candidates:
            raise ModelError(f"no Dutch model installed; run `make setup` (project model) or {GET_LG}")
        requested = candidates[0]
    path = Path(requested).expanduser()
    if path.exists():
        try:
            meta = spacy.util.load_meta(path / "meta.json")
        except (OSError, ValueError) as exc:
            raise ModelError(f"{requested}: not a spaCy pipeline folder ({exc})") from exc
        return ModelRef(
            name=str(path.resolve()),
            version=str(meta.get("version", "")),
            path=str(path.resolve()),
            lang=str(meta.get("lang", "")),
            spacy_version=str(meta.get("spacy_version", "")),
        )
    if not _installed(requested):
        hint = GET_LG if requested.startswith("nl_core_news") else "pass an installed package or a pipeline folder"
        raise ModelError(f"unknown model '{requested}': not installed here; {hint}")
    module = importlib.import_module(requested)
    model_path = Path(module.__file__).parent
    try:
        meta = spacy.util.load_meta(next(model_path.glob("*/meta.json")))
    except (StopIteration, OSError, ValueError):
        meta = {}
    return ModelRef(
        name=requested,
        version=str(meta.get("version", importlib.metadata.version(requested))),
        path=str(model_path),
        lang=str(meta.get("lang", "")),
        spacy_version=str(meta.get("spacy_version", "")),
    )


def advice(model: ModelRef) -> str | None:
    """What to tell the user when the model that ran is not nl_core_news_lg."""
    if model.name == "nl_core_news_lg":
        return None
    return f"model {model.name} ran, not nl_core_news_lg; for the reference model {GET_LG}"


def load(settings: NlpSettings) -> Language:
    """Load the model with only what the tables need, and make sure it splits sentences."""
    name = settings.model.name
    nlp = spacy.load(name, exclude=[] if settings.with_tags else list(TAG_COMPONENTS))
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
    return nlp


_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))


def chunks(text: str, limit: int) -> list[tuple[int, str]]:
    """(offset, piece) covering ``text``, each at most ``limit`` characters, cut at the best
    boundary available: blank line, line end, sentence end, any white space, else hard."""
    out = []
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
        out.append((start, text[start : start + cut]))
        start += cut
    out.append((start, text[start:]))
    return out


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


def annotate(nlp: Language, articles: list[Article], model_name: str, chunk_chars: int | None = None):
    """Token and mention columns for ``articles``, plus per-article token and sentence counts.

    Token columns are cut from ``Doc.to_array`` with numpy rather than by visiting Token
    objects, and token texts are sliced from the input text (``Doc.text`` would rebuild it
    token by token). White-space tokens are left out; a sentence counts when it has a
    non-space token.
    """
    limit = min(chunk_chars or nlp.max_length, nlp.max_length)
    pieces = [(piece, (i, offset, piece)) for i, a in enumerate(articles) for offset, piece in chunks(a.text, limit)]
    tok: dict[str, list] = {k: [] for k in TOKEN_COLUMNS}
    men: dict[str, list] = {k: [] for k in MENTION_COLUMNS}
    n_tokens = [0] * len(articles)
    n_sents = [0] * len(articles)
    pending: list[tuple[int, int, int, str, str, str]] = []  # per article: start, end, sent, text, label, type
    current = -1
    tags = any(c in nlp.pipe_names for c in TAG_COMPONENTS)

    def flush(i: int) -> None:
        if i < 0 or not pending:
            return
        types = harmonise_types([(p[3], p[5]) for p in pending])
        ids = resolve_article([(p[3], t) for p, t in zip(pending, types, strict=True)])
        aid = articles[i].article_id
        for k, ((start, end, sent, text, label, _), type_, eid) in enumerate(zip(pending, types, ids, strict=True)):
            for col, value in zip(men, (aid, k, sent, start, end, text, label, type_, eid, model_name), strict=True):
                men[col].append(value)
        pending.clear()

    for doc, (i, offset, text) in nlp.pipe(pieces, as_tuples=True, batch_size=64):
        if i != current:
            flush(current)
            current = i
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
        tok["article_id"].append([articles[i].article_id] * n_kept)
        tok["sent_idx"].append(sent_of[keep])
        tok["token_idx"].append(np.arange(n_tokens[i], n_tokens[i] + n_kept))
        tok["text"].append([text[a:b] for a, b in zip(start.tolist(), end.tolist(), strict=True)])
        tok["start_char"].append(start + offset)
        tok["end_char"].append(end + offset)
        tok["whitespace"].append(np.where(arr[keep, 5] == 1, " ", ""))
        tok["is_punct"].append(arr[keep, 3] == 1)
        if tags:
            kept_tokens = [t for t in doc if not t.is_space]
            tok["lemma"].append([t.lemma_ or None for t in kept_tokens])
            tok["pos"].append([t.pos_ or None for t in kept_tokens])
        else:
            tok["lemma"].append([None] * n_kept)
            tok["pos"].append([None] * n_kept)
        n_tokens[i] += n_kept
        n_sents[i] += len(uniq)
        for ent in doc.ents:
            type_ = mention_type(ent.label_, ent.text)
            if type_ is None:
                continue
            sent_idx = int(sent_of[ent.start]) if sent_of[ent.start] >= 0 else n_sents[i] - 1
            pending.append((ent.start_char + offset, ent.end_char + offset, sent_idx, ent.text, ent.label_, type_))
    flush(current)
    columns = {
        k: np.concatenate(v) if v and isinstance(v[0], np.ndarray) else [x for part in v for x in part]
        for k, v in tok.items()
    }
    return columns, men, n_tokens, n_sents
