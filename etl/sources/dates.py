"""Publication dates in metadata: a whole cell or field read as a date at the precision it gives.

This grammar reads a value that is nothing but a date ('2023-07-16', 'July 2023', 'Sun, 16 Jul
2023 10:00:00 +0000'); dates inside article sentences are `etl.extract.dates`' job. Both read
month names from `etl.months`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Mapping

from etl.limits import DATE_TEXT_MAX_CHARS, YEARS_HELD
from etl.model import PublicationDate
from etl.months import MONTH_ALTERNATION, MONTHS

PRECISIONS = ("year", "month", "day")


_MONTH = r"(?P<month>" + MONTH_ALTERNATION + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME_TAIL = r"(?:(?:[,\s]+(?:at\s+)?|T)\d{1,2}[:.]\d{2}.*)?"
_ORDINAL = r"(?:st|nd|rd|th)?"

_DATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<year>\d{4})[-/.](?P<month_no>\d{1,2})[-/.](?P<day>\d{1,2})" + _TIME_TAIL,
        r"(?P<year>\d{4})[-/.](?P<month_no>\d{1,2})",
        r"(?P<year>\d{4})",
        r"(?P<day>\d{1,2})\.(?P<month_no>\d{1,2})\.(?P<year>\d{4})" + _TIME_TAIL,
        _WEEKDAY
        + r"(?P<day>\d{1,2})"
        + _ORDINAL
        + r"\s+(?:of\s+)?"
        + _MONTH
        + r",?\s+(?P<year>\d{4})"
        + _TIME_TAIL,
        _WEEKDAY
        + _MONTH
        + r"\s+(?P<day>\d{1,2})"
        + _ORDINAL
        + r",?\s+(?P<year>\d{4})"
        + _TIME_TAIL,
        _MONTH + r",?\s+(?P<year>\d{4})",
    )
)
_SLASHED_DATE = re.compile(r"(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<year>\d{4})")


@functools.lru_cache(maxsize=16_384)
def parse_published(value: str) -> PublicationDate | None:
    """A publication date at the precision the text gives, or None when it cannot be read.

    Accepts '2023-07-16' (also with a time, e.g. '2023-07-16T10:00:00Z'), '2023-07', '2023',
    'July 16, 2023', '16 July 2023', 'July 2023', 'Sun, 16 Jul 2023 10:00:00 +0000',
    '16.07.2023', and '16/07/2023' when day and month cannot be confused. Results are kept
    (dates are immutable): a manifest of 100,000 rows names a few thousand distinct dates,
    and trying every pattern on each row was half of reading it.
    """
    text = " ".join(str(value)[: DATE_TEXT_MAX_CHARS * 4].split())
    if not text or len(text) > DATE_TEXT_MAX_CHARS:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            return _date_from_parts(match.groupdict())
    return _parse_slashed(text)


def _date_from_parts(parts: Mapping[str, str | None]) -> PublicationDate | None:
    year = int(parts["year"] or 0)
    month_text = parts.get("month")
    month = MONTHS[month_text.casefold()] if month_text else _int_or_none(parts.get("month_no"))
    return make_date(year, month, _int_or_none(parts.get("day")))


def _parse_slashed(text: str) -> PublicationDate | None:
    """'16/07/2023' or '07/16/2023' only when one number is over 12; ambiguous -> None."""
    match = _SLASHED_DATE.fullmatch(text)
    if match is None:
        return None
    first, second, year = int(match["a"]), int(match["b"]), int(match["year"])
    if first > 12 >= second:
        return make_date(year, second, first)
    if second > 12 >= first:
        return make_date(year, first, second)
    return None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


def make_date(
    year: int, month: int | None = None, day: int | None = None
) -> PublicationDate | None:
    """A PublicationDate if the parts form a real calendar date in a plausible year, else None."""
    if year not in YEARS_HELD or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and (month is None or not 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return PublicationDate(year, month, day)


def coerce_published(value: object) -> PublicationDate | None:
    """A date from front matter or a record: YAML gives date/datetime objects or bare years."""
    if isinstance(value, dt.date):  # datetime is a date too
        return make_date(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return make_date(value)
    return parse_published(str(value)) if value is not None else None


def with_precision(date: PublicationDate, precision: str | None) -> PublicationDate:
    """Cut a date down to the stated precision ('2023-07-16' at 'month' -> 2023-07).

    A precision finer than the date itself cannot add information, so the date is kept as is.
    """
    if precision == "year":
        return PublicationDate(date.year)
    if precision == "month" and date.month is not None:
        return PublicationDate(date.year, date.month)
    return date
