"""Column names: which column of a record is its text, title, date, source, id or url.

Archives come with their own names (AmCAT, MediaCloud, a newsroom's Excel sheet, Dutch or
English). The common ones are known without options, case-insensitively; ``--field
NAME=COLUMN`` names any other, and wins over the known names wherever that column exists (so
one run can read a TSV with its own names beside JSONL files with the usual ones).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The pipeline's field names and the column names recognised for each, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "tekst", "inhoud", "artikel", "article"),
    "title": ("title", "headline", "kop", "titel"),
    "published": ("published", "date", "datum", "pubdate", "publicatiedatum", "publish_date"),
    "source": ("source", "medium", "publication", "bron", "krant", "media_name"),
    "id": ("id",),
    "url": ("url",),
}
NAMES = tuple(ALIASES)
_SHOWN = 12  # columns named in a missing-text reject


class FieldError(ValueError):
    """A ``--field`` option that cannot be used."""


@dataclass(frozen=True)
class FieldMap:
    """Field name -> column, from ``--field`` options; the known names fill in the rest."""

    explicit: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, specs: Iterable[str]) -> FieldMap:
        """``["text=story_text", "published=pub"]`` -> a FieldMap; FieldError names what is wrong."""
        explicit: dict[str, str] = {}
        for spec in specs:
            name, sep, column = spec.partition("=")
            name, column = name.strip().lower(), column.strip()
            if not sep or not column:
                raise FieldError(f"--field {spec!r}: write NAME=COLUMN, e.g. --field text=story_text")
            if name not in ALIASES:
                raise FieldError(f"--field {spec!r}: NAME is one of {', '.join(NAMES)}")
            if name in explicit and explicit[name] != column.lower():
                raise FieldError(f"--field {name} given twice ({explicit[name]}, {column})")
            explicit[name] = column.lower()
        return cls(explicit)

    def columns(self, available: Iterable[str]) -> dict[str, str]:
        """Field name -> the column that holds it, among ``available`` (case as given)."""
        by_lower: dict[str, str] = {}
        for col in available:
            by_lower.setdefault(str(col).strip().lower(), col)
        chosen: dict[str, str] = {}
        for name, aliases in ALIASES.items():
            wanted = self.explicit.get(name)
            if wanted is not None and wanted in by_lower:
                chosen[name] = by_lower[wanted]
                continue
            for alias in aliases:
                if alias in by_lower:
                    chosen[name] = by_lower[alias]
                    break
        return chosen

    def apply(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The row under the pipeline's field names; other columns are left out."""
        return {name: row[col] for name, col in self.columns(row).items()}

    def has_text(self, columns: Iterable[str]) -> bool:
        return "text" in self.columns(columns)

    def missing_text(self, columns: Iterable[str]) -> str:
        """A reject's detail: the columns there are, and the option that names the text column."""
        cols = [str(c) for c in columns]
        shown = ", ".join(repr(c) for c in cols[:_SHOWN]) + (
            f", ... ({len(cols)} in all)" if len(cols) > _SHOWN else ""
        )
        known = "/".join(ALIASES["text"])
        where = f"columns: {shown}" if cols else "no columns"
        told = f" (--field text={self.explicit['text']} is not among them)" if "text" in self.explicit else ""
        return f"no text column ({known}){told}; the record has {where}. Name it with --field text=COLUMN"
