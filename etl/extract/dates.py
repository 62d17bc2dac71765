"""Date expressions -> DateMention, resolved against the publication date where needed.

Dates are found from cheap anchors (a four-digit year, a month name, a weekday name, a relative
keyword such as 'today' or 'ago'); around each anchor small anchored patterns read the shape:
ISO dates, day ranges ('8-9 June 2023', 'June 8-9, 2023', 'Sept. 20 through 22', across months:
'10 June to 10 September 2017'), full dates ('14 September 1999', 'September 14, 1999',
'Feb.6'), month-year ('June 2011', 'Sept 2020', 'May 2014-2018'), a day or month without a
year ('on June 8', 'in September', 'This May', 'scheduled for April'), year ranges
('(2024-2027)', 'from 2017 to 2018', 'between 2017 and 2018'), recurrences ('every three years
since 2003'), plain years with the preposition in front ('back in 1992', 'by 2050') and relative
expressions ('this week', 'on Thursday and Friday', 'met Tuesday', 'Twenty-nine years ago',
'two years later', 'the next day'; not 'ten years before the first summit', which measures
between two events, nor 'USA Today').

The shapes are written in the date grammar (`date_grammar.py`); a date written without its year,
or relative to another, is resolved in `date_resolution.py`.

Every find then gets a role (`date_roles.py`):

* target      'by 2050', 'until 2030', 'Looking ahead to the year 2035', 'Vision 2030'
* plan_period a year range attached to a document title that is not in the gazetteer
              ('Concept of Foreign Policy (2020-2030)')
* background  national history and other bodies: 'after independence in 1991', 'the 1972
              Biological Weapons Convention', a dateline ('KUALA LUMPUR July 16 (Bernama) -'),
              other happenings ('the terrorist attacks of 11 September 2001'), a day of the
              calendar ('marked every year on 29 August', 'the day is observed on 29 August'),
              a comparison ('the first summit since 1999'), an approximate distance ('more
              than 25 years ago')
* unresolved  a relative date with nothing to resolve it against
* event       everything else: a date something happened on (events.py decides what).

Durations ('the past 20 years', 'over a decade'), decades ('the early 1990s') and ordinals
('47th Session') are not dates. Counts in the present tense ('now unites 28 states') take the
publication year in membership.py, which reads the tense of the count itself.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence

from etl.model import DateMention, PublicationDate, Sentence

from .date_grammar import (
    DAY,
    DAY_JOIN,
    MD,
    MONTH,
    MONTH_FULL,
    MONTH_WORD,
    WEEKDAY,
    YEAR,
    day_of,
    month_of,
)
from .date_resolution import (
    carry_year_in_sentence,
    clause_tense,
    fill_year,
    resolve_ago,
    resolve_from_context,
    resolve_named,
    resolve_weekdays,
)
from .date_roles import date_role, named_by_year
from .date_spans import Found, Names, Spans
from .sentences import SentenceIndex
from .text import NUMBER_PATTERN, first_letter_alternation, parse_number

_NUM = NUMBER_PATTERN

# --- anchors (literal alternations: the regex engine skips ahead on their first letters) -------
_YEAR_ANCHOR = re.compile(YEAR)
_MONTH_ANCHOR = re.compile(MONTH_WORD)
_WEEKDAY_ANCHOR = re.compile(WEEKDAY)
# run on lower-cased text; the phrases sharing a first letter are tried as one group
_RELATIVE_ANCHOR = re.compile(first_letter_alternation([
    "today", "tomorrow", "yesterday", "ago", "this year", "this month", "this week", "last year",
    "last month", "last week", "next year", "next month", "next week", "past year", "past month",
    "past week", "later", "earlier", "after", "before", "following year", "same year",
    "previous year", "that year", "next day", "following day", "previous day", "same day",
    "that day", "then", "that time",
]))

# --- shapes read forward from a month name ----------------------------------------------------
# 'May 4 to August 21, 2013': a range across months, the year written once at its end
_M_DAY_TO_M_DAY_YEAR = re.compile(
    rf"(?P<m>{MONTH}){MD}(?P<d>{DAY})\s*(?:-|to|until|till|through)\s*(?P<m2>{MONTH}){MD}"
    rf"(?P<d2>{DAY}),?\s+(?P<y>{YEAR})(?![\w])")
_M_DAY_RANGE_YEAR = re.compile(
    rf"(?P<m>{MONTH}){MD}(?P<d>{DAY})\s*{DAY_JOIN}\s*(?P<d2>{DAY}),?\s+(?P<y>{YEAR})(?![\w])")
_M_DAY_YEAR = re.compile(rf"(?P<m>{MONTH}){MD}(?P<d>{DAY}),?\s+(?P<y>{YEAR})(?![\w])")
_M_RANGE_YEAR = re.compile(
    rf"(?P<m>{MONTH})\s*(?:-|to|and)\s*(?P<m2>{MONTH}),?\s+(?P<y>{YEAR})(?![\w])")
_M_YEAR_RANGE = re.compile(
    rf"(?P<m>{MONTH}),?\s+(?P<y>{YEAR})\s*(?:-|to|until|till)\s*(?:(?P<m2>{MONTH})\s+)?"
    rf"(?P<y2>{YEAR})(?![\w\-])")
_M_YEAR = re.compile(rf"(?P<m>{MONTH}),?\s+(?:of\s+)?(?P<y>{YEAR})(?![\w])")
_M_DAY_RANGE = re.compile(
    rf"(?P<m>{MONTH}){MD}(?P<d>{DAY})\s*{DAY_JOIN}\s*(?P<d2>{DAY})(?![\w])(?![\s,]*\d)")
_M_DAY = re.compile(rf"(?P<m>{MONTH}){MD}(?P<d>{DAY})(?![\w])(?![\s,]*\d)(?!\s*(?:%|per\b))")
_MONTH_AT = re.compile(MONTH)
_M_ONLY = re.compile(rf"(?P<m>{MONTH_FULL})(?![\w])(?![\s,]*\d)")
# a day (or day range) written before the month: '14 September', '13-14 July', '8th of June'
_DAYS_BEFORE = re.compile(
    rf"(?<![\w.,])(?:(?P<d>{DAY})\s*{DAY_JOIN}\s*)?(?P<d2>{DAY})\s+(?:of\s+)?$")
_YEAR_AFTER_MONTH = re.compile(rf",?\s+(?P<y>{YEAR})(?![\w])")
# '10 June to 10 September 2017': after a day and month, the rest of a range across months
_TO_DAY_MONTH_YEAR = re.compile(
    rf"\s*(?:-|to|until|till|through)\s*(?P<d2>{DAY})\s+(?:of\s+)?(?P<m2>{MONTH}),?\s+"
    rf"(?P<y>{YEAR})(?![\w])")
# --- shapes read around a year ---------------------------------------------------------------
_ISO_AFTER = re.compile(r"-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
_RANGE_AFTER = re.compile(
    rf"\s*(?:(?P<sep>-|/)\s*(?P<short>\d\d)(?![\w\-])|(?:-|/|(?P<word>(?i:to|until|till|through|and))\s)"
    rf"\s*(?P<y2>{YEAR})(?![\w\-]))")
_RECURRENCE_BEFORE = re.compile(
    rf"(?i:(?:every\s+(?:{_NUM}\s+)?(?:years?|months?)|annually|yearly|each\s+year|biennially|"
    rf"regularly)\s+since)\s+$")
# a preposition right before a date, kept in its expression ('in 2013', 'back in 1992')
_PREP_BEFORE = re.compile(
    r"(?i:(?<![\w])(?P<prep>back\s+in|as\s+early\s+as|as\s+of|by\s+the\s+end\s+of|at\s+the\s+end\s+of|"
    r"in\s+early|in\s+late|in\s+mid|earlier\s+in|later\s+in|in|on|since|by|from|between|during|"
    r"until|till|before|after|around|circa|through|throughout|towards?|ahead\s+of|of|early|late|"
    r"mid|last|this|next))[\s\-]+$")
# --- relative expressions, read backwards from their keyword -----------------------------------
_REL_NAMED = re.compile(
    r"(?i:(?<![\w])(?:(?:earlier|later)\s+this\s+(?:year|month|week)|(?:this|last|next|past)\s+"
    r"(?:year|month|week)|today|yesterday|tomorrow))(?!'|\w)")
_REL_AGO = re.compile(
    rf"(?i:(?<![\w\-])(?P<n>{_NUM}|a|an)\s+(?P<u>years?|decades?|months?)\s+ago)(?![\w])")
# 'more than 25 years ago', 'nearly a decade ago': an approximate distance
_APPROXIMATE_BEFORE = re.compile(
    r"(?i:\b(?:more\s+than|over|almost|nearly|about|around|some|roughly|approximately|"
    r"at\s+least|less\s+than|under|well\s+over|close\s+to|upwards\s+of))\s+$")
_REL_LATER = re.compile(
    rf"(?i:(?<![\w\-])(?P<n>{_NUM}|a|an)\s+(?P<u>years?|decades?)\s+"
    rf"(?P<dir>later|earlier|after|before))(?![\w])")
_REL_CONTEXT = re.compile(
    r"(?i:(?<![\w])(?:the\s+(?:following|same|next|previous)\s+year|that\s+year|"
    r"it\s+was\s+(?:then|at\s+that\s+time)|back\s+then|at\s+that\s+time))(?![\w])")
# 'the next day', 'the day before', 'that same day': a day counted from the last dated day
_REL_DAY = re.compile(
    r"(?i:(?<![\w])(?:the\s+(?P<which>following|next|previous|same)\s+day|the\s+day\s+"
    r"(?P<dir>before|after)|that\s+(?:same\s+)?day|a\s+day\s+(?P<dir2>later|earlier)))(?![\w])")
_DAY_OFFSETS = {"following": 1, "next": 1, "after": 1, "later": 1, "previous": -1, "before": -1,
                "earlier": -1}
# an explicit year right after a relative phrase: 'Two decades earlier, in 1992'
_YEAR_RIGHT_AFTER = re.compile(rf"\s*,?\s*(?:(?i:in|on)\s+)?(?:{MONTH}\s+)?{YEAR}\b")
_WEEKDAYS_AT = re.compile(
    rf"(?:(?P<lead>(?i:on|last|this|next))\s+)?(?P<wd1>{WEEKDAY})"
    rf"(?:\s*(?:and|to|through|-|&)\s*(?P<wd2>{WEEKDAY}))?(?![\w])")
_WEEKDAY_LEAD = re.compile(r"(?i:(?<![\w])(?:on|last|this|next))\s+$")
_NOT_BEFORE_A_WEEKDAY = frozenset({"every", "each", "a", "an", "the"})
# the word before a weekday written without 'on' ('met Tuesday', 'said Thursday')
_WORD_BEFORE = re.compile(r"(\S+)\s+$")
# a weekday that only introduces the calendar date after it: 'On Monday (5 March 2018)',
# 'on Thursday, Oct. 13'
_DATE_AFTER_WEEKDAY = re.compile(
    rf"\s*[,(]?\s*(?:{DAY}\s+(?:of\s+)?{MONTH_WORD}(?![a-z])|{MONTH}{MD}{DAY}(?![\w]))")
# a noun phrase right after 'after'/'before' (then they are prepositions, not adverbs)
_OBJECT_AFTER = re.compile(
    r"\s+(?:(?i:the|a|an|its|their|his|her|this|that|these|those|our)\b|[A-Z0-9])")
_CONTEXT_OFFSETS = {"the following year": 1, "the next year": 1, "the previous year": -1}

# 'scheduled for April': a month right after a word of planning
_PLANNED_FOR_BEFORE = re.compile(
    r"(?i:\b(?:scheduled|planned|slated|set|due|expected|pencilled\s+in|penciled\s+in)\s+"
    r"(?P<prep>for))\s+$")

# 'held since 2008', 'Since 2016, five ... have been held', 'annual since'
_RECURRENCE_CONTEXT = re.compile(
    r"(?i)\b(?:(?:has|have)\s+been\s+(?:held|convened|organi[sz]ed|hosted)|held\s+(?:annually\s+|"
    r"regularly\s+|every\s+\w+\s+years?\s+)?since|annual|every\s+\w+\s+years?)\b"
)
_NOT_YEAR_AFTER = re.compile(
    r"\s*(?:%|(?i:percent|per\s+cent|km|kilomet\w+|miles?|people|persons|participants|delegates|"
    r"members?|students|troops|soldiers|tons|tonnes|met(?:re|er)s|MW|GW|kW|barrels|hectares|"
    r"dollars|euros|tenge|units|companies|projects|cases|votes|seats|times|hours|days|"
    r"million|billion|thousand)\b)"
)
_NOT_YEAR_BEFORE = re.compile(
    r"(?i:(?:no\.?|number|resolution|decree|page|pp\.?|article|art\.)\s*|[$\u20ac\u00a3#]\s*)$")
# a place in capitals, perhaps with its country: 'KUALA LUMPUR', 'BAKU, Azerbaijan,'
_DATELINE_BEFORE = re.compile(r"^[A-Z][A-Z.'\- ]{1,40},?(?:\s+[A-Z][a-z]+,)?\s*$")
# a corpus marker line in front of a dateline: ' date 2023-10-12 ALMATY, Oct. 12.'
_DATE_MARKER = re.compile(r"^\s*date\s+\d{4}-\d\d-\d\d(?:\s+\d\d:\d\d(?::\d\d)?)?\s+")
_DATELINE_PLACE = re.compile(r"^[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,2},\s*$")  # 'Astana, '
_DATELINE_AGENCY = re.compile(r"\s*(?:,\s*\d{4})?\s*\([^)]{1,40}\)\s*(?:-|\u2014|:)")
_DATELINE_AFTER = re.compile(
    r"\s*(?:,\s*\d{4})?\s*(?:\([^)]{1,40}\)|\.?\s*/[^/\n]{1,30}/|\.?\s+[A-Z][A-Z\-]{2,}(?=\s*[-\u2014:]))?"
    r"\s*(?:-|\u2014|:|\.(?:\s|$))")


def find_dates(text: str, folded: str, sentences: Sequence[Sentence], index: SentenceIndex,
               published: PublicationDate | None,
               entity_spans: Sequence[tuple[int, int, bool]] = ()) -> list[DateMention]:
    """Every date phrase of the text, with its reading, how it was read and its role.

    `entity_spans` are (start, end, is_initiative) of gazetteer mentions: a year inside a name
    ('EXPO 2017') is read from the name, and a year or range naming something that is not an
    initiative ('the 1972 Biological Weapons Convention') is background.
    """
    taken = Spans()
    found: list[Found] = []

    def keep(item: Found | None) -> None:
        if item is not None and taken.free(item.start, item.end) and _valid(item):
            taken.take(item.start, item.end)
            found.append(item)

    for match in _MONTH_ANCHOR.finditer(folded):
        if _word_start(folded, match.start()):
            keep(_read_month(folded, match.start(), index, published))
    # names are disjoint: the only one that can hold a year is the last starting before it
    name_spans = sorted((s, e) for s, e, _ in entity_spans)
    name_starts = [s for s, _ in name_spans]
    for match in _YEAR_ANCHOR.finditer(folded):
        if taken.free(match.start(), match.end()) and _word_start(folded, match.start()):
            i = bisect.bisect_right(name_starts, match.start()) - 1
            in_name = i >= 0 and match.end() <= name_spans[i][1]
            keep(_read_year(folded, match.start(), match.end(), index, in_name))
    for match in _WEEKDAY_ANCHOR.finditer(folded):
        keep(_read_weekdays(folded, match.start(), index, published))
    lowered = folded.lower()
    if len(lowered) != len(folded):
        lowered = folded
    for match in _RELATIVE_ANCHOR.finditer(lowered):
        if taken.free(match.start(), match.end()):
            keep(_read_relative(folded, match.start(), match.end(), index, published))
    found.sort(key=lambda f: f.start)
    carry_year_in_sentence(found, published)
    resolve_from_context(found)
    names = Names(entity_spans)
    return [_to_mention(i, found, text, folded, names, published) for i in range(len(found))]


def _word_start(folded: str, pos: int) -> bool:
    """Whether `pos` starts a word (no letter or digit right before it)."""
    return pos == 0 or not (folded[pos - 1].isalnum() or folded[pos - 1] in "_")


def _with_prep(item: Found, folded: str) -> Found:
    """Extend a find backwards over the preposition in front of it ('in', 'back in', 'by')."""
    window_start = max(item.sentence.start, item.start - 24)
    match = _PREP_BEFORE.search(folded, window_start, item.start)
    if match:
        item.prep = " ".join(match.group("prep").lower().split())
        item.start = match.start("prep")
    return item


def _read_month(folded: str, pos: int, index: SentenceIndex,
                published: PublicationDate | None) -> Found | None:
    """A date whose anchor is a month name: with or without a day, a year, a range."""
    sentence = index.at(pos)
    if sentence is None:
        return None
    days = _DAYS_BEFORE.search(folded, max(sentence.start, pos - 16), pos)
    if days:  # '14 September 1999', '13-14 July 2023', '29 May'
        month_match = _MONTH_AT.match(folded, pos)
        if month_match is None:
            return None
        month = month_of(month_match.group())
        first = day_of(days.group("d") or days.group("d2"))
        last = day_of(days.group("d2")) if days.group("d") else None
        year_match = _YEAR_AFTER_MONTH.match(folded, month_match.end())
        end = year_match.end() if year_match else month_match.end()
        across = None if year_match else _TO_DAY_MONTH_YEAR.match(folded, end, sentence.end)
        if across:  # '10 June to 10 September 2017'
            item = _with_prep(Found(days.start(), across.end(), sentence, "day_range", None,
                                     month=month, day=first), folded)
            item.year = item.end_year = int(across.group("y"))
            item.end_month, item.end_day = month_of(across.group("m2")), day_of(across.group("d2"))
            item.basis = "range"
            return _dated_line(item, folded)
        if not year_match and re.match(r"[\s,]*\d", folded[end:end + 3]):
            return None
        item = _with_prep(Found(days.start(), end, sentence,
                                 "full" if year_match else "day_month", None,
                                 month=month, day=first), folded)
        fill_year(item, int(year_match.group("y")) if year_match else None, published, last,
                  folded)
        return _dated_line(item, folded)
    across = _M_DAY_TO_M_DAY_YEAR.match(folded, pos, sentence.end)
    if across:  # 'May 4 to August 21, 2013'
        item = _with_prep(Found(pos, across.end(), sentence, "day_range", int(across.group("y")),
                                 month=month_of(across.group("m")), day=day_of(across.group("d")),
                                 end_year=int(across.group("y")),
                                 end_month=month_of(across.group("m2")),
                                 end_day=day_of(across.group("d2")), basis="range"), folded)
        return _dated_line(item, folded)
    span = _M_YEAR_RANGE.match(folded, pos, sentence.end)
    if span and 0 < int(span.group("y2")) - int(span.group("y")) <= 50:  # 'May 2014-2018'
        item = _with_prep(Found(pos, span.end(), sentence, "month_year", int(span.group("y")),
                                 month=month_of(span.group("m")), end_year=int(span.group("y2")),
                                 end_month=month_of(span.group("m2")) if span.group("m2") else None,
                                 basis="range"), folded)
        return _dated_line(item, folded)
    for pattern, kind in ((_M_DAY_RANGE_YEAR, "day_range"), (_M_DAY_YEAR, "full"),
                          (_M_RANGE_YEAR, "month_range"), (_M_YEAR, "month_year"),
                          (_M_DAY_RANGE, "day_range_noyear"), (_M_DAY, "day_month")):
        match = pattern.match(folded, pos, sentence.end)
        if not match:
            continue
        groups = match.groupdict()
        item = _with_prep(Found(pos, match.end(), sentence, kind, None,
                                 month=month_of(groups["m"]),
                                 day=day_of(groups["d"]) if groups.get("d") else None), folded)
        if groups.get("m2"):
            item.end_month, item.basis = month_of(groups["m2"]), "range"
        fill_year(item, int(groups["y"]) if groups.get("y") else None, published,
                  day_of(groups["d2"]) if groups.get("d2") else None, folded)
        return _dated_line(item, folded)
    match = _M_ONLY.match(folded, pos, sentence.end)
    if match:  # 'in September': only after a preposition ('May' is also a verb)
        item = _with_prep(Found(pos, match.end(), sentence, "month_only", None,
                                 month=month_of(match.group("m"))), folded)
        if not item.prep:
            planned = _PLANNED_FOR_BEFORE.search(folded, max(sentence.start, pos - 30), pos)
            if planned is None:
                return None
            item.start, item.prep = planned.start("prep"), "for"  # 'scheduled for April'
        if match.group("m") == "May" and item.prep in ("of", "by"):
            return None
        fill_year(item, None, published, None, folded)
        return item
    return None


def _dated_line(item: Found, folded: str) -> Found:
    """Mark a dateline as background, and 'Since January 2017, ... have been held' a recurrence."""
    if item.day is not None and _is_dateline(folded, item.sentence, item.start, item.end):
        item.role = "background"
    if item.prep == "since" and item.basis == "explicit" and _RECURRENCE_CONTEXT.search(
            folded, item.sentence.start, item.sentence.end):
        item.basis = "recurrence"
    return item


def _read_year(folded: str, start: int, end: int, index: SentenceIndex,
               in_name: bool = False) -> Found | None:
    """A date whose anchor is a year: ISO date, year range, recurrence or plain year.

    A year glued to a word by a hyphen ('Kazakhstan-2050') is not a date unless it is part of a
    gazetteer name ('EXPO-2017').
    """
    sentence = index.at(start)
    if sentence is None:
        return None
    before = folded[start - 1] if start else ""
    if before and before in "-./" and not (in_name and before == "-"):
        return None
    iso = _ISO_AFTER.match(folded, end)
    if iso:
        return _with_prep(Found(start, iso.end(), sentence, "iso", int(folded[start:end]),
                                 month=int(iso.group("m")), day=int(iso.group("d"))), folded)
    year = int(folded[start:end])
    span = _RANGE_AFTER.match(folded, end, sentence.end)
    if span:
        item = _read_range(folded, start, year, span, sentence)
        if item is not None:
            return item
    if end < len(folded) and (folded[end].isalnum() or folded[end] in "_-" or
                              (folded[end] in ".," and folded[end + 1:end + 2].isdigit())):
        return None
    if _NOT_YEAR_AFTER.match(folded, end) or \
            _NOT_YEAR_BEFORE.search(folded, max(0, start - 12), start):
        return None
    recurrence = _RECURRENCE_BEFORE.search(folded, max(sentence.start, start - 40), start)
    if recurrence:
        return Found(recurrence.start(), end, sentence, "recurrence", year, basis="recurrence")
    item = _with_prep(Found(start, end, sentence, "year", year), folded)
    if item.prep == "since" and _RECURRENCE_CONTEXT.search(folded, sentence.start, sentence.end):
        item.basis = "recurrence"
    return item


def _read_range(folded: str, start: int, year: int, span: re.Match[str],
                sentence: Sentence) -> Found | None:
    """'2024-2027', '(2024–2027)', '2017/18', 'from 2017 to 2018', 'between 2017 and 2018'."""
    if span.group("short"):
        end_year = (year // 100) * 100 + int(span.group("short"))
    else:
        end_year = int(span.group("y2"))
    if not 0 < end_year - year <= 50:
        return None
    item = _with_prep(Found(start, span.end(), sentence, "year_range", year, end_year=end_year,
                             basis="range"), folded)
    word = (span.group("word") or "").lower()
    if word == "and" and item.prep != "between":
        return None
    if item.prep == "between" and word != "and":
        item.start, item.prep = start, ""
    if folded[start - 1:start] == "(" and folded[span.end():span.end() + 1] == ")":
        item.start, item.end = start - 1, span.end() + 1
    return item


def _read_weekdays(folded: str, pos: int, index: SentenceIndex,
                   published: PublicationDate | None) -> Found | None:
    """'on Thursday', 'last Friday', 'on Thursday and Friday', 'met Tuesday', 'Monday-Tuesday'.

    A weekday followed by its calendar date ('On Monday (5 March 2018)') is left to the date.
    """
    sentence = index.at(pos)
    if sentence is None:
        return None
    lead = _WEEKDAY_LEAD.search(folded, max(sentence.start, pos - 6), pos)
    if lead is None and not _bare_weekday(folded, sentence, pos):
        return None
    match = _WEEKDAYS_AT.match(folded, lead.start() if lead else pos, sentence.end)
    if not match or _DATE_AFTER_WEEKDAY.match(folded, match.end(), sentence.end):
        return None
    item = Found(match.start(), match.end(), sentence, "relative", None,
                  basis="relative_to_publication")
    if published is not None:
        future = clause_tense(folded, item) == "future"
        resolve_weekdays(item, match.group("wd1"), match.group("wd2"),
                         (match.group("lead") or "").lower(), published, future)
    return item


def _bare_weekday(folded: str, sentence: Sentence, pos: int) -> bool:
    """Whether a weekday without 'on' is a date: 'met Tuesday', 'Thursday's vote'.

    Not after a capitalised word ('Good Friday', 'Black Monday'), nor after 'every' or an
    article ('a Friday sermon', 'the Friday prayers').
    """
    before = _WORD_BEFORE.search(folded, max(sentence.start, pos - 30), pos)
    if before is None:  # first word of the sentence: 'Thursday's vote', 'Thursday, the ...'
        return True
    word = before.group(1)
    if word[-1] in ",;:(-\u2014":
        return True
    return word[0].islower() and word.lower() not in _NOT_BEFORE_A_WEEKDAY


def _read_relative(folded: str, start: int, end: int, index: SentenceIndex,
                   published: PublicationDate | None) -> Found | None:
    """'today', 'this week', 'Twenty-nine years ago', 'two years later', 'the same year'."""
    sentence = index.at(start)
    if sentence is None:
        return None
    window_start = max(sentence.start, start - 40)
    window_end = min(sentence.end, end + 12)
    for pattern in (_REL_NAMED, _REL_AGO, _REL_LATER, _REL_CONTEXT, _REL_DAY):
        match = None
        for candidate in pattern.finditer(folded, window_start, window_end):
            if candidate.start() <= start < candidate.end():
                match = candidate
        if match is None:
            continue
        item = Found(match.start(), match.end(), sentence, "relative", None,
                      basis="relative_to_publication")
        if pattern is _REL_NAMED:
            phrase = " ".join(match.group().lower().split())
            if phrase.startswith("past "):
                return None  # 'the past year': a duration
            if phrase == "today" and _in_a_name(folded, sentence, match.start()):
                return None  # 'USA Today', 'Kazakhstan Today': a newspaper
            resolve_named(item, phrase, published)
            return item
        if pattern is _REL_AGO:
            n = _amount(match.group("n"))
            if n is None:
                return None
            resolve_ago(item, n, match.group("u").lower(), published)
            if _APPROXIMATE_BEFORE.search(folded, max(sentence.start, match.start() - 20),
                                          match.start()):
                item.role = "background"  # 'more than 25 years ago': no year to date an event
            return item
        if pattern is _REL_LATER:
            # 'ten years before the first summit': 'before'/'after' with an object measures
            # between two events and dates neither
            if match.group("dir").lower() in ("after", "before") and _OBJECT_AFTER.match(
                    folded, match.end()):
                return None
            # 'Two decades earlier, in 1992': the explicit year that follows says it all
            if _YEAR_RIGHT_AFTER.match(folded[match.end():match.end() + 40]):
                return None
            n = _amount(match.group("n"))
            if n is None:
                return None
            step = 10 * n if match.group("u").lower().startswith("decade") else n
            sign = 1 if match.group("dir").lower() in ("later", "after") else -1
            item.kind, item.basis, item.offset = "context", "year_from_context", sign * step
            return item
        if pattern is _REL_DAY:
            # 'the day before the summit' measures between two events; 'on that day in 1994'
            # is dated by its year
            if (match.group("dir") and _OBJECT_AFTER.match(folded, match.end())) or \
                    _YEAR_RIGHT_AFTER.match(folded[match.end():match.end() + 40]):
                return None
            which = match.group("which") or match.group("dir") or match.group("dir2") or ""
            item.kind, item.basis = "context_day", "year_from_context"
            item.offset = _DAY_OFFSETS.get(which.lower(), 0)
            return item
        phrase = " ".join(match.group().lower().split())
        item.kind, item.basis = "context", "year_from_context"
        item.offset = _CONTEXT_OFFSETS.get(phrase, 0)
        return item
    return None


def _in_a_name(folded: str, sentence: Sentence, pos: int) -> bool:
    """Whether the capitalised word at `pos` continues a name ('USA Today')."""
    if not folded[pos].isupper():
        return False
    before = _WORD_BEFORE.search(folded, max(sentence.start, pos - 30), pos)
    return before is not None and before.group(1)[0].isupper() and \
        before.group(1)[-1].isalnum()


def _valid(item: Found) -> bool:
    """Whether the calendar fields form real dates (29 February, 31 April ...)."""
    for year, month, day in ((item.year, item.month, item.day),
                             (item.end_year, item.end_month, item.end_day)):
        if month is None or day is None:
            continue
        try:
            dt.date(year or 2000, month, day)
        except ValueError:
            return False
    return True


def _is_dateline(folded: str, sentence: Sentence, start: int, end: int) -> bool:
    """'KUALA LUMPUR July 16 (NNN-Bernama) —': a place in capitals, the date, agency, dash."""
    head = folded[sentence.start:start]
    marker = _DATE_MARKER.match(head)
    if marker:
        head = head[marker.end():]
    if _DATELINE_BEFORE.match(head) and _DATELINE_AFTER.match(folded, end):
        return True
    if not head.strip() and not folded[end:sentence.end].strip(" .,-:/\n") and \
            folded[start].isupper() and not _YEAR_ANCHOR.search(folded, start, end):
        return True  # a line that is only a day: 'ASTANA. June 8. KAZINFORM -' split apart
    # 'Astana, June 8 (Kazinform) -': a title-case place needs the agency in brackets
    return bool(_DATELINE_PLACE.match(head) and _DATELINE_AGENCY.match(folded, end))


def _amount(word: str) -> int | None:
    """Number of 'two', '29', 'Twenty-nine', 'a'/'an' (= 1); None if not a number."""
    return 1 if word.lower() in ("a", "an") else parse_number(word)


# --- roles ------------------------------------------------------------------------------------


def _to_mention(position: int, found: list[Found], text: str, folded: str,
                names: Names, published: PublicationDate | None) -> DateMention:
    """The DateMention of the find at `position` (finds sorted by start): basis and role settled."""
    item = found[position]
    basis = item.basis
    role = item.role
    inside = names.holding(item.start, item.end)
    if item.kind == "year" and inside is not None:
        basis = "from_name"
        role = role or ("event" if inside[2] else "background")
    elif item.kind == "year":
        named = named_by_year(item, folded, names)
        if named is not None:
            basis = "from_name"
            role = role or named
    if role is None:
        role = date_role(position, found, folded, names, published)
    return DateMention(
        sentence_no=item.sentence.sentence_no,
        expression=text[item.start:item.end],
        start=item.start,
        end=item.end,
        year=item.year,
        month=item.month,
        day=item.day,
        end_year=item.end_year,
        end_month=item.end_month,
        end_day=item.end_day,
        basis=basis,
        role=role,
    )


