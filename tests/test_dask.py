"""The Dask engine writes the same tables as the local engine, row for row."""

from __future__ import annotations

from .conftest import cli, dutch_articles, snapshot, write_jsonl


def test_dask_local_cluster_matches_local_engine(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(40))
    (tmp_path / "b.jsonl").write_text('{"id": "bad"}\n{oops\n', encoding="utf-8")
    common = ["run", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--model", ruler_model, "--batch-size", "7"]
    cli(*common, "--out", tmp_path / "local", "--workers", "2")
    cli(*common, "--out", tmp_path / "dask", "--engine", "dask", "--workers", "2")
    local, dask = snapshot(tmp_path / "local"), snapshot(tmp_path / "dask")
    assert len(local["articles"]) == 40 and len(local["rejects"]) == 2
    assert dask == local


def test_dask_with_a_scheduler_address(tmp_path, ruler_model):
    from dask.distributed import LocalCluster

    write_jsonl(tmp_path / "a.jsonl", dutch_articles(12))
    cli("run", tmp_path / "a.jsonl", "--model", ruler_model, "--out", tmp_path / "local", "--workers", "1")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        cli(
            "run",
            tmp_path / "a.jsonl",
            "--model",
            ruler_model,
            "--out",
            tmp_path / "dask",
            "--engine",
            "dask",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert snapshot(tmp_path / "dask") == snapshot(tmp_path / "local")


def test_killed_dask_run_reruns_cleanly(tmp_path, ruler_model):
    import os
    import signal
    import subprocess
    import sys
    import time

    write_jsonl(tmp_path / "a.jsonl", dutch_articles(400))
    args = ["run", tmp_path / "a.jsonl", "--model", ruler_model, "--batch-size", "10", "--workers", "2"]
    cli(*args, "--out", tmp_path / "ref")
    out = tmp_path / "dask"
    staging = out / ".nl-entities" / "staging"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *map(str, args), "--engine", "dask", "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if staging.exists() and any(len(list(p.iterdir())) >= 3 for p in staging.iterdir()):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    cli(*args, "--engine", "dask", "--out", out)
    assert snapshot(out) == snapshot(tmp_path / "ref")
