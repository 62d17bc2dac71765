"""Plain records passed between the ETL stages (sources -> normalize -> extract -> warehouse).

They carry no behaviour beyond small conveniences, so every stage can be tested on its own and
records can cross process boundaries (they pickle) for parallel extraction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from etl.vocabulary import load_vocabulary

# Where a metadata value came from, in order of precedence (first wins).
METADATA_SOURCES = ("manifest", "front_matter", "record", "header", "inferred", "unknown")


@dataclass(frozen=True)
class PublicationDate:
    """A publication date known to a given precision ('day', 'month' or 'year')."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "month"
        return "year"

    def first_day(self) -> dt.date:
        """The earliest calendar day the date can stand for (used for storage and sorting)."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        """ISO text at the known precision: '2023', '2023-07' or '2023-07-16'."""
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"


@dataclass
class Problem:
    """A file (or one record of it) that failed to load, with the reason in the analyst's words."""

    source_file: str
    reason: str
    record_no: int | None = None
    severity: str = "error"  # 'error' = not loaded; 'warning' = loaded with a caveat

    def message(self) -> str:
        where = (
            self.source_file
            if self.record_no is None
            else f"{self.source_file} (record {self.record_no})"
        )
        return f"{where}: {self.reason}"


@dataclass
class SourceRecord:
    """One article as read from disk, before any cleaning. Metadata fields are None when unknown."""

    source_file: str  # path relative to the articles folder
    raw_text: str
    record_no: int | None = None  # 1-based record number inside a .csv/.jsonl file
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    url: str | None = None
    published: PublicationDate | None = None
    # field name -> one of METADATA_SOURCES, for every field that has a value
    metadata_sources: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    file_format: str = "txt"  # txt | md | html | csv | jsonl


@dataclass
class CleanText:
    """An article's text with page furniture removed, and what the cleaning learnt on the way."""

    text: str  # cleaned body text, paragraphs separated by blank lines
    headline: str | None = None  # the headline found in the page furniture, if any
    byline: str | None = None  # author named in a 'By ...' line or closing bio, if any
    dateline_place: str | None = None
    dateline_month: int | None = None  # e.g. 'KUALA LUMPUR July 16' -> 7
    dateline_day: int | None = None
    removed_lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sentence:
    sentence_no: int  # 1-based, in reading order
    start: int  # code-point offsets into the cleaned text
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    sentence_no: int
    initiative_id: str
    surface: str  # the words in the text ('CICA', 'the forum', 'It')
    start: int
    end: int
    method: str  # 'alias' | 'acronym' | 'coreference' | 'topic'


@dataclass(frozen=True)
class DateMention:
    """A date phrase in the text, whether or not it became an event (used for highlighting)."""

    sentence_no: int
    expression: str
    start: int
    end: int
    year: int | None
    month: int | None = None
    day: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    # how the date was read: explicit, from_name, range, recurrence, relative_to_publication,
    # year_from_context
    basis: str = "explicit"
    # what the date is: event, target ('by 2050'), plan_period ('(2020-2030)' in a document title),
    # background (independence, population, another treaty) or unresolved
    role: str = "event"


@dataclass(frozen=True)
class Event:
    initiative_id: str
    event_type: str
    year: int
    sentence_no: int
    sentence: str
    month: int | None = None
    day: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    date_text: str = ""  # the date expression as written
    date_basis: str = "explicit"  # see DateMention.basis
    # the evidence (etl/extract/evidence.py): which rule decided the type, the sentence naming
    # the initiative (None: this one), and the confidence `extract_article` sets from them
    rule: str = ""
    initiative_sentence_no: int | None = None
    confidence: float | None = None


# What a membership figure counts: the one list of kinds the extractor may write, from
# data/reference/vocabulary.toml (also the warehouse table `membership_kinds`).
MEMBERSHIP_COUNTED_KINDS = tuple(k.name for k in load_vocabulary().membership_kinds)
# What an event records: the event types the extractor may write (the table `event_types`).
EVENT_TYPES = tuple(e.name for e in load_vocabulary().event_types)


@dataclass(frozen=True)
class MembershipFigure:
    initiative_id: str
    kind: str  # one of MEMBERSHIP_COUNTED_KINDS
    count: int
    year: int | None
    sentence_no: int
    sentence: str
    count_text: str = ""  # '28 member states', 'five observer organisations'
    year_basis: str = "explicit"  # explicit | relative_to_publication | publication_year
    # the evidence, as for Event: the pattern that found the figure, where the organisation is
    # named (None: this sentence), and the confidence `extract_article` sets
    rule: str = ""
    initiative_sentence_no: int | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class CandidateMention:
    """A body Kazakhstan proposed, founded, hosts or chairs that the gazetteer does not know."""

    sentence_no: int
    surface: str  # the name as written ('Regional Centre for Renewable Energy')
    name_key: str  # normalised for grouping its spellings ('regional centre for renewable ...')
    start: int
    end: int
    relation: str  # proposed | founded | hosts | chairs


@dataclass(frozen=True)
class ThemeHit:
    sentence_no: int
    theme: str  # theme name from themes.toml
    keyword: str  # the keyword or phrase that matched, as written in the taxonomy


@dataclass
class ArticleExtraction:
    """Everything extracted from one article's cleaned text."""

    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    memberships: list[MembershipFigure] = field(default_factory=list)
    theme_hits: list[ThemeHit] = field(default_factory=list)
    candidates: list[CandidateMention] = field(default_factory=list)
