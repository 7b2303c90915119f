"""Writes data/sample/formats/ (one small example of every input format) and data/fields/ (a TSV
that needs --field): Dutch news-style articles written for this project.

    .venv/bin/python tests/make_formats.py      # rewrites the files; the tests import ARTICLES

Every file is made from ARTICLES below, so the tests know what each article's date, title and
source must come out as. The binary files (.gz, .xz, .zip, .xlsx, .docx) are committed too:
written with fixed timestamps where the format allows, so a rerun changes as little as possible.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import lzma
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "data" / "sample" / "formats"
FIELDS = ROOT / "data" / "fields"


@dataclass(frozen=True)
class Example:
    key: str  # which file it goes into
    title: str | None
    written: str  # the date as the file writes it
    published: date
    source: str | None
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


ARTICLES: list[Example] = [
    Example(
        "jsonl.gz",
        "Rijkswaterstaat sluit Haringvlietbrug voor groot onderhoud",
        "2024-03-12T23:45:00+01:00",  # late in the evening, Dutch time: the day stays the 12th
        date(2024, 3, 12),
        "Voorbeeldkrant",
        (
            "Rijkswaterstaat sluit de Haringvlietbrug vanaf maandag zes weken voor verkeer richting Rotterdam. "
            "De brug tussen Numansdorp en Willemsdorp krijgt nieuwe voegen en een nieuw wegdek.",
            "Woordvoerder Sanne Mulder van Rijkswaterstaat raadt automobilisten aan om via de Moerdijkbrug te "
            "rijden. De ANWB verwacht in de spits files tot een halfuur bij Dordrecht.",
        ),
    ),
    Example(
        "jsonl.gz",
        "Zwolle krijgt eerste waterstofbussen van Overijssel",
        "2024-04-02",
        date(2024, 4, 2),
        "Dagblad van het Oosten",
        (
            "In Zwolle rijden sinds dinsdag de eerste waterstofbussen van Overijssel. Vervoerder Keolis zet er "
            "voorlopig tien in op de lijnen naar Kampen en Dalfsen.",
            "Gedeputeerde Tijs de Bree noemde de bussen een proef. ‘Als het in Zwolle werkt, volgt Deventer’, "
            "zei hij bij de opening van het tankstation aan de Hessenweg.",
        ),
    ),
    Example(
        "ndjson.xz",
        "Gentse haven verwerkt recordhoeveelheid graan",
        "5 april 2024",
        date(2024, 4, 5),
        "De Scheldebode",
        (
            "De haven van Gent heeft vorig jaar meer graan verwerkt dan ooit. Volgens North Sea Port ging het om "
            "ruim zes miljoen ton, vooral uit Frankrijk en Oekraïne.",
            "Havenschepen Annelies Verlinden zei in Gent dat de sluis van Terneuzen daarbij een grote rol speelt. "
            "Ook Antwerpen meldde een stijging, al was die kleiner.",
        ),
    ),
    Example(
        "ndjson.xz",
        "Brabantse bakkers klagen over prijs van boter",
        "woensdag 10 april 2024",
        date(2024, 4, 10),
        "Brabants Nieuwsblad",
        (
            "Bakkers in Eindhoven en Tilburg betalen bijna twee keer zoveel voor boter als een jaar geleden. "
            "Dat meldt de Nederlandse Bakkerij Stichting na een rondvraag onder haar leden.",
            "Bakker Joost van Dongen uit Helmond verhoogt de prijs van zijn appeltaart met een euro. "
            "‘Anders hou ik niets over’, zegt hij. Ook in Breda zijn de prijzen gestegen.",
        ),
    ),
    Example(
        "csv",
        "Leidse studenten bouwen zonneboot",
        "15-04-2024",
        date(2024, 4, 15),
        "Sleutelstad Bericht",
        (
            "Studenten van de TU Delft en de Universiteit Leiden bouwen samen een boot die alleen op zonne-energie "
            "vaart. In juli willen ze ermee van Leiden naar Amsterdam varen; de tocht duurt een dag.",
            "Teamleider Fatima el Amrani zegt dat de boot; met twintig panelen; sneller is dan verwacht. "
            "Het Hoogheemraadschap van Rijnland geeft toestemming voor de route.",
        ),
    ),
    Example(
        "csv",
        "Groningse molen draait weer na restauratie",
        "03-05-2024",  # day first: the 3rd of May, never the 5th of March
        date(2024, 5, 3),
        "Noorderkrant",
        (
            "De molen De Hoop in Loppersum draait weer, twee jaar na de schade door aardbevingen. "
            "Molenaar Harm Bakker hijste zaterdag de wieken voor het eerst.",
            "De Nationale Coördinator Groningen betaalde het grootste deel van het herstel. "
            "Burgemeester Henk Jan Bolding van Eemsdelta kwam kijken, net als honderden inwoners uit Groningen.",
        ),
    ),
    Example(
        "xlsx",
        "Utrecht breidt fietsenstalling bij station uit",
        "excel-date",  # written as a real date cell
        date(2024, 5, 21),
        "Stadsblad Utrecht",
        (
            "De gemeente Utrecht breidt de fietsenstalling bij Utrecht Centraal uit met drieduizend plekken. "
            "ProRail begint in september met de bouw onder het Jaarbeursplein.",
            "Wethouder Lot van Hooijdonk zegt dat de stalling bij het station nu elke ochtend vol is. "
            "De NS verwacht dat het aantal reizigers naar Amsterdam en Den Bosch nog groeit.",
        ),
    ),
    Example(
        "xlsx",
        "Zeeuwse mosselvissers tevreden over nieuw seizoen",
        "28/06/2024",  # a date typed as text, day first
        date(2024, 6, 28),
        "Zeeuwse Courant van Morgen",
        (
            "De mosselvissers in Yerseke zijn tevreden over de eerste vangst van het seizoen. "
            "Volgens de Producentenorganisatie van de Nederlandse Mosselcultuur zijn de mosselen groot en vol.",
            "Visser Kees Padmos voer maandag vanuit Yerseke naar de Oosterschelde. Een deel van de vangst gaat "
            "naar België; restaurants in Brussel en Antwerpen bestellen al.",
        ),
    ),
    Example(
        "zip",
        None,
        "2024-07",
        date(2024, 7, 1),
        None,
        (
            "Hittegolf houdt Limburg in de greep",
            "Het KNMI heeft voor Limburg code oranje afgegeven vanwege de hitte. In Maastricht werd het dinsdag "
            "36 graden. Het Rode Kruis zet in Venlo en Roermond extra posten neer.",
        ),
    ),
    Example(
        "zip",
        None,
        "2024-07-19",
        date(2024, 7, 19),
        None,
        (
            "Ajax presenteert nieuwe trainer in Amsterdam",
            "Ajax heeft vrijdag in Amsterdam zijn nieuwe trainer gepresenteerd. Directeur Alex Kroes zei dat de "
            "club uit Amsterdam weer wil meedoen om de titel. Eerste tegenstander is PSV in Eindhoven.",
        ),
    ),
    Example(
        "docx",
        "Kabinet wil snellere aanpak van Groningse schade",
        "12 maart 2024 dinsdag",
        date(2024, 3, 12),
        "Het Parool van het Noorden",
        (
            "Het kabinet wil dat inwoners van Groningen sneller geld krijgen voor schade aan hun huis. "
            "Staatssecretaris Hans Vijlbrief maakte dat dinsdag in Den Haag bekend.",
            "Het Instituut Mijnbouwschade Groningen krijgt er tweehonderd medewerkers bij. "
            "De Tweede Kamer debatteert volgende week over de plannen.",
        ),
    ),
    Example(
        "docx",
        "Rotterdamse haven test drijvende zonneparken",
        "March 14, 2024 Thursday",  # Nexis in English: the date line is English too
        date(2024, 3, 14),
        "Havenblad Rijnmond",
        (
            "Het Havenbedrijf Rotterdam test op de Maasvlakte twee drijvende zonneparken. "
            "Als de proef slaagt, volgen parken in de Botlek en bij Vlaardingen.",
            "Directeur Boudewijn Siemons zei dat de haven van Rotterdam zo minder stroom uit Duitsland nodig heeft. "
            "Eneco levert de panelen.",
        ),
    ),
    Example(
        "docx",
        "Brugse binnenstad wordt autovrij",
        "vrijdag 15 maart 2024",
        date(2024, 3, 15),
        "Het Brugsch Dagblad",
        (
            "Brugge maakt de binnenstad vanaf de zomer autovrij. Burgemeester Dirk De fauw zei dat bewoners en "
            "leveranciers nog wel mogen rijden.",
            "De Lijn laat meer bussen rijden tussen het station en de Markt. Handelaars in Brugge en Gent "
            "zijn verdeeld over het plan.",
        ),
    ),
    Example(
        "html",
        "Dordrecht opent overdekte markt in oude scheepswerf",
        "2024-08-03",
        date(2024, 8, 3),
        "Drechtsteden Vandaag",
        (
            "Dordrecht heeft zaterdag een overdekte markt geopend in de oude scheepswerf aan de Merwede. "
            "Er staan zestig kramen, van kaasmakers uit Gouda tot bakkers uit Rotterdam.",
            "Wethouder Maarten Burggraaf zei dat de markt het hele jaar open blijft. "
            "De Vereniging Hendrick de Keyser hielp bij de restauratie van de werf.",
        ),
    ),
    Example(
        "tsv",
        "Friese schaatsbaan krijgt dak",
        "2024-09-10",
        date(2024, 9, 10),
        "Omrop Fryslân Nieuws",
        (
            "De ijsbaan van Leeuwarden krijgt een dak, zodat er ook bij regen geschaatst kan worden. "
            "De provincie Fryslân betaalt de helft van de kosten.",
            "Gedeputeerde Sietske Poepjes noemde het dak goed nieuws voor Heerenveen en Leeuwarden. "
            "Thialf in Heerenveen blijft de grote baan voor wedstrijden.",
        ),
    ),
    Example(
        "tsv",
        "Arnhemse trolleybus rijdt weer na storing",
        "11/09/2024",  # the 11th of September
        date(2024, 9, 11),
        "Gelderse Post",
        (
            "De trolleybussen in Arnhem rijden weer na een storing van twee dagen. Breng, de vervoerder in "
            "Arnhem en Nijmegen, had last van een kapotte kabel bij station Arnhem Centraal.",
            "Een woordvoerder van Breng zei dat reizigers hun geld terugkrijgen. Ook in Nijmegen reden minder bussen.",
        ),
    ),
]

#: What a Nexis Uni export says around the articles: none of it is any article's text.
NEXIS_COVER = (
    "Nexis Uni®",
    "Date and Time: Friday, 5 April 2024 10:12:00 AM CEST",
    "Job Number: 219283746",
    "Documents (3)",
    "1. Kabinet wil snellere aanpak van Groningse schade",
    "Client/Matter: -None-",
    "Search Terms: Groningen OR Rotterdam OR Brugge",
    "Search Type: Terms and Connectors",
    "Narrowed by: Content Type Nieuws",
)
NEXIS_LINES = ("Copyright", "Section:", "Length:", "Byline:", "Load-Date:", "End of Document", "Job Number")
HTML_BOILERPLATE = (
    "Wij gebruiken cookies",
    "Alle cookies accepteren",
    "Abonneer je op onze nieuwsbrief",
    "Meest gelezen",
    "Privacyverklaring",
    "Home",
)
ZIP_TIME = (2024, 7, 20, 12, 0, 0)


def _fixed_times(path: Path) -> None:
    """Rewrite an Office file's zip entries with one fixed time: a rerun writes the same bytes."""
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w") as z:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-06-30T12:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(fixed, data)


def of(key: str) -> list[Example]:
    return [a for a in ARTICLES if a.key == key]


def write_jsonl_gz(path: Path) -> None:
    lines = [
        json.dumps(
            {"id": f"vb-{n}", "title": a.title, "published": a.written, "source": a.source, "text": a.text},
            ensure_ascii=False,
        )
        for n, a in enumerate(of("jsonl.gz"), start=1)
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(data)


def write_ndjson_xz(path: Path) -> None:
    # a dump with English column names of its own: headline, body, pubdate, publication
    lines = [
        json.dumps(
            {"headline": a.title, "body": a.text, "pubdate": a.written, "publication": a.source}, ensure_ascii=False
        )
        for a in of("ndjson.xz")
    ]
    path.write_bytes(lzma.compress(("\n".join(lines) + "\n").encode("utf-8")))


def write_dutch_excel_csv(path: Path) -> None:
    # as Dutch Excel saves "CSV (gescheiden door lijstscheidingsteken)": BOM, ';', CRLF
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["kop", "tekst", "datum", "medium"])
    for a in of("csv"):
        w.writerow([a.title, a.text, a.written, a.source])
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Artikelen"
    sheet.append(["Export nieuwsarchief, juni 2024"])  # a title line above the header
    sheet.append([])
    sheet.append(["Headline", "Body", "Date", "Source"])
    for a in of("xlsx"):
        written = (
            datetime(a.published.year, a.published.month, a.published.day) if a.written == "excel-date" else a.written
        )
        sheet.append([a.title, a.text, written, a.source])
    notes = book.create_sheet("Notities")  # no text column: passed over
    notes.append(["Opmerking", "Door"])
    notes.append(["Gecontroleerd op dubbele artikelen", "redactie"])
    book.properties.created = book.properties.modified = datetime(2024, 6, 30, 12, 0)
    book.save(path)
    _fixed_times(path)


def write_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for n, a in enumerate(of("zip"), start=1):
            info = zipfile.ZipInfo(f"berichten/bericht-{n}.txt", ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, f" date {a.written}\n\n{a.text}\n")


def write_nexis_docx(path: Path) -> None:
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    for line in NEXIS_COVER:
        d.add_paragraph(line)
    for n, a in enumerate(of("docx"), start=1):
        d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        d.add_paragraph(a.title)
        d.add_paragraph(a.source)
        d.add_paragraph(a.written)
        d.add_paragraph(f"Copyright {a.published.year} Voorbeelduitgevers B.V. All Rights Reserved")
        d.add_paragraph("Section: Binnenland; Blz. 4")
        d.add_paragraph(f"Length: {len(a.text.split())} words")
        d.add_paragraph("Byline: Redactie")
        d.add_paragraph("Body")
        for p in a.paragraphs:
            d.add_paragraph(p)
        if n == 2:
            d.add_paragraph("Link to PDF")
        d.add_paragraph("Classification")
        d.add_paragraph("Language: DUTCH; NEDERLANDS")
        d.add_paragraph("Publication-Type: Krant")
        d.add_paragraph(f"Load-Date: {a.published:%B} {a.published.day}, {a.published.year}")
        d.add_paragraph("End of Document")
    d.core_properties.created = d.core_properties.modified = datetime(2024, 4, 5, 10, 12)
    d.save(path)
    _fixed_times(path)


def write_html(path: Path) -> None:
    (a,) = of("html")
    body = "\n".join(f"      <p>{p}</p>" for p in a.paragraphs)
    path.write_text(
        f"""<!DOCTYPE html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <title>{a.title} | {a.source}</title>
  <meta property="og:title" content="{a.title}">
  <meta property="og:site_name" content="{a.source}">
  <meta property="article:published_time" content="{a.written}T09:30:00+02:00">
  <link rel="canonical" href="https://example.org/drechtsteden/2024/08/overdekte-markt">
</head>
<body>
  <div id="cookie-banner" class="cookie-consent">
    <p>Wij gebruiken cookies om de site te verbeteren en om advertenties te tonen.</p>
    <button>Alle cookies accepteren</button>
  </div>
  <header>
    <nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/regio">Regio</a></li>
    <li><a href="/sport">Sport</a></li><li><a href="/economie">Economie</a></li></ul></nav>
  </header>
  <main>
    <article>
      <h1>{a.title}</h1>
      <p class="byline">Door de redactie, 3 augustus 2024</p>
{body}
    </article>
    <aside class="related"><h2>Meest gelezen</h2><ul>
      <li><a href="/a">Brand in loods op bedrijventerrein</a></li>
      <li><a href="/b">Nieuwe fietsbrug over de Oude Maas</a></li></ul></aside>
  </main>
  <footer>
    <p>Abonneer je op onze nieuwsbrief</p>
    <p><a href="/privacy">Privacyverklaring</a> · © 2024 {a.source}</p>
  </footer>
</body>
</html>
""",
        encoding="utf-8",
    )


def write_tsv(path: Path) -> None:
    # an outlet's own export: column names no option-less run can know
    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\n")
    w.writerow(["story_id", "headline", "story_text", "pub", "outlet"])
    for n, a in enumerate(of("tsv"), start=1):
        w.writerow([f"gp-{n:03d}", a.title, a.text, a.written, a.source])
    path.write_text(buf.getvalue(), encoding="utf-8")


FILES = {
    "archief.jsonl.gz": write_jsonl_gz,
    "dump.ndjson.xz": write_ndjson_xz,
    "excel-export.csv": write_dutch_excel_csv,
    "artikelen.xlsx": write_xlsx,
    "berichten.zip": write_zip,
    "nexis-export.docx": write_nexis_docx,
    "opgeslagen-pagina.html": write_html,
}
TSV = "outlet-export.tsv"
#: The options the TSV needs.
TSV_FIELDS = ("--field", "text=story_text", "--field", "published=pub", "--field", "source=outlet")


def main() -> None:
    FORMATS.mkdir(parents=True, exist_ok=True)
    FIELDS.mkdir(parents=True, exist_ok=True)
    for name, write in FILES.items():
        write(FORMATS / name)
    write_tsv(FIELDS / TSV)
    print(f"wrote {len(FILES)} files to {FORMATS} and {FIELDS / TSV}")


if __name__ == "__main__":
    main()
