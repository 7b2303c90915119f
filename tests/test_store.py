"""The output folder's storage rules that hold apart from a run."""

from __future__ import annotations

import os

from pipeline import store


def test_parts_are_copied_where_the_file_system_has_no_hard_links(tmp_path, monkeypatch):
    src = tmp_path / "part.parquet"
    src.write_bytes(b"PAR1 data PAR1")
    store._link(src, tmp_path / "linked.parquet")
    assert os.stat(tmp_path / "linked.parquet").st_ino == os.stat(src).st_ino

    def no_links(a, b):
        raise PermissionError(1, "Operation not permitted")  # what an SMB mount without links says

    monkeypatch.setattr(store.os, "link", no_links)
    store._link(src, tmp_path / "copied.parquet")
    copied = tmp_path / "copied.parquet"
    assert copied.read_bytes() == src.read_bytes() and os.stat(copied).st_ino != os.stat(src).st_ino


def test_sql_paths_are_quoted(tmp_path):
    assert store.parquet_sql(tmp_path / "o'brien") == f"read_parquet('{tmp_path}/o''brien/*.parquet')"
