"""Stage 4, entity resolution: which mentions are the same real-world entity.

Three rules, all documented in docs/entities.md:

* Across articles, one normalised key is one entity. The key folds case, white space and
  diacritics, drops a possessive -s/'s and a lower-case leading article, and keeps Dutch
  particles ("van der", "De", "'t"). A person's key also drops leading titles ("minister",
  "burgemeester", ...); other names keep them ("Prins Claus Fonds"), and a word in capitals is
  never a title ("ING Bank").
* Within an article, a later mention whose key words are a contiguous part of an earlier,
  longer name of the same type is that entity ("Andri Jermak" ... "Jermak").
* Before that, :func:`harmonise_types` fixes a common model error with the same evidence: a
  later mention that is the surname of an earlier full person name ("Wim Kok" ... "Kok") is a
  person, whatever type the model gave it.

``entity_id`` is a hash of type and key, so it is the same in every run and every increment.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Sequence

TITLES = frozenset(
    (
        "president presidente premier minister-president minister staatssecretaris burgemeester "
        "schepen wethouder gouverneur commissaris gedeputeerde koning koningin prins prinses keizer "
        "keizerin kroonprins kroonprinses graaf gravin hertog paus kardinaal bisschop aartsbisschop "
        "pater dominee rabbijn imam generaal kolonel majoor kapitein luitenant sergeant commandant "
        "admiraal senator kamerlid parlementslid europarlementariër fractievoorzitter "
        "partijvoorzitter voorzitter secretaris-generaal ceo topman topvrouw directeur trainer "
        "coach bondscoach rechter advocaat procureur officier dokter doctor dr dr. prof prof. "
        "professor mr mr. ir ir. drs drs. ing ing. meneer mevrouw mevr mevr. dhr dhr. heer sir lord "
        "lady oud-premier oud-minister oud-president ex-premier ex-minister ex-president "
        "vicepremier vice-premier "
    ).split()
)
_TITLE_KEYS = frozenset(t.rstrip(".") for t in TITLES)
#: Lower-case articles a name can be written after.
ARTICLES = ("de", "het", "een")
PARTICLES = frozenset(("van de der den het 't ten ter te von d' le la du des di da del y ").split())
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = "\"'“”„‘’‚«»()[]{}.,;:!?-–—*"
POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def strip_edges(text: str) -> str:
    """Quotes and punctuation off both ends, but not the apostrophe of "'t Hart" or "'s-Hertogenbosch"."""
    head = ""
    if re.match(r"['’](?:t |s-)", text):
        head, text = text[:1], text[1:]
    return head + text.strip().strip(_EDGE_PUNCT).strip() if head else text.strip().strip(_EDGE_PUNCT).strip()


def fold(text: str) -> str:
    """Casefolded, accents removed: the key's spelling ("Oekraïne" == "Oekraine")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def is_title(word: str) -> bool:
    """A title before a person's name ("minister", "Dr."), not an acronym in capitals ("ING")."""
    return not word.isupper() and fold(word).rstrip(".") in _TITLE_KEYS


def bare_words(text: str, person: bool) -> list[str]:
    """The name's words as written, without a leading lower-case article ("de Verenigde Naties";
    "De Morgen" keeps it) and, for a person, without leading titles."""
    words = text.split(" ")
    while len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    while person and len(words) > 1 and is_title(words[0]):
        words = words[1:]
    return words


@functools.lru_cache(maxsize=65536)
def key_words(text: str, person: bool) -> tuple[str, ...]:
    """The words of a mention's normalised key; ``person``: the mention names a person."""
    text = strip_edges(_SPACE.sub(" ", text))
    text = POSSESSIVE.sub("", text)
    return tuple(w for w in map(fold, bare_words(text, person)) if w)


def entity_key(text: str, type_: str) -> str:
    return " ".join(key_words(text, type_ == "PERSON"))


def entity_id(type_: str, key: str) -> str:
    digest = hashlib.blake2b(f"{type_}\x1f{key}".encode(), digest_size=8).hexdigest()
    return f"{type_[:3].lower()}-{digest}"


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _informative(words: tuple[str, ...]) -> bool:
    return any(w not in PARTICLES and len(w) > 1 for w in words)


def _surname_of(words: tuple[str, ...], person: tuple[str, ...]) -> bool:
    n = len(words)
    if n >= len(person):
        return False
    if person[-n:] == words:
        return True
    # fused possessive: "Koks", "Van Boxtels"
    return words[-1].endswith("s") and person[-n:] == (*words[:-1], words[-1][:-1])


def harmonise_types(mentions: Sequence[tuple[str, str]]) -> list[str]:
    """Types for one article's mentions: a surname after its person's full name is a person."""
    people: list[tuple[str, ...]] = []
    out = []
    for text, type_ in mentions:
        # titles dropped whatever the type: the question is whether this is a person's surname
        words = key_words(text, True)
        if type_ != "PERSON" and words and _informative(words) and any(_surname_of(words, p) for p in people):
            type_ = "PERSON"
        if type_ == "PERSON" and len(words) > 1:
            people.append(words)
        out.append(type_)
    return out


def resolve_article(mentions: Sequence[tuple[str, str]]) -> list[str]:
    """Entity ids for one article's mentions, given as (text, type) in text order."""
    ids: list[str] = []
    full_names: list[tuple[str, tuple[str, ...], str]] = []  # (type, words, entity id), in order
    for text, type_ in mentions:
        words = key_words(text, type_ == "PERSON")
        target = None
        if words and _informative(words):
            for earlier_type, earlier_words, earlier_id in reversed(full_names):
                if earlier_type != type_ or len(earlier_words) <= len(words):
                    continue
                stem = words[:-1] + (words[-1][:-1],) if type_ == "PERSON" and words[-1].endswith("s") else None
                if _contains(earlier_words, words) or (stem and _contains(earlier_words, stem)):
                    target = earlier_id
                    break
        if target is None:
            target = entity_id(type_, " ".join(words) or fold(text.strip()))
            if len(words) > 1:
                full_names.append((type_, words, target))
        ids.append(target)
    return ids
