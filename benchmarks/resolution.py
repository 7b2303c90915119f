"""`make evaluate-resolution`: cross-document resolution scored on data/resolution/articles.txt.

The articles were written for this project (CC0): 44 short Dutch news items that name the
same people, parties and places under other spellings, short forms, acronyms and exonyms,
and people who share a surname. Every name is marked ``[[as written|gold entity]]``.

The script runs ``nl-entities run`` on them with a model (the default model unless
``--model``), aligns the mentions found with the gold names (same article, overlapping span)
and reports, over the names found:

* B-cubed precision, recall and F1 of the published ``mentions.entity_id`` (the archive
  rules), and of the within-article ids alone (the batch parts, before the archive rules),
  so the gain of the corpus-level rules is visible;
* per rule, the precision of the ``aliases`` rows: a row is right when the gold entity of its
  mentions is the gold entity of most of its entity's mentions. Every row is listed, so the
  sample is reviewed whole.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "resolution" / "articles.txt"
MARK = re.compile(r"\[\[([^|\]]+)\|([^\]]+)\]\]")


def parse(path: Path) -> tuple[list[dict], list[dict]]:
    """(records for nl-entities, gold names with offsets into the records' text)."""
    records, gold = [], []
    blocks = re.split(r"^== ", path.read_text(encoding="utf-8"), flags=re.M)[1:]
    for block in blocks:
        head, _, body = block.partition("\n")
        aid, published = head.split()
        text, pos, out = body.strip(), 0, []
        for m in MARK.finditer(text):
            out.append(text[pos : m.start()])
            start = sum(map(len, out))
            out.append(m.group(1))
            gold.append({"article_id": aid, "start": start, "end": start + len(m.group(1)), "gold": m.group(2)})
            pos = m.end()
        out.append(text[pos:])
        records.append({"id": aid, "published": published, "text": "".join(out)})
    return records, gold


def align(mentions: pd.DataFrame, gold: list[dict]) -> pd.DataFrame:
    """The found mentions that overlap a gold name, with its gold entity (names found only)."""
    by_article = defaultdict(list)
    for g in gold:
        by_article[g["article_id"]].append(g)
    labels = []
    for m in mentions.itertuples():
        hit = [g for g in by_article[m.article_id] if g["start"] < m.end_char and m.start_char < g["end"]]
        labels.append(hit[0]["gold"] if len(hit) == 1 else None)
    return mentions.assign(gold=labels).dropna(subset=["gold"])


def bcubed(system: list[str], gold: list[str]) -> dict[str, float]:
    sys_of, gold_of = defaultdict(list), defaultdict(list)
    for i, (s, g) in enumerate(zip(system, gold, strict=True)):
        sys_of[s].append(i)
        gold_of[g].append(i)
    p = r = 0.0
    for s, g in zip(system, gold, strict=True):
        both = len(set(sys_of[s]) & set(gold_of[g]))
        p += both / len(sys_of[s])
        r += both / len(gold_of[g])
    n = len(system) or 1
    p, r = p / n, r / n
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r) if p + r else 0, 3)}


def rule_precision(out: Path, found: pd.DataFrame) -> tuple[dict, list[dict]]:
    from pipeline.entities import display_form

    aliases = pd.read_parquet(out / "aliases")
    names = pd.read_parquet(out / "entities").set_index("entity_id")["name"]
    found = found.assign(
        alias=[display_form(t, ty == "PERSON") or t for t, ty in zip(found.text, found.type, strict=True)]
    )
    majority = found.groupby("entity_id").gold.agg(lambda g: Counter(g).most_common(1)[0][0])
    rows, tally = [], defaultdict(lambda: [0, 0])
    for a in aliases.itertuples():
        hit = found[(found.entity_id == a.entity_id) & (found.alias == a.alias)]
        if hit.empty or a.entity_id not in majority:
            continue
        gold = Counter(hit.gold).most_common(1)[0][0]
        right = gold == majority[a.entity_id]
        tally[a.rule][0] += right
        tally[a.rule][1] += 1
        rows.append(
            {
                "rule": a.rule,
                "alias": a.alias,
                "entity": names[a.entity_id],
                "evidence": int(a.evidence),
                "gold": gold,
                "right": right,
            }
        )
    return {r: {"rows": n, "right": k, "precision": round(k / n, 3)} for r, (k, n) in sorted(tally.items())}, rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="model for nl-entities run (default: as for run)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    ap.add_argument("--keep", type=Path, help="run into this folder and keep it")
    args = ap.parse_args()
    records, gold = parse(DATA)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        out = args.keep or base / "out"
        src = base / "articles.jsonl"
        src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        cmd = [sys.executable, "-m", "pipeline.cli", "run", str(src), "--out", str(out), "--workers", "1", "--replace"]
        if args.model:
            cmd += ["--model", args.model]
        subprocess.run(cmd, check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
        mentions = pd.read_parquet(out / "mentions")
        local = pd.read_parquet(out / "current" / ".batch" / "mentions")
        found = align(mentions, gold)
        found_local = align(local, gold)
        per_rule, rows = rule_precision(out, found)
        manifest = json.loads((out / "manifest.json").read_text())
    report = {
        "model": manifest["model"]["name"],
        "articles": len(records),
        "gold_names": len(gold),
        "gold_entities": len({g["gold"] for g in gold}),
        "names_found": len(found),
        "archive": bcubed(list(found.entity_id), list(found.gold)),
        "within_article_only": bcubed(list(found_local.entity_id), list(found_local.gold)),
        "rules": per_rule,
        "wrong": [r for r in rows if not r["right"]],
        "reviewed": rows,
    }
    print(
        f"model {report['model']}: {report['articles']} articles, {report['gold_names']} gold names of "
        f"{report['gold_entities']} entities, {report['names_found']} found"
    )
    for what in ("within_article_only", "archive"):
        s = report[what]
        print(f"  B-cubed {what:20s} P {s['precision']:.3f}  R {s['recall']:.3f}  F {s['f1']:.3f}")
    print("  rule                 rows  right  precision")
    for rule, s in per_rule.items():
        print(f"  {rule:20s} {s['rows']:4d}  {s['right']:5d}  {s['precision']:.3f}")
    for r in report["wrong"]:
        print(f"  wrong: {r['rule']}: {r['alias']!r} in {r['entity']!r} (gold {r['gold']})")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
