"""The Timeline page's statements: its cells, the events behind one, their evidence."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.evidence import (
    ALSO_IN,
    EVENT_EXPLAINED,
    EVENT_REVIEW,
    EVENT_SCALE,
    review_counts,
    review_sums,
)
from dashboard.queries.in_view import EVENTS, in_view
from dashboard.queries.registry import Samples, register
from dashboard.queries.sql import Connection, Cte, frame, sql


@register()
def event_sources(con: Connection, filters: Filters) -> pd.DataFrame:
    """The articles reporting the events in view, by outlet (the timeline's source line)."""
    reporting = Cte("reporting", sql("SELECT DISTINCT article_no FROM events_in_view"))
    return in_view(con, filters, (EVENTS,), [reporting], """
    SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM facet_articles AS a SEMI JOIN reporting AS r USING (article_no)
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """)


# The example event of each cell (`example_no`) with its sentence and article, read from
# `facet_event_heads` (the first events of every cell, their texts included): a table of a
# few thousand rows, where finding a few hundred events among all events by key reads every
# event's text. An example past its cell's heads (a narrow filter on a large cell) is read
# from `curated_events` and `facet_articles`; with none, that join's build side is empty and
# DuckDB stops before reading them.
_EVENT_TEXT = ("month", "day", "end_year", "end_month", "end_day", "date_text", "review",
               "reviewed_by", "reviewed_at", "review_reason", "sentence", "sentence_no",
               "article_id")
_ARTICLE_TEXT = ("title", "outlet", "published", "published_precision", "url")
_EXAMPLES = [
    Cte("example", sql("""
        SELECT f.event_no, f.event_id, f.article_no, f.event_type FROM facet_events AS f
        SEMI JOIN cells AS c ON c.example_no = f.event_no"""), materialized=True),
    Cte("beyond_heads", sql("""
        SELECT x.* FROM example AS x ANTI JOIN facet_event_heads AS h USING (event_no)"""),
        materialized=True),
    Cte("example_text", sql(
        "SELECT h.event_no, " + ", ".join(_EVENT_TEXT + _ARTICLE_TEXT) + """
        FROM facet_event_heads AS h SEMI JOIN example AS x USING (event_no)
        UNION ALL BY NAME
        SELECT x.event_no, """ + ", ".join([f"e.{c}" for c in _EVENT_TEXT]
                                          + [f"a.{c}" for c in _ARTICLE_TEXT]) + """
        FROM beyond_heads AS x
        JOIN curated_events AS e ON e.event_id = x.event_id
        JOIN facet_articles AS a ON a.article_no = x.article_no""")),
]


@register()
def timeline_cells(con: Connection, filters: Filters) -> pd.DataFrame:
    """Dated events in view counted per initiative, event type and start year: the timeline.

    One row per cell: `events` and `articles` count what it stands for; `first_date` and
    `last_date` are the earliest and latest marker dates of its events (partial dates sit
    mid-month or mid-year), `span_start`/`span_end` the extent of its spans (plan periods,
    terms), NULL when none has an end. Every cell cites one sentence, with its article: the
    event's own when the cell holds one (`event_id` is then set, and `month`, `day`,
    `end_*`, `date_text` are the event's), else an example from the newest article
    (`example_event_id`), so a chart's CSV and briefing still quote the text.
    `reviewed` counts the cell's events an analyst reviewed and `analyst_set` those an analyst
    added or edited (the mark's style); a one-event cell gives the event's `review`,
    `reviewed_by`, `reviewed_at` and `review_reason`.
    """
    cells, reads = _cells(filters)
    return in_view(con, filters, reads, [cells, *_EXAMPLES], """
    SELECT i.initiative_id, i.name AS initiative_name, i.label AS initiative_label,
           i.category, x.event_type, c.year, c.events, c.articles, c.first_date, c.last_date,
           c.span_start, c.span_end, x.event_id AS example_event_id,
           CASE WHEN c.events = 1 THEN x.event_id END AS event_id,
           CASE WHEN c.events = 1 THEN e.month END AS month,
           CASE WHEN c.events = 1 THEN e.day END AS day,
           CASE WHEN c.events = 1 THEN e.end_year END AS end_year,
           CASE WHEN c.events = 1 THEN e.end_month END AS end_month,
           CASE WHEN c.events = 1 THEN e.end_day END AS end_day,
           CASE WHEN c.events = 1 THEN e.date_text END AS date_text,
           c.reviewed, c.analyst_set,
           CASE WHEN c.events = 1 THEN e.review END AS review,
           CASE WHEN c.events = 1 THEN e.reviewed_by END AS reviewed_by,
           CASE WHEN c.events = 1 THEN e.reviewed_at END AS reviewed_at,
           CASE WHEN c.events = 1 THEN e.review_reason END AS review_reason,
           e.sentence, e.sentence_no, e.article_id,
           e.title, e.outlet, e.published, e.published_precision, e.url
    FROM cells AS c
    JOIN example AS x ON x.event_no = c.example_no
    JOIN facet_initiatives AS i ON i.initiative_no = c.initiative_no
    JOIN example_text AS e ON e.event_no = x.event_no
    ORDER BY i.initiative_id, x.event_type, c.year
    """)


def _cells(filters: Filters) -> tuple[Cte, tuple[str, ...]]:
    """The timeline's cells in view, and the in-view CTEs they read: with no filter set, the
    sums of `facet_timeline_parts` (a few hundred rows; by story, the canonical articles'
    parts); with any, the events in view aggregated."""
    if not filters.narrows:
        canonical = "" if filters.by_article else "\n        WHERE is_canonical"
        return Cte("cells", sql("""
        SELECT initiative_no, type_no, year,
               sum(events)::BIGINT AS events, sum(articles)::BIGINT AS articles,
               min(first_date) AS first_date, max(last_date) AS last_date,
               min(span_start) AS span_start, max(span_end) AS span_end,
               min(example_no) AS example_no, """) + review_sums() + """
        FROM facet_timeline_parts""" + canonical + """
        GROUP BY initiative_no, type_no, year""", materialized=True), ()
    return Cte("cells", sql("""
        SELECT initiative_no, type_no, year,
               count(*) AS events, count(*) FILTER (WHERE first_of_article) AS articles,
               min(marker_date) AS first_date, max(marker_date) AS last_date,
               min(span_start) FILTER (WHERE span_end IS NOT NULL) AS span_start,
               max(span_end) AS span_end, min(event_no) AS example_no, """) + review_counts()
        + """
        FROM events_in_view
        GROUP BY initiative_no, type_no, year""", materialized=True), (EVENTS,)


def _cell_examples(s: Samples) -> dict[str, tuple[object, ...]]:
    return {"": (*s.cell, 10, 0), "(last page)": (*s.cell, 10, s.last_page(s.cell_events))}


@register(_cell_examples)
def cell_events(con: Connection, filters: Filters, initiative_id: str, event_type: str,
                year: int, limit: int, offset: int = 0) -> pd.DataFrame:
    """One page of the events in view behind a timeline cell, newest article first.

    Each row has the event's sentence, dates and article (the evidence panel); `total` is the
    number of events in the cell.
    """
    ctes = [
        Cte("cell", sql("""
        SELECT * FROM events_in_view
        WHERE initiative_id = $initiative_id AND event_type = $event_type AND year = $year""",
                        initiative_id=initiative_id, event_type=event_type, year=year),
            materialized=True),
        Cte("totals", sql("""
        SELECT count(*) AS total, count(*) FILTER (WHERE first_of_article) AS articles
        FROM cell""")),
        Cte("page", sql("""
        SELECT event_no, event_id, article_no FROM cell
        ORDER BY event_no
        LIMIT $limit OFFSET $offset""", limit=limit, offset=offset), materialized=True),
        Cte("sentence", sql(
            "SELECT e.* FROM curated_events AS e SEMI JOIN page AS p USING (event_id)")),
        Cte("article", sql(
            "SELECT a.* FROM facet_articles AS a SEMI JOIN page AS p USING (article_no)")),
    ]
    return in_view(con, filters, (EVENTS,), ctes, """
    SELECT t.total, t.articles, e.event_id, e.initiative_id, i.name AS initiative_name,
           e.event_type, e.year, e.month, e.day, e.end_year, e.end_month, e.end_day,
           e.date_text, e.date_basis, e.sentence, e.sentence_no, e.article_id,
           """ + EVENT_EXPLAINED + """, """ + EVENT_REVIEW + """,
           a.title, a.outlet, a.url, a.published, a.published_precision, """ + ALSO_IN + """
    FROM page AS p
    CROSS JOIN totals AS t
    JOIN sentence AS e USING (event_id)
    JOIN article AS a ON a.article_no = p.article_no
    JOIN facet_initiatives AS i ON i.initiative_id = e.initiative_id
    """ + EVENT_SCALE + """
    ORDER BY p.event_no
    """)


@register(lambda s: {"": (s.event_id,)})
def event_evidence(con: Connection, event_id: str) -> pd.DataFrame:
    """One event with its full source sentence and the article it came from (the evidence
    panel), as analysts stand behind it: none for a rejected event, an edited one's values."""
    return frame(con, sql("""
    SELECT e.event_id, e.initiative_id, i.name AS initiative_name, e.event_type,
           e.year, e.month, e.day, e.end_year, e.end_month, e.end_day, e.date_text, e.date_basis,
           e.sentence, e.sentence_no, e.article_id, """ + EVENT_EXPLAINED + """,
           """ + EVENT_REVIEW + """,
           a.title, a.outlet, a.author, a.url, a.published, a.published_precision,
           """ + ALSO_IN + """
    FROM curated_events AS e
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    """ + EVENT_SCALE + """
    WHERE e.event_id = $event_id
    """, event_id=event_id))
