"""Published tables stay few files however many batches, named so that a name means one content,
and readers holding a listing across a publish never read wrong rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline import store
from pipeline.schemas import BATCH_TABLES, SCHEMAS, empty

from .conftest import cli, dutch_articles, snapshot

TABLES = store.TABLES


def _files(out, name):
    """The Parquet files of table ``name`` (or ``.batch/mentions``) in the published version."""
    return sorted(p.name for p in ((out / "current").resolve() / name).glob("*.parquet"))


def _articles_table(ids):
    rows = {f.name: [None] * len(ids) for f in SCHEMAS["articles"]}
    rows.update(article_id=ids, text=ids, repairs=[[] for _ in ids])
    return pa.Table.from_pydict(rows, schema=SCHEMAS["articles"])


def _part(folder, ids):
    folder.mkdir(parents=True, exist_ok=True)
    return store.write_parts(_articles_table(ids).to_batches(), "articles", folder)[0]


def test_parts_are_streamed_into_files_of_the_target_size_named_by_content(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "TARGET_ROWS", 10)
    monkeypatch.setattr(store, "ROW_GROUP_ROWS", 4)
    table = _articles_table([f"a{i:02d}" for i in range(25)])
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()
    written = store.write_parts(table.to_batches(max_chunksize=3), "articles", one)
    assert [pq.ParquetFile(p).metadata.num_rows for p in written] == [12, 12, 1]  # closes past 10, at a group
    assert pq.read_table(one).sort_by("article_id").equals(table)
    # the same rows give the same names (a re-run publishes the same files); other rows, other names
    assert [p.name for p in store.write_parts(table.to_batches(max_chunksize=3), "articles", two)] == [
        p.name for p in written
    ]
    other = store.write_parts(_articles_table(["b"]).to_batches(), "articles", two)
    assert other[0].name not in {p.name for p in written}
    assert store.write_parts([], "articles", tmp_path)[0].name.startswith("part-")  # no rows: one empty file


def test_small_files_are_merged_once_they_pile_up_and_full_ones_are_left_as_they_are(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "TARGET_ROWS", 20)
    previous, staging = tmp_path / "previous", tmp_path / "staging"
    full = _part(previous, [f"f{i:02d}" for i in range(12)])  # at least half the target
    small = [_part(previous, [f"s{n}"]) for n in range(store.MAX_SMALL)]
    staged = [_part(staging / str(n), [f"n{n}"]) for n in range(3)]
    # room for one more small file: the carried ones stay, this run's parts become one file
    first = tmp_path / "first"
    first.mkdir()
    store._assemble("articles", first, [full, *small[:-1]], staged, set(), full=False)
    kept = {full.name, *(p.name for p in small[:-1])}
    assert kept < set(os.listdir(first)) and len(os.listdir(first)) == len(kept) + 1
    # one more would exceed MAX_SMALL: every small file is merged with the new rows
    second = tmp_path / "second"
    second.mkdir()
    store._assemble("articles", second, [full, *small], staged, set(), full=False)
    names = sorted(p.name for p in second.iterdir())
    assert len(names) == 2 and full.name in names
    assert os.stat(second / full.name).st_ino == os.stat(full).st_ino  # carried by hard link, not rewritten
    assert pq.read_table(second).num_rows == 12 + store.MAX_SMALL + 3
    # nothing new: everything is carried as it is, so a re-run with nothing new publishes the same files
    third = tmp_path / "third"
    third.mkdir()
    store._assemble("articles", third, sorted(second.iterdir()), [], set(), full=False)
    assert sorted(p.name for p in third.iterdir()) == names


def test_rejects_of_replaced_inputs_are_dropped_into_a_file_of_another_name_unless_rejected_again(tmp_path):
    def rejects(inputs):
        rows = {f.name: [f"{i}:{n}" for n, i in enumerate(inputs)] for f in SCHEMAS["rejects"]}
        rows["input"] = inputs
        return pa.Table.from_pydict(rows, schema=SCHEMAS["rejects"])

    previous, new = tmp_path / "previous", tmp_path / "new"
    previous.mkdir(), new.mkdir()
    mixed = store.write_parts(rejects(["a.jsonl", "b.jsonl"]).to_batches(), "rejects", previous)[0]
    other = store.write_parts(rejects(["c.jsonl"]).to_batches(), "rejects", previous)[0]
    store._assemble("rejects", new, [mixed, other], [], {"a.jsonl"}, full=False)
    assert other.name in os.listdir(new) and mixed.name not in os.listdir(new)
    assert sorted(pq.read_table(new)["input"].to_pylist()) == ["b.jsonl", "c.jsonl"]
    # a.jsonl read again and its record rejected again, the same: the file stays, nothing is doubled
    again, staged = tmp_path / "again", tmp_path / "staged"
    again.mkdir(), staged.mkdir()
    part = store.write_parts(rejects(["a.jsonl", "d.jsonl"]).to_batches(), "rejects", staged)[0]
    store._assemble("rejects", again, [mixed, other], [part], {"a.jsonl", "d.jsonl"}, full=False)
    assert {mixed.name, other.name} < set(os.listdir(again)) and len(os.listdir(again)) == 3
    assert sorted(pq.read_table(again)["input"].to_pylist()) == ["a.jsonl", "b.jsonl", "c.jsonl", "d.jsonl"]


def test_the_first_publish_links_every_table_before_current(tmp_path, monkeypatch):
    out = store.OutputDir(tmp_path / "out")
    seen = []
    replace = os.replace

    def watching(src, dst):
        if os.path.basename(dst) == "current":  # the moment readers can see the version
            seen.append(sorted(n for n in (*TABLES, "manifest.json") if (out.root / n).is_symlink()))
        replace(src, dst)

    def derive(version):
        for name in ("mentions", "entities", "article_entities", "cooccurrences", "aliases"):
            (version / name).mkdir(exist_ok=True)
            store.write_table(empty(name), version / name / "part-empty.parquet")

    monkeypatch.setattr(store.os, "replace", watching)
    with out.lock():
        out.publish("v1", None, [], False, set(), derive, {})
    assert seen == [sorted((*TABLES, "manifest.json"))]
    assert all(len(ds.dataset(out.root / name).files) == 1 for name in TABLES)


def _run(tmp_path, ruler_model, out, *names, batch_size=1):
    return cli(
        "run", *(tmp_path / n for n in names), "--out", out, "--model", ruler_model, "--workers", "1",
        "--batch-size", str(batch_size), "--no-progress",
    )  # fmt: skip


def _inputs(tmp_path, runs, per_run):
    for r in range(runs):
        rows = dutch_articles(per_run, start=r * per_run)
        lines = [json.dumps(x, ensure_ascii=False) for x in rows] + ['{"id": "kapot", ']  # one reject each
        (tmp_path / f"in{r}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [f"in{r}.jsonl" for r in range(runs)]


def test_runs_of_many_small_batches_publish_few_files_equal_to_one_run_and_compact(tmp_path, ruler_model):
    """3 runs of 6 one-article batches: one file per table per run at most, the rows of one run;
    ``nl-entities compact`` then makes one file per table, the same rows, in a new version."""
    names = _inputs(tmp_path, 3, 6)
    out, ref = tmp_path / "out", tmp_path / "ref"
    for r in range(3):
        _run(tmp_path, ruler_model, out, *names[: r + 1])  # each run reads the earlier inputs again
        for name in (*BATCH_TABLES, ".batch/mentions"):
            assert len(_files(out, name)) <= r + 1, (name, _files(out, name))
        assert all(len(_files(out, name)) == 1 for name in store.DERIVED_TABLES)
    _run(tmp_path, ruler_model, ref, *names, batch_size=64)
    before, version = snapshot(out), (out / "current").resolve()
    assert before == snapshot(ref)
    assert len(pq.read_table(out / "rejects")) == 3  # each input's reject once: replaced, not added
    assert all(p.name.startswith("part-") and len(p.stem) == 21 for p in version.rglob("*.parquet"))
    assert len(_files(out, "articles")) == 3
    cli("compact", "--out", out)
    assert all(len(_files(out, name)) == 1 for name in (*TABLES, ".batch/mentions"))
    assert snapshot(out) == before and (out / "current").resolve() != version and version.is_dir()
    assert json.loads((out / "manifest.json").read_text())["command"] == "compact"
    missing = cli("compact", "--out", tmp_path / "nothing", check=False)
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no published tables" in missing.stderr


#: The CLI with the publish's file writer failing on its third file: a publish killed mid-compaction.
FAILING_PUBLISH = """
import sys
from pipeline import cli, store
calls, write_parts = [], store.write_parts
def failing(*args, **kwargs):
    calls.append(1)
    if len(calls) == 3:
        raise OSError("disk gone")
    return write_parts(*args, **kwargs)
store.write_parts = failing
sys.argv = ["nl-entities", *sys.argv[1:]]
cli.main()
"""


def test_a_publish_killed_mid_compaction_leaves_the_old_version_and_the_next_run_finishes_it(tmp_path, ruler_model):
    names = _inputs(tmp_path, 2, 3)
    out, ref = tmp_path / "out", tmp_path / "ref"
    _run(tmp_path, ruler_model, out, names[0])
    before, version = snapshot(out), (out / "current").resolve()
    args = [*(tmp_path / n for n in names), "--out", out, "--model", ruler_model, "--workers", "1", "--batch-size", "1"]
    proc = subprocess.run(
        [sys.executable, "-c", FAILING_PUBLISH, "run", *map(str, args)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and "disk gone" in proc.stderr
    assert (out / "current").resolve() == version and snapshot(out) == before
    assert any((out / ".nl-entities" / "staging").glob("*/*"))  # the finished batches are still staged
    cli("run", *args)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["this_run"]["resumed_batches"] == 4  # 3 articles + the reject line, not done again
    _run(tmp_path, ruler_model, ref, *names, batch_size=64)
    assert snapshot(out) == snapshot(ref)
    assert not list((out / ".nl-entities" / "versions").glob("*.tmp"))


def test_a_dataset_listed_before_a_publish_reads_its_rows_or_fails_never_reads_others(tmp_path, ruler_model):
    """A pyarrow dataset keeps its file names and reads them later, through DIR/<table> (which the
    publish moves) or through the version folder (pinned). A name means one content, so the
    first reads its old rows where the new version carried the file, and FileNotFoundError where
    it dropped it; the second reads its old rows, every table."""
    names = _inputs(tmp_path, 2, 3)
    out = tmp_path / "out"
    _run(tmp_path, ruler_model, out, names[0], batch_size=64)
    old = {name: pq.read_table(out / name) for name in TABLES}

    def opened(path):
        dataset = ds.dataset(path)
        for fragment in dataset.get_fragments():  # as a filtered read does: footers held
            fragment.ensure_complete_metadata()
        return dataset

    listed = {name: opened(out / name) for name in TABLES}
    pinned = {name: opened(os.path.realpath(out / name)) for name in TABLES}
    _run(tmp_path, ruler_model, out, *names, batch_size=64)  # adds in1, replaces in0's rejects
    outcome = {}
    for name in TABLES:
        assert pinned[name].to_table().equals(old[name]), name
        try:
            rows = listed[name].to_table()
        except FileNotFoundError:
            outcome[name] = "gone"
            continue
        assert rows.equals(old[name]), name
        outcome[name] = "old rows"
    # carried: the very same files (in0's reject, rejected again the same, leaves its file as it was)
    assert outcome["articles"] == outcome["tokens"] == outcome["rejects"] == "old rows"
    assert outcome["entities"] == "gone"  # rewritten with in1's names: a file of another name
    assert pq.read_table(out / "articles").num_rows == 6 and pq.read_table(out / "rejects").num_rows == 2
