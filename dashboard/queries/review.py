"""The Review page's statements: which fact an analyst should look at next, how many facts in
view are reviewed, and the vocabularies a correction may use.

The queue is ranked on the marts alone (`facet_events`, `facet_memberships` carry `review`,
`reviewed` and `confidence`; `facet_claims` lists every claim of a disagreement), so ranking
600,000 events is one scan and a top-N; the sentence and article are read for the one fact
shown. A fact leaves the queue once reviewed, so the next one slides into its place: the page
keeps a position only for skipped facts.
"""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.evidence import (
    EVENT_EXPLAINED,
    EVENT_SCALE,
    FIGURE_EXPLAINED,
    FIGURE_SCALE,
)
from dashboard.queries.in_view import EVENTS, MEMBERSHIPS, in_view
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, Cte, frame, sql

# Every fact in view, events then figures, with what ranks it: whether it is a claim of a
# disagreement (rejected facts feed none: facet_claims reads the curated facets), its
# confidence, whether an analyst has reviewed it. `fact_no` keeps the facets' order.
_FACTS = Cte("facts", sql("""
    SELECT 'event' AS fact, e.event_id AS fact_id, e.event_no AS fact_no, e.confidence,
           e.reviewed, e.article_no, e.sentence_no
    FROM events_in_view AS e
    UNION ALL
    SELECT 'membership' AS fact, m.membership_id AS fact_id, m.figure_no AS fact_no,
           m.confidence, m.reviewed, m.article_no, m.sentence_no
    FROM memberships_in_view AS m"""))


@register()
def review_progress(con: Connection, filters: Filters) -> pd.DataFrame:
    """How many facts (events and membership figures) are in view, and how many of them an
    analyst has confirmed, edited or added (`facts`, `reviewed`; one row)."""
    return in_view(con, filters, (EVENTS, MEMBERSHIPS), [_FACTS], """
    SELECT count(*) AS facts, count(*) FILTER (WHERE reviewed) AS reviewed FROM facts
    """)


@register(lambda s: {"": (0,), "(position 50)": (50,)})
def review_next(con: Connection, filters: Filters, position: int = 0) -> pd.DataFrame:
    """The fact at `position` (from 0) of the review queue, with its sentence and article.

    The queue: every fact in view no analyst has reviewed, those feeding a disagreement first,
    then the lowest confidence first, then in the facets' order (initiative, type, year, newest
    article). `disputed` says whether it feeds a disagreement, `waiting` how many facts the
    queue holds. No row when the queue is shorter than `position + 1`.
    """
    ranked = [
        _FACTS,
        Cte("disputed", sql("SELECT DISTINCT claim_id FROM facet_claims")),
        Cte("queue", sql("""
            SELECT f.*, f.fact_id IN (SELECT claim_id FROM disputed) AS disputed
            FROM facts AS f WHERE NOT f.reviewed"""), materialized=True),
        Cte("pick", sql("""
            SELECT *, (SELECT count(*) FROM queue) AS waiting FROM queue
            ORDER BY disputed DESC, confidence NULLS FIRST, fact, fact_no
            LIMIT 1 OFFSET $position""", position=position), materialized=True),
    ]
    return in_view(con, filters, (EVENTS, MEMBERSHIPS), ranked, """
    SELECT p.fact, p.fact_id, p.disputed, p.waiting, p.confidence, a.article_id,
           a.title, a.outlet, a.url, a.published, a.published_precision
    FROM pick AS p JOIN facet_articles AS a USING (article_no)
    """)


@register(lambda s: {"": (s.event_id,)})
def review_event(con: Connection, event_id: str) -> pd.DataFrame:
    """One event as it stands (curated), with its sentence and how it was read."""
    return frame(con, sql("""
    SELECT e.event_id, e.initiative_id, i.name AS initiative_name, e.event_type,
           e.year, e.month, e.day, e.end_year, e.end_month, e.end_day, e.date_text,
           e.date_basis, e.sentence, e.sentence_no, e.article_id, """ + EVENT_EXPLAINED + """
    FROM curated_events AS e
    JOIN initiatives AS i USING (initiative_id)
    """ + EVENT_SCALE + """
    WHERE e.event_id = $event_id
    """, event_id=event_id))


@register(lambda s: {"": (s.membership_id,)})
def review_figure(con: Connection, membership_id: str) -> pd.DataFrame:
    """One membership figure as it stands (curated), with its sentence and how it was read."""
    return frame(con, sql("""
    SELECT m.membership_id, m.initiative_id, i.name AS initiative_name, m.kind,
           m.count, m.year, m.year_basis, m.count_text, m.sentence, m.sentence_no,
           m.article_id, """ + FIGURE_EXPLAINED + """
    FROM curated_memberships AS m
    JOIN initiatives AS i USING (initiative_id)
    """ + FIGURE_SCALE + """
    WHERE m.membership_id = $membership_id
    """, membership_id=membership_id))


@register()
def correction_vocabulary(con: Connection) -> pd.DataFrame:
    """What a correction may set: every event type and membership kind of the warehouse's
    vocabularies (`field`, `value`, `label`), whether or not any fact uses it yet."""
    return frame(con, """
    SELECT 'event_type' AS field, event_type AS value, NULL::VARCHAR AS label
    FROM event_types
    UNION ALL
    SELECT 'kind' AS field, kind AS value, label FROM membership_kinds
    ORDER BY field, value
    """)
