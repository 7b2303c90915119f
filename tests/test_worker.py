"""A worker turns a batch into staged tables; a model failure costs one article, not the run."""

from __future__ import annotations

import pyarrow.parquet as pq
import spacy
from spacy.language import Language

from pipeline import nlp as nlp_module
from pipeline import worker
from pipeline.batches import Batch
from pipeline.models import NlpSettings, resolve_model
from pipeline.normalise import sha256_text
from pipeline.records import Article, Reject
from pipeline.schemas import SCHEMAS
from pipeline.worker import process_batch


@Language.component("explode_on_boem")
def explode_on_boem(doc):
    if "BOEM" in doc.text:
        raise ValueError("model failure on purpose")
    return doc


def art(aid: str, text: str) -> Article:
    return Article(article_id=aid, text=text, text_sha256=sha256_text(text), input="in.jsonl", record=f"line {aid}")


def test_a_failing_article_becomes_a_reject_and_the_rest_is_kept(tmp_path):
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("explode_on_boem")
    nlp.to_disk(tmp_path / "model")
    settings = NlpSettings(resolve_model(str(tmp_path / "model")))
    batch = Batch(
        "k1",
        [art("1", "Een gewone zin."), art("2", "Hier gaat het BOEM mis."), art("3", "Nog een zin.")],
        [Reject("in.jsonl", "line 9", "empty_text", "text is empty after cleaning")],
    )
    result = process_batch(batch, settings, str(tmp_path))
    assert (result.articles, result.rejects) == (2, 2)
    articles = pq.read_table(tmp_path / "k1" / "articles.parquet").to_pylist()
    rejects = pq.read_table(tmp_path / "k1" / "rejects.parquet").to_pylist()
    assert [a["article_id"] for a in articles] == ["1", "3"]
    assert [a["n_tokens"] for a in articles] == [4, 4]
    assert {r["reason"] for r in rejects} == {"empty_text", "processing_error"}
    failed = next(r for r in rejects if r["reason"] == "processing_error")
    assert failed["article_id"] == "2" and "model failure on purpose" in failed["detail"]


def _blank_model(tmp_path) -> NlpSettings:
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("explode_on_boem")
    nlp.to_disk(tmp_path / "model")
    return NlpSettings(resolve_model(str(tmp_path / "model")))


def test_tokens_are_staged_in_row_groups_as_they_are_made(tmp_path, monkeypatch):
    """A long article's tokens go to the staged part group by group (memory: a group, not the
    article); the part is one table of the tokens schema, its rows those of the articles."""
    monkeypatch.setattr(nlp_module, "CHUNK_CHARS", 500)  # the defaults made small: little text needed
    monkeypatch.setattr(worker, "TOKEN_ROW_GROUP", 50)
    text = " ".join(f"Zin nummer {i} gaat over Koersk." for i in range(300))
    batch = Batch("k2", [art("long", text), art("kort", "Een gewone zin.")])
    result = process_batch(batch, _blank_model(tmp_path), str(tmp_path))
    part = pq.ParquetFile(tmp_path / "k2" / "tokens.parquet")
    assert part.metadata.num_row_groups > 10 and part.schema_arrow.equals(SCHEMAS["tokens"])
    tokens = part.read().to_pylist()
    articles = {a["article_id"]: a for a in pq.read_table(tmp_path / "k2" / "articles.parquet").to_pylist()}
    assert result.tokens == len(tokens) == sum(a["n_tokens"] for a in articles.values())
    for aid, source in (("long", text), ("kort", "Een gewone zin.")):
        rows = [t for t in tokens if t["article_id"] == aid]
        assert [t["token_idx"] for t in rows] == list(range(articles[aid]["n_tokens"]))
        assert all(source[t["start_char"] : t["end_char"]] == t["text"] for t in rows)
        assert rows[-1]["sent_idx"] + 1 == articles[aid]["n_sentences"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing left aside


def test_a_failed_batch_leaves_no_tokens_of_its_first_try(tmp_path, monkeypatch):
    monkeypatch.setattr(worker, "TOKEN_ROW_GROUP", 2)  # the first try writes rows before it fails
    batch = Batch("k3", [art("1", "Een gewone zin."), art("2", "Hier gaat het BOEM mis."), art("3", "Nog een zin.")])
    process_batch(batch, _blank_model(tmp_path), str(tmp_path))
    tokens = pq.read_table(tmp_path / "k3" / "tokens.parquet").to_pylist()
    assert [(t["article_id"], t["token_idx"]) for t in tokens] == [(a, i) for a in "13" for i in range(4)]
