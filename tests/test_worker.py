"""A worker turns a batch into staged tables; a model failure costs one article, not the run."""

from __future__ import annotations

import pyarrow.parquet as pq
import spacy
from spacy.language import Language

from pipeline.batches import Batch
from pipeline.models import NlpSettings, resolve_model
from pipeline.normalise import sha256_text
from pipeline.records import Article, Reject
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
