"""Hostile input (issue 12): invisible characters in names, and garbage that must not pass silently.

One CLI run over a small archive of both kinds (the ``hostile`` fixture) backs the end-to-end
tests; the rules themselves are tested at unit level.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.characters import clean_name, visible_text
from pipeline.entities import best_name, display_form
from pipeline.normalise import SeenArticles, normalise
from pipeline.read.text import sniff
from pipeline.records import Article, Record, Reject
from pipeline.resolve import entity_key, resolve_article

from .conftest import PATTERNS, build_ruler_model, cli, dutch_articles, read_table, write_jsonl
from .test_resolution import art, resolved

#: "Mark" with marks stacked on its M, as "zalgo" text writes it
ZALGO = unicodedata.normalize("NFC", "M\u0334\u0322\u031b\u0335\u0336ark Rutte")
#: how the name is written in the archive's articles: plain, and with what no reader sees
RUTTE = {
    "plain": "Mark Rutte",
    "zero_width_joiner": "Mark Ru\u200dtte",
    "no_break_space": "Mark\u00a0Rutte",
    "soft_hyphen": "Mark Rut\u00adte",
    "bidi_embedding": "\u202bMark Rutte\u202c",
    "zalgo": ZALGO,
}
SENTENCE = "Volgens {} moet het kabinet de steun aan Oekraïne voortzetten, zei hij dinsdag in Den Haag."
DAMAGED_ROW = 5  # the CSV row that holds a run of NUL bytes


def _csv(rows: list[dict]) -> str:
    lines = ["id,published,text"]
    lines += [f'{r["id"]},{r["published"]},"{r["text"]}"' for r in rows]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """(output folder, manifest) of one run over invisible-character names and garbage input."""
    root = tmp_path_factory.mktemp("hostile")
    # the model finds every spelling, as a statistical model may: only the pipeline can join them
    model = build_ruler_model(root / "model", [*PATTERNS, *(("PER", name) for name in RUTTE.values())])
    data = root / "in"
    data.mkdir()
    write_jsonl(data / "rutte.jsonl", [{"id": f"rutte-{k}", "text": SENTENCE.format(v)} for k, v in RUTTE.items()])
    texts = iter(a["text"] for a in dutch_articles(80))
    write_jsonl(
        data / "ids.jsonl",
        [
            {"id": ["a", "b"], "text": next(texts)},
            {"id": {"nr": 1}, "text": next(texts)},
            {"id": True, "text": next(texts)},
            {"id": 123, "text": next(texts), "date": "2024-13-45"},
            {"id": "123", "text": next(texts)},  # the same id as 123, other text
            {"id": 77.0, "text": next(texts)},
        ],
    )
    pq.write_table(
        pa.table({"id": pa.array([["x"], ["y", "z"]], pa.list_(pa.string())), "text": [next(texts), next(texts)]}),
        data / "ids.parquet",
    )
    rows = dutch_articles(70, start=100)
    rows[DAMAGED_ROW - 1]["text"] = "Bericht" + "\x00" * 500 + "kapot"
    rows[9]["published"] = "2024-13-45"
    (data / "damaged.csv").write_text(_csv(rows), encoding="utf-8")
    (data / "scan.csv").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)  # a PDF named .csv
    (data / "blob.csv").write_bytes((b"\x00" * 4 + bytes(range(1, 256))) * 40)  # binary without a signature
    (data / "kort.txt").write_text("date 2024-13-45\n" + next(texts), encoding="utf-8")
    (data / "pagina.html").write_text(
        '<html><head><title>Kabinet</title><meta property="article:published_time" content="2024-13-45">'
        f"</head><body><article><h1>Kabinet</h1><p>{next(texts)}</p><p>{next(texts)}</p></article></body></html>",
        encoding="utf-8",
    )
    out = root / "out"
    proc = cli("run", data, "--out", out, "--model", model)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return out, manifest, proc.stderr


# --- 12: invisible characters in names ---------------------------------------------------------


def test_invisible_characters_in_a_name_make_one_entity_with_a_clean_name(hostile):
    out, _, _ = hostile
    mentions = read_table(out, "mentions")
    rutte = mentions[mentions["article_id"].str.startswith("rutte-") & (mentions["type"] == "PERSON")]
    assert sorted(rutte["article_id"]) == sorted(f"rutte-{k}" for k in RUTTE)  # one mention in each
    assert rutte["entity_id"].nunique() == 1
    entities = read_table(out, "entities").set_index("entity_id")
    entity = entities.loc[rutte["entity_id"].iloc[0]]
    assert entity["name"] == "Mark Rutte" and entity["mention_count"] == len(RUTTE)
    aliases = read_table(out, "aliases")
    assert set(aliases[aliases["entity_id"] == rutte["entity_id"].iloc[0]]["alias"]) == {"Mark Rutte"}


def test_offsets_stay_exact_and_no_mention_starts_or_ends_invisible(hostile):
    out, _, _ = hostile
    articles = read_table(out, "articles").set_index("article_id")
    mentions = read_table(out, "mentions")
    for m in mentions.itertuples():
        assert articles.loc[m.article_id, "text"][m.start_char : m.end_char] == m.text
        for edge in (m.text[0], m.text[-1]):
            assert not edge.isspace() and unicodedata.category(edge) != "Cf", m.text
    # what no reader sees is gone from the text, and the repair is recorded
    assert articles.loc["rutte-zero_width_joiner", "text"] == SENTENCE.format("Mark Rutte")
    assert list(articles.loc["rutte-zero_width_joiner", "repairs"]) == ["invisible_chars"]
    assert list(articles.loc["rutte-no_break_space", "repairs"]) == ["unicode_spaces"]
    assert articles.loc["rutte-zalgo", "text"] == SENTENCE.format(ZALGO)  # visible: kept as written


def test_the_text_keeps_joiners_that_shape_a_script_and_drops_them_in_latin_words():
    emoji, persian = "👨\u200d👩\u200d👧", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    text, repairs = visible_text(f"Mark Ru\u200dtte,\u2009{emoji} en {persian}\u200c \u200d{persian}\u200b.")
    assert text == f"Mark Rutte, {emoji} en {persian} {persian}."
    assert repairs == ["invisible_chars", "unicode_spaces"]
    assert visible_text("Gewoon Nederlands, „met” accenten: Oekraïne.") == (
        "Gewoon Nederlands, „met” accenten: Oekraïne.",
        [],
    )


@pytest.mark.parametrize(
    "written",
    [
        "Mark Ru\u200dtte",
        "Mark Ru\u200ctte",
        "Mark\u200b Rutte",
        "Mark Rut\u2060te",
        "\ufeffMark Rutte",
        "\u200eMark Rutte\u200f",
        "\u2067Mark Rutte\u2069",
        "Mark Rut\u00adte",
        "Mark\u00a0Rutte",
        "Mark\u2009\u202fRutte",
        "Mark\u3000Rutte",
        ZALGO,
        "minister Mark\u00a0Rutte",
    ],
)
def test_the_name_key_folds_invisible_characters_and_the_display_form_drops_them(written):
    assert entity_key(written, "PERSON") == "mark rutte"
    assert display_form(written, True) == "Mark Rutte"
    assert resolve_article([(written, "PERSON")]) == resolve_article([("Mark Rutte", "PERSON")])


def test_a_zalgo_form_is_never_the_display_name_when_a_clean_form_exists():
    assert best_name([(ZALGO, 50), ("Mark Rutte", 1)], person=True) == "Mark Rutte"
    # one mark per letter is not stacked, but the marks do not make a form longer
    marked = unicodedata.normalize("NFC", "M\u0336a\u0336r\u0336k\u0336 Rutte")
    assert best_name([("Mark Rutte", 2), (marked, 1)], person=True) == "Mark Rutte"
    # the only form: cleaned, its letters' own accents kept
    assert best_name([(unicodedata.normalize("NFC", "Ze\u0301\u0334\u0322\u031blensky"), 3)], True) == "Zélensky"
    assert clean_name("Oekraïne") == "Oekraïne"


def test_names_written_with_invisible_characters_in_stored_mentions_resolve_as_one():
    """Mentions made before the text was cleaned (``nl-entities resolve`` on an older archive)."""
    result = resolved(
        [
            art("Mark Ru\u200dtte sprak.", ("Mark Ru\u200dtte", "PERSON")),
            art("Mark Rutte sprak.", ("Mark Rutte", "PERSON")),
            art("Ru\u200btte sprak met Mark Rutte.", ("Ru\u200btte", "PERSON"), ("Mark Rutte", "PERSON")),
        ]
    )
    assert result.entity("PERSON", "Mark Ru\u200dtte") == result.entity("PERSON", "Mark Rutte") == {"Mark Rutte"}
    assert result.entity("PERSON", "Ru\u200btte") == {"Mark Rutte"}


# --- 13: garbage accepted silently -------------------------------------------------------------


def _rejects(out: Path, name: str):
    rejects = read_table(out, "rejects")
    return rejects[rejects["input"].str.endswith(name)]


def test_an_id_that_is_a_list_object_or_boolean_is_a_bad_id_reject(hostile):
    out, manifest, _ = hostile
    for name, records in (("ids.jsonl", ["line 1", "line 2", "line 3"]), ("ids.parquet", ["row 1", "row 2"])):
        bad = _rejects(out, name)
        bad = bad[bad["reason"] == "bad_id"]
        assert sorted(bad["record"]) == records, name
        assert bad["detail"].str.contains("not a string or a whole number").all()
    ids = set(read_table(out, "articles")["article_id"])
    assert {"['a', 'b']", "True", "['x']"}.isdisjoint(ids)


def test_a_whole_number_id_is_its_digits(hostile):
    """123 and "123" are one article id, as an analyst reads them: two texts under it are the
    visible conflicting_id reject, not two articles; 77.0 (a float column) is "77"."""
    out, _, _ = hostile
    ids = set(read_table(out, "articles")["article_id"])
    assert {"123", "77"} <= ids and "77.0" not in ids
    rejects = _rejects(out, "ids.jsonl").set_index("record")
    assert rejects.loc["line 5", "reason"] == "conflicting_id" and rejects.loc["line 5", "article_id"] == "123"


def test_id_values_at_unit_level():
    def rec(value):
        return Record("in.jsonl", "line 1", {"id": value, "text": SENTENCE.format("Mark Rutte")})

    assert [normalise(rec(v)).article_id for v in (123, "123", 123.0, " 123 ")] == ["123"] * 4
    for value in (1.5, float("nan"), False, [1], {"a": 1}, b"123"):
        result = normalise(rec(value))
        assert isinstance(result, Reject) and result.reason == "bad_id", value
    seen = SeenArticles()
    first, again = normalise(rec(123)), normalise(rec("123"))
    assert isinstance(first, Article) and seen.check(first) is None
    assert seen.check(again).reason == "duplicate"


def test_unreadable_dates_are_counted_in_every_format(hostile):
    _, manifest, stderr = hostile
    counted = {Path(i["path"]).name: i["unparsed_dates"] for i in manifest["inputs"]}
    assert {k: counted[k] for k in ("ids.jsonl", "damaged.csv", "kort.txt", "pagina.html")} == dict.fromkeys(
        ("ids.jsonl", "damaged.csv", "kort.txt", "pagina.html"), 1
    )
    examples = {Path(i["path"]).name: i.get("unparsed_date_examples") for i in manifest["inputs"]}
    assert examples["pagina.html"] == ["2024-13-45"]
    assert manifest["this_run"]["unparsed_dates"] == 4
    assert "4 published dates could not be read" in stderr


def test_a_csv_row_with_nul_bytes_is_one_reject_and_the_other_rows_are_read(hostile):
    out, manifest, _ = hostile
    (entry,) = [i for i in manifest["inputs"] if i["path"].endswith("damaged.csv")]
    assert (entry["records"], entry["articles"], entry["rejects"]) == (70, 69, 1)
    (reject,) = _rejects(out, "damaged.csv").itertuples()
    assert (reject.reason, reject.record) == ("malformed_row", f"row {DAMAGED_ROW}")
    assert "NUL" in reject.detail


def test_a_binary_file_named_csv_is_still_one_binary_file_reject(hostile):
    out, _, _ = hostile
    for name in ("scan.csv", "blob.csv"):
        rejects = _rejects(out, name)
        assert list(rejects["reason"]) == ["binary_file"] and list(rejects["record"]) == ["file"], name


def test_the_sniffer_tells_damaged_lines_from_binary(tmp_path):
    import io

    lines = [f"{i},Een gewone regel tekst nummer {i}\n".encode() for i in range(60)]
    lines[3] = b"3," + b"\x00" * 400 + b"\n"
    assert sniff(io.BytesIO(b"".join(lines)))[0] == "utf-8-sig"
    wide = "id,tekst\n1,Een regel\n2,Nog een regel\n".encode("utf-16-le") * 30  # UTF-16 without a BOM
    assert sniff(io.BytesIO(wide))[0] is None



def test_a_page_keeps_the_date_its_markup_declares_where_trafilatura_drops_it(tmp_path):
    """trafilatura's date finder leaves out dates before 1995: an archived page keeps its own."""
    from datetime import date

    from pipeline.read import InputStats, read_input

    page = tmp_path / "archief.html"
    page.write_text(
        '<html><head><title>Kabinet</title><meta name="dcterms.date" content="1990-05-01"></head><body>'
        f"<article><p>{SENTENCE.format('Ruud Lubbers')}</p><p>{dutch_articles(1)[0]['text']}</p></article>"
        "</body></html>",
        encoding="utf-8",
    )
    stats = InputStats(str(page))
    (record,) = read_input(page, stats)
    assert record.fields["published"] == date(1990, 5, 1) and stats.unparsed_dates == 0
