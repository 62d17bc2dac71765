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
`news_events.py`; what the rules share is in `event_context.py`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from etl.model import DateMention, Event, PublicationDate, Sentence

from .event_context import PAST_VERB, Context, make_event, treaty_in_force, venue_of_another
from .gazetteer import CHAIR_KINDS, MEETING_KINDS, Gazetteer
from .mentions import EntityMention
from .news_events import at_the_meeting, current_news
from .text import NUMBER_PATTERN, by_sentence, clause_bounds, clause_index, lowered_same_length
from .triggers import HELD_KINDS, Trigger, find_triggers

# a meeting that began ('the three-day forum that began on May 14', 'the talks started'): held
_MEETING_BEFORE_START = re.compile(
    r"\b(?:summit|event|forum|meeting|session|congress|conference|talks|round|assembly|"
    r"negotiations|exhibition|expo|games)s?\s+(?:that\s+|which\s+)?(?:has\s+|had\s+|have\s+)?"
    r"(?:officially\s+|formally\s+)?$")
# a verb whose object is a treaty or body: 'acceded to the NPT', 'joined the SCO'
_OBJECT_VERB_BEFORE = re.compile(
    r"\b(?:acced(?:ed|es|ing)|join(?:ed|s|ing)?|signed|ratif(?:ied|ies|ying)|withdrew|left|"
    r"accession)\s+(?:to\s+)?(?:the\s+)?$")
# how far (characters) a cancellation may be from a date it cancels
_CANCEL_REACH = 40
# how long (characters) the stretch between two dated items of a list may be
_LIST_GAP = 80
# a subject or a finite verb between two dates: a new clause, not the next item of a list
_CLAUSE_IN_GAP = re.compile(
    r"\b(?:it|they|he|she|we|which|who|that|its|their|is|are|was|were|has|have|had|will|"
    r"would|[a-z]+ed)\b")

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
_EDITION_BEFORE = re.compile(
    r"\b(?:its|their|the)\s+(?:[\w\-]+,?\s+)?(?:second|third|fourth|fifth|sixth|seventh|eighth|"
    r"ninth|tenth|eleventh|twelfth|\d{1,2}(?:st|nd|rd|th)|previous|last|latest)\s+"
    r"(?:[\w\-]+\s+)?(?:summit|meeting|session|edition|congress|forum|conference|assembly|round|"
    r"gathering|ministerial)s?\s+" + _PLACE + r"(?:in|on)?\s*$")
# prepositions a date expression may start with ('in 2013', 'back in 1992', 'Since 2016')
_LEADING_WORDS = frozenset(
    {"back", "in", "on", "since", "by", "from", "between", "during", "until", "till", "before",
     "after", "around", "circa", "through", "throughout", "toward", "towards", "ahead", "of",
     "early", "late", "mid", "as", "at", "the", "end", "last", "this", "next", "earlier", "later"})
_RELATIVE_LEADS = frozenset(
    {"last", "this", "next", "the", "earlier", "later", "end", "early", "late", "mid"})
_FIRST_BEFORE = re.compile(r"\b(?:first|inaugural|maiden|1st)\s+(?:[\w\-]+\s+){0,3}$")
_DOCUMENT_WORDS = frozenset(
    {"declaration", "act", "charter", "treaty", "convention", "statute", "statutes", "agreement",
     "protocol", "resolution", "memorandum", "catalogue", "catalog", "accord", "pact",
     "communique", "document", "documents", "principles", "regulations", "rules"})
_MEETING_WORDS = frozenset(
    {"summit", "forum", "congress", "conference", "meeting", "session", "assembly", "games",
     "expo", "exhibition", "ministerial", "round"})
_TITLE_AFTER_YEAR = re.compile(r"\s+((?:[A-Z][\w'\-]*|of|the|on|for|and|in)"
                               r"(?:\s+(?:[A-Z][\w'\-]*|of|the|on|for|and|in))*)")
_PRESENT_WORDS = re.compile(r"(?i)^(?:today|now|currently|this\s+week|this\s+month|this\s+year)$")

# how far (characters) a verb may be from its date when looking forward / backward; a fronted
# date ('In 2019, Kazakhstan together with ... launched') reaches further forward
_FORWARD_REACH = 80
_FRONTED_REACH = 160
_BACKWARD_REACH = 160
_NOUN_REACH = 60
_PENDING_RANK = {"first_held": 2, "held": 1}
# kinds whose 'since YEAR' without an event word says when they started
_ONGOING_KINDS = frozenset({"cooperation", "programme", "policy", "route", "process", "membership"})
# '... has grown since 2022' measures a change since then; it does not say something started
_CHANGE_BEFORE_SINCE = re.compile(
    r"\b(?:grown|grew|grows|increased|risen|rose|fallen|fell|declined|doubled|tripled|expanded|"
    r"improved|changed|slowed|accelerated|surged|dropped|shrunk|shrank)\s+(?:[\w\-]+\s+){0,2}$")
# a comparison between the initiative and the date: '... the Vienna talks, alongside the
# Minsk format in place since 2014' dates the other one
_COMPARISON_BETWEEN = re.compile(
    r"\b(?:alongside|unlike|compared\s+(?:with|to)|in\s+contrast\s+to|as\s+opposed\s+to|"
    r"similar\s+to|just\s+like|rather\s+than|instead\s+of|in\s+parallel\s+(?:with|to))\b")
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
# an act of taking over a rotating chair: a range after it dates the start of the term
# ('took over the rotating chairmanship for 2024-2026'), where 'chaired it from 2020 to 2022'
# is a period
_TAKE_OVER = re.compile(
    r"\b(?:took|taken|takes|take|taking|assumed|assumes|assume|assuming|handed|passed|"
    r"hand(?:s|ing)?|pass(?:es|ing)?)\s+(?:on|over)?\b|\bwill\s+be\s+assumed\b|"
    r"chairmanship-in-office")
# what may stand before a date that opens a sentence: punctuation and one label word ('date')
_OPENING = re.compile(r"[\W_]*(?:[a-z]+[\W_]+)?")
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
# a mention compared with, or replaced by, the subject ('as a successor to the Astana Economic
# Forum', 'like the Munich Security Conference'): not what a date of the clause is about
_COMPARED_BEFORE = re.compile(
    r"\b(?:(?:successor|predecessor|counterpart|answer|alternative|rival|equivalent|heir)\s+"
    r"(?:to|of)|replac(?:e|ed|es|ing)|instead\s+of|rather\s+than|unlike|like|such\s+as|"
    r"similar\s+to|modell?ed\s+(?:on|after)|compared\s+(?:to|with))\s+(?:the\s+)?$")
# kinds whose 'launch' is their first edition ('Launched in 2023, the forum ...')
_LAUNCHED_IS_FIRST = frozenset({"forum"})
# 'met in 1999 and signed ...': what a verb joined to a date's verb by 'and' may be
_AND_THEN = re.compile(r"\s*,?\s*and\s+(?:then\s+|later\s+|also\s+|formally\s+|officially\s+)?")
_COORDINATED_TYPES = frozenset({"signed", "approved", "joined", "observer_joined", "founded",
                                "elected", "launched"})
# a date set off by commas right after a verb interrupts that verb's phrase
_COMMA_ONLY = re.compile(r"\s*,\s*")
_SHORT_LEAD = re.compile(r"\s*(?:[\w\-]+\s+){0,3}")  # 'in Tashkent ' before 'on 9 May'
# verbs whose object, when it is an initiative, is what the event is about, and how far after
# the verb (characters) the object may be named ('approved the statute of the IOFS')
_OBJECT_TYPES = frozenset({"approved", "founded", "launched"})
_OBJECT_REACH = 40
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
            if previous is not None and _list_item(previous[0], date, context):
                event = _inherited_event(previous[1], date, previous[0], context, published)
            else:
                event = _event_for_date(date, context, initiatives, pending, published, gazetteer)
            if event is None:
                continue
            previous = (date, event)
            dated.add(event.initiative_id)
            for found in (event, _coordinated(event, date, context)):
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
    mention, in_clause = _initiative_for_date(date, start, end, clause, context,
                                              initiatives, gazetteer)
    if mention is None:
        return None
    if not in_clause and any(clause_index(context.clauses, m.start - sentence.start) == clause
                             for m in context.lookalikes):
        return None  # the date's clause is about a look-alike ('the 1972 BWC entered ...')
    if _lookalike_object_between(mention, start, context):
        return None  # '... gave up its weapons and acceded to the NPT in 1993'
    entry = gazetteer.by_id[mention.entity_id]
    if _cancelled(start, end, context):
        return None  # 'its 2022 edition was cancelled', 'planned for June, was postponed'
    if _distractor(date, start, mention, context):
        return None
    verbs = [t for t in context.triggers
             if t.event_type not in ("noun_held", "cancelled") and not context.between_dates(
                 (t.start + t.end) // 2, start if t.end <= start else end)
             and not _descriptive(t, start, end, context.text)]
    local = _local_text(date, start, context, clause)
    local_type = _local_type(local)
    if local_type is None and not any(t.clause == clause for t in verbs):
        if mention.method == "topic":
            return None  # a sentence about the topic dates it only through an event word
        if _figure_clause(context.text[slice(*context.clauses[clause])]):
            return None  # 'In 2004, the body had 17 member states': a figure for that year
        if _STATEMENT_AFTER.match(context.text, end):
            return None  # 'the ministry noted in a Nov. 12 statement': when it was said
    edition = _EDITION_BEFORE.search(local) is not None
    if not in_clause and not any(t.clause == clause for t in verbs) and local_type is None \
            and not edition and date.basis != "recurrence":
        return None  # neither the initiative nor an event word is in the date's clause
    present = bool(_PRESENT_WORDS.match(date.expression.strip()))
    event_type, rule = _type_for_date(date, start, end, context, clause, verbs, present,
                                      local_type)
    if rule == "verb_in_clause" and event_type in _OBJECT_TYPES:
        verb = _nearest_verb(start, end, context.text, clause, context.clauses, verbs)
        obj = _object_of(verb, mention, initiatives, context) if verb else None
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
    if event_type is None and _leading(date.expression) == "since" and in_clause and \
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
    event_type = _adjust(event_type, date, start, clause, context, mention, published)
    entity_id = mention.entity_id
    if event_type == "chairmanship" and date.year is not None:
        term = gazetteer.chairmanship(entity_id, date.year)  # 'chaired the OSCE in 2010'
        entity_id = term.id if term is not None else entity_id
    return make_event(entity_id, event_type, date, sentence, rule, mention.named_in)


def _coordinated(event: Event, date: DateMention, context: Context) -> Event | None:
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


def _list_item(before: DateMention, date: DateMention, context: Context) -> bool:
    """Whether a date continues a list after the previous dated item of the sentence.

    'summits in 2002, 2006 and 2010', 'Qatar joined in 2014, Malaysia in 2013 and
    Jordan in 2015', 'the first was held in May 2005; a further one came in October 2005':
    between the two dates stand only names, numbers and connectors (no event word, no other
    initiative, no more than a short stretch), and no event word of its own follows the date
    before the next date or the clause's end.
    """
    sentence_start = context.sentence.start
    low, high = before.end - sentence_start, date.start - sentence_start
    if high - low > _LIST_GAP or _PRESENT_WORDS.match(date.expression.strip()):
        return False  # 'the first summit in 2002 and today ...' is no list
    if _is_range(before) != _is_range(date) or _CLAUSE_IN_GAP.search(context.text, low, high):
        return False  # 'elected in 2016 and sat ... in 2017-2018', '..., and it received ...'
    if _leading(date.expression) == "since" or _COMPARISON_BETWEEN.search(context.text, low, high):
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


def _inherited_event(previous: Event, date: DateMention, before: DateMention,
                     context: Context, published: PublicationDate | None) -> Event | None:
    """The event of a list item: the previous item's initiative and type, for this date.

    A later item of a list is not the first edition ('first held in 2002, then in 2006'), and
    an 'observers' word between joining items turns them into observers ('Qatar joined in
    2014, along with two observers, Malaysia in 2013 ...').
    """
    sentence_start = context.sentence.start
    start, end = date.start - sentence_start, date.end - sentence_start
    if _cancelled(start, end, context):
        return None
    event_type = previous.event_type
    gap = context.text[before.end - sentence_start:start]
    if event_type == "first_held":
        event_type = "held"
    elif event_type == "joined" and re.search(r"\bobservers?\b", gap):
        event_type = "observer_joined"
    if event_type == "scheduled" and not _after_publication(date, published) and \
            not any(t.event_type == "scheduled" for t in context.triggers):
        event_type = "held"
    elif event_type != "scheduled" and _after_publication(date, published):
        event_type = "scheduled"
    return make_event(previous.initiative_id, event_type, date, context.sentence, "list_item",
                  previous.initiative_sentence_no)


def _distractor(date: DateMention, start: int, mention: EntityMention,
                context: Context) -> bool:
    """A year that dates what the initiative is compared with (module docstring, distractors).

    '..., alongside the Geneva talks ongoing since 2011' dates the other one. Dates that are
    background in themselves ('more than 25 years ago', 'the first summit since 1999') never
    reach the event rules: `dates` gives them the role 'background'.
    """
    text = context.text
    m_end = mention.end - context.sentence.start
    return m_end <= start and _COMPARISON_BETWEEN.search(text, m_end, start) is not None


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


def _initiative_for_date(date: DateMention, start: int, end: int, clause: int,
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


def _object_of(verb: Trigger, subject: EntityMention, initiatives: list[EntityMention],
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


def _leading(expression: str) -> str:
    """The preposition(s) a date expression starts with ('in', 'back in', 'since'), lower-case."""
    lead = []
    for word in expression.lower().split():
        if word not in _LEADING_WORDS:
            break
        lead.append(word)
    return " ".join(lead)


def _local_type(local: str) -> str | None:
    """The type the words right before a date (`_local_text`) give ('held since', 'the last
    being in')."""
    for pattern, event_type in _LOCAL_RULES:
        if pattern.search(local):
            return event_type
    return None


def _local_text(date: DateMention, start: int, context: Context, clause: int) -> str:
    """Up to 60 characters of the date's clause before it, plus its leading preposition.

    Words of a relative date ('last June', 'this year') are not prepositions and are left out,
    so 'declared last June' does not read as 'the last being in'.
    """
    clause_start = context.clauses[clause][0]
    lead = " ".join(w for w in _leading(date.expression).split() if w not in _RELATIVE_LEADS)
    return context.text[max(clause_start, start - 60):start] + (lead + " " if lead else "")


def _lookalike_object_between(mention: EntityMention, start: int, context: Context) -> bool:
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


def _cancelled(start: int, end: int, context: Context) -> bool:
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


def _type_for_date(date: DateMention, start: int, end: int, context: Context, clause: int,
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
    verb = _nearest_verb(start, end, context.text, clause, context.clauses, verbs)
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


def _nearest_verb(start: int, end: int, text: str, clause: int,
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


def _adjust(event_type: str, date: DateMention, start: int, clause: int, context: Context,
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
        if _FIRST_BEFORE.search(context.text[max(0, m_start - 40):m_start]):
            event_type = "first_held"
    if event_type == "period":
        # a term after publication is scheduled ('is to lead the body from 2024 to 2026'),
        # unless it is the term of an election the sentence reports ('elected for 2017-2018')
        elected = any(t.event_type == "elected" and t.clause == clause for t in triggers)
        return "scheduled" if _after_publication(date, published) and not elected else event_type
    if event_type not in ("started", "proposed", "announced"):
        scheduled = any(t.event_type == "scheduled" and t.clause == clause for t in triggers)
        if scheduled or _after_publication(date, published):
            return "scheduled"
    return event_type


def _after_publication(date: DateMention, published: PublicationDate | None) -> bool:
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
        if "first_held" in kinds or (_FIRST_BEFORE.search(before) and
                                     kinds & {"held", "noun_held", "opened"}):
            said = "first_held"
        elif "held" in kinds:
            said = "held"
        if said and _PENDING_RANK[said] > _PENDING_RANK.get(pending.get(mention.entity_id, ""), 0):
            pending[mention.entity_id] = said
