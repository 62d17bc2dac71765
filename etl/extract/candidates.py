"""Possible new initiatives: bodies Kazakhstan proposed, founded, hosts or chairs that the
gazetteer does not know yet.

A candidate is a capitalised name of two or more words with an organisational head noun
('Regional Centre for Renewable Energy', 'Astana Water Council'), tied to Kazakhstan in the
same sentence in one of four ways:

* Kazakhstan (its president, government, ministry, 'the Kazakh side', 'Astana') is the subject
  of a founding verb whose object is the name: 'Kazakhstan proposed establishing a Regional
  Centre for ...', 'President Tokayev put forward the idea of creating an International Agency
  for ...', 'Kazakhstan's proposal to set up a Eurasian Council of ...', 'Kazakhstan hosts the
  ... Hub', 'Astana chairs the ... Commission';
* the name is followed by a passive founding verb and Kazakhstan as the agent: '... Centre for
  ..., set up at Kazakhstan's initiative', '..., established on the initiative of President
  Nazarbayev', '..., initiated by Kazakhstan';
* the name is based in the capital: 'the Astana-based International Centre for ...';
* (all) the name is not, and does not overlap, a gazetteer entry or look-alike.

Precision comes first: a lower-case phrase ('a new platform'), a single capitalised word ('the
Organisation'), a national body ('Kazakhstan Institute for ...', 'National Bank') and a
title-case headline are never candidates. Pure over the text; nothing here reads files.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from etl.model import CandidateMention, Sentence
from etl.months import MONTHS

from .date_grammar import WEEKDAYS

# Organisational head nouns: a name holding one of them can be a body or a format.
HEAD_NOUNS = frozenset({
    "centre", "center", "council", "agency", "forum", "organisation", "organization", "fund",
    "hub", "institute", "platform", "alliance", "commission", "secretariat", "bank", "club",
    "dialogue", "initiative", "union", "association", "network", "congress", "conference",
    "partnership", "office", "academy", "committee", "coalition", "bureau", "mechanism",
    "programme", "program", "observatory", "consortium"})
# Words marking a national rather than a multilateral body.
_NATIONAL_WORDS = frozenset({"kazakh", "kazakhstan", "kazakhstan's", "national", "ministry",
                             "republic", "parliament", "mazhilis", "senate", "akimat"})
# Kazakhstan as an actor: the state, its leaders and institutions, its capital.
_ACTOR = (r"(?:Kazakhstan|(?:the\s+)?Kazakh\s+(?:side|president|government|leadership|leader|"
          r"delegation|foreign\s+ministry|ministry|authorities)|(?:President\s+)?"
          r"(?:Kassym-Jomart\s+)?Tokayev|(?:President\s+|Elbasy\s+)?(?:Nursultan\s+)?Nazarbayev|"
          r"Astana|Nur-Sultan|Akorda)")
_ACTOR_PATTERN = re.compile(_ACTOR)
# What ties the actor to the body: founding, proposing, hosting, chairing.
_VERBS = {
    "proposed": r"propos(?:ed|es|ing|al)|put\s+forward|suggest(?:ed|s)|called\s+for|"
                r"(?:came\s+up\s+with|floated|initiat(?:ed|es|ing)|initiative)",
    "founded": r"found(?:ed|s|ing)|establish(?:ed|es|ing|ment)|set\s+up|sets\s+up|setting\s+up|"
               r"creat(?:ed|es|ing|ion)|launch(?:ed|es|ing)",
    "hosts": r"host(?:s|ed|ing)?",
    "chairs": r"chair(?:s|ed|ing|manship)?|presid(?:es|ed|ing)\s+over",
}
_VERB = re.compile(r"\b(?:" + "|".join(f"(?P<{k}>{v})" for k, v in _VERBS.items()) + r")\b",
                   re.IGNORECASE)
# Words allowed between a founding verb and the name ('proposed establishing a', 'the idea of
# creating an', 'proposal to set up the').
_BRIDGE = re.compile(
    r"(?:\s+|,\s*)(?:(?:to|a|an|the|new|its|their|his|her|of|for|idea|creation|establishment|"
    r"establishing|establish|creating|create|setting|set|up|forming|form|formation|launching|"
    r"launch|hosting|host|an?\s+international|regional|permanent|joint|special|specialised|"
    r"specialized|dedicated)\s+)*$", re.IGNORECASE)
# word stems of every tie above: a sentence without one is not read further (cheap test)
_TRIGGER_STEMS = re.compile(
    r"propos|forward|suggest|called\s+for|came\s+up|floated|initiat|found|establish|"
    r"set(?:s|ting)?\s+up|creat|launch|host|chair|presid|-based|-headquartered|opened|convened")
_ACTOR_TO_VERB_REACH = 90  # characters between the actor and its verb
_VERB_TO_NAME_REACH = 70  # characters between the verb and the name
# '..., set up at Kazakhstan's initiative', '... established on the initiative of President X',
# '..., initiated by Kazakhstan', '..., which Kazakhstan hosts'
_PASSIVE_AFTER = re.compile(
    r"^\s*(?:\([^)]{1,20}\)\s*)?,?\s*(?:(?:which|that)\s+(?:was|were|is|has\s+been)\s+|"
    r"(?:was|were|is|has\s+been)\s+)?(?:first\s+|originally\s+|jointly\s+)?"
    r"(?P<verb>set\s+up|established|founded|created|launched|initiated|proposed|hosted|"
    r"chaired|opened|convened)\s+(?:in\s+\d{4}\s+)?(?:at|on|upon|by|following|under)\s+"
    r"(?:the\s+)?(?:initiative\s+of\s+|proposal\s+of\s+)?(?:the\s+)?" + _ACTOR)
_BASED_BEFORE = re.compile(r"\b(?:Astana|Nur-Sultan|Almaty)-(?:based|headquartered)\s+"
                           r"(?:the\s+)?$")
_PASSIVE_KIND = {"set up": "founded", "established": "founded", "founded": "founded",
                 "created": "founded", "launched": "founded", "opened": "founded",
                 "initiated": "proposed", "proposed": "proposed", "hosted": "hosts",
                 "convened": "hosts", "chaired": "chairs"}
# A run of capitalised words joined by short lower-case connectors ('Centre for Peace and
# Security in Asia'); possessives ('Kazakhstan's') end a run.
_NAME = re.compile(  # (the word start is tested by `_names`: a look-behind here is slow)
    r"(?:[A-Z][\w\-]*(?<!['’]s)(?:\s+(?:(?:of|for|on|and|the|in|to|de|&)\s+)*"
    r"(?=[A-Z]))?)+")
_CONNECTORS = frozenset({"of", "for", "on", "and", "the", "in", "to", "de", "&"})
_LEADING_NOISE = frozenset({"the", "a", "an", "in", "on", "at", "by", "this", "that", "its",
                            "new", "and", "of", "for", "to", "president", "kazakhstan",
                            "astana", "nur-sultan", "almaty"})
# an edition ('the Third Congress') or a date ('the June Forum') is not a new body's name
_EDITION_WORD = re.compile(
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"\d+(?:st|nd|rd|th)|" + "|".join(MONTHS) + r"|annual|inaugural|next|last|upcoming)$")
_MAX_NAME_WORDS = 12
# a sentence with fewer lower-case words (of four letters or more) is a headline: not read
_TITLE_CASE_LOWER = 2
# a trailing 'in Almaty' or 'on Tuesday' says where or when; it is not part of the name
_TRAILING_WORDS = frozenset({
    "almaty", "astana", "nur-sultan", "kazakhstan", "shymkent", "aktau", "turkestan",
    *WEEKDAYS, *MONTHS})
_ANCHOR = re.compile(r"Kazakh|Tokayev|Nazarbayev|Astana|Nur-Sultan|Akorda")


def _by_first_letter(words: list[str]) -> str:
    """An alternation of words grouped by their first letter ('A(?:gency|lliance)|B(?:ank)'),
    which the regex engine scans far faster than a flat list."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=lambda w: (-len(w), w)):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in sorted(groups.items()))


# (no leading word boundary: it would stop the engine from skipping to the first letters)
_HEAD_ANCHOR = re.compile(r"(?:" + _by_first_letter([w.capitalize() for w in HEAD_NOUNS])
                          + r")\b")


def find_candidates(folded: str, sentences: Sequence[Sentence],
                    known_spans: Sequence[tuple[int, int]]) -> list[CandidateMention]:
    """Possible new initiatives of an article, in reading order (see the module docstring).

    `known_spans` are the offsets of every gazetteer name found in the text (initiatives and
    look-alikes): a name overlapping one is not a candidate.
    """
    known = sorted(known_spans)
    found: list[CandidateMention] = []
    # cheap tests first: one scan of the text for organisational nouns, then in those sentences
    # Kazakhstan and a tie word, and not a headline
    starts = [s.start for s in sentences]
    with_head = sorted({bisect.bisect_right(starts, m.start()) - 1
                        for m in _HEAD_ANCHOR.finditer(folded)
                        if not m.start() or not folded[m.start() - 1].isalnum()} - {-1})
    for sentence in (sentences[i] for i in with_head):
        text = folded[sentence.start:sentence.end]
        if not _ANCHOR.search(text) or not _TRIGGER_STEMS.search(text.lower()) \
                or _title_case(text):
            continue
        for start, end in _names(text):
            if _overlaps_known(known, sentence.start + start, sentence.start + end):
                continue
            relation = _relation(text, start, end)
            if relation is None:
                continue
            surface = text[start:end]
            found.append(CandidateMention(sentence.sentence_no, surface, name_key(surface),
                                          sentence.start + start, sentence.start + end,
                                          relation))
    return found


def name_key(surface: str) -> str:
    """A name in a form equal for its spelling variants: lower case, 'the' dropped, Centre and
    Center, Organisation and Organization alike, hyphens as spaces."""
    words = re.sub(r"[\-–]", " ", surface.lower()).split()
    if words and words[0] == "the":
        words = words[1:]
    folded = {"center": "centre", "organization": "organisation", "program": "programme"}
    return " ".join(folded.get(w, w) for w in words)


def _names(text: str) -> list[tuple[int, int]]:
    """Spans of capitalised multi-word names with an organisational head noun."""
    spans = []
    for match in _NAME.finditer(text):
        if match.start() and (text[match.start() - 1].isalnum() or
                              text[match.start() - 1] == "-"):
            continue  # inside a word
        if not _HEAD_ANCHOR.search(match.group()):
            continue  # no organisational noun (a loose test: the words are checked below)
        words = [(m.start() + match.start(), m.end() + match.start(), m.group())
                 for m in re.finditer(r"\S+", match.group())]
        if {w.lower() for _, _, w in words} & _NATIONAL_WORDS:
            continue  # 'Kazakhstan Institute for ...', 'National Bank': a national body
        while words and (words[0][2].lower() in _LEADING_NOISE
                         or words[0][2].lower().endswith(("-based", "-headquartered"))):
            words = words[1:]
        if any(_EDITION_WORD.match(w.lower()) for _, _, w in words):
            continue
        if len(words) > 2 and words[-2][2] in ("in", "on", "at") and \
                words[-1][2].lower() in _TRAILING_WORDS:
            words = words[:-2]
        while words and words[-1][2].lower() in _CONNECTORS:
            words = words[:-1]
        content = [w for _, _, w in words if w.lower() not in _CONNECTORS]
        lowered = {w.lower() for w in content}
        if len(content) < 2 or len(words) > _MAX_NAME_WORDS:
            continue
        if not lowered & HEAD_NOUNS:
            continue
        spans.append((words[0][0], words[-1][1]))
    return spans


def _relation(text: str, start: int, end: int) -> str | None:
    """How the sentence ties Kazakhstan to the name at [start, end), or None."""
    if _BASED_BEFORE.search(text, max(0, start - 40), start):
        return "hosts"
    passive = _PASSIVE_AFTER.match(text[end:end + 160])
    if passive:
        return _PASSIVE_KIND[" ".join(passive.group("verb").lower().split())]
    window_start = max(0, start - _VERB_TO_NAME_REACH - 20)
    # the first verb of a chain says what Kazakhstan did: 'proposed establishing a ...' is a
    # proposal
    for verb in _VERB.finditer(text, window_start, start):
        if not _BRIDGE.fullmatch(text[verb.end():start]):
            continue
        if _actor_before(text, verb.start()):
            return next(k for k, v in verb.groupdict().items() if v)
    return None


def _actor_before(text: str, verb_start: int) -> bool:
    """Whether Kazakhstan is named before the verb, within reach and in the same clause."""
    window = text[max(0, verb_start - _ACTOR_TO_VERB_REACH):verb_start]
    actors = list(_ACTOR_PATTERN.finditer(window))
    if not actors:
        return False
    between = window[actors[-1].end():]
    return ";" not in between and " while " not in between and " but " not in between


def _overlaps_known(known: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps a known name (sorted, non-overlapping spans): only the
    names starting inside it and the one starting right before it can."""
    first = bisect.bisect_left(known, (start, start))
    last = bisect.bisect_left(known, (end, end))
    return any(s < end and start < e for s, e in known[max(0, first - 1):last])


def _title_case(text: str) -> bool:
    """A headline in title case: no closing full stop, and hardly a lower-case word of more
    than three letters."""
    if text.rstrip().endswith((".", "!", "?", '."', ".”")):
        return False
    words = [w for w in re.findall(r"[A-Za-z][\w'’\-]*", text) if len(w) > 3]
    return len(words) >= 4 and sum(1 for w in words if w[0].islower()) < _TITLE_CASE_LOWER
