"""Resolving a date that is not written in full: its year or day, against what came before.

A day or month without a year takes it from, in order: a relative year after it ('in June this
year'); the year its list ends with ('on 3 March and 17 November 2011'); a dated month before
it in its sentence ('in March 2021, and by October ...'; any earlier sentence when the
publication date is unknown); else the publication date, looking back from it, or forward in a
clause about the future ('will be held on Oct. 16-17', 'is scheduled for April'). Weekdays are
the latest such day on or before the publication day, or the first on or after it in the future.
'Two years later', 'the following year' and 'the next day' count from the dates before them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from etl.model import PublicationDate

from .date_grammar import DAY, MD, MONTH, WEEKDAYS, YEAR, month_of
from .date_spans import Found

# 'in June this year', 'on May 5 last year': the year of a year-less date, said relatively
_RELATIVE_YEAR_AFTER = re.compile(
    r"\s*,?\s*(?:(?i:of)\s+)?(?P<which>(?i:this|last|next))\s+(?i:year)(?![\w'])")
# 'on 3 March and 17 November 2011': a list of dates whose year is written once, at its end
_SHARED_YEAR_AFTER = re.compile(
    rf"\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)(?:(?i:on|in)\s+)?"
    rf"(?:(?:{DAY}\s*(?:-\s*{DAY}\s*)?(?:of\s+)?)?(?P<m>{MONTH})(?:{MD}{DAY}"
    rf"(?:\s*-\s*{DAY})?)?),?\s+(?P<y>{YEAR})(?![\w])")
# the tense of a date's clause: its nearest auxiliary or verb form. Future: 'will', 'would',
# 'is set to', 'is scheduled for', 'is to host', 'to be held', 'upcoming', 'the next round';
# past: 'was', 'had', irregular past forms and (lower-case) words in -ed
_TENSE_CUE = re.compile(
    r"\b(?:(?P<future>(?i:will|would|shall|going\s+to|"
    r"(?:is|are|was|were|be|been)\s+(?:\w+\s+)?(?:due|set|scheduled|slated|expected|planned|"
    r"poised|about|going)\s+(?:to|for|on|in)|(?:is|are)\s+to\s+(?:be\s+)?\w+|"
    r"to\s+be\s+(?:held|hosted|convened|staged|organi[sz]ed|opened|launched|signed)|"
    r"upcoming|forthcoming|scheduled|planned|slated|expected\s+(?:to|in|on)|"
    r"next\s+(?:round|meeting|summit|session|edition|congress|forum|conference|assembly|"
    r"gathering)|plans?\s+to|intends?\s+to))|"
    r"(?P<past>(?i:was|were|had|has|have|did|ago|held|hosted|took|met|began|begun|came|gave|"
    r"went|won|saw|made|became|rose|spoke|said|told|wrote|chose)|[a-z]{2,}ed))\b")
_AUXILIARY_BEFORE = re.compile(r"(?i:\b(?:be|been|to))\s+$")
# how far before the publication day a day named in the future tense may lie
_FUTURE_SLACK = dt.timedelta(days=14)


def fill_year(item: Found, year: int | None, published: PublicationDate | None,
              last_day: int | None, folded: str) -> None:
    """Set the year and the end of a day range.

    A date written without a year takes it, in this order, from a relative year right after it
    ('in June this year', 'on May 5 last year'), from the year of the date it is listed with
    ('on 3 March and 17 November 2011'), else from the publication date: the latest such day
    on or before it, or in a clause about the future ('will be held on Oct. 16-17') the first
    such day on or after it.
    """
    if year is not None:
        item.year = year
    else:
        item.basis = "relative_to_publication"
        relative = _RELATIVE_YEAR_AFTER.match(folded, item.end, item.sentence.end)
        shared = _SHARED_YEAR_AFTER.match(folded, item.end, item.sentence.end)
        if relative:
            item.end = relative.end()
            if published is not None:
                word = relative.group("which").lower()
                item.year = published.year + (-1 if word == "last" else 1 if word == "next"
                                              else 0)
        elif shared and (shared.group("m") is None
                         or month_of(shared.group("m")) >= (item.month or 1)):
            item.year, item.basis = int(shared.group("y")), "explicit"
        else:
            future = clause_tense(folded, item) == "future"
            item.year = year_for_day(item.month or 1, item.day, published, item.prep, future)
            item.from_publication = item.prep not in ("last", "next", "this")
    if last_day is not None:
        item.end_year, item.end_month, item.end_day = item.year, item.month, last_day
        if year is not None:
            item.basis = "range"
    elif item.end_month is not None:
        item.end_year = item.year


def clause_tense(folded: str, item: Found) -> str | None:
    """'future' or 'past' from the tense word nearest before the date in its sentence.

    A participle after 'be', 'been' or 'to' ('will be held', 'is to be signed') takes the tense
    of the word before it. With no tense word before the date (a fronted date: 'On June 11-12
    the session will open'), the first one after it counts. None when the sentence shows no
    tense.
    """
    sentence = item.sentence
    cues = list(_TENSE_CUE.finditer(folded, max(sentence.start, item.start - 100), item.start))
    for cue in reversed(cues):
        if cue.group("past") and _AUXILIARY_BEFORE.search(folded, max(0, cue.start() - 6),
                                                          cue.start()):
            continue
        return "future" if cue.group("future") else "past"
    after = _TENSE_CUE.search(folded, item.end, min(sentence.end, item.end + 100))
    if after is None:
        return None
    return "future" if after.group("future") else "past"


def year_for_day(month: int, day: int | None, published: PublicationDate | None,
                 prep: str, future: bool = False) -> int | None:
    """Year of a day or month written without one, against the publication date.

    By default the most recent such day on or before publication; in a clause about the future
    the first one on or after it (a day-precise date may lie up to two weeks before: a report
    filed a little after the announcement it quotes). 'last September' is the latest September
    strictly before the publication month, 'next September' the first one after it, 'this
    September' the one of the publication year.
    """
    if published is None:
        return None
    if published.month is None or prep == "this":
        return published.year
    pub_day = published.day or calendar.monthrange(published.year, published.month)[1]
    if prep == "next":
        after = (month, day or 1) > (published.month, pub_day)
        return published.year if after else published.year + 1
    if prep == "last":
        return published.year if month < published.month else published.year - 1
    if future:
        if day is None or published.day is None:
            return published.year if month >= published.month else published.year + 1
        named = dt.date(published.year, month, min(day, 28 if month == 2 else day))
        slack = dt.date(published.year, published.month, published.day) - _FUTURE_SLACK
        return published.year if named >= slack else published.year + 1
    before = (month, day or 1) <= (published.month, pub_day)
    return published.year if before else published.year - 1


def resolve_ago(item: Found, n: int, unit: str, published: PublicationDate | None) -> None:
    """'N years/decades/months ago' counted back from the publication date."""
    if published is None:
        return
    if unit.startswith("decade"):
        item.year = published.year - 10 * n
    elif unit.startswith("year"):
        item.year = published.year - n
    elif published.month is not None:
        months = published.year * 12 + published.month - 1 - n
        item.year, item.month = divmod(months, 12)
        item.month += 1


def resolve_named(item: Found, phrase: str, published: PublicationDate | None) -> None:
    """today / this week / last year ... against the publication date, to its precision."""
    if published is None:
        return
    y, m, d = published.year, published.month, published.day
    if phrase in ("today",):
        item.year, item.month, item.day = y, m, d
    elif phrase in ("yesterday", "tomorrow"):
        if d is not None and m is not None:
            shift = -1 if phrase == "yesterday" else 1
            day = dt.date(y, m, d) + dt.timedelta(days=shift)
            item.year, item.month, item.day = day.year, day.month, day.day
        else:
            item.year, item.month = y, m
    elif phrase.endswith("week"):
        if d is not None and m is not None and phrase.split()[0] in ("last", "next"):
            shift = -7 if phrase.startswith("last") else 7
            day = dt.date(y, m, d) + dt.timedelta(days=shift)
            item.year, item.month = day.year, day.month
        else:
            item.year, item.month = y, m
    elif phrase.endswith("month"):
        if m is None:
            item.year = y
        else:
            shift = -1 if phrase.startswith("last") else 1 if phrase.startswith("next") else 0
            months = y * 12 + m - 1 + shift
            item.year, item.month = divmod(months, 12)
            item.month += 1
    else:  # year
        shift = -1 if phrase.startswith("last") else 1 if phrase.startswith("next") else 0
        item.year = y + shift


def resolve_weekdays(item: Found, first: str, second: str | None, lead: str,
                     published: PublicationDate, future: bool = False) -> None:
    """'on Thursday and Friday' against a day-precise publication date -> those calendar days.

    A weekday is the latest such day on or before the publication day (a report filed the day
    it tells of says 'on Monday'); in a clause about the future the first on or after it. 'last'
    and 'next' exclude the publication day itself. A range ends on its last named day (past) or
    starts on its first (future).
    """
    if published.day is None or published.month is None:
        item.year, item.month = published.year, published.month
        return
    pub = dt.date(published.year, published.month, published.day)
    span = (WEEKDAYS[second.lower()] - WEEKDAYS[first.lower()]) % 7 if second else 0
    if lead == "next" or (future and lead != "last"):
        target = WEEKDAYS[first.lower()]
        ahead = (target - pub.weekday()) % 7
        start_day = pub + dt.timedelta(days=ahead or (7 if lead == "next" else 0))
        end_day = start_day + dt.timedelta(days=span)
    else:
        target = WEEKDAYS[(second or first).lower()]
        back = (pub.weekday() - target) % 7
        end_day = pub - dt.timedelta(days=back or (7 if lead == "last" else 0))
        start_day = end_day - dt.timedelta(days=span)
    if second:
        item.end_year, item.end_month, item.end_day = end_day.year, end_day.month, end_day.day
    item.year, item.month, item.day = start_day.year, start_day.month, start_day.day


# dates a following 'the next day' may count from
_DAY_ANCHOR_BASES = frozenset({"explicit", "range", "recurrence", "relative_to_publication",
                               "year_from_context"})


def resolve_from_context(found: list[Found]) -> None:
    """'two years later', 'the following year', 'the next day': counted from the dates before.

    Years count from the last explicit year, days from the last dated day ('On 27 August ...
    The next day'). They stay unresolved when nothing precedes in the text.
    """
    last_year: int | None = None
    last_day: tuple[dt.date, dt.date] | None = None  # first and last day of the last dated day
    for item in found:
        if item.kind == "context":
            item.year = last_year + item.offset if last_year is not None else None
        elif item.kind == "context_day":
            if last_day is not None:
                day = last_day[0 if item.offset < 0 else 1] + dt.timedelta(days=item.offset)
                item.year, item.month, item.day = day.year, day.month, day.day
            else:
                item.year = last_year
        elif item.year is not None and item.basis in _DAY_ANCHOR_BASES:
            if item.basis in ("explicit", "range", "recurrence"):
                last_year = item.year
            if item.month is not None and item.day is not None:
                first = dt.date(item.year, item.month, item.day)
                last = first
                if item.end_day is not None and item.end_month is not None:
                    last = dt.date(item.end_year or item.year, item.end_month, item.end_day)
                last_day = (first, last)


def carry_year_in_sentence(found: list[Found], published: PublicationDate | None) -> None:
    """A day or month without a year takes the year of a dated month before it in its sentence.

    'in March 2021 ..., and by October a second ship had sailed' -> October 2021. Only a month
    on or after the dated one takes its year (later in the same year). Without a publication
    date the dated month may also be in an earlier sentence: the year of the narrative.
    """
    anchor: Found | None = None
    for item in found:
        if item.from_publication and anchor is not None and item.month is not None and \
                anchor.month is not None and item.month >= anchor.month and \
                (anchor.sentence is item.sentence or published is None):
            item.year, item.basis = anchor.year, "year_from_context"
            if item.end_month is not None:
                item.end_year = item.year
        elif item.basis in ("explicit", "range") and item.year is not None and \
                item.month is not None:
            anchor = item
        elif item.basis in ("explicit", "range") and item.year is not None:
            anchor = None  # a bare year moves the narrative on
