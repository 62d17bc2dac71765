"""Which type of event a date gets: from its range, the words before it, the verbs and
meeting nouns of its clause, or a name it is part of; then refined (proposed, first edition,
scheduled). The order of the rules is in the docstring of `events.py`.
"""

from __future__ import annotations

import re

from etl.model import DateMention, PublicationDate

from .event_context import (
    FIRST_BEFORE,
    Context,
    after_publication,
    leading,
)
from .mentions import EntityMention
from .triggers import Trigger

# 'in Almaty', 'at Dushanbe, Tajikistan' between a meeting and its date: one or two words of
# letters, not a year or a conjunction ('the first summit in 2002 and today' has no place)
_PLACE = (r"(?:(?:in|at)\s+(?!(?:and|or|but|the|a|an|in|on)\b)[a-z][a-z\-]*"
          r"(?:,?\s+(?!(?:and|or|but|in|on)\b)[a-z][a-z\-]*)?,?\s+)?")
# words right before the date that decide the type
_LOCAL_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:an?\s+)?observer\b[^,;]{0,40}\bsince\s*$"), "observer_joined"),
    (re.compile(r"\b(?:an?\s+)?(?:full\s+)?member\b[^,;]{0,40}\bsince\s*$"), "joined"),
    (re.compile(r"\b(?:function(?:ing|ed|s)?|operat(?:ing|ional|ed|es)|in\s+operation|"
                r"at\s+work|working)\s+since\s*$"), "started"),
    (re.compile(r"(?:dat(?:ing|es|ed)|go(?:es|ing)?|traces?|tracing)\s+back\s+to\s*$"), "started"),
    (re.compile(r"\blast\s+(?:one\s+|being\s+|edition\s+|time\s+|meeting\s+|summit\s+|session\s+)?"
                r"(?:being\s+|was\s+)?(?:held\s+|took\s+place\s+|met\s+|convened\s+|gathered\s+)?"
                r"(?:in|on)?\s*$"), "held"),
    (re.compile(r"\b(?:first|initially)\s+(?:held|convened|organi[sz]ed|hosted|took\s+place|met)"
                r"\s+(?:[\w\-]+\s+){0,3}?(?:in|on)?\s*$"), "first_held"),
    (re.compile(r"\b(?:first|inaugural|1st|maiden)\s+(?:[\w\-]+\s+){0,3}?(?:summit|meeting|"
                r"session|edition|congress|forum|conference|assembly|round|gathering|ministerial)"
                r"s?\s+(?:was\s+held\s+|held\s+|took\s+place\s+|convened\s+)?" + _PLACE +
                r"(?:in|on)?\s*$"),
     "first_held"),
)
# 'its seventh gathering in September 2022', 'the fourth CICA summit in Shanghai in': an edition
# of the subject's meetings, dated (used when no event verb goes with the date)
EDITION_BEFORE = re.compile(
    r"\b(?:its|their|the)\s+(?:[\w\-]+,?\s+)?(?:second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|\d{1,2}(?:st|nd|rd|th)|previous|last|latest)\s+"
    r"(?:[\w\-]+\s+)?(?:summit|meeting|session|edition|congress|forum|conference|assembly|round|"
    r"gathering|ministerial)s?\s+" + _PLACE + r"(?:in|on)?\s*$")
_RELATIVE_LEADS = frozenset(
    {"last", "this", "next", "the", "earlier", "later", "end", "early", "late", "mid"})
_DOCUMENT_WORDS = frozenset(
    {"declaration", "act", "charter", "treaty", "convention", "statute", "statutes", "agreement",
     "protocol", "resolution", "memorandum", "catalogue", "catalog", "accord", "pact",
     "communique", "document", "documents", "principles", "regulations", "rules"})
_MEETING_WORDS = frozenset(
    {"summit", "forum", "congress", "conference", "meeting", "session", "assembly", "games",
     "expo", "exhibition", "ministerial", "round"})
_TITLE_AFTER_YEAR = re.compile(r"\s+((?:[A-Z][\w'\-]*|of|the|on|for|and|in)"
                               r"(?:\s+(?:[A-Z][\w'\-]*|of|the|on|for|and|in))*)")
# how far (characters) a verb may be from its date when looking forward / backward; a fronted
# date ('In 2019, Kazakhstan together with ... launched') reaches further forward
_FORWARD_REACH = 80
_FRONTED_REACH = 160
_BACKWARD_REACH = 160
_NOUN_REACH = 60
# a meeting that began ('the three-day forum that began on May 14', 'the talks started'): held
_MEETING_BEFORE_START = re.compile(
    r"\b(?:summit|event|forum|meeting|session|congress|conference|talks|round|assembly|"
    r"negotiations|exhibition|expo|games)s?\s+(?:that\s+|which\s+)?(?:has\s+|had\s+|have\s+)?"
    r"(?:officially\s+|formally\s+)?$")
# an act of taking over a rotating chair: a range after it dates the start of the term
# ('took over the rotating chairmanship for 2024-2026'), where 'chaired it from 2020 to 2022'
# is a period
_TAKE_OVER = re.compile(
    r"\b(?:took|taken|takes|take|taking|assumed|assumes|assume|assuming|handed|passed|"
    r"hand(?:s|ing)?|pass(?:es|ing)?)\s+(?:on|over)?\b|\bwill\s+be\s+assumed\b|"
    r"chairmanship-in-office")
# what may stand before a date that opens a sentence: punctuation and one label word ('date')
_OPENING = re.compile(r"[\W_]*(?:[a-z]+[\W_]+)?")
# a date set off by commas right after a verb interrupts that verb's phrase
_COMMA_ONLY = re.compile(r"\s*,\s*")
_SHORT_LEAD = re.compile(r"\s*(?:[\w\-]+\s+){0,3}")  # 'in Tashkent ' before 'on 9 May'


def type_for_date(date: DateMention, start: int, end: int, context: Context, clause: int,
                  verbs: list[Trigger], present: bool, local_type: str | None
                  ) -> tuple[str | None, str]:
    """Event type from the range, the words before the date, the verbs and nouns, and the
    rule that gave it (etl/extract/evidence.py)."""
    if date.end_year is not None and date.end_year > (date.year or 0):
        if any(t.event_type == "chairmanship" and t.clause == clause for t in context.triggers) \
                and _TAKE_OVER.search(context.text[slice(*context.clauses[clause])]):
            # 'took over the rotating chairmanship for 2024-2026'
            return "chairmanship", "year_range"
        return "period", "year_range"
    if date.basis == "recurrence":
        return "first_held", "recurrence"
    if local_type is not None:
        return local_type, "local_words"
    verb = nearest_verb(start, end, context.text, clause, context.clauses, verbs)
    if verb is not None:
        return verb.event_type, "verb_in_clause"
    if date.basis == "from_name":
        name_type = _type_from_name(context.cased, end)
        if name_type:
            return name_type, "name_year"
    if present:
        return None, ""
    nouns = [t for t in context.triggers if t.event_type == "noun_held" and t.clause == clause
             and not context.text.startswith("'s", t.end)]  # "the forum's catalogue": an owner
    near = [t for t in nouns
            if _gap_without_names(t.end, start, context) <= _NOUN_REACH or
            _gap_without_names(end, t.start, context) <= _NOUN_REACH]
    return ("held", "meeting_noun") if near else (None, "")


def type_from_words_before(local: str) -> str | None:
    """The type the words right before a date (`words_before`) give ('held since', 'the last
    being in')."""
    for pattern, event_type in _LOCAL_RULES:
        if pattern.search(local):
            return event_type
    return None


def words_before(date: DateMention, start: int, context: Context, clause: int) -> str:
    """Up to 60 characters of the date's clause before it, plus its leading preposition.

    Words of a relative date ('last June', 'this year') are not prepositions and are left out,
    so 'declared last June' does not read as 'the last being in'.
    """
    clause_start = context.clauses[clause][0]
    lead = " ".join(w for w in leading(date.expression).split() if w not in _RELATIVE_LEADS)
    return context.text[max(clause_start, start - 60):start] + (lead + " " if lead else "")


def nearest_verb(start: int, end: int, text: str, clause: int,
                 clauses: list[tuple[int, int]], verbs: list[Trigger]) -> Trigger | None:
    """The event verb of the date's clause that the date goes with (see the module docstring)."""
    same = [t for t in verbs if t.clause == clause]
    before = [t for t in same if t.end <= start and start - t.end <= _BACKWARD_REACH]
    segment_start = max(clauses[clause][0], text.rfind(",", 0, start) + 1)
    if before and _COMMA_ONLY.fullmatch(text, before[-1].end, segment_start) and \
            _SHORT_LEAD.fullmatch(text, segment_start, start) and text.startswith(",", end):
        return before[-1]  # 'attending, in Tashkent on 9 May, the council': the verb it interrupts
    fronted = (re.match(r"\s*\)?\s*,", text[end:end + 4]) is not None and
               not any(t.start >= segment_start for t in before)) or \
        _OPENING.fullmatch(text, 0, start) is not None  # a date opening the sentence: a dateline
    reach = _FRONTED_REACH if fronted or not before else _FORWARD_REACH
    after = [t for t in same if t.start >= end and t.start - end <= reach]
    if fronted and after:
        return after[0]
    if before:
        return before[-1]
    if after and after[0].start - end <= _FORWARD_REACH:
        return after[0]
    return None


def _gap_without_names(low: int, high: int, context: Context) -> int:
    """Characters from `low` to `high` (sentence-relative), a name in between not counted:
    'the summit that the <long official name> (ACR) convened in Tashkent on 9 May' is as
    close as 'the summit that SCO convened in Tashkent on 9 May'."""
    if high <= low:
        return 0 if high == low else _NOUN_REACH + 1
    offset = context.sentence.start
    names = sum(min(m.end - offset, high) - max(m.start - offset, low) for m in context.mentions
                if low <= m.start - offset and m.end - offset <= high)
    return high - low - names


def _type_from_name(text: str, end: int) -> str | None:
    """'the 2002 Almaty Act' -> approved; 'the 2022 Summit' -> held."""
    title = _TITLE_AFTER_YEAR.match(text, end)
    if not title:
        return None
    for word in title.group(1).lower().split():
        if word in _DOCUMENT_WORDS:
            return "approved"
        if word in _MEETING_WORDS:
            return "held"
    return None


def adjust(event_type: str, date: DateMention, start: int, clause: int, context: Context,
           mention: EntityMention, published: PublicationDate | None) -> str:
    """Refine a type: 'announced ... proposing' -> proposed, first edition, future.

    Future means a future-tense verb in the date's own clause ('Azerbaijan, which signed ... in
    1999, will host ...' keeps 1999 signed) or a date after publication; a term that starts
    after publication ('is to lead the body from 2024 to 2026') is scheduled too.
    """
    triggers = context.triggers
    if event_type == "announced" and any(
            t.event_type == "proposed" and t.start > start - 120 for t in triggers):
        return "proposed"
    if event_type == "announced" and any(
            t.event_type == "approved" and t.clause == clause and t.start > start
            for t in triggers):
        return "approved"  # 'declared on 17 November by the council through the adoption of'
    if event_type == "started" and any(
            t.event_type == "started" and t.clause == clause and
            _MEETING_BEFORE_START.search(context.text, max(0, t.start - 40), t.start)
            for t in triggers):
        event_type = "held"  # 'the three-day forum that began on May 14'
    if event_type == "held":
        m_start = mention.start - context.sentence.start
        if FIRST_BEFORE.search(context.text[max(0, m_start - 40):m_start]):
            event_type = "first_held"
    if event_type == "period":
        # a term after publication is scheduled ('is to lead the body from 2024 to 2026'),
        # unless it is the term of an election the sentence reports ('elected for 2017-2018')
        elected = any(t.event_type == "elected" and t.clause == clause for t in triggers)
        return "scheduled" if after_publication(date, published) and not elected else event_type
    if event_type not in ("started", "proposed", "announced"):
        scheduled = any(t.event_type == "scheduled" and t.clause == clause for t in triggers)
        if scheduled or after_publication(date, published):
            return "scheduled"
    return event_type
