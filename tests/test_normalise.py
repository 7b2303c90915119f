"""Normalise stage: repairs that keep articles, rejects that must not be silent."""

import random
from datetime import date

import ftfy

from pipeline.normalise import _FTFY, SeenArticles, clean_text, derive_id, fix_text, normalise, parse_date
from pipeline.records import Article, Record, Reject

DUTCH = (
    "De minister van Buitenlandse Zaken heeft dinsdag in Den Haag gezegd dat het kabinet de steun aan "
    "Oekraïne voortzet."
)


def rec(**fields):
    return Record("in.jsonl", "line 1", fields)


def test_control_characters_and_nul_are_removed():
    text, repairs = clean_text("De\x00 minister\x07 zei\r\nhet")
    assert text == "De minister zei\nhet"
    assert "control_chars" in repairs


def test_mojibake_is_repaired():
    broken = "Het OekraÃ¯ense leger rukt op naar de regio Koersk, zegt de woordvoerder van het leger."
    text, repairs = clean_text(broken)
    assert "Oekraïense" in text
    assert "mojibake" in repairs


def test_curly_quotes_are_kept():
    text, _ = clean_text("„Dat is goed nieuws”, zei hij.")
    assert text.startswith("„") and "”" in text


def test_missing_and_bad_text_are_rejected_with_reasons():
    assert normalise(rec(id="a")).reason == "missing_text"
    assert normalise(rec(id="a", text=42)).reason == "text_not_string"
    assert normalise(rec(id="a", text="  \n\t ")).reason == "empty_text"
    assert normalise(rec(id="a", text="\x00\x01")).reason == "empty_text"


def test_clearly_not_dutch_is_rejected_but_dutch_is_kept():
    english = "The government said on Tuesday that it would continue to support the country and that it was not over."
    german = (
        "Die Regierung hat am Dienstag gesagt, dass sie die Unterstützung für das Land fortsetzen wird "
        "und nicht aufhört."
    )
    french = "Le gouvernement a dit mardi qu'il continuerait son soutien au pays et que la guerre ne sera pas finie."
    for text in (english, german, french):
        result = normalise(rec(text=text))
        assert isinstance(result, Reject) and result.reason == "not_dutch", text
    assert isinstance(normalise(rec(text=DUTCH)), Article)
    # short, name-heavy Dutch is kept
    assert isinstance(normalise(rec(text="Trump en Zelensky in Parijs")), Article)


def test_id_given_or_derived_from_content_stably():
    a = normalise(rec(id=17, text=DUTCH))
    assert a.article_id == "17"
    b = normalise(rec(text=DUTCH))
    c = normalise(rec(text=DUTCH + "  "))
    assert b.article_id == c.article_id == derive_id(b.text_sha256)


def test_dates():
    assert parse_date("2025-01-05") == date(2025, 1, 5)
    assert parse_date("2025-01") == date(2025, 1, 1)
    assert parse_date("2025-01-05T10:00:00Z") == date(2025, 1, 5)
    assert parse_date("05-01-2025") == date(2025, 1, 5)
    assert parse_date("gisteren") is None
    assert normalise(rec(text=DUTCH, date="2024-12-31")).published == date(2024, 12, 31)


def test_duplicates_and_conflicts():
    seen = SeenArticles()
    a = normalise(rec(id="x", text=DUTCH))
    assert seen.check(a) is None
    assert seen.check(normalise(rec(id="x", text=DUTCH))).reason == "duplicate"
    assert seen.check(normalise(rec(id="x", text=DUTCH + " Meer."))).reason == "conflicting_id"


def test_fix_text_is_ftfy_line_for_line():
    """The ASCII-line shortcut must give exactly what ftfy gives, whatever the mix of lines."""
    pieces = [
        "CafÃ©",
        "Ã©",
        "â€œ",
        "â€\x9d",
        "&amp;",
        "&",
        "<b>",
        "\r",
        "\r\n",
        "\n",
        "\n\n",
        "\x1b[1m",
        "\x85",
        "\u2028",
        "\ufeff",
        "Ã",
        "\xa0",
        " ",
        "De Wever",
        "één",
        "„Ja”",
        "ﬁets",
        "\t",
        "\x0c",
    ]
    rnd = random.Random(7)
    samples = ["", "\n", "Gewoon Nederlands.\nCafÃ© Ã  la carte\nAT&amp;T\n", "<p>CafÃ©</p>\n&amp;"]
    samples += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 14))) for _ in range(3000)]
    for text in samples:
        assert fix_text(text) == ftfy.fix_text(text, _FTFY), repr(text)
