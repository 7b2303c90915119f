"""The project's own offline model is the default here and works end to end."""

from __future__ import annotations

import json
from pathlib import Path

import spacy

from pipeline.evaluate import evaluate_file
from pipeline.models import resolve_model

from .conftest import cli, read_table

ROOT = Path(__file__).resolve().parents[1]


def test_default_model_is_the_project_model_when_no_nl_core_news_is_installed():
    if any(spacy.util.is_package(f"nl_core_news_{s}") for s in ("lg", "md", "sm")):
        assert resolve_model(None).name.startswith("nl_core_news_")
    else:
        ref = resolve_model(None)
        assert ref.name == "nl_entities_ner" and ref.version
        assert spacy.load(ref.name).meta["license"] == "CC BY-SA 4.0"


def test_sample_corpus_with_the_project_model(tmp_path):
    out = tmp_path / "out"
    cli("run", ROOT / "data" / "sample", "--out", out, "--model", "nl_entities_ner", "--workers", "2")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["model"]["name"] == "nl_entities_ner"
    # 24 articles, and 14 more in data/sample/formats/ (one small file of every format)
    assert manifest["row_counts"]["articles"] == 38 and manifest["row_counts"]["rejects"] == 0
    mentions = read_table(out, "mentions")
    assert set(mentions["type"]) == {"PERSON", "PLACE", "ORGANISATION"}
    assert mentions.groupby("article_id").size().min() >= 3


def test_project_model_quality_on_the_sample_gold():
    scores = evaluate_file(ROOT / "models" / "data" / "sample_gold.jsonl", "nl_entities_ner")
    assert scores["documents"] == 24
    assert scores["micro"]["f1"] >= 0.6, scores["micro"]
