"""Reading archives as users have them (issue #11): compressed files, zip and tar archives,
CSV dialects, Excel, Nexis Uni exports, saved web pages, column names and dates.

The examples are data/sample/formats/ and data/fields/, written by tests/make_formats.py, whose
ARTICLES say what every article must come out as.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import shutil
import tarfile
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import zstandard

from pipeline.read import FieldMap, InputStats, count_records, inputs, parse_date, read_input
from pipeline.records import Record, Reject

from .conftest import ARTICLE, cli, read_table
from .make_formats import (
    ARTICLES,
    FIELDS,
    FILES,
    FORMATS,
    HTML_BOILERPLATE,
    NEXIS_COVER,
    NEXIS_LINES,
    TSV,
    TSV_FIELDS,
)

TSV_MAP = FieldMap.parse(["text=story_text", "published=pub", "source=outlet"])


def items(path: Path, fields: FieldMap | None = None) -> tuple[list, InputStats]:
    stats = InputStats(str(path))
    return list(read_input(path, stats, fields)), stats


def records(path: Path, fields: FieldMap | None = None) -> list[Record]:
    out, _ = items(path, fields)
    assert all(isinstance(o, Record) for o in out), [o for o in out if isinstance(o, Reject)]
    return out


def jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def rows(n: int) -> list[dict]:
    return [{"id": f"r{i}", "title": f"Bericht {i}", "text": f"Bericht {i}. {ARTICLE}"} for i in range(n)]


# -- the one-folder run of the issue ------------------------------------------------------


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory, ruler_model):
    base = tmp_path_factory.mktemp("formats")
    folder = base / "archief"
    shutil.copytree(FORMATS, folder)
    shutil.copy(FIELDS / TSV, folder / TSV)
    out = base / "out"
    proc = cli("run", folder, "--out", out, "--model", ruler_model, "--workers", "1", "--no-progress", *TSV_FIELDS)
    return folder, out, proc


def test_sample_files_are_what_make_formats_writes():
    assert sorted(p.name for p in FORMATS.iterdir()) == sorted(FILES)
    assert (FIELDS / TSV).is_file()


def test_one_folder_of_every_format_reads_every_article_once(folder_run):
    folder, out, _ = folder_run
    manifest = json.loads((out / "manifest.json").read_text())
    articles, rejects = read_table(out, "articles"), read_table(out, "rejects")
    assert rejects.empty, rejects.to_dict("records")
    assert len(articles) == len(ARTICLES) == 16
    assert manifest["this_run"]["records"] == sum(i["records"] for i in manifest["inputs"]) == len(articles)
    assert manifest["this_run"]["unparsed_dates"] == 0
    # every article exactly once, with its text, date, title and source
    for a in ARTICLES:
        found = articles[articles.text == a.text]
        assert len(found) == 1, (a.key, a.title, articles.text.tolist())
        row = found.iloc[0]
        assert row.published == a.published, (a.key, a.title)
        title, source = (None if pd.isna(v) else v for v in (row.title, row.source))
        assert (title, source) == (a.title, a.source), a.key
    assert articles.loc[articles.source == "Drechtsteden Vandaag", "url"].tolist() == [
        "https://example.org/drechtsteden/2024/08/overdekte-markt"
    ]


def test_no_boilerplate_or_export_metadata_in_any_text(folder_run):
    _, out, _ = folder_run
    texts = read_table(out, "articles").text.tolist()
    for text in texts:
        for line in (*NEXIS_COVER, *NEXIS_LINES, *HTML_BOILERPLATE, "Link to PDF", "Classification"):
            assert line not in text, (line, text[:80])
        assert "Door de redactie" not in text  # the page's byline line


def test_archive_members_are_inputs_of_their_own(folder_run):
    folder, out, _ = folder_run
    manifest = json.loads((out / "manifest.json").read_text())
    paths = {Path(i["path"]).relative_to(folder.resolve()).as_posix(): i for i in manifest["inputs"]}
    assert set(paths) == {
        "archief.jsonl.gz",
        "dump.ndjson.xz",
        "excel-export.csv",
        "artikelen.xlsx",
        "berichten.zip/berichten/bericht-1.txt",
        "berichten.zip/berichten/bericht-2.txt",
        "nexis-export.docx",
        "opgeslagen-pagina.html",
        TSV,
    }
    assert paths["nexis-export.docx"]["records"] == 3 and paths["berichten.zip/berichten/bericht-1.txt"]["records"] == 1
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert read_table(out, "articles").article_id.is_unique


def test_progress_total_is_the_number_of_records(folder_run):
    folder, out, _ = folder_run
    manifest = json.loads((out / "manifest.json").read_text())
    by_file: dict[str, int] = {}
    for i in manifest["inputs"]:
        top = Path(i["path"]).relative_to(folder.resolve()).parts[0]
        by_file[top] = by_file.get(top, 0) + i["records"]
    for p in folder.iterdir():
        assert count_records(p, TSV_MAP) == by_file[p.name], p.name


def test_five_record_csv_counts_five_not_its_lines(tmp_path):
    p = tmp_path / "vijf.csv"
    body = "\n\n".join(["Eerste alinea.", "Tweede alinea.", "Derde alinea."])
    p.write_text("id,text\n" + "".join(f'{i},"{body}"\n' for i in range(5)), encoding="utf-8")
    assert p.read_text().count("\n") == 26
    assert count_records(p) == 5 == len(records(p))


# -- broken files: one reject each, the rest of the run unaffected ---------------------------


def corrupt_zip(path: Path) -> None:
    """A zip of two stored members whose second has a damaged byte (its CRC no longer matches)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("goed.txt", f"Goed. {ARTICLE}")
        z.writestr("kapot.txt", f"Kapot. {ARTICLE}")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("kapot.txt")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10] ^= 0xFF
    path.write_bytes(bytes(data))


def broken_folder(folder: Path) -> dict[str, tuple[str, str]]:
    """The broken files of the issue beside good ones; name -> (reason, words in the detail)."""
    import msoffcrypto.format.ooxml

    folder.mkdir()
    (folder / "goed.jsonl").write_bytes(jsonl(rows(3)))
    corrupt_zip(folder / "archief.zip")
    whole = gzip.compress(jsonl(rows(40)[10:]), mtime=0)
    (folder / "afgebroken.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    for name in ("artikelen.xlsx", "nexis-export.docx"):
        locked = folder / ("beveiligd" + Path(name).suffix)
        with (FORMATS / name).open("rb") as plain, locked.open("wb") as enc:
            msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("geheim", enc)
    xlsx = (FORMATS / "artikelen.xlsx").read_bytes()
    (folder / "kapot.xlsx").write_bytes(xlsx[: len(xlsx) // 2])
    with zipfile.ZipFile(folder / "kapot.docx", "w") as z:  # a zip, but no Word document in it
        z.writestr("word/iets.txt", "geen document")
    return {
        "archief.zip/kapot.txt": ("unreadable_file", "CRC"),
        "afgebroken.jsonl.gz": ("unreadable_file", "truncated"),
        "beveiligd.xlsx": ("encrypted_file", "password"),
        "beveiligd.docx": ("encrypted_file", "password"),
        "kapot.xlsx": ("unreadable_file", ".xlsx"),
        "kapot.docx": ("unreadable_file", ".docx"),
    }


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory, ruler_model):
    base = tmp_path_factory.mktemp("broken")
    expected = broken_folder(base / "in")
    out = base / "out"
    cli("run", base / "in", "--out", out, "--model", ruler_model, "--workers", "1", "--no-progress")
    return base / "in", out, expected


def test_each_broken_file_is_one_reject_with_a_clear_reason(broken_run):
    folder, out, expected = broken_run
    rejects = read_table(out, "rejects")
    got = {Path(r.input).relative_to(folder.resolve()).as_posix(): r for r in rejects.itertuples()}
    assert sorted(got) == sorted(expected) and len(rejects) == len(expected)
    for name, (reason, words) in expected.items():
        assert got[name].reason == reason, (name, got[name].detail)
        assert words in got[name].detail, (name, got[name].detail)
        assert "Traceback" not in got[name].detail


def test_the_rest_of_a_run_with_broken_files_is_unaffected(broken_run):
    _, out, _ = broken_run
    manifest = json.loads((out / "manifest.json").read_text())
    articles, rejects = read_table(out, "articles"), read_table(out, "rejects")
    assert sorted(articles.article_id) == ["goed", "r0", "r1", "r2"]  # the zip's good member too
    assert (
        manifest["this_run"]["records"] == sum(i["records"] for i in manifest["inputs"]) == len(articles) + len(rejects)
    )


def test_an_encrypted_zip_member_is_one_reject(tmp_path):
    p = tmp_path / "a.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("open.txt", ARTICLE)
        z.writestr("dicht.txt", ARTICLE + " Geheim.")
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("dicht.txt")
    data[info.header_offset + 6] |= 1  # the local header's "encrypted" flag
    central = data.index(b"PK\x01\x02", info.header_offset)  # the central directory follows the members
    central = data.index(b"PK\x01\x02", central + 4)  # its second entry: dicht.txt
    assert data[central + 46 : central + 55] == b"dicht.txt"
    data[central + 8] |= 1  # and the central directory's
    p.write_bytes(bytes(data))
    out, stats = items(p)
    assert [type(o) for o in out] == [Record, Reject] and out[1].reason == "encrypted_file"
    assert out[1].input == f"{p}/dicht.txt"


# -- compression and archives ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [
        (".gz", lambda b: gzip.compress(b, mtime=0)),
        (".bz2", bz2.compress),
        (".xz", lambda b: __import__("lzma").compress(b)),
        (".zst", lambda b: zstandard.ZstdCompressor().compress(b)),
    ],
)
def test_every_compression_around_jsonl_and_csv(tmp_path, suffix, compress):
    p = tmp_path / f"a.jsonl{suffix}"
    p.write_bytes(compress(jsonl(rows(3))))
    out = records(p)
    assert [r.fields["id"] for r in out] == ["r0", "r1", "r2"] and out[0].input == str(p)
    q = tmp_path / f"b.csv{suffix}"
    q.write_bytes(compress(b"id;tekst\n1;Een zin.\n2;Nog een zin.\n"))
    assert [r.fields["text"] for r in records(q)] == ["Een zin.", "Nog een zin."]
    assert count_records(p) == 3 and count_records(q) == 2


def test_compression_is_known_by_its_magic_bytes_too(tmp_path):
    p = tmp_path / "zonder-achtervoegsel.jsonl"  # gzip data under a plain name
    p.write_bytes(gzip.compress(jsonl(rows(2)), mtime=0))
    assert [r.fields["id"] for r in records(p)] == ["r0", "r1"]


def test_the_manifest_hash_of_a_compressed_file_is_the_file_on_disk(tmp_path):
    import hashlib

    p = tmp_path / "a.jsonl.gz"
    p.write_bytes(gzip.compress(jsonl(rows(1)), mtime=0))
    (inp,) = list(inputs(p, FieldMap()))
    list(inp.items)
    assert inp.stats.sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_tar_gz_members_are_read_in_order_with_member_paths(tmp_path):
    p = tmp_path / "a.tar.gz"
    with tarfile.open(p, "w:gz") as t:
        for name, data in [
            ("2024/een.txt", f"Een. {ARTICLE}".encode()),
            ("2024/.verborgen.txt", b"x"),
            ("2024/twee.jsonl", jsonl(rows(2))),
            ("2024/drie.csv.gz", gzip.compress(b"id,text\nc1,Drie.\n", mtime=0)),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    got = [(inp.stats.path, [i.record for i in inp.items]) for inp in inputs(p, FieldMap())]
    assert got == [
        (f"{p}/2024/een.txt", ["file"]),
        (f"{p}/2024/twee.jsonl", ["line 1", "line 2"]),
        (f"{p}/2024/drie.csv.gz", ["row 1"]),
    ]
    assert count_records(p) == 4


def test_a_tar_member_too_large_for_memory_is_decoded_in_one_pass(tmp_path, monkeypatch):
    from pipeline.read import bundles

    monkeypatch.setattr(bundles, "TAR_MEMBER_IN_MEMORY", 0)
    p = tmp_path / "a.tgz"
    with tarfile.open(p, "w:gz") as t:
        for name, data in [
            ("a.csv", "id,text\n1,„Café” in Liège – 10 €\n".encode("cp1252")),
            ("b.jsonl", jsonl(rows(2))),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    texts, stats = [], []
    for inp in inputs(p, FieldMap()):
        texts += [i.fields["text"] for i in inp.items]
        stats.append(inp.stats)
    from pipeline.normalise import clean_text

    assert clean_text(texts[0])[0] == "„Café” in Liège – 10 €" and len(texts) == 3
    assert all(len(s.sha256) == 64 for s in stats)


def test_a_corrupt_archive_is_one_reject(tmp_path):
    p = tmp_path / "kapot.zip"
    p.write_bytes(b"PK\x03\x04 dit is geen zip")
    out, stats = items(p)
    assert [o.reason for o in out] == ["unreadable_file"] and "zip" in out[0].detail and stats.records == 1


# -- CSV dialects, Excel, Word, web pages ---------------------------------------------------


def test_dutch_excel_csv_with_bom_semicolons_and_dutch_columns(tmp_path):
    p = tmp_path / "export.csv"
    p.write_bytes(b"\xef\xbb\xbfkop;tekst;datum;medium\r\nEen kop;Een tekst; met puntkomma;01-02-2024;Krant\r\n")
    # the second ; splits the text: a Dutch Excel CSV quotes a text with ; in it
    out, _ = items(p)
    assert out[0].reason == "malformed_row" and "';'" in out[0].detail
    p.write_bytes(b'\xef\xbb\xbfkop;tekst;datum;medium\r\nEen kop;"Een tekst; met puntkomma";01-02-2024;Krant;\r\n')
    (rec,) = records(p)
    assert rec.fields == {
        "title": "Een kop",
        "text": "Een tekst; met puntkomma",
        "published": date(2024, 2, 1),
        "source": "Krant",
    }


def test_excel_sep_line_names_the_delimiter(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("sep=;\r\nkop;tekst\r\nCafé, bar;Een tekst, met komma's\r\n".encode("cp1252"))
    (rec,) = records(p)
    assert rec.fields["title"] == "Café, bar" and rec.fields["text"] == "Een tekst, met komma's"


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(tmp_path, sep):
    p = tmp_path / "a.csv"
    p.write_text(f'id{sep}text\n1{sep}"Zin, met; alles\terin|"\n', encoding="utf-8")
    assert records(p)[0].fields["text"] == "Zin, met; alles\terin|"


def test_very_large_fields_are_accepted(tmp_path):
    p = tmp_path / "groot.tsv"
    text = "Een lange zin over Koersk. " * 200_000  # over 5 MB in one field
    p.write_text(f"id\ttext\n1\t{text}\n", encoding="utf-8")
    assert len(records(p)[0].fields["text"]) == len(text)


def test_xlsx_reads_every_sheet_with_a_text_column(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Leeg"
    sheet = book.create_sheet("Januari")
    sheet.append(["Kop", "Tekst", "Datum"])
    sheet.append(["Een", "Eerste tekst.", "12 januari 2024"])
    sheet.append([None, None, None])
    sheet.append(["Twee", "Tweede tekst.", "31/01/2024"])
    other = book.create_sheet("Februari")
    other.append(["id", "artikel"])
    other.append([12.0, "Derde tekst."])
    book.save(tmp_path / "a.xlsx")
    out = records(tmp_path / "a.xlsx")
    assert [(r.record, r.fields.get("published")) for r in out] == [
        ("sheet Januari row 2", date(2024, 1, 12)),
        ("sheet Januari row 4", date(2024, 1, 31)),
        ("sheet Februari row 2", None),
    ]
    assert out[2].fields == {"id": 12, "text": "Derde tekst."}


def test_xlsx_without_a_text_column_names_its_columns(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Kopregel", "Verhaal"])
    book.active.append(["Een", "Een verhaal."])
    book.save(tmp_path / "a.xlsx")
    (rej,), stats = items(tmp_path / "a.xlsx")
    assert rej.reason == "missing_text" and "'Verhaal'" in rej.detail and "--field text=" in rej.detail
    assert [r.fields["text"] for r in records(tmp_path / "a.xlsx", FieldMap.parse(["text=verhaal"]))] == [
        "Een verhaal."
    ]


def test_nexis_docx_articles_and_cover_page(tmp_path):
    out = records(FORMATS / "nexis-export.docx")
    expected = [a for a in ARTICLES if a.key == "docx"]
    assert [r.record for r in out] == ["document 1", "document 2", "document 3"]
    for rec, a in zip(out, expected, strict=True):
        assert rec.fields == {"text": a.text, "title": a.title, "source": a.source, "published": a.published}


def test_a_plain_word_document_is_one_article(tmp_path):
    import docx

    d = docx.Document()
    d.core_properties.title = "Verslag van de raad"
    d.add_paragraph("De raad van Gent vergaderde maandag.")
    d.add_paragraph("Er werd gestemd over de begroting.")
    d.save(tmp_path / "verslag.docx")
    (rec,) = records(tmp_path / "verslag.docx")
    assert rec.fields["title"] == "Verslag van de raad"
    assert rec.fields["text"] == "De raad van Gent vergaderde maandag.\n\nEr werd gestemd over de begroting."


def test_a_web_page_without_an_article_is_one_reject(tmp_path):
    p = tmp_path / "leeg.html"
    p.write_text("<html><head><title>Leeg</title></head><body><div></div></body></html>", encoding="utf-8")
    (rej,), stats = items(p)
    assert rej.reason == "empty_text" and "page" in rej.detail and stats.records == 1


# -- column names and dates -----------------------------------------------------------------


def test_known_column_names_without_options(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("Headline,Body,Date,Medium\nKop,De tekst.,2024-03-12,Krant\n", encoding="utf-8")
    (rec,) = records(p)
    assert rec.fields == {"title": "Kop", "text": "De tekst.", "published": date(2024, 3, 12), "source": "Krant"}


def test_a_record_without_a_text_column_names_its_columns_and_the_option(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("kopregel,verhaal\nKop,De tekst.\n", encoding="utf-8")
    (rej,), _ = items(p)
    assert rej.reason == "missing_text"
    assert "'kopregel', 'verhaal'" in rej.detail and "--field text=COLUMN" in rej.detail
    (rec,) = records(p, FieldMap.parse(["text=VERHAAL", "title=kopregel"]))
    assert rec.fields == {"text": "De tekst.", "title": "Kop"}


def test_an_explicit_field_wins_where_its_column_exists(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_bytes(jsonl([{"text": "Samenvatting.", "volledig": "De hele tekst."}, {"text": "Alleen dit."}]))
    got = [r.fields["text"] for r in records(p, FieldMap.parse(["text=volledig"]))]
    assert got == ["De hele tekst.", "Alleen dit."]


@pytest.mark.parametrize("spec", ["text", "text=", "auteur=byline", "=kolom"])
def test_a_bad_field_option_is_a_usage_error(tmp_path, spec):
    (tmp_path / "a.jsonl").write_bytes(jsonl(rows(1)))
    proc = cli("run", tmp_path / "a.jsonl", "--out", tmp_path / "out", "--field", spec, check=False)
    assert proc.returncode == 2 and "--field" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-03-12", date(2024, 3, 12)),
        ("2024-03-12T23:45:00+01:00", date(2024, 3, 12)),
        ("2024-03-12T00:30:00Z", date(2024, 3, 12)),
        ("2024-03-12 08:30:00 CET", date(2024, 3, 12)),
        ("12-03-2024", date(2024, 3, 12)),
        ("03-12-2024", date(2024, 12, 3)),  # day first, as in NL/BE
        ("12/03/2024", date(2024, 3, 12)),
        ("12.03.2024 14:05", date(2024, 3, 12)),
        ("12 maart 2024", date(2024, 3, 12)),
        ("dinsdag 12 maart 2024", date(2024, 3, 12)),
        ("12 maart 2024 dinsdag", date(2024, 3, 12)),
        ("di 12 mrt. 2024, 14.05 uur", date(2024, 3, 12)),
        ("March 14, 2024 Thursday", date(2024, 3, 14)),
        ("Tue, 12 Mar 2024 08:30:00 +0100", date(2024, 3, 12)),
        ("maart 2024", date(2024, 3, 1)),
        ("2025-01", date(2025, 1, 1)),
        ("12/31/2024", None),  # month first: not a day-first date, and never swapped
        ("31-02-2024", None),
        ("03/04/05", None),  # two-digit year: three readings
        ("gisteren", None),
        ("12 maart", None),
        ("", None),
    ],
)
def test_dates_as_people_write_them(written, expected):
    assert parse_date(written) == expected


def test_unreadable_dates_are_empty_and_counted_not_rejected(tmp_path, ruler_model):
    p = tmp_path / "a.jsonl"
    p.write_bytes(
        jsonl(
            [
                {"id": "a", "published": "12/31/2024", "text": "Eerste bericht. " + ARTICLE},
                {"id": "b", "published": "gisteren", "text": "Tweede bericht. " + ARTICLE},
                {"id": "c", "published": "12-03-2024", "text": "Derde bericht. " + ARTICLE},
            ]
        )
    )
    out = tmp_path / "out"
    cli("run", p, "--out", out, "--model", ruler_model, "--workers", "1", "--no-progress")
    articles = read_table(out, "articles").set_index("article_id")
    assert articles.published.isna().tolist() == [True, True, False] and len(read_table(out, "rejects")) == 0
    m = json.loads((out / "manifest.json").read_text())
    assert m["this_run"]["unparsed_dates"] == 2 and m["inputs"][0]["unparsed_date_examples"] == [
        "12/31/2024",
        "gisteren",
    ]


def test_a_rerun_replaces_the_rejects_of_archive_members(broken_run, ruler_model):
    folder, out, expected = broken_run
    cli("run", folder, "--out", out, "--model", ruler_model, "--workers", "1", "--no-progress")
    rejects = read_table(out, "rejects")
    assert len(rejects) == len(expected) and rejects.input.is_unique  # not once per run
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["this_run"]["already_published"] == 4 and manifest["this_run"]["articles"] == 0


def test_a_parquet_file_that_breaks_off_keeps_the_rows_before_and_is_one_reject(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    p = tmp_path / "a.parquet"
    texts = [f"Bericht {i} over Gent." for i in range(3000)]
    table = pa.table({"id": [str(i) for i in range(3000)], "text": texts})
    pq.write_table(table, p, row_group_size=1000, compression="snappy", use_dictionary=False)
    data = bytearray(p.read_bytes())
    at = int(len(data) * 0.8)  # in the last row group, before the footer
    data[at : at + 500] = b"A" * 500
    p.write_bytes(bytes(data))
    out, stats = items(p)
    assert isinstance(out[-1], Reject) and out[-1].reason == "malformed_row" and "breaks off" in out[-1].detail
    assert all(isinstance(o, Record) for o in out[:-1]) and len(out) > 1 and stats.records == len(out)
