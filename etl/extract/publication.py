"""The publication date an article states itself, when its source gives none or only a month.

`infer_publication_date` reads, in order: a 'Published:' / 'Posted on' line, a dateline
('ASTANA, Oct. 13 (Xinhua) --', 'BAKU, 3 June 2024 /TASS/'), a masthead or byline strip in the
first lines ('March 3, 2009 Issue 12', 'John Roe | Wed 11th May 2016'), the header lines the
cleaning removed, the article's address ('/2023/06/08/', 'news23092011'), and statements that
fix the year ('thirty years have passed since 1992'). `refine_publication_date` makes a month-
or year-precise date from the manifest finer with the same evidence when the two agree.

The date grammar (month names, day and year shapes) is `date_grammar`, as for dates in sentences.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from etl.model import PublicationDate

from .date_grammar import DAY, MD, MONTH, YEAR, day_of, month_of
from .sentences import split_sentences
from .text import NUMBER_PATTERN, fold, parse_number

_PUBLISHED_LINE = re.compile(
    rf"(?im)^\s*(?:(?:first\s+|last\s+)?(?:published|posted|updated)|date(?:\s+published)?)"
    rf"(?:\s+(?:on|at))?\s*:?\s*(?:\w+day,\s*)?"
    rf"(?:(?P<d>{DAY})\s+(?P<m>{MONTH}),?\s+(?P<y>{YEAR})|(?P<m2>{MONTH})\s+(?P<d2>{DAY}),?\s+(?P<y2>{YEAR})"
    rf"|(?P<iso>{YEAR}-\d\d-\d\d))"
)
# the place of a dateline: 'ASTANA', 'KUALA LUMPUR', 'Astana', 'BAKU, Azerbaijan'
_DATELINE_PLACE_AT_START = (
    r"(?!(?i:on|in|by|since|from|at|until|after|before|during|the|this|last|next|as|of)\b)"
    r"(?:[A-Z][A-Z.'\- ]{1,40}|[A-Z][\w.'\-]*(?:,?\s[A-Z][\w.'\-]*){0,3}),?")
# after a dateline's date: '(Xinhua) --', ':', '. /TASS/.', '. KAZINFORM -'
_DATELINE_END = (r"(?:\s*(?:\([^)]{1,40}\))?\s*(?:-|\u2014|\u2013|:)|\.?\s*/[^/\n]{1,30}/|"
                 r"\.\s+[A-Z][A-Z\-]{2,}\s*(?:-|\u2014|\u2013))")
_DATELINE_FULL = re.compile(
    rf"(?m)^{_DATELINE_PLACE_AT_START}\s+(?:(?P<m>{MONTH}){MD}(?P<d>{DAY}),?\s+(?P<y>{YEAR})|"
    rf"(?P<d2>{DAY})\s+(?P<m2>{MONTH}),?\s+(?P<y2>{YEAR})){_DATELINE_END}"
)
# 'ASTANA, Oct. 13 (Xinhua) --': month and day only
_DATELINE_DAY = re.compile(
    rf"(?m)^{_DATELINE_PLACE_AT_START}\s+(?:(?P<m>{MONTH}){MD}(?P<d>{DAY})|"
    rf"(?P<d2>{DAY})\s+(?P<m2>{MONTH})){_DATELINE_END}"
)
# a full date anywhere in a short line: '16 May 2024', 'May 16, 2024', '2022-10-13 22:41'
_FULL_DATE_IN_LINE = re.compile(
    rf"(?<![\w\-])(?:(?P<d>{DAY})\s+(?:of\s+)?(?P<m>{MONTH}),?\s+(?P<y>{YEAR})|"
    rf"(?P<m2>{MONTH})\s+(?P<d2>{DAY}),?\s+(?P<y2>{YEAR})|(?P<iso>{YEAR}-\d\d-\d\d))(?![\w\-])"
)
_HEADER_LINE_MAX_WORDS = 15
# the first lines of the text may be a masthead or a byline strip the cleaning kept:
# 'March 3, 2009 Issue 12, No. 7', 'John Roe | Wed 11th May 2016 | 09:15 AM'
_LEAD_LINES = 3
_WEEKDAY_WORD = r"(?:(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)"
_DATE_FIRST = re.compile(
    rf"^\s*{_WEEKDAY_WORD}?(?:(?P<d>{DAY})\s+(?:of\s+)?(?P<m>{MONTH}),?\s+(?P<y>{YEAR})|"
    rf"(?P<m2>{MONTH}){MD}(?P<d2>{DAY}),?\s+(?P<y2>{YEAR})|(?P<iso>{YEAR}-\d\d-\d\d))"
    rf"(?![\w\-])")
_STRIP_SEPARATOR = re.compile(r"\s[|\u2022\u00b7]\s")
# words a masthead line may hold after its date: times, 'Volume 6', 'Updated'
_MASTHEAD_WORD = re.compile(r"(?i:am|pm|gmt|utc|updated|vol|issue|no)\.?$")
# dates in an article's address: '/2023/06/08/', '/2023/06/', '/20221013/', '/08062023-slug'
_URL_YMD = re.compile(
    r"/(?P<y>(?:19|20)\d\d)/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?=/)")
_URL_YM = re.compile(r"/(?P<y>(?:19|20)\d\d)/(?P<m>0?[1-9]|1[0-2])(?=/)")
_URL_ISO = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
_URL_EIGHT_DIGITS = re.compile(r"(?<=[/_\-a-zA-Z])(?P<digits>\d{8})(?=[/_\-.]|$)")
_AGO_WITH_YEAR = re.compile(
    rf"(?i)\b(?P<n>{NUMBER_PATTERN})\s+years\s+(?:ago|have\s+passed\s+since)\b[^.!?\n]*?\b(?P<y>{YEAR})\b"
)
_ANNIVERSARY = re.compile(
    rf"(?i)\b(?P<n>\d{{1,3}})(?:st|nd|rd|th)\s+anniversary\s+of\b[^.!?\n]*?\b(?P<y>{YEAR})\b"
)


def infer_publication_date(text: str, url: str | None = None,
                           header_lines: Sequence[str] = ()) -> PublicationDate | None:
    """The publication date the article itself gives away, or None when nothing is reliable.

    From the text, in order: a 'Published: 8 June 2023' / 'Last updated: ...' line; a dateline
    with a full date ('ASTANA, June 8, 2023 -', 'Astana, 15 September 2022 –'). Then, when the
    caller has them: a short line with a full date among `header_lines` (lines the cleaning
    removed from the page, top first: 'May 16, 2024', 'By Jane Doe in Nation on 10 June 2023',
    'Source: Xinhua| 2022-10-13 22:41:07'); a date in the article's `url` ('/2023/06/08/',
    '/20221013/', '/08062023-slug', month precision from '/2023/06/'), made day-precise by a
    dateline without a year ('ASTANA, Oct. 13 (Xinhua) --') in the same month. Last, year only:
    'Twenty-nine years ago ... in 1991' (-> 2020); 'the 30th anniversary of ... 1992' (-> 2022).
    """
    folded = fold(text)
    match = _PUBLISHED_LINE.search(folded)
    if match:
        found = _iso_date(match.group("iso")) if match.group("iso") else _full_date(match)
        if found:
            return found
    match = _DATELINE_FULL.search(folded)
    if match:
        found = _full_date(match)
        if found:
            return found
    for line in header_lines:
        if len(line.split()) > _HEADER_LINE_MAX_WORDS:
            continue
        match = _FULL_DATE_IN_LINE.search(fold(line))
        if match:
            found = _iso_date(match.group("iso")) if match.group("iso") else _full_date(match)
            if found:
                return found
    found = _date_in_lead_lines(folded)
    if found:
        return found
    from_url = publication_date_from_url(url) if url else None
    if from_url is not None:
        return _with_dateline_day(from_url, folded)
    for sentence in split_sentences(folded)[:60]:
        for pattern in (_AGO_WITH_YEAR, _ANNIVERSARY):
            hit = pattern.search(sentence.text)
            if hit:
                n = parse_number(hit.group("n"))
                if n is not None and 0 < n < 200:
                    return PublicationDate(int(hit.group("y")) + n)
    return None


def _date_in_lead_lines(folded: str) -> PublicationDate | None:
    """A full date heading one of the first lines, or standing alone in a byline strip.

    'March 3, 2009 Issue 12, No. 7' (a masthead: nothing but names and numbers after the
    date) and 'John Roe | Wed 11th May 2016 | 09:15 AM' (a segment that is only the date).
    Not a sentence that starts with a date ('8 June 2023: the forum opened').
    """
    lines = [line for line in folded.split("\n", 12)[:12] if line.strip()][:_LEAD_LINES]
    for line in lines:
        if len(line.split()) > _HEADER_LINE_MAX_WORDS:
            continue
        segments = _STRIP_SEPARATOR.split(line)
        for segment in segments:
            match = _DATE_FIRST.match(segment)
            if match is None:
                continue
            rest = segment[match.end():].split()
            if len(segments) > 1 and len(rest) > 2:
                continue
            if any(w[:1].islower() and not _MASTHEAD_WORD.match(w) for w in rest) or \
                    rest[:1] and rest[0][:1] in (":", "-", "\u2014"):
                continue
            found = _iso_date(match.group("iso")) if match.group("iso") else _full_date(match)
            if found:
                return found
    return None


def publication_date_from_url(url: str) -> PublicationDate | None:
    """A date in an article's address: '/2023/06/08/', '/20221013/', '/08062023-slug', '/2023/06/'.

    Eight digits are read as YYYYMMDD or DDMMYYYY, whichever is a real date (between 1990 and
    2099); a number that is neither is an id, not a date.
    """
    path = url.split("?", 1)[0]
    for pattern in (_URL_YMD, _URL_ISO):
        match = pattern.search(path)
        if match:
            found = _make_date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
            if found:
                return found
    for match in _URL_EIGHT_DIGITS.finditer(path):
        digits = match.group("digits")
        readings = ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[2:4], digits[:2]))
        for y, m, d in readings:
            if 1990 <= int(y) <= 2099:
                found = _make_date(int(y), int(m), int(d))
                if found:
                    return found
    match = _URL_YM.search(path)
    if match:
        return PublicationDate(int(match.group("y")), int(match.group("m")))
    return None


def refine_publication_date(known: PublicationDate, text: str, url: str | None = None,
                            header_lines: Sequence[str] = ()) -> PublicationDate:
    """A month- or year-precise publication date (from a manifest) made finer by the article.

    The article's own date (`infer_publication_date`) wins only when it agrees with what is
    known: the same year, and the same month when the month is known. A dateline without a year
    ('ASTANA, Oct. 13 (Xinhua) --') gives the day, and the month too when only the year is
    known. Anything that disagrees leaves the known date as it is.
    """
    if known.day is not None:
        return known
    found = infer_publication_date(text, url=url, header_lines=header_lines)
    agrees = found is not None and found.year == known.year and found.month is not None and \
        (known.month is None or found.month == known.month)
    if agrees and found is not None and (found.day is not None or known.month is None):
        return found
    return _with_dateline_day(known, fold(text))


def _with_dateline_day(found: PublicationDate, folded: str) -> PublicationDate:
    """A month- or year-precise date made day-precise by a dateline ('Oct. 13') that fits it."""
    if found.day is not None:
        return found
    match = _DATELINE_DAY.search(folded)
    if not match:
        return found
    month = month_of(match.group("m") or match.group("m2"))
    day = day_of(match.group("d") or match.group("d2"))
    if found.month is not None and month != found.month:
        return found
    return _make_date(found.year, month, day) or found


def _make_date(year: int, month: int, day: int) -> PublicationDate | None:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return PublicationDate(date.year, date.month, date.day)


def _iso_date(value: str) -> PublicationDate | None:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return PublicationDate(day.year, day.month, day.day)


def _full_date(match: re.Match[str]) -> PublicationDate | None:
    """A day-precise PublicationDate from a match with y/m/d (or y2/m2/d2) groups."""
    y = match.group("y") or match.group("y2")
    m = match.group("m") or match.group("m2")
    d = match.group("d") or match.group("d2")
    try:
        day = dt.date(int(y), month_of(m), day_of(d))
    except (TypeError, ValueError, KeyError):
        return None
    return PublicationDate(day.year, day.month, day.day)
