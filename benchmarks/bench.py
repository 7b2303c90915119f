"""`make bench`: the pipeline's speed and memory, measured against a plain spaCy loop.

Every configuration runs as its own command, as users run it, and is timed wall-clock from
start to exit (model loading, reading, writing and the entity tables included). Peak memory
is the largest resident set of the whole process tree (main process and workers), sampled
every 50 ms. Figures go to docs/benchmarks.md.

Corpus: ../shared/data/corpora/*.jsonl (real Dutch text) when present, else data/sample/;
repeated under new ids to a few hundred thousand words.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psutil
import spacy

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "corpora"
PY = sys.executable
PLAIN_LOOP = """
import json, sys, spacy
nlp = spacy.load(sys.argv[1])
texts = (json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8"))
n = 0
for doc in nlp.pipe(texts, batch_size=64):
    n += len(doc)
print(n)
"""
# the plain loop twice at once, each over half of the articles: the most two processes can get
# from this machine's two cores at that moment, start-up included
PLAIN_PAIR = """
import subprocess, sys
loop, model, halves = sys.argv[1], sys.argv[2], sys.argv[3:]
procs = [subprocess.Popen([sys.executable, "-c", loop, model, half]) for half in halves]
sys.exit(max(p.wait() for p in procs))
"""
ONE_CORE_SPEED = """
import json, sys, time, spacy
from pipeline.models import NlpSettings, resolve_model
from pipeline.nlp import load
nlp = load(NlpSettings(resolve_model(sys.argv[1])))
texts = [json.loads(line)["text"] for line in open(sys.argv[2], encoding="utf-8")]
list(nlp.pipe(texts[:20]))
t = time.perf_counter(); n = 0
for doc in nlp.pipe(texts, batch_size=64):
    n += sum(1 for t_ in doc if not t_.is_space)
    list(doc.sents)
print(json.dumps({"words": n, "seconds": time.perf_counter() - t, "pipes": nlp.pipe_names}))
"""


def source_texts() -> tuple[list[dict], str]:
    files = sorted(SHARED.glob("*.jsonl")) if SHARED.exists() else []
    if files:
        rows = [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line]
        return rows, "../shared/data/corpora/*.jsonl (UD Dutch Alpino news + LassySmall Wikipedia, CC BY-SA 4.0)"
    rows = [json.loads(line) for line in (ROOT / "data/sample/articles.jsonl").read_text().splitlines() if line]
    return rows, "data/sample/articles.jsonl"


def write_corpus(rows: list[dict], copies: int, path: Path) -> int:
    words = 0
    with path.open("w", encoding="utf-8") as f:
        for c in range(copies):
            for r in rows:
                f.write(json.dumps({"id": f"{r['id']}-{c}", "text": r["text"]}, ensure_ascii=False) + "\n")
                words += len(r["text"].split())
    return words


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def write_long_article(rows: list[dict], chars: int, pieces: int, tmp: Path) -> tuple[Path, Path, int]:
    """One article of ``chars`` characters, and the same text as ``pieces`` separate articles.

    The corpus' texts are cut at sentence ends into pieces of about ``chars / pieces``
    characters, numbered so no two are the same text; the long article is the pieces joined
    by blank lines (paragraphs), so both runs see the same words and the same sentences.
    """
    size = chars // pieces
    out: list[str] = []
    sentences = [s for r in rows for s in _SENTENCE_END.split(r["text"]) if s.strip()]
    piece: list[str] = []
    k = total = 0
    while len(out) < pieces:
        piece.append(sentences[k % len(sentences)])
        k += 1
        if total + sum(map(len, piece)) >= (len(out) + 1) * size:  # the pieces' sum keeps to ``chars``
            out.append(f"Deel {len(out) + 1}. " + " ".join(piece))
            total += len(out[-1]) + 2
            piece = []
    long_path, many_path = tmp / "long-article.jsonl", tmp / "long-as-articles.jsonl"
    long_path.write_text(json.dumps({"id": "long", "text": "\n\n".join(out)}, ensure_ascii=False) + "\n", "utf-8")
    many_path.write_text(
        "".join(json.dumps({"id": f"piece-{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(out)),
        "utf-8",
    )
    return long_path, many_path, len("\n\n".join(out))


def long_article_case(rows: list[dict], model: str, tmp: Path, chars: int = 2_500_000, pieces: int = 2_700) -> dict:
    """One long article against the same text as separate articles, one worker each: time, and
    peak PSS of the process tree read every 100 ms (docs/benchmarks.md, issue 12)."""
    long_path, many_path, n = write_long_article(rows, chars, pieces, tmp)
    r = {"chars": n, "pieces": pieces}
    r["long"] = measure(run_cmd(long_path, tmp / "out-long", 1, model=model), proportional=True, interval=0.1)
    print(f"one article of {n:,} characters: {r['long']['seconds']:.1f} s, {r['long']['peak_mb']:,.0f} MB", flush=True)
    r["many"] = measure(run_cmd(many_path, tmp / "out-many", 1, model=model), proportional=True, interval=0.1)
    print(f"as {pieces:,} articles: {r['many']['seconds']:.1f} s, {r['many']['peak_mb']:,.0f} MB", flush=True)
    return r


def long_article_lines(r: dict) -> list[str]:
    """The long-article section of docs/benchmarks.md, with its targets."""
    ratio = r["long"]["seconds"] / r["many"]["seconds"]
    return [
        "",
        f"Long article: one article of {r['chars']:,} characters (the corpus' sentences, in paragraphs) against "
        f"the same text as {r['pieces']:,} separate articles, `--workers 1` each; peak PSS of the process tree "
        "read every 100 ms.",
        "",
        "| configuration | seconds | peak PSS (MB) |",
        "|---|---:|---:|",
        f"| one article of {r['chars']:,} characters | {r['long']['seconds']:.1f} | {r['long']['peak_mb']:,.0f} |",
        f"| the same text as {r['pieces']:,} articles | {r['many']['seconds']:.1f} | {r['many']['peak_mb']:,.0f} |",
        "",
        "| target | measured | goal | met |",
        "|---|---:|---:|:---:|",
        f"| long article / the same text as articles | {ratio:.2f}x | <= 1.5x | "
        f"{'yes' if ratio <= 1.5 else '**no**'} |",
        f"| peak memory (PSS), long article | {r['long']['peak_mb']:,.0f} MB | < 2,500 MB | "
        f"{'yes' if r['long']['peak_mb'] < 2500 else '**no**'} |",
    ]


def _tree_memory(root: psutil.Process, proportional: bool) -> int:
    """Memory of a process and its children: resident set size (RSS, cheap to read), or the
    proportional set size (PSS), where pages the workers share with the fork server they were
    forked from (the model) count once, not once per process. Reading PSS makes the kernel walk
    every page of every process: a quarter of a core at 20 reads a second, so it is only read
    where memory is the measure."""
    total = 0
    for p in [root, *root.children(recursive=True)]:
        try:
            info = p.memory_full_info() if proportional else p.memory_info()
            total += getattr(info, "pss", info.rss)
        except psutil.Error:
            pass
    return total


def measure(cmd: list[str], proportional: bool = False, interval: float | None = None) -> dict:
    """Wall time and peak memory of one command and its process tree (see _tree_memory)."""
    interval = interval or (0.5 if proportional else 0.1)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    root = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, _tree_memory(root, proportional))
        time.sleep(interval)
    seconds = time.perf_counter() - start
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err[-2000:]}")
    return {"seconds": seconds, "peak_mb": peak / 2**20, "stdout": out}


def run_cmd(corpus: Path, out: Path, workers: int, engine: str = "local", model: str = "") -> list[str]:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        PY,
        "-m",
        "pipeline.cli",
        "run",
        str(corpus),
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--engine",
        engine,
        "--no-progress",
    ]
    return cmd + (["--model", model] if model else [])


def interleaved(configs: dict[str, Callable[[], list[str]]], rounds: int) -> dict[str, dict]:
    """Each configuration once per round, in turn; the best run of each is kept.

    A shared machine's speed drifts by 10-20% over minutes; configurations timed one after the
    other would compare different machines. Taking turns exposes each to the same drift, and
    the best run is the one least slowed by others. All runs are kept in "runs".
    """
    runs: dict[str, list[dict]] = {name: [] for name in configs}
    for r in range(rounds):
        for name, make_cmd in configs.items():
            runs[name].append(measure(make_cmd()))
            print(f"round {r + 1}: {name} {runs[name][-1]['seconds']:.1f} s", flush=True)
    best = {name: min(rs, key=lambda m: m["seconds"]) for name, rs in runs.items()}
    return {name: {**best[name], "runs": [m["seconds"] for m in rs]} for name, rs in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    ap.add_argument("--model", default=None, help="default: the model `nl-entities run` picks")
    ap.add_argument("--target-words", type=int, default=500_000)
    ap.add_argument("--repeats", type=int, default=5, help="rounds of timed runs (best of each is kept)")
    ap.add_argument("--only-long-article", action="store_true", help="run only the long-article case and print it")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    from pipeline.models import resolve_model

    model = resolve_model(args.model)
    rows, source = source_texts()
    words_once = sum(len(r["text"].split()) for r in rows)
    copies = max(1, round(args.target_words / words_once))
    tmp = Path(tempfile.mkdtemp(prefix="nl-bench-"))
    if args.only_long_article:
        try:
            print("\n".join(long_article_lines(long_article_case(rows, model.name, tmp))))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    try:
        c1, c4, c8 = tmp / "corpus-1x.jsonl", tmp / "corpus-4x.jsonl", tmp / "corpus-8x.jsonl"
        words = write_corpus(rows, copies, c1)
        lines_1x = c1.read_text(encoding="utf-8").splitlines(keepends=True)
        halves = [tmp / "half-a.jsonl", tmp / "half-b.jsonl"]
        halves[0].write_text("".join(lines_1x[0::2]), encoding="utf-8")
        halves[1].write_text("".join(lines_1x[1::2]), encoding="utf-8")
        words4 = write_corpus(rows, copies * 4, c4)
        words8 = write_corpus(rows, copies * 8, c8)
        print(f"corpus: {words} words ({copies} copies of {len(rows)} articles); model {model.name}", flush=True)
        r = {}
        r["speed_1core"] = json.loads(
            measure(["taskset", "-c", "0", PY, "-c", ONE_CORE_SPEED, model.name, str(c1)])["stdout"]
        )
        print("one-core model speed", r["speed_1core"], flush=True)
        r.update(
            interleaved(
                {
                    "plain": lambda: [PY, "-c", PLAIN_LOOP, model.name, str(c1)],
                    "plain_pair": lambda: [PY, "-c", PLAIN_PAIR, PLAIN_LOOP, model.name, *map(str, halves)],
                    "local1": lambda: run_cmd(c1, tmp / "out", 1, model=model.name),
                    "local2": lambda: run_cmd(c1, tmp / "out", 2, model=model.name),
                    "dask2": lambda: run_cmd(c1, tmp / "out", 2, "dask", model.name),
                },
                args.repeats,
            )
        )
        # a large archive: start-up, model load and publishing spread over 4x the words; one
        # round, the two runs back to back
        for w in (1, 2):
            r[f"local{w}_4x"] = measure(run_cmd(c4, tmp / "out", w, model=model.name))
            print(f"pipeline {w} worker(s), 4x", r[f"local{w}_4x"]["seconds"], flush=True)
        # memory: PSS, read twice a second, in runs of their own (reading it slows a run down)
        r["mem1x"] = measure(run_cmd(c1, tmp / "out", 2, model=model.name), proportional=True)
        print("pipeline 2 workers, 1x, memory", r["mem1x"]["peak_mb"], flush=True)
        r["local2_8x"] = measure(run_cmd(c8, tmp / "out8", 2, model=model.name), proportional=True)
        print("pipeline 2 workers, 8x", r["local2_8x"]["seconds"], flush=True)
        manifest = json.loads((tmp / "out8" / "manifest.json").read_text())
        r["long_article"] = long_article_case(rows, model.name, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    s1 = r["speed_1core"]
    checks = [
        (
            "model on one core (tokens + sentences + NER)",
            f"{s1['words'] / s1['seconds']:,.0f} words/s",
            ">= 10,000 words/s",
            s1["words"] / s1["seconds"] >= 10_000,
        ),
        (
            "pipeline, 1 worker / plain spaCy loop",
            f"{r['local1']['seconds'] / r['plain']['seconds']:.2f}x",
            "<= 1.10x",
            r["local1"]["seconds"] / r["plain"]["seconds"] <= 1.10,
        ),
        (
            "speed-up, 2 workers over 1",
            f"{r['local1']['seconds'] / r['local2']['seconds']:.2f}x",
            ">= 1.7x",
            r["local1"]["seconds"] / r["local2"]["seconds"] >= 1.7,
        ),
        (
            "(for a large archive: 2 workers over 1 on the 4x corpus, start-up spread over 4x the words)",
            f"{r['local1_4x']['seconds'] / r['local2_4x']['seconds']:.2f}x",
            "",
            None,
        ),
        (
            "peak memory (PSS), 8x corpus / 1x corpus (2 workers)",
            f"{r['local2_8x']['peak_mb'] / r['mem1x']['peak_mb']:.2f}x "
            f"({r['local2_8x']['peak_mb']:,.0f} / {r['mem1x']['peak_mb']:,.0f} MB)",
            "<= 1.2x",
            r["local2_8x"]["peak_mb"] / r["mem1x"]["peak_mb"] <= 1.2,
        ),
        (
            "(the machine's ceiling: plain loop / two plain loops on half the articles each, at once)",
            f"{r['plain']['seconds'] / r['plain_pair']['seconds']:.2f}x",
            "",
            None,
        ),
        (
            "Dask, 2 local workers / local engine, 2 workers",
            f"{r['dask2']['seconds'] / r['local2']['seconds']:.2f}x",
            "<= 1.3x",
            r["dask2"]["seconds"] / r["local2"]["seconds"] <= 1.3,
        ),
    ]
    rows_md = [
        ("plain `spacy.load` + `nlp.pipe` loop, 1 process", r["plain"], words),
        ("two plain loops at once, half of the articles each", r["plain_pair"], words),
        ("`nl-entities run`, local, 1 worker", r["local1"], words),
        ("`nl-entities run`, local, 2 workers", r["local2"], words),
        ("`nl-entities run`, dask (LocalCluster), 2 workers", r["dask2"], words),
        ("`nl-entities run`, local, 1 worker, 4x corpus (one run)", r["local1_4x"], words4),
        ("`nl-entities run`, local, 2 workers, 4x corpus (one run)", r["local2_4x"], words4),
    ]
    mem_rows = [
        ("`nl-entities run`, local, 2 workers, 1x corpus", r["mem1x"], words),
        ("`nl-entities run`, local, 2 workers, 8x corpus", r["local2_8x"], words8),
    ]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {os.cpu_count()} cores, "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}, spaCy {spacy.__version__}.",
        f"Model: `{model.name}` {model.version}. Corpus: {source}, {copies} copies under new ids: "
        f"{words:,} words (whitespace-separated) in {len(rows) * copies:,} articles; 4x: {words4:,} words; "
        f"8x: {words8:,} words.",
        "",
        "Each command is timed from start to exit (start-up, model loading, reading, Parquet, entity tables "
        f"included). The configurations take turns, {args.repeats} rounds, and the best run of each is "
        "shown (all runs in the last column): this machine's speed drifts by 10-20% within minutes. Memory "
        "here is the peak summed RSS of the process tree, which counts pages shared between processes "
        "(the model, which workers get from the fork server) once per process.",
        "",
        "| configuration | seconds | words/s | peak RSS, summed (MB) | all runs (s) |",
        "|---|---:|---:|---:|---|",
    ]
    for name, m, w in rows_md:
        runs = ", ".join(f"{x:.1f}" for x in m.get("runs", [m["seconds"]]))
        lines.append(f"| {name} | {m['seconds']:.1f} | {w / m['seconds']:,.0f} | {m['peak_mb']:,.0f} | {runs} |")
    lines += [
        "",
        "Memory runs, apart from the timed ones: peak proportional set size (PSS) of the process tree, read "
        "twice a second, so shared pages count once.",
        "",
        "| configuration | seconds | words/s | peak PSS (MB) |",
        "|---|---:|---:|---:|",
    ]
    for name, m, w in mem_rows:
        lines.append(f"| {name} | {m['seconds']:.1f} | {w / m['seconds']:,.0f} | {m['peak_mb']:,.0f} |")
    lines += ["", "| target | measured | goal | met |", "|---|---:|---:|:---:|"]
    lines += [f"| {a} | {b} | {c} | {'' if ok is None else 'yes' if ok else '**no**'} |" for a, b, c, ok in checks]

    def per_round(a: str, b: str) -> str:
        ratios = [x / y for x, y in zip(r[a]["runs"], r[b]["runs"], strict=True)]
        return ", ".join(f"{x:.2f}x" for x in ratios) + f" (median {statistics.median(ratios):.2f}x)"

    lines += [
        "",
        "The same ratios within each round (runs of one round are minutes apart, so they share the machine's "
        f"state): 2 workers over 1 {per_round('local1', 'local2')}; the machine's ceiling "
        f"{per_round('plain', 'plain_pair')}; 1 worker / plain loop {per_round('local1', 'plain')}; "
        f"Dask / local {per_round('dask2', 'local2')}.",
    ]
    lines += [
        "",
        f"8x run: {manifest['row_counts']['articles']:,} articles, {manifest['row_counts']['tokens']:,} "
        f"tokens, {manifest['row_counts']['mentions']:,} mentions, {manifest['row_counts']['entities']:,} entities.",
        "",
    ]
    lines += [*long_article_lines(r["long_article"]), ""]
    notes = ROOT / "benchmarks" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").strip(), ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
