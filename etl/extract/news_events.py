"""Milestones of undated sentences: the day's news, and what happened at a meeting dated earlier.

A sentence without a date of its own still reports an event when it tells the news of the day
('has been admitted', 'the congress, which is under way, approved ...': dated at publication)
or a milestone at a meeting an earlier sentence dated ('The summit adopted ...', 'During the
meeting, X became a member': dated by that meeting). `events.py` calls both per sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from etl.model import DateMention, Event, PublicationDate

from .event_context import PAST_VERB, Context, make_event, treaty_in_force, venue_of_another
from .mentions import EntityMention
from .text import NUMBER_PATTERN, clause_index
from .triggers import MEETING_NOUNS, Trigger

# an undated sentence that reports current news: a one-off milestone in the present perfect
# ('has been admitted', 'has handed over the chairmanship') or at a meeting going on now ('the
# congress is under way', 'during the ongoing session'); it took place around the publication date
_PERFECT_BEFORE = re.compile(
    r"\b(?:has|have)\s+(?:(?:just|now|officially|formally|finally|also|today)\s+)?"
    r"(?:been\s+)?(?:(?:officially|formally|unanimously)\s+)?$")
_NOW_MARKER = re.compile(
    r"\b(?:is|are)\s+(?:now\s+|currently\s+)?(?:in\s+full\s+swing|under\s?way|taking\s+place|"
    r"being\s+held)\b|\b(?:at|during)\s+(?:the\s+|this\s+)?(?:current|ongoing|present)\s+"
    r"(?:[\w\-]+\s+)?" + MEETING_NOUNS + r"\b")
# present perfects of experience or duration, not of news ('has chaired it twice', 'has long')
_EXPERIENCE = re.compile(
    r"\b(?:ever|never|so\s+far|times|twice|repeatedly|already|long|since|traditionally|"
    r"regularly|always|often|until|yet)\b")
# a term a post is held for ('elected ... for 2017-2018'): not when it was won
_TERM_BEFORE = re.compile(r"\bfor\s+(?:the\s+)?(?:period\s+|term\s+)?$")
_IRREGULAR_PARTICIPLES = frozenset({"taken", "won", "chosen", "begun"})
# 'has been ratified by 68 countries': a running count of states, not the news of one act
_BY_A_COUNT = re.compile(r"\s+by\s+(?:only\s+|some\s+|about\s+)?" + NUMBER_PATTERN +
                         r"\s+(?:[\w\-]+\s+)?(?:countries|states|members|nations|parties)\b")
_NEWS_TYPES = frozenset({"joined", "observer_joined", "elected", "chairmanship", "approved",
                         "signed", "launched"})
# 'The summit adopted ...', 'During this meeting, X joined': a meeting an earlier sentence dated
_MEETING_REFERENCE = re.compile(
    r"\b(?:the|this|that)\s+(?:same\s+)?(?:summit|meeting|session|forum|congress|conference|"
    r"gathering|ministerial)(?![\w\-])(?!\s+(?:of|on|in|for|with)\b)")
# what can happen at a meeting, and how many sentences after its date it is remembered
_AT_MEETING_TYPES = frozenset({"joined", "observer_joined", "approved", "signed", "elected",
                               "announced", "proposed", "chairmanship", "launched", "founded"})
_MEETING_MEMORY = 6
# a meeting named only as a point in time ('Following this summit'), a milestone not yet done
_AROUND_A_MEETING = re.compile(
    r"\b(?:following|after|before|ahead\s+of|since|until|prior\s+to|on\s+the\s+eve\s+of)\s+$")
_NOT_YET = re.compile(r"\b(?:to\s+be|will(?:\s+\w+)?\s+be|to|will|would|could|may|might|shall)"
                      r"\s+(?:\w+\s+)?$")


def _dated_clauses(context: Context, dates: Sequence[DateMention]) -> set[int]:
    """The clauses of a sentence that carry an event date of their own (not a term's)."""
    offset = context.sentence.start
    return {clause_index(context.clauses, d.start - offset) for d in dates
            if d.role == "event" and d.year is not None and
            not _TERM_BEFORE.search(context.text, max(0, d.start - offset - 12),
                                    d.start - offset)}


def at_the_meeting(context: Context, initiatives: list[EntityMention],
                    dates: Sequence[DateMention], meetings: dict[str, Event]
                    ) -> list[tuple[Trigger, Event]]:
    """Milestones of an undated clause that happened at a meeting dated earlier.

    'The summit adopted the Act', 'During the meeting, Korea became a member': a definite
    reference to a meeting (not 'the meeting of ...', which names another) before the milestone's
    word dates it when an earlier sentence of the article, at most `_MEETING_MEMORY` sentences
    back, dated a meeting of the same initiative. Each trigger gives at most one event, on the
    meeting's date.
    """
    reference = _MEETING_REFERENCE.search(context.text) if meetings else None
    if reference is None or _AROUND_A_MEETING.search(
            context.text, max(0, reference.start() - 20), reference.start()):
        return []  # 'Following this summit, ...' is not at it
    dated = _dated_clauses(context, dates)
    found = []
    for trigger in context.triggers:
        if trigger.event_type not in _AT_MEETING_TYPES or trigger.clause in dated or \
                trigger.start < reference.end() or \
                not PAST_VERB.match(context.text, trigger.start) or \
                _NOT_YET.search(context.text, max(0, trigger.start - 20), trigger.start):
            continue  # 'the adoption of', 'are due to be signed', 'will be taken over'
        mention = _subject_of_news(trigger, context, initiatives)
        meeting = meetings.get(mention.entity_id) if mention is not None else None
        if mention is None or meeting is None or \
                context.sentence.sentence_no - meeting.sentence_no > _MEETING_MEMORY:
            continue
        event_type = treaty_in_force(trigger.event_type, mention, trigger.clause, context) \
            if trigger.event_type == "approved" else trigger.event_type
        start = context.sentence.start + reference.start()
        date = DateMention(sentence_no=context.sentence.sentence_no,
                           expression=context.cased[reference.start():reference.end()],
                           start=start, end=start + len(reference.group()), year=meeting.year,
                           month=meeting.month, day=meeting.day, basis="from_context",
                           role="event")
        found.append((trigger, make_event(mention.entity_id, event_type, date, context.sentence,
                                      "verb_in_clause", mention.named_in)))
    return found


def current_news(context: Context, initiatives: list[EntityMention],
                  dates: Sequence[DateMention], published: PublicationDate,
                  taken: set[int]) -> list[Event]:
    """Events of an undated clause that reports the news of the day, dated at publication.

    A milestone verb in the present perfect ('has been admitted', 'has handed over the
    chairmanship') or any milestone at a meeting going on now ('the congress, which is under
    way, approved ...', 'during the ongoing session ... was admitted') happened around the
    publication date. Perfects of experience ('has chaired it twice', 'has long been') and
    meetings in general are left out: they need a written date.
    """
    now = _NOW_MARKER.search(context.text) is not None
    dated_clauses = _dated_clauses(context, dates)
    found = []
    for trigger in context.triggers:
        if trigger.event_type not in _NEWS_TYPES or trigger.clause in dated_clauses or \
                id(trigger) in taken:
            continue
        clause_text = context.text[slice(*context.clauses[trigger.clause])]
        word = context.text[trigger.start:trigger.end].split()[0]
        perfect = (word.endswith("ed") or word in _IRREGULAR_PARTICIPLES) and \
            _PERFECT_BEFORE.search(context.text, max(0, trigger.start - 40),
                                   trigger.start) is not None
        if not (now or perfect) or _EXPERIENCE.search(clause_text) or \
                _BY_A_COUNT.match(context.text, trigger.end):
            continue
        mention = _subject_of_news(trigger, context, initiatives)
        if mention is None:
            continue
        event_type = treaty_in_force(trigger.event_type, mention, trigger.clause, context) \
            if trigger.event_type == "approved" else trigger.event_type
        date = DateMention(sentence_no=context.sentence.sentence_no, expression="",
                           start=context.sentence.start, end=context.sentence.start,
                           year=published.year, month=published.month,
                           basis="publication_year", role="event")
        found.append(make_event(mention.entity_id, event_type, date, context.sentence,
                            "current_news", mention.named_in))
    return found


def _subject_of_news(trigger: Trigger, context: Context,
                     initiatives: list[EntityMention]) -> EntityMention | None:
    """The initiative a current-news trigger is about: the nearest one of its clause, else the
    sentence's only initiative."""
    offset = context.sentence.start
    in_clause = [m for m in initiatives
                 if clause_index(context.clauses, m.start - offset) == trigger.clause and
                 not venue_of_another(m, context)]
    if in_clause:
        return min(in_clause, key=lambda m: abs(m.start - offset - trigger.start))
    if len({m.entity_id for m in initiatives}) == 1:
        return initiatives[0]
    return None
