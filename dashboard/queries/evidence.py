"""How a fact was read, for the evidence panels: its rule, confidence and the sentence naming
its initiative, with the words `evidence_scale` gives for its rule and date basis; who
reviewed it; and how many facts behind a chart mark an analyst reviewed."""

from __future__ import annotations

from dashboard.queries.sql import Sql, sql
from dashboard.review import ANALYST_REVIEWS

# The evidence columns of an event row `e` / a figure row `m` (rl, dl: the joins below).
EVENT_EXPLAINED = """e.rule, e.confidence, e.initiative_sentence_no,
           rl.label AS rule_label, rl.weight AS rule_weight,
           dl.label AS date_label, dl.weight AS date_weight"""
FIGURE_EXPLAINED = """m.rule, m.confidence, m.initiative_sentence_no,
           rl.label AS rule_label, rl.weight AS rule_weight,
           dl.label AS date_label, dl.weight AS date_weight"""

# The review columns of a curated event / figure row `e` / `m`: its review state, who reviewed
# it, when (UTC) and why (NULL while machine-read).
EVENT_REVIEW = "e.review, e.reviewed_by, e.reviewed_at, e.review_reason"
FIGURE_REVIEW = "m.review, m.reviewed_by, m.reviewed_at, m.review_reason"


def review_counts() -> Sql:
    """Counts, over the facet rows of a chart mark, of the facts an analyst reviewed
    (`reviewed`) and of those an analyst added or edited (`analyst_set`): how the chart styles
    the mark (`dashboard.review.cell_mark`). Counting only: no join, no text."""
    return sql("""count(*) FILTER (WHERE reviewed) AS reviewed,
               count(*) FILTER (WHERE list_contains($analyst_reviews, review)) AS analyst_set""",
               analyst_reviews=list(ANALYST_REVIEWS))


def review_sums() -> Sql:
    """`review_counts` over rows that count facts already (`events`, with the `review` and
    `reviewed` they share: `facet_timeline_parts`)."""
    return sql("""coalesce(sum(events) FILTER (WHERE reviewed), 0)::BIGINT AS reviewed,
               coalesce(sum(events) FILTER (WHERE list_contains($analyst_reviews, review)),
                        0)::BIGINT AS analyst_set""",
               analyst_reviews=list(ANALYST_REVIEWS))


# The other outlets of the story an article `a` belongs to (`stories`: its near copies
# republished elsewhere), sorted; empty for an article no other outlet ran. The evidence lists
# the reprints under the one item shown: "also in: Outlet A, Outlet B". Found once per build
# (`facet_articles.also_in`) and read by the article's id.
ALSO_IN = """(SELECT f.also_in FROM facet_articles AS f
            WHERE f.article_id = a.article_id) AS also_in"""


# Joins of `evidence_scale` giving the words for an event's / a figure's rule and date basis.
EVENT_SCALE = """LEFT JOIN evidence_scale AS rl
           ON rl.aspect = 'event_rule' AND rl.value = e.rule
    LEFT JOIN evidence_scale AS dl
           ON dl.aspect = 'date_basis' AND dl.value = e.date_basis"""
FIGURE_SCALE = """LEFT JOIN evidence_scale AS rl
           ON rl.aspect = 'membership_rule' AND rl.value = m.rule
    LEFT JOIN evidence_scale AS dl
           ON dl.aspect = 'date_basis' AND dl.value = m.year_basis"""
