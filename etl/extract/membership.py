"""Membership figures: how many member states, observers and partners an initiative has.

A figure is a number (digits or words up to 'a hundred') directly in front of a kind of member:
'28 member states', 'five observer organisations', 'six partner organisations', 'CICA's 27
members', '30 states have ratified'; also 'became the 28th member' and 'bringing its membership
to 24'. Not figures: approximations ('more than 50 member states'), negations ('isn't a
member'), attendance ('attended by 26 member countries'), and anything that counts something
else (delegations from 50 countries, 16 strategic programmes, nine members of parliament).

The organisation is an initiative named right after ('... of the IOFS'), else the nearest mention
before the figure in its clause (a back-reference such as 'It' counts), else the nearest after it.
A look-alike there (the OIC's 57 member states) means the figure is not an initiative's.

The year is the nearest date between this figure and its neighbours ('16 member states ... at
the first Summit in 2002 and today having 28 member states' -> 2002 and the publication year);
a figure listed right after another shares its year ('28 member states, five observer
organisations and six partner organisations'); a figure in the present tense without a date is
of the publication year ('CICA has 28 Member States'); otherwise the year is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from etl.model import DateMention, MembershipFigure, PublicationDate, Sentence

from .gazetteer import MEMBERSHIP_KINDS, Gazetteer
from .mentions import EntityMention
from .text import NUMBER_PATTERN, clause_bounds, clause_index, parse_number, parse_ordinal

_ANCHOR = re.compile(r"member|observer|partner|ratif")  # run on lower-cased text
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
    r"members))|membership\s+(?:has\s+)?(?:grew|grown|rose|risen|increased|expanded|reached))\s+"
    rf"to\s+(?P<num>{NUMBER_PATTERN})(?:\s+(?:member\s+)?(?:states|countries|nations|members))?"
)
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
    r"\b(?:has|have|includes?|unites?|comprises?|consists\s+of|numbers|counts|brings\s+together|"
    r"boasts|totals|is\s+made\s+up\s+of|is\s+composed\s+of|having|now|currently|at\s+present|"
    r"presently|to\s+date)\b"
)
_NOW = re.compile(r"\b(?:now|currently|at\s+present|presently|to\s+date)\b")


@dataclass
class _Figure:
    """A count in a sentence ('28 member states'), sentence-relative offsets."""

    start: int  # sentence-relative span of the whole figure ('28 member states')
    end: int
    count: int
    kind: str
    text: str


def find_memberships(folded: str, sentences: Sequence[Sentence],
                     mentions: Sequence[EntityMention], dates: Sequence[DateMention],
                     published: PublicationDate | None,
                     gazetteer: Gazetteer) -> list[MembershipFigure]:
    """Every membership figure of an article, in reading order, without repeats."""
    lowered = folded.lower()
    if len(lowered) != len(folded):
        lowered = folded
    by_sentence: dict[int, list[EntityMention]] = {}
    for mention in mentions:
        by_sentence.setdefault(mention.sentence_no, []).append(mention)
    dates_by_sentence: dict[int, list[DateMention]] = {}
    for date in dates:
        dates_by_sentence.setdefault(date.sentence_no, []).append(date)
    result: list[MembershipFigure] = []
    seen: set[tuple[object, ...]] = set()
    for sentence in sentences:
        text = lowered[sentence.start:sentence.end]
        if not _ANCHOR.search(text):
            continue
        sentence_mentions = by_sentence.get(sentence.sentence_no, [])
        if not any(m.is_initiative for m in sentence_mentions):
            continue
        figures = _figures(text)
        if not figures:
            continue
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
            ))
    return result


def _figures(text: str) -> list[_Figure]:
    """Counted figures in a lower-cased sentence, in order."""
    figures: list[_Figure] = []
    for anchor in _ANCHOR.finditer(text):
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
    for pattern, kind_name in ((_ORGANISATIONS_AS_OBSERVERS, "observer_organisations"),
                               (_RATIFIED, "member_states_ratified"),
                               (_MEMBERSHIP_TO, "member_states")):
        for match in pattern.finditer(text):
            group = "num" if match.group("num") else "num2"
            figure = _figure(text, match.start(group), match.end(), match.group(group), kind_name)
            if figure is not None:
                figures.append(figure)
    for match in _ORDINAL_MEMBER.finditer(text):
        count = parse_ordinal(match.group("ord"))
        if count:
            figures.append(_Figure(match.start(), match.end(), count, "member_states",
                                   text[match.start():match.end()]))
    figures.sort(key=lambda f: f.start)
    unique: list[_Figure] = []
    for figure in figures:
        if unique and figure.start < unique[-1].end:
            continue
        unique.append(figure)
    return unique


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
    for start, _, mention in relative:
        if start >= figure.end and _OF_FOLLOWS.fullmatch(text[figure.end:start] + " "):
            return mention
    clause = clause_index(clauses, figure.start)
    before = [(s, e, m) for s, e, m in relative if e <= figure.start]
    after = [(s, e, m) for s, e, m in relative if s >= figure.end]
    same_before = [x for x in before if clause_index(clauses, x[0]) == clause]
    same_after = [x for x in after if clause_index(clauses, x[0]) == clause]
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
    if published is not None:
        head = text[:figure.start]
        if _NOW.search(head):
            return published.year, "relative_to_publication"
        if _PRESENT.search(head):
            return published.year, "publication_year"
    return None, "unresolved"
