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

import spacy
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


def annotate(nlp: Language, articles: list[Article], model_name: str, chunk_chars: int | None = None):
    """Token and mention columns for ``articles``, plus per-article token and sentence counts."""
    limit = min(chunk_chars or nlp.max_length, nlp.max_length)
    pieces = [(piece, (i, offset)) for i, a in enumerate(articles) for offset, piece in chunks(a.text, limit)]
    tok: dict[str, list] = {
        k: []
        for k in (
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
    }
    men: dict[str, list] = {
        k: []
        for k in (
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
    }
    n_tokens = [0] * len(articles)
    n_sents = [0] * len(articles)
    pending: list[tuple[int, int, int, str, str, str]] = []  # per article: start, end, sent, text, label, type
    current = -1
    tags = any(c in nlp.pipe_names for c in TAG_COMPONENTS)

    def flush(i: int) -> None:
        if i < 0 or not pending:
            return
        types = harmonise_types([(p[3], p[5]) for p in pending])
        pending[:] = [(*p[:5], t) for p, t in zip(pending, types, strict=True)]
        ids = resolve_article([(p[3], p[5]) for p in pending])
        aid = articles[i].article_id
        for k, ((start, end, sent, text, label, type_), eid) in enumerate(zip(pending, ids, strict=True)):
            for col, value in zip(men, (aid, k, sent, start, end, text, label, type_, eid, model_name), strict=True):
                men[col].append(value)
        pending.clear()

    sent_of_token: dict[int, int] = {}
    for doc, (i, offset) in nlp.pipe(pieces, as_tuples=True, batch_size=64):
        if i != current:
            flush(current)
            current = i
        aid = articles[i].article_id
        sent = n_sents[i] - 1
        in_sentence = False
        sent_of_token.clear()
        for t in doc:
            if t.is_sent_start:
                in_sentence = False
            if t.is_space:
                continue
            if not in_sentence:
                sent += 1
                in_sentence = True
            sent_of_token[t.i] = sent
            tok["article_id"].append(aid)
            tok["sent_idx"].append(sent)
            tok["token_idx"].append(n_tokens[i])
            tok["text"].append(t.text)
            tok["start_char"].append(t.idx + offset)
            tok["end_char"].append(t.idx + len(t.text) + offset)
            tok["whitespace"].append(t.whitespace_)
            tok["is_punct"].append(t.is_punct)
            tok["lemma"].append(t.lemma_ or None if tags else None)
            tok["pos"].append(t.pos_ or None if tags else None)
            n_tokens[i] += 1
        n_sents[i] = sent + 1
        for ent in doc.ents:
            text = ent.text
            type_ = mention_type(ent.label_, text)
            if type_ is None:
                continue
            sent_idx = sent_of_token.get(ent.start, max(sent, 0))
            pending.append((ent.start_char + offset, ent.end_char + offset, sent_idx, text, ent.label_, type_))
    flush(current)
    return tok, men, n_tokens, n_sents
