"""What the event rules share: a sentence as they see it, and the Event records they make.

`Context` is one sentence with its clauses, event words, date spans and mentions; `make_event`
turns an initiative, type and date into the Event record with its rule and confidence. Both the
dated rules (`events.py` and its `event_*` modules) and the undated ones (`news_events.py`)
build on them, and on the readings of a date they share: its leading preposition, whether it
lies after publication, whether a cancellation stands next to it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from etl.model import DateMention, Event, PublicationDate, Sentence

from .evidence import UNRATED_RULE, confidence
from .mentions import EntityMention
from .triggers import Trigger, venue_mention

# a founding treaty right before the body it founds ('the agreement on the Customs
# Union', 'the convention aimed at creating the secretariat')
_TREATY_ON = re.compile(
    r"\b(?:treaty|agreement|charter|convention|statute)\s+(?:on|of|establishing|(?:aimed\s+at|"
    r"on)\s+(?:establishing|creating|the\s+establishment\s+of))\s+(?:the\s+)?$")
# a milestone told as done: a past verb ('adopted', 'became a member', 'took over')
PAST_VERB = re.compile(r"(?:[a-z]+ed|became|won|chosen|took|taken|made)\b")
# prepositions a date expression may start with ('in 2013', 'back in 1992', 'Since 2016')
_LEADING_WORDS = frozenset(
    {"back", "in", "on", "since", "by", "from", "between", "during", "until", "till", "before",
     "after", "around", "circa", "through", "throughout", "toward", "towards", "ahead", "of",
     "early", "late", "mid", "as", "at", "the", "end", "last", "this", "next", "earlier", "later"})
# how far (characters) a cancellation may be from a date it cancels
_CANCEL_REACH = 40
# a date that is the present ('today', 'this year'): it continues no list and takes no
# type from an earlier sentence
PRESENT_WORDS = re.compile(r"(?i)^(?:today|now|currently|this\s+week|this\s+month|this\s+year)$")
# the first edition named right before ('its first summit', 'the inaugural forum')
FIRST_BEFORE = re.compile(r"\b(?:first|inaugural|maiden|1st)\s+(?:[\w\-]+\s+){0,3}$")
# a comparison between the initiative and the date: '... the Vienna talks, alongside the
# Minsk format in place since 2014' dates the other one
COMPARISON_BETWEEN = re.compile(
    r"\b(?:alongside|unlike|compared\s+(?:with|to)|in\s+contrast\s+to|as\s+opposed\s+to|"
    r"similar\s+to|just\s+like|rather\s+than|instead\s+of|in\s+parallel\s+(?:with|to))\b")


@dataclass(frozen=True)
class Context:
    """One sentence as the event rules see it (offsets relative to the sentence)."""

    sentence: Sentence
    text: str  # lower-cased, folded
    cased: str  # folded, original case (for capitalised names)
    clauses: list[tuple[int, int]]
    triggers: list[Trigger]
    date_spans: list[tuple[int, int]]
    lookalikes: list[EntityMention]
    mentions: list[EntityMention]  # every entry named or referred to in the sentence
    # `venue_of_another` answers already worked out for this sentence's mentions
    venues: dict[tuple[int, int, str], bool] = field(default_factory=dict, compare=False)
    # whether `date_spans` are in reading order and disjoint (then `between_dates` bisects)
    dates_in_order: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        spans = self.date_spans
        object.__setattr__(self, "dates_in_order", len(spans) >= _DATES_TO_BISECT and all(
            s <= e for s, e in spans) and all(
            spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)))

    def between_dates(self, a: int, b: int) -> bool:
        """Whether another date lies strictly between offsets a and b."""
        low, high = min(a, b), max(a, b)
        spans = self.date_spans
        if not self.dates_in_order:
            return any(low <= s and e <= high for s, e in spans)
        # dates in reading order and disjoint: the first one starting at `low` or later ends
        # first, so it alone decides (one bisection, not a scan per question)
        i = bisect.bisect_left(spans, (low,))
        return i < len(spans) and spans[i][1] <= high

# a sentence with this many dates answers `between_dates` by bisection
_DATES_TO_BISECT = 8


def make_event(initiative_id: str, event_type: str, date: DateMention, sentence: Sentence,
           rule: str, named_in: int | None) -> Event:
    """The Event record of an initiative, type and date read from a sentence, with the rule
    that typed it and the sentence that names the initiative (etl/extract/evidence.py)."""
    return Event(
        initiative_id=initiative_id,
        event_type=event_type,
        year=date.year or 0,
        sentence_no=sentence.sentence_no,
        sentence=sentence.text,
        month=date.month,
        day=date.day,
        end_year=date.end_year,
        end_month=date.end_month,
        end_day=date.end_day,
        date_text=date.expression,
        date_basis=date.basis,
        rule=rule,
        initiative_sentence_no=sentence.sentence_no if named_in is None else named_in,
        confidence=confidence(rule or UNRATED_RULE, date.basis,
                              0 if named_in is None else abs(sentence.sentence_no - named_in)),
    )


def treaty_in_force(event_type: str, mention: EntityMention, clause: int,
                     context: Context) -> str:
    """What a treaty coming into force means for the body it is about.

    'the treaty on the Customs Union ... came into force on 1 July 2010' founds the
    union; 'the treaty on Kyrgyzstan's accession ... came into force' is Kyrgyzstan joining
    it. Other approvals (a body adopting a document) keep their type.
    """
    if not any(t.clause == clause and context.text.startswith(("entered", "came"), t.start)
               for t in context.triggers if t.event_type == "approved"):
        return event_type
    clause_text = context.text[slice(*context.clauses[clause])]
    if re.search(r"\baccession\b", clause_text):
        return "joined"
    m_start = mention.start - context.sentence.start
    if _TREATY_ON.search(context.text, max(0, m_start - 40), m_start):
        return "founded"
    return event_type


def venue_of_another(mention: EntityMention, context: Context) -> bool:
    """Whether a mention only names the setting of the clause's event.

    'proposed at the <body> ministerial meeting', 'at the session of the Council of Foreign
    Ministers of <body>', 'on the sidelines of <body>', 'an institution within <body>': the body
    hosts the event, as does a site in 'signed at the <site>'; another initiative of the
    sentence, when there is one, is its subject.
    """
    key = (mention.start, mention.end, mention.entity_id)
    answer = context.venues.get(key)
    if answer is None:
        answer = context.venues[key] = venue_mention(mention, context.sentence.start,
                                                      context.text, context.mentions)
    return answer


def leading(expression: str) -> str:
    """The preposition(s) a date expression starts with ('in', 'back in', 'since'), lower-case."""
    lead = []
    for word in expression.lower().split():
        if word not in _LEADING_WORDS:
            break
        lead.append(word)
    return " ".join(lead)


def after_publication(date: DateMention, published: PublicationDate | None) -> bool:
    """Whether the date lies after the publication date, at the precision both are known."""
    if published is None or date.year is None:
        return False
    if date.year != published.year:
        return date.year > published.year
    if date.month is None or published.month is None:
        return False
    if date.month != published.month:
        return date.month > published.month
    if date.day is None or published.day is None:
        return False
    return date.day > published.day


def next_to_cancellation(start: int, end: int, context: Context) -> bool:
    """Whether a cancellation ('was cancelled', 'was postponed') is next to the date."""
    for trigger in context.triggers:
        if trigger.event_type != "cancelled":
            continue
        if trigger.start >= end:
            gap = trigger.start - end
            middle = (end, trigger.start)
        else:
            gap = start - trigger.end
            middle = (trigger.end, start)
        if 0 <= gap <= _CANCEL_REACH and not context.between_dates(*middle) and not any(
                t.event_type not in ("noun_held", "cancelled") and
                middle[0] <= t.start < middle[1] for t in context.triggers):
            return True
    return False
