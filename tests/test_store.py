"""The output folder's storage rules that hold apart from a run."""

from __future__ import annotations

import errno
import os

import duckdb
import pyarrow as pa
import pytest

from pipeline import store


def test_parts_are_copied_where_the_file_system_has_no_hard_links(tmp_path, monkeypatch):
    src = tmp_path / "part.parquet"
    src.write_bytes(b"PAR1 data PAR1")
    store._link(src, tmp_path / "linked.parquet")
    assert os.stat(tmp_path / "linked.parquet").st_ino == os.stat(src).st_ino

    def no_links(a, b):
        raise PermissionError(errno.EPERM, "Operation not permitted")  # what an SMB mount without links says

    monkeypatch.setattr(store.os, "link", no_links)
    store._link(src, tmp_path / "copied.parquet")
    copied = tmp_path / "copied.parquet"
    assert copied.read_bytes() == src.read_bytes() and os.stat(copied).st_ino != os.stat(src).st_ino
    with pytest.raises(FileExistsError):  # any other failure is not papered over with a copy
        monkeypatch.undo()
        store._link(src, copied)


def test_sql_paths_are_quoted_and_never_read_as_patterns(tmp_path):
    assert store.parquet_sql(tmp_path / "o'brien") == f"read_parquet('{tmp_path}/o''brien/*.parquet')"
    folder = tmp_path / "archief [2024]"
    folder.mkdir()
    for n in (1, 2):
        store.write_table(pa.table({"a": [n]}), folder / f"part-{n}.parquet")
    assert duckdb.sql(f"SELECT sum(a) FROM {store.parquet_sql(folder)}").fetchall() == [(3,)]
