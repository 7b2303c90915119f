"""Read the UD Dutch treebanks and find the name candidates that annotators type.

UD marks names (PROPN, bound by flat / flat:name / name relations) but gives them no
entity type. This module turns each treebank sentence into plain text with exact
character offsets, deduplicates sentences across UD releases, and proposes one candidate
span per name so the annotation work is "which type is this name", not "find the names".

The UD text itself is never committed: annotations refer to sentences by ``sent_id`` and a
hash of the sentence text, and ``make train-model`` rebuilds the text from ``../shared``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

NAME_RELS = {"flat", "flat:name", "name"}
NO_SPACE_BEFORE = set(",.;:!?)]}»%'\"") | {"''", "...", "'s"}
NO_SPACE_AFTER = set("([{«") | {",,", "``"}


@dataclass
class Token:
    idx: int
    form: str
    upos: str
    head: int
    deprel: str
    space_after: bool
    start: int = 0
    end: int = 0


@dataclass
class Sentence:
    sent_id: str
    doc_id: str
    treebank: str
    text: str
    tokens: list[Token] = field(default_factory=list)

    @property
    def sha(self) -> str:
        return text_sha(self.text)


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf8")).hexdigest()[:16]


def doc_of(sent_id: str) -> str:
    """'wiki-1181.p.10.s.1' -> 'wiki-1181'; 'WR-P-P-H-0000000105\\...p.6.s.1' -> 'WR-P-P-H-0000000105'."""
    sent_id = sent_id.split("\\")[-1].removesuffix(".xml")
    return re.sub(r"\.p\.\d+\.s\.\d+$", "", sent_id)


def _guess_space_after(form: str, nxt: str | None) -> bool:
    if nxt is None:
        return False
    if form in NO_SPACE_AFTER:
        return False
    return nxt not in NO_SPACE_BEFORE


def read_conllu(path: Path) -> Iterator[Sentence]:
    treebank = path.name.split("-ud-")[0]
    block: list[str] = []
    for line in path.read_text(encoding="utf8").splitlines() + [""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            sent = _parse_block(block, treebank)
            if sent is not None:
                yield sent
            block = []


def _parse_block(lines: list[str], treebank: str) -> Sentence | None:
    sent_id, text = "", None
    rows = []
    for line in lines:
        if line.startswith("#"):
            if line.startswith("# sent_id = "):
                sent_id = line.split("=", 1)[1].strip()
            elif line.startswith("# text = "):
                text = line.split("=", 1)[1].strip()
            elif not sent_id and re.match(r"# \S+\.xml$", line):
                sent_id = line[2:].strip()
            continue
        cols = line.split("\t")
        if "-" in cols[0] or "." in cols[0]:
            continue
        rows.append(cols)
    if not rows:
        return None
    sent_id = sent_id.split("\\")[-1].removesuffix(".xml")
    tokens = []
    for i, cols in enumerate(rows):
        misc = cols[9] if len(cols) > 9 else "_"
        nxt = rows[i + 1][1] if i + 1 < len(rows) else None
        space = "SpaceAfter=No" not in misc if text is not None else _guess_space_after(cols[1], nxt)
        if i + 1 == len(rows):
            space = False
        tokens.append(Token(int(cols[0]), cols[1], cols[3], int(cols[6]) if cols[6].isdigit() else 0, cols[7], space))
    built, pos = [], 0
    for tok in tokens:
        if text is not None:
            found = text.find(tok.form, pos)
            if found < 0:
                return None
            tok.start, tok.end = found, found + len(tok.form)
            pos = tok.end
        else:
            tok.start = pos
            built.append(tok.form)
            pos += len(tok.form)
            tok.end = pos
            if tok.space_after:
                built.append(" ")
                pos += 1
    if text is None:
        text = "".join(built)
    return Sentence(sent_id, doc_of(sent_id), treebank, text, tokens)


def name_spans(sent: Sentence) -> list[tuple[int, int]]:
    """Token index ranges [i, j) of the names in a sentence.

    A name is a PROPN that heads its own name (not attached by a name relation), widened over
    its name-relation descendants; bare PROPN runs are merged so "Verenigde Staten" stays one.
    """
    toks = sent.tokens
    by_idx = {t.idx: k for k, t in enumerate(toks)}
    children: dict[int, list[int]] = {}
    for k, t in enumerate(toks):
        if t.deprel in NAME_RELS and t.head in by_idx:
            children.setdefault(by_idx[t.head], []).append(k)
    in_name = [False] * len(toks)
    spans = []
    for k, t in enumerate(toks):
        if t.upos != "PROPN" or (t.deprel in NAME_RELS and t.head in by_idx and toks[by_idx[t.head]].upos == "PROPN"):
            continue
        members, stack = {k}, [k]
        while stack:
            for c in children.get(stack.pop(), []):
                if c not in members:
                    members.add(c)
                    stack.append(c)
        lo, hi = min(members), max(members) + 1
        if len(members) != hi - lo:  # discontinuous: keep the head's contiguous run only
            lo, hi = k, k + 1
        spans.append((lo, hi))
        for m in range(lo, hi):
            in_name[m] = True
    spans.sort()
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo == merged[-1][1] and toks[lo].upos == "PROPN" and toks[lo - 1].upos == "PROPN":
            merged[-1] = (merged[-1][0], hi)
        elif merged and lo < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    # strip punctuation at the edges of a span
    out = []
    for lo, hi in merged:
        while lo < hi and toks[lo].upos == "PUNCT":
            lo += 1
        while hi > lo and toks[hi - 1].upos == "PUNCT":
            hi -= 1
        if lo < hi:
            out.append((lo, hi))
    return out


def load_all(ud_dir: Path) -> list[Sentence]:
    """Every UD Dutch sentence once: current releases first, old train sentences only when new."""
    order = sorted(ud_dir.glob("*.conllu"), key=lambda p: ("train" in p.name, p.name))
    seen_ids: set[str] = set()
    seen_text: set[str] = set()
    out = []
    for path in order:
        for sent in read_conllu(path):
            norm = re.sub(r"\s+", "", sent.text)
            if sent.sent_id in seen_ids or norm in seen_text:
                continue
            seen_ids.add(sent.sent_id)
            seen_text.add(norm)
            out.append(sent)
    return out
