"""From a model's own labels to the three types the tables report, and what is not a mention.

Both ``run`` and ``evaluate`` go through :func:`mention_type`, so scores measure exactly
what the tables contain.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .registry import Registry

#: Model label -> reported type. Labels not here (NORP, DATE, MISC, EVENT, ...) are no mentions.
LABEL_TYPES: dict[str, str] = {
    # OntoNotes-style labels (nl_core_news_*)
    "PERSON": "PERSON",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "ORG": "ORGANISATION",
    # CoNLL-style labels
    "PER": "PERSON",
    # the project's own model (models/) uses the reported types directly
    "PLACE": "PLACE",
    "ORGANISATION": "ORGANISATION",
}

# Nationality and demonym adjectives ("Oekraïense", "Russische", "Belgisch", "Franse") that a
# model sometimes labels as a place: capitalised, one word, an adjective ending.
DEMONYM = re.compile(r"^[A-ZÀ-Ý][\w'-]*(?:[bcdfghjklmnpqrstvwxz]s(?:ch)?e|isch|ische|[aeiï]n?se|ese)$")

Filter = Callable[[str, str], bool]
#: Checks a mention must pass to be kept: (text, type) -> keep?
FILTERS: Registry[Filter] = Registry()


@FILTERS.register("no_demonym_places")
def _no_demonym_places(text: str, type_: str) -> bool:
    return not (type_ == "PLACE" and " " not in text and DEMONYM.match(text) is not None)


@FILTERS.register("has_letter")
def _has_letter(text: str, type_: str) -> bool:
    return any(ch.isalpha() for ch in text)


def mention_type(label: str, text: str) -> str | None:
    """The reported type of an entity the model found, or None when it is not a mention."""
    type_ = LABEL_TYPES.get(label)
    if type_ is None:
        return None
    if all(keep(text, type_) for keep in FILTERS.values()):
        return type_
    return None
