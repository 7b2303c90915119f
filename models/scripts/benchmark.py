"""Score a model on the dev benchmark, per source, and list its errors (``make evaluate-model``).

The benchmark (``models/data/bench_gold.jsonl``, built by ``adjudicate.py``) is real text of
several sources and genres, annotated twice and adjudicated, never trained on and never used to
pick a checkpoint (``sources.BENCH``). Its text is rebuilt from ../shared and checked against
the committed hash. Predictions go through ``pipeline.evaluate.predict``, the same NLP and
post-processing as ``nl-entities run``.

Writes ``models/build/bench/scores.json`` and, per source, ``errors-<source>.txt``: every false
positive and false negative with its context, grouped by kind (wrong type, wrong boundary,
spurious, missed), because the number alone does not say what to fix.

    python models/scripts/benchmark.py [--model NAME_OR_PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from sources import BENCH, ROOT, bench_documents, sha  # noqa: E402

from pipeline.evaluate import format_table, predict, score  # noqa: E402
from pipeline.models import NlpSettings, resolve_model  # noqa: E402

GOLD = ROOT / "models" / "data" / "bench_gold.jsonl"


def load_gold(path: Path = GOLD) -> dict[str, list[tuple[str, str, set]]]:
    """Per source: (doc id, text, gold spans); refuses a document whose text changed."""
    docs = bench_documents()
    out: dict[str, list] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        text = docs[r["id"]].text
        if sha(text) != r["sha"]:
            raise SystemExit(f"benchmark document {r['id']} changed in ../shared: its hash does not match")
        out[r["source"]].append((r["id"], text, {tuple(e) for e in r["entities"]}))
    return out


def _kind(span: tuple, other: set) -> str:
    s, e, t = span
    if any((s, e) == (o[0], o[1]) for o in other):
        return "wrong type"
    if any(o[0] < e and s < o[1] for o in other):
        return "wrong boundary"
    return "no counterpart"


def errors_report(docs: list[tuple[str, str, set]], predicted: list[set]) -> str:
    groups: dict[str, list[str]] = defaultdict(list)
    for (doc_id, text, gold), pred in zip(docs, predicted, strict=True):
        for side, spans, other in (("false positive", pred - gold, gold), ("false negative", gold - pred, pred)):
            for s, e, t in sorted(spans):
                kind = _kind((s, e, t), other)
                if kind == "no counterpart":
                    kind = "spurious" if side == "false positive" else "missed"
                ctx = text[max(0, s - 60) : s] + "[" + text[s:e] + "]" + text[e : e + 60]
                groups[f"{side}: {kind}"].append(f"{t:<13} {text[s:e]!r:<32} {doc_id}  …{ctx.replace(chr(10), ' ')}…")
    lines = []
    for name in sorted(groups):
        lines.append(f"## {name} ({len(groups[name])})")
        lines.extend(groups[name])
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "build" / "bench")
    ap.add_argument("--gold", type=Path, default=GOLD)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    gold = load_gold(args.gold)
    ref = resolve_model(args.model)
    settings = NlpSettings(ref)
    results, pooled_gold, pooled_pred = {}, [], []
    for source in BENCH:
        docs = gold.get(source, [])
        if not docs:
            continue
        predicted = predict(settings, [text for _, text, _ in docs])
        result = {"gold": f"bench:{source}", "documents": len(docs), "model": ref.as_dict(), **score(
            [g for _, _, g in docs], predicted)}
        results[source] = result
        pooled_gold += [g for _, _, g in docs]
        pooled_pred += predicted
        (args.out / f"errors-{source}.txt").write_text(errors_report(docs, predicted), encoding="utf-8")
        print(f"== {source}\n{format_table(result)}\n")
    pooled = {"gold": "bench:all", "documents": len(pooled_gold), "model": ref.as_dict(),
              **score(pooled_gold, pooled_pred)}
    results["all"] = pooled
    print(f"== all sources pooled\n{format_table(pooled)}")
    (args.out / "scores.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
