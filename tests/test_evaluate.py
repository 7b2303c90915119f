"""`nl-entities evaluate`: gold formats, exact-match scores, same mapping as `run`."""

from __future__ import annotations

import json

import pytest

from pipeline.evaluate import GoldError, read_gold, score

from .conftest import cli

CONLL = """-DOCSTART- -X- O
Andri B-PER
Jermak I-PER
was O
in O
Koersk B-LOC
. O

Telegram B-ORG
meldde O
het O
WK B-MISC
. O

-DOCSTART- -X- O
Jan B-PER
van I-PER
der I-PER
Berg I-PER
sprak O
in O
Oekraïense O
steden O
over O
Gent I-LOC
. O
"""


def test_conll_reader_builds_text_and_spans(tmp_path):
    p = tmp_path / "gold.conll"
    p.write_text(CONLL, encoding="utf-8")
    docs = read_gold(p)
    assert len(docs) == 2
    text, ents = docs[0]
    assert text == "Andri Jermak was in Koersk .\nTelegram meldde het WK ."
    assert {(text[s:e], t) for s, e, t in ents} == {
        ("Andri Jermak", "PERSON"),
        ("Koersk", "PLACE"),
        ("Telegram", "ORGANISATION"),
    }
    text, ents = docs[1]
    # IOB1: an I- tag after O starts an entity
    assert {(text[s:e], t) for s, e, t in ents} == {("Jan van der Berg", "PERSON"), ("Gent", "PLACE")}


def test_bad_gold_is_a_clear_error(tmp_path):
    p = tmp_path / "gold.conll"
    p.write_text("Jan X-PER\n", encoding="utf-8")
    with pytest.raises(GoldError, match="line 1"):
        read_gold(p)
    q = tmp_path / "gold.jsonl"
    q.write_text('{"text": "abc", "entities": [[0, 10, "PER"]]}\n', encoding="utf-8")
    with pytest.raises(GoldError, match="outside"):
        read_gold(q)
    latin = tmp_path / "latin.conll"
    latin.write_bytes("Liège B-LOC\n".encode("cp1252"))
    with pytest.raises(GoldError, match="not UTF-8"):
        read_gold(latin)


def test_score_is_exact_match_per_type_and_micro():
    gold = [{(0, 5, "PERSON"), (10, 15, "PLACE")}]
    pred = [{(0, 5, "PERSON"), (10, 14, "PLACE"), (20, 25, "ORGANISATION")}]
    s = score(gold, pred)
    assert s["per_type"]["PERSON"]["f1"] == 1.0
    assert s["per_type"]["PLACE"]["recall"] == 0.0
    assert s["micro"]["tp"] == 1 and s["micro"]["fp"] == 2 and s["micro"]["fn"] == 1
    assert s["micro"]["precision"] == pytest.approx(1 / 3, abs=1e-4)
    assert s["micro"]["f1"] == pytest.approx(0.4, abs=1e-4)


def test_evaluate_command_on_jsonl_and_conll(tmp_path, ruler_model):
    text = "Andri Jermak schreef op Telegram over Koersk en de Oekraïense troepen. Donald Trump zweeg."
    gold = [
        [0, 12, "PERSON"],
        [24, 32, "ORGANISATION"],
        [38, 44, "PLACE"],
        [71, 83, "PERSON"],
        [51, 61, "PLACE"],
    ]  # the last is wrong on purpose: a demonym, which the pipeline drops
    p = tmp_path / "gold.jsonl"
    p.write_text(json.dumps({"text": text, "entities": gold}, ensure_ascii=False) + "\n", encoding="utf-8")
    proc = cli("evaluate", p, "--model", ruler_model, "--json", tmp_path / "s.json")
    assert "micro" in proc.stdout and "PERSON" in proc.stdout
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["micro"]["tp"] == 4 and s["micro"]["fp"] == 0 and s["micro"]["fn"] == 1
    assert s["per_type"]["PLACE"]["recall"] == 0.5
    c = tmp_path / "gold.conll"
    c.write_text(CONLL, encoding="utf-8")
    cli("evaluate", c, "--model", ruler_model, "--json", tmp_path / "c.json")
    s2 = json.loads((tmp_path / "c.json").read_text())
    # the ruler knows Andri Jermak, Koersk, Telegram, Jan van der Berg; not Gent, which the
    # post-processing adds as a listed place, as it does in run
    assert s2["micro"]["tp"] == 5 and s2["micro"]["fn"] == 0 and s2["micro"]["fp"] == 0


def test_evaluate_usage_errors(tmp_path):
    proc = cli("evaluate", tmp_path / "nope.jsonl", check=False)
    assert proc.returncode == 2 and "no such gold file" in proc.stderr
    p = tmp_path / "gold.xml"
    p.write_text("<x/>")
    proc = cli("evaluate", p, check=False)
    assert proc.returncode == 2 and "unknown gold format" in proc.stderr
