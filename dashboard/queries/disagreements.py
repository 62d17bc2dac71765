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


@register()
def disagreement_sources(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per outlet: the articles with a claim on a side of a disagreement in view (most first).

    Every claim counts, not only the ones a page shows, so the page's "articles cited" and its
    source line hold whatever the analyst can page to.
    """
    cited = Cte("cited", sql("""
        SELECT DISTINCT c.article_no
        FROM facet_claims AS c SEMI JOIN listed USING (fact_no)"""))
    return _disagreements(con, filters, [cited], """
    SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM cited JOIN facet_articles AS a USING (article_no)
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """)


def _claim_details(con: Connection, filters: Filters, shown: Cte) -> pd.DataFrame:
    """The claims `shown` picks (`claim_row`, `in_view`, `side_rank`), with their sentences,
    articles, reviews and the reference figures of their facts (the mart carries each claim's
    words and review, so no fact table is searched by id)."""
    ctes = [
        shown,
        # the mart is sorted by claim_row: the shown rows are read, not the whole mart
        Cte("rows", sql("""
        SELECT c.*, s.in_view, s.side_rank
        FROM facet_claims AS c JOIN shown AS s USING (claim_row)"""), materialized=True),
        Cte("article", sql("""
        SELECT a.* FROM facet_articles AS a SEMI JOIN rows AS r USING (article_no)""")),
    ]
    return _disagreements(con, filters, ctes, """
    SELECT r.disagreement_id, r.topic, r.initiative_id, r.fact, r.fact_year, r.value,
           r.claim_id, r.as_written, a.article_id, r.sentence_no, r.sentence, r.review,
           r.reviewed_by, r.reviewed_at, r.review_reason, r.in_view,
           r.fits_reference, r.articles_differ, r.reference_differs, r.reference_count,
           r.reference_low, r.reference_high, r.reference_previous_count,
           r.reference_previous_year, r.reference_source, r.reference_notes,
           r.side_claims, r.side_articles, r.side_rank,
           a.title, a.outlet, a.published, a.published_precision, a.url,
           i.name AS initiative_name, i.label AS initiative_label
    FROM rows AS r
    JOIN article AS a ON a.article_no = r.article_no
    JOIN facet_initiatives AS i ON i.initiative_id = r.initiative_id
    ORDER BY r.initiative_id, r.topic, r.fact, r.fact_year, r.value, r.side_rank
    """)


@register(lambda s: {"": (20,), "preview": (2,)})
def disagreement_claims(con: Connection, filters: Filters, per_side: int) -> pd.DataFrame:
    """Every side of every disagreement in view: one row per claim, with sentence and article.

    A disagreement (`disagreement_id`) is one fact: an initiative's once-only event
    (`topic` 'event_year', `fact` the event type) or its count of one kind in one year
    (`topic` 'membership_count', `fact` the kind, `fact_year`). Its sides are the values
    claimed (`value`: a year, or a count); `side_claims` / `side_articles` count each side's
    sentences and articles, of which the first `per_side` are returned (claims in view first,
    then the newest articles; `side_rank` from 1). `in_view` tells whether a claim passes the
    current filters (the other side of a contradiction is shown even when the filters leave it
    out). `review`, `reviewed_by`, `reviewed_at` and `review_reason` say whether an analyst
    reviewed the claim's fact.
    Membership rows carry the confirmed reference figure of their year (`reference_count`;
    `reference_low`..`reference_high` the counts that fit it, from the count
    `reference_previous_count` of the previous confirmed year `reference_previous_year`),
    `fits_reference`, and the fact's verdicts `articles_differ` and
    `reference_differs`.
    """
    shown = Cte("shown", sql("""
        SELECT (rank_key & 1099511627775)::INTEGER AS claim_row,
               rank_key < 1099511627776 AS in_view, side_rank
        FROM (
            SELECT unnest(keys) AS rank_key, unnest(range(1, len(keys) + 1)) AS side_rank
            FROM (
                SELECT min((CASE WHEN in_view THEN 0 ELSE 1 END::BIGINT << 40) + claim_row,
                           greatest($per_side, 1)) AS keys
                FROM claims_in_view SEMI JOIN listed USING (fact_no)
                GROUP BY fact_no, value))
        WHERE side_rank <= $per_side""", per_side=per_side), materialized=True)
    return _claim_details(con, filters, shown)


@register(lambda s: {"": (*s.side, 20, 0), "deep page": (*s.side, 20, 20)})
def side_claims(con: Connection, filters: Filters, disagreement_id: str, value: int,
                size: int, offset: int) -> pd.DataFrame:
    """One page of one side of a disagreement in view: the claims of `disagreement_id` giving
    `value`, `size` from `offset`, in the order `disagreement_claims` takes its first ones
    (claims in view first, then the newest articles), with the same columns.

    Empty when the fact is not listed under `filters` (a stale link, or the filters changed).
    """
    shown = Cte("shown", sql("""
        SELECT claim_row, in_view,
               row_number() OVER (ORDER BY NOT in_view, claim_row) AS side_rank
        FROM claims_in_view SEMI JOIN listed USING (fact_no)
        WHERE fact_no = (SELECT any_value(fact_no) FROM facet_claims
                         WHERE disagreement_id = $disagreement_id)
          AND value = $value
        ORDER BY side_rank
        LIMIT $size OFFSET $offset""", disagreement_id=disagreement_id, value=value,
        size=size, offset=offset), materialized=True)
    return _claim_details(con, filters, shown)
