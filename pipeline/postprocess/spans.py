"""Span rules: one model entity at a time, at token level, before any article-level evidence.

Each rule takes the entity's tokens ``[start, end)`` in the Doc and its type and returns the
corrected token range, or None when what is left is no name. Rules run in registry order and
only ever shrink a span or drop it, so a rule can never make a mention longer or invent one;
what they fix are the error classes of docs/entities.md: spans over line breaks, quotes and
titles at the edges, a leading adjective or sentence-initial word, capitalised non-names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Doc

from ..labels import DEMONYM
from ..registry import Registry
from ..resolve import PARTICLES, TITLE_KEYS
from .lexicon import (
    COMPOUND_TAILS,
    FUNCTION_WORDS,
    GENERIC_HEADS,
    GEO_HEADS,
    INITIAL_NOT_NAMES,
    NOT_NAMES,
    ORGANISATION_HEADS,
)

Range = tuple[int, int]
SpanRule = Callable[[Doc, int, int, str], Range | None]
#: Rules in the order they run; each returns the new token range or None to drop the entity.
SPAN_RULES: Registry[SpanRule] = Registry()

_PARTICLES = PARTICLES | {"'t", "’t"}
_OPENERS = set("\"'“”„‘’‚«»([{-–—:•*")
_POSSESSIVE = {"'s", "’s", "'", "’"}
_KEEP_FINAL = {"!", "?", "."}
#: Section and item numbers ("U1.1.5", "M6.1.2", "3.2"): capitalised, never names
_CODE = re.compile(r"^[A-Z]{0,3}\d+(?:[.,]\d+)*[a-z]?\.?$")


def initial(doc: Doc, i: int) -> bool:
    """Token i starts a sentence or a line, or follows an opening quote or dash there: its
    capital says nothing about whether it is a name."""
    while True:
        if i == 0 or doc[i].is_sent_start or doc[i - 1].is_space:
            return True
        if doc[i - 1].text not in _OPENERS:
            return False
        i -= 1


def _has_upper(word: str) -> bool:
    return any(ch.isupper() for ch in word)


def _is_demonym(word: str) -> bool:
    return DEMONYM.match(word) is not None


@SPAN_RULES.register("no_line_breaks")
def no_line_breaks(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """A span never runs over white space that is a token of its own (a line break, a blank line):
    keep the first piece with a capital ("Trump\\n\\nVolgens" is "Trump")."""
    pieces, lo = [], start
    for i in range(start, end + 1):
        if i == end or doc[i].is_space:
            if lo < i:
                pieces.append((lo, i))
            lo = i + 1
    for lo, hi in pieces:
        if any(_has_upper(doc[k].text) for k in range(lo, hi)):
            return lo, hi
    return None


@SPAN_RULES.register("edge_punctuation")
def edge_punctuation(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """Quotes, brackets, dashes and commas off both ends, and a separate possessive 's at the end.
    A final "!", "?" or "." stays: it can be part of the name ("Groen!", "Yahoo!", "Jr.")."""
    while start < end and doc[start].is_punct and doc[start].text not in ("'t", "’t"):
        start += 1
    while end > start and (
        (doc[end - 1].is_punct and doc[end - 1].text not in _KEEP_FINAL) or doc[end - 1].text in _POSSESSIVE
    ):
        end -= 1
    return (start, end) if start < end else None


@SPAN_RULES.register("leading_words")
def leading_words(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """Words before the name proper: lower-case words (titles, "de", "het"; particles stay only at
    the start of a person's name: "van Boxtel"), a capitalised title before a person, a
    function word or generic noun at the start of a sentence ("Volgens Jan Peeters", "“Regio
    Koersk"; inside a sentence "Anders Gaan Leven" keeps its capitalised "Anders"),
    and a nationality adjective before a person or a place ("Oekraïense president Zelensky",
    "Rotterdamse Boompjes"; not in "Russische Federatie" or "Middellandse Zee")."""
    person = type_ == "PERSON"
    while end - start > 1:
        word = doc[start].text
        low = word.casefold()
        if not _has_upper(word):
            # lower-case: out, except a particle that starts a person's name ("van Boxtel")
            drop = not (person and low in _PARTICLES and low not in ("het", "een"))
        else:
            drop = (
                (person and (low.rstrip(".") in TITLE_KEYS or _is_demonym(word)))
                # "de Rotterdamse [Boompjes]", but "Russische Federatie", "Middellandse Zee"
                or (type_ == "PLACE" and _is_demonym(word) and doc[end - 1].text.casefold() not in GEO_HEADS)
                or (low in FUNCTION_WORDS and low not in _PARTICLES and initial(doc, start))
                or (low in GENERIC_HEADS and initial(doc, start))
            )
        if not drop:
            break
        start += 1
    return start, end


@SPAN_RULES.register("trailing_words")
def trailing_words(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """Lower-case words after the name proper: a name ends in a capitalised word, a number or a
    particle-free token ("Landelijke Beraad van" -> "Landelijke Beraad")."""
    while end - start > 1 and doc[end - 1].text.isalpha() and doc[end - 1].text.islower():
        end -= 1
    return start, end


@SPAN_RULES.register("has_name_word")
def has_name_word(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """Drop what holds no name: no capital at all, or only nationality adjectives, function words,
    section numbers and other words that are never names ("West-Russische regio", "Onlangs",
    "Russen", "U1.1.5")."""
    for k in range(start, end):
        word = doc[k].text
        if _CODE.match(word):
            continue
        low = word.casefold()
        if (
            _has_upper(word)
            and not _is_demonym(word)
            and low not in NOT_NAMES
            and not (low in INITIAL_NOT_NAMES and initial(doc, k))
        ):
            return start, end
        if any(ch.isdigit() for ch in word) and end - start > 1:
            return start, end
    return None


_TAILS = "|".join(sorted(COMPOUND_TAILS, key=len, reverse=True))
_TAIL = re.compile(rf"^[A-Z][a-zà-ÿ]{{2,}}(?:{_TAILS})$")


@SPAN_RULES.register("compound_word")
def compound_word(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """A one-word span that is a compound of a name and a common noun ("Konmarwinkels",
    "Intertotocompetitie") is about the thing, no name of its own: dropped. Longer spans keep
    such words ("Nationaal Monument Slavernijverleden")."""
    if end - start == 1 and _TAIL.match(doc[start].text):
        return None
    return start, end


def refine(doc: Doc, start: int, end: int, type_: str) -> Range | None:
    """The entity's token range after every span rule, or None when it is no mention."""
    span: Range | None = (start, end)
    for rule in SPAN_RULES.values():
        span = rule(doc, span[0], span[1], type_)
        if span is None:
            return None
    return span


def head_type(doc: Doc, start: int) -> str | None:
    """The type the word before a name gives it: a person's title ("minister Netelenbos"), a
    place noun ("de regio Koersk", "“Regio Koersk"), an organisation noun ("de krant De Tijd")."""
    if start == 0:
        return None
    word = doc[start - 1].text.casefold().rstrip(".")
    if word in TITLE_KEYS:
        return "PERSON"
    if word in GENERIC_HEADS:
        return "PLACE"
    if word in ORGANISATION_HEADS:
        return "ORGANISATION"
    return None


def title_before(doc: Doc, start: int) -> bool:
    """The token before the span is a person's title ("minister Netelenbos", "mevrouw Peeters")."""
    return start > 0 and doc[start - 1].text.casefold().rstrip(".") in TITLE_KEYS
