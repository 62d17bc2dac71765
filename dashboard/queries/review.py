"""The Review page's statements: which fact an analyst should look at next, how many facts in
view are reviewed, and the vocabularies a correction may use.

The queue is ranked on the marts alone, and never joins every fact to every claim (at 100,000
articles: 600,000 events, and as many claims as the sources dispute):
- the facts feeding a disagreement come first, and `facet_claims` holds them with the filter
  attributes, confidence and `reviewed` of their facts, so they are one scan of that mart;
- the rest follow by confidence, so the fact at position p is among the first p + 1 facts in
  view by confidence (`facet_events`, `facet_memberships`: a top-N), less those that are
  claims (looked up for those p + 1 only).
The sentence and article are read for the one fact shown. A fact leaves the queue once
reviewed, so the next one slides into its place: the page keeps a position only for skipped
facts.
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
from dashboard.queries.in_view import (
    EVENTS,
    MEMBERSHIPS,
    Masks,
    event_conditions,
    in_view,
    masks,
    membership_conditions,
)
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, Cte, Sql, all_of, frame, sql

# Every fact in view, events then figures, with what ranks it. `fact_no` is the facets'
# order (initiative, type, year, newest article), which is also a claim's `claim_no`.
_FACTS = Cte("facts", sql("""
    SELECT 'event' AS fact, e.event_id AS fact_id, e.event_no AS fact_no, e.confidence,
           e.reviewed, e.article_no
    FROM events_in_view AS e
    UNION ALL
    SELECT 'membership' AS fact, m.membership_id AS fact_id, m.figure_no AS fact_no,
           m.confidence, m.reviewed, m.article_no
    FROM memberships_in_view AS m"""))
_TOPICS = {"event": "event_year", "membership": "membership_count"}
_ORDER = "confidence NULLS FIRST, fact, fact_no"


@register()
def review_progress(con: Connection, filters: Filters) -> pd.DataFrame:
    """How many facts (events and membership figures) are in view, and how many of them an
    analyst has confirmed, edited or added (`facts`, `reviewed`; one row)."""
    return in_view(con, filters, (EVENTS, MEMBERSHIPS), [_FACTS], """
    SELECT count(*) AS facts, count(*) FILTER (WHERE reviewed) AS reviewed FROM facts
    """)


def _disputed(filters: Filters, chosen: Masks) -> Cte:
    """The unreviewed facts in view feeding a disagreement: their claims, filtered like the
    facts (a claim carries its fact's filter attributes; rejected facts are no claim)."""
    sides = [
        "SELECT '" + fact + "' AS fact, claim_id AS fact_id, claim_no AS fact_no, confidence, "
        "article_no FROM facet_claims WHERE topic = '" + topic + "' AND NOT reviewed AND "
        + all_of(conditions(filters, chosen))
        for fact, topic, conditions in (("event", _TOPICS["event"], event_conditions),
                                        ("membership", _TOPICS["membership"],
                                         membership_conditions))]
    return Cte("disputed", sides[0] + "\nUNION ALL\n" + sides[1])


@register(lambda s: {"": (0,), "(position 50)": (50,)})
def review_next(con: Connection, filters: Filters, position: int = 0) -> pd.DataFrame:
    """The fact at `position` (from 0) of the review queue, with its article.

    The queue: every fact in view no analyst has reviewed, those feeding a disagreement first
    (`disputed`), then the lowest confidence first, then in the facets' order. No row when the
    queue is shorter than `position + 1` (it holds `review_progress`'s facts less the
    reviewed).
    """
    chosen = masks(con, filters)
    ranked = [
        _FACTS,
        _disputed(filters, chosen),
        Cte("head", sql("""
            SELECT fact, fact_id, fact_no, confidence, article_no FROM facts
            WHERE NOT reviewed ORDER BY """ + _ORDER + """ LIMIT $head""", head=position + 1),
            materialized=True),
        Cte("head_claims", sql("""
            SELECT CASE c.topic WHEN 'event_year' THEN 'event' ELSE 'membership' END AS fact,
                   c.claim_no AS fact_no
            FROM facet_claims AS c SEMI JOIN head AS h ON h.fact_no = c.claim_no""")),
        Cte("queue", Sql("""
            SELECT true AS disputed, * FROM disputed
            UNION ALL
            SELECT false AS disputed, h.* FROM head AS h
            ANTI JOIN head_claims AS c USING (fact, fact_no)""")),
        Cte("pick", sql("""
            SELECT * FROM queue ORDER BY disputed DESC, """ + _ORDER + """
            LIMIT 1 OFFSET $position""", position=position), materialized=True),
    ]
    return in_view(con, filters, (EVENTS, MEMBERSHIPS), ranked, """
    SELECT p.fact, p.fact_id, p.disputed, p.confidence, a.article_id,
           a.title, a.outlet, a.url, a.published, a.published_precision
    FROM pick AS p JOIN facet_articles AS a USING (article_no)
    """, chosen)


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
