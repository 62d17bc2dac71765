"""The Disagreements page's statements: facts the sources disagree on, and their sides.

What a disagreement is (the rules) is decided by the ETL, across the whole warehouse, in the
`facet_claims` mart (etl/marts/90_facet_claims.sql), so a filter never hides one side of a
contradiction. A query here only tests each claim against the filters (its row carries what
they test), lists the facts with a claim in view, and takes each side's first claims by
`claim_row` (newest article first), those in view first.
"""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.in_view import event_conditions, masks, membership_conditions
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, Cte, Sql, all_of, frame, sql, statement


def _disagreements(con: Connection, filters: Filters, ctes: list[Cte], select: Sql | str
                   ) -> pd.DataFrame:
    """Run `select` after `claims_in_view` (every claim, whether the filters keep it),
    `listed` (the facts with a claim in view) and `ctes`."""
    chosen = masks(con, filters)
    in_view = ("CASE WHEN c.topic = 'event_year' THEN "
               + all_of(event_conditions(filters, chosen))
               + " ELSE " + all_of(membership_conditions(filters, chosen)) + " END")
    claims = Cte("claims_in_view", "SELECT c.fact_no, c.value, c.claim_row, " + in_view
                 + " AS in_view FROM facet_claims AS c")
    listed = Cte("listed", sql(
        "SELECT fact_no FROM claims_in_view GROUP BY fact_no HAVING bool_or(in_view)"))
    return frame(con, statement([claims, listed, *ctes], select))


@register()
def disagreement_summary(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per initiative: how many facts the sources disagree on, in view (most first).

    `event_years`: once-only events (first held, founded, proposed) given different years by
    different articles; `membership_counts`: membership figures of one kind and year that
    differ between articles or from the confirmed reference series.
    """
    facts = Cte("facts", sql("""
        SELECT DISTINCT c.fact_no, c.topic, c.initiative_id
        FROM facet_claims AS c SEMI JOIN listed USING (fact_no)"""))
    return _disagreements(con, filters, [facts], """
    SELECT d.initiative_id, i.name AS initiative_name, i.label AS initiative_label,
           count(*) FILTER (WHERE d.topic = 'event_year') AS event_years,
           count(*) FILTER (WHERE d.topic = 'membership_count') AS membership_counts,
           count(*) AS disagreements
    FROM facts AS d JOIN facet_initiatives AS i USING (initiative_id)
    GROUP BY ALL
    ORDER BY disagreements DESC, d.initiative_id
    """)


@register(lambda s: {"": (20,)})
def disagreement_claims(con: Connection, filters: Filters, per_side: int) -> pd.DataFrame:
    """Every side of every disagreement in view: one row per claim, with sentence and article.

    A disagreement (`disagreement_id`) is one fact: an initiative's once-only event
    (`topic` 'event_year', `fact` the event type) or its count of one kind in one year
    (`topic` 'membership_count', `fact` the kind, `fact_year`). Its sides are the values
    claimed (`value`: a year, or a count); `side_claims` / `side_articles` count each side's
    sentences and articles, of which the first `per_side` are returned (claims in view first,
    then the newest articles). `in_view` tells whether a claim passes the current filters (the
    other side of a contradiction is shown even when the filters leave it out). `review`,
    `reviewed_by`, `reviewed_at` and `review_reason` say whether an analyst reviewed the
    claim's fact.
    Membership rows carry the confirmed reference figure of their year (`reference_count`;
    `reference_low`..`reference_high` the counts that fit it, from the count
    `reference_previous_count` of the previous confirmed year `reference_previous_year`),
    `fits_reference`, and the fact's verdicts `articles_differ` and
    `reference_differs`.
    """
    ctes = [
        Cte("shown", sql("""
        SELECT (rank_key & 1099511627775)::INTEGER AS claim_row,
               rank_key < 1099511627776 AS in_view, side_rank
        FROM (
            SELECT unnest(keys) AS rank_key, unnest(range(1, len(keys) + 1)) AS side_rank
            FROM (
                SELECT min((CASE WHEN in_view THEN 0 ELSE 1 END::BIGINT << 40) + claim_row,
                           greatest($per_side, 1)) AS keys
                FROM claims_in_view SEMI JOIN listed USING (fact_no)
                GROUP BY fact_no, value))
        WHERE side_rank <= $per_side""", per_side=per_side), materialized=True),
        # the mart is sorted by claim_row: the shown rows are read, not the whole mart
        Cte("rows", sql("""
        SELECT c.*, s.in_view, s.side_rank
        FROM facet_claims AS c JOIN shown AS s USING (claim_row)"""), materialized=True),
        Cte("event_text", sql("""
        SELECT e.event_id AS claim_id, e.date_text AS as_written, e.sentence, e.review,
               e.reviewed_by, e.reviewed_at, e.review_reason
        FROM curated_events AS e SEMI JOIN rows AS r ON r.claim_id = e.event_id""")),
        Cte("figure_text", sql("""
        SELECT m.membership_id AS claim_id, m.count_text AS as_written, m.sentence, m.review,
               m.reviewed_by, m.reviewed_at, m.review_reason
        FROM curated_memberships AS m SEMI JOIN rows AS r ON r.claim_id = m.membership_id""")),
        Cte("article", sql("""
        SELECT a.* FROM facet_articles AS a SEMI JOIN rows AS r USING (article_no)""")),
    ]
    return _disagreements(con, filters, ctes, """
    SELECT r.disagreement_id, r.topic, r.initiative_id, r.fact, r.fact_year, r.value,
           r.claim_id, coalesce(e.as_written, m.as_written) AS as_written, a.article_id,
           r.sentence_no, coalesce(e.sentence, m.sentence) AS sentence,
           coalesce(e.review, m.review) AS review,
           coalesce(e.reviewed_by, m.reviewed_by) AS reviewed_by,
           coalesce(e.reviewed_at, m.reviewed_at) AS reviewed_at,
           coalesce(e.review_reason, m.review_reason) AS review_reason, r.in_view,
           r.fits_reference, r.articles_differ, r.reference_differs, r.reference_count,
           r.reference_low, r.reference_high, r.reference_previous_count,
           r.reference_previous_year, r.reference_source, r.reference_notes,
           r.side_claims, r.side_articles, r.side_rank,
           a.title, a.outlet, a.published, a.published_precision, a.url,
           i.name AS initiative_name, i.label AS initiative_label
    FROM rows AS r
    JOIN article AS a ON a.article_no = r.article_no
    JOIN facet_initiatives AS i ON i.initiative_id = r.initiative_id
    LEFT JOIN event_text AS e ON r.topic = 'event_year' AND e.claim_id = r.claim_id
    LEFT JOIN figure_text AS m ON r.topic = 'membership_count' AND m.claim_id = r.claim_id
    ORDER BY r.initiative_id, r.topic, r.fact, r.fact_year, r.value, r.side_rank
    """)
