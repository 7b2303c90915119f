"""Corpus-level resolution rules (pipeline/resolution/, docs/entities.md): each rule merges
what it should and leaves alone what it must not."""

from __future__ import annotations

import hashlib
import json
import shutil

import duckdb
import pyarrow as pa
import pytest

from pipeline import schemas, tables
from pipeline.resolution import Params, resolve
from pipeline.resolution.acronyms import expands, is_acronym
from pipeline.resolution.archive import Archive, own_key
from pipeline.resolution.corrections import CorrectionsError, parse
from pipeline.resolution.exonyms import cities, place_of
from pipeline.resolution.variants import variant_key
from pipeline.resolve import entity_id, resolve_article

from .conftest import cli, read_table, write_jsonl

PER, LOC, ORG = "PERSON", "PLACE", "ORGANISATION"


def art(text: str, *names: tuple[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """An article: its text and the names in it, in order, as (surface, type)."""
    return text, list(names)


def resolved(articles, corrections: str | None = None, params: Params | None = None):
    """Resolve the articles as a publish does: within-article ids, then the archive's rules."""
    rows: dict[str, list] = {f.name: [] for f in schemas.MENTIONS}
    texts = {"article_id": [], "text": []}
    for i, (text, names) in enumerate(articles):
        aid = f"a{i:03d}"
        texts["article_id"].append(aid)
        texts["text"].append(text)
        ids = resolve_article(names)
        pos = 0
        for j, ((surface, type_), eid) in enumerate(zip(names, ids, strict=True)):
            start = text.index(surface, pos)
            pos = start + len(surface)
            for col, value in (
                ("article_id", aid),
                ("mention_idx", j),
                ("sent_idx", 0),
                ("start_char", start),
                ("end_char", pos),
                ("text", surface),
                ("label", type_),
                ("type", type_),
                ("entity_id", eid),
                ("model", "test"),
            ):
                rows[col].append(value)
    con = duckdb.connect()
    con.register("local_t", schemas.table("mentions", rows))
    con.register("text_t", pa.table(texts))
    # tables, not views of the registered Arrow data: as the Parquet views of a real publish,
    # they are seen by every cursor of the connection (the acronym rule reads two at once)
    con.execute("CREATE TABLE local AS SELECT * FROM local_t")
    con.execute("CREATE TABLE article_text AS SELECT * FROM text_t")
    result = resolve(Archive(con), parse(corrections) if corrections else None, params)
    return Result(result)


class Result:
    def __init__(self, result) -> None:
        self.r = result

    def entity(self, type_: str, text: str) -> set[str]:
        """The entity names the mentions written ``text`` ended in."""
        return {self.r.names[eid][0] for (t, x, _), eid in self.r.units.items() if t == type_ and x == text}

    def bare(self, type_: str, text: str) -> set[str]:
        """The entity names of the mentions written ``text`` that no article attached to a longer name."""
        return {
            self.r.names[eid][0]
            for (t, x, g), eid in self.r.units.items()
            if t == type_ and x == text and g == entity_id(type_, own_key(text, type_))
        }

    def same(self, type_: str, a: str, b: str) -> bool:
        ea, eb = self.bare(type_, a), self.bare(type_, b)
        assert len(ea) == 1 and len(eb) == 1, (ea, eb)
        return ea == eb

    def rules(self, alias: str) -> set[str]:
        return {row[3] for row in self.r.aliases if row[1] == alias}

    def row(self, alias: str, rule: str):
        return next(row for row in self.r.aliases if row[1] == alias and row[3] == rule)


# -- surname_in_archive ---------------------------------------------------------------------


def trump_articles(n_with_full: int):
    return [
        art("Donald Trump sprak. Trump zweeg.", ("Donald Trump", PER), ("Trump", PER)) for _ in range(n_with_full)
    ] + [art("Trump in Iowa.", ("Trump", PER))]


def test_a_bare_surname_joins_the_full_name_the_archive_backs():
    r = resolved(trump_articles(2))
    assert r.same(PER, "Trump", "Donald Trump") and r.entity(PER, "Trump") == {"Donald Trump"}
    assert r.row("Trump", "surname_in_archive")[4] == 2  # evidence: two articles
    assert "surname_in_article" in r.rules("Trump")
    # the id is that of the canonical name: the same as before the bare "Trump" joined
    assert {eid for (_, x, _), eid in r.r.units.items() if x == "Donald Trump"} == {entity_id(PER, "donald trump")}


def test_without_within_article_evidence_a_bare_surname_stays_its_own():
    r = resolved([art("Donald Trump sprak.", ("Donald Trump", PER)), art("Trump in Iowa.", ("Trump", PER))])
    assert not r.same(PER, "Trump", "Donald Trump")
    r = resolved(trump_articles(1), params=Params(min_evidence=2))
    assert not r.same(PER, "Trump", "Donald Trump")


def test_a_surname_two_full_names_compete_for_stays_its_own():
    kok = [
        art("Wim Kok sprak. Kok zweeg.", ("Wim Kok", PER), ("Kok", PER)),
        art("Wim Kok sprak. Kok zweeg.", ("Wim Kok", PER), ("Kok", PER)),
        art("Marieke Kok won. Kok lachte.", ("Marieke Kok", PER), ("Kok", PER)),
        art("Marieke Kok won. Kok lachte.", ("Marieke Kok", PER), ("Kok", PER)),
        art("Kok in Utrecht.", ("Kok", PER)),
    ]
    r = resolved(kok)
    assert r.entity(PER, "Kok") == {"Wim Kok", "Marieke Kok", "Kok"}  # within articles each joins its own
    assert resolved([kok[4]]).entity(PER, "Kok") == {"Kok"}
    assert r.bare(PER, "Kok") == {"Kok"}
    # a full name with no within-article evidence still competes: it is in the archive
    r = resolved(
        [
            kok[0],
            art("Marieke Kok won.", ("Marieke Kok", PER)),
            art("Marieke Kok ook.", ("Marieke Kok", PER)),
            kok[4],
        ]
    )
    assert r.entity(PER, "Kok") == {"Wim Kok", "Kok"}


def test_a_surname_rule_never_crosses_types():
    r = resolved(trump_articles(2) + [art("Kok-fabriek.", ("Kok", ORG))])
    assert r.entity(ORG, "Kok") == {"Kok"}


# -- acronym --------------------------------------------------------------------------------


def test_an_acronym_defined_in_the_text_joins_its_expansion():
    r = resolved(
        [
            art("De Nieuw-Vlaamse Alliantie (N-VA) won.", ("Nieuw-Vlaamse Alliantie", ORG), ("N-VA", ORG)),
            art("De N-VA verloor.", ("N-VA", ORG)),
            art("De VMM (Vlaamse Milieumaatschappij) meet.", ("VMM", ORG), ("Vlaamse Milieumaatschappij", ORG)),
            art("De VMM meet.", ("VMM", ORG)),
        ]
    )
    assert r.same(ORG, "N-VA", "Nieuw-Vlaamse Alliantie") and r.row("N-VA", "acronym")[4] == 1
    assert r.same(ORG, "VMM", "Vlaamse Milieumaatschappij")


def test_an_acronym_whose_letters_do_not_fit_is_not_joined():
    r = resolved([art("Het Vlaams Belang (N-VA) klaagt.", ("Vlaams Belang", ORG), ("N-VA", ORG))])
    assert not r.same(ORG, "N-VA", "Vlaams Belang")
    assert is_acronym("CD&V") and is_acronym("PvdA") and is_acronym("D66") and not is_acronym("Groen")
    assert expands("CD&V", "Christen-Democratisch en Vlaams") and expands(
        "NAVO", "Noord-Atlantische Verdragsorganisatie"
    )
    assert not expands("VB", "Open Vld")


def test_listed_acronyms_join_only_when_both_forms_are_in_the_archive():
    r = resolved([art("De EU besliste.", ("EU", ORG)), art("De Europese Unie besliste.", ("Europese Unie", ORG))])
    assert r.same(ORG, "EU", "Europese Unie") and r.row("EU", "acronym")[4] == 0
    # not listed (ambiguous): no merge
    r = resolved([art("De PS won.", ("PS", ORG)), art("De Parti Socialiste won.", ("Parti Socialiste", ORG))])
    assert not r.same(ORG, "PS", "Parti Socialiste")
    # a person called "EU"? never: types differ
    r = resolved([art("EU zei.", ("EU", PER)), art("De Europese Unie besliste.", ("Europese Unie", ORG))])
    assert r.entity(PER, "EU") == {"EU"}


# -- exonym ---------------------------------------------------------------------------------


def test_other_names_of_one_country_or_city_are_one_place():
    r = resolved(
        [
            art("De VS en Amerika.", ("VS", LOC), ("Amerika", LOC)),
            art("De Verenigde Staten.", ("Verenigde Staten", LOC)),
            art("Luik en Liège.", ("Luik", LOC), ("Liège", LOC)),
            art("Kiev of Kyiv.", ("Kiev", LOC), ("Kyiv", LOC)),
        ]
    )
    assert r.same(LOC, "VS", "Verenigde Staten") and r.same(LOC, "Amerika", "VS") and r.rules("VS") == {"exonym"}
    assert r.same(LOC, "Luik", "Liège") and r.same(LOC, "Kiev", "Kyiv")


def test_ambiguous_place_names_are_not_merged():
    index = cities({"paris", "parijs", "bergen", "holland"})
    assert place_of("paris", index) == place_of("parijs", index) != ""  # Paris, France, not Paris, Texas
    assert place_of("bergen", index) == ""  # Norway, North Holland or Mons: none
    assert place_of("holland", index) == ""  # the Dutch region, not Holland, Michigan
    r = resolved(
        [
            art("Bergen en Mons.", ("Bergen", LOC), ("Mons", LOC)),
            art("Gent.", ("Gent", LOC)),
            art("Rusland.", ("Rusland", LOC)),
        ]
    )
    assert not r.same(LOC, "Bergen", "Mons") and not r.same(LOC, "Gent", "Rusland")


# -- variant --------------------------------------------------------------------------------


def test_the_variant_key_folds_transliterations():
    assert variant_key("zelensky") == variant_key("zelenski") == variant_key("zelenskyj") == variant_key("zelenskiy")
    assert variant_key("jermak") == variant_key("yermak")
    assert variant_key("poetin") == variant_key("putin")
    assert variant_key("volodimir zelensky") == variant_key("volodymyr zelenskyy")
    assert variant_key("charkiv") == variant_key("kharkiv")
    assert variant_key("kok") != variant_key("kiek")


def _zelensky(spelling: str, *neighbours: str):
    names = [(spelling, PER)] + [(n, LOC if n in ("Oekraïne", "Kyiv") else PER) for n in neighbours]
    return art(" en ".join(n for n, _ in names) + ".", *names)


def test_spelling_variants_merge_on_shared_co_occurring_entities():
    r = resolved(
        [
            _zelensky("Zelensky", "Oekraïne", "Kyiv", "Andri Jermak"),
            _zelensky("Zelensky", "Oekraïne", "Kyiv"),
            _zelensky("Zelenski", "Oekraïne", "Kyiv"),
            _zelensky("Zelenskyj", "Kyiv", "Andri Jermak"),
        ]
    )
    assert r.same(PER, "Zelenski", "Zelensky") and r.same(PER, "Zelenskyj", "Zelensky")
    assert r.row("Zelenski", "variant")[4] == 2  # two shared co-occurring entities


def test_a_bare_variant_of_a_full_name_joins_it_on_evidence():
    r = resolved(
        [
            art(
                "Volodimir Zelensky in Kyiv en Oekraïne.", ("Volodimir Zelensky", PER), ("Kyiv", LOC), ("Oekraïne", LOC)
            ),
            art("Zelenski in Kyiv en Oekraïne.", ("Zelenski", PER), ("Kyiv", LOC), ("Oekraïne", LOC)),
        ]
    )
    assert r.entity(PER, "Zelenski") == {"Volodimir Zelensky"}


def test_variants_that_support_each_other_are_found_together():
    poetin = art(
        "Vladimir Poetin en Sergej Sjojgoe in Moskou.",
        ("Vladimir Poetin", PER),
        ("Sergej Sjojgoe", PER),
        ("Moskou", LOC),
    )
    r = resolved([poetin, poetin, art("Putin en Shoigu in Moskou.", ("Putin", PER), ("Shoigu", PER), ("Moskou", LOC))])
    assert r.entity(PER, "Putin") == {"Vladimir Poetin"} and r.entity(PER, "Shoigu") == {"Sergej Sjojgoe"}


def test_two_spellings_of_one_full_name_are_one_proposal():
    full = art("Volodimir Zelensky in Kyiv en Oekraïne.", ("Volodimir Zelensky", PER), ("Kyiv", LOC), ("Oekraïne", LOC))
    r = resolved(
        [
            full,
            full,
            art("Volodymyr Zelensky in Charkiv.", ("Volodymyr Zelensky", PER), ("Charkiv", LOC)),
            art("Zelenski in Kyiv en Oekraïne.", ("Zelenski", PER), ("Kyiv", LOC), ("Oekraïne", LOC)),
        ]
    )
    assert r.entity(PER, "Zelenski") == {"Volodimir Zelensky"}


def test_the_variant_key_alone_never_merges():
    r = resolved([_zelensky("Zelensky", "Oekraïne", "Kyiv"), _zelensky("Zelenski", "Andri Jermak")])
    assert not r.same(PER, "Zelenski", "Zelensky")
    # other types: never
    r = resolved(
        [
            _zelensky("Zelensky", "Oekraïne", "Kyiv"),
            art("Zelenski in Oekraïne en Kyiv.", ("Zelenski", ORG), ("Oekraïne", LOC), ("Kyiv", LOC)),
        ]
    )
    assert r.entity(ORG, "Zelenski") == {"Zelenski"}


def test_common_neighbours_among_many_are_not_evidence():
    many = [f"Persoon{i} Achternaam" for i in range(10)]
    r = resolved(
        [
            art(
                "Jansen in Den Haag en Tweede Kamer. " + ". ".join(many[:5]),
                ("Jansen", PER),
                ("Den Haag", LOC),
                ("Tweede Kamer", ORG),
                *[(m, PER) for m in many[:5]],
            ),
            art(
                "Janssen in Den Haag en Tweede Kamer. " + ". ".join(many[5:]),
                ("Janssen", PER),
                ("Den Haag", LOC),
                ("Tweede Kamer", ORG),
                *[(m, PER) for m in many[5:]],
            ),
        ]
    )
    assert not r.same(PER, "Jansen", "Janssen")


def test_a_variant_two_entities_compete_for_stays_its_own():
    yermak = [
        art("Andri Yermak in Kyiv en Oekraïne.", ("Andri Yermak", PER), ("Kyiv", LOC), ("Oekraïne", LOC)),
        art("Olga Yermak in Kyiv en Oekraïne.", ("Olga Yermak", PER), ("Kyiv", LOC), ("Oekraïne", LOC)),
        art("Jermak in Kyiv en Oekraïne.", ("Jermak", PER), ("Kyiv", LOC), ("Oekraïne", LOC)),
    ]
    assert resolved(yermak).bare(PER, "Jermak") == {"Jermak"}
    assert resolved([yermak[0], yermak[2]]).bare(PER, "Jermak") == {"Andri Yermak"}


# -- user -----------------------------------------------------------------------------------


def test_a_name_kept_its_own_takes_part_in_no_rule():
    r = resolved(
        [
            _zelensky("Zelensky", "Oekraïne", "Kyiv"),
            art("Zelenskyj en Oekraïne en Kyiv.", ("Zelenskyj", PER), ("Oekraïne", LOC), ("Kyiv", LOC)),
        ],
        corrections="type,name,entity\nPERSON,Zelenskyj,Zelenskyj\n",
    )
    assert r.entity(PER, "Zelenskyj") == {"Zelenskyj"} and r.rules("Zelenskyj") == {"user"}


def test_a_correction_merges_a_name_and_names_the_entity():
    r = resolved(
        [_zelensky("Volodimir Zelensky", "Oekraïne"), _zelensky("Zelenski", "Andri Jermak")],
        corrections="type,name,entity\nPERSON,Zelenski,Volodimir Zelensky\n",
    )
    assert r.entity(PER, "Zelenski") == {"Volodimir Zelensky"} and r.rules("Zelenski") == {"user"}


def test_a_correction_keeps_a_name_its_own_even_within_an_article():
    articles = [art("Wim Kok sprak. Kok zweeg.", ("Wim Kok", PER), ("Kok", PER))] * 3 + [art("Kok.", ("Kok", PER))]
    assert resolved(articles).entity(PER, "Kok") == {"Wim Kok"}
    r = resolved(articles, corrections="type,name,entity\nPERSON,Kok,Kok\n")
    assert r.entity(PER, "Kok") == {"Kok"} and r.entity(PER, "Wim Kok") == {"Wim Kok"}


def test_a_correction_to_an_entity_the_archive_lacks_renames():
    r = resolved(
        [art("Zelenski.", ("Zelenski", PER))], corrections="type,name,entity\nPERSON,Zelenski,Volodymyr Zelensky\n"
    )
    assert r.entity(PER, "Zelenski") == {"Volodymyr Zelensky"}
    r = resolved([art("Zelenski.", ("Zelenski", PER))], corrections="type,name,entity\nPERSON,Nobody,Somebody\n")
    assert r.r.unused == [2]


@pytest.mark.parametrize(
    "text, message",
    [
        ("name,entity\nZelenski,Zelensky\n", "header"),
        ("type,name,entity\nPERS,Zelenski,Zelensky\n", "line 2: unknown type 'PERS'"),
        ("type,name,entity\nPERSON,Zelenski\n", "line 2: 2 fields"),
        ("type,name,entity\nPERSON,,Zelensky\n", "line 2: name and entity"),
        ("type,name,entity\nPERSON,Zelenski,A B\nPERSON,zelenski,C D\n", "line 3: 'zelenski' is already given"),
        ("", "header"),
    ],
)
def test_bad_correction_files_say_which_line(text, message):
    with pytest.raises(CorrectionsError, match=message):
        parse(text, "fix.csv")


def test_correction_files_accept_a_bom_labels_and_blank_lines():
    c = parse("\ufefftype,name,entity\n\nPER,Zelenski,Volodimir Zelensky\nLOC,Kiev,Kyiv\n")
    assert [(r.type, r.name, r.entity) for r in c.rows] == [
        (PER, "Zelenski", "Volodimir Zelensky"),
        (LOC, "Kiev", "Kyiv"),
    ]
    assert len(c.sha256) == 64


# -- end to end: run, resolve --aliases, the tables a reader sees ------------------------------

SEED = (
    "Trump\n\nVolgens Donald Trump moet er snel worden onderhandeld. Andri Jermak schreef op Telegram "
    "dat Rusland krijgt wat het verdient. Jermak is het hoofd van het kantoor van de president."
)
ARCHIVE = [
    {"id": "zel-1", "published": "2025-02-01", "text": "Volodimir Zelensky sprak gisteren in Oekraïne met de pers."},
    {"id": "zel-2", "published": "2025-02-02", "text": "Zelenski bezocht gisteren Antwerpen voor een overleg."},
    {"id": "kok-1", "published": "1998-05-01", "text": "Wim Kok sprak gisteren in Den Haag. Kok zweeg daarna."},
    {"id": "kok-2", "published": "2024-05-01", "text": "Marieke Kok won gisteren in Antwerpen. Kok lachte daarna."},
    {"id": "kok-3", "published": "2024-06-01", "text": "Kok opende gisteren de nieuwe zaak in de stad."},
    {"id": "seed", "published": "2025-01-05", "text": SEED},
]


def _entity_of(out, article_id: str, text: str) -> str:
    m, e = read_table(out, "mentions"), read_table(out, "entities").set_index("entity_id")
    ids = set(m[(m.article_id == article_id) & (m.text == text)].entity_id)
    assert len(ids) == 1, (article_id, text, ids)
    return e.loc[ids.pop(), "name"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, ruler_model):
    base = tmp_path_factory.mktemp("resolution")
    write_jsonl(base / "a.jsonl", ARCHIVE)
    cli("run", base / "a.jsonl", "--out", base / "out", "--model", ruler_model, "--workers", "1")
    return base


def test_the_seed_article_and_the_bare_kok(archive):
    out = archive / "out"
    assert _entity_of(out, "seed", "Trump") == _entity_of(out, "seed", "Donald Trump") == "Donald Trump"
    assert _entity_of(out, "seed", "Jermak") == "Andri Jermak"
    assert _entity_of(out, "kok-3", "Kok") == "Kok"  # joins neither Wim nor Marieke Kok
    assert _entity_of(out, "kok-1", "Kok") == "Wim Kok" and _entity_of(out, "kok-2", "Kok") == "Marieke Kok"
    assert _entity_of(out, "zel-2", "Zelenski") == "Zelenski"  # nothing in common with Volodimir Zelensky
    mentions, entities = read_table(out, "mentions"), read_table(out, "entities")
    assert set(mentions.entity_id) == set(entities.entity_id)
    aliases = read_table(out, "aliases")
    assert set(aliases.entity_id) == set(entities.entity_id) and aliases.mentions.sum() == len(mentions)


def test_resolve_with_corrections_merges_and_says_user(archive, ruler_model):
    out = archive / "out"
    before = tables.load(out)
    old_ids = set(before.mentions.entity_id)
    fix = archive / "fix.csv"
    fix.write_text("type,name,entity\nPERSON,Zelenski,Volodimir Zelensky\n", encoding="utf-8")
    cli("resolve", "--out", out, "--aliases", fix)
    assert (
        _entity_of(out, "zel-2", "Zelenski") == _entity_of(out, "zel-1", "Volodimir Zelensky") == "Volodimir Zelensky"
    )
    aliases = read_table(out, "aliases")
    assert set(aliases[aliases.alias == "Zelenski"].rule) == {"user"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "resolve"
    assert manifest["corrections"]["sha256"] == hashlib.sha256(fix.read_bytes()).hexdigest()
    assert manifest["row_counts"]["articles"] == len(ARCHIVE)
    assert _entity_of(out, "kok-3", "Kok") == "Kok"
    # a reader that opened the previous version still reads it whole
    assert set(before.mentions.entity_id) == old_ids and len(before.articles) == len(ARCHIVE)
    # a later run that adds articles re-resolves with the same corrections
    write_jsonl(archive / "b.jsonl", [{"id": "zel-3", "text": "Zelenski sprak opnieuw met journalisten in de stad."}])
    cli("run", archive / "a.jsonl", archive / "b.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    assert _entity_of(out, "zel-3", "Zelenski") == "Volodimir Zelensky"
    assert json.loads((out / "manifest.json").read_text())["corrections"]["sha256"] == manifest["corrections"]["sha256"]


def test_bad_corrections_are_one_line_usage_errors(archive, tmp_path, ruler_model):
    bad = tmp_path / "bad.csv"
    bad.write_text("type,name,entity\nPERS,Zelenski,Volodimir Zelensky\n", encoding="utf-8")
    for args in (
        ["resolve", "--out", archive / "out", "--aliases", bad],
        ["resolve", "--out", archive / "out", "--aliases", tmp_path / "missing.csv"],
        ["run", archive / "a.jsonl", "--out", tmp_path / "o", "--model", ruler_model, "--aliases", bad],
        ["resolve", "--out", tmp_path / "nothing-here"],
    ):
        proc = cli(*args, check=False)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    proc = cli("resolve", "--out", archive / "out", "--aliases", bad, check=False)
    assert "line 2: unknown type 'PERS'" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_the_cross_document_set_parses_with_exact_offsets():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "resolution.py"
    spec = importlib.util.spec_from_file_location("resolution_eval", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    records, gold = module.parse(module.DATA)
    assert len(records) == 44 and len({g["gold"] for g in gold}) >= 50
    text = {r["id"]: r["text"] for r in records}
    assert all("[[" not in t for t in text.values())
    for g in gold:
        assert text[g["article_id"]][g["start"] : g["end"]].strip() == text[g["article_id"]][g["start"] : g["end"]]
    assert module.bcubed(["a", "a", "b"], ["x", "x", "x"]) == {"precision": 1.0, "recall": 0.556, "f1": 0.714}


def test_an_archive_published_before_batch_parts_were_kept_aside_is_read(tmp_path, ruler_model):
    """Versions of 0.2.0 hold the batches' mentions (within-article ids) in mentions/ itself."""
    write_jsonl(tmp_path / "a.jsonl", ARCHIVE[:3])
    out = tmp_path / "out"
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    version = (out / "current").resolve()
    shutil.rmtree(version / "mentions")
    (version / ".batch" / "mentions").rename(version / "mentions")
    shutil.rmtree(version / "aliases")
    (out / "aliases").unlink()
    write_jsonl(tmp_path / "b.jsonl", ARCHIVE[3:])
    cli("run", tmp_path / "a.jsonl", tmp_path / "b.jsonl", "--out", out, "--model", ruler_model, "--workers", "1")
    mentions, entities = read_table(out, "mentions"), read_table(out, "entities")
    assert mentions.article_id.nunique() == len(ARCHIVE) and set(mentions.entity_id) == set(entities.entity_id)
    assert _entity_of(out, "seed", "Trump") == "Donald Trump" and len(read_table(out, "aliases")) > 0


def test_run_with_aliases_applies_them_at_publish(tmp_path, ruler_model):
    write_jsonl(tmp_path / "a.jsonl", ARCHIVE)
    fix = tmp_path / "fix.csv"
    fix.write_text("type,name,entity\nPERSON,Zelenski,Volodimir Zelensky\nPERSON,Jermak,Jermak\n", encoding="utf-8")
    out = tmp_path / "out"
    cli("run", tmp_path / "a.jsonl", "--out", out, "--model", ruler_model, "--workers", "1", "--aliases", fix)
    assert _entity_of(out, "zel-2", "Zelenski") == "Volodimir Zelensky"
    assert _entity_of(out, "seed", "Jermak") == "Jermak" != _entity_of(out, "seed", "Andri Jermak")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == "run" and manifest["corrections"]["rows"] == 2
    # a header-only file drops the corrections
    fix.write_text("type,name,entity\n", encoding="utf-8")
    cli("resolve", "--out", out, "--aliases", fix)
    assert _entity_of(out, "seed", "Jermak") == "Andri Jermak" and _entity_of(out, "zel-2", "Zelenski") == "Zelenski"
    cli("resolve", "--out", out)
    assert _entity_of(out, "seed", "Jermak") == "Andri Jermak"
