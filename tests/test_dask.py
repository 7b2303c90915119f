"""The Dask engine writes the same tables as the local engine, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest

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


@pytest.fixture(scope="module")
def tls_cluster():
    """Two workers behind a scheduler on tls://127.0.0.1 with throwaway certificates (in memory)."""
    from distributed import LocalCluster, Security

    security = Security.temporary()
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        protocol="tls://",
        host="127.0.0.1",
        scheduler_port=0,
        security=security,
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address, security


def _security_file(folder: Path, security) -> Path:
    """What a user writes: the client's PEM files and a Dask config YAML naming them."""
    folder.mkdir()
    ca, cert, key = (folder / name for name in ("ca.pem", "client.pem", "client-key.pem"))
    ca.write_text(security.tls_ca_file, encoding="utf-8")
    cert.write_text(security.tls_client_cert, encoding="utf-8")
    key.write_text(security.tls_client_key, encoding="utf-8")
    conf = folder / "dask-tls.yaml"
    conf.write_text(
        f"distributed:\n  comm:\n    tls:\n      ca-file: {ca}\n"
        f"      client:\n        cert: {cert}\n        key: {key}\n",
        encoding="utf-8",
    )
    return conf


def test_dask_with_a_tls_scheduler_address(tmp_path, ruler_model, tls_cluster):
    """A cluster the run did not start (2 workers, TLS), reached with the user's --security file: the
    same tables as the local engine. (Plain tcp:// addresses take the same path, without security.)"""
    address, security = tls_cluster
    assert address.startswith("tls://127.0.0.1:")
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(12))
    common = ["run", tmp_path / "a.jsonl", "--model", ruler_model, "--batch-size", "3"]
    cli(*common, "--out", tmp_path / "local", "--workers", "1")
    conf = _security_file(tmp_path / "tls", security)
    cli(*common, "--out", tmp_path / "dask", "--engine", "dask", "--scheduler", address, "--security", conf)
    assert snapshot(tmp_path / "dask") == snapshot(tmp_path / "local")


def test_tls_scheduler_refuses_plain_tcp_and_unknown_certificates(tmp_path, ruler_model, tls_cluster):
    from distributed import Security

    address, _ = tls_cluster
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(2))
    common = ["run", tmp_path / "a.jsonl", "--model", ruler_model, "--engine", "dask", "--out", tmp_path / "out"]
    plain = cli(*common, "--scheduler", address.replace("tls://", "tcp://"), check=False)
    stranger = _security_file(tmp_path / "other", Security.temporary())  # a CA the cluster does not trust
    unknown = cli(*common, "--scheduler", address, "--security", stranger, check=False)
    for proc in (plain, unknown):
        assert proc.returncode == 2, proc.stderr
        assert "cannot connect to the Dask scheduler" in proc.stderr and "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").glob("*/*.parquet"))  # nothing ran, nothing published


def test_tls_address_without_certificates_is_a_one_line_usage_error(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", dutch_articles(1))
    args = ["--engine", "dask", "--scheduler", "tls://127.0.0.1:1", "--out", tmp_path / "out"]
    proc = cli("run", tmp_path / "a.jsonl", *args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "nl-entities: error: --scheduler tls://127.0.0.1:1 needs TLS certificates: Dask's config "
        "(distributed.comm.tls.*) gives no distributed.comm.tls.ca-file and distributed.comm.tls.client.cert; "
        "see docs/scale-out.md"
    ]
    assert not (tmp_path / "out").exists()  # refused before anything was made


#: --security files a user might get wrong
SECURITY_FILES = {
    "list.yaml": "- just\n- a list\n",
    "bad.yaml": "distributed:\n  comm: [\n",
    "empty.yaml": "distributed:\n  comm:\n    tls: {}\n",
    "nokey.yaml": "distributed:\n  comm:\n    tls: {ca-file: /etc/hosts, client: {cert: /etc/hosts, key: /no/k}}\n",
    "key.pem": "-----BEGIN PRIVATE KEY-----\nMIIsecret\n-----END PRIVATE KEY-----\n",
}
TLS = {"engine": "dask", "scheduler": "tls://h:1"}


@pytest.mark.parametrize(
    ("options", "file", "expected"),
    [
        (TLS, "nope.yaml", "nope.yaml: cannot be read"),
        (TLS, "list.yaml", "expected a YAML file of Dask config"),
        (TLS, "key.pem", "key.pem: expected a YAML file of Dask config"),
        (TLS, "bad.yaml", "not YAML at line 3"),
        (TLS, "empty.yaml", "needs TLS certificates"),
        (TLS, "nokey.yaml", "distributed.comm.tls.client.key /no/k: no such file"),
        ({"engine": "dask"}, "empty.yaml", "give --scheduler tls://"),
        ({"engine": "dask", "scheduler": "tcp://h:1"}, "empty.yaml", "give --scheduler tls://"),
        ({}, "empty.yaml", "use it with --engine dask"),
    ],
)
def test_bad_tls_settings_are_usage_errors(tmp_path, options, file, expected):
    from pipeline.run import RunOptions, UsageError, run

    write_jsonl(tmp_path / "a.jsonl", dutch_articles(1))
    for name, text in SECURITY_FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=expected) as refused:
        run(RunOptions([tmp_path / "a.jsonl"], tmp_path / "out", security=tmp_path / file, **options))
    assert "secret" not in str(refused.value)  # messages name files, never show what they hold
    assert not (tmp_path / "out").exists()  # refused before anything was made


def test_tls_certificates_from_dask_config(tmp_path):
    """Without --security the certificates come from Dask's own config, as for any Dask client."""
    import dask
    from distributed import Security

    from pipeline.engines import dask_security

    conf = _security_file(tmp_path / "tls", Security.temporary())
    ca, cert = tmp_path / "tls" / "ca.pem", tmp_path / "tls" / "client.pem"
    config = {"distributed.comm.tls.ca-file": str(ca), "distributed.comm.tls.client.cert": str(cert)}
    config["distributed.comm.tls.client.key"] = str(tmp_path / "tls" / "client-key.pem")
    with dask.config.set(config):
        from_config = dask_security("tls://h:1", None)
    from_file = dask_security("tls://h:1", conf)
    for security in (from_config, from_file):
        assert (security.tls_ca_file, security.tls_client_cert) == (str(ca), str(cert))
        assert security.get_connection_args("client")["ssl_context"] is not None
    assert from_file.require_encryption  # a --security file makes every connection TLS unless it says otherwise
    assert dask_security("tcp://h:1", None) is None and dask_security(None, None) is None
