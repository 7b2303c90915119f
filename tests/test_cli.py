"""The command line end to end: table contract, accounting of bad input, re-runs, kills, locks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipeline import tables
from pipeline.schemas import SCHEMA_VERSION, SCHEMAS
from pipeline.store import OutputDir

from .conftest import ARTICLE, cli, dutch_articles, read_table, snapshot, write_jsonl

GOOD = 6  # good articles in the malformed folder


def build_malformed_folder(root: Path) -> dict[str, int]:
    """A folder with every kind of bad input; returns the expected reject count per reason."""
    root.mkdir()
    rows = dutch_articles(GOOD)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows[:4]]
    lines += [
        "{not json",
        '{"id": "big", "n": ' + "9" * 5000 + "}",  # past Python's 4,300-digit limit for int()
        "[" * 100_000,  # nested past the recursion limit
        json.dumps({"id": "no-text"}),
        json.dumps({"id": "num", "text": 12}),
        json.dumps({"id": "empty", "text": "   \n "}),
        json.dumps(
            {
                "id": "en",
                "text": "The government said on Tuesday that it would continue to support the "
                "country, and that the war is not over yet for the people there.",
            }
        ),
        json.dumps(rows[0], ensure_ascii=False),  # repeated record
        json.dumps({**rows[1], "text": rows[1]["text"] + " Nog een zin."}, ensure_ascii=False),  # conflicting id
        json.dumps({"id": "ctrl", "text": "Koersk\x00 ligt in\x07 Rusland en Andri Jermak zegt van wel."}),
        json.dumps({"id": "moji", "text": "Het OekraÃ¯ense leger rukt op naar Koersk, zegt Andri Jermak."}),
    ]
    (root / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "latin.csv").write_bytes(
        (
            f'id,title,published,text\ncsv-1,Café,2025-02-03,"{rows[4]["text"]} Het café in Liège – 10 € – was vol."\n'
        ).encode("cp1252")
    )
    (root / "000_dated.txt").write_text(" date 2025-01 " + rows[5]["text"] + "\n\nTussenkop\n\nSlot.", encoding="utf-8")
    (root / "plaatje.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (root / "notities.odt").write_bytes(b"PK\x03\x04 zip")
    return {
        "malformed_json": 3,
        "missing_text": 1,
        "text_not_string": 1,
        "empty_text": 1,
        "not_dutch": 1,
        "duplicate": 1,
        "conflicting_id": 1,
        "binary_file": 1,
        "unsupported_format": 1,
    }


@pytest.fixture(scope="module")
def malformed_run(tmp_path_factory, ruler_model):
    base = tmp_path_factory.mktemp("malformed")
    expected = build_malformed_folder(base / "in")
    out = base / "out"
    proc = cli("run", base / "in", "--out", out, "--model", ruler_model, "--workers", "2", "--batch-size", "3")
    return base, out, expected, proc


def test_every_record_ends_in_articles_or_rejects(malformed_run):
    base, out, expected, proc = malformed_run
    manifest = json.loads((out / "manifest.json").read_text())
    records = sum(i["records"] for i in manifest["inputs"])
    articles, rejects = read_table(out, "articles"), read_table(out, "rejects")
    assert records == len(articles) + len(rejects) == 19
    assert len(articles) == GOOD + 2  # the control-character and mojibake articles are repaired, not rejected
    assert rejects["reason"].value_counts().to_dict() == expected
    assert rejects["detail"].str.len().min() > 5
    assert set(rejects.loc[rejects.reason == "duplicate", "article_id"]) == {"art-00000"}
    assert manifest["row_counts"]["articles"] == len(articles)


def test_table_contract(malformed_run):
    _, out, _, _ = malformed_run
    for name, schema in SCHEMAS.items():
        dataset = ds.dataset(out / name, format="parquet")
        assert dataset.schema.equals(schema, check_metadata=False), name
    articles = read_table(out, "articles").set_index("article_id")
    assert articles.index.is_unique
    tokens, mentions = read_table(out, "tokens"), read_table(out, "mentions")
    for aid, text in articles["text"].items():
        t = tokens[tokens.article_id == aid]
        assert all(text[s:e] == x for s, e, x in zip(t.start_char, t.end_char, t.text, strict=True))
        assert len(t) == articles.loc[aid, "n_tokens"]
        assert t.sent_idx.nunique() == articles.loc[aid, "n_sentences"]
    assert len(mentions) > 0
    for m in mentions.itertuples():
        assert articles.loc[m.article_id, "text"][m.start_char : m.end_char] == m.text
    assert set(mentions["type"]) <= {"PERSON", "PLACE", "ORGANISATION"}
    assert "Oekraïense" not in set(mentions.text)
    # repairs: the stored text is clean, dates parsed, cp1252 decoded
    assert "\x00" not in articles.loc["ctrl", "text"] and "Oekraïense" in articles.loc["moji", "text"]
    assert list(articles.loc["ctrl", "repairs"]) == ["control_chars"] and list(articles.loc["moji", "repairs"]) == [
        "mojibake"
    ]
    assert list(articles.loc["art-00000", "repairs"]) == []
    assert "Liège – 10 €" in articles.loc["csv-1", "text"]
    assert str(articles.loc["000_dated", "published"]) == "2025-01-01"
    assert "Tussenkop" in articles.loc["000_dated", "text"]


def test_manifest(malformed_run):
    _, out, _, _ = malformed_run
    m = json.loads((out / "manifest.json").read_text())
    assert m["model"]["name"] and m["model"]["version"] == "0.0.1" and m["model"]["path"]
    assert m["spacy_version"] and m["package"]["version"] and m["schema_version"] == SCHEMA_VERSION == 2
    assert m["run_id"] and m["started"] <= m["finished"]
    assert all(len(i["sha256"]) == 64 for i in m["inputs"])
    assert set(m["row_counts"]) == set(SCHEMAS)
    assert "make model-lg" in m["model_advice"]


def test_rerun_is_idempotent_and_processes_nothing_again(malformed_run, ruler_model):
    base, out, _, _ = malformed_run
    before = snapshot(out)
    cli("run", base / "in", "--out", out, "--model", ruler_model, "--workers", "1", "--batch-size", "3")
    assert snapshot(out) == before
    m = json.loads((out / "manifest.json").read_text())
    assert m["this_run"]["articles"] == 0 and m["this_run"]["already_published"] == GOOD + 2


def test_usage_errors_exit_2_with_one_line(tmp_path, ruler_model):
    proc = cli("run", tmp_path / "nope.jsonl", "--out", tmp_path / "o", check=False)
    assert proc.returncode == 2 and "no such input" in proc.stderr and "Traceback" not in proc.stderr
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(1))
    proc = cli("run", tmp_path / "a.jsonl", "--out", tmp_path / "o", "--model", "nl_core_news_xx", check=False)
    assert proc.returncode == 2 and "unknown model" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    proc = cli("run", "--out", tmp_path / "o", check=False)
    assert proc.returncode == 2
    a, o = tmp_path / "a.jsonl", tmp_path / "o"
    for args, message in [
        (["--scheduler", "tcp://127.0.0.1:8786"], "use it with --engine dask"),
        (["--with-tags"], "has no tagger or lemmatizer"),
        (["--out", a], "is a file"),
    ]:
        proc = cli("run", a, "--out", o, "--model", ruler_model, *args, check=False)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
    assert not o.exists()  # refused before anything was written


def test_a_model_that_fails_to_load_is_a_usage_error_not_a_dead_worker(tmp_path, ruler_model):
    broken = tmp_path / "broken"
    shutil.copytree(ruler_model, broken)
    (broken / "tokenizer").write_bytes(b"not a tokenizer")
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(3))
    proc = cli("run", tmp_path / "a.jsonl", "--out", tmp_path / "o", "--model", broken, "--workers", "2", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"model {broken.resolve()} could not be loaded" in proc.stderr.splitlines()[-1]


def test_second_concurrent_run_is_refused(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(3))
    out = tmp_path / "out"
    with OutputDir(out).lock():
        proc = cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, check=False)
    assert proc.returncode == 3 and "another nl-entities run" in proc.stderr
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    assert len(read_table(out, "articles")) == 3


def test_runs_that_add_articles_update_the_tables(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(5))
    write_jsonl(tmp_path / "b.jsonl", dutch_articles(5, start=5))
    out, ref = tmp_path / "o'brien's [out]", tmp_path / "ref"  # quote and glob characters in the path (SQL)
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    ids_before = set(read_table(out, "entities").entity_id)
    cli("run", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    cli("run", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--out", ref, "--model", ruler_model, "--workers", "2")
    assert snapshot(out) == snapshot(ref)
    assert ids_before <= set(read_table(out, "entities").entity_id)
    assert len(read_table(out, "articles")) == 10


def test_a_run_with_another_model_is_refused_unless_replace(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(3))
    write_jsonl(tmp_path / "b.jsonl", dutch_articles(2, start=3))
    out = tmp_path / "out"
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    # the same model (name and version) from another folder is the same model: articles are added
    same = tmp_path / "copy-of-ruler"
    shutil.copytree(ruler_model, same)
    cli("run", tmp_path / "b.jsonl", "--out", out, "--model", same, "--workers", "1")
    assert len(read_table(out, "articles")) == 5
    before = snapshot(out)
    # a folder retrained under the same meta name and version is another model
    retrained = tmp_path / "retrained"
    shutil.copytree(ruler_model, retrained)
    patterns = next(retrained.glob("entity_ruler/*.jsonl"))
    patterns.write_text(patterns.read_text() + '{"label": "ORG", "pattern": "Testkrant"}\n')
    proc = cli("run", tmp_path / "b.jsonl", "--out", out, "--model", retrained, "--workers", "1", check=False)
    assert proc.returncode == 2 and "--replace" in proc.stderr
    newer = tmp_path / "ruler-0.0.2"
    shutil.copytree(ruler_model, newer)
    meta = json.loads((newer / "meta.json").read_text())
    (newer / "meta.json").write_text(json.dumps({**meta, "version": "0.0.2"}))
    proc = cli("run", tmp_path / "b.jsonl", "--out", out, "--model", newer, "--workers", "1", check=False)
    assert proc.returncode == 2 and "--replace" in proc.stderr and "'0.0.1' -> '0.0.2'" in proc.stderr
    assert snapshot(out) == before  # nothing replaced
    cli("run", tmp_path / "b.jsonl", "--out", out, "--model", newer, "--workers", "1", "--replace")
    assert sorted(read_table(out, "articles").article_id) == ["art-00003", "art-00004"]
    assert json.loads((out / "manifest.json").read_text())["model"]["version"] == "0.0.2"


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _staged_batches(out: Path) -> int:
    staging = out / ".nl-entities" / "staging"
    return (
        sum(1 for d in staging.iterdir() for b in d.iterdir() if not b.name.startswith(".")) if staging.exists() else 0
    )


def test_killed_run_then_rerun_gives_the_tables_of_one_clean_run(tmp_path, ruler_model):
    write_jsonl(tmp_path / "in.jsonl", dutch_articles(3000))
    out, ref = tmp_path / "out", tmp_path / "ref"
    args = ["run", tmp_path / "in.jsonl", "--model", ruler_model, "--workers", "1", "--batch-size", "20"]
    cli(*args, "--out", ref)
    staged_at_kill = []
    # kill during start-up, once a few batches are staged, and once many are
    for wait_for_batches in (0, 3, 40):
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", *map(str, args), "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline and _staged_batches(out) < wait_for_batches:
            time.sleep(0.01)
        assert proc.poll() is None, "the run finished before it could be killed"
        staged_at_kill.append(_staged_batches(out))
        _kill_group(proc)
    assert staged_at_kill[-1] >= 40, staged_at_kill
    cli(*args, "--out", out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["this_run"]["resumed_batches"] >= 40  # finished batches were not done again
    assert snapshot(out) == snapshot(ref)
    assert not any((out / ".nl-entities" / "staging").glob("*/*"))


def test_readers_never_see_a_half_written_table(tmp_path, ruler_model):
    """During a re-run, the published tables are the old ones until the new ones are complete."""
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(50))
    out = tmp_path / "out"
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    before = snapshot(out)
    write_jsonl(tmp_path / "b.jsonl", dutch_articles(1500, start=50))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "run",
            str(tmp_path / "a.jsonl"),
            str(tmp_path / "b.jsonl"),
            "--out",
            str(out),
            "--model",
            str(ruler_model),
            "--workers",
            "1",
            "--batch-size",
            "10",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    seen_sizes, reads = set(), 0
    while proc.poll() is None:
        # one version per look, as tables.load reads it: both tables from the same publish
        t = tables.load(out)
        n = len(t.articles)
        seen_sizes.add(n)
        reads += 1
        assert t.mentions.article_id.nunique() == n
        time.sleep(0.1)
    assert proc.returncode == 0
    assert reads >= 3, "the run ended before the tables could be read during it"
    assert seen_sizes <= {50, 1550}
    assert len(read_table(out, "articles")) == 1550
    assert before["articles"] == snapshot(out)["articles"][:50]


def test_an_open_reader_keeps_its_version_through_the_next_publish(tmp_path, ruler_model):
    """tables.load reads one version; a run publishing meanwhile does not pull it away."""
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(5))
    out = tmp_path / "out"
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    opened = tables.load(out)
    write_jsonl(tmp_path / "b.jsonl", dutch_articles(3, start=5))
    cli("run", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    assert len(opened.articles) == 5 and len(opened.mentions.article_id.unique()) == 5
    assert opened.sql("SELECT count(*) FROM articles").fetchall() == [(5,)]
    assert len(tables.load(out).articles) == 8


def test_text_of_the_sample_article_format(tmp_path, ruler_model):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "000_x.txt").write_text(" date 2025-01-05 " + ARTICLE, encoding="utf-8")
    cli("run", tmp_path / "in", "--out", tmp_path / "out", "--model", ruler_model, "--workers", "1")
    a = read_table(tmp_path / "out", "articles")
    assert a.article_id.tolist() == ["000_x"] and str(a.published[0]) == "2025-01-05"
    assert a.text[0] == ARTICLE


def test_a_text_over_the_article_limit_is_a_reject_and_the_rest_is_published(tmp_path, ruler_model):
    from pipeline.batches import MAX_ARTICLE_CHARS

    paragraph = ARTICLE + "\n\n"
    huge = paragraph * (MAX_ARTICLE_CHARS // len(paragraph) + 1)
    rows = dutch_articles(2)
    write_jsonl(tmp_path / "in.jsonl", [rows[0], {"id": "dump", "text": huge}, rows[1]])
    cli("run", tmp_path / "in.jsonl", "--out", tmp_path / "out", "--model", ruler_model, "--workers", "1")
    rejects = read_table(tmp_path / "out", "rejects")
    assert rejects[["article_id", "reason", "record"]].values.tolist() == [["dump", "too_long", "line 2"]]
    assert f"{len(huge):,} characters" in rejects.detail[0] and "split it" in rejects.detail[0]
    assert sorted(read_table(tmp_path / "out", "articles").article_id) == ["art-00000", "art-00001"]
    assert len(read_table(tmp_path / "out", "mentions")) > 0


def test_an_article_longer_than_max_length_is_chunked_with_exact_offsets(tmp_path, ruler_model):
    import spacy

    limit = spacy.blank("nl").max_length
    paragraph = ARTICLE + "\n\n"
    text = paragraph * (limit // len(paragraph) + 20)
    assert len(text) > limit
    write_jsonl(tmp_path / "long.jsonl", [{"id": "long", "text": text}])
    cli("run", tmp_path / "long.jsonl", "--out", tmp_path / "out", "--model", ruler_model, "--workers", "1")
    stored = read_table(tmp_path / "out", "articles").text[0]
    assert stored == text.strip()
    mentions = read_table(tmp_path / "out", "mentions")
    assert len(mentions) > 0 and mentions.start_char.max() > limit
    assert all(stored[s:e] == t for s, e, t in zip(mentions.start_char, mentions.end_char, mentions.text, strict=True))
    tokens = read_table(tmp_path / "out", "tokens")
    assert tokens.token_idx.is_monotonic_increasing and tokens.end_char.max() == len(stored)
