"""Entity tables: one row per entity, counts that add up, references that hold, notebook API."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import tables

from .conftest import cli, dutch_articles, read_table, write_jsonl

EXTRA = [
    {"id": "x1", "published": "2024-03-01", "text": "President Volodimir Zelensky sprak in Koersk. Zelensky was kort."},
    {
        "id": "x2",
        "published": "2024-05-01",
        "text": "Zelenski bezocht Oekraine. Oekraïne is groot en Trump's plan ook.",
    },
    {
        "id": "x3",
        "published": "2024-04-01",
        "text": "Jan van der Berg van de N-VA ging naar Antwerpen. Van der Berg zweeg.",
    },
]


@pytest.fixture(scope="module")
def out(tmp_path_factory, ruler_model):
    base = tmp_path_factory.mktemp("entities")
    write_jsonl(base / "a.jsonl", dutch_articles(8) + EXTRA)
    cli("run", base / "a.jsonl", "--out", base / "out", "--model", ruler_model, "--workers", "2", "--batch-size", "4")
    return base / "out"


def test_mention_counts_add_up_and_ids_refer_to_entities(out):
    entities, mentions = read_table(out, "entities"), read_table(out, "mentions")
    assert entities.entity_id.is_unique
    assert entities.mention_count.sum() == len(mentions)
    assert set(mentions.entity_id) == set(entities.entity_id)
    ae = read_table(out, "article_entities")
    assert ae.mentions.sum() == len(mentions)
    assert (
        ae.groupby("entity_id").size().sort_index() == entities.set_index("entity_id").article_count.sort_index()
    ).all()


def test_resolution_in_the_tables(out):
    e = read_table(out, "entities").set_index("name")
    assert "Andri Jermak" in e.index and "Jermak" not in e.index  # short form joined the full name
    assert set(e.loc["Andri Jermak", "aliases"]) == {"Andri Jermak", "Jermak"}
    assert "Jan van der Berg" in e.index and "Van der Berg" not in e.index
    # diacritics folded for the key only: one entity, the display name keeps its accent
    places = e[e.type == "PLACE"]
    assert len([n for n in places.index if n.startswith("Oekra")]) == 1
    assert set(places.loc[[n for n in places.index if n.startswith("Oekra")][0], "aliases"]) == {"Oekraïne", "Oekraine"}
    # across the archive: "Zelenski" shares Oekraïne and Donald Trump with "Volodimir Zelensky" (variant);
    # the bare "Trump's" of x2 joins Donald Trump, whom every template article backs (surname_in_archive)
    people = e[e.type == "PERSON"]
    assert "Zelenski" not in people.index
    assert {"Zelenski", "Zelensky"} <= set(people.loc["Volodimir Zelensky", "aliases"])
    aliases = read_table(out, "aliases")
    rules = dict(zip(aliases.alias, aliases.rule, strict=False))
    assert rules["Zelenski"] == "variant" and rules["Zelensky"] == "surname_in_article"


def test_dates_of_entities(out):
    e = read_table(out, "entities").set_index("name")
    assert str(e.loc["Volodimir Zelensky", "first_published"]) == "2024-03-01"
    assert str(e.loc["Volodimir Zelensky", "last_published"]) == "2025-01-08"
    assert str(e.loc["Jan van der Berg", "first_published"]) == "2024-04-01"
    assert str(e.loc["Koersk", "first_published"]) == "2024-03-01"
    assert str(e.loc["Koersk", "last_published"]) == "2025-01-08"


def test_cooccurrences(out):
    co = read_table(out, "cooccurrences")
    assert (co.entity_a < co.entity_b).all()
    assert not co.duplicated(["entity_a", "entity_b"]).any()
    # every count recomputed from the mentions, independently of the SQL that built the table
    m = read_table(out, "mentions")

    def pairs(keys: list[str]) -> pd.Series:
        units = m[[*keys, "entity_id"]].drop_duplicates()
        both = units.merge(units, on=keys)
        both = both[both.entity_id_x < both.entity_id_y]
        return both.groupby(["entity_id_x", "entity_id_y"]).size()

    expected = pd.DataFrame({"articles": pairs(["article_id"])}).join(
        pairs(["article_id", "sent_idx"]).rename("sentences")
    )
    expected = expected.fillna(0).astype(int).rename_axis(["entity_a", "entity_b"])
    got = co.set_index(["entity_a", "entity_b"])[["articles", "sentences"]].astype(int)
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index())
    e = read_table(out, "entities").set_index("name").entity_id
    a, b = sorted([e["Andri Jermak"], e["Telegram"]])
    pair = co[(co.entity_a == a) & (co.entity_b == b)].iloc[0]
    assert pair.articles == 8 and pair.sentences == 8  # same sentence in each of the 8 template articles
    a, b = sorted([e["Andri Jermak"], e["Koersk"]])
    assert co[(co.entity_a == a) & (co.entity_b == b)].iloc[0].sentences == 0


def test_notebook_api(out):
    t = tables.load(out)
    assert len(t.entities) == t.manifest["row_counts"]["entities"]
    top = t.top("PERSON", 3)
    assert list(top.columns) == ["name", "type", "mention_count", "article_count"] and len(top) == 3
    n = t.sql("SELECT count(*) FROM mentions JOIN entities USING (entity_id)").fetchall()[0][0]
    assert n == len(t.mentions)
    assert "entity_name" in t.mentions_with_names().columns
    with pytest.raises(FileNotFoundError):
        tables.load(out / "nope")
