"""Word lists the post-processing rules consult, written for this project.

Each list is a class of capitalised words that real news shows models tagging as names
(docs/entities.md, models/README.md): closed-class words that start a sentence, section
headings, nationality nouns, months and days. They are categories, not patches for single
errors: a word is here because no Dutch name is spelled that way on its own.

Organisations and places come from ``gazetteer.py``.
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Adverbs, conjunctions, prepositions, pronouns, determiners, numerals and interjections:
#: capitalised only at the start of a sentence or a line, never a name on their own.
FUNCTION_WORDS = _words(
    """
    aan aangezien achter achteraf af aldus alle allebei alleen allemaal allen alles als alsnog alsof
    altijd ander andere anders beide bij bijna bijvoorbeeld binnen binnenkort boven bovendien buiten
    daar daarbij daardoor daarentegen daarmee daarna daarnaast daarom daarop daarvoor dan dat
    de deze dezelfde die dit doch door doordat dus echter een eens eerder eerst eigenlijk elk elke
    en enkele er erg ergens even evenals evenmin gisteren graag helaas hem hen hier hierbij hierdoor
    hiermee hierna hiervoor hij hoe hoewel hun ik in inderdaad intussen inmiddels is ja jij jullie
    juist kortom later liever maar maandag meer men met mede misschien morgen na naar naast nadat
    natuurlijk nee net niet niemand niets nog nochtans nooit nu of ofwel ondanks onder ondertussen
    onlangs ons onze ook op opeens over overigens pas per plots precies reeds rond samen sinds
    slechts soms steeds straks tegen tegelijk tenslotte tenzij terwijl thans tijdens toch toen tot
    totdat tussen uit uiteindelijk vaak van vanaf vandaag vanwege veel verder vervolgens via vlak
    voor vooral vooraf voordat voorlopig voort vroeger waar waarbij waardoor waarom wanneer want
    waren was wat we wel welke wie wij wordt zal ze zelf zelfs zij zijn zo zoals zodat zodra zonder
    zowat zowel zou zulke zij helemaal nauwelijks wellicht waarschijnlijk uiteraard zeker tenminste
    ongeveer minstens hooguit sindsdien daarentegen desondanks immers trouwens althans tevens
    eveneens vandaar alvast alweer nogal nogmaals opnieuw ooit telkens voortaan zojuist zopas
    onmiddellijk meteen direct dadelijk eindelijk plotseling vermoedelijk blijkbaar kennelijk
    duidelijk officieel vooralsnog allereerst ten tenzij hallo dag daag goedemorgen goedenavond
    volgens namens dankzij wegens jegens omtrent betreffende ingevolge krachtens richting behalve
    hoewel zodra mits opdat alhoewel ofschoon indien wie wiens welk zulk dergelijke diverse vele
    dank bedankt beste geachte lieve proficiat gefeliciteerd welkom sorry pardon oké ok jawel neen
    eén één twee drie vier vijf zes zeven acht negen tien elf twaalf honderd duizend miljoen
    eerste tweede derde vierde vijfde laatste volgende vorige nieuwe oude grote kleine
    """
)

#: Newspaper section headings and kickers, alone on a line or before a colon.
HEADINGS = _words(
    """
    algemeen binnenland buitenland sport sporten economie financiën beurs cultuur kunst media
    opinie politiek wetenschap weer weerbericht regio lokaal nieuws kort column commentaar
    achtergrond analyse interview reportage recensie recensies boeken film muziek televisie tv
    radio agenda uitslagen uitslag stand klassement overzicht samenvatting inleiding conclusie
    slot update liveblog video foto foto's ingezonden brieven lezersbrieven redactioneel editoriaal
    voetbal wielrennen tennis atletiek basketbal hockey zwemmen schaatsen autosport formule
    """
)

#: Nationality and demonym nouns (singular and plural): people, not places.
DEMONYM_NOUNS = _words(
    """
    nederlander nederlanders belg belgen vlaming vlamingen walen brusselaar brusselaars
    fries friezen limburger limburgers brabander brabanders amsterdammer amsterdammers
    rotterdammer rotterdammers antwerpenaar antwerpenaren gentenaar gentenaars
    fransman fransen fransozen duitser duitsers brit britten engelsman engelsen schot schotten ier
    ieren amerikaan amerikanen canadees canadezen mexicaan mexicanen braziliaan brazilianen
    argentijn argentijnen chileen chilenen colombiaan colombianen peruaan peruanen cubaan cubanen
    rus russen oekraïner oekraïners wit-rus wit-russen pool tsjech tsjechen slowaak slowaken
    hongaar hongaren roemeen roemenen bulgaar bulgaren serviër serviërs kroaat kroaten bosniër
    bosniërs albanees albanezen griek grieken turk turken italiaan italianen spanjaard spanjaarden
    portugees portugezen zwitser zwitsers oostenrijker oostenrijkers deen denen zweed
    noor noren fin finnen est esten let letten litouwer litouwers ijslander ijslanders
    marokkaan marokkanen algerijn algerijnen tunesiër tunesiërs egyptenaar egyptenaren libiër
    libiërs syriër syriërs irakees irakezen iraniër iraniërs afghaan afghanen pakistaan pakistanen
    indiër indiërs chinees chinezen japanner japanners koreaan koreanen vietnamees vietnamezen
    thai indonesiër indonesiërs australiër australiërs nieuw-zeelander
    israëliër israëliërs palestijn palestijnen libanees libanezen jordaniër jordaniërs saoediër
    saoediërs jemeniet jemenieten koerd koerden armeniër armeniërs georgiër georgiërs
    azerbeidzjaan azerbeidzjanen kazak kazakken oezbeek oezbeken tsjetsjeen tsjetsjenen
    nigeriaan nigerianen ghanees ghanezen congolees congolezen rwandees rwandezen burundees
    burundezen kenian kenianen ethiopiër ethiopiërs somaliër somaliërs soedanees soedanezen
    zuid-afrikaan zuid-afrikanen senegalees senegalezen malinees malinezen kameroener kameroeners
    surinamer surinamers antilliaan antillianen arubaan arubanen europeaan europeanen
    afrikaan afrikanen aziaat aziaten arabier arabieren jood joden moslim moslims christen
    christenen katholiek katholieken protestant protestanten
    """
)

#: Months and days: capitalised in headings and datelines, never a mention.
CALENDAR = _words(
    """
    januari februari maart april mei juni juli augustus september oktober november december
    maandag dinsdag woensdag donderdag vrijdag zaterdag zondag
    """
)

#: Languages (capitalised in Dutch): not entities. CLDR's Dutch language names (babel) add the
#: rest ("Rutheens", "Servisch"), one-word names with a language ending only, so that no place
#: or people ("Alabama", "Akan") is taken for a language.
LANGUAGES = _words(
    """
    nederlands vlaams frans duits engels spaans italiaans portugees russisch oekraïens pools
    turks arabisch chinees japans grieks latijn hebreeuws hindi swahili berbers koerdisch
    """
)
_LANGUAGE_ENDING = re.compile(r"(?:s|sch)$")


def _cldr_languages() -> frozenset[str]:
    try:
        from babel import Locale

        names = Locale("nl").languages.values()
    except Exception:  # noqa: BLE001 - babel missing or unreadable: the list above still holds
        return frozenset()
    return frozenset(n.casefold() for n in names if " " not in n and _LANGUAGE_ENDING.search(n))


#: Single words that are never a mention on their own, wherever they stand.
NOT_NAMES = DEMONYM_NOUNS | CALENDAR | LANGUAGES | _cldr_languages()
#: Words that are no mention where their capital says nothing: at the start of a sentence or
#: line. Inside a sentence the capital makes them part of a name ("Anders Gaan Leven").
INITIAL_NOT_NAMES = FUNCTION_WORDS | HEADINGS

#: Last words of place names that start with a nationality adjective ("Russische Federatie",
#: "Middellandse Zee"): there the adjective is part of the name.
GEO_HEADS = _words(
    """
    federatie republiek unie emiraten eilanden eiland zee oceaan golf alpen gebergte woud kust
    staten gemeenschap vlakte woestijn baai meer rijk
    """
)

#: Generic place nouns: glued to a name when they start a sentence ("Regio Koersk"), and before
#: a name they say it is a place ("de provincie [Antwerpen]", "de stad [Gent]").
GENERIC_HEADS = _words(
    """
    regio provincie stad gemeente dorp district deelstaat staat land republiek oblast streek
    wijk buurt haven luchthaven rivier meer berg eiland kust grens hoofdstad
    """
)

#: Nouns that say what the name after them is ("de krant [De Morgen]", "het bedrijf [Bekaert]").
ORGANISATION_HEADS = _words(
    """
    partij krant dagblad weekblad tijdschrift omroep zender bedrijf concern firma bank club
    voetbalclub ploeg vakbond vereniging stichting organisatie beweging groep fractie
    """
)

#: Common nouns that end a one-word compound with a name in front ("Konmarwinkels",
#: "Intertotocompetitie", "Laurusconcern"): the word is then about the thing, not a name itself
#: (models/ANNOTATION.md, compounds). Only nouns that do not end names of their own: not
#: "programma" ("Wereldvoedselprogramma"), "bank" or "dam".
COMPOUND_TAILS = _words(
    """
    formule formules winkel winkels concern concerns competitie competities verleden prijs
    prijzen affaire akkoord campagne fans supporters aanhangers debat proces
    """
)
