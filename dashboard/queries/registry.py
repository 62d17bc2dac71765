"""The one list of query functions: the cache layer, the tests and the benchmark iterate it.

A query function is registered where it is written (`@register(...)`), with the arguments it
is exercised with (`examples`, computed from `Samples` of a real warehouse). `dashboard.data`
runs queries by their registered name, the tests run every registered query under every
filter combination, and `benchmarks.dashboard_bench` times every example, so a new query is
written once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from dashboard.queries.sql import Connection
from dashboard.search.parse import SearchQuery, parse_query

# Searches every search query is exercised with: two words, a phrase, a prefix.
SAMPLE_SEARCHES = ("biological safety", '"Astana Process"', "summit*")


@dataclass(frozen=True)
class Samples:
    """Real arguments for exercising the queries, from one warehouse: its fullest timeline
    cell and membership point, and ids of an event, a figure, an article and its sentence (of
    the curated facts: a rejected fact is never a sample)."""

    cell: tuple[str, str, int]  # initiative, event type, year
    cell_events: int
    organisation: tuple[str, str]  # initiative, kind
    point: tuple[int | None, int | None]  # year, count
    point_reports: int
    event_id: str | None
    membership_id: str | None
    article_id: str | None
    sentence_no: int
    searches: tuple[tuple[str, SearchQuery], ...]

    @classmethod
    def from_warehouse(cls, con: Connection) -> Samples:
        """The samples of the warehouse `con` reads."""
        cell = con.execute("""
            SELECT initiative_id, event_type, year, count(*) FROM curated_events
            GROUP BY ALL ORDER BY count(*) DESC, 1, 2, 3 LIMIT 1""").fetchone()
        org = con.execute("""
            SELECT initiative_id, kind FROM curated_memberships
            GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1""").fetchone() or ("CICA",
                                                                              "member_states")
        point = con.execute("""
            SELECT year, count, count(*) FROM curated_memberships
            WHERE initiative_id = ? AND kind = ? AND year IS NOT NULL
            GROUP BY ALL ORDER BY count(*) DESC, 1, 2 LIMIT 1""", list(org)).fetchone()
        firsts = con.execute("""
            SELECT (SELECT min(event_id) FROM curated_events),
                   (SELECT min(membership_id) FROM curated_memberships),
                   (SELECT min(article_id) FROM articles),
                   (SELECT min(sentence_no) FROM sentences
                    WHERE article_id = (SELECT min(article_id) FROM articles))""").fetchone()
        assert firsts is not None  # scalar subqueries only: always one row
        event_id, membership_id, article_id, sentence_no = firsts
        return cls(
            cell=(str(cell[0]), str(cell[1]), int(cell[2])) if cell else ("CICA", "held", 2000),
            cell_events=int(cell[3]) if cell else 0,
            organisation=(str(org[0]), str(org[1])),
            point=(int(point[0]), int(point[1])) if point else (None, None),
            point_reports=int(point[2]) if point else 1,
            event_id=event_id, membership_id=membership_id, article_id=article_id,
            sentence_no=int(sentence_no or 1),
            searches=tuple((text, parse_query(text)) for text in SAMPLE_SEARCHES),
        )

    @staticmethod
    def last_page(rows: int, size: int = 10) -> int:
        """The offset of the last page of `rows` rows, `size` a page."""
        return max(0, (rows - 1) // size * size)


Examples = Callable[[Samples], dict[str, tuple[Any, ...]]]


@dataclass(frozen=True)
class RegisteredQuery:
    """A query function and how to exercise it.

    `filtered`: it takes the `Filters` after the connection. `examples(samples)` gives, by
    label ('' for the plain call), the arguments after those.
    """

    name: str
    function: Callable[..., Any]
    filtered: bool
    examples: Examples

    def calls(self, samples: Samples) -> dict[str, tuple[Any, ...]]:
        """Arguments after the connection and filters, by name ('name' or 'name label')."""
        return {(self.name + " " + label) if label else self.name: args
                for label, args in self.examples(samples).items()}


QUERIES: dict[str, RegisteredQuery] = {}
Query = TypeVar("Query", bound=Callable[..., Any])


def _no_arguments(samples: Samples) -> dict[str, tuple[Any, ...]]:
    return {"": ()}


def register(examples: Examples = _no_arguments) -> Callable[[Query], Query]:
    """Register the decorated query function under its name (`QUERIES`)."""
    def add(function: Query) -> Query:
        name = function.__name__
        if name in QUERIES:
            raise ValueError(f"two queries are named {name}")
        parameters = list(inspect.signature(function).parameters)
        QUERIES[name] = RegisteredQuery(name, function, parameters[1:2] == ["filters"],
                                        examples)
        return function
    return add
