"""Stage 2, normalise: a raw :class:`Record` becomes an :class:`Article` or a :class:`Reject`.

Repairs what can be repaired (mojibake, cp1252 read as Latin-1, NUL and control characters,
invisible characters and Unicode spaces (:mod:`pipeline.characters`), Windows line ends) so
that the text stored in ``articles.text`` is clean, and every offset the later stages produce
refers to exactly that text. Rejects what cannot be an article.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date, datetime
from typing import Any

import ftfy

from .characters import visible_text
from .language import not_dutch
from .records import Article, BadId, Record, Reject, id_text

_FTFY = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # keep the article's own „quotes”
    fix_latin_ligatures=False,
    fix_character_width=False,
    explain=False,
)
# C0 controls except tab and newline, DEL, and the Unicode non-characters. The C1 range is left
# to ftfy first: in text read as Latin-1 it is really Windows-1252 (quotes, dashes, euro).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# What ftfy can act on in an ASCII line: HTML entities, line breaks, control and escape
# characters. An ASCII line without them comes out of ftfy as it went in.
_FTFY_ASCII = re.compile(r"[&\x00-\x08\x0b-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y/%m/%d", "%d-%m-%Y", "%d/%m/%Y", "%Y")


def fix_text(text: str) -> str:
    """``ftfy.fix_text(text)`` with our settings, without ftfy's cost on lines it cannot change.

    ftfy repairs a text line by line. Most lines of Dutch news are plain ASCII, which ftfy leaves
    as they are, yet its checks cost it as much as any line: half of the reading process's time
    (docs/benchmarks.md), which on two cores the workers pay for. Those lines are passed through;
    the others go to ftfy one by one, as ftfy itself would send them.
    """
    if "<" in text or len(text) > _FTFY.max_decode_length:  # ftfy's own state across lines
        return ftfy.fix_text(text, _FTFY)
    lines = text.split("\n")
    last = len(lines) - 1
    for i, line in enumerate(lines):
        if not line.isascii() or _FTFY_ASCII.search(line):
            fixed = ftfy.fix_text(line if i == last else line + "\n", _FTFY)
            lines[i] = fixed if i == last else fixed.removesuffix("\n")
    return "\n".join(lines)


def clean_text(raw: str) -> tuple[str, list[str]]:
    """The repaired text and the names of the repairs made."""
    repairs = []
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    stripped = _CONTROL.sub("", text)
    if stripped != text:
        repairs.append("control_chars")
        text = stripped
    fixed = _C1.sub("", fix_text(text))
    if fixed != text:
        repairs.append("mojibake")
        text = fixed
    text, invisible = visible_text(text)
    repairs += invisible
    text = unicodedata.normalize("NFC", text)
    # Trailing spaces on lines and runs of blank lines carry no meaning in an article.
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip(), repairs


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def derive_id(text_sha256: str) -> str:
    """The id of an article that came without one: stable, from its content."""
    return "sha-" + text_sha256[:20]


def normalise(record: Record) -> Article | Reject:
    """Check and clean one record."""
    f = record.fields
    try:
        given_id = id_text(f.get("id"))
    except BadId as exc:
        return Reject(record.input, record.record, "bad_id", str(exc))
    if "text" not in f or f["text"] is None:
        return Reject(record.input, record.record, "missing_text", "no 'text' field", given_id)
    if not isinstance(f["text"], str):
        kind = type(f["text"]).__name__
        return Reject(record.input, record.record, "text_not_string", f"'text' is a {kind}", given_id)
    text, repairs = clean_text(f["text"])
    if not text:
        return Reject(record.input, record.record, "empty_text", "text is empty after cleaning", given_id)
    lang = not_dutch(text)
    if lang:
        return Reject(record.input, record.record, "not_dutch", f"text looks like '{lang}', not Dutch", given_id)
    sha = sha256_text(text)
    return Article(
        article_id=given_id or derive_id(sha),
        text=text,
        text_sha256=sha,
        source=_str_or_none(f.get("source")),
        title=_str_or_none(f.get("title")),
        published=parse_date(f.get("published") or f.get("date")),
        url=_str_or_none(f.get("url")),
        input=record.input,
        record=record.record,
        repairs=repairs,
    )


class SeenArticles:
    """Rejects repeats and id conflicts within a run.

    Holds a 12-byte digest per article id, so ten million articles cost well under 2 GB.
    """

    def __init__(self) -> None:
        self._seen: dict[bytes, bytes] = {}

    @staticmethod
    def _key(article_id: str) -> bytes:
        return hashlib.blake2b(article_id.encode("utf-8"), digest_size=12).digest()

    def check(self, article: Article) -> Reject | None:
        key = self._key(article.article_id)
        sha = bytes.fromhex(article.text_sha256)[:12]
        before = self._seen.get(key)
        if before is None:
            self._seen[key] = sha
            return None
        reason, detail = (
            ("duplicate", "same id and text as an earlier record")
            if before == sha
            else ("conflicting_id", "same id as an earlier record, other text")
        )
        return Reject(article.input, article.record, reason, detail, article.article_id)
