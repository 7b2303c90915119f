"""Invisible characters and Unicode spaces: what the article text keeps, what a name never does.

Text copied from web pages, PDFs and word processors carries characters no reader sees: zero-
width spaces and joiners, word joiners, byte-order marks, soft hyphens, bidi marks and
embeddings, and no-break or thin spaces where a space was meant. Inside a name they make two
spellings of what looks like one ("Mark Ru\\u200dtte", "Mark\\u00a0Rutte"): another key, another
entity, and a display name with a hidden character in it.

Two rules, one for each use:

* :func:`visible_text` is the normalise stage's: the article text loses what is invisible and
  means nothing in Dutch text, and Unicode spaces become spaces (the model's tokenizer would
  make a no-break space a token of its own and cut a name at it). Zero-width (non-)joiners
  stay where they shape a script or an emoji sequence, and go next to a Latin letter or digit.
  The text stored is the one every offset refers to, so this happens before any offset exists.
* :func:`clean_name` is for keys and display names: no format character at all (Unicode
  category ``Cf``), spaces collapsed, NFC, and no stacked combining marks: more than
  :data:`MAX_MARKS` on one letter ("zalgo" text stacks dozens) is garbling, not a language.
"""

from __future__ import annotations

import re
import unicodedata

#: Invisible in Dutch text: zero-width space, word joiner and invisible operators, byte-order
#: mark, soft hyphen, Arabic letter mark, bidi marks, embeddings, overrides and isolates.
INVISIBLE = "\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
#: Spaces other than U+0020: no-break, Ogham, en/em/thin/hair, narrow no-break, math, ideographic.
SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_LATIN = "A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff"
_INVISIBLE = re.compile(f"[{INVISIBLE}]+")
_JOINERS = re.compile("[\u200c\u200d]+")
_LATIN_CHAR = re.compile(f"[{_LATIN}]")
_SPACES = re.compile(f"[{SPACES}]")
_SEPARATORS = re.compile("[\u2028\u2029]")  # line and paragraph separator
_ANY = re.compile(f"[{INVISIBLE}{SPACES}\u200c\u200d\u2028\u2029]")
#: Combining marks one letter may carry in a name: enough for any written language after NFC
#: (Vietnamese "ệ" is one character; a letter with two marks that do not compose keeps both).
MAX_MARKS = 2


def visible_text(text: str) -> tuple[str, list[str]]:
    """The article text without invisible characters, Unicode spaces as spaces; and the repairs
    made (``invisible_chars``, ``unicode_spaces``) for ``articles.repairs``."""
    if text.isascii() or not _ANY.search(text):
        return text, []
    repairs = []
    cleaned = _INVISIBLE.sub("", text)
    if "\u200c" in cleaned or "\u200d" in cleaned:
        cleaned = _JOINERS.sub(_joiner, cleaned)
    if cleaned != text:
        repairs.append("invisible_chars")
    spaced = _SEPARATORS.sub("\n", _SPACES.sub(" ", cleaned))
    if spaced != cleaned:
        repairs.append("unicode_spaces")
    return spaced, repairs


def _joiner(m: re.Match[str]) -> str:
    """A run of zero-width (non-)joiners kept where it shapes a script or an emoji sequence:
    between two letters, marks or symbols, neither of them Latin; removed elsewhere (inside a
    Latin word, before a space or punctuation, at an edge), where it only splits or ends a word."""
    text, start, end = m.string, m.start(), m.end()
    if start == 0 or end == len(text):
        return ""
    for ch in (text[start - 1], text[end]):
        if unicodedata.category(ch)[0] not in "LMS" or _LATIN_CHAR.match(ch):
            return ""
    return m.group()


def _stacked(text: str) -> bool:
    """Some letter of ``text`` (NFC) carries more than :data:`MAX_MARKS` combining marks."""
    marks = 0
    for ch in text:
        marks = marks + 1 if unicodedata.combining(ch) else 0
        if marks > MAX_MARKS:
            return True
    return False


def clean_name(text: str) -> str:
    """A name as keys and display names see it: no format characters, one space between words,
    NFC ("Mark\u00a0Ru\u200dtte" -> "Mark Rutte"); a name with stacked combining marks loses all
    marks that do not compose with their letter (an "é" stays)."""
    if text.isascii():
        return " ".join(text.split())
    text = _no_format(text)
    if _stacked(text):
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def stacked_marks(text: str) -> bool:
    """More combining marks on one letter than any language writes: text made to look garbled."""
    return not text.isascii() and _stacked(_no_format(text))


def _no_format(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
