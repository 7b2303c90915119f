"""Post-processing: each span rule, listed names, repeats and the article rules, on real Docs.

The Docs come from spaCy's blank Dutch tokenizer and sentencizer with entities set by hand,
as a model would set them, so each test states exactly which model error it corrects, and
which correct mention it must leave alone.
"""

from __future__ import annotations

import pytest
import spacy

from pipeline.postprocess import LISTED, REPEATED, Mention, doc_mentions, harmonise
from pipeline.postprocess.gazetteer import known_type


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("nl")
    nlp.add_pipe("sentencizer")
    return nlp


def mentions(nlp, text: str, ents: list[tuple[str, str]] | list[tuple[str, str, int]]):
    """Run the post-processing on ``text`` with the model entities ``(surface, label[, nth])``."""
    doc = nlp(text)
    spans = []
    for ent in ents:
        surface, label, nth = (*ent, 0) if len(ent) == 2 else ent
        start = -1
        for _ in range(nth + 1):
            start = text.index(surface, start + 1)
        spans.append(doc.char_span(start, start + len(surface), label=label, alignment_mode="expand"))
    doc.ents = spans
    return [(m.text, m.type, m.label) for m in doc_mentions(doc, nlp.tokenizer)]


def test_a_span_never_runs_over_a_line_break(nlp):
    got = mentions(nlp, "Trump\n\nVolgens analisten kan Donald Trump winnen.", [("Trump\n\nVolgens", "PERSON")])
    assert ("Trump", "PERSON", "PERSON") in got
    assert all("\n" not in text and text == text.strip() for text, _, _ in got)


def test_quotes_possessives_titles_and_articles_are_cut_from_the_edges(nlp):
    text = "Zo zei “president Volodimir Zelensky” gisteren. Trump 's plan. Ze zwommen in de Schelde."
    got = mentions(
        nlp, text, [("“president Volodimir Zelensky”", "PERSON"), ("Trump 's", "PERSON"), ("de Schelde", "PLACE")]
    )
    assert [g[:2] for g in got] == [("Volodimir Zelensky", "PERSON"), ("Trump", "PERSON"), ("Schelde", "PLACE")]


def test_lower_case_words_after_a_name_go(nlp):
    text = "Het Landelijke Beraad van de beweging. Johannes de Doper kwam."
    got = mentions(nlp, text, [("Landelijke Beraad van", "ORG"), ("Johannes de Doper", "PER")])
    assert [g[0] for g in got] == ["Landelijke Beraad", "Johannes de Doper"]


def test_a_particle_starting_a_person_stays_but_a_leading_adjective_goes(nlp):
    text = "Ze sprak met van Boxtel. De Oekraïense Zelensky kwam ook."
    got = mentions(nlp, text, [("van Boxtel", "PERSON"), ("Oekraïense Zelensky", "PERSON")])
    assert [g[:2] for g in got] == [("van Boxtel", "PERSON"), ("Zelensky", "PERSON")]


def test_capitalised_non_names_are_no_mentions(nlp):
    text = (
        "Onlangs wisten de Russen meer. In de West-Russische regio bleef het rustig.\n\nSport\n\nDe Oekraïners wonnen."
    )
    ents = [
        ("Onlangs", "PERSON"),
        ("Russen", "PERSON"),
        ("West-Russische regio", "PLACE"),
        ("Sport", "ORG"),
        ("Oekraïners", "PLACE"),
    ]
    assert mentions(nlp, text, ents) == []


def test_names_like_those_words_are_kept(nlp):
    # the same classes of words inside a longer name, or a real name next to them
    text = "Volgens Jan Peeters won Sport Vlaanderen. De Morgen schreef het."
    got = mentions(nlp, text, [("Volgens Jan Peeters", "PERSON"), ("Sport Vlaanderen", "ORG"), ("De Morgen", "ORG")])
    assert [g[:2] for g in got] == [
        ("Jan Peeters", "PERSON"),
        ("Sport Vlaanderen", "ORGANISATION"),
        ("De Morgen", "ORGANISATION"),
    ]


def test_a_sentence_initial_generic_noun_is_cut_from_a_name(nlp):
    text = "Het leger rukte op. “Regio Koersk, goed nieuws”, schreef hij."
    # cut, and the generic noun says what the rest is
    assert mentions(nlp, text, [("Regio Koersk", "PERSON")])[0][:2] == ("Koersk", "PLACE")
    text = "Ze las het in de krant Het Belang. Hij woont in de stad Kok."
    assert [g[:2] for g in mentions(nlp, text, [("Het Belang", "LOC"), ("Kok", "PER")])] == [
        ("Het Belang", "ORGANISATION"),
        ("Kok", "PLACE"),
    ]
    # not inside a sentence, where the capital means it is part of the name
    text = "Ze woont in de Regio Utrecht."
    assert mentions(nlp, text, [("Regio Utrecht", "PLACE")])[0][:1] == ("Regio Utrecht",)


def test_listed_names_get_their_type_and_are_added_where_the_model_missed_them(nlp):
    text = "Hij schreef op Telegram dat de NAVO en De Standaard het wisten. Groen is een kleur."
    got = mentions(nlp, text, [("Telegram", "LOC")])
    assert ("Telegram", "ORGANISATION", "LOC") in got
    assert ("NAVO", "ORGANISATION", LISTED) in got and ("De Standaard", "ORGANISATION", LISTED) in got
    # a listed word that starts a sentence is not added on the list's word alone
    assert all(text != "Groen" for text, _, _ in got)
    assert known_type("Oekraïne") == "PLACE" and known_type("Verenigde Staten") == "PLACE"
    assert known_type("Jan Peeters") is None


def test_other_occurrences_of_a_found_name_are_mentions_too(nlp):
    text = "Koersk werd aangevallen. In de zone Koersk viel niemand. De koersk is geen woord."
    got = mentions(nlp, text, [("Koersk", "GPE")])
    assert got == [("Koersk", "PLACE", "GPE"), ("Koersk", "PLACE", REPEATED)]
    # after a person's full name, the surname alone; never before it
    text = "Jermak zweeg. Toen schreef Andri Jermak een bericht.\n\nJermak bevestigde het."
    got = mentions(nlp, text, [("Andri Jermak", "PER")])
    assert [(g[0], g[2]) for g in got] == [("Andri Jermak", "PER"), ("Jermak", REPEATED)]
    assert text.index("Jermak bevestigde") == text.rindex("Jermak")
    # the repeat takes the name's majority type; inside a longer capitalised name it is left alone
    text = "Boudewijn sprak. Boudewijn lachte. Boudewijn zweeg. Later kwam Boudewijn Büch."
    got = mentions(nlp, text, [("Boudewijn", "PER", 0), ("Boudewijn", "PER", 1), ("Boudewijn", "LOC", 2)])
    assert [g[:2] for g in got] == [("Boudewijn", "PERSON"), ("Boudewijn", "PERSON"), ("Boudewijn", "PLACE")]


def harmonised(*pairs):
    return harmonise([Mention(text, type_, initial) for text, type_, initial in pairs])


def test_one_model_guess_does_not_retype_the_others():
    # the seed article: "Regio Koersk" PERSON once must not make three PLACE "Koersk" a person
    types = harmonised(
        ("Koersk", "PLACE", False),
        ("Regio Koersk", "PERSON", True),
        ("Koersk", "PLACE", False),
        ("Koersk", "PLACE", False),
    )
    assert types == ["PLACE"] * 4


def test_a_surname_of_a_person_in_the_article_is_a_person():
    types = harmonised(
        ("Wim Kok", "PERSON", False),
        ("Kok", "PLACE", False),
        ("Koks", "ORGANISATION", False),
        ("Amsterdam", "PLACE", False),
        ("Roger van Boxtel", "PERSON", False),
        ("van Boxtel", "ORGANISATION", False),
        ("Boxtel", "PLACE", False),
    )
    # "Boxtel" typed PLACE is also a Dutch town (GeoNames): one full name is not evidence enough
    assert types == ["PERSON", "PERSON", "PERSON", "PLACE", "PERSON", "PERSON", "PLACE"]
    # only after the full name, and not a place that merely starts a person's name
    assert harmonised(("Kok", "PLACE", False), ("Wim Kok", "PERSON", False)) == ["PLACE", "PERSON"]
    assert harmonised(("Jan van Antwerpen", "PERSON", False), ("Jan", "PLACE", False)) == ["PERSON", "PLACE"]
    # a known place typed PLACE is not turned into a person by one person-typed full name
    assert harmonised(("Jan Gent", "PERSON", False), ("Gent", "PLACE", False)) == ["PERSON", "PLACE"]
    assert harmonised(("Ivan Koersk", "PERSON", False), ("Koersk", "PLACE", False)) == ["PERSON", "PLACE"]


def test_after_a_title_the_mention_is_a_person_and_an_office_is_split_from_its_place(nlp):
    text = "Dat zei minister Netelenbos. Volgens burgemeester Opstelten van Rotterdam en directeur Beijer van Sparta."
    got = mentions(nlp, text, [("Netelenbos", "ORG"), ("Opstelten van Rotterdam", "PER"), ("Beijer van Sparta", "PER")])
    assert [g[:2] for g in got] == [
        ("Netelenbos", "PERSON"),
        ("Opstelten", "PERSON"),
        ("Rotterdam", "PLACE"),
        ("Beijer", "PERSON"),
        ("Sparta", "ORGANISATION"),
    ]
    # without a title, a person named after a place stays whole
    assert mentions(nlp, "Ze sprak met Jan van Antwerpen.", [("Jan van Antwerpen", "PER")])[0][:2] == (
        "Jan van Antwerpen",
        "PERSON",
    )


def test_a_city_adjective_before_a_place_goes_but_not_inside_a_place_name(nlp):
    text = "Ze zitten op de Rotterdamse Boompjes. De Russische Federatie en de Middellandse Zee."
    got = mentions(
        nlp, text, [("Rotterdamse Boompjes", "LOC"), ("Russische Federatie", "LOC"), ("Middellandse Zee", "LOC")]
    )
    assert [g[0] for g in got] == ["Boompjes", "Russische Federatie", "Middellandse Zee"]


def test_languages_and_section_numbers_are_no_mentions(nlp):
    text = "Ze krijgen les in het Roetheens en het Servisch. Zie U1.1.5 en M6.1.2 hierna."
    got = mentions(nlp, text, [("Roetheens", "PER"), ("Servisch", "LOC"), ("U1.1.5", "ORG"), ("M6.1.2", "LOC")])
    assert got == []


def test_a_one_word_compound_of_a_name_and_a_common_noun_is_no_mention(nlp):
    text = (
        "De Konmarwinkels sluiten en Ajax speelt in de Intertotocompetitie. "
        "Het Wereldvoedselprogramma helpt, zegt het Nationaal Monument Slavernijverleden."
    )
    ents = [
        ("Konmarwinkels", "ORG"),
        ("Ajax", "ORG"),
        ("Intertotocompetitie", "LOC"),
        ("Wereldvoedselprogramma", "ORG"),
        ("Nationaal Monument Slavernijverleden", "ORG"),
    ]
    got = [g[0] for g in mentions(nlp, text, ents)]
    assert got == ["Ajax", "Wereldvoedselprogramma", "Nationaal Monument Slavernijverleden"]


def test_a_name_found_in_an_earlier_piece_of_a_long_article_is_repeated_in_the_next(nlp):
    """A long article is cut into Docs; the repeats rule sees the names of the pieces before."""
    first = nlp("Het leger rukt op in de regio Koersk.")
    first.ents = [first.char_span(first.text.index("Koersk"), first.text.index("Koersk") + 6, label="GPE")]
    second = nlp("Koersk ligt aan de grens. Het is stil in Koersk.")
    earlier: dict = {}
    assert [m.text for m in doc_mentions(first, nlp.tokenizer, earlier)] == ["Koersk"]
    got = [(m.text, m.type, m.label, m.start_char) for m in doc_mentions(second, nlp.tokenizer, earlier)]
    assert got == [("Koersk", "PLACE", REPEATED, 0), ("Koersk", "PLACE", REPEATED, second.text.rindex("Koersk"))]
    # alone, the second piece has no mention of it
    assert [m.text for m in doc_mentions(second, nlp.tokenizer)] == []
