"""Events: (initiative, event type, date) where an initiative and an event date share a sentence.

For every date with role 'event' in a sentence that mentions an initiative (directly or by a
back-reference):

1. The initiative is the one the date's clause is about: one whose name holds the date ('EXPO
   2017'), else the nearest mention in the date's clause, else the nearest in the sentence.
   Clauses nest: in 'X, which signed ... in 1999, will host ...' the relative clause is its own.
   A year naming a document ('the 2002 Almaty Act') belongs to the nearest initiative that is
   not itself a document; a mention the clause only compares with ('as a successor to X') is
   taken only when there is no other; a look-alike joined or signed right before the date
   ('acceded to the NPT in 1993') takes the date away.
2. The event type comes from, in order: a year range (period); the words right before the date
   ('held since', 'every three years since', 'the last being in', 'its first Summit in
   Almaty in', 'dating back to'); the nearest event verb of the clause (looking forward from a
   fronted date such as 'In 2013, Almaty hosted ...', backward otherwise); a meeting noun next
   to the date ('at the Plenary Session of X on June 8', 'its seventh gathering in 2022'); for
   a relative date, what an undated sentence earlier said about the same initiative ('the just
   concluded inaugural forum'); the kind of initiative (forums and meetings are 'held');
   'since YEAR' (started; not after a change: 'has grown since 2022').
3. Adjustments: 'announced that ... is proposing' is 'proposed'; 'held' of the first or
   inaugural edition is 'first_held' (not 'the first summit in eleven years'); a forum's
   'launch' is its first edition; anything dated after publication (a term that starts after
   it too), or with a future verb in its own clause, is 'scheduled'.

Negated verbs ('has not joined') are not triggers, a date next to a cancellation ('its 2022
edition was cancelled', 'planned for June, was postponed') is no event, a 'which was held' after
another body ('the OIC session which was held in 2011') dates that body's meeting, and identical
events of one article are kept once (the first). The event words are found by `triggers.py`;
undated sentences (the day's news, a milestone at a meeting dated earlier) are read by
`news_events.py`; what the rules share is in `event_context.py`. Step 1 is `event_initiative.py`,
steps 2 and 3 `event_types.py`; dates continuing a list, or sharing their date with a second
milestone, are read by `event_lists.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from etl.model import DateMention, Event, PublicationDate, Sentence

from .event_context import (
    FIRST_BEFORE,
    PRESENT_WORDS,
    Context,
    leading,
    make_event,
    next_to_cancellation,
    treaty_in_force,
)
from .event_initiative import distractor, initiative_for_date, lookalike_object_between, object_of
from .event_lists import coordinated, inherited_event, list_item
from .event_types import (
    EDITION_BEFORE,
    adjust,
    nearest_verb,
    type_for_date,
    type_from_words_before,
    words_before,
)
from .gazetteer import CHAIR_KINDS, MEETING_KINDS, Gazetteer
from .mentions import EntityMention
from .news_events import at_the_meeting, current_news
from .text import NUMBER_PATTERN, by_sentence, clause_bounds, clause_index, lowered_same_length
from .triggers import HELD_KINDS, Trigger, find_triggers

_PENDING_RANK = {"first_held": 2, "held": 1}
# kinds whose 'since YEAR' without an event word says when they started
_ONGOING_KINDS = frozenset({"cooperation", "programme", "policy", "route", "process", "membership"})
# '... has grown since 2022' measures a change since then; it does not say something started
_CHANGE_BEFORE_SINCE = re.compile(
    r"\b(?:grown|grew|grows|increased|risen|rose|fallen|fell|declined|doubled|tripled|expanded|"
    r"improved|changed|slowed|accelerated|surged|dropped|shrunk|shrank)\s+(?:[\w\-]+\s+){0,2}$")
# a count of members held at a date ('In 2004, the body had 17 member states'): a figure
# for that year, not an event
_COUNT_OF_MEMBERS = re.compile(
    r"\b(?:had|has|have|numbered|counted|comprised|included|consisted\s+of|"
    r"there\s+(?:were|was|are|is))\s+(?:only\s+|just\s+|some\s+|about\s+)?"
    + NUMBER_PATTERN + r"\s+(?:[\w\-]+\s+)?(?:members?|observers?|countries|states|nations)\b")
# statistics over a period ('in 2015-2020 trade grew by 40%', 'turnover reached $5 billion in
# 2019'): figures, not events
_STATISTIC_VERB = re.compile(
    r"\b(?:gr[eo]w(?:n|s|th)?|increas(?:ed|es|e)|r[io]se|risen|declin(?:ed|es)|f[ae]ll(?:en|s)?|"
    r"amount(?:ed|s)\s+to|reach(?:ed|es)|total(?:l?ed|s)|doubled|tripled|expanded|dropped|"
    r"averag(?:ed|es)|exceed(?:ed|s))\b")
# a date of what someone said ('in a Nov. 12 statement', 'in her May 6 interview')
_STATEMENT_AFTER = re.compile(
    r"\s+(?:statement|interview|speech|address|letter|report|press\s+release|article|post|"
    r"tweet|message|briefing|remarks|comments?|op-ed|column|communique)s?\b")
# a reduced relative clause describing a participant ('Initiated by Kazakhstan, ...', '...,
# chaired by the President, was held'): it dates nothing outside its own commas
_PARTICIPLE_BY = re.compile(r"\s+by\b")
# a passive or perfect auxiliary right before a participle makes it the clause's verb
_AUXILIARY_BEFORE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|has|have|had)\s+"
    r"(?:(?:[a-z]+ly|also|then|first|initially|originally)\s+)?$")
# kinds whose 'launch' is their first edition ('Launched in 2023, the forum ...')
_LAUNCHED_IS_FIRST = frozenset({"forum"})
# verbs whose object, when it is an initiative, is what the event is about ('approved the
# statute of the IOFS')
_OBJECT_TYPES = frozenset({"approved", "founded", "launched"})
# what holding, starting or opening a chairmanship is: the chairmanship itself
_CHAIR_TERM_TYPES = frozenset({"held", "first_held", "started", "opened", "launched"})


def find_events(folded: str, sentences: Sequence[Sentence], mentions: Sequence[EntityMention],
                dates: Sequence[DateMention], published: PublicationDate | None,
                gazetteer: Gazetteer) -> list[Event]:
    """Every (initiative, type, date) event of an article, in reading order, without repeats."""
    lowered = lowered_same_length(folded)
    mentions_by_sentence = by_sentence(mentions)
    dates_by_sentence = by_sentence(dates)
    events: list[Event] = []
    seen: set[tuple[object, ...]] = set()
    pending: dict[str, str] = {}  # initiative -> what an undated sentence said happened
    meetings: dict[str, Event] = {}  # initiative -> its latest meeting dated so far
    for sentence in sentences:
        sentence_mentions = mentions_by_sentence.get(sentence.sentence_no, [])
        initiatives = [m for m in sentence_mentions if m.is_initiative]
        if not initiatives:
            continue
        text = lowered[sentence.start:sentence.end]
        clauses = clause_bounds(folded[sentence.start:sentence.end])  # cased: names in lists
        triggers = find_triggers(text, sentence, sentence_mentions, clauses)
        sentence_dates = dates_by_sentence.get(sentence.sentence_no, [])
        context = Context(sentence, text, folded[sentence.start:sentence.end], clauses, triggers,
                          [(d.start - sentence.start, d.end - sentence.start)
                           for d in sentence_dates],
                          [m for m in sentence_mentions if not m.is_initiative],
                          sentence_mentions)
        dated: set[str] = set()
        previous: tuple[DateMention, Event] | None = None
        for date in sentence_dates:
            if date.role != "event" or date.year is None:
                continue
            event = None
            if previous is not None and list_item(previous[0], date, context):
                event = inherited_event(previous[1], date, previous[0], context, published)
            else:
                event = _event_for_date(date, context, initiatives, pending, published, gazetteer)
            if event is None:
                continue
            previous = (date, event)
            dated.add(event.initiative_id)
            for found in (event, coordinated(event, date, context)):
                if found is None:
                    continue
                key = (found.initiative_id, found.event_type, found.year, found.month, found.day)
                if key not in seen:
                    seen.add(key)
                    events.append(found)
        anchored = at_the_meeting(context, initiatives, sentence_dates, meetings)
        news = current_news(context, initiatives, sentence_dates, published,
                             {id(t) for t, _ in anchored}) if published is not None else []
        for event in [e for _, e in anchored] + news:
            key = (event.initiative_id, event.event_type, event.year, event.month, event.day)
            if key not in seen:
                seen.add(key)
                events.append(event)
        for event in events[-4:]:
            if event.sentence_no == sentence.sentence_no and event.event_type in HELD_KINDS:
                meetings[event.initiative_id] = event
        _remember_undated(text, sentence, clauses, triggers, initiatives, dated, pending)
    return events


def _event_for_date(date: DateMention, context: Context, initiatives: list[EntityMention],
                    pending: dict[str, str], published: PublicationDate | None,
                    gazetteer: Gazetteer) -> Event | None:
    """The event one dated sentence reports for one date, or None (module docstring)."""
    sentence = context.sentence
    start, end = date.start - sentence.start, date.end - sentence.start
    clause = clause_index(context.clauses, start)
    mention, in_clause = initiative_for_date(date, start, end, clause, context,
                                             initiatives, gazetteer)
    if mention is None:
        return None
    if not in_clause and any(clause_index(context.clauses, m.start - sentence.start) == clause
                             for m in context.lookalikes):
        return None  # the date's clause is about a look-alike ('the 1972 BWC entered ...')
    if lookalike_object_between(mention, start, context):
        return None  # '... gave up its weapons and acceded to the NPT in 1993'
    entry = gazetteer.by_id[mention.entity_id]
    if next_to_cancellation(start, end, context):
        return None  # 'its 2022 edition was cancelled', 'planned for June, was postponed'
    if distractor(date, start, mention, context):
        return None
    verbs = [t for t in context.triggers
             if t.event_type not in ("noun_held", "cancelled") and not context.between_dates(
                 (t.start + t.end) // 2, start if t.end <= start else end)
             and not _descriptive(t, start, end, context.text)]
    local = words_before(date, start, context, clause)
    local_type = type_from_words_before(local)
    if local_type is None and not any(t.clause == clause for t in verbs):
        if mention.method == "topic":
            return None  # a sentence about the topic dates it only through an event word
        if _figure_clause(context.text[slice(*context.clauses[clause])]):
            return None  # 'In 2004, the body had 17 member states': a figure for that year
        if _STATEMENT_AFTER.match(context.text, end):
            return None  # 'the ministry noted in a Nov. 12 statement': when it was said
    edition = EDITION_BEFORE.search(local) is not None
    if not in_clause and not any(t.clause == clause for t in verbs) and local_type is None \
            and not edition and date.basis != "recurrence":
        return None  # neither the initiative nor an event word is in the date's clause
    present = bool(PRESENT_WORDS.match(date.expression.strip()))
    event_type, rule = type_for_date(date, start, end, context, clause, verbs, present,
                                     local_type)
    if rule == "verb_in_clause" and event_type in _OBJECT_TYPES:
        verb = nearest_verb(start, end, context.text, clause, context.clauses, verbs)
        obj = object_of(verb, mention, initiatives, context) if verb else None
        if obj is not None:
            mention, entry = obj, gazetteer.by_id[obj.entity_id]
    if event_type is None and edition and not present:
        event_type, rule = "held", "edition_noun"
    if event_type is None and date.basis == "relative_to_publication" and not present:
        event_type, rule = (pending.get(mention.entity_id) if in_clause else None,
                            "earlier_sentence")
    if event_type is None and in_clause and entry.kind in MEETING_KINDS and not present:
        event_type, rule = "held", "kind_default"
    if event_type is None and in_clause and entry.kind in CHAIR_KINDS and not present:
        event_type, rule = "chairmanship", "kind_default"  # 'its OSCE chairmanship in 2010'
    if event_type is None and leading(date.expression) == "since" and in_clause and \
            entry.kind in _ONGOING_KINDS and not _CHANGE_BEFORE_SINCE.search(
                context.text, max(0, start - 40), start):
        # 'cooperation since 2014'; not 'CICA has grown since 2014'
        event_type, rule = "started", "since_ongoing"
    if event_type is None:
        return None
    if event_type in _CHAIR_TERM_TYPES and entry.kind in CHAIR_KINDS:
        event_type = "chairmanship"  # 'held the OSCE chairmanship', 'its OIC chairmanship began'
    if event_type == "opened":
        event_type = "held" if entry.kind in MEETING_KINDS else "launched"
    if event_type == "approved" and entry.kind != "document":
        event_type = treaty_in_force(event_type, mention, clause, context)
    if event_type == "launched" and entry.kind in _LAUNCHED_IS_FIRST:
        event_type = "first_held"  # 'Launched in 2023, the forum ...': its first edition
    event_type = adjust(event_type, date, start, clause, context, mention, published)
    entity_id = mention.entity_id
    if event_type == "chairmanship" and date.year is not None:
        term = gazetteer.chairmanship(entity_id, date.year)  # 'chaired the OSCE in 2010'
        entity_id = term.id if term is not None else entity_id
    return make_event(entity_id, event_type, date, sentence, rule, mention.named_in)


def _descriptive(trigger: Trigger, start: int, end: int, text: str) -> bool:
    """Whether a trigger is a participle describing someone, set off from the date by commas.

    'Initiated by X, President of Y, on 14 May 2009 was held ...' and '..., chaired by the
    President, was held': 'initiated' and 'chaired' describe the subject; the date belongs to
    the verb of its own stretch. 'Initiated by Turkey in 2009, the council ...' keeps its date,
    and so does a participle after an auxiliary ('was first proposed by X, at the session in
    1992'), which is the clause's own verb.
    """
    if not text[trigger.start:trigger.end].endswith("ed") or \
            not _PARTICIPLE_BY.match(text, trigger.end):
        return False
    if _AUXILIARY_BEFORE.search(text, max(0, trigger.start - 30), trigger.start):
        return False  # 'the idea was mooted by X, at the session in 1992': the main verb
    low, high = (trigger.end, start) if trigger.end <= start else (end, trigger.start)
    return "," in text[low:high]


def _figure_clause(clause_text: str) -> bool:
    """A clause that states a membership count or a statistic rather than an event."""
    return _COUNT_OF_MEMBERS.search(clause_text) is not None or \
        _STATISTIC_VERB.search(clause_text) is not None


def _remember_undated(text: str, sentence: Sentence, clauses: list[tuple[int, int]],
                      triggers: list[Trigger], initiatives: list[EntityMention],
                      dated: set[str], pending: dict[str, str]) -> None:
    """Note 'the inaugural X ... was held' without a date, for a later relative date of X."""
    for mention in initiatives:
        if mention.entity_id in dated:
            continue
        clause = clause_index(clauses, mention.start - sentence.start)
        kinds = {t.event_type for t in triggers if t.clause == clause}
        before = text[max(0, mention.start - sentence.start - 40):mention.start - sentence.start]
        said = None
        if "first_held" in kinds or (FIRST_BEFORE.search(before) and
                                     kinds & {"held", "noun_held", "opened"}):
            said = "first_held"
        elif "held" in kinds:
            said = "held"
        if said and _PENDING_RANK[said] > _PENDING_RANK.get(pending.get(mention.entity_id, ""), 0):
            pending[mention.entity_id] = said
