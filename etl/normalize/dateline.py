"""The dateline a story's first paragraph opens with: place, and the day and month it was
filed ('KUALA LUMPUR July 16 (NNN-Bernama) — ...')."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.months import MONTH_ALTERNATION, MONTHS

_DATELINE = re.compile(
    r"(?P<head>[^\W\d_][^()\n—–]{0,60}?)\s*(?:\((?P<agency>[^()\n]{1,40})\))?\s*"
    r"(?:[—–]+|\s-{1,2}|-{2})\s*(?=\S)"
)
_DATELINE_DATE = re.compile(
    r"[,\s]+(?:(?P<month>" + MONTH_ALTERNATION + r")\.?\s+(?P<day>\d{1,2})"
    r"|(?P<day2>\d{1,2})\s+(?P<month2>" + MONTH_ALTERNATION + r")\.?)(?:,?\s+\d{4})?$",
    re.IGNORECASE,
)
# 'ASTANA. KAZINFORM' -> 'ASTANA': an all-caps agency name after the place and a full stop
_AGENCY_AFTER_PLACE = re.compile(r"\.\s+[A-Z][A-Z\-]+$")


@dataclass(frozen=True)
class Dateline:
    """Where (and on which day of which month) a story was filed, as its first words say."""

    place: str
    month: int | None = None
    day: int | None = None


def parse_dateline(paragraph: str) -> Dateline | None:
    """Place, month and day of a dateline at the start of a paragraph, or None.

    'KUALA LUMPUR July 16 (NNN-Bernama) — ...' -> place, month 7, day 16; 'Astanā - ...' -> place.

    The place must be one to four capitalised words and be followed by a dash; a place with no
    date needs a spaced dash and a capital letter after it, so ordinary sentences do not match.
    """
    match = _DATELINE.match(paragraph)
    if match is None:
        return None
    head = match.group("head").strip()
    month = day = None
    date = _DATELINE_DATE.search(head)
    if date is not None:
        month = MONTHS[(date.group("month") or date.group("month2")).casefold()]
        day = int(date.group("day") or date.group("day2"))
        head = head[: date.start()]
    place = _AGENCY_AFTER_PLACE.sub("", head).strip(" ,")
    if not _is_place(place):
        return None
    after = paragraph[match.end() : match.end() + 1]
    if date is None and match.group("agency") is None and not after.isupper():
        return None
    return Dateline(place, month, day if day and 1 <= day <= 31 else None)


def _is_place(text: str) -> bool:
    """'KUALA LUMPUR', 'Astanā', 'Almaty, Kazakhstan': 1-4 capitalised words, commas allowed."""
    tokens = text.replace(",", " ").split()
    return 1 <= len(tokens) <= 4 and all(
        token[:1].isupper() and re.fullmatch(r"[^\W\d_][\w'’.\-]*", token) for token in tokens
    )
