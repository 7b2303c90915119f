"""The article this project was made from, through ``nl-entities run`` with the default model.

The seed article lies in ``../shared/samples/`` (not in the repository: its text is not ours);
where that folder is missing this check cannot run, and the post-processing rules it relies
on are tested on their own in test_postprocess.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import cli, read_table

SEED = Path(__file__).resolve().parents[2] / "shared" / "samples" / "000_0070b14e960a4d3d.txt"
NAMES = {
    "Koersk": "PLACE",
    "Rusland": "PLACE",
    "Oekraïne": "PLACE",
    "Soedzja": "PLACE",
    "Andri Jermak": "PERSON",
    "Jermak": "PERSON",
    "Andri Kovalenko": "PERSON",
    "Volodimir Zelensky": "PERSON",
    "Donald Trump": "PERSON",
    "Trump": "PERSON",
}


@pytest.fixture(scope="module")
def seed(tmp_path_factory):
    if not SEED.is_file():
        pytest.skip("../shared/samples is not beside this checkout")
    folder = tmp_path_factory.mktemp("seed")
    (folder / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = folder / "out"
    cli("run", folder / "seed.txt", "--out", out, "--model", "nl_entities_ner", "--workers", "1")
    text = read_table(out, "articles")["text"].iloc[0]
    return text, read_table(out, "mentions"), read_table(out, "entities")


def test_every_occurrence_of_the_seed_names_is_in_a_mention_of_the_right_type(seed):
    text, mentions, _ = seed
    for name, type_ in NAMES.items():
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text):
            inside = mentions[(mentions.start_char <= m.start()) & (mentions.end_char >= m.end())]
            assert list(inside["type"]) == [type_], f"{name} at {m.start()}: {inside[['text', 'type']].values}"


def test_one_entity_per_name_and_no_mentions_for_non_names(seed):
    text, mentions, entities = seed
    by_text = mentions.groupby("text")["entity_id"].unique()
    assert set(by_text["Jermak"]) == set(by_text["Andri Jermak"])
    assert set(by_text["Trump"]) == set(by_text["Donald Trump"])
    assert len(by_text["Koersk"]) == 1
    assert all("\n" not in t and t == t.strip() for t in mentions["text"])
    found = set(mentions["text"])
    for non_name in ("Onlangs", "West-Russische regio", "Tegenaanval", "Oekraïense", "Russische", "Russen"):
        assert not any(non_name in t for t in found), non_name
