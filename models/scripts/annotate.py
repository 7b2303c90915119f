"""Tools for annotators: print documents to annotate, check an annotation file, turn it into offsets.

Annotators never write character offsets. They list every mention in text order, as written:

    {"id": "enp-0040", "mentions": [["Italië", "PLACE"], ["Cavour", "PERSON"], ...]}

and for text they write themselves, the text too:

    {"id": "news-h-0001", "text": "...", "mentions": [["Marieke van der Wiel", "PERSON"], ...]}

``check`` aligns each mention with its next occurrence in the text (after the previous one, on
word boundaries), so a mention that is not there, or listed out of order, is an error that
names the document and the mention. ``offsets`` writes ``{"id", "entities": [[start, end,
type]]}`` (plus ``text`` for own text) once a file checks clean.

    python models/scripts/annotate.py texts historic        # JSONL {"id", "text"} to stdout
    python models/scripts/annotate.py check FILE.jsonl
    python models/scripts/annotate.py offsets FILE.jsonl OUT.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

TYPES = ("PERSON", "PLACE", "ORGANISATION")


def _boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (after.isalnum() and text[end - 1].isalnum())


def align(text: str, mentions: list) -> tuple[list[list], list[str]]:
    """Offsets of each (surface, type) mention, found in order; errors as messages."""
    out, errors, cursor = [], [], 0
    for k, item in enumerate(mentions):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            errors.append(f"mention {k}: expected [surface, type], got {item!r}")
            continue
        surface, type_ = item
        if type_ not in TYPES:
            errors.append(f"mention {k} {surface!r}: type {type_!r} is not one of {', '.join(TYPES)}")
            continue
        if surface != surface.strip() or not surface:
            errors.append(f"mention {k} {surface!r}: starts or ends with white space")
            continue
        pos = text.find(surface, cursor)
        while pos >= 0 and not _boundary(text, pos, pos + len(surface)):
            pos = text.find(surface, pos + 1)
        if pos < 0:
            where = "earlier in the text (listed out of order?)" if surface in text else "nowhere in the text"
            errors.append(f"mention {k} {surface!r}: not found after offset {cursor}; it occurs {where}")
            continue
        out.append([pos, pos + len(surface), type_])
        cursor = pos + len(surface)
    return out, errors


def _texts_by_id(records: list[dict]) -> dict[str, str]:
    need = {r["id"] for r in records if "text" not in r}
    if not need:
        return {}
    from sources import bench_documents

    docs = bench_documents()
    missing = need - set(docs)
    if missing:
        raise SystemExit(f"unknown document ids: {', '.join(sorted(missing)[:10])}")
    return {d: docs[d].text for d in need}


def _read(path: Path) -> list[dict]:
    records = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path}:{n}: not JSON ({exc})") from exc
    return records


def check(path: Path) -> tuple[list[dict], list[str]]:
    records = _read(path)
    texts = _texts_by_id(records)
    out, errors, seen = [], [], set()
    for r in records:
        rid = r.get("id")
        if not isinstance(rid, str) or rid in seen:
            errors.append(f"{rid!r}: missing or repeated id")
            continue
        seen.add(rid)
        text = r.get("text", texts.get(rid))
        ents, errs = align(text, r.get("mentions", []))
        errors.extend(f"{rid}: {e}" for e in errs)
        row = {"id": rid, "entities": ents}
        if "text" in r:
            row = {"id": rid, "text": text, "entities": ents}
        out.append(row)
    return out, errors


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "texts":
        from sources import BENCH, bench_documents

        docs = bench_documents()
        for doc_id in BENCH[argv[1]]:
            print(json.dumps({"id": doc_id, "text": docs[doc_id].text}, ensure_ascii=False))
        return 0
    if len(argv) in (2, 3) and argv[0] in ("check", "offsets"):
        rows, errors = check(Path(argv[1]))
        for e in errors:
            print(e)
        n = sum(len(r["entities"]) for r in rows)
        print(f"{len(rows)} documents, {n} mentions aligned, {len(errors)} errors")
        if argv[0] == "offsets" and not errors and len(argv) == 3:
            with Path(argv[2]).open("w", encoding="utf-8") as f:
                for r in rows:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        return 1 if errors else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
