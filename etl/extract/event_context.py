"""What the event rules share: a sentence as they see it, and the Event records they make.

`Context` is one sentence with its clauses, event words, date spans and mentions; `event`
turns an initiative, type and date into the Event record with its rule and confidence. Both the
dated rules (`events.py`) and the undated ones (`news_events.py`) build on them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from etl.model import DateMention, Event, Sentence

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
