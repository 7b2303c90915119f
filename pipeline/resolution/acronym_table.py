"""Curated acronyms of Dutch and Belgian parties, institutions and bodies, and international
bodies Dutch news names by acronym: acronym -> its expansion(s), all organisations.

Written for this project from public knowledge of the names (no external list copied). Only
acronyms that name one body in Dutch-language news are listed: "PS" (Parti Socialiste, but
also "postscriptum"), "SP" (Socialistische Partij, but also Belgium's former SP) and "PVDA"
(whose key equals the Dutch "PvdA") are left out. An acronym joins an expansion only when both
are in the archive as organisations.
"""

from __future__ import annotations

ACRONYMS: dict[str, tuple[str, ...]] = {
    # Dutch parties
    "VVD": ("Volkspartij voor Vrijheid en Democratie",),
    "CDA": ("Christen-Democratisch Appèl",),
    "PvdA": ("Partij van de Arbeid",),
    "D66": ("Democraten 66",),
    "PVV": ("Partij voor de Vrijheid",),
    "CU": ("ChristenUnie",),
    "SGP": ("Staatkundig Gereformeerde Partij",),
    "PvdD": ("Partij voor de Dieren",),
    "FvD": ("Forum voor Democratie",),
    "BBB": ("BoerBurgerBeweging",),
    "NSC": ("Nieuw Sociaal Contract",),
    "GL": ("GroenLinks",),
    "LPF": ("Lijst Pim Fortuyn",),
    # Belgian parties
    "N-VA": ("Nieuw-Vlaamse Alliantie",),
    "CD&V": ("Christen-Democratisch en Vlaams",),
    "Open VLD": ("Open Vlaamse Liberalen en Democraten",),
    "VB": ("Vlaams Belang",),
    "MR": ("Mouvement Réformateur",),
    "PTB": ("Parti du Travail de Belgique",),
    # Dutch state and public bodies
    "OM": ("Openbaar Ministerie",),
    "RIVM": ("Rijksinstituut voor Volksgezondheid en Milieu",),
    "CBS": ("Centraal Bureau voor de Statistiek",),
    "CPB": ("Centraal Planbureau",),
    "SCP": ("Sociaal en Cultureel Planbureau",),
    "DNB": ("De Nederlandsche Bank",),
    "AIVD": ("Algemene Inlichtingen- en Veiligheidsdienst",),
    "MIVD": ("Militaire Inlichtingen- en Veiligheidsdienst",),
    "NCTV": ("Nationaal Coördinator Terrorismebestrijding en Veiligheid",),
    "UWV": ("Uitvoeringsinstituut Werknemersverzekeringen",),
    "IND": ("Immigratie- en Naturalisatiedienst",),
    "NFI": ("Nederlands Forensisch Instituut",),
    "KNMI": ("Koninklijk Nederlands Meteorologisch Instituut",),
    "NVWA": ("Nederlandse Voedsel- en Warenautoriteit",),
    "ACM": ("Autoriteit Consument en Markt",),
    "AFM": ("Autoriteit Financiële Markten",),
    "SER": ("Sociaal-Economische Raad",),
    "COA": ("Centraal Orgaan opvang asielzoekers",),
    "RVO": ("Rijksdienst voor Ondernemend Nederland",),
    "NOS": ("Nederlandse Omroep Stichting",),
    "NPO": ("Nederlandse Publieke Omroep",),
    "NS": ("Nederlandse Spoorwegen",),
    "KLM": ("Koninklijke Luchtvaart Maatschappij",),
    "KNVB": ("Koninklijke Nederlandse Voetbalbond",),
    "FNV": ("Federatie Nederlandse Vakbeweging",),
    "CNV": ("Christelijk Nationaal Vakverbond",),
    "UvA": ("Universiteit van Amsterdam",),
    # Belgian state and public bodies
    "VRT": ("Vlaamse Radio- en Televisieomroeporganisatie", "Vlaamse Radio- en Televisieomroep"),
    "RTBF": ("Radio-télévision belge de la Communauté française",),
    "NMBS": ("Nationale Maatschappij der Belgische Spoorwegen",),
    "KBVB": ("Koninklijke Belgische Voetbalbond",),
    "VUB": ("Vrije Universiteit Brussel",),
    "ABVV": ("Algemeen Belgisch Vakverbond",),
    "ACV": ("Algemeen Christelijk Vakverbond",),
    "VBO": ("Verbond van Belgische Ondernemingen",),
    "FOD": ("Federale Overheidsdienst",),
    "VDAB": ("Vlaamse Dienst voor Arbeidsbemiddeling en Beroepsopleiding",),
    # international bodies, by their Dutch names
    "EU": ("Europese Unie",),
    "VN": ("Verenigde Naties",),
    "NAVO": ("Noord-Atlantische Verdragsorganisatie",),
    "EC": ("Europese Commissie",),
    "EP": ("Europees Parlement",),
    "ECB": ("Europese Centrale Bank",),
    "EHRM": ("Europees Hof voor de Rechten van de Mens",),
    "IMF": ("Internationaal Monetair Fonds",),
    "WHO": ("Wereldgezondheidsorganisatie",),
    "OESO": ("Organisatie voor Economische Samenwerking en Ontwikkeling",),
    "OVSE": ("Organisatie voor Veiligheid en Samenwerking in Europa",),
    "IAEA": ("Internationaal Atoomenergieagentschap",),
    "ICC": ("Internationaal Strafhof",),
    "IOC": ("Internationaal Olympisch Comité",),
}
