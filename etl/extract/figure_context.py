"""What the membership rules share: a count being read, and what it may need of the article.

`Figure` is a count in a sentence ('28 member states') with what its words say about it;
`ArticleContext` the rest of the article a count may need (earlier sentences, dates, events).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.model import DateMention, Event, Sentence

from .gazetteer import Gazetteer
from .mentions import EntityMention


@dataclass
class Figure:
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
    # where the owner's name may follow the figure: after 'observer status' ('... have observer
    # status with CICA'), after 'joined' ('have joined the IOFS'), after 'the 18 member'
    owner_from: int | None = None
    # whether the figure is one only when its owner is named at `owner_from`
    owner_required: bool = False
    rule: str = "count_noun"  # the pattern that found it (etl/extract/evidence.py)


@dataclass
class ArticleContext:
    """What the figures of one sentence may need from the rest of the article."""

    folded: str
    sentences: Sequence[Sentence]
    mentions: dict[int, list[EntityMention]]
    dates: dict[int, list[DateMention]]
    events: Sequence[Event]
    gazetteer: Gazetteer

    def same_paragraph(self, earlier: int, later: int) -> bool:
        """Whether no line break separates sentence `earlier` from sentence `later`."""
        first, last = self.sentences[earlier - 1], self.sentences[later - 1]
        return "\n" not in self.folded[first.end:last.start]
