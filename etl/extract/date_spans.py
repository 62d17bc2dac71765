"""The bookkeeping of date finding: a date found, the spans already taken, names by position.

`Found` is one date being read; `Spans` the text already claimed by a date (so a shorter
reading never overlaps a longer one), kept sorted for bisection; `Names` the initiative and
look-alike names of the article, looked up by position. All three answer in logarithmic time,
so date finding stays linear in the length of the text.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from sortedcontainers import SortedList

from etl.model import Sentence


@dataclass
class Found:
    """A date while it is being read (offsets into the text); becomes a DateMention."""

    start: int
    end: int
    sentence: Sentence
    kind: str
    year: int | None
    month: int | None = None
    day: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    basis: str = "explicit"
    prep: str = ""
    role: str | None = None  # decided early for datelines
    offset: int = 0  # years (days) to add to the context year (day): 'two years later' -> 2
    from_publication: bool = False  # a year-less date given the publication date's year


class Spans:
    """Character spans already read as (part of) a date: later shapes never overlap them.

    The spans never overlap, so sorted by start their ends are sorted too: one bisection tells
    whether a new span is free. A few thousand live in two plain lists (an insertion moves the
    later ones, cheap at that size); past that they move into a `SortedList` (logarithmic
    insertion), since moving every later span on each insertion is quadratic over a text of
    many thousands of dates.
    """

    _PLAIN_MAX = 2048

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.many: SortedList | None = None  # (start, end), once there are many

    def free(self, start: int, end: int) -> bool:
        if self.many is not None:
            i = self.many.bisect_left((end, -1))  # spans starting before `end`
            return i == 0 or self.many[i - 1][1] <= start
        i = bisect.bisect_left(self.starts, end)
        return i == 0 or self.ends[i - 1] <= start

    def take(self, start: int, end: int) -> None:
        if self.many is not None:
            self.many.add((start, end))
            return
        i = bisect.bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        if len(self.starts) > self._PLAIN_MAX:
            self.many = SortedList(zip(self.starts, self.ends, strict=True))


class Names:
    """The gazetteer names of the text, (start, end, is_initiative), for lookups by position.

    `find_mentions` gives them in reading order and disjoint: then a lookup is one bisection
    (a text with many dates and names stays linear). Spans in any other shape are scanned in
    order, with the same answers.
    """

    def __init__(self, spans: Sequence[tuple[int, int, bool]]) -> None:
        self.spans = list(spans)
        self.starts = [s for s, _, _ in self.spans]
        self.ends = [e for _, e, _ in self.spans]
        self.ordered = all(s <= e for s, e, _ in self.spans) and all(
            self.ends[i] <= self.starts[i + 1] for i in range(len(self.spans) - 1))

    def holding(self, start: int, end: int) -> tuple[int, int, bool] | None:
        """The first name that holds text[start:end], if any."""
        if not self.ordered or start >= end:
            return next(((s, e, init) for s, e, init in self.spans
                         if s <= start and end <= e), None)
        i = bisect.bisect_right(self.starts, start) - 1  # earlier names end before `start`
        return self.spans[i] if i >= 0 and end <= self.ends[i] else None

    def overlapping(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """The names that overlap text[start:end], in order."""
        if not self.ordered:
            return [span for span in self.spans if span[0] < end and start < span[1]]
        found = []
        i = bisect.bisect_right(self.ends, start)  # the first name ending after `start`
        while i < len(self.spans) and self.starts[i] < end:
            found.append(self.spans[i])
            i += 1
        return found
