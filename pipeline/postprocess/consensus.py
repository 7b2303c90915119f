"""Article rules: one name, one type within an article, decided by the article's evidence.

The model types each mention on its own. Within one article, the mentions of one name tell
more than any one of them, so the rules here retype a mention only when the evidence against
its type is stronger than the model's one guess for it:

* ``same_key_majority``: mentions with the same key take the type most of them have
  ("Koersk" PLACE three times and PERSON once: four times PLACE); a tie changes nothing.
* ``initial_word_glued``: a sentence-initial word glued to a name ("“Regio Koersk") takes the
  type the rest of the name has elsewhere in the article, when that type has more mentions.
* ``surname_of_person``: a surname whose full person name is in the article ("Wim Kok" ...
  "Kok") is a person when the person's mentions, the full name's counting twice, are at least
  as many as the mentions giving the surname its other type.

Rules see each other's output, in registry order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ..registry import Registry
from ..resolve import informative, key_words, surname_of


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


def _votes(mentions: list[Mention], words: tuple[str, ...]) -> Counter:
    return Counter(m.type for m in mentions if m.words == words)


@ARTICLE_RULES.register("initial_word_glued")
def initial_word_glued(mentions: list[Mention]) -> None:
    for m in mentions:
        words = m.words
        if not m.initial or len(words) < 2 or not informative(words[1:]):
            continue
        rest = _votes(mentions, words[1:])
        if not rest:
            continue
        best, n = rest.most_common(1)[0]
        if best != m.type and n > sum(1 for o in mentions if o.words == words and o.type == m.type):
            m.type = best


@ARTICLE_RULES.register("same_key_majority")
def same_key_majority(mentions: list[Mention]) -> None:
    groups: dict[tuple[str, ...], list[Mention]] = {}
    for m in mentions:
        if m.words:
            groups.setdefault(m.words, []).append(m)
    for group in groups.values():
        votes = Counter(m.type for m in group).most_common()
        if len(votes) > 1 and votes[0][1] > votes[1][1]:
            for m in group:
                m.type = votes[0][0]


@ARTICLE_RULES.register("surname_of_person")
def surname_of_person(mentions: list[Mention]) -> None:
    people = Counter(m.words for m in mentions if m.type == "PERSON" and len(m.words) > 1)
    if not people:
        return
    for m in mentions:
        words = m.words
        if m.type == "PERSON" or not words or not informative(words):
            continue
        # a full name that ends in this word is stronger evidence than one guess: two votes
        person_votes = 2 * sum(n for p, n in people.items() if surname_of(words, p))
        person_votes += sum(1 for o in mentions if o.words == words and o.type == "PERSON")
        if person_votes and person_votes >= sum(1 for o in mentions if o.words == words and o.type == m.type):
            for o in mentions:
                if o.words == words:
                    o.type = "PERSON"


def harmonise(mentions: list[Mention]) -> list[str]:
    """The types of one article's mentions, in text order, after every article rule."""
    for rule in ARTICLE_RULES.values():
        rule(mentions)
    return [m.type for m in mentions]
