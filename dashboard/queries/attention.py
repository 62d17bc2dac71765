"""The Attention over time page's statements: coverage of chosen initiatives or themes per day,
week or month, the initiatives' dated events on the same axis, the articles of one period, and
the Overview's feed panel.

Counting is done in SQL (`date_trunc` over `facet_articles`, one bit test per series), so a
chart costs one scan of the articles in view whatever the corpus size. An article is counted in
a period only when its date is at least as precise as the period: an article dated "2022" is on
no month, and one dated "October 2022" on no week (`left_out` says how many are not shown).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.in_view import ARTICLES, EVENTS, in_view
from dashboard.queries.registry import Samples, register
from dashboard.queries.sql import Connection, Cte, Sql, frame, sql

GRAINS = ("day", "week", "month")
COMPARE = ("initiatives", "themes")
# The precisions an article's date needs to sit in a period of each grain.
_PRECISE_ENOUGH = {"day": ["day"], "week": ["day"], "month": ["day", "month"]}
# Most event marks drawn on the time axis (the most reported first), so the chart stays legible.
MAX_EVENT_MARKS = 40


def _series(compare: str, series: Sequence[str]) -> Sql:
    """The chosen series with their bit in the articles' masks, id and label."""
    if compare == "themes":
        return sql("""
        SELECT theme AS series_id, label, bit FROM facet_themes
        WHERE list_contains($series, theme)""", series=list(series))
    return sql("""
        SELECT initiative_id AS series_id, label, bit FROM facet_initiatives
        WHERE list_contains($series, initiative_id)""", series=list(series))


def _mask(compare: str) -> str:
    return "theme_mask" if compare == "themes" else "initiative_mask"


def _step(grain: str) -> Sql:
    return sql("CASE $grain WHEN 'day' THEN INTERVAL 1 DAY WHEN 'week' THEN INTERVAL 7 DAY "
               "ELSE INTERVAL 1 MONTH END", grain=grain)


def _dated(grain: str, compare: str) -> Sql:
    """Articles in view placed in their period (`period`), with the mask of the series kind."""
    return sql("SELECT article_no, date_trunc($grain, published)::DATE AS period, "
               + _mask(compare) + " AS mask FROM articles_in_view "
               "WHERE published IS NOT NULL AND list_contains($precise, published_precision)",
               grain=grain, precise=_PRECISE_ENOUGH[grain])


def _examples(samples: Samples) -> dict[str, tuple[object, ...]]:
    initiative = samples.cell[0]
    return {"": ("month", "initiatives", (initiative,)),
            "week themes": ("week", "themes", ("security", "economy"))}


@register(_examples)
def attention_series(con: Connection, filters: Filters, grain: str, compare: str,
                     series: tuple[str, ...]) -> pd.DataFrame:
    """Per period (day, week or month) and chosen series: articles in view covering it.

    Every period from the first to the last dated article in view is listed, so a period
    without coverage is a 0, not a gap. `total` is every article in view dated in the period
    (the share's denominator: all coverage in the period); `share` is NULL in a period with no
    article at all. `left_out` (the same on every row) counts articles in view not on this
    axis: undated, or dated less precisely than the grain.
    """
    ctes = [
        Cte("chosen", _series(compare, series)),
        Cte("dated", _dated(grain, compare), materialized=True),
        Cte("totals", sql("SELECT period, count(*) AS total FROM dated GROUP BY period")),
        Cte("periods", "SELECT unnest(range(min(period), max(period) + " + _step(grain)
            + ", " + _step(grain) + "))::DATE AS period FROM dated"),
        Cte("counted", sql("""
        SELECT d.period, c.series_id, count(*) AS articles
        FROM dated AS d JOIN chosen AS c ON d.mask & c.bit <> 0
        GROUP BY ALL""")),
        Cte("left_out", sql("""
        SELECT (SELECT count(*) FROM articles_in_view) - (SELECT count(*) FROM dated) AS n""")),
    ]
    return in_view(con, filters, (ARTICLES,), ctes, """
    SELECT p.period, c.series_id, c.label, coalesce(n.articles, 0) AS articles,
           coalesce(t.total, 0) AS total,
           coalesce(n.articles, 0) / nullif(t.total, 0) AS share, l.n AS left_out
    FROM periods AS p CROSS JOIN chosen AS c CROSS JOIN left_out AS l
    LEFT JOIN totals AS t USING (period)
    LEFT JOIN counted AS n ON n.period = p.period AND n.series_id = c.series_id
    ORDER BY c.series_id, p.period
    """)


@register(lambda s: {"": ("initiatives", 3), "themes": ("themes", 3)})
def attention_leaders(con: Connection, filters: Filters, compare: str,
                      limit: int) -> pd.DataFrame:
    """The `limit` initiatives (or themes) covered by most articles in view: the page's
    series when the analyst has chosen none."""
    reference = ("SELECT theme AS series_id, label, bit FROM facet_themes" if compare == "themes"
                 else "SELECT initiative_id AS series_id, label, bit FROM facet_initiatives")
    ctes = [Cte("everything", sql(reference)),
            Cte("masks", sql("SELECT ") + _mask(compare) + " AS mask, count(*) AS n "
                "FROM articles_in_view GROUP BY ALL")]
    return in_view(con, filters, (ARTICLES,), ctes, sql("""
    SELECT e.series_id, e.label, sum(m.n)::BIGINT AS articles
    FROM everything AS e JOIN masks AS m ON m.mask & e.bit <> 0
    GROUP BY ALL
    ORDER BY articles DESC, e.series_id
    LIMIT $limit""", limit=limit))


@register(lambda s: {"": (("CICA", s.cell[0]),)})
def attention_events(con: Connection, filters: Filters,
                     initiatives: tuple[str, ...]) -> pd.DataFrame:
    """The chosen initiatives' dated events in view, per initiative, type and date.

    Only events dated to the month or the day (a year alone cannot be placed against weeks), at
    their marker date (month-only dates on the 15th); the `MAX_EVENT_MARKS` dates with most
    reports. `reports` counts the events, `articles` the articles reporting them, `sentence`
    is one of their sentences (for the hover).
    """
    ctes = [
        Cte("chosen", sql("""
        SELECT e.initiative_id, e.event_type, e.marker_date, e.article_no, e.sentence_no,
               e.event_id
        FROM events_in_view AS e
        WHERE list_contains($series, e.initiative_id) AND e.month IS NOT NULL""",
                          series=list(initiatives))),
        Cte("marks", sql("""
        SELECT initiative_id, event_type, marker_date, count(*) AS reports,
               count(DISTINCT article_no) AS articles,
               arg_min(event_id, article_no) AS event_id
        FROM chosen GROUP BY ALL
        ORDER BY reports DESC, marker_date, initiative_id, event_type
        LIMIT $limit""", limit=MAX_EVENT_MARKS)),
    ]
    return in_view(con, filters, (EVENTS,), ctes, """
    SELECT m.initiative_id, i.label AS initiative_label, m.event_type, m.marker_date,
           m.reports, m.articles, e.sentence
    FROM marks AS m
    JOIN facet_initiatives AS i USING (initiative_id)
    JOIN curated_events AS e ON e.event_id = m.event_id
    ORDER BY m.marker_date, m.initiative_id, m.event_type
    """)


def _period_examples(samples: Samples) -> dict[str, tuple[object, ...]]:
    return {"": ("month", "initiatives", samples.cell[0], pd.Timestamp("2022-10-01").date(),
                 10, 0)}


@register(_period_examples)
def attention_articles(con: Connection, filters: Filters, grain: str, compare: str,
                       series_id: str, period: object, limit: int,
                       offset: int) -> pd.DataFrame:
    """One page of the articles in view covering `series_id` in the period starting `period`,
    newest first, each with `total` (every such article)."""
    ctes = [
        Cte("chosen", _series(compare, [series_id])),
        Cte("dated", _dated(grain, compare)),
        Cte("found", sql("""
        SELECT d.article_no FROM dated AS d, chosen AS c
        WHERE d.period = $period AND d.mask & c.bit <> 0""", period=period)),
        Cte("page", sql("""
        SELECT article_no, count(*) OVER () AS total FROM found
        ORDER BY article_no LIMIT $limit OFFSET $offset""", limit=limit, offset=offset)),
    ]
    return in_view(con, filters, (ARTICLES,), ctes, """
    SELECT a.article_id, a.title, a.outlet, a.url, a.published, a.published_precision,
           a.initiatives, a.top_themes, p.total
    FROM page AS p JOIN facet_articles AS a USING (article_no)
    ORDER BY a.article_no
    """)


@register()
def feed_status(con: Connection) -> pd.DataFrame:
    """Every feed followed, when it was last fetched and what that fetch brought, the most
    recently fetched first."""
    return frame(con, """
    SELECT feed, outlet, url, last_fetched, last_status, last_error, items_listed,
           new_articles, total_articles, last_new_at
    FROM feeds
    ORDER BY last_fetched DESC NULLS LAST, feed
    """)
