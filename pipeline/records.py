"""The values that flow between stages: raw input records, clean articles, rejects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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
    "duplicate": "a record with the same id and text was seen before",
    "conflicting_id": "a record with the same id but other text was seen before",
    "processing_error": "the NLP stage failed on this article",
    "worker_died": "the worker process died on this article, also when it was processed alone (most likely "
    "out of memory: the detail says how it died)",
}


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
