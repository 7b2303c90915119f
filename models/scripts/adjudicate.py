"""Two annotation passes over the dev benchmark -> their disagreements -> adjudicated gold.

Every benchmark document is annotated twice, independently (``models/ANNOTATION.md``; for
the UD documents the first pass is the project's earlier annotation in
``ud_annotations.jsonl``). ``diff`` groups the spans the two passes do not share into
disagreements (overlapping spans form one group) and writes them with their context for an
adjudicator; ``apply`` takes the adjudicator's decision per group and writes the gold,
``models/data/bench_gold.jsonl``: per document its id, source, text hash and entities. The
text itself is never committed; ``benchmark.py`` rebuilds it from ../shared.

    python models/scripts/adjudicate.py diff PASSES_DIR OUT_DIR
    python models/scripts/adjudicate.py apply PASSES_DIR DECISIONS_DIR models/data/bench_gold.jsonl

The committed passes and decisions are in ``models/data/bench_passes/`` (mention lists and
decisions only, no text): ``apply models/data/bench_passes models/data/bench_passes
models/data/bench_gold.jsonl`` rebuilds the committed gold exactly.

A decision is ``{"group": id, "keep": ["A"] | ["B"] | ["A", "B"] | [] | [[surface, type], ...]}``:
the spans of pass A, of pass B, of both, none, or spans written out (aligned inside the group).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from annotate import align  # noqa: E402
from sources import BENCH, ROOT, bench_documents, sha  # noqa: E402

Span = tuple[int, int, str]


def _ud_first_pass(docs: dict) -> dict[str, set[Span]]:
    """The earlier annotation of the UD benchmark documents, as offsets into the joined text."""
    by_sent = {}
    for line in (ROOT / "models" / "data" / "ud_annotations.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        by_sent[r["sent_id"]] = r["entities"]
    out = {}
    for doc_id, doc in docs.items():
        if doc_id.startswith("enp-"):
            continue
        out[doc_id] = {(s + off, e + off, t) for sid, off in doc.pieces for s, e, t in by_sent.get(sid, [])}
    return out


def _pass(path: Path, docs: dict) -> dict[str, set[Span]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            ents, errors = align(docs[r["id"]].text, r["mentions"])
            if errors:
                raise SystemExit(f"{path}: {r['id']}: {errors[0]}")
            out[r["id"]] = {tuple(e) for e in ents}
    return out


def passes(passes_dir: Path) -> tuple[dict, dict[str, set[Span]], dict[str, set[Span]]]:
    docs = bench_documents()
    ud = _ud_first_pass(docs)
    a: dict[str, set[Span]] = {}
    b: dict[str, set[Span]] = {}
    for source in BENCH:
        pa, pb = passes_dir / f"{source}.A.jsonl", passes_dir / f"{source}.B.jsonl"
        a.update(_pass(pa, docs) if pa.exists() else {d: ud[d] for d in BENCH[source] if d in ud})
        if pb.exists():
            b.update(_pass(pb, docs))
    return docs, a, b


def groups(a: set[Span], b: set[Span]) -> list[tuple[list[Span], list[Span]]]:
    """Disagreements: overlapping spans of A and B not shared by both, as (A's, B's) groups."""
    only = sorted([(s, "A") for s in a - b] + [(s, "B") for s in b - a])
    out: list[tuple[list[Span], list[Span]]] = []
    end = -1
    for span, side in only:
        if not out or span[0] >= end:
            out.append(([], []))
        out[-1][0 if side == "A" else 1].append(span)
        end = max(end, span[1]) if out[-1][0] or out[-1][1] else span[1]
    return out


def diff(passes_dir: Path, out_dir: Path) -> None:
    docs, a, b = passes(passes_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for source, doc_ids in BENCH.items():
        rows, agreed = [], 0
        for doc_id in doc_ids:
            if doc_id not in b:
                continue
            text = docs[doc_id].text
            agreed += len(a.get(doc_id, set()) & b[doc_id])
            for k, (ga, gb) in enumerate(groups(a.get(doc_id, set()), b[doc_id])):
                lo = min(s[0] for s in ga + gb)
                hi = max(s[1] for s in ga + gb)
                rows.append(
                    {
                        "group": f"{doc_id}#{k}",
                        "context": text[max(0, lo - 150) : lo] + "⟦" + text[lo:hi] + "⟧" + text[hi : hi + 150],
                        "A": [[text[s:e], t] for s, e, t in ga],
                        "B": [[text[s:e], t] for s, e, t in gb],
                    }
                )
        with (out_dir / f"{source}.jsonl").open("w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{source}: {agreed} spans agreed, {len(rows)} disagreements")


def apply(passes_dir: Path, decisions_dir: Path, out: Path) -> None:
    docs, a, b = passes(passes_dir)
    decisions = {}
    for path in sorted(decisions_dir.glob("*.decisions.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                decisions[d["group"]] = d["keep"]
    rows, missing = [], []
    for source, doc_ids in BENCH.items():
        for doc_id in doc_ids:
            if doc_id not in b:
                missing.append(doc_id)
                continue
            text = docs[doc_id].text
            gold = set(a.get(doc_id, set()) & b[doc_id])
            for k, (ga, gb) in enumerate(groups(a.get(doc_id, set()), b[doc_id])):
                keep = decisions.get(f"{doc_id}#{k}")
                if keep is None:
                    missing.append(f"{doc_id}#{k}")
                    continue
                lo = min(s[0] for s in ga + gb)
                for item in keep:
                    if item == "A":
                        gold |= set(ga)
                    elif item == "B":
                        gold |= set(gb)
                    else:
                        ents, errors = align(text[lo:], [item])
                        if errors:
                            raise SystemExit(f"{doc_id}#{k}: {errors[0]}")
                        gold |= {(s + lo, e + lo, t) for s, e, t in ents}
            rows.append({"id": doc_id, "source": source, "sha": sha(text), "entities": sorted(map(list, gold))})
    if missing:
        raise SystemExit(f"no decision or second pass for: {', '.join(missing[:20])} ({len(missing)} in all)")
    with out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} documents, {sum(len(r['entities']) for r in rows)} entities -> {out}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "diff":
        diff(Path(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 5 and sys.argv[1] == "apply":
        apply(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
    else:
        raise SystemExit(__doc__)
