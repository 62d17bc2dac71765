"""The Membership page's statements: organisations, reported figures, reference series,
milestones, and the evidence behind a point."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.evidence import (
    ALSO_IN,
    FIGURE_EXPLAINED,
    FIGURE_REVIEW,
    FIGURE_SCALE,
    review_counts,
)
from dashboard.queries.in_view import EVENTS, MEMBERSHIPS, in_view
from dashboard.queries.registry import Samples, register
from dashboard.queries.sql import Connection, Cte, frame, sql

# The event types the membership chart marks: summits and accessions.
MILESTONE_EVENT_TYPES = ("first_held", "held", "joined")


@register()
def membership_organisations(con: Connection, filters: Filters) -> pd.DataFrame:
    """Organisations with membership figures in view or a reference series, and their kinds.

    One row per (organisation, kind); `figures` counts the reported figures in view and
    `reference_years` the confirmed years of a reference series (member states only).
    """
    ctes = [
        Cte("reported", sql("""
        SELECT initiative_id, kind, count(*) AS figures
        FROM memberships_in_view GROUP BY ALL""")),
        Cte("referenced", sql("""
        SELECT initiative_id, 'member_states' AS kind, count(member_count) AS reference_years
        FROM membership_reference
        WHERE len($initiatives) = 0 OR list_contains($initiatives, initiative_id)
        GROUP BY ALL""", initiatives=list(filters.initiatives))),
    ]
    return in_view(con, filters, (MEMBERSHIPS,), ctes, """
    SELECT o.initiative_id, i.name AS initiative_name, i.label AS initiative_label, o.kind,
           coalesce(r.figures, 0) AS figures, coalesce(f.reference_years, 0) AS reference_years
    FROM (SELECT initiative_id, kind FROM reported
          UNION SELECT initiative_id, kind FROM referenced) AS o
    JOIN facet_initiatives AS i USING (initiative_id)
    LEFT JOIN reported AS r USING (initiative_id, kind)
    LEFT JOIN referenced AS f USING (initiative_id, kind)
    ORDER BY o.initiative_id, o.kind
    """)


def _organisation(s: Samples) -> dict[str, tuple[object, ...]]:
    return {"": s.organisation}


@register(_organisation)
def membership_points(con: Connection, filters: Filters, initiative_id: str,
                      kind: str) -> pd.DataFrame:
    """Dated figures reported for one organisation and kind, one row per (year, count).

    `reports` and `articles` count the sentences and articles giving that count for that
    year. Every row cites one sentence with its article: the figure's own when there is one
    report (`membership_id` is then set, and `count_text`, `year_basis` are its), else one from
    the newest article (`example_id`). `reference_count` is the reference series' figure for
    the year (NULL where it has none or says 'unconfirmed'). `reviewed` counts the point's
    figures an analyst reviewed and `analyst_set` those an analyst added or edited (the mark's
    style); a one-report point gives the figure's `review`, `reviewed_by`, `reviewed_at` and
    `review_reason`.
    """
    ctes = [
        Cte("points", sql("""
        SELECT year, count, count(*) AS reports,
               count(*) FILTER (WHERE first_of_article) AS articles,
               min(figure_no) AS example_no, """) + review_counts() + sql("""
        FROM memberships_in_view
        WHERE initiative_id = $initiative_id AND kind = $kind AND year IS NOT NULL
        GROUP BY year, count""", initiative_id=initiative_id, kind=kind), materialized=True),
        Cte("example", sql("""
        SELECT f.figure_no, f.membership_id, f.article_no FROM facet_memberships AS f
        SEMI JOIN points AS p ON p.example_no = f.figure_no"""), materialized=True),
        Cte("sentence", sql("""
        SELECT m.* FROM curated_memberships AS m
        SEMI JOIN example AS x ON x.membership_id = m.membership_id""")),
        Cte("article", sql("""
        SELECT a.* FROM facet_articles AS a SEMI JOIN example AS x ON x.article_no = a.article_no
    """)),
    ]
    return in_view(con, filters, (MEMBERSHIPS,), ctes, sql("""
    SELECT p.year, p.count, p.reports, p.articles, x.membership_id AS example_id,
           CASE WHEN p.reports = 1 THEN x.membership_id END AS membership_id,
           $initiative_id AS initiative_id, $kind AS kind,
           CASE WHEN p.reports = 1 THEN m.count_text END AS count_text,
           CASE WHEN p.reports = 1 THEN m.year_basis END AS year_basis,
           p.reviewed, p.analyst_set,
           CASE WHEN p.reports = 1 THEN m.review END AS review,
           CASE WHEN p.reports = 1 THEN m.reviewed_by END AS reviewed_by,
           CASE WHEN p.reports = 1 THEN m.reviewed_at END AS reviewed_at,
           CASE WHEN p.reports = 1 THEN m.review_reason END AS review_reason,
           m.sentence, m.sentence_no, m.article_id,
           a.title, a.outlet, a.published, a.published_precision, a.url,
           r.member_count AS reference_count, r.confirmed AS reference_confirmed
    FROM points AS p
    JOIN example AS x ON x.figure_no = p.example_no
    JOIN sentence AS m ON m.membership_id = x.membership_id
    JOIN article AS a ON a.article_no = x.article_no
    LEFT JOIN membership_reference AS r
           ON r.initiative_id = $initiative_id AND r.year = p.year AND $kind = 'member_states'
    ORDER BY p.year, p.count
    """, initiative_id=initiative_id, kind=kind))


@register(_organisation)
def figure_sources(con: Connection, filters: Filters, initiative_id: str, kind: str
                   ) -> pd.DataFrame:
    """The articles reporting figures in view of one organisation and kind, by outlet."""
    reporting = Cte("reporting", sql("""
        SELECT DISTINCT article_no FROM memberships_in_view
        WHERE initiative_id = $initiative_id AND kind = $kind""",
                                     initiative_id=initiative_id, kind=kind))
    return in_view(con, filters, (MEMBERSHIPS,), [reporting], """
    SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM facet_articles AS a SEMI JOIN reporting AS r USING (article_no)
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """)


def _point_examples(s: Samples) -> dict[str, tuple[object, ...]]:
    return {"": (*s.organisation, *s.point, 10, 0),
            "(last page)": (*s.organisation, *s.point, 10, s.last_page(s.point_reports)),
            "(undated)": (*s.organisation, None, None, 100, 0)}


@register(_point_examples)
def point_reports(con: Connection, filters: Filters, initiative_id: str, kind: str,
                  year: int | None, count: int | None, limit: int, offset: int = 0
                  ) -> pd.DataFrame:
    """One page of the figures in view behind a membership point, newest article first.

    `year` and `count` choose the point; a None `year` lists the figures without a year (the
    page's table of undated figures) and a None `count` every count. `total` is how many.
    """
    ctes = [
        Cte("point", sql("""
        SELECT * FROM memberships_in_view
        WHERE initiative_id = $initiative_id AND kind = $kind
          AND (year = $year OR (year IS NULL AND $year IS NULL))
          AND ($count IS NULL OR count = $count)""", initiative_id=initiative_id, kind=kind,
                         year=year, count=count), materialized=True),
        Cte("totals", sql("""
        SELECT count(*) AS total, count(*) FILTER (WHERE first_of_article) AS articles
        FROM point""")),
        Cte("page", sql("""
        SELECT figure_no, membership_id, article_no FROM point
        ORDER BY figure_no
        LIMIT $limit OFFSET $offset""", limit=limit, offset=offset), materialized=True),
        Cte("sentence", sql(
            "SELECT m.* FROM curated_memberships AS m SEMI JOIN page AS p USING (membership_id)")),
        Cte("article", sql(
            "SELECT a.* FROM facet_articles AS a SEMI JOIN page AS p USING (article_no)")),
    ]
    return in_view(con, filters, (MEMBERSHIPS,), ctes, """
    SELECT t.total, t.articles, m.membership_id, m.initiative_id, m.kind, m.count, m.year,
           m.year_basis, m.count_text, m.sentence, m.sentence_no, m.article_id,
           """ + FIGURE_EXPLAINED + """, """ + FIGURE_REVIEW + """,
           a.title, a.outlet, a.url, a.published, a.published_precision, """ + ALSO_IN + """
    FROM page AS p
    CROSS JOIN totals AS t
    JOIN sentence AS m USING (membership_id)
    JOIN article AS a ON a.article_no = p.article_no
    """ + FIGURE_SCALE + """
    ORDER BY p.figure_no
    """)


@register(lambda s: {"": (s.organisation[0],)})
def membership_reference_series(con: Connection, filters: Filters,
                                initiative_id: str) -> pd.DataFrame:
    """The sourced reference series of one organisation, in the event-year range.

    `member_count` stays NULL for unconfirmed years: the chart shows a gap there, never the
    neighbouring year carried forward.
    """
    event_years = filters.event_years or (None, None)
    return frame(con, sql("""
    SELECT year, member_count, confirmed, new_members, source
    FROM membership_reference
    WHERE initiative_id = $initiative_id
      AND ($event_from IS NULL OR year >= $event_from)
      AND ($event_to IS NULL OR year <= $event_to)
    ORDER BY year
    """, initiative_id=initiative_id, event_from=event_years[0], event_to=event_years[1]))


@register(lambda s: {"": (s.organisation[0],)})
def membership_milestones(con: Connection, filters: Filters, initiative_id: str) -> pd.DataFrame:
    """Summits and accessions of one organisation in view, one row per event type and year.

    `reports` counts the events behind a row and `first_date`/`last_date` bound their marker
    dates; the row cites one sentence (the event's own when there is one report: `event_id`,
    `month`, `day` and its review columns are then set; else one from the newest article,
    `example_event_id`). `reviewed` and `analyst_set` count as in `membership_points`.
    """
    ctes = [
        Cte("marks", sql("""
        SELECT event_type, year, count(*) AS reports, min(marker_date) AS first_date,
               max(marker_date) AS last_date, min(event_no) AS example_no, """)
            + review_counts() + sql("""
        FROM events_in_view
        WHERE initiative_id = $initiative_id AND list_contains($milestone_types, event_type)
        GROUP BY event_type, year""", initiative_id=initiative_id,
                         milestone_types=list(MILESTONE_EVENT_TYPES)), materialized=True),
        Cte("example", sql("""
        SELECT f.event_no, f.event_id, f.article_no FROM facet_events AS f
        SEMI JOIN marks AS k ON k.example_no = f.event_no"""), materialized=True),
        Cte("sentence", sql("""
        SELECT e.* FROM curated_events AS e
        SEMI JOIN example AS x ON x.event_id = e.event_id""")),
        Cte("article", sql("""
        SELECT a.* FROM facet_articles AS a SEMI JOIN example AS x ON x.article_no = a.article_no
    """)),
    ]
    return in_view(con, filters, (EVENTS,), ctes, sql("""
    SELECT $initiative_id AS initiative_id, k.event_type, k.year, k.reports, k.first_date,
           k.last_date, x.event_id AS example_event_id,
           CASE WHEN k.reports = 1 THEN x.event_id END AS event_id,
           CASE WHEN k.reports = 1 THEN e.month END AS month,
           CASE WHEN k.reports = 1 THEN e.day END AS day,
           CASE WHEN k.reports = 1 THEN e.date_text END AS date_text,
           k.reviewed, k.analyst_set,
           CASE WHEN k.reports = 1 THEN e.review END AS review,
           CASE WHEN k.reports = 1 THEN e.reviewed_by END AS reviewed_by,
           CASE WHEN k.reports = 1 THEN e.reviewed_at END AS reviewed_at,
           e.sentence, e.article_id, a.title, a.outlet, a.published, a.published_precision,
           a.url
    FROM marks AS k
    JOIN example AS x ON x.event_no = k.example_no
    JOIN sentence AS e ON e.event_id = x.event_id
    JOIN article AS a ON a.article_no = x.article_no
    ORDER BY k.first_date, k.event_type
    """, initiative_id=initiative_id))


@register(lambda s: {"": (s.membership_id,)})
def membership_evidence(con: Connection, membership_id: str) -> pd.DataFrame:
    """One reported figure with its full sentence and article (the evidence panel), as analysts
    stand behind it: none for a rejected figure, the corrected values of an edited one."""
    return frame(con, sql("""
    SELECT m.membership_id, m.initiative_id, i.name AS initiative_name, m.kind, m.count,
           m.year, m.year_basis, m.count_text, m.sentence, m.sentence_no, m.article_id,
           """ + FIGURE_EXPLAINED + """, """ + FIGURE_REVIEW + """,
           a.title, a.outlet, a.author, a.url, a.published, a.published_precision,
           """ + ALSO_IN + """
    FROM curated_memberships AS m
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    """ + FIGURE_SCALE + """
    WHERE m.membership_id = $membership_id
    """, membership_id=membership_id))
