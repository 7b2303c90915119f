"""Files per table after many runs into one ``--out``, and equality with one run over it all.

``python benchmarks/compaction.py --runs 5 --articles 30000``: writes RUNS inputs of ARTICLES
short Dutch articles (one or two sentences from the test templates), runs ``nl-entities run``
on each in turn into one output folder (default batch size: 64 articles, so ~470 batches a
run), and reports after each run the Parquet files per table and the run's time. Then one run
over all inputs into a second folder, and for every table its row count and an
order-independent hash of its rows in both folders: they must be equal. The rule-based test
model (``tests/conftest.py``) unless ``--model``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.schemas import SCHEMAS  # noqa: E402
from pipeline.store import TABLES, batch_dir, parquet_sql  # noqa: E402
from tests.conftest import ARTICLE, build_ruler_model  # noqa: E402

SENTENCES = [s.strip() + "." for s in ARTICLE.replace("\n", " ").split(".") if s.strip()]


def articles(n: int, start: int, rng: random.Random) -> list[dict]:
    return [
        {
            "id": f"kort-{i:07d}",
            "published": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "source": "Testkrant",
            "text": f"Bericht {i}. " + " ".join(rng.sample(SENTENCES, rng.randint(1, 2))),
        }
        for i in range(start, start + n)
    ]


def run(inputs: list[Path], out: Path, model: str, workers: int) -> float:
    started = time.monotonic()
    cmd = [sys.executable, "-m", "pipeline.cli", "run", *map(str, inputs), "--out", str(out)]
    subprocess.run([*cmd, "--model", model, "--workers", str(workers), "--no-progress"], check=True)
    return time.monotonic() - started


def files(out: Path) -> dict[str, int]:
    version = (out / "current").resolve()
    counts = {name: len(list((version / name).glob("*.parquet"))) for name in TABLES}
    counts[".batch/mentions"] = len(list(batch_dir(version, "mentions").glob("*.parquet")))
    return counts


def digest(out: Path) -> dict[str, tuple[int, int]]:
    """Per table: (rows, sum of row hashes), which no row order changes."""
    con = duckdb.connect()
    result = {}
    for name in TABLES:
        cols = ", ".join(f"list_sort({c})" if c == "aliases" and name == "entities" else c for c in SCHEMAS[name].names)
        sql = f"SELECT count(*), sum(hash({cols})::HUGEINT) FROM {parquet_sql(out / name)}"
        rows, total = con.execute(sql).fetchone()
        result[name] = (rows, int(total or 0))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--articles", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--model", default=None)
    parser.add_argument("--dir", type=Path, default=None, help="Work folder (default: a temporary one).")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="nl-compaction-"))
    work.mkdir(parents=True, exist_ok=True)
    model = args.model or str(build_ruler_model(work / "ruler"))
    rng = random.Random(12)
    inputs = []
    for r in range(args.runs):
        path = work / f"in{r}.jsonl"
        rows = articles(args.articles, r * args.articles, rng)
        path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in rows), encoding="utf-8")
        inputs.append(path)
    report = {"runs": []}
    for r, path in enumerate(inputs):
        seconds = run([path], work / "out", model, args.workers)
        nlp = json.loads((work / "out" / "manifest.json").read_text())["this_run"]["nlp_seconds"]
        entry = {"run": r + 1, "seconds": round(seconds, 1), "nlp_seconds": nlp, "files": files(work / "out")}
        report["runs"].append(entry)
        print(json.dumps(report["runs"][-1]), flush=True)
    seconds = run(inputs, work / "one", model, args.workers)
    report["one_run"] = {"seconds": round(seconds, 1), "files": files(work / "one")}
    many, one = digest(work / "out"), digest(work / "one")
    report["tables"] = {name: {"runs": many[name], "one_run": one[name]} for name in TABLES}
    report["equal"] = many == one
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
