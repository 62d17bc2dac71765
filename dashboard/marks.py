"""Keys of the aggregated marks charts draw, as they travel in a click and in the URL.

At scale a chart draws one mark per group of sentences, not one per sentence: a timeline mark
stands for an initiative's events of one type in one year (`EventCell`), a membership mark
for the figures giving one count for one year (`FigurePoint`). A mark that stands for a single
sentence carries that sentence's own id (an `event_id` or a `membership_id`, 16 hex digits),
so its evidence opens as before; a mark for several carries its key, which opens a paged list
of their sentences. Keys are plain text, readable in a link:

    CICA.held.2022                  EventCell('CICA', 'held', 2022)
    CICA.member_states.2002.16      FigurePoint('CICA', 'member_states', 2002, 16)
    CICA@2022-10-01                 AttentionPoint("CICA", date(2022, 10, 1))

They never collide with ids (ids have no dot) nor with each other (a kind or event type is
lower-case letters and underscores, a year and a count are digits). Parsing is forgiving: text
that is not a key gives None. Pure: no Streamlit, no SQL.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WORD = re.compile(r"^[a-z_]+$")
_NUMBER = re.compile(r"^\d{1,9}$")


@dataclass(frozen=True)
class EventCell:
    """The events of one initiative, of one type, starting in one year."""

    initiative_id: str
    event_type: str
    year: int

    @property
    def key(self) -> str:
        return f"{self.initiative_id}.{self.event_type}.{self.year}"

    @classmethod
    def parse(cls, text: object) -> EventCell | None:
        """The cell a key names, or None when `text` is not one (an event id, a typo)."""
        if not isinstance(text, str):
            return None
        parts = text.rsplit(".", 2)
        if len(parts) != 3 or not parts[0] or not _WORD.match(parts[1]) \
                or not _NUMBER.match(parts[2]):
            return None
        return cls(parts[0], parts[1], int(parts[2]))


@dataclass(frozen=True)
class FigurePoint:
    """The membership figures of one organisation and kind giving one count for one year."""

    initiative_id: str
    kind: str
    year: int
    count: int

    @property
    def key(self) -> str:
        return f"{self.initiative_id}.{self.kind}.{self.year}.{self.count}"

    @classmethod
    def parse(cls, text: object) -> FigurePoint | None:
        """The point a key names, or None when `text` is not one."""
        if not isinstance(text, str):
            return None
        parts = text.rsplit(".", 3)
        if len(parts) != 4 or not parts[0] or not _WORD.match(parts[1]) \
                or not _NUMBER.match(parts[2]) or not _NUMBER.match(parts[3]):
            return None
        return cls(parts[0], parts[1], int(parts[2]), int(parts[3]))


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class AttentionPoint:
    """The articles covering one initiative or theme in one period of the attention chart:
    `CICA@2022-10-01` (the period's first day; its length is the chart's grain)."""

    series_id: str
    period: dt.date

    @property
    def key(self) -> str:
        return f"{self.series_id}@{self.period.isoformat()}"

    @classmethod
    def parse(cls, text: object) -> AttentionPoint | None:
        """The point a key names, or None when `text` is not one."""
        if not isinstance(text, str):
            return None
        series_id, _, day = text.rpartition("@")
        if not series_id or not _DAY.match(day):
            return None
        try:
            return cls(series_id, dt.date.fromisoformat(day))
        except ValueError:
            return None
