"""The date grammar: how month names, days, years and weekdays are written.

The building blocks of every date shape, as regular-expression text to compose (`dates.py`
reads dates in article sentences with them, `publication.py` an article's own publication
date), and the numbers they stand for. Month names are the calendar's (`etl.months`).
"""

from __future__ import annotations

import re

from etl.months import MONTHS

WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
            "saturday": 5, "sunday": 6}

MONTH_FULL = ("January|February|March|April|May|June|July|August|September|October|November|"
              "December")
MONTH_WORD = rf"(?:{MONTH_FULL}|Sept|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
MONTH = rf"{MONTH_WORD}(?![a-z])\.?"
YEAR = r"(?:1[89]\d\d|20\d\d)"
DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
# between a month and its day: a space, or nothing after an abbreviation's dot ('Feb.6')
MD = r"(?:(?:(?<=[A-Z][a-z]{2}\.)(?<!May\.)|(?<=Sept\.))\s*|\s+)"
# between the two days of a range: '8-9', '8 to 9', '8 and 9', '20 through 22'
DAY_JOIN = r"(?:-|to|and|through|till|until)"
WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"


def month_of(word: str) -> int:
    """Month number of 'September', 'Sept.', 'sep'."""
    return MONTHS[word.lower().rstrip(".")]


def day_of(word: str) -> int:
    """Day number of '14', '14th', '1st'."""
    return int(re.match(r"\d+", word).group())  # type: ignore[union-attr]
