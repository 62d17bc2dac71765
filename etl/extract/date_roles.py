"""What a date found in the text is: an event's date, a target, a plan's period or background.

`role` reads the words around a date (see the list in `dates.py`): 'by 2050' is a target, a
range after a document title not in the gazetteer a plan period, independence, other bodies'
happenings, datelines, days of the calendar and comparisons are background; the rest are dates
something happened on. `named_by_year` tells a year that names an initiative or look-alike
('EXPO 2017', 'the 1972 Biological Weapons Convention').
"""

from __future__ import annotations

import re

from etl.model import PublicationDate
from etl.months import MONTHS

from .date_spans import Found, Names
from .text import words

_PREP_TARGET = frozenset({"by", "until", "till", "towards", "toward", "by the end of", "through"})
_TARGET_BEFORE = re.compile(
    r"(?i:(?:ahead\s+to|look(?:s|ing)?\s+(?:ahead|forward)\s+to|vision|strategy|agenda|target|goal|"
    r"up\s+to|horizon|(?<![\w])plan(?:s|ned)?\s+(?:for|until|by))\s+(?:the\s+year\s+)?)$"
)
# 'marked every year on 29 August': a day of the calendar, not a date something happened on
_EVERY_YEAR_BEFORE = re.compile(
    r"(?i:\b(?:every|each)\s+year|\bannually|\byearly)\s*,?\s*$")
# 'the festival was to be observed on 21 March': the day an observance falls on
_OBSERVED_DAY_BEFORE = re.compile(
    r"(?i:\b(?:the|this|that)\s+day\s+(?:[\w']+\s+){0,4}?(?:held|observed|marked|celebrated|"
    r"commemorated))\s*$")
# '29 August was chosen as the date'
_CHOSEN_AS_AFTER = re.compile(
    r"\s+(?i:(?:was|is|has\s+been|had\s+been)\s+(?:picked|chosen|selected|designated|"
    r"declared|proclaimed|set)\s+as)\b")
# 'the first summit since 1999', 'the highest level since 2008': since in a comparison
_COMPARISON_BEFORE = re.compile(
    r"(?i:\b(?:first|highest|lowest|largest|biggest|smallest|best|worst|most|least|longest|"
    r"strongest|weakest|fastest|greatest|deepest|earliest|busiest|record)\b)[^,;]{0,40}$")
_TARGET_NAME_WORDS = frozenset({"strategy", "vision", "agenda", "concept", "programme", "program",
                                "plan", "doctrine", "roadmap", "horizon"})
_BACKGROUND_CUE = re.compile(
    r"(?i)\b(?:independen\w*|soviet|ussr|dissolution|collapse\s+of|born|died|death\s+of|"
    r"population|census|world\s+war|creation\s+of\s+the\s+united\s+nations)"
)
# a date that names a happening other than an initiative's: 'the terrorist attacks of 11 September
# 2001', 'the unrest of January 2022', 'the floods of 2024'
_HAPPENING_OF = re.compile(
    r"(?i)\b(?:attacks?|bombings?|wars?|crisis|crises|unrest|riots?|protests?|floods?|"
    r"earthquakes?|pandemic|outbreak|revolution|coup|invasion|collapse|events|elections?|"
    r"referendum|tragedy|disaster)\s*$")
_EVENT_VERB = re.compile(
    r"(?i)\b(?:propos\w*|initiat\w*|moot\w*|found\w*|establish\w*|held|hosted|convened|launch\w*|"
    r"signed|join\w*|adopt\w*|ratif\w*|elected|announc\w*)\b"
)
# a year-modified name: 'the 2010 Summit of ...', 'the 1999 Declaration', 'the 2002 Almaty Act'
_DETERMINER_BEFORE = re.compile(r"(?i:\b(?:the|its|a|an|this|that|their|his|her))\s+$")
_TITLE_AFTER = re.compile(
    r"\s+((?:[A-Z][\w'\-]*|of|the|on|for|and|in)(?:\s+(?:[A-Z][\w'\-]*|of|the|on|for|and|in))*)")
# 'EXPO 2017', 'Vision 2030': a capitalised word right before the year that is not a
# preposition, a month or a sentence opener
_NAME_WORD_BEFORE = re.compile(r"([A-Z][\w\-]*)\s+$")
_NOT_NAME_WORDS = words(
    """in on at by since from to until till for of during before after around about circa through
    between and or the a an early late mid back as year years summer winter spring autumn fall
    when while if but so then than up over under"""
) | frozenset(MONTHS)
_TITLE_BEFORE = re.compile(
    r"((?:[A-Z][\w'\-]*(?:'s)?\s+)(?:(?:[A-Z][\w'\-]*(?:'s)?|of|the|on|for|and|in)\s+)*)$")


def named_by_year(item: Found, folded: str, names: Names) -> str | None:
    """Role if the year is part of a name ('the 2010 Summit', 'Vision 2030'), else None."""
    if item.prep:
        return None
    before = folded[max(item.sentence.start, item.start - 12):item.start]
    after = _TITLE_AFTER.match(folded, item.end, item.sentence.end)
    if (_DETERMINER_BEFORE.search(before) or item.start == item.sentence.start) and after and \
            after.group(1)[0].isupper() and after.group(1).split()[0].lower() not in MONTHS:
        name_start, name_end = after.start(1), after.end(1)
        overlap = names.overlapping(name_start, name_end)
        if overlap:
            return "event" if overlap[0][2] else "background"
        first_word = after.group(1).split()[0].lower()
        return "target" if first_word in _TARGET_NAME_WORDS else "event"
    word = _NAME_WORD_BEFORE.search(folded, max(item.sentence.start, item.start - 30), item.start)
    if word and word.group(1).lower() not in _NOT_NAME_WORDS and \
            word.start(1) > item.sentence.start:
        return "target" if word.group(1).lower() in _TARGET_NAME_WORDS else "event"
    return None


def date_role(position: int, found: list[Found], folded: str,
          names: Names, published: PublicationDate | None) -> str:
    """Role of a date that is not part of a name (see the module docstring)."""
    item = found[position]
    if item.year is None:
        return "unresolved"
    sentence = item.sentence
    if item.prep in _PREP_TARGET:
        # 'by 2050' is a target; 'by 2018' in a 2020 article is a state reached by then, which
        # dates a figure but is no event
        return "target" if published is None or item.year > published.year else "background"
    before_text = folded[max(sentence.start, item.start - 40):item.start]
    target = _TARGET_BEFORE.search(before_text)
    # 'planned for 2030' is a target, 'planned for early May' the date of a meeting
    if target and not (item.month is not None and target.group().lower().startswith("plan")):
        return "target"
    if item.prep == "of" and _HAPPENING_OF.search(before_text):
        return "background"
    if item.kind == "day_month" and _is_calendar_day(item, folded, before_text):
        return "background"
    if item.prep == "since" and _COMPARISON_BEFORE.search(before_text):
        return "background"  # 'the first summit since 1999': a comparison, not an event
    if item.kind == "year_range" and _is_plan_title(item, folded, names):
        return "plan_period"
    if _has_background_cue(position, found, folded):
        return "background"
    return "event"


def _is_calendar_day(item: Found, folded: str, before_text: str) -> bool:
    """A day of the calendar rather than a dated happening.

    'marked every year on 29 August', 'the Day is observed on 29 August', '29 August was
    chosen as the date'.
    """
    if item.prep == "on" and (_EVERY_YEAR_BEFORE.search(before_text) or
                              _OBSERVED_DAY_BEFORE.search(before_text)):
        return True
    return bool(_CHOSEN_AS_AFTER.match(folded, item.end, item.sentence.end))


def _is_plan_title(item: Found, folded: str, names: Names) -> bool:
    """A range right after a document title ('... Concept of Foreign Policy (2020-2030)')."""
    head = folded[item.sentence.start:item.start].rstrip()
    if folded[item.start] == "(" or head.endswith("("):
        head = head.rstrip("(").rstrip()
    elif head.lower().endswith(" for"):
        head = head[:-4].rstrip()
    else:
        return False
    title = _TITLE_BEFORE.search(head + " ")
    if not title or len(title.group(1).split()) < 2:
        return False
    title_start = item.sentence.start + title.start(1)
    title_end = item.sentence.start + len(head)
    return not any(is_initiative for _, _, is_initiative in
                   names.overlapping(title_start, title_end))


def _has_background_cue(position: int, found: list[Found], folded: str) -> bool:
    """A history cue (independence, Soviet Union, population ...) next to the date.

    Only the text between this date and its neighbours counts, 40 characters before and 60
    after at most, and not past an event verb ('became independent in 1991 and proposed CICA
    in 1992' keeps 1992 an event).
    """
    item = found[position]
    sentence = item.sentence
    # finds are sorted and never overlap: the neighbours are the finds right before and after
    previous_end = max(sentence.start, item.start - 40)
    if position and found[position - 1].sentence is sentence:
        previous_end = max(previous_end, found[position - 1].end)
    next_start = min(sentence.end, item.end + 60)
    if position + 1 < len(found) and found[position + 1].sentence is sentence:
        next_start = min(next_start, found[position + 1].start)
    before = folded[previous_end:item.start]
    after = folded[item.end:next_start]
    cue = None
    for match in _BACKGROUND_CUE.finditer(before):
        cue = before[match.end():]
    if cue is not None and not _EVENT_VERB.search(cue):
        return True
    later = _BACKGROUND_CUE.search(after)
    return bool(later and not _EVENT_VERB.search(after[:later.start()]))
