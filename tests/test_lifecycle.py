"""Worker processes, signals, exit codes and usage checks: a run ends the way it says it does.

A worker that dies costs only the articles that kill it; SIGTERM stops a run like Ctrl-C and a
killed run leaves no process behind; bad use is a one-line error with a documented exit code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import spacy

from .conftest import PATTERNS, cli, dutch_articles, read_table, snapshot, write_jsonl
from .killer import MARKER


@pytest.fixture(scope="module")
def killer_model(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A ruler model with a component that SIGKILLs its process on the marker text, and the
    environment in which every process of a run finds that component (an entry point)."""
    from . import killer  # noqa: F401  (registers the factory here, to build the model)

    base = tmp_path_factory.mktemp("killer")
    dist = base / "site" / "nl_entities_test_killer-0.0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: nl-entities-test-killer\nVersion: 0.0.1\n")
    (dist / "entry_points.txt").write_text("[spacy_factories]\nworker_killer = tests.killer:make_worker_killer\n")
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("worker_killer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in PATTERNS])
    nlp.meta["name"], nlp.meta["version"] = "killer_fixture", "0.0.1"
    nlp.to_disk(base / "model")
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join([root, str(base / "site"), os.environ.get("PYTHONPATH", "")])
    return base / "model", {**os.environ, "PYTHONPATH": path}


def _with_killer(path: Path, n: int, killers: tuple[int, ...]) -> Path:
    rows = dutch_articles(n)
    for i in killers:
        rows[i]["text"] += f" {MARKER}"
    return write_jsonl(path, rows)


@pytest.mark.parametrize("engine", ["local"])
def test_an_article_that_kills_its_worker_is_a_reject_and_the_run_completes(tmp_path, killer_model, engine):
    model, env = killer_model
    inp = _with_killer(tmp_path / "in.jsonl", 10, killers=(4,))
    args = ["run", inp, "--model", model, "--workers", "2", "--batch-size", "3", "--engine", engine]
    proc = cli(*args, "--out", tmp_path / "out", env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    articles, rejects = read_table(tmp_path / "out", "articles"), read_table(tmp_path / "out", "rejects")
    assert sorted(articles.article_id) == [f"art-{i:05d}" for i in range(10) if i != 4]
    assert rejects[["article_id", "reason"]].values.tolist() == [["art-00004", "worker_died"]]
    assert "SIGKILL" in rejects.detail[0] and "memory" in rejects.detail[0]
    # its batch mates were processed alone, and hold what an undisturbed run gives them
    clean = write_jsonl(tmp_path / "clean.jsonl", [r for i, r in enumerate(dutch_articles(10)) if i != 4])
    cli("run", clean, "--model", model, "--workers", "1", "--out", tmp_path / "ref", env=env)
    ref, got = snapshot(tmp_path / "ref"), snapshot(tmp_path / "out")
    assert {k: v for k, v in got.items() if k != "rejects"} == {k: v for k, v in ref.items() if k != "rejects"}
    # a re-run meets the same article again and ends the same way
    proc = cli(*args, "--out", tmp_path / "out", env=env, check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert snapshot(tmp_path / "out") == got
