"""Read stage: every format, every encoding, one record or one reject per input record."""

import codecs
import json
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.read import InputStats, discover, read_input
from pipeline.records import Record, Reject


def items(path):
    stats = InputStats(str(path))
    out = list(read_input(path, stats))
    return out, stats


def test_jsonl_records_and_malformed_lines(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"id": 1, "text": "Hallo"}\n\n{broken\n[1, 2]\n{"text": "Tweede"}\n', encoding="utf-8")
    out, stats = items(p)
    assert [type(i) for i in out] == [Record, Reject, Reject, Record]
    assert [i.record for i in out] == ["line 1", "line 3", "line 4", "line 5"]
    assert out[1].reason == "malformed_json" and "JSON" in out[1].detail
    assert stats.records == 4 and len(stats.sha256) == 64


def test_jsonl_keeps_unicode_line_separators_inside_strings(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"text": "een\u2028twee"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out, _ = items(p)
    assert len(out) == 1 and out[0].fields["text"] == "een\u2028twee"


def test_cp1252_file_is_decoded(tmp_path):
    p = tmp_path / "a.csv"
    p.write_bytes("id,text\n1,„Café” in Liège – 10 €\n".encode("cp1252"))
    out, _ = items(p)
    # bytes are read as latin-1 here; the normalise stage turns the C1 range into cp1252
    from pipeline.normalise import clean_text

    assert clean_text(out[0].fields["text"])[0] == "„Café” in Liège – 10 €"


def test_utf16_text_with_a_byte_order_mark_is_read_not_rejected_as_binary(tmp_path):
    p = tmp_path / "unicode.txt"
    p.write_bytes("Oekraïne en Liège, 10 €.".encode("utf-16"))  # BOM + UTF-16 LE, as Windows saves it
    out, stats = items(p)
    assert [o.fields["text"] for o in out] == ["Oekraïne en Liège, 10 €."] and stats.records == 1
    q = tmp_path / "artikelen.jsonl"
    q.write_bytes(('{"id": "a", "text": "Koersk"}\n{"id": "b", "text": "Gent"}\n').encode("utf-16-be"))
    q.write_bytes(codecs.BOM_UTF16_BE + q.read_bytes())
    out, stats = items(q)
    assert [o.fields["id"] for o in out] == ["a", "b"] and stats.records == 2
    wide = tmp_path / "utf32.txt"
    wide.write_bytes("Koersk en Gent".encode("utf-32"))
    assert [o.fields["text"] for o in items(wide)[0]] == ["Koersk en Gent"]
    # a byte-order mark on something that does not decode: one reject, not a crash
    odd = "Gent".encode("utf-16") + b"\x00"  # a stray byte
    lone_surrogate = codecs.BOM_UTF16_LE + b"\x00\xd8A\x00"
    for n, data in enumerate([odd, lone_surrogate]):
        (tmp_path / f"{n}.txt").write_bytes(data)
        out, stats = items(tmp_path / f"{n}.txt")
        assert [o.reason for o in out] == ["binary_file"] and stats.records == 1


def test_csv_rows_and_bad_rows(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text('id,title,text\n1,T,"Een tekst, met komma"\n2,T\n3,T,"Regel\nover twee regels"\n', encoding="utf-8")
    out, stats = items(p)
    assert isinstance(out[0], Record) and out[0].fields["text"] == "Een tekst, met komma"
    assert isinstance(out[1], Reject) and out[1].reason == "malformed_row"
    assert out[2].fields["text"] == "Regel\nover twee regels"
    assert stats.records == 3


def test_parquet_rows(tmp_path):
    p = tmp_path / "a.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": ["Een", None], "Source": ["X", "Y"]}), p)
    out, stats = items(p)
    assert [r.fields.get("text") for r in out] == ["Een", None]
    assert out[0].fields["source"] == "X" and stats.records == 2


def test_broken_parquet_is_one_reject(tmp_path):
    p = tmp_path / "a.parquet"
    p.write_bytes(b"PAR1 not really")
    out, stats = items(p)
    assert len(out) == 1 and out[0].reason == "unreadable_file" and stats.records == 1


def test_txt_with_date_marker(tmp_path):
    p = tmp_path / "000_abc.txt"
    p.write_text(
        " date 2025-01 Het leger heeft een offensief gelanceerd.\n\nTegenaanval\n\nMeer tekst.", encoding="utf-8"
    )
    (rec,), _ = items(p)
    assert rec.fields["published"] == date(2025, 1, 1)  # dates are read here: a month is its 1st
    assert rec.fields["id"] == "000_abc"
    assert rec.fields["text"].startswith("Het leger") and "Tegenaanval" in rec.fields["text"]


def test_binary_and_unsupported_files_are_rejected(tmp_path):
    png = tmp_path / "plaatje.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    out, stats = items(png)
    assert out[0].reason == "binary_file" and stats.records == 1
    doc = tmp_path / "verslag.odt"
    doc.write_bytes(b"PK\x03\x04")
    out, _ = items(doc)
    assert out[0].reason == "unsupported_format"


def test_discover_walks_folders_in_stable_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.jsonl").write_text("")
    (tmp_path / "1.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "_archief").mkdir()  # only hidden names are skipped, not other conventions
    (tmp_path / "_archief" / "3.txt").write_text("x")
    (tmp_path / "out" / "articles").mkdir(parents=True)  # the run's own output inside the input
    (tmp_path / "out" / "articles" / "part-1.parquet").write_text("")
    found = discover([tmp_path, tmp_path / "1.txt"], skip=[tmp_path / "out"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["1.txt", "_archief/3.txt", "b/2.jsonl"]
