"""The real text the project annotates, rebuilt from ../shared (never committed), with stable ids.

Two kinds of document:

* UD Dutch documents (``WR-P-P-H-...``, ``wiki-...``): their sentences one a line, as news and
  Wikipedia articles come (headings and list items are sentences of their own in UD; joined by
  spaces they would run together into one long capitalised phrase).
* Europeana newspaper chunks (``enp-0000`` ...): the KB file is one stream of 182k tokens with
  no page or sentence breaks, so it is cut into chunks of :data:`ENP_CHUNK` tokens joined by
  one space. A chunk's id is its index, so it never changes.

Which documents form the held-out dev benchmark is decided here (:data:`BENCH`), in one place,
so training (``corpus.py``) and scoring (``benchmark.py``) cannot disagree about it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ud_names import load_all

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
UD = SHARED / "ud-dutch"
ENP = SHARED / "europeana-nl" / "enp_NL.kb.bio"
ENP_CHUNK = 200

#: Held-out dev benchmark, per source: never trained on, never used to pick a checkpoint.
BENCH: dict[str, list[str]] = {
    # Dutch newspaper articles (UD Alpino test file, WR-P-P-H)
    "news": [
        "WR-P-P-H-0000000005", "WR-P-P-H-0000000010", "WR-P-P-H-0000000015", "WR-P-P-H-0000000034",
        "WR-P-P-H-0000000040", "WR-P-P-H-0000000046", "WR-P-P-H-0000000055", "WR-P-P-H-0000000062",
        "WR-P-P-H-0000000068", "WR-P-P-H-0000000073", "WR-P-P-H-0000000075", "WR-P-P-H-0000000077",
        "WR-P-P-H-0000000078", "WR-P-P-H-0000000082", "WR-P-P-H-0000000083", "WR-P-P-H-0000000086",
        "WR-P-P-H-0000000088", "WR-P-P-H-0000000089", "WR-P-P-H-0000000096", "WR-P-P-H-0000000104",
    ],
    # a Dutch policy report (same file, WR-P-P-L): institutional prose
    "policy": ["WR-P-P-L-0000000003"],
    # Dutch Wikipedia articles (UD LassySmall): encyclopaedic, many foreign names
    "wiki": ["wiki-3866", "wiki-5", "wiki-5594", "wiki-6880", "wiki-737", "wiki-8238"],
    # 19th-century Dutch newspapers (Europeana / KB, CC0): historic spelling and OCR errors;
    # four contiguous blocks of four chunks from across the file
    "historic": [f"enp-{i:04d}" for block in (40, 260, 480, 700) for i in range(block, block + 4)],
}
BENCH_DOCS = {doc: source for source, docs in BENCH.items() for doc in docs}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf8")).hexdigest()[:16]


@dataclass
class Document:
    doc_id: str
    text: str
    #: per piece (UD sentence id or token index), its character start in ``text``
    pieces: list[tuple[str, int]] = field(default_factory=list)
    #: Europeana only: the KB's own partial tags as (start, end, type)
    kb_entities: list[tuple[int, int, str]] = field(default_factory=list)


_KB_TYPES = {"PER": "PERSON", "LOC": "PLACE", "ORG": "ORGANISATION"}


def europeana_chunks(path: Path = ENP) -> list[Document]:
    """The KB file cut into chunks of ENP_CHUNK tokens, with the KB's partial tags as offsets."""
    rows = [line.rsplit(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    docs = []
    for c, lo in enumerate(range(0, len(rows), ENP_CHUNK)):
        text, pieces, ents, open_ = "", [], [], None
        for i, (word, tag) in enumerate(rows[lo : lo + ENP_CHUNK]):
            if text:
                text += " "
            start = len(text)
            text += word
            pieces.append((str(lo + i), start))
            prefix, _, label = tag.partition("-")
            if open_ and (prefix != "I" or label != open_[2]):
                ents.append(tuple(open_))
                open_ = None
            if prefix == "B" or (prefix == "I" and open_ is None):
                open_ = [start, len(text), label]
            elif prefix == "I":
                open_[1] = len(text)
        if open_:
            ents.append(tuple(open_))
        docs.append(Document(f"enp-{c:04d}", text, pieces, [(s, e, _KB_TYPES[t]) for s, e, t in ents]))
    return docs


def ud_documents(ud_dir: Path = UD) -> dict[str, Document]:
    """Every UD document, its sentences one a line in treebank order."""
    docs: dict[str, Document] = {}
    by_doc = defaultdict(list)
    for s in load_all(ud_dir):
        by_doc[s.doc_id].append(s)
    for doc_id, sents in by_doc.items():
        text, pieces = "", []
        for s in sents:
            if text:
                text += "\n"
            pieces.append((s.sent_id, len(text)))
            text += s.text
        docs[doc_id] = Document(doc_id, text, pieces)
    return docs


def bench_documents() -> dict[str, Document]:
    """The benchmark documents by id (text rebuilt from ../shared)."""
    ud = ud_documents()
    enp = {d.doc_id: d for d in europeana_chunks()}
    return {doc: (enp[doc] if doc.startswith("enp-") else ud[doc]) for doc in BENCH_DOCS}
