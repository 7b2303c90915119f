"""``nl-entities evaluate``: score people/places/organisations against gold data.

Predictions go through the same NLP stage as ``run`` (:func:`pipeline.nlp.annotate`: same
model loading, chunking, label mapping and filters), so the scores describe the tables.
Matching is exact: a predicted span counts only with the gold start, end and type.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from .models import NlpSettings, resolve_model
from .nlp import annotate, load
from .normalise import sha256_text
from .records import Article
from .registry import Registry
from .schemas import TYPES

GoldDoc = tuple[str, set[tuple[int, int, str]]]
#: Gold labels (CoNLL and ours) -> reported type; MISC and others are ignored.
GOLD_TYPES = {
    "PER": "PERSON",
    "PERSON": "PERSON",
    "LOC": "PLACE",
    "GPE": "PLACE",
    "PLACE": "PLACE",
    "ORG": "ORGANISATION",
    "ORGANISATION": "ORGANISATION",
    "ORGANIZATION": "ORGANISATION",
}


class GoldError(Exception):
    """The gold file cannot be read."""


def _gold_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise GoldError(f"{path}: not UTF-8 text (byte {exc.start}); save the gold file as UTF-8") from exc


GoldReader = Callable[[Path], list[GoldDoc]]
GOLD_READERS: Registry[GoldReader] = Registry()


@GOLD_READERS.register(".jsonl", ".json")
def read_jsonl_gold(path: Path) -> list[GoldDoc]:
    docs = []
    for n, line in enumerate(_gold_lines(path), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            text = obj["text"]
            ents = {(int(s), int(e), GOLD_TYPES[t]) for s, e, t in obj.get("entities", []) if t in GOLD_TYPES}
        except (ValueError, KeyError, TypeError) as exc:
            raise GoldError(f"{path}: line {n}: expected {{'text', 'entities': [[start, end, type]]}} ({exc})") from exc
        for s, e, _ in ents:
            if not (0 <= s < e <= len(text)):
                raise GoldError(f"{path}: line {n}: span {s}-{e} outside the text")
        docs.append((text, ents))
    return docs


@GOLD_READERS.register(".conll", ".iob", ".bio", ".txt", ".tsv")
def read_conll_gold(path: Path) -> list[GoldDoc]:
    """CoNLL IOB: ``word ... tag`` a line, blank lines between sentences, -DOCSTART- between documents.

    Each document's text is its sentences' words joined by spaces, one sentence a line.
    IOB1 and IOB2 are both read: an I- tag after O or another type starts an entity.
    """
    docs: list[GoldDoc] = []
    text_parts: list[str] = []
    ents: set[tuple[int, int, str]] = set()
    sentence: list[tuple[str, str]] = []

    def end_sentence() -> None:
        nonlocal sentence
        if not sentence:
            return
        pos = sum(len(p) for p in text_parts)
        if text_parts:
            text_parts.append("\n")
            pos += 1
        words, start, current = [], None, None
        for i, (word, tag) in enumerate(sentence):
            prefix, _, label = tag.partition("-")
            begins = prefix == "B" or (prefix == "I" and label != current)
            if current is not None and (prefix == "O" or begins):
                if current in GOLD_TYPES:
                    ents.add((start, pos - 1, GOLD_TYPES[current]))
                current = None
            if prefix in ("B", "I") and begins:
                start, current = pos, label
            words.append(word)
            pos += len(word) + (1 if i < len(sentence) - 1 else 0)
        if current is not None and current in GOLD_TYPES:
            ents.add((start, pos, GOLD_TYPES[current]))
        text_parts.append(" ".join(words))
        sentence = []

    def end_doc() -> None:
        nonlocal text_parts, ents
        end_sentence()
        if text_parts:
            docs.append(("".join(text_parts), ents))
        text_parts, ents = [], set()

    for n, line in enumerate(_gold_lines(path), start=1):
        cols = line.split()
        if not cols:
            end_sentence()
            continue
        if cols[0] == "-DOCSTART-":
            end_doc()
            continue
        tag = cols[-1]
        if len(cols) < 2 or not (tag == "O" or tag[:2] in ("B-", "I-")):
            raise GoldError(f"{path}: line {n}: expected 'word ... tag' with an IOB tag, got {line!r}")
        sentence.append((cols[0], tag))
    end_doc()
    return docs


def read_gold(path: Path) -> list[GoldDoc]:
    reader = GOLD_READERS.get(path.suffix.lower())
    if reader is None:
        raise GoldError(f"{path}: unknown gold format; use one of {', '.join(sorted(GOLD_READERS))}")
    return reader(path)


def score(gold: list[set], predicted: list[set]) -> dict:
    """P/R/F per type and micro-averaged, exact span match."""
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in TYPES}
    for g, p in zip(gold, predicted, strict=True):
        for t in TYPES:
            gt = {e for e in g if e[2] == t}
            pt = {e for e in p if e[2] == t}
            counts[t]["tp"] += len(gt & pt)
            counts[t]["fp"] += len(pt - gt)
            counts[t]["fn"] += len(gt - pt)

    def prf(c: dict) -> dict:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {**c, "support": c["tp"] + c["fn"], "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}

    micro = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    return {"per_type": {t: prf(c) for t, c in counts.items()}, "micro": prf(micro)}


def predict(settings: NlpSettings, texts: list[str]) -> list[set[tuple[int, int, str]]]:
    nlp = load(settings)
    articles = [Article(article_id=str(i), text=t, text_sha256=sha256_text(t)) for i, t in enumerate(texts)]
    _, men, _, _ = annotate(nlp, articles, settings.model.name, settings.chunk_chars)
    out: list[set] = [set() for _ in texts]
    for aid, s, e, t in zip(men["article_id"], men["start_char"], men["end_char"], men["type"], strict=True):
        out[int(aid)].add((s, e, t))
    return out


def evaluate_file(gold_path: Path, model: str | None) -> dict:
    docs = read_gold(gold_path)
    ref = resolve_model(model)
    predicted = predict(NlpSettings(ref), [text for text, _ in docs])
    result = score([g for _, g in docs], predicted)
    return {"gold": str(gold_path), "documents": len(docs), "model": ref.as_dict(), **result}


def format_table(scores: dict) -> str:
    lines = [
        f"model: {scores['model']['name']} {scores['model']['version']}   gold: {scores['gold']} "
        f"({scores['documents']} documents)",
        "",
        f"{'type':<14}{'P':>8}{'R':>8}{'F':>8}{'support':>9}",
    ]
    rows = [*scores["per_type"].items(), ("micro", scores["micro"])]
    for name, s in rows:
        lines.append(f"{name:<14}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['support']:>9}")
    return "\n".join(lines)
