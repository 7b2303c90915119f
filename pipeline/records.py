"""The values that flow between stages: raw input records, clean articles, rejects."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

#: Every reason a record can be rejected for, with what it means. Reject rows use the key.
REASONS: dict[str, str] = {
    "malformed_json": "the line is not a JSON object",
    "malformed_row": "the CSV row or Parquet row could not be read",
    "missing_text": "the record has no text column (known names or --field text=COLUMN)",
    "text_not_string": "the 'text' field is not a string",
    "empty_text": "the text is empty or only white space",
    "not_dutch": "the text is clearly not Dutch",
    "binary_file": "the file is binary, not text",
    "unreadable_file": "the file could not be opened or parsed",
    "unsupported_format": "the file type is not one the pipeline reads",
    "encrypted_file": "the file or archive member is password-protected",
    "bad_id": "the 'id' field is not a string or a whole number (a list, an object, true/false, a fraction)",
    "not_regular_file": "a FIFO, socket or device, not a regular file: never opened",
    "input_changed": "the file changed while it was read: its records are as read, run again to read it whole",
    "duplicate": "a record with the same id and text was seen before",
    "conflicting_id": "a record with the same id but other text was seen before",
    "processing_error": "the NLP stage failed on this article",
    "worker_died": "the worker process died on this article, also when it was processed alone (most likely "
    "out of memory: the detail says how it died)",
    "too_long": "the text is longer than one article may be (batches.MAX_ARTICLE_CHARS, 10 million characters)",
}


class BadId(ValueError):
    """An ``id`` value that names no article: its message is the reject's detail."""


def id_text(value: Any) -> str | None:
    """The article id a record's ``id`` value stands for; None when it has none; BadId when it
    cannot be one.

    A whole number is its decimal digits, so ``123``, ``"123"`` and a spreadsheet's or Parquet
    float column's ``123.0`` are one id (the same article in an analyst's eyes; if their texts
    differ, that is the ``conflicting_id`` reject). Lists, objects, true/false and fractions are
    no id: written as text they would collide or mean nothing ("['a', 'b']", "True").
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float | Decimal) and math.isfinite(value) and value == int(value) and abs(value) < 2**53:
        return str(int(value))
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    raise BadId(f"'id' is a {type(value).__name__}, not a string or a whole number: {shown}")


@dataclass(slots=True)
class Record:
    """One input record as read, before any checks."""

    input: str
    record: str  # "line 12", "row 3", "sheet Blad1 row 4", "document 2", "file"
    fields: dict[str, Any]


@dataclass(slots=True)
class Reject:
    input: str
    record: str
    reason: str
    detail: str
    article_id: str | None = None

    def __post_init__(self) -> None:
        assert self.reason in REASONS, self.reason


@dataclass(slots=True)
class Article:
    """A checked, normalised article: ``text`` is what every offset refers to."""

    article_id: str
    text: str
    text_sha256: str
    source: str | None = None
    title: str | None = None
    published: date | None = None
    url: str | None = None
    input: str = ""
    record: str = ""
    repairs: list[str] = field(default_factory=list)
