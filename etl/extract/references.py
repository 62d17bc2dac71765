"""References across the article: which entry a sentence that names none is about.

`mentions.py` binds a back-reference to an entry that lists its noun ('the forum', 'The Bank')
or to the previous sentence's subject ('It ...'). Real articles refer further and more loosely:
'The first of them took place in May 2006', 'the opening three rounds were hosted', 'the
discussions that took place in Tashkent', 'It was picked in 2015' two sentences after the
last name. This module resolves those by salience, for dated sentences that name no
initiative (a look-alike such as the UN General Assembly named as a setting does not count):

* salience: the entry mentioned most in the last `TOPIC_WINDOW` sentences (the passage's
  topic), ties going to the one mentioned most in the article so far, then to the most
  recent; nothing further back than the window counts;
* compatibility: a generic noun names only an entry of a kind that has such things ('the
  discussions', 'the rounds' -> a meeting, process, forum or an organisation that meets, not a
  bank or an agency; 'the forum', 'the congress' -> a forum or meeting; 'the bank', 'the
  agency' -> an organisation or a proposed one; 'the treaty' -> a document or a zone), or an
  entry that lists the noun in the gazetteer;
* a sentence-opening 'It' that the previous sentence's subject does not explain names the
  topic, whatever its kind, and so does the label of a profile's field ('Founded: 2001');
* a membership word without its organisation ('Mongolia has been an observer since 2015',
  "Kyrgyzstan's accession treaty took effect") names the topic if it has members.

When the most salient compatible entry is a look-alike (the Munich Security Conference), the
reference yields nothing, as in `mentions.py`. Everything here is one pass over the article's
mentions in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from etl.model import DateMention, Sentence

from .gazetteer import MEMBERSHIP_KINDS, Gazetteer
from .mentions import EntityMention, subject_pronoun

# How many sentences back the topic is looked for before the whole article counts.
TOPIC_WINDOW = 5

_MEETINGS = frozenset({"forum", "meeting", "process", "organisation"})
_GATHERINGS = frozenset({"forum", "meeting"})
_BODIES = frozenset({"organisation", "proposal", "forum"})
# nouns of an institution that works rather than meets (a bank, an agency, a fund): an
# organisation listing one of them has no meetings for 'the summit' or 'the rounds' to name
_INSTITUTION_NOUNS = frozenset(
    {"bank", "agency", "fund", "centre", "center", "hub", "secretariat", "facility", "office"})
_DOCUMENTS = frozenset({"document", "zone"})
_ANY: frozenset[str] = frozenset()  # every kind
_MEMBERSHIP = MEMBERSHIP_KINDS

# Generic nouns a reference may use, and the kinds of entry each can name.
GENERIC_NOUN_KINDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("meeting", "meetings", "session", "sessions", "round", "rounds", "summit", "summits",
         "talks", "discussions", "negotiations", "gathering", "gatherings", "edition",
         "editions", "ministerial", "event"),
        _MEETINGS),
    **dict.fromkeys(("forum", "congress", "conference", "conferences"), _GATHERINGS),
    **dict.fromkeys(
        ("organisation", "organization", "body", "bloc", "grouping", "group", "union",
         "alliance", "association", "council", "bank", "agency", "fund", "secretariat",
         "institution", "structure", "platform", "centre", "center", "hub", "facility"),
        _BODIES),
    **dict.fromkeys(("treaty", "convention", "declaration", "charter"), _DOCUMENTS),
    # a document signed or adopted in an article about a body is that body's ('the agreement
    # was signed on 29 February' in an article about the organisation it concerns)
    **dict.fromkeys(("agreement", "document", "memorandum", "statute", "statutes"), _ANY),
    **dict.fromkeys(("route", "corridor"), frozenset({"route"})),
    **dict.fromkeys(("programme", "program"), frozenset({"programme"})),
    **dict.fromkeys(("process", "format"), frozenset({"process"})),
    # an idea or a proposal just mentioned is one (another's, often), not any body
    **dict.fromkeys(("idea", "initiative", "proposal", "project"), frozenset({"proposal"})),
}
# 'the first two rounds', 'The organisation', 'this body', 'the discussions that ...'; modifiers
# are lower-case words ('the Special Working Group' is a name); not 'the meeting of X' (which
# names another meeting) nor 'the idea to ...' (which names something new).
_GENERIC_NP = re.compile(
    r"\b(?:[Tt]he|[Tt]his|[Tt]hese|[Tt]hose|THE|THIS)\s+"
    r"(?P<mods>(?:(?!(?:the|a|an|of|and|or|in|on|to|for|with|by|at|from|is|was|are|were)\b)"
    r"[a-z][a-z\-]*,?\s+){0,3}?)"
    r"(?P<noun>(?i:" + "|".join(sorted(GENERIC_NOUN_KINDS, key=len, reverse=True)) + r"))"
    r"(?![\w\-])(?!\s+(?:of|on|about|against|for|to)\b)(?!\s+[A-Z])")
# 'Founded: 2001', 'Chairmanship-in-Office: China (2014-2018)': a field of a profile or an
# infobox, about the page's topic
_FIELD_LABEL = re.compile(r"[\W_]*([A-Z][\w\-]*(?:\s+[\w\-]+){0,3}):\s")
# a membership word without its organisation ('Mongolia has been an observer since 2015',
# "Kyrgyzstan's accession treaty took effect"): membership of the topic
_MEMBERSHIP_WORD = re.compile(
    r"\b(?:observers?|members?|membership|accession|admission|joined|acceded)\b(?!\s+(?:of|to|in)\b)",
    re.IGNORECASE)
# 'The first of them', 'a second one', 'the third' opening a clause: editions of the topic
_ORDINAL_ONE = re.compile(
    r"\b(?:[Tt]he|[Aa])\s+(?:first|second|third|fourth|fifth|sixth|next|last|latest|previous)"
    r"\s+(?:of\s+them|one)\b")


# a meeting introduced as new ('a one-day seminar', 'one of the most important summits') and a
# verb saying it took place: the lead of a report that names the meeting's owner next
_INDEFINITE_MEETING = re.compile(
    r"\b(?:[Aa]n?|[Oo]ne\s+of\s+the)\s+(?:[\w\-]+\s+){0,4}?"
    r"(?:seminar|workshop|symposium|summit|meeting|session|conference|forum|congress|"
    r"gathering|round|ministerial|assembly)s?\b")
_MEETING_NOUN = re.compile(
    r"\b(?:seminar|workshop|symposium|summit|meeting|session|conference|forum|congress|"
    r"gathering|round|ministerial|assembly|event)s?\b", re.IGNORECASE)
# a sentence that goes on about what the one before introduced ('It was entitled ...')
_GOES_ON = re.compile(r"[\W_]*(?:It|Its|This|The\s+(?:[\w\-]+\s+){0,2}?(?:event|meeting|"
                      r"seminar|summit|forum|conference|gathering))\b")
_HOSTING_VERB = re.compile(
    r"\b(?:hosted|held|organi[sz]ed|convened|took\s+place|staged|opened)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """A phrase that names no entry but refers to one (sentence-absolute offsets)."""

    sentence_no: int
    start: int
    end: int
    kinds: frozenset[str]  # compatible kinds; empty: any kind
    noun: str | None  # the generic noun, if any (an entry listing it is compatible too)


def resolve_across_sentences(folded: str, sentences: Sequence[Sentence],
                             mentions: Sequence[EntityMention], dates: Sequence[DateMention],
                             gazetteer: Gazetteer) -> list[EntityMention]:
    """The mentions plus references of dated sentences that name no initiative (module docstring).

    Only a sentence with a date that may be an event's is read: what it refers to matters for
    the timeline, and reading no other keeps this cheap. A subject pronoun ('It', 'Its', ',
    it was') comes first; 'This' is left alone (it mostly points at what was just said).
    """
    named = {m.sentence_no for m in mentions if m.is_initiative}
    dated = {d.sentence_no for d in dates if d.role == "event" and d.year is not None}
    unnamed = dated - named
    open_sentences = [s for s in sentences if s.sentence_no in unnamed]
    if not open_sentences:
        return list(mentions)
    resolved = resolve_references(folded, mentions,
                                  sentence_references(folded, open_sentences), gazetteer)
    forward = _forward_references(folded, sentences, open_sentences, resolved, dated)
    return sorted(resolved + forward, key=lambda m: m.start) if forward else resolved


def _forward_references(folded: str, sentences: Sequence[Sentence],
                        open_sentences: Sequence[Sentence],
                        mentions: Sequence[EntityMention],
                        dated: set[int]) -> list[EntityMention]:
    """Mentions for dated sentences that report a meeting before naming whose it is.

    A news lead often dates a meeting first and names it in the next sentence ('On Monday,
    Tashkent hosted a regional summit.' then 'The gathering was the fifth of the SCO ...').
    When a dated sentence still names no entry, speaks of a meeting with an indefinite article
    ('a seminar', 'one of the largest forums') and a hosting verb, and the next sentence is
    undated, goes on about the meeting ('It was entitled ...', a meeting noun) and names exactly
    one initiative, the meeting is that initiative's.
    """
    following_sentence = {s.sentence_no - 1: s for s in sentences}
    by_no: dict[int, list[EntityMention]] = {}
    for mention in mentions:
        by_no.setdefault(mention.sentence_no, []).append(mention)
    found: list[EntityMention] = []
    for sentence in open_sentences:
        number = sentence.sentence_no
        if any(m.is_initiative for m in by_no.get(number, ())) or number + 1 in dated:
            continue
        meeting = _INDEFINITE_MEETING.search(folded, sentence.start, sentence.end)
        if meeting is None or _HOSTING_VERB.search(folded, sentence.start, sentence.end) is None:
            continue
        after = following_sentence.get(number)
        if after is None or not (_GOES_ON.match(folded, after.start, after.end) or
                                 _MEETING_NOUN.search(folded, after.start, after.end)):
            continue
        following = [m for m in by_no.get(number + 1, ())
                     if m.is_initiative and not m.is_reference]
        if not following or len({m.entity_id for m in following}) != 1:
            continue
        found.append(replace(following[0], sentence_no=number,
                             surface=folded[meeting.start():meeting.end()],
                             start=meeting.start(), end=meeting.end(), method="topic",
                             antecedent_sentence_no=number + 1))
    return found


def sentence_references(folded: str, sentences: Iterable[Sentence]) -> list[Reference]:
    """The reference each sentence opens with: its subject pronoun, else its first generic
    noun phrase ('The first of them', 'the discussions that ...'), if any."""
    found: list[Reference] = []
    for sentence in sentences:
        span = subject_pronoun(folded, sentence)
        if span is not None and folded[span[0]:span[1]].lower() in ("it", "its"):
            found.append(Reference(sentence.sentence_no, span[0], span[1], _ANY, None))
            continue
        label = _FIELD_LABEL.match(folded, sentence.start, sentence.end)
        if label is not None:
            found.append(Reference(sentence.sentence_no, *label.span(1), _ANY, None))
            continue
        candidates = [m for m in (
            _GENERIC_NP.search(folded, sentence.start, sentence.end),
            _ORDINAL_ONE.search(folded, sentence.start, sentence.end)) if m is not None]
        if not candidates:
            member = _MEMBERSHIP_WORD.search(folded, sentence.start, sentence.end)
            if member is not None:
                found.append(Reference(sentence.sentence_no, *member.span(), _MEMBERSHIP,
                                       None))
            continue
        match = min(candidates, key=lambda m: m.start())
        noun = match.groupdict().get("noun")
        kinds = GENERIC_NOUN_KINDS[noun.lower()] if noun else _MEETINGS
        found.append(Reference(sentence.sentence_no, match.start(), match.end(), kinds,
                               noun.lower() if noun else None))
    return found


def resolve_references(folded: str, mentions: Sequence[EntityMention],
                       references: Iterable[Reference],
                       gazetteer: Gazetteer) -> list[EntityMention]:
    """The mentions plus one 'topic' mention per reference that finds a salient entry."""
    ordered = sorted(references, key=lambda r: r.start)
    if not ordered:
        return list(mentions)
    resolved: list[EntityMention] = []
    pending = sorted(mentions, key=lambda m: m.start)
    salience = _Salience()
    d = 0
    for reference in ordered:
        while d < len(pending) and pending[d].start < reference.start:
            salience.add(pending[d])
            resolved.append(pending[d])
            d += 1
        target = salience.topic(reference, gazetteer)
        if target is None:
            continue
        mention = replace(target, sentence_no=reference.sentence_no,
                          surface=folded[reference.start:reference.end], start=reference.start,
                          end=reference.end, method="topic",
                          antecedent_sentence_no=target.named_in)
        salience.add(mention)
        resolved.append(mention)
    resolved.extend(pending[d:])
    return resolved


class _Salience:
    """Running mention counts of the article read so far, to find its topic."""

    def __init__(self) -> None:
        self.total: dict[str, int] = {}
        self.latest: dict[str, EntityMention] = {}
        self.recent: list[EntityMention] = []  # mentions in reading order

    def add(self, mention: EntityMention) -> None:
        """Count a mention read."""
        self.total[mention.entity_id] = self.total.get(mention.entity_id, 0) + 1
        self.latest[mention.entity_id] = mention
        self.recent.append(mention)

    def topic(self, reference: Reference, gazetteer: Gazetteer) -> EntityMention | None:
        """The most salient entry compatible with the reference, if it is an initiative's."""
        window: dict[str, int] = {}
        for mention in reversed(self.recent):
            if mention.sentence_no < reference.sentence_no - TOPIC_WINDOW:
                break
            if _compatible(mention.entity_id, reference, gazetteer):
                window[mention.entity_id] = window.get(mention.entity_id, 0) + 1
        if not window:
            return None
        best = max(window, key=lambda e: (window[e], self.total[e], self.latest[e].start))
        target = self.latest[best]
        return target if target.is_initiative else None


def _compatible(entity_id: str, reference: Reference, gazetteer: Gazetteer) -> bool:
    """Whether a reference's noun can name an entry (module docstring, compatibility)."""
    if not reference.kinds or entity_id in gazetteer.noun_entries.get(reference.noun or "", ()):
        return True
    entry = gazetteer.by_id[entity_id]
    if entry.kind not in reference.kinds:
        return False
    return not (reference.kinds is _MEETINGS and entry.kind == "organisation" and
                _INSTITUTION_NOUNS.intersection(entry.nouns))
