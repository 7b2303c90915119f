"""Shared fixtures: a rule-based model (no statistical model needed) and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import spacy

PATTERNS = [
    ("PER", "Andri Jermak"),
    ("PER", "Jermak"),
    ("PER", "Donald Trump"),
    ("PER", "Trump"),
    ("PER", "Bart De Wever"),
    ("PER", "De Wever"),
    ("PER", "Jan van der Berg"),
    ("PER", "Van der Berg"),
    ("PER", "Volodimir Zelensky"),
    ("PER", "Zelenski"),
    ("PER", "Zelensky"),
    ("PER", "Wim Kok"),
    ("PER", "Marieke Kok"),
    ("PER", "Kok"),
    ("GPE", "VS"),
    ("GPE", "Verenigde Staten"),
    ("ORG", "Nieuw-Vlaamse Alliantie"),
    ("GPE", "Koersk"),
    ("GPE", "Oekraïne"),
    ("GPE", "Oekraine"),
    ("GPE", "Antwerpen"),
    ("GPE", "Den Haag"),
    ("LOC", "Schelde"),
    ("GPE", "Oekraïense"),  # a demonym labelled as a place: the pipeline must drop it
    ("NORP", "Russische"),
    ("ORG", "Telegram"),
    ("ORG", "N-VA"),
    ("ORG", "Tweede Kamer"),
    ("DATE", "zondag"),
]


def build_ruler_model(path: Path, patterns: list[tuple[str, str]] = PATTERNS) -> Path:
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "ORTH"})
    ruler.add_patterns([{"label": label, "pattern": text} for label, text in patterns])
    nlp.meta["name"] = "ruler_fixture"
    nlp.meta["version"] = "0.0.1"
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="session")
def ruler_model(tmp_path_factory) -> Path:
    return build_ruler_model(tmp_path_factory.mktemp("model") / "ruler")


def cli(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    """Run the nl-entities command as users do, in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *map(str, args)], capture_output=True, text=True, **kwargs
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
    return proc


def read_table(out: Path, name: str) -> pd.DataFrame:
    return pd.read_parquet(out / name)


SORT_KEYS = {
    "articles": ["article_id"],
    "tokens": ["article_id", "token_idx"],
    "mentions": ["article_id", "mention_idx"],
    "rejects": ["input", "record"],
    "entities": ["entity_id"],
    "article_entities": ["article_id", "entity_id"],
    "cooccurrences": ["entity_a", "entity_b"],
}


def snapshot(out: Path) -> dict[str, list]:
    """Every table as sorted rows, for comparing two runs' results."""
    tables = {}
    for name, keys in SORT_KEYS.items():
        df = read_table(out, name)
        if name == "entities":
            df["aliases"] = df["aliases"].map(lambda a: sorted(a))
        df = df.sort_values(keys).reset_index(drop=True)
        tables[name] = json.loads(df.to_json(orient="records", date_format="iso"))
    return tables


ARTICLE = (
    "Het Oekraïense leger is een offensief begonnen in de regio Koersk. Andri Jermak schreef zondag op "
    "Telegram dat Rusland krijgt wat het verdient. Jermak is het hoofd van het kantoor van de president van "
    "Oekraïne.\n\nVolgens Donald Trump moet er snel worden onderhandeld. Trump sprak met president "
    "Volodimir Zelensky. Bart De Wever van de N-VA reageerde vanuit Antwerpen; De Wever wil dat de Tweede Kamer "
    "en Den Haag meepraten."
)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def dutch_articles(n: int, start: int = 0) -> list[dict]:
    """n distinct Dutch articles built from the template, with ids and dates."""
    return [
        {
            "id": f"art-{i:05d}",
            "title": f"Bericht {i}",
            "published": f"2025-01-{1 + i % 28:02d}",
            "source": "Testkrant",
            "text": f"Bericht nummer {i}. " + ARTICLE,
        }
        for i in range(start, start + n)
    ]
