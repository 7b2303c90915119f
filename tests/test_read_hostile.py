"""Inputs that are hostile or change under the run (issue #12): names that are not UTF-8, files
that break any reader, FIFOs and devices, files changed while read, folders moved between runs,
symbolic links and folders that cannot be listed. Each gives a reject row (and a warning where
nothing else would show it); none ends the run, none is skipped without a word.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.batches import InputTally, make_batches
from pipeline.read import READERS, FieldMap, count_records, discover, inputs
from pipeline.records import Reject

from .conftest import ARTICLE, cli, dutch_articles, read_table, write_jsonl

RUN = ("--workers", "1", "--no-progress")


def read_all(files: list[Path]) -> tuple[list, dict[str, InputTally]]:
    """Every article and reject of ``files`` as a run makes them, and the per-input tallies."""
    tallies: dict[str, InputTally] = {}
    batches = list(make_batches(files, "k", {}, 64, 20_000, tallies))
    return [x for b in batches for x in (*b.articles, *b.rejects)], tallies


def rejects_of(items: list) -> list[Reject]:
    return [x for x in items if isinstance(x, Reject)]


def exact(tallies: dict[str, InputTally]) -> bool:
    return all(t.stats.records == t.articles + t.already_published + t.rejects for t in tallies.values())


# -- 2 and 5: names that are not UTF-8, FIFOs and devices: one run of a folder holding them --


@pytest.fixture(scope="module")
def odd_folder_run(tmp_path_factory, ruler_model) -> tuple[Path, Path]:
    """A folder with two files whose names are Latin-1 bytes (as an old Windows share has
    them), a FIFO, and a good file; the run is also given /dev/zero. (folder, out)"""
    tmp = tmp_path_factory.mktemp("odd")
    folder = tmp / "in"
    folder.mkdir()
    write_jsonl(folder / "goed.jsonl", dutch_articles(2))
    raw = os.fsencode(folder)
    with open(raw + b"/caf\xe9.txt", "wb") as f:
        f.write(f"Bericht uit het café. {ARTICLE}".encode())
    with open(raw + b"/kapot\xe9.jsonl", "wb") as f:
        f.write(b'{"id": "x1", "text": ""}\nnot json\n')
    os.mkfifo(folder / "pijp.jsonl")  # opening it would wait for a writer for ever
    out = tmp / "out"
    # a timeout: a regression fails here instead of hanging the suite
    cli("run", folder, "/dev/zero", "--out", out, "--model", ruler_model, *RUN, timeout=120)
    return folder.resolve(), out


def test_a_file_name_that_is_not_utf8_is_read_under_its_escaped_name(odd_folder_run):
    folder, out = odd_folder_run
    articles = read_table(out, "articles")
    assert sorted(articles.article_id) == ["art-00000", "art-00001", "caf\\xe9"]  # the .txt's id is its name
    rejects = read_table(out, "rejects")
    bad = rejects[rejects.input == f"{folder}/kapot\\xe9.jsonl"]
    assert sorted(bad.reason) == ["empty_text", "malformed_json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    names = sorted(i["path"] for i in manifest["inputs"])
    assert names == [
        "/dev/zero",
        *(f"{folder}/{n}" for n in ("caf\\xe9.txt", "goed.jsonl", "kapot\\xe9.jsonl", "pijp.jsonl")),
    ]
    # the same name in every run: what rejects call it is what the next run replaces
    again = [inp.stats.path for p in discover([folder, Path("/dev/zero")]) for inp in inputs(p, FieldMap())]
    assert sorted(again) == names


def test_an_archive_member_name_that_is_not_utf8_is_escaped_too(tmp_path):
    archive = tmp_path / "oud.tar"
    with tarfile.open(archive, "w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        data = f"Bericht uit het café. {ARTICLE}".encode()
        info = tarfile.TarInfo("caf\u00e9.txt")  # written as the one Latin-1 byte 0xe9
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (member,) = inputs(archive, FieldMap())
    (record,) = member.items
    assert member.stats.path == record.input == f"{archive}/caf\\xe9.txt"
    assert record.fields["id"] == "caf\\xe9"
    json.dumps(member.stats.path, ensure_ascii=False).encode("utf-8")  # a manifest can hold it


# -- 3: any error a reader raises is that file's reject ---------------------------------------


def _parquet(path: Path, n: int = 3000) -> Path:
    table = pa.table({"id": [f"p{i}" for i in range(n)], "text": [f"Bericht {i}. {ARTICLE}" for i in range(n)]})
    pq.write_table(table, path, row_group_size=1000, use_dictionary=True, compression="snappy")
    return path


def _damage_dictionary_page(path: Path, row_group: int) -> None:
    """Overwrite the header of the text column's dictionary page in one row group: pyarrow then
    raises OSError ("Couldn't deserialize thrift") when it reaches that row group."""
    column = pq.ParquetFile(path).metadata.row_group(row_group).column(1)
    assert column.dictionary_page_offset is not None
    data = bytearray(path.read_bytes())
    data[column.dictionary_page_offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_parquet_dictionary_page_is_that_files_reject(tmp_path):
    first, later = _parquet(tmp_path / "eerste.parquet"), _parquet(tmp_path / "later.parquet")
    _damage_dictionary_page(first, 0)
    _damage_dictionary_page(later, 1)
    with pytest.raises(OSError):
        pq.read_table(first)  # the damage is real: pyarrow cannot read it
    items, tallies = read_all([first, later])
    by_input = {name: rejects_of(x for x in items if getattr(x, "input", None) == name) for name in tallies}
    (broken,) = by_input[str(first)]
    assert broken.reason == "unreadable_file" and broken.record == "file" and "OSError" in broken.detail
    (breaks_off,) = by_input[str(later)]  # the first row group's 1000 articles stand
    assert breaks_off.reason == "malformed_row" and breaks_off.record == "after row 1000"
    assert tallies[str(later)].articles == 1000 and tallies[str(first)].articles == 0
    assert exact(tallies)
    assert count_records(first) >= 1 and count_records(later) >= 1  # the progress total does not crash


def _zip_with_unknown_method(path: Path) -> Path:
    """A zip whose member says it is compressed with method 99 (AES, which zipfile cannot
    read): opening the member raises NotImplementedError."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.jsonl", json.dumps({"id": "z1", "text": ARTICLE}) + "\n")
    data = bytearray(buf.getvalue())
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 8 : local + 10] = (99).to_bytes(2, "little")
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def test_an_error_of_any_type_from_a_reader_is_that_files_reject(tmp_path, monkeypatch):
    archive = _zip_with_unknown_method(tmp_path / "aes.zip")
    good = write_jsonl(tmp_path / "goed.jsonl", dutch_articles(3))
    flaky = write_jsonl(tmp_path / "stukje.jsonl", dutch_articles(3, start=10))
    jsonl = READERS[".jsonl"]

    def breaks_after_two(source, stats, fields):  # a library raising what no one expected
        for i, item in enumerate(jsonl(source, stats, fields)):
            if i == 2 and source.name == str(flaky):
                raise pa.ArrowInvalid("dictionary index out of range")
            yield item

    monkeypatch.setitem(READERS, ".jsonl", breaks_after_two)
    items, tallies = read_all([archive, good, flaky])
    rejects = {r.input: r for r in rejects_of(items)}
    assert rejects[f"{archive}/a.jsonl"].reason == "unreadable_file"
    assert "NotImplementedError" in rejects[f"{archive}/a.jsonl"].detail
    assert rejects[str(flaky)].reason == "unreadable_file"
    assert "ArrowInvalid: dictionary index out of range" in rejects[str(flaky)].detail
    assert "after 2 records" in rejects[str(flaky)].detail
    assert tallies[str(flaky)].articles == 2 and tallies[str(flaky)].stats.records == 3  # those read stand
    assert tallies[str(good)].articles == 3 and str(good) not in rejects
    assert exact(tallies)


# -- 5: FIFOs and devices are never opened ----------------------------------------------------


def test_a_fifo_or_a_device_is_a_reject_and_never_opened(odd_folder_run):
    folder, out = odd_folder_run
    rejects = read_table(out, "rejects").set_index("input")
    odd = rejects[rejects.reason == "not_regular_file"]
    assert set(odd.index) == {f"{folder}/pijp.jsonl", "/dev/zero"}
    assert "FIFO" in odd.detail[f"{folder}/pijp.jsonl"]
    assert "character device" in odd.detail["/dev/zero"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["this_run"]["records"] == 7  # 2 + 1 articles, 2 rejects of kapot, the FIFO, /dev/zero


# -- 8: a file that changes while it is read --------------------------------------------------

_CHANGES = """
import sys
from pipeline.read import READERS
from pipeline.cli import main

jsonl = READERS[".jsonl"]

def appends_after_the_first(source, stats, fields):
    for i, item in enumerate(jsonl(source, stats, fields)):
        yield item
        if i == 0 and source.name.endswith("groeit.jsonl"):  # the scraper writes on
            with open(source.name, "a", encoding="utf-8") as f:
                f.write('{"id": "laat", "text": "Later bericht."}\\n')

READERS[".jsonl"] = appends_after_the_first
sys.argv[0] = "nl-entities"
main()
"""


def test_a_file_changed_while_read_is_flagged_not_silently_mixed(tmp_path, ruler_model):
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "vast.jsonl", dutch_articles(2))
    growing = write_jsonl(folder / "groeit.jsonl", dutch_articles(2, start=10))
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-c", _CHANGES, "run", str(folder), "--out", str(out), "--model", str(ruler_model), *RUN],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    name = str(growing.resolve())
    assert f"{name} changed while it was read" in proc.stderr
    rejects = read_table(out, "rejects")
    assert rejects[["input", "record", "reason"]].values.tolist() == [[name, "file", "input_changed"]]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = next(i for i in manifest["inputs"] if i["path"] == name)
    assert entry["sha256"] == "" and "size went from" in entry["changed_while_read"]
    assert entry["records"] == entry["articles"] + entry["already_published"] + entry["rejects"]
    steady = next(i for i in manifest["inputs"] if i["path"].endswith("vast.jsonl"))
    assert steady["sha256"] and "changed_while_read" not in steady


def test_a_file_truncated_or_replaced_while_read_gives_input_changed(tmp_path, monkeypatch):
    cut = write_jsonl(tmp_path / "kort.jsonl", dutch_articles(3))
    swapped = write_jsonl(tmp_path / "vervangen.jsonl", dutch_articles(3, start=10))
    jsonl = READERS[".jsonl"]

    def changes_after_the_first(source, stats, fields):
        for i, item in enumerate(jsonl(source, stats, fields)):
            yield item
            if i == 0 and source.name == str(cut):
                os.truncate(cut, 10)
            if i == 0 and source.name == str(swapped):
                fresh = tmp_path / "nieuw.jsonl"
                write_jsonl(fresh, dutch_articles(3, start=10))
                os.replace(fresh, swapped)  # an editor's save: same bytes, another file

    monkeypatch.setitem(READERS, ".jsonl", changes_after_the_first)
    items, tallies = read_all([cut, swapped])
    changed = {r.input: r.detail for r in rejects_of(items) if r.reason == "input_changed"}
    assert set(changed) == {str(cut), str(swapped)}
    assert "size went from" in changed[str(cut)] and "replaced by another file" in changed[str(swapped)]
    assert all(tallies[n].stats.changed and tallies[n].stats.sha256 == "" for n in changed)
    assert exact(tallies)


# -- 9: a folder moved between runs -----------------------------------------------------------


def test_rejects_are_not_duplicated_after_the_input_folder_is_moved(tmp_path, ruler_model):
    archive = tmp_path / "archive"
    (archive / "2024").mkdir(parents=True)
    write_jsonl(archive / "2024" / "a.jsonl", [*dutch_articles(2), {"id": "leeg", "text": " "}])
    (archive / "2024" / "b.jsonl").write_text(json.dumps({"id": "b1", "text": ARTICLE}) + "\nkapot\n")
    out = tmp_path / "out"
    cli("run", archive, "--out", out, "--model", ruler_model, *RUN)
    before, articles = read_table(out, "rejects"), read_table(out, "articles")
    assert len(before) == 2
    moved = archive.rename(tmp_path / "archive2")
    cli("run", moved, "--out", out, "--model", ruler_model, *RUN)
    after = read_table(out, "rejects")
    assert len(after) == len(before) and all(i.startswith(str(moved.resolve())) for i in after.input)
    per_content = after.assign(name=after.input.map(lambda i: Path(i).name))
    assert not per_content.duplicated(["name", "record", "reason"]).any()
    assert sorted(read_table(out, "articles").article_id) == sorted(articles.article_id)  # none twice
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["this_run"]["already_published"] == 3 and manifest["this_run"]["articles"] == 0


# -- 10: links, dangling links, folders that cannot be listed ---------------------------------


def test_symlinked_folders_are_followed_once_and_loops_are_not(tmp_path):
    root, elsewhere = tmp_path / "in", tmp_path / "elders"
    (root / "echt").mkdir(parents=True)
    elsewhere.mkdir()
    (root / "echt" / "a.jsonl").write_text("")
    (elsewhere / "b.jsonl").write_text("")
    (root / "gelinkt").symlink_to(elsewhere, target_is_directory=True)
    (root / "ook_echt").symlink_to(root / "echt", target_is_directory=True)  # the same folder twice
    (root / "echt" / "terug").symlink_to(root, target_is_directory=True)  # a loop back up
    found = discover([root])
    assert found == [(root / "echt" / "a.jsonl").resolve(), (elsewhere / "b.jsonl").resolve()]


def test_a_dangling_link_is_a_reject_and_a_warning(tmp_path, caplog):
    root = tmp_path / "in"
    root.mkdir()
    write_jsonl(root / "goed.jsonl", dutch_articles(1))
    (root / "weg.jsonl").symlink_to(tmp_path / "verhuisd.jsonl")
    with caplog.at_level(logging.WARNING, logger="nl-entities"):
        found = discover([root])
    link = root.resolve() / "weg.jsonl"
    assert found == [root.resolve() / "goed.jsonl", link]
    assert any(str(link) in m and "dangling symbolic link" in m for m in caplog.messages)
    items, tallies = read_all(found)
    (reject,) = rejects_of(items)
    assert (reject.input, reject.record, reject.reason) == (str(link), "file", "unreadable_file")
    assert "verhuisd.jsonl" in reject.detail and exact(tallies)


def test_a_folder_that_cannot_be_listed_is_a_reject_and_a_warning(tmp_path, monkeypatch, caplog):
    root = tmp_path / "in"
    (root / "dicht").mkdir(parents=True)
    (root / "dicht" / "geheim.jsonl").write_text("")
    write_jsonl(root / "goed.jsonl", dutch_articles(1))
    closed = root / "dicht"
    scandir = os.scandir

    def denied(path):  # root may list any folder: chmod 000 would not stop it
        if Path(path) == closed:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    with caplog.at_level(logging.WARNING, logger="nl-entities"):
        found = discover([root])
    assert found == [closed.resolve(), root.resolve() / "goed.jsonl"]
    assert any(str(closed.resolve()) in m and "cannot be listed" in m for m in caplog.messages)
    items, tallies = read_all(found)
    (reject,) = rejects_of(items)
    assert reject.input == str(closed.resolve()) and reject.reason == "unreadable_file"
    assert "Permission denied" in reject.detail
    assert sum(not isinstance(x, Reject) for x in items) == 1 and exact(tallies)
