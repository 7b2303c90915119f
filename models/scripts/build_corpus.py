"""Build the committed annotation files from the annotators' name decisions.

Input: the UD sentences (../shared/data/ud-dutch), the candidate names of ``ud_names``, and
the annotators' decisions ``models/data/name_decisions.jsonl`` (one per unique name: a type,
optionally a corrected span, a split into parts, per-occurrence overrides).

``models/data/reviewed.jsonl`` holds the sentences a reviewer corrected in full context
(the held-out test set was reviewed sentence by sentence); their entities win.

Output: ``models/data/ud_annotations.jsonl``: one line per UD sentence (entities or not),
``{"sent_id", "doc_id", "treebank", "sha", "split", "entities": [[start, end, type], ...]}``.
The text is not stored: ``corpus.py`` rebuilds it from ../shared and checks ``sha``.

Split by document: the UD Alpino *test* documents (newspaper text) are the held-out test
set; 30% of the other Alpino documents and 10% of the Wikipedia documents are dev; the rest
is train. The split is a hash of the document id, so it never changes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ud_names import load_all, name_spans, read_conllu  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
UD = ROOT.parent / "shared" / "data" / "ud-dutch"
TYPES = {"PERSON", "PLACE", "ORGANISATION"}


def doc_split(doc_id: str, treebank: str, test_docs: set[str]) -> str:
    if doc_id in test_docs:
        return "test"
    bucket = int(hashlib.sha256(doc_id.encode()).hexdigest()[:8], 16) % 100
    return "dev" if bucket < (30 if treebank == "nl_alpino" else 10) else "train"


def _find_overlapping(text: str, needle: str, a: int, b: int) -> tuple[int, int] | None:
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        if start < b and end > a:
            return start, end
        start = text.find(needle, start + 1)
    return None


def entities_for(text: str, a: int, b: int, occ: str, decision: dict) -> list[tuple[int, int, str]]:
    if decision.get("parts"):
        out = []
        for part, type_ in decision["parts"]:
            found = _find_overlapping(text, part, a, b)
            if found and type_ in TYPES:
                out.append((*found, type_))
        return out
    type_ = decision.get("occ", {}).get(occ, decision.get("type"))
    if type_ not in TYPES:
        return []
    if decision.get("span"):
        found = _find_overlapping(text, decision["span"], a, b)
        if found:
            a, b = found
    return [(a, b, type_)]


def main() -> None:
    decisions = {}
    for path in [ROOT / "models" / "data" / "name_decisions.jsonl"]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                decisions[d["name"]] = d
    # sentences reviewed in full context (the held-out test set): their entities replace the above
    reviewed = {}
    for line in (ROOT / "models" / "data" / "reviewed.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        reviewed[r["sent_id"]] = [tuple(e) for e in r["entities"]]
    test_docs = {s.doc_id for s in read_conllu(UD / "nl_alpino-ud-test.conllu")}
    out_path = ROOT / "models" / "data" / "ud_annotations.jsonl"
    counts: dict[str, dict[str, int]] = {}
    missing = 0
    with out_path.open("w", encoding="utf-8") as out:
        for sent in load_all(UD):
            ents: list[tuple[int, int, str]] = []
            for lo, hi in name_spans(sent):
                a, b = sent.tokens[lo].start, sent.tokens[hi - 1].end
                name = sent.text[a:b]
                decision = decisions.get(name)
                if decision is None:
                    missing += 1
                    continue
                ents.extend(entities_for(sent.text, a, b, f"{sent.sent_id}#{a}-{b}", decision))
            ents = reviewed.get(sent.sent_id, ents)
            ents.sort(key=lambda e: (e[0], -(e[1] - e[0])))
            kept: list[tuple[int, int, str]] = []
            for e in ents:
                if kept and e[0] < kept[-1][1]:
                    continue
                kept.append(e)
            split = doc_split(sent.doc_id, sent.treebank, test_docs)
            c = counts.setdefault(split, {"sentences": 0, **{t: 0 for t in sorted(TYPES)}})
            c["sentences"] += 1
            for e in kept:
                c[e[2]] += 1
            record = {
                "sent_id": sent.sent_id,
                "doc_id": sent.doc_id,
                "treebank": sent.treebank,
                "sha": sent.sha,
                "split": split,
                "entities": [list(e) for e in kept],
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(json.dumps(counts, indent=1), "undecided names:", missing)


if __name__ == "__main__":
    main()
