"""Entity resolution rules (docs/entities.md)."""

from pipeline.entities import best_name
from pipeline.resolve import entity_id, entity_key, resolve_article


def test_key_folds_case_space_and_diacritics_only_for_the_key():
    assert entity_key("Oekraïne", "PERSON") == entity_key("oekraine", "PERSON") == entity_key("OEKRAÏNE", "PERSON")
    assert entity_key("Zelensky", "PERSON") != entity_key("Zelenski", "PERSON")
    assert entity_key("Jan  van der\nBerg", "PERSON") == "jan van der berg"


def test_key_drops_titles_possessives_and_lowercase_articles_but_keeps_particles():
    assert entity_key("president Volodimir Zelensky", "PERSON") == entity_key("Volodimir Zelensky", "PERSON")
    assert entity_key("minister Bart De Wever", "PERSON") == "bart de wever"
    assert entity_key("burgemeester Van der Berg", "PERSON") == "van der berg"
    assert entity_key("Trump's", "PERSON") == entity_key("Trump", "PERSON") == "trump"
    assert entity_key("de Verenigde Naties", "ORGANISATION") == "verenigde naties"
    assert entity_key("De Morgen", "ORGANISATION") == "de morgen"
    assert entity_key("Van Gogh", "PERSON") == "van gogh"
    # a title with a diaeresis is a title too (the key folds it before comparing)
    assert entity_key("europarlementariër Kathleen Van Brempt", "PERSON") == "kathleen van brempt"


def test_titles_are_dropped_from_people_only_and_never_when_written_in_capitals():
    assert entity_key("Prins Claus Fonds", "ORGANISATION") == "prins claus fonds"
    assert entity_key("ING Bank", "ORGANISATION") == "ing bank" != entity_key("Bank", "ORGANISATION")
    assert entity_key("Koningin Julianaplein", "PLACE") == "koningin julianaplein"
    assert entity_key("ING Bank", "PERSON") == "ing bank"  # an acronym even where the model says person
    assert entity_key("ing. Jan de Vries", "PERSON") == entity_key("Jan de Vries", "PERSON")
    assert entity_key("een Amsterdamse", "PLACE") == "amsterdamse"
    assert best_name([("Prins Claus Fonds", 3)], person=False) == "Prins Claus Fonds"
    assert best_name([("ING Bank", 2), ("de ING Bank", 1)], person=False) == "ING Bank"
    assert best_name([("prins Claus", 2)], person=True) == "Claus"


def test_types_never_merge():
    assert entity_id("PERSON", "gent") != entity_id("PLACE", "gent")


def test_short_later_mentions_join_the_earlier_full_name():
    ids = resolve_article(
        [
            ("Andri Jermak", "PERSON"),
            ("Jermak", "PERSON"),
            ("Donald Trump", "PERSON"),
            ("Trump", "PERSON"),
            ("Trumps", "PERSON"),
            ("Marc Verwilghen", "PERSON"),
            ("Verwilghen", "PERSON"),
            ("Bart De Wever", "PERSON"),
            ("De Wever", "PERSON"),
        ]
    )
    assert ids[0] == ids[1] and ids[2] == ids[3] == ids[4] and ids[5] == ids[6] and ids[7] == ids[8]
    assert len({ids[0], ids[2], ids[5], ids[7]}) == 4


def test_a_short_form_before_its_full_name_joins_it_but_not_across_types():
    # the seed article's sub-heading "Trump" above "Donald Trump"
    ids = resolve_article([("Jermak", "PERSON"), ("Andri Jermak", "PERSON"), ("Jermak", "ORGANISATION")])
    assert ids[0] == ids[1] and ids[2] != ids[1]


def test_a_short_form_before_two_competing_full_names_stays_its_own():
    ids = resolve_article([("Kok", "PERSON"), ("Wim Kok", "PERSON"), ("Marieke Kok", "PERSON")])
    assert ids[0] not in (ids[1], ids[2])


def test_a_lone_particle_is_not_resolved_to_a_name():
    ids = resolve_article([("Jan van der Berg", "PERSON"), ("van", "PERSON")])
    assert ids[0] != ids[1]


def test_ids_are_stable_and_the_same_across_articles():
    a = resolve_article([("Donald Trump", "PERSON")])
    b = resolve_article([("president Donald Trump", "PERSON")])
    assert a == b == [entity_id("PERSON", "donald trump")]


def test_canonical_name_is_the_longest_well_formed_form():
    assert best_name([("Trump", 10), ("Donald Trump", 2), ("Trump's", 1)], person=True) == "Donald Trump"
    assert best_name([("president Zelensky", 3), ("Zelensky", 1)], person=True) == "Zelensky"
    assert best_name([("DONALD TRUMP", 1), ("Donald Trump", 1)], person=True) == "Donald Trump"


def test_the_most_recent_full_name_wins():
    ids = resolve_article([("Jan Peeters", "PERSON"), ("Els Peeters", "PERSON"), ("Peeters", "PERSON")])
    assert ids[2] == ids[1] != ids[0]


def test_leading_apostrophe_names_keep_their_apostrophe():
    assert entity_key("'t Hart", "PERSON") == "'t hart"
    assert entity_key("„Fleur 't Hart”", "PERSON") == "fleur 't hart"
    assert entity_key("'s-Hertogenbosch", "PLACE") == "'s-hertogenbosch"
    assert best_name([("'t Hart", 2)], person=True) == "'t Hart"


def test_an_article_of_tens_of_thousands_of_mentions_resolves_each_to_its_nearest_full_name():
    """Thousands of "Kok" between thousands of "Wim Kok" and "Marieke Kok": each joins the full
    name nearest before it; the ones above both full names stay their own, as in a short article."""
    head = [("Kok", "PERSON"), ("Koks", "PERSON")] * 500
    body = [("Wim Kok", "PERSON"), ("Kok", "PERSON"), ("Marieke Kok", "PERSON"), ("Koks", "PERSON")] * 10_000
    ids = resolve_article(head + body)
    wim, marieke = entity_id("PERSON", "wim kok"), entity_id("PERSON", "marieke kok")
    assert set(ids[:1000]) == {entity_id("PERSON", "kok"), entity_id("PERSON", "koks")}
    assert ids[1000:] == [wim, wim, marieke, marieke] * 10_000
    # one full name after: the short forms above it join it
    assert set(resolve_article(head + [("Wim Kok", "PERSON")] * 10_000)) == {wim}
