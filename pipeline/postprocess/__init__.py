"""Stage 3b, post-processing: from the model's entity spans to the mentions the tables keep.

Whatever model runs (``nl_core_news_lg`` or the project's own), its entities go through the
same steps, in ``run`` and in ``evaluate`` alike, so scores describe the tables:

1. label mapping and mention filters (:mod:`pipeline.labels`);
2. span rules, one entity at a time (:mod:`.spans`): no line breaks, no quotes or titles at
   the edges, no capitalised non-names; the word before a name can type it (a title: a
   person; "regio", "stad": a place; "krant", "partij": an organisation), and
   "burgemeester Opstelten van Rotterdam" is split into the person and the place;
3. listed names (:mod:`.gazetteer`): a country is a place and a listed organisation an
   organisation whatever the model said, and a listed name that no entity covers is added;
4. repeats: another occurrence of a name found in the same text, spelled the same, is a
   mention too, of the same type;
5. article rules (:mod:`.consensus`), once per article: one name, one type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from ..labels import mention_type
from ..resolve import PARTICLES
from .consensus import Mention, harmonise
from .gazetteer import known_place, known_type, organisations, places
from .spans import head_type, initial, refine, title_before

__all__ = ["Candidate", "Found", "Mention", "doc_mentions", "harmonise", "warm"]


@dataclass(slots=True)
class Candidate:
    """One mention of a Doc, before the article rules: character offsets into the Doc's text."""

    start_char: int
    end_char: int
    start: int
    text: str
    label: str
    type: str
    initial: bool


_MATCHERS: dict[int, PhraseMatcher] = {}
#: ``mentions.label`` of a mention that a listed name added where the model found none
LISTED = "LISTED"
#: ``mentions.label`` of another occurrence of a name the model found elsewhere in the text
REPEATED = "REPEATED"


def _matcher(tokenizer: Callable[[str], Doc], vocab: Vocab) -> PhraseMatcher:
    """A PhraseMatcher of the listed names, tokenized as the model tokenizes; once per model."""
    key = id(vocab)
    matcher = _MATCHERS.get(key)
    if matcher is None:
        _MATCHERS.clear()
        matcher = PhraseMatcher(vocab, attr="ORTH")
        for label, names in (("ORGANISATION", organisations()), ("PLACE", places())):
            matcher.add(label, [tokenizer(n) for n in sorted(names)])
        _MATCHERS[key] = matcher
    return matcher


def warm(nlp) -> None:
    """Build the matcher and read the name lists now, once per process: the local engine's fork
    server calls this with the model (:func:`pipeline.nlp.get_nlp`), so workers share them
    instead of each paying for them on its first article (about 1.3 s)."""
    _matcher(nlp.tokenizer, nlp.vocab)
    known_place("")


#: Names found so far in an article, by their words, with the types of their mentions
Found = dict[tuple[str, ...], Counter]


def doc_mentions(doc: Doc, tokenizer: Callable[[str], Doc], earlier: Found | None = None) -> list[Candidate]:
    """The mentions of one Doc after label mapping, span rules and listed names, in text order.

    ``earlier``: the names found in the article's pieces before this one, when a long article
    is cut into several Docs (:mod:`pipeline.nlp`): their repeats here count as in one Doc. It
    is updated with this Doc's names, for the next piece.
    """
    out: list[Candidate] = []
    covered = bytearray(len(doc))
    for ent in doc.ents:
        type_ = mention_type(ent.label_, ent.text)
        if type_ is None:
            continue
        span = refine(doc, ent.start, ent.end, type_)
        if span is None:
            continue
        for (lo, hi), part_type in _split_office(doc, span[0], span[1], type_):
            s = doc[lo:hi]
            # a listed name keeps its type; else the word before it may say ("minister Netelenbos")
            part_type = known_type(s.text) or head_type(doc, lo) or part_type
            out.append(Candidate(s.start_char, s.end_char, lo, s.text, ent.label_, part_type, initial(doc, lo)))
        for k in range(ent.start, ent.end):
            covered[k] = 1
    for match_id, start, end in _matcher(tokenizer, doc.vocab)(doc):
        if any(covered[start:end]):
            continue
        s = doc[start:end]
        first = initial(doc, start)
        # a single capitalised word at the start of a sentence may be an ordinary word ("Groen")
        if end - start == 1 and first and not s.text.isupper():
            continue
        out.append(Candidate(s.start_char, s.end_char, start, s.text, LISTED, doc.vocab.strings[match_id], first))
        for k in range(start, end):
            covered[k] = 1
    out.extend(_repeats(doc, out, covered, {} if earlier is None else earlier))
    out.sort(key=lambda c: c.start)
    return out


#: Titles of offices held in a place: "burgemeester X van Y" names a place Y
PLACE_OFFICES = frozenset(
    "burgemeester gouverneur schepen wethouder gedeputeerde bisschop aartsbisschop koning koningin prins "
    "prinses graaf gravin hertog keizer".split()
)


def _split_office(doc: Doc, start: int, end: int, type_: str) -> list[tuple[tuple[int, int], str]]:
    """ "burgemeester [Opstelten van Rotterdam]" is a person and the place of his office: after a
    title, "X van Y" is split, Y a place when it is a known place, else an organisation
    ("directeur Beijer van Sparta"; only an office held in a place, such as a mayor's, makes a
    known place of it). Without the title "Jan van Antwerpen" stays one person."""
    if type_ != "PERSON" or not title_before(doc, start):
        return [((start, end), type_)]
    for k in range(start + 1, end - 1):
        nxt = doc[k + 1].text
        if doc[k].text == "van" and nxt[:1].isupper() and nxt.casefold() not in ("de", "der"):
            rest = doc[k + 1 : end].text
            place = doc[start - 1].text.casefold() in PLACE_OFFICES and known_place(rest)
            return [((start, k), "PERSON"), ((k + 1, end), known_type(rest) or ("PLACE" if place else "ORGANISATION"))]
    return [((start, end), type_)]


def _repeats(doc: Doc, found: list[Candidate], covered: bytearray, earlier: Found) -> list[Candidate]:
    """Other occurrences of a name already found in this Doc, spelled the same, that no mention
    covers: the model often tags a name once and misses it the next time ("in de zone Koersk").
    After a person's full name, the surname on its own counts too ("Andri Jermak" ... "Jermak
    bevestigde"), as papers write it.

    The repeat takes the type most of the name's mentions have. An occurrence next to another
    capitalised word inside a sentence is part of a longer name the model did not find
    ("Boudewijn II van Jeruzalem"), so it is left alone.
    """
    by_first: dict[str, dict[tuple[str, ...], Counter]] = {}
    after: dict[tuple[str, ...], int] = {}  # a form found, or a surname: from which token on
    for form, types in earlier.items():  # found in an earlier piece: from the start of this one
        by_first.setdefault(form[0], {})[form] = types
        after[form] = 0
    for c in sorted(found, key=lambda c: c.start):
        words = tuple(t.text for t in doc.char_span(c.start_char, c.end_char))
        forms = [words]
        if c.type == "PERSON" and len(words) > 1:
            forms.append(words[1:])  # "Bart De Wever" -> "De Wever"
            if len(words) > 2 and words[-2].casefold() not in PARTICLES:
                forms.append(words[-1:])
        for form in forms:
            if form[0][:1].isupper():
                by_first.setdefault(form[0], {}).setdefault(form, Counter())[c.type] += 1
                after.setdefault(form, c.start if form == words else c.start + len(words))
    for forms in by_first.values():
        earlier.update(forms)
    longest_first = {w: sorted(forms.items(), key=lambda x: -len(x[0])) for w, forms in by_first.items()}
    out = []
    for i, token in enumerate(doc):
        if covered[i] or token.text not in longest_first:
            continue
        for words, types in longest_first[token.text]:
            end = i + len(words)
            if i < after[words] or end > len(doc) or any(covered[i:end]):
                continue
            if tuple(t.text for t in doc[i:end]) != words:
                continue
            first = initial(doc, i)
            if (i > 0 and not first and doc[i - 1].text[:1].isupper()) or (
                end < len(doc) and doc[end].text[:1].isupper() and not doc[end].is_sent_start
            ):
                break
            s = doc[i:end]
            out.append(Candidate(s.start_char, s.end_char, i, s.text, REPEATED, types.most_common(1)[0][0], first))
            for k in range(i, end):
                covered[k] = 1
            break
    return out
