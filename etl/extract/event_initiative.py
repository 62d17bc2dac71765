"""Which initiative a dated event is about, when its sentence names several.

The one whose name holds the date ('EXPO 2017'), else the nearest mention in the date's
clause, else the nearest in the sentence. A mention the clause only compares with ('as a
successor to X') is taken only when there is no other, a body that only hosts the event gives
way to its subject, and a verb acting on another initiative ('approved the statute of the
IOFS') dates that one. A look-alike joined or signed right before the date ('acceded to the NPT
in 1993') takes the date away, and so does a comparison ('alongside the Geneva talks ongoing
since 2011').
"""

from __future__ import annotations

import re

from etl.model import DateMention

from .event_context import (
    COMPARISON_BETWEEN,
    Context,
    venue_of_another,
)
from .gazetteer import Gazetteer
from .mentions import EntityMention
from .text import clause_index
from .triggers import Trigger

# a verb whose object is a treaty or body: 'acceded to the NPT', 'joined the SCO'
_OBJECT_VERB_BEFORE = re.compile(
    r"\b(?:acced(?:ed|es|ing)|join(?:ed|s|ing)?|signed|ratif(?:ied|ies|ying)|withdrew|left|"
    r"accession)\s+(?:to\s+)?(?:the\s+)?$")
# a mention compared with, or replaced by, the subject ('as a successor to the Astana Economic
# Forum', 'like the Munich Security Conference'): not what a date of the clause is about
_COMPARED_BEFORE = re.compile(
    r"\b(?:(?:successor|predecessor|counterpart|answer|alternative|rival|equivalent|heir)\s+"
    r"(?:to|of)|replac(?:e|ed|es|ing)|instead\s+of|rather\s+than|unlike|like|such\s+as|"
    r"similar\s+to|modell?ed\s+(?:on|after)|compared\s+(?:to|with))\s+(?:the\s+)?$")
# how far after a verb (characters) its object may be named
_OBJECT_REACH = 40


def initiative_for_date(date: DateMention, start: int, end: int, clause: int,
                        context: Context, initiatives: list[EntityMention],
                        gazetteer: Gazetteer) -> tuple[EntityMention | None, bool]:
    """The initiative a date belongs to, and whether it is in the date's clause.

    A mention the clause only compares its subject with ('as a successor to X', 'like X') is
    taken only when there is no other.
    """
    sentence, clauses = context.sentence, context.clauses
    for mention in initiatives:
        if mention.start <= date.start and date.end <= mention.end:
            return mention, True
    candidates = [m for m in initiatives if not _COMPARED_BEFORE.search(
        context.text, max(0, m.start - sentence.start - 40), m.start - sentence.start)]
    candidates = candidates or initiatives
    hosts = [m for m in candidates if not venue_of_another(m, context)]
    candidates = hosts or candidates
    if date.basis == "from_name":
        # a year naming a document or meeting that is not in the gazetteer belongs to an
        # initiative that can own one (not to another document)
        owners = [m for m in candidates if gazetteer.by_id[m.entity_id].kind != "document"]
        candidates = owners or candidates

    def gap(mention: EntityMention) -> int:
        m_start, m_end = mention.start - sentence.start, mention.end - sentence.start
        return max(m_start - end, start - m_end, 0)

    same_clause = [m for m in candidates
                   if clause_index(clauses, m.start - sentence.start) == clause]
    if same_clause:
        return min(same_clause, key=gap), True
    return min(candidates, key=gap), False


def object_of(verb: Trigger, subject: EntityMention, initiatives: list[EntityMention],
              context: Context) -> EntityMention | None:
    """The initiative a verb acts on when the date went to its subject, or None.

    'OIC member states approved the statute of the IOFS in 2013': the approval is the IOFS's,
    not the OIC's. Only an initiative named before the verb gives way, to one named after it
    in the same clause, within `_OBJECT_REACH` characters and not as a venue.
    """
    offset = context.sentence.start
    if subject.end - offset > verb.start:
        return None
    after = [m for m in initiatives
             if m.entity_id != subject.entity_id and
             0 <= m.start - offset - verb.end <= _OBJECT_REACH and
             clause_index(context.clauses, m.start - offset) == verb.clause and
             not venue_of_another(m, context)]
    return after[0] if after else None


def lookalike_object_between(mention: EntityMention, start: int, context: Context) -> bool:
    """Whether a look-alike joined, signed or ratified lies between the initiative and the date.

    '... gave up its nuclear weapons and acceded to the Non-Proliferation Treaty in 1993': the
    date is the treaty's accession, not the initiative's.
    """
    m_end = mention.end - context.sentence.start
    for other in context.lookalikes:
        o_start, o_end = other.start - context.sentence.start, other.end - context.sentence.start
        if m_end <= o_start and o_end <= start and start - o_end <= 30 and \
                _OBJECT_VERB_BEFORE.search(context.text, max(0, o_start - 30), o_start):
            return True
    return False


def distractor(date: DateMention, start: int, mention: EntityMention,
               context: Context) -> bool:
    """A year that dates what the initiative is compared with (module docstring, distractors).

    '..., alongside the Geneva talks ongoing since 2011' dates the other one. Dates that are
    background in themselves ('more than 25 years ago', 'the first summit since 1999') never
    reach the event rules: `dates` gives them the role 'background'.
    """
    text = context.text
    m_end = mention.end - context.sentence.start
    return m_end <= start and COMPARISON_BETWEEN.search(text, m_end, start) is not None
