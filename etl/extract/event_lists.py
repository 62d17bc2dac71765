"""Dates that share an event with the one before them: items of a list ('summits in 2002, 2006
and 2010') take the previous item's initiative and type, and a second milestone joined by 'and'
('founded in 2001 and adopted its charter') shares the date.
"""

from __future__ import annotations

import re
from dataclasses import replace

from etl.model import DateMention, Event, PublicationDate

from .event_context import (
    COMPARISON_BETWEEN,
    PAST_VERB,
    PRESENT_WORDS,
    Context,
    after_publication,
    leading,
    make_event,
    next_to_cancellation,
)
from .text import clause_index

# how long (characters) the stretch between two dated items of a list may be
_LIST_GAP = 80
# a subject or a finite verb between two dates: a new clause, not the next item of a list
_CLAUSE_IN_GAP = re.compile(
    r"\b(?:it|they|he|she|we|which|who|that|its|their|is|are|was|were|has|have|had|will|"
    r"would|[a-z]+ed)\b")
# 'met in 1999 and signed ...': what a verb joined to a date's verb by 'and' may be
_AND_THEN = re.compile(r"\s*,?\s*and\s+(?:then\s+|later\s+|also\s+|formally\s+|officially\s+)?")
_COORDINATED_TYPES = frozenset({"signed", "approved", "joined", "observer_joined", "founded",
                                "elected", "launched"})


def list_item(before: DateMention, date: DateMention, context: Context) -> bool:
    """Whether a date continues a list after the previous dated item of the sentence.

    'summits in 2002, 2006 and 2010', 'Qatar joined in 2014, Malaysia in 2013 and
    Jordan in 2015', 'the first was held in May 2005; a further one came in October 2005':
    between the two dates stand only names, numbers and connectors (no event word, no other
    initiative, no more than a short stretch), and no event word of its own follows the date
    before the next date or the clause's end.
    """
    sentence_start = context.sentence.start
    low, high = before.end - sentence_start, date.start - sentence_start
    if high - low > _LIST_GAP or PRESENT_WORDS.match(date.expression.strip()):
        return False  # 'the first summit in 2002 and today ...' is no list
    if _is_range(before) != _is_range(date) or _CLAUSE_IN_GAP.search(context.text, low, high):
        return False  # 'elected in 2016 and sat ... in 2017-2018', '..., and it received ...'
    if leading(date.expression) == "since" or COMPARISON_BETWEEN.search(context.text, low, high):
        return False  # '... in 2017, alongside the Geneva talks ongoing since 2012'
    if any(low <= m.start - sentence_start < high for m in context.mentions):
        return False
    clause = clause_index(context.clauses, high)
    clause_end = context.clauses[clause][1]
    following = [s for s, _ in context.date_spans if s > high]
    stop = min([clause_end] + following)
    return not any(
        t.event_type != "noun_held" and (low <= t.start < high or date.end - sentence_start
                                         <= t.start < stop)
        for t in context.triggers)


def _is_range(date: DateMention) -> bool:
    """Whether a date spans years ('2017-2018')."""
    return date.end_year is not None and date.end_year != date.year


def inherited_event(previous: Event, date: DateMention, before: DateMention,
                    context: Context, published: PublicationDate | None) -> Event | None:
    """The event of a list item: the previous item's initiative and type, for this date.

    A later item of a list is not the first edition ('first held in 2002, then in 2006'), and
    an 'observers' word between joining items turns them into observers ('Qatar joined in
    2014, along with two observers, Malaysia in 2013 ...').
    """
    sentence_start = context.sentence.start
    start, end = date.start - sentence_start, date.end - sentence_start
    if next_to_cancellation(start, end, context):
        return None
    event_type = previous.event_type
    gap = context.text[before.end - sentence_start:start]
    if event_type == "first_held":
        event_type = "held"
    elif event_type == "joined" and re.search(r"\bobservers?\b", gap):
        event_type = "observer_joined"
    if event_type == "scheduled" and not after_publication(date, published) and \
            not any(t.event_type == "scheduled" for t in context.triggers):
        event_type = "held"
    elif event_type != "scheduled" and after_publication(date, published):
        event_type = "scheduled"
    return make_event(previous.initiative_id, event_type, date, context.sentence, "list_item",
                      previous.initiative_sentence_no)


def coordinated(event: Event, date: DateMention, context: Context) -> Event | None:
    """A second milestone sharing the date through 'and' right after it, or None.

    'first met in September 1999 and signed a declaration', 'was founded in 2001 and
    adopted its charter': a past verb of another milestone type that follows the date, joined
    by 'and', happened on the same date, unless its clause dates it itself.
    """
    if event.rule not in ("verb_in_clause", "local_words"):
        return None
    end = date.end - context.sentence.start
    for trigger in context.triggers:
        if trigger.start < end:
            continue
        if not _AND_THEN.fullmatch(context.text, end, trigger.start) or \
                trigger.event_type not in _COORDINATED_TYPES or \
                trigger.event_type == event.event_type or \
                not PAST_VERB.match(context.text, trigger.start):
            return None
        clause_end = context.clauses[trigger.clause][1]
        if any(trigger.start < s < clause_end for s, _ in context.date_spans):
            return None  # 'signed it on 2 March 2018 and ratified it on 29 August 2019'
        return replace(event, event_type=trigger.event_type)
    return None
