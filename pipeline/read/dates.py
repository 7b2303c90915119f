"""Dates as people write them, read day first as in the Netherlands and Flanders.

ISO dates and timestamps (``2024-03-12``, ``2024-03-12T08:30:00+01:00``), ``12-03-2024`` and
``12/03/2024`` (always day first), and month names in Dutch or English (``12 maart 2024``,
``dinsdag 12 maart 2024``, ``March 12, 2024 Tuesday``, ``Tue, 12 Mar 2024 08:30 +0100``).
A timestamp's date is the one written in its own time zone: an article stamped 00:30+01:00
keeps its day. Anything else, two-digit years included (``03/04/05`` has three readings),
is ``None``: never a guess, never a silent swap of day and month.

Small enough to do by hand: a general date parser would also read "gisteren" or month-first
American dates, which is what must not happen here.
"""

from __future__ import annotations

import re
from datetime import date, datetime

_MONTHS = {
    # Dutch, with the abbreviations Dutch papers and Nexis use
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "febr": 2, "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8,
    "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
    # English (Nexis exports of the English interface, feeds)
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "oct": 10,
}  # fmt: skip
_WEEKDAYS = {
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "ma", "di", "wo", "do", "vr", "za", "zo",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
}  # fmt: skip
# a time of day after the date, with its zone: "08:30", "08:30:00+01:00", "14.05 uur", "8:30 pm CET"
_TIME = re.compile(
    r"(?:(?<=\s)|(?<=\d)T)(?:\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?|\d{1,2}\.\d{2}(?=\s*uur))"
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2})(?![\d]))?(?:\s*(?:uur|u|am|pm)\b)?",
    re.IGNORECASE,
)
_ZONE = re.compile(r"\b(?:utc|gmt|cet|cest|met|mest)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?(?!\w)", re.IGNORECASE)
_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_YEAR_FIRST = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_YEAR = re.compile(r"(\d{4})")
_WORDS = re.compile(r"[a-z]+\.?|\d+", re.IGNORECASE)


def parse_date(value: object) -> date | None:
    """The date in ``value``, or None when there is none or it could be read more than one way."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:  # ISO 8601 dates and timestamps, with or without zone; the date as written
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    rest = _ZONE.sub(" ", _TIME.sub(" ", text)).strip(" ,")
    rest = re.sub(r"\s+", " ", rest)
    for pattern, order in ((_DAY_FIRST, (3, 2, 1)), (_YEAR_FIRST, (1, 2, 3))):
        if m := pattern.fullmatch(rest):
            return _date(*(int(m.group(i)) for i in order))
    if m := _YEAR_MONTH.fullmatch(rest):  # a month, stored as its first day (the .txt marker)
        return _date(int(m.group(1)), int(m.group(2)), 1)
    if m := _YEAR.fullmatch(rest):
        return _date(int(m.group(1)), 1, 1)
    return _named_month(rest)


def _named_month(text: str) -> date | None:
    """``12 maart 2024``, ``maart 12, 2024``, ``maart 2024`` (its 1st); weekdays and punctuation ignored."""
    words = [w.rstrip(".").lower() for w in _WORDS.findall(text)]
    words = [w for w in words if w not in _WEEKDAYS]
    months = [i for i, w in enumerate(words) if w in _MONTHS]
    numbers = [w for w in words if w.isdigit()]
    if len(months) != 1 or len(words) != len(numbers) + 1:
        return None
    month = _MONTHS[words[months[0]]]
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) > 1 or len(numbers) != len(years) + len(days):
        return None
    return _date(int(years[0]), month, int(days[0]) if days else 1)  # "maart 2024": its first day


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # 31-02-2024, or a month-first 12/31/2024: left empty, never swapped
        return None
