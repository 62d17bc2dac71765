"""Membership figures: how many member states, observers and partners an initiative has.

A figure is a number (digits or words up to 'a hundred') directly in front of a kind of member:
'28 member states', 'five observer organisations', 'six partner organisations', 'CICA's 27
members', '30 states have ratified'; also 'became the 28th member', 'bringing its membership
to 24', 'its membership has grown from 16 countries', 'membership now stands at 38 countries',
'Membership: 28 states', 'now comprises 28 countries', 'nine states and five organisations
have observer status' and 'observers: nine states and five organisations'. Not figures:
approximations ('more than 50 member states'), negations ('isn't a member'), attendance
('attended by 26 member countries'), and anything that counts something else (delegations from
50 countries, 16 strategic programmes, nine members of parliament).

The organisation is the antecedent of a relative clause holding the figure ('The OIC, which
unites 57 states'), the one named after 'observer status with/in', an initiative named right
after ('... of the IOFS', unless a having verb follows its subject: 'the IOFS is uniting 38
member states of OIC'), else the nearest mention before the figure in its clause (a
back-reference such as 'It' counts), else the nearest after it. A look-alike there (the OIC's 57
member states) means the figure is not an initiative's. A sentence naming nothing takes the
initiative its paragraph opens with ('Conference ... (CICA): ... Membership: 28 states').

The year is the nearest date between this figure and its neighbours ('16 member states ... at
the first Summit in 2002 and today having 28 member states' -> 2002 and the publication year);
a figure listed right after another shares its year ('28 member states, five observer
organisations and six partner organisations'); a figure in the present tense without a date is
of the publication year ('CICA has 28 Member States', 'Membership: 28 states', 'Kuwait was
admitted as the 28th member'); otherwise the year is unknown.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.model import DateMention, MembershipFigure, PublicationDate, Sentence

from .gazetteer import MEMBERSHIP_KINDS, Gazetteer
from .mentions import EntityMention
from .text import (
    NUMBER_PATTERN,
    by_sentence,
    clause_bounds,
    clause_index,
    lowered_same_length,
    parse_number,
    parse_ordinal,
)

# cheap test that a (lower-cased) sentence may hold a figure at all, run once over the text;
# grouped by first letter and without word-boundary tests, which keeps the scan fast
_ANCHOR = re.compile(r"m(?:ember)|o(?:bserver)|p(?:artner)|r(?:atif)|"
                     r"c(?:ompris|onsist|ount(?:s|ed))|u(?:nit(?:es|ing|e\b))|t(?:ogether)|"
                     r"n(?:umber(?:s|ed))")
# where a kind of member is named ('28 member states', 'five observer organisations')
_KIND_ANCHOR = re.compile(r"member|observer|partner")
_KIND_AT = re.compile(
    r"(?:(?P<member_states>member[\s\-]+(?:states?|countries|nations)|members)"
    r"|(?P<observer_states>observer[\s\-]+(?:states|countries|nations))"
    r"|(?P<observer_organisations>observer[\s\-]+organi[sz]ations)"
    r"|(?P<partner_organisations>partner[\s\-]+organi[sz]ations|partners))"
    r"(?![\w\-])"
)
# the number, optionally an adjective or the organisation's name ('28 CICA member states')
_NUMBER_BEFORE = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})[\s\-]+(?:(?:full|founding|official|permanent|new|other|"
    r"asian|european|regular)[\s\-]+)?(?:(?P<name>[a-z][\w\-]*)\s+)?$"
)
_ORGANISATIONS_AS_OBSERVERS = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:international\s+)?organi[sz]ations\s+"
    r"(?:as|with)\s+(?:an?\s+)?observers?(?:\s+status)?"
)
_RATIFIED = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:member\s+)?(?:states|countries|nations)\s+"
    r"(?:have|had|has)\s+(?:already\s+|now\s+|so\s+far\s+)?ratified"
    rf"|ratified\s+by\s+(?P<num2>{NUMBER_PATTERN})\s+(?:member\s+)?(?:states|countries|nations)"
)
_ORDINAL_MEMBER = re.compile(
    r"(?:became|becoming|as|was|is)\s+(?:the|its)\s+(?P<ord>\d{1,3}(?:st|nd|rd|th)|[a-z]+)\s+"
    r"(?:full\s+)?member(?:\s+(?:state|country|nation))?(?![\w\-])"
)
_MEMBERSHIP_TO = re.compile(
    r"(?:(?:bringing|brought|taking|took|raising|raised|increasing|increased|expanding|expanded)\s+"
    r"(?:the\s+|its\s+|[\w\-]+'s\s+)?(?:total\s+)?(?:membership|number\s+of\s+(?:its\s+)?(?:member\s+states|"
    r"members))|membership\s+(?:has\s+|had\s+)?(?:grew|grown|rose|risen|increased|expanded|reached))\s+"
    r"(?:from\s+[^;]{1,80}?\s+)?"
    rf"to\s+(?P<num>{NUMBER_PATTERN})(?:\s+(?:member\s+)?(?:states|countries|nations|members))?"
)
_STATES = r"(?:member\s+)?(?:states|countries|nations|members)"
# 'whose membership has grown from 16 countries': the count it started from
_MEMBERSHIP_FROM = re.compile(
    r"membership\s+(?:has\s+|had\s+)?(?:grew|grown|rose|risen|increased|expanded)\s+from\s+"
    rf"(?P<num>{NUMBER_PATTERN})(?:\s+{_STATES})?"
)
# 'its membership now stands at 38 countries', 'membership totals 28', 'Membership: 28 states'
_MEMBERSHIP_LEVEL = re.compile(
    r"membership\s*(?::|(?:now\s+|currently\s+|today\s+)?(?:stands\s+at|stood\s+at|totals|"
    r"totalled|totaled|numbers|is\s+at|is))\s*"
    rf"(?P<num>{NUMBER_PATTERN})(?:\s+{_STATES})?(?![\w\-])"
)
# 'now comprises 28 countries', 'unites 38 states', 'brings together 27 nations'
_MEMBERSHIP_VERB = re.compile(
    r"(?<![\w\-])(?:compris(?:es|ed|ing)|comprise|unit(?:es|ed|ing)|unite|"
    r"(?:brings|bring|brought|bringing)\s+together|consists?\s+of|consisted\s+of|counts|counted|"
    r"numbers|numbered)\s+(?:(?:now|currently|today|some)\s+)?"
    rf"(?P<num>{NUMBER_PATTERN})\s+(?:(?:full|sovereign|independent|asian|european|"
    r"participating)\s+)?(?:member\s+)?(?:states|countries|nations)(?![\w\-])"
)
# 'Nine states ... as well as five international organizations ... have observer status';
# the counts are read back from 'observer status' to the start of its clause
_OBSERVER_STATUS = re.compile(
    r"(?P<verb>have|has|had|hold|holds|held|enjoy|enjoys|enjoyed|were\s+granted|was\s+granted|"
    r"been\s+granted|received|obtained|gained|with)\s+(?:the\s+)?(?:status\s+of\s+observers?|"
    r"observer\s+status)"
)
_OBSERVERS_LABEL = re.compile(r"observers?\s*:\s*")
_OBSERVER_COUNT = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:(?:other|international|regional|asian|european|"
    r"intergovernmental)\s+)?(?P<what>states|countries|nations|organi[sz]ations|bodies)(?![\w\-])"
)
_PRESENT_VERB = frozenset({"have", "has", "hold", "holds", "enjoy", "enjoys", "with"})
# the start of the stretch an 'observer status' counts belong to
_COUNT_STRETCH_START = re.compile(r";|:|\bwhile\b|\bwhereas\b|\bbut\b")
_APPROXIMATE = re.compile(
    r"(?:more\s+than|over|nearly|almost|about|around|some|up\s+to|at\s+least|roughly|"
    r"approximately|close\s+to|fewer\s+than|less\s+than|dozens\s+of|hundreds\s+of)\s+$"
)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bno\s+longer|\bnon)\b")
_ATTENDANCE_BEFORE = re.compile(r"attended\s+by\s+(?:\w+\s+){0,2}$")
_ATTENDANCE_AFTER = re.compile(r"^\s*(?:\w+\s+){0,2}(?:attended|took\s+part|were\s+present|"
                               r"participated\s+in\s+the\s+(?:meeting|session|summit))")
_OF_FOLLOWS = re.compile(r"\s*(?:of|in|within)\s+(?:the\s+)?$")
_LIST_JOIN = re.compile(r"^\s*(?:,|and|,\s*and|as\s+well\s+as|plus)\s*$")
_PRESENT = re.compile(
    r"\b(?:has|have|includes?|unites?|uniting|comprises?|consists\s+of|numbers|counts|"
    r"brings\s+together|boasts|totals|is\s+made\s+up\s+of|is\s+composed\s+of|having|now|"
    r"currently|at\s+present|presently|to\s+date)\b"
)
# a verb of having or uniting right before a figure: its subject is the owner, even when the
# figure goes on 'of OIC' ('Today the IOFS is uniting 38 member states of OIC')
_HAVING_BEFORE = re.compile(
    r"\b(?:has|have|had|unites|uniting|united|comprises|comprising|comprised|brings\s+together|"
    r"bringing\s+together|brought\s+together|counts|numbers|includes|included|consists\s+of)\s+"
    r"(?:(?:now|currently|today|some)\s+)?$"
)
_NOW = re.compile(r"\b(?:now|currently|at\s+present|presently|to\s+date)\b")
_RELATIVE_START = re.compile(r"(?:which|whose|who)\b")
_STATUS_OWNER = re.compile(r"\s+(?:with|in|at|of|to|within)\s+(?:the\s+)?")
_TOPIC_PREFIX = re.compile(r"[\W_]*(?:(?:the|a|an)\s+)?", re.IGNORECASE)


@dataclass
class _Figure:
    """A count in a sentence ('28 member states'), sentence-relative offsets."""

    start: int  # sentence-relative span of the whole figure ('28 member states')
    end: int
    count: int
    kind: str
    text: str
    # whether the figure itself says it is current: True ('Membership: 28 states', 'have
    # observer status', 'became its 28th member' without a date), False (a past-tense verb),
    # None (decided by the words before it)
    current: bool | None = None
    # for observer counts: where 'observer status' ends ('... have observer status with CICA')
    status_end: int | None = None
    rule: str = "count_noun"  # the pattern that found it (etl/extract/evidence.py)


def find_memberships(folded: str, sentences: Sequence[Sentence],
                     mentions: Sequence[EntityMention], dates: Sequence[DateMention],
                     published: PublicationDate | None,
                     gazetteer: Gazetteer) -> list[MembershipFigure]:
    """Every membership figure of an article, in reading order, without repeats."""
    lowered = lowered_same_length(folded)
    mentions_by_sentence = by_sentence(mentions)
    dates_by_sentence = by_sentence(dates)
    result: list[MembershipFigure] = []
    seen: set[tuple[object, ...]] = set()
    starts = [s.start for s in sentences]
    anchored = sorted({bisect.bisect_right(starts, m.start()) - 1
                       for m in _ANCHOR.finditer(lowered)} - {-1})
    for sentence in (sentences[i] for i in anchored):
        text = lowered[sentence.start:sentence.end]
        sentence_mentions = mentions_by_sentence.get(sentence.sentence_no, [])
        figures = _figures(text)
        if not figures:
            continue
        if not any(m.is_initiative for m in sentence_mentions):
            if sentence_mentions:
                continue  # only a look-alike is named: 'The OIC unites 57 states'
            topic = _paragraph_topic(folded, sentence, sentences, mentions_by_sentence)
            if topic is None:
                continue
            sentence_mentions = [topic]
        clauses = clause_bounds(text)
        # unresolved dates count too: 'today having 28 member states' without a publication
        # date has no year, rather than the year of another figure further away
        sentence_dates = [d for d in dates_by_sentence.get(sentence.sentence_no, [])
                          if d.role in ("event", "background", "unresolved")]
        previous: tuple[_Figure, int | None, str] | None = None
        for i, figure in enumerate(figures):
            year, basis = _year_for(figure, i, figures, text, sentence, sentence_dates, previous,
                                    published)
            previous = (figure, year, basis)
            owner = _owner(figure, text, sentence, clauses, sentence_mentions)
            if owner is None or not owner.is_initiative:
                continue
            if gazetteer.by_id[owner.entity_id].kind not in MEMBERSHIP_KINDS:
                continue
            key = (owner.entity_id, figure.kind, figure.count, year)
            if key in seen:
                continue
            seen.add(key)
            result.append(MembershipFigure(
                initiative_id=owner.entity_id, kind=figure.kind, count=figure.count, year=year,
                sentence_no=sentence.sentence_no, sentence=sentence.text,
                count_text=sentence.text[figure.start:figure.end], year_basis=basis,
                rule=figure.rule, initiative_sentence_no=owner.named_in,
            ))
    return result


def _figures(text: str) -> list[_Figure]:
    """Counted figures in a lower-cased sentence, in order."""
    figures: list[_Figure] = []
    for anchor in _KIND_ANCHOR.finditer(text):
        kind = _KIND_AT.match(text, anchor.start())
        if not kind or (anchor.start() and text[anchor.start() - 1].isalnum()):
            continue
        number = _NUMBER_BEFORE.search(text, max(0, anchor.start() - 30), anchor.start())
        if not number:
            continue
        figure = _figure(text, number.start("num"), kind.end(), number.group("num"),
                         kind.lastgroup or "")
        if figure is not None and figure.kind == "member_states" and kind.group() == "members":
            # bare 'members' counts only next to the organisation ('CICA's 27 members')
            figure.kind = "members"
        if figure is not None:
            figures.append(figure)
    for pattern, kind_name, current, needs, rule in (
            (_ORGANISATIONS_AS_OBSERVERS, "observer_organisations", None, "observer",
             "observer_status"),
            (_RATIFIED, "member_states_ratified", None, "ratif", "ratified"),
            (_MEMBERSHIP_TO, "member_states", None, "", "membership_change"),
            (_MEMBERSHIP_FROM, "member_states", None, "membership", "membership_change"),
            (_MEMBERSHIP_LEVEL, "member_states", True, "membership", "membership_level"),
            (_MEMBERSHIP_VERB, "member_states", None, "", "membership_verb")):
        if needs not in text:
            continue  # the pattern's key word is missing: skip the regex
        for match in pattern.finditer(text):
            group = "num" if match.group("num") else "num2"
            figure = _figure(text, match.start(group), match.end(), match.group(group), kind_name)
            if figure is not None:
                figure.current = current
                figure.rule = rule
                figures.append(figure)
    if "observer" in text:
        figures += _observer_figures(text)
    for match in _ORDINAL_MEMBER.finditer(text):
        count = parse_ordinal(match.group("ord"))
        if count:
            figures.append(_Figure(match.start(), match.end(), count, "member_states",
                                   text[match.start():match.end()], current=True,
                                   rule="ordinal"))
    figures.sort(key=lambda f: f.start)
    unique: list[_Figure] = []
    for figure in figures:
        if unique and figure.start < unique[-1].end:
            continue
        unique.append(figure)
    return unique


def _observer_figures(text: str) -> list[_Figure]:
    """Counts of observers: 'N states ... and M organisations have observer status', 'observers:
    nine states and five organisations'."""
    found: list[_Figure] = []
    stretches: list[tuple[int, int, bool | None, int | None]] = []
    for match in _OBSERVER_STATUS.finditer(text):
        begin = 0
        for boundary in _COUNT_STRETCH_START.finditer(text, 0, match.start()):
            begin = boundary.end()
        verb = " ".join(match.group("verb").split())
        stretches.append((begin, match.start(), verb in _PRESENT_VERB or None, match.end()))
    for match in _OBSERVERS_LABEL.finditer(text):
        stop = min((i for i in (text.find(";", match.end()), text.find(".", match.end()))
                    if i != -1), default=len(text))
        stretches.append((match.end(), stop, True, None))
    for begin, stop, current, status_end in stretches:
        for count in _OBSERVER_COUNT.finditer(text, begin, stop):
            kind = ("observer_organisations" if count.group("what").startswith(("organi", "bod"))
                    else "observer_states")
            figure = _figure(text, count.start("num"), count.end(), count.group("num"), kind)
            if figure is not None:
                figure.current = current
                figure.status_end = status_end
                figure.rule = "observer_status"
                found.append(figure)
    return found


def _paragraph_topic(folded: str, sentence: Sentence, sentences: Sequence[Sentence],
                     mentions_by_sentence: dict[int, list[EntityMention]]) -> EntityMention | None:
    """The initiative a paragraph is about, for a figure whose sentence names none.

    'Conference on ... (CICA): proposed in 1992. ... Membership: 28 states.' The paragraph's
    first sentence must open with the initiative (after a list marker or a determiner), and no
    other entry may be named between it and the figure's sentence.
    """
    topic: EntityMention | None = None
    for number in range(sentence.sentence_no - 1, 0, -1):
        earlier = sentences[number - 1]
        if "\n" in folded[earlier.end:sentences[number].start]:
            return None  # the paragraph began after this sentence
        named = [m for m in mentions_by_sentence.get(number, []) if m.is_initiative]
        if any(m.entity_id != (topic or named[0]).entity_id for m in named):
            return None  # the paragraph names another initiative on the way
        if named:
            topic = named[0]
        first = number == 1 or "\n" in folded[sentences[number - 2].end:earlier.start]
        if first:
            if topic is None or topic.sentence_no != number:
                return None
            prefix = folded[earlier.start:topic.start]
            return topic if _TOPIC_PREFIX.fullmatch(prefix) else None
    return None


def _figure(text: str, start: int, end: int, number: str, kind: str) -> _Figure | None:
    """A _Figure, unless the number is approximate, negated or counts attendance."""
    count = parse_number(number)
    if count is None or count <= 0:
        return None
    before = text[max(0, start - 40):start]
    if _APPROXIMATE.search(before) or _ATTENDANCE_BEFORE.search(before):
        return None
    if _NEGATED.search(text, max(0, start - 25), start):
        return None
    if _ATTENDANCE_AFTER.match(text[end:end + 40]):
        return None
    return _Figure(start, end, count, kind, text[start:end])


def _owner(figure: _Figure, text: str, sentence: Sentence, clauses: list[tuple[int, int]],
           mentions: Sequence[EntityMention]) -> EntityMention | None:
    """The organisation a figure counts the members of (see the module docstring)."""
    relative = [(m.start - sentence.start, m.end - sentence.start, m) for m in mentions]
    for start, end, mention in relative:
        if figure.start <= start and end <= figure.end:
            return mention  # '28 CICA member states'
    if figure.status_end is not None:
        for start, _, mention in relative:  # '... have observer status with the grouping'
            if start >= figure.status_end and _STATUS_OWNER.fullmatch(
                    text[figure.status_end:start]):
                return mention
    clause = clause_index(clauses, figure.start)
    clause_start = clauses[clause][0]
    if _RELATIVE_START.match(text, clause_start):
        # 'The OIC, which unites 57 states, ...': the relative pronoun's antecedent
        for _, end, mention in relative:
            if clause_start - 4 <= end <= clause_start:
                return mention
    before = [(s, e, m) for s, e, m in relative if e <= figure.start]
    after = [(s, e, m) for s, e, m in relative if s >= figure.end]
    same_before = [x for x in before if clause_index(clauses, x[0]) == clause]
    same_after = [x for x in after if clause_index(clauses, x[0]) == clause]
    having = same_before and _HAVING_BEFORE.search(text, max(0, figure.start - 40), figure.start)
    for start, _, mention in relative:
        if start >= figure.end and _OF_FOLLOWS.fullmatch(text[figure.end:start] + " ") and \
                not having:
            return mention
    if figure.kind == "members":
        # bare 'members': the organisation must be right there ('CICA's 27 members',
        # 'CICA has 27 members', '27 members of CICA')
        near = [x for x in same_before if figure.start - x[1] <= 12]
        figure.kind = "member_states"
        return near[-1][2] if near else None
    if same_before:
        return _outside_apposition(same_before, text, figure)
    if same_after:
        return same_after[0][2]
    return before[-1][2] if before else None


def _outside_apposition(before: list[tuple[int, int, EntityMention]], text: str,
                        figure: _Figure) -> EntityMention:
    """The nearest mention before a figure, skipping one inside an apposition.

    'The OIC, parent of the IOFS, has 57 member states': the IOFS sits between two commas
    before the verb, so the figure is the OIC's.
    """
    start, end, mention = before[-1]
    comma_after = text.find(",", end, figure.start)
    comma_before = text.rfind(",", 0, start)
    if comma_after != -1 and comma_before != -1:
        earlier = [x for x in before if x[1] <= comma_before]
        if earlier:
            return earlier[-1][2]
    return mention


def _year_for(figure: _Figure, i: int, figures: list[_Figure], text: str, sentence: Sentence,
              dates: list[DateMention], previous: tuple[_Figure, int | None, str] | None,
              published: PublicationDate | None) -> tuple[int | None, str]:
    """The year a figure refers to and how it was found."""
    low = figures[i - 1].end if i else 0
    high = figures[i + 1].start if i + 1 < len(figures) else len(text)
    best: DateMention | None = None
    best_gap = len(text) + 1
    for date in dates:
        start, end = date.start - sentence.start, date.end - sentence.start
        if start < low or end > high:
            continue
        gap = max(start - figure.end, figure.start - end, 0)
        if gap < best_gap:
            best, best_gap = date, gap
    if best is not None:
        if best.year is None:
            return None, "unresolved"
        basis = "relative_to_publication" if best.basis == "relative_to_publication" else "explicit"
        return best.year, basis
    if previous is not None and _LIST_JOIN.match(text[previous[0].end:figure.start]):
        return previous[1], previous[2]
    if figure.current is False:
        return None, "unresolved"
    if published is not None and figure.current:
        return published.year, "publication_year"
    if published is not None:
        head = text[:figure.start]
        if _NOW.search(head):
            return published.year, "relative_to_publication"
        if _PRESENT.search(head):
            return published.year, "publication_year"
    return None, "unresolved"
