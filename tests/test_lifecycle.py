"""Worker processes, signals, exit codes and usage checks: a run ends the way it says it does.

A worker that dies costs only the articles that kill it; SIGTERM stops a run like Ctrl-C and a
killed run leaves no process behind; bad use is a one-line error with a documented exit code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil  # installed with dask.distributed
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


def test_an_article_that_kills_its_worker_is_a_reject_and_the_run_completes(tmp_path, killer_model):
    model, env = killer_model
    inp = _with_killer(tmp_path / "in.jsonl", 10, killers=(4,))
    args = ["run", inp, "--model", model, "--workers", "2", "--batch-size", "3"]
    proc = cli(*args, "--out", tmp_path / "out", env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    articles, rejects = read_table(tmp_path / "out", "articles"), read_table(tmp_path / "out", "rejects")
    assert sorted(articles.article_id) == [f"art-{i:05d}" for i in range(10) if i != 4]
    assert rejects[["article_id", "reason"]].values.tolist() == [["art-00004", "worker_died"]]
    assert "killed by SIGKILL" in rejects.detail[0] and "memory" in rejects.detail[0]
    # its batch mates were processed alone, and hold what an undisturbed run gives them
    clean = write_jsonl(tmp_path / "clean.jsonl", [r for i, r in enumerate(dutch_articles(10)) if i != 4])
    cli("run", clean, "--model", model, "--workers", "1", "--out", tmp_path / "ref", env=env)
    ref, got = snapshot(tmp_path / "ref"), snapshot(tmp_path / "out")
    assert {k: v for k, v in got.items() if k != "rejects"} == {k: v for k, v in ref.items() if k != "rejects"}
    # a re-run meets the same article again and ends the same way
    proc = cli(*args, "--out", tmp_path / "out", env=env, check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert snapshot(tmp_path / "out") == got


def test_an_article_that_kills_its_dask_worker_is_a_reject(tmp_path, killer_model):
    model, env = killer_model
    # Dask gives up on a task (KilledWorker) once it has killed 1 + allowed-failures workers
    # (3 by default, each a worker restart of seconds); what the engine does then is the same
    env = {**env, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    inp = _with_killer(tmp_path / "in.jsonl", 4, killers=(2,))
    args = ["run", inp, "--model", model, "--workers", "1", "--batch-size", "2", "--engine", "dask"]
    proc = cli(*args, "--out", tmp_path / "out", env=env, check=False)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    articles, rejects = read_table(tmp_path / "out", "articles"), read_table(tmp_path / "out", "rejects")
    assert sorted(articles.article_id) == ["art-00000", "art-00001", "art-00003"]
    assert rejects[["article_id", "reason"]].values.tolist() == [["art-00002", "worker_died"]]


# -- usage errors: one line, exit 2 ---------------------------------------------------------


def _one_line_error(proc, code: int, message: str) -> None:
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr and "╭" not in proc.stderr, proc.stderr
    assert lines[-1].startswith("nl-entities: error: ") and message in lines[-1], proc.stderr
    assert [line for line in lines if "error" in line] == [lines[-1]], proc.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--bogus"], "No such option: --bogus"),
        (["--workers", "two"], "'--workers'"),
        ([], "Missing option '--out'"),
        (["--out", ""], "an empty path"),
    ],
)
def test_bad_options_are_one_line_usage_errors(tmp_path, args, message):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(1))
    out = [] if "--out" in args or not args else ["--out", tmp_path / "o"]
    proc = cli("run", tmp_path / "a.jsonl", *out, *args, check=False)
    _one_line_error(proc, 2, message)
    assert not (tmp_path / "o").exists()


def test_an_empty_input_path_is_a_usage_error(tmp_path):
    _one_line_error(cli("run", "", "--out", tmp_path / "o", check=False), 2, "an empty path")


def test_out_that_is_or_holds_an_input_folder_is_a_usage_error(tmp_path, ruler_model):
    folder = tmp_path / "archief"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", dutch_articles(2))
    for out in (folder, tmp_path):
        proc = cli("run", folder, "--out", out, "--model", ruler_model, check=False)
        _one_line_error(proc, 2, "give an --out outside the inputs")
    _one_line_error(
        cli("run", folder / "a.jsonl", "--out", folder, "--model", ruler_model, check=False), 2, "holds the input"
    )
    assert not (folder / ".nl-entities").exists() and not (tmp_path / ".nl-entities").exists()
    # inside an input folder is still fine: it is not read as input
    cli("run", folder, "--out", folder / "out", "--model", ruler_model, "--workers", "1")
    assert len(read_table(folder / "out", "articles")) == 2


def test_an_input_folder_without_files_is_a_usage_error(tmp_path, ruler_model):
    """Not a run that completed: from cron, an unmounted share or a wrong path must be noticed.
    (A re-run whose articles are all published reads its files and completes with exit 0:
    test_cli.test_rerun_is_idempotent_and_processes_nothing_again.)"""
    empty, full = tmp_path / "leeg", tmp_path / "vol"
    empty.mkdir()
    (empty / ".hidden.jsonl").write_text("{}\n")
    full.mkdir()
    write_jsonl(full / "a.jsonl", dutch_articles(2))
    proc = cli("run", empty, full, "--out", tmp_path / "o", "--model", ruler_model, check=False)
    _one_line_error(proc, 2, f"no files to read in {empty}")
    assert not (tmp_path / "o").exists()


# -- an --out that cannot be written, a full disk ----------------------------------------------


def _cli_with(patch: str, *args, **kwargs):
    """The command, in a process where ``patch`` (Python) has replaced something first."""
    code = f"import sys\n{patch}\nfrom pipeline.cli import main\nsys.argv[0] = 'nl-entities'\nmain()\n"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, **kwargs)


def test_an_out_that_cannot_be_made_is_a_usage_error(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(1))
    (tmp_path / "notes.txt").write_text("x")
    for out in (tmp_path / "notes.txt" / "out", Path("/proc/nl-entities-test/out")):
        proc = cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, check=False)
        _one_line_error(proc, 2, "the folder cannot be made")


def test_unwritable_out_is_a_usage_error(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(1))
    for errno_name in ("EROFS", "EACCES"):
        patch = (
            "import errno, os, pipeline.store as store\n"
            "def lock(self):\n"
            f"    raise OSError(errno.{errno_name}, os.strerror(errno.{errno_name}), str(self.meta / 'lock'))\n"
            "store.OutputDir.lock = lock\n"
        )
        proc = _cli_with(patch, "run", tmp_path / "a.jsonl", "--out", tmp_path / "o", "--model", ruler_model)
        _one_line_error(proc, 2, "read-only" if errno_name == "EROFS" else "permission denied")
        assert str(tmp_path / "o" / ".nl-entities" / "lock") in proc.stderr


def test_a_full_disk_is_one_line_with_its_own_code_and_the_tables_stay(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(2))
    write_jsonl(tmp_path / "b.jsonl", dutch_articles(2, start=2))
    out = tmp_path / "o"
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    before = snapshot(out)
    # the disk fills up while the new version is built: what pyarrow raises then
    patch = (
        "import errno, pipeline.entities as entities\n"
        "def full(*args, **kwargs):\n"
        "    raise OSError(errno.ENOSPC, 'Error writing bytes to file. Detail: [errno 28] No space left on device')\n"
        "entities.build = full\n"
    )
    args = ["run", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--out", out, "--model", ruler_model]
    proc = _cli_with(patch, *args, "--workers", "1")
    _one_line_error(proc, 4, "the disk is full; the tables published before this run are intact")
    assert snapshot(out) == before


# -- signals: SIGTERM stops like Ctrl-C, and no process outlives the run -------------------------


def _start_and_wait_for_batches(args: list, out: Path, batches: int) -> tuple[subprocess.Popen, list]:
    """A run in its own process, once ``batches`` are staged; with its process tree by then."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *map(str, args), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    staging = out / ".nl-entities" / "staging"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if staging.is_dir() and sum(1 for d in staging.iterdir() for b in d.iterdir() if b.name[0] != ".") >= batches:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be signalled"
    tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    assert len(tree) >= 3, tree  # the run, the fork server, its workers
    return proc, tree


def _all_gone(tree: list, seconds: float = 30) -> list:
    """The processes of ``tree`` still running after a (generous) wait."""
    _, alive = psutil.wait_procs(tree, timeout=seconds)
    return alive


def test_sigterm_stops_like_ctrl_c_and_sigkill_leaves_no_orphans(tmp_path, ruler_model):
    write_jsonl(tmp_path / "in.jsonl", dutch_articles(600))
    args = ["run", tmp_path / "in.jsonl", "--model", ruler_model, "--workers", "2", "--batch-size", "5"]
    cli(*args, "--out", tmp_path / "ref")

    proc, tree = _start_and_wait_for_batches(args, tmp_path / "out", batches=3)
    proc.send_signal(signal.SIGTERM)  # the run alone, not its process group: it must end its children
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1] == "nl-entities: error: terminated; run the same command again to resume"
    assert _all_gone(tree) == []
    cli(*args, "--out", tmp_path / "out")
    assert snapshot(tmp_path / "out") == snapshot(tmp_path / "ref")

    proc, tree = _start_and_wait_for_batches(args, tmp_path / "killed", batches=3)
    proc.kill()  # SIGKILL: nothing runs in the run any more; its children must end themselves
    proc.wait()
    assert _all_gone(tree) == []


def test_a_full_disk_met_by_duckdb_is_the_same_one_line(capsys):
    import duckdb
    import typer

    from pipeline.cli import _guarded

    def build():
        raise duckdb.IOException('IO Error: Could not write file "entities.parquet": No space left on device')

    with pytest.raises(typer.Exit) as exit_:
        _guarded(build, verbose=False)
    assert exit_.value.exit_code == 4
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "the disk is full; the tables published before" in err
