"""Event words: the verbs and nouns that say what happened, found in one sentence.

`find_triggers` lists a sentence's event words with the type each signals (`TRIGGERS`, one
regex built from the `_TRIGGER_WORDS` table) and the clause it stands in. A word inside an
initiative's name is none ('Forum' in 'Astana International Forum'), nor is a negated one
('has not joined'), a meeting word about another body's venue, or an aspectual or requested
one that another word of the sentence explains ('started to prepare the summit', 'asked to
join'). `events.py` decides which date and initiative each word goes with.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.model import Sentence

from .mentions import EntityMention
from .text import clause_index

# Event verbs and nouns that name what happened, by event type; 'noun_held' is weaker (a
# meeting noun only says a meeting took place).
_TRIGGER_WORDS: dict[str, tuple[str, ...]] = {
    "scheduled": (
        r"will\s+(?:also\s+)?(?:be\s+)?(?:held|hold|host|take\s+place|convene|gather|be"
        r"\s+organi[sz]ed)",
        r"(?:is|are|was|were)\s+(?:scheduled|set|due|planned|expected)\s+to\s+(?:be\s+held|take"
        r"\s+place|convene|open)",
        r"(?:is|are)\s+to\s+(?:be\s+held|lead|chair|host|hold|convene)",
        r"(?:is|are)\s+due\b",
        r"scheduled\s+for",
        r"planned\s+for",
        r"upcoming",
        r"forthcoming",
        r"plan(?:s|ning)?\s+(?:to|a|an|the|its|their)\b",
        r"intends?\s+to\s+(?:hold|host|convene|organi[sz]e)",
        r"expect(?:s|ed)?\s+(?:[\w\-]+\s+){0,4}?to\s+(?:be\s+(?:held|convened|hosted|"
        r"organi[sz]ed)|take\s+place|convene|meet|open|become|join|accede)",
        r"(?:set|scheduled|due|expected|planned)\s+to\s+(?:hold|host|launch|organi[sz]e|become|"
        r"open|start|begin|enter|be\s+(?:launched|opened|completed|operational))",
    ),
    "applied": (
        r"appl(?:ied|ies|ying|ications?)\b(?=[^.;]{0,60}?\b(?:for|to\s+join|to\s+become)\b)",
        r"request(?:ed|s|ing)?\s+(?:full\s+)?membership",
        r"sought\s+(?:full\s+)?membership",
    ),
    "observer_joined": (
        r"observer\s+status",
        r"became\s+an?\s+observer",
        r"admitted\s+as\s+(?:an\s+)?observer",
        r"granted\s+observer",
        r"joined\s+as\s+(?:an\s+)?observer",
        r"(?:accepted|welcomed)\s+as\s+(?:an\s+)?observer",
    ),
    "proposed": (
        r"(?:initiative|idea|proposal)s?\s+(?:[^\s,;:()]+\s+){0,8}?(?:on|for|of|about)\s+(?:the"
        r"\s+)?(?:creation|creating|establishment|establishing|setting\s+up|formation)\b",
        r"propos(?:ed|es|ing|als?)",
        r"moot(?:ed|ing)",
        r"initiat(?:ed|ing)",
        r"put(?:s|ting)?\s+(?:[\w\-]+\s+){0,3}?forward",
        r"floated",
        r"voiced",
        r"came\s+up\s+with",
        r"conceived",
        r"advanced\s+the\s+idea",
        r"raised\s+the\s+idea",
        r"first\s+raised",
        r"suggested",
        r"call(?:ed|s|ing)?\s+(?:on|upon|for)\b(?=[^.;]{0,150}?\b(?:establish|creat|set(?:ting)?"
        r"\s+up|launch|convene|form(?:ing)?\b))",
        r"offer(?:ed|s|ing)?(?=\s+(?:[\w\-]+\s+){0,3}?to\s+host)",
        r"advanced(?=[^.;]{0,80}?\b(?:establishment|creation|idea|proposal|initiative)\b)",
    ),
    "announced": (
        r"announc(?:ed|es|ing|ement)",
        r"unveil(?:ed|s|ing)",
        r"declar(?:ed|es|ing)",
    ),
    "founded": (
        r"founded",
        r"established",
        r"establishment",
        r"(?:was|were|been)\s+set\s+up",
        r"set\s+up\s+in",
        r"creat(?:ed|ion)",
        r"came\s+into\s+(?:being|existence)",
        r"institutionali[sz]ed",
    ),
    "first_held": (
        r"(?:first|initially)\s+(?:held|convened|organi[sz]ed|hosted|took\s+place|met)",
        r"inaugural",
        r"maiden",
        r"(?:first|1st)\s+(?:[\w\-]+\s+){0,2}?(?:summit|meeting|session|edition|congress|forum|"
        r"conference|assembly|round|gathering|ministerial)s?\b",
        r"for\s+the\s+first\s+time",
    ),
    "joined": (
        r"join(?:ed|s|ing)?",
        r"accession",
        r"acced(?:ed|es|ing)",
        r"became\s+(?:a|an|the|its|their|[\w\-]+'s?)\s+(?:[\w\-']+\s+){0,2}?members?",
        r"admitted",
        r"admission",
        r"(?:accept(?:ed|s|ing)?|welcomed)\s+(?:[\w\-]+\s+){0,3}?as\s+(?:an?\s+)?(?:[\w\-]+"
        r"\s+){0,2}?members?",
    ),
    "deposited": (
        r"deposit(?:ed|s|ing)?",
    ),
    "signed": (
        r"sign(?:ed|ing|s)",
        r"signature",
    ),
    "approved": (
        r"adopt(?:ed|ion|s)",
        r"approv(?:ed|al|es)",
        r"ratif(?:ied|ication|ies|y)",
        r"endorsed",
        r"(?:entered|came)\s+into\s+(?:force|effect)",
        r"in\s+force(?=\s+(?:since|from)\b)",
        r"enacted",
        r"(?:decided|agreed|moved|resolved)\s+to\s+(?:establish|create|set\s+up|form)\b",
        r"authori[sz](?:ed|es|ing)",
    ),
    "elected": (
        r"elected",
        r"election\s+(?:to|as)",
        r"won\s+(?:a|the)\s+seat",
        r"won\s+the\s+(?:bid|right\s+to\s+host)",
        r"(?:was|were|been|being)\s+(?:chosen|selected)(?!\s+as\s+(?:the\s+|its\s+|a\s+)?(?:theme|"
        r"slogan|motto|logo|symbol|mascot|name|title|topic|format))",
        r"(?:chose|selected|picked)\s+(?:[\w\-]+\s+){0,3}?as\s+(?:the\s+)?(?:venue|host)",
    ),
    "launched": (
        r"launch(?:ed|es|ing)?",
        r"kicked\s+off",
        r"rolled\s+out",
    ),
    "opened": (
        r"(?:was|were|officially|formally|ceremonially)\s+opened",
        r"inaugurated",
        r"open(?:s|ed)(?=\s+(?:in|on|at|today|yesterday|this\s+week)\b|\s+its\s+doors)",
        r"opening\s+ceremony",
        r"inauguration",
    ),
    "chairmanship": (
        r"chairmanship-in-office",
        r"chairmanships?",
        r"chairpersonship",
        r"chaired",
        r"chairing",
        r"chairs",
        r"as\s+(?:the\s+)?chair",
        r"rotating\s+presidency",
        r"took\s+over\s+the\s+chair",
        r"(?:assum(?:ed|es|ing)|took\s+(?:on|over|up)|taken\s+(?:on|over|up)|tak(?:es|ing)\s+"
        r"(?:on|over|up)|handed\s+over|passed)\s+(?:the\s+|its\s+)?(?:rotating\s+)?"
        r"(?:chairmanship|chair|presidency)",
        r"assumed\s+the\s+chair",
        r"presidency\s+of",
        r"presided",
        r"(?:took|taken|take|takes|taking)\s+over(?=\s+(?:in|on|from)\b)",
    ),
    "started": (
        r"began",
        r"begun",
        r"started",
        r"commenced",
    ),
    "cancelled": (
        r"cancell?ed",
        r"called\s+off",
        r"postponed",
        r"scrapped",
        r"put\s+off",
        r"shelved",
        r"suspended",
        r"(?:was|were)\s+to\s+be\s+(?:held|observed|marked|celebrated|commemorated)",
    ),
    "held": (
        r"held",
        r"hold(?:s|ing)?(?=\s+(?:[\w\-]+\s+){0,4}?(?:summit|meeting|session|forum|congress|"
        r"conference|talks|negotiations|rounds?|assembly|exhibition|expo|event|dialogue)s?\b)",
        r"convened",
        r"convenes?",
        r"hosted",
        r"host(?:s|ing)?",
        r"took\s+place",
        r"takes?\s+place",
        r"taking\s+place",
        r"organi[sz]ed",
        r"gathered",
        r"met(?!\s+(?:with|separately|bilaterally|on\s+the\s+sidelines)\b)",
        r"staged",
        r"attended",
        r"attending(?=\s*(?:,|(?:the|a|an|its|this)\b))",
    ),
    "noun_held": (
        r"summits?",
        r"sessions?",
        r"meetings?",
        r"plenary",
        r"congress(?:es)?",
        r"conferences?",
        r"forums?",
        r"editions?",
        r"rounds?",
        r"general\s+assembl(?:y|ies)",
        r"gatherings?",
        r"exhibition",
        r"talks",
        r"negotiations",
        r"ministerial",
    ),
}
def _trigger_regex(words: dict[str, tuple[str, ...]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One regex for every event word, and the event type of each of its marker groups.

    Each alternative ends with an empty named group that says its type. A group per type
    around its alternatives would be entered at every word start; flat alternatives that begin
    with a letter are skipped by that letter alone, which makes the scan about a third faster.
    """
    alternatives, types = [], {}
    for event_type, patterns in words.items():
        for i, pattern in enumerate(patterns):
            marker = f"{event_type}_{i}"
            alternatives.append(f"{pattern}(?P<{marker}>)")
            types[marker] = event_type
    return re.compile(r"(?<![\w\-])(?:" + "|".join(alternatives) + r")(?![\w\-])"), types


_TRIGGERS, _TRIGGER_TYPES = _trigger_regex(_TRIGGER_WORDS)
# 'the first OSCE summit in eleven years': the first for a while, not the first edition
_FIRST_IN_A_WHILE = re.compile(
    r"\s+in\s+(?:(?:over|more\s+than|nearly|almost|some)\s+)?(?:[\w\-]+\s+)?"
    r"(?:years|decades|months)\b")


# 'the 38th session of the OIC ministers which was held in Astana': the relative clause is about
# the venue before it, not about the initiative
_WHICH_WAS = re.compile(r"\b(?:which|that)\s+(?:was|were|had\s+been|has\s+been)\s+$")
# what a deposited instrument is of: ratification-like (approved) or accession (joined)
_INSTRUMENT_KIND = re.compile(r"\b(?:ratification|acceptance|approval|accession|acceding)\b")
HELD_KINDS = frozenset({"held", "first_held", "opened"})
# what an application asks for, and how far after it (characters) that word may come
_MEMBERSHIP_TYPES = frozenset({"joined", "observer_joined"})
_APPLICATION_REACH = 80
# how far (characters) an event word may follow 'started to'
_ASPECT_REACH = 12
# triggers that say a meeting took place (a first time needs one of them)
_MEETING_TRIGGERS = frozenset({"held", "noun_held", "opened"})
_NEGATION = re.compile(
    r"(?:\bnot|n't|\bnever|\bno\s+longer|\byet\s+to|\bfailed\s+to)\s+(?:\w+\s+){0,2}$")


# a body named as the setting of another initiative's event: 'at the <body> summit', 'at the
# session of the <body> ministers', 'on the sidelines of <body>', 'an agency within <body>'
MEETING_NOUNS = (r"(?:summit|meeting|session|conference|forum|congress|assembly|ministerial|"
                  r"council|plenary|gathering|talks)s?")


_VENUE_LEAD = re.compile(
    r"\b(?:(?:on|at)\s+the\s+(?:sidelines|margins)\s+of|within|under\s+the\s+(?:auspices|umbrella)\s+of|"
    r"(?:at|during)\s+(?:the\s+|a\s+|an\s+)?(?:[\w\-']+\s+){0,3}?" + MEETING_NOUNS +
    r"\s+of\s+(?:the\s+)?(?:[\w\-']+\s+){0,4}?)\s*(?:the\s+)?$")


# '(was) signed at the <site>': where the event took place
_PLACE_BEFORE = re.compile(
    r"\b(?:signed|held|adopted|opened|launched|convened|announced|proclaimed|unveiled)\s+at\s+"
    r"(?:the\s+(?:former\s+)?)?$")


_AT_BEFORE = re.compile(r"\b(?:at|during)\s+(?:the\s+|a\s+|an\s+|its\s+)?(?:[\w\-']+\s+){0,2}?$")
_MEETING_AFTER = re.compile(r"(?:'s?)?\s+(?:[\w\-']+\s+){0,3}?" + MEETING_NOUNS + r"\b")
@dataclass(frozen=True)
class Trigger:
    """An event word of a sentence and the type it signals."""

    start: int  # sentence-relative
    end: int
    event_type: str  # 'noun_held' for a meeting noun
    clause: int


def find_triggers(text: str, sentence: Sentence, mentions: Sequence[EntityMention],
                   clauses: list[tuple[int, int]]) -> list[Trigger]:
    """Event words of a sentence, outside names and not negated."""
    # words of a name are no event words; those of a back-reference are ('the Astana summit')
    spans = [(m.start - sentence.start, m.end - sentence.start) for m in mentions
             if not m.is_reference]
    found = []
    for match in _TRIGGERS.finditer(text):
        start, end = match.span()
        event_type = _TRIGGER_TYPES[match.lastgroup or ""]
        if any(s <= start and end <= e for s, e in spans):
            continue  # a word of a name ('Forum' in 'Astana International Forum')
        if _NEGATION.search(text, max(0, start - 30), start):
            continue
        if event_type == "first_held" and _FIRST_IN_A_WHILE.match(text, end):
            event_type = "noun_held"  # 'the first OSCE summit in eleven years'
        if event_type in HELD_KINDS and _about_another_venue(text, start, sentence, mentions):
            continue
        if event_type == "deposited":
            deposited = _instrument_deposited(text, clauses[clause_index(clauses, start)])
            if deposited is None:
                continue
            event_type = deposited
        found.append(Trigger(start, end, event_type, clause_index(clauses, start)))
    return _settle_triggers(text, found)


def _instrument_deposited(text: str, clause: tuple[int, int]) -> str | None:
    """What depositing an instrument records: 'deposited its instrument of ratification' (or
    'the ratification instrument ... has been deposited') is the ratification, one of
    accession the accession; a deposit of anything else (funds, fuel) is no event."""
    found = _INSTRUMENT_KIND.search(text, *clause)
    if found is None:
        return None
    return "joined" if found.group(0).startswith("acce") else "approved"


def _settle_triggers(text: str, found: list[Trigger]) -> list[Trigger]:
    """Triggers read together: an application, 'for the first time' without a meeting.

    'applied for observer status' or 'applied to join' announces an application: the status or
    membership it asks for is not yet an event, so a joining word after an application in the
    same clause is dropped and the application reads as 'announced'. 'For the first time' marks
    a first edition only where the clause speaks of a meeting ('for the first time, a train
    reached Baku' is no edition).
    """
    settled = []
    for trigger in found:
        if trigger.event_type == "applied":
            trigger = Trigger(trigger.start, trigger.end, "announced", trigger.clause)
        if not _asked_for(trigger, found) and not _first_time_without_meeting(
                trigger, found, text) and not _aspectual(trigger, found, text):
            settled.append(trigger)
    return settled


def _aspectual(trigger: Trigger, found: list[Trigger], text: str) -> bool:
    """Whether 'started'/'began' only introduces the event word after it ('the council
    began to accept Bahrain as a member' is an accession)."""
    return trigger.event_type == "started" and text.startswith(" to ", trigger.end) and any(
        t.event_type != "started" and 0 <= t.start - trigger.end <= _ASPECT_REACH for t in found)


def _asked_for(trigger: Trigger, found: list[Trigger]) -> bool:
    """Whether a joining word is what an application before it asks for."""
    return trigger.event_type in _MEMBERSHIP_TYPES and any(
        t.event_type == "applied" and t.clause == trigger.clause and
        0 <= trigger.start - t.end <= _APPLICATION_REACH for t in found)


def _first_time_without_meeting(trigger: Trigger, found: list[Trigger], text: str) -> bool:
    """Whether a 'for the first time' has no meeting in its clause to be the first of."""
    return trigger.event_type == "first_held" and text.startswith("for", trigger.start) and \
        not any(t.event_type in _MEETING_TRIGGERS and t.clause == trigger.clause for t in found)


def _about_another_venue(text: str, start: int, sentence: Sentence,
                         mentions: Sequence[EntityMention]) -> bool:
    """'... the session of the OIC ministers which was held in Astana': about that session.

    A 'which/that was held' relative clause belongs to the noun right before it; unless an
    initiative is named there (the idea of CICA which held ...), the verb dates another meeting.
    """
    which = _WHICH_WAS.search(text, max(0, start - 30), start)
    if which is None:
        return False
    before = [m for m in mentions if m.end - sentence.start <= which.start()
              and which.start() - (m.end - sentence.start) <= 60]
    return not before or not before[-1].is_initiative or \
        venue_mention(before[-1], sentence.start, text, mentions)


def venue_mention(mention: EntityMention, offset: int, text: str,
                   mentions: Sequence[EntityMention]) -> bool:
    """`_venue_of_another` over a sentence's lower-cased text starting at `offset`.

    An acronym in brackets after its full name ('... Cooperation (OIC)') reads with the name.
    """
    m_start, m_end = mention.start - offset, mention.end - offset
    for other in mentions:
        o_end = other.end - offset
        if other.entity_id == mention.entity_id and o_end < m_start and \
                text[o_end:m_start].strip() == "(":
            m_start = other.start - offset
    if _VENUE_LEAD.search(text, max(0, m_start - 80), m_start) or \
            _PLACE_BEFORE.search(text, max(0, m_start - 40), m_start):
        return True
    return _AT_BEFORE.search(text, max(0, m_start - 30), m_start) is not None and \
        _MEETING_AFTER.match(text, m_end) is not None
