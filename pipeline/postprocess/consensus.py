"""Article rules: one name, one type within an article, decided by the article's evidence.

The model types each mention on its own. Within one article, the mentions of one name tell
more than any one of them, so the rules here retype a mention only when the evidence against
its type is stronger than the model's one guess for it:

* ``initial_word_glued``: a sentence-initial word glued to a name ("“Regio Koersk") takes the
  type the rest of the name has elsewhere in the article, when that type has more mentions.
* ``surname_of_person``: a surname after its full person name ("Wim Kok" ... "Kok") is a
  person, unless the model typed it a place and it is a known place (CLDR, GeoNames): then
  the one person-typed mention is the weaker evidence.

A majority vote over all mentions of a key was tried and dropped: on the dev benchmark it
spread the model's wrong type as often as its right one (models/README.md).

Rules see each other's output, in registry order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..registry import Registry
from ..resolve import informative, key_words
from .gazetteer import known_place


@dataclass(slots=True)
class Mention:
    text: str
    type: str
    #: the first word starts a sentence or a line, so its capital says nothing
    initial: bool = False

    @property
    def words(self) -> tuple[str, ...]:
        return key_words(self.text, True)


ArticleRule = Callable[[list[Mention]], None]
#: Rules that retype an article's mentions in place, in the order they run.
ARTICLE_RULES: Registry[ArticleRule] = Registry()


@ARTICLE_RULES.register("initial_word_glued")
def initial_word_glued(mentions: list[Mention]) -> None:
    votes: dict[tuple[str, ...], Counter] = {}
    for m in mentions:
        votes.setdefault(m.words, Counter())[m.type] += 1
    for m in mentions:
        words = m.words
        if not m.initial or len(words) < 2 or not informative(words[1:]):
            continue
        rest = votes.get(words[1:])
        if not rest:
            continue
        best, n = rest.most_common(1)[0]
        if best != m.type and n > votes[words][m.type]:
            m.type = best


@ARTICLE_RULES.register("surname_of_person")
def surname_of_person(mentions: list[Mention]) -> None:
    surnames: set[tuple[str, ...]] = set()  # the trailing words of every person named so far
    for m in mentions:
        words = m.words
        stem = (*words[:-1], words[-1][:-1]) if words and words[-1].endswith("s") else None
        if (
            m.type != "PERSON"
            and words
            and informative(words)
            and (words in surnames or stem in surnames)
            # a known place stays a place: one person-typed "Regio Koersk" must not turn "Koersk"
            # into a person; the gazetteer is the stronger evidence
            and not (m.type == "PLACE" and known_place(m.text))
        ):
            m.type = "PERSON"
        if m.type == "PERSON" and len(words) > 1:
            surnames.update(words[i:] for i in range(1, len(words)))


def harmonise(mentions: list[Mention]) -> list[str]:
    """The types of one article's mentions, in text order, after every article rule."""
    for rule in ARTICLE_RULES.values():
        rule(mentions)
    return [m.type for m in mentions]
