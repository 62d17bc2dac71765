"""The year of a membership count: written, the publication's, or another sentence's.

A count takes the year its clause dates it with; a count in the present tense ('now unites 28
states') takes the publication year; a past count without a date ('initially 16 states') takes
the founding year when it speaks of the founding, else the year of the nearest earlier dated
sentence about the same initiative (within `CONTEXT_YEAR_WINDOW` sentences).
"""

from __future__ import annotations

import re

from etl.model import DateMention, PublicationDate, Sentence

from .figure_context import ArticleContext, Figure

_COPULA_BEFORE = re.compile(r"\b(?P<verb>is|are|remains|was|were)\s+(?:an?|the)\b[^,;]{0,60}$")
_LIST_JOIN = re.compile(r"^\s*(?:,|and|,\s*and|as\s+well\s+as|plus)\s*$")
_PRESENT = re.compile(
    r"\b(?:has|have|includes?|unites?|uniting|comprises?|consists\s+of|numbers|counts|"
    r"brings\s+together|boasts|totals|is\s+made\s+up\s+of|is\s+composed\s+of|having|now|"
    r"currently|at\s+present|presently|to\s+date)\b"
)
_NOW = re.compile(r"\b(?:now|currently|at\s+present|presently|to\s+date)\b")
# a count taken at the founding: its year is the founding's
_AT_FOUNDING = re.compile(
    r"\b(?:initially|originally|at\s+first|at\s+(?:its|the)\s+(?:founding|foundation|creation|"
    r"inception|establishment|launch)|founding\s+members?|when\s+it\s+was\s+(?:founded|"
    r"established|created|set\s+up|launched))\b")
_FOUNDING_WORDS = re.compile(r"\b(?:founded|established|created|set\s+up|founding|foundation|"
                             r"establishment|inaugurat\w*|constituent)\b")
_FOUNDING_EVENTS = frozenset({"founded", "first_held", "launched"})
# a back-reference to a meeting: a count 'before the summit' is of that summit's year
_MEETING_REFERENCE = re.compile(r"\b(?:summit|meeting|session|congress|conference|forum|"
                                r"assembly|ministerial)\b")
# how far back the year of a past count may be looked for: in its paragraph, or, after a
# back-reference to a meeting, across paragraphs
CONTEXT_YEAR_WINDOW = 3
MEETING_YEAR_WINDOW = 6


def copula_tense(text: str, noun_start: int) -> bool | None:
    """'which is a dialogue of 22 countries' is current, 'was a bloc of six' is past."""
    copula = _COPULA_BEFORE.search(text, max(0, noun_start - 80), noun_start)
    if copula is None:
        return None
    return copula.group("verb") not in ("was", "were")


def year_for(figure: Figure, i: int, figures: list[Figure], text: str, sentence: Sentence,
              dates: list[DateMention], previous: tuple[Figure, int | None, str] | None,
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
        if end <= figure.start and _NOW.search(text, end, figure.start):
            continue  # 'The OTS, founded in 2009, now comprises five member states'
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


def year_from_context(figure: Figure, text: str, sentence: Sentence, owner_id: str,
                       context: ArticleContext) -> tuple[int | None, str]:
    """The year of an undated past count, from the article around it.

    A count at the founding ('Initially, six countries ...') takes the founding year the
    article gives. Otherwise the nearest earlier sentence about the same initiative with a
    dated event gives it: within the paragraph (CONTEXT_YEAR_WINDOW sentences), or, when the
    sentence refers back to a meeting ('Before the summit, ...'), MEETING_YEAR_WINDOW sentences
    across paragraphs.
    """
    if figure.current or (figure.current is None and _PRESENT.search(text[:figure.start])):
        return None, "unresolved"  # a present count without a publication date
    head = text[:figure.end]
    if _AT_FOUNDING.search(head):
        return _founding_year(sentence, owner_id, context)
    meeting = bool(_MEETING_REFERENCE.search(head))
    window = MEETING_YEAR_WINDOW if meeting else CONTEXT_YEAR_WINDOW
    for number in range(sentence.sentence_no - 1, max(0, sentence.sentence_no - 1 - window), -1):
        if not meeting and not context.same_paragraph(number, sentence.sentence_no):
            break
        if not any(m.entity_id == owner_id for m in context.mentions.get(number, [])):
            continue
        years = [d.year for d in context.dates.get(number, [])
                 if d.role == "event" and d.year is not None]
        if years:
            return years[-1], "from_context"
    return None, "unresolved"


def _founding_year(sentence: Sentence, owner_id: str,
                   context: ArticleContext) -> tuple[int | None, str]:
    """The year the article gives for an initiative's founding, or none."""
    years = [e.year for e in context.events
             if e.initiative_id == owner_id and e.event_type in _FOUNDING_EVENTS]
    if years:
        return min(years), "from_context"
    for number in range(1, sentence.sentence_no):
        if not any(m.entity_id == owner_id for m in context.mentions.get(number, [])):
            continue
        earlier = context.sentences[number - 1]
        if not _FOUNDING_WORDS.search(context.folded[earlier.start:earlier.end].lower()):
            continue
        years = [d.year for d in context.dates.get(number, [])
                 if d.role in ("event", "background") and d.year is not None]
        if years:
            return min(years), "from_context"
    return None, "unresolved"
