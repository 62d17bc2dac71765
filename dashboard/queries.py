"""Every SQL statement of the dashboard: named functions of a connection (and `Filters`).

Each function runs one parameterised statement against the read-only warehouse and returns a
DataFrame. Values are never formatted into SQL: each statement is a constant string, and the
filter values are bound as named parameters (`$themes`, `$event_from`, ...) from
`filter_parameters()`, lists tested with `list_contains($list, column)`. An unset filter binds
an empty list or NULL, which the statement reads as 'no filter'.

The statements aggregate in SQL and page evidence with LIMIT, so they stay fast on a corpus of
100,000 articles; no caller loads a whole table to filter it in pandas.

How filters apply (docs/dashboard.md has the analyst's version):
- `article_filter`: articles passing the article filters (publication years, outlets, themes:
  carries any of them, initiatives: mentions any of them).
- `events_in_view`: events of those articles that match the fact filters (initiatives, event
  types, event years: the event's span overlaps the range).
- `articles_in_view`: `article_filter`, and when event years or types are set, only articles
  that report a matching event. Article-level views (counts, themes, the article table) use it.
- `memberships_in_view`: figures of `article_filter` articles whose initiative and year match.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from dashboard.filters import Filters
from dashboard.search_text import SearchQuery

Connection = duckdb.DuckDBPyConnection

# The common prelude of filtered statements. It binds every filter parameter, so a statement
# that starts with it takes exactly `filter_parameters(filters)` plus its own parameters.
_IN_VIEW = """
WITH
article_filter AS (
    SELECT a.article_id
    FROM articles AS a
    WHERE ($published_from IS NULL OR year(a.published) >= $published_from)
      AND ($published_to IS NULL OR year(a.published) <= $published_to)
      AND (len($outlets) = 0 OR list_contains($outlets, a.outlet))
      AND (len($themes) = 0 OR a.article_id IN (
            SELECT t.article_id FROM article_themes AS t WHERE list_contains($themes, t.theme)))
      AND (len($initiatives) = 0 OR a.article_id IN (
            SELECT m.article_id FROM mentions AS m
            WHERE list_contains($initiatives, m.initiative_id)))
),
events_in_view AS (
    -- Where a dated event sits on a year axis: month-only dates sort as the 15th so they fall
    -- mid-month, year-only dates as 1 July so they fall mid-year; an impossible day in a source
    -- (31 June) falls back to mid-month rather than failing the page. A span runs from the
    -- first day of its start period to the last day of its end period.
    SELECT e.*,
        coalesce(
            try(make_date(e.year, coalesce(e.month, 7),
                          coalesce(e.day, CASE WHEN e.month IS NULL THEN 1 ELSE 15 END))),
            make_date(e.year, coalesce(e.month, 7), CASE WHEN e.month IS NULL THEN 1 ELSE 15 END)
        ) AS marker_date,
        coalesce(try(make_date(e.year, coalesce(e.month, 1), coalesce(e.day, 1))),
                 make_date(e.year, coalesce(e.month, 1), 1)) AS span_start,
        CASE
            WHEN e.end_year IS NULL THEN NULL
            WHEN e.end_month IS NULL THEN make_date(e.end_year, 12, 31)
            WHEN e.end_day IS NULL THEN last_day(make_date(e.end_year, e.end_month, 1))
            ELSE coalesce(try(make_date(e.end_year, e.end_month, e.end_day)),
                          last_day(make_date(e.end_year, e.end_month, 1)))
        END AS span_end
    FROM events AS e
    WHERE e.article_id IN (SELECT article_id FROM article_filter)
      AND (len($initiatives) = 0 OR list_contains($initiatives, e.initiative_id))
      AND (len($event_types) = 0 OR list_contains($event_types, e.event_type))
      AND ($event_from IS NULL OR coalesce(e.end_year, e.year) >= $event_from)
      AND ($event_to IS NULL OR e.year <= $event_to)
),
articles_in_view AS (
    SELECT a.*
    FROM articles AS a
    WHERE a.article_id IN (SELECT article_id FROM article_filter)
      AND (NOT $filters_facts OR a.article_id IN (SELECT article_id FROM events_in_view))
),
memberships_in_view AS (
    SELECT m.*
    FROM memberships AS m
    WHERE m.article_id IN (SELECT article_id FROM article_filter)
      AND (len($initiatives) = 0 OR list_contains($initiatives, m.initiative_id))
      AND ($event_from IS NULL OR m.year >= $event_from)
      AND ($event_to IS NULL OR m.year <= $event_to)
)
"""

def filter_parameters(filters: Filters) -> dict[str, Any]:
    """The named parameters every filtered statement binds (the `_IN_VIEW` prelude's)."""
    event_years = filters.event_years or (None, None)
    published_years = filters.published_years or (None, None)
    return {
        "event_from": event_years[0],
        "event_to": event_years[1],
        "published_from": published_years[0],
        "published_to": published_years[1],
        "themes": list(filters.themes),
        "initiatives": list(filters.initiatives),
        "event_types": list(filters.event_types),
        "outlets": list(filters.outlets),
        "filters_facts": filters.filters_facts,
    }


def _frame(con: Connection, sql: str, params: dict[str, Any] | list[Any] | None = None
           ) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


def _filtered(con: Connection, body: str, filters: Filters, **extra: Any) -> pd.DataFrame:
    """Run `body` after the in-view prelude with the filter parameters and `extra` bound."""
    return _frame(con, _IN_VIEW + body, {**filter_parameters(filters), **extra})


# --- reference lists and warehouse facts (not filtered) ------------------------------------


def warehouse_info(con: Connection) -> pd.DataFrame:
    """The `warehouse_info` key/value pairs (build_id, built_at, schema_version, ...)."""
    return _frame(con, "SELECT key, value FROM warehouse_info ORDER BY key")


def build_summary(con: Connection) -> pd.DataFrame:
    """One row on the current build: when, its id, and what the last ETL run loaded or refused."""
    sql = """
    WITH info AS (
        SELECT max(value) FILTER (WHERE key = 'build_id') AS build_id,
               max(value) FILTER (WHERE key = 'built_at') AS built_at
        FROM warehouse_info
    ),
    corpus AS (
        SELECT count(*) AS articles,
               min(published) AS first_published,
               arg_min(published_precision, published) AS first_precision,
               max(published) AS last_published,
               arg_max(published_precision, published) AS last_precision,
               count(*) FILTER (WHERE published IS NULL) AS undated_articles
        FROM articles
    )
    SELECT info.build_id, info.built_at, r.files_seen, r.articles_loaded, r.duplicates,
           r.files_failed, corpus.*
    FROM info CROSS JOIN corpus
    LEFT JOIN etl_runs AS r ON r.run_id = info.build_id
    """
    return _frame(con, sql)


def initiative_list(con: Connection) -> pd.DataFrame:
    """Every initiative of the gazetteer, with its display label (acronym or name)."""
    sql = """
    SELECT initiative_id, name, acronym, category, description,
           coalesce(acronym, name) AS label
    FROM initiatives
    ORDER BY initiative_id
    """
    return _frame(con, sql)


def initiative_colour_order(con: Connection) -> pd.DataFrame:
    """Every initiative, most mentioned in the whole warehouse first (for colour assignment)."""
    sql = """
    SELECT i.initiative_id
    FROM initiatives i
    LEFT JOIN (SELECT initiative_id, count(*) AS n FROM mentions GROUP BY initiative_id) m
        USING (initiative_id)
    ORDER BY coalesce(m.n, 0) DESC, i.initiative_id
    """
    return _frame(con, sql)


def theme_list(con: Connection) -> pd.DataFrame:
    """Every theme of the taxonomy with its label."""
    return _frame(con, "SELECT theme, label, description FROM themes ORDER BY theme")


def event_type_list(con: Connection) -> pd.DataFrame:
    """Event types present in the warehouse, with how many events each has."""
    sql = """
    SELECT event_type, count(*) AS events
    FROM events GROUP BY event_type ORDER BY event_type
    """
    return _frame(con, sql)


def outlet_list(con: Connection) -> pd.DataFrame:
    """Outlets with their article counts (articles without an outlet are not an option)."""
    sql = """
    SELECT outlet, count(*) AS articles
    FROM articles WHERE outlet IS NOT NULL
    GROUP BY outlet ORDER BY outlet
    """
    return _frame(con, sql)


def year_bounds(con: Connection) -> pd.DataFrame:
    """The year ranges the sliders span: of events (spans included) and of publication dates."""
    sql = """
    SELECT
        (SELECT min(year) FROM events) AS event_min,
        (SELECT max(greatest(year, coalesce(end_year, year))) FROM events) AS event_max,
        (SELECT min(year(published)) FROM articles) AS published_min,
        (SELECT max(year(published)) FROM articles) AS published_max
    """
    return _frame(con, sql)


# --- Overview --------------------------------------------------------------------------------


def headline_figures(con: Connection, filters: Filters) -> pd.DataFrame:
    """One row: articles, initiatives named, dated events, their year span, article dates."""
    body = """
    , article_figures AS (
        SELECT count(*) AS articles, min(published) AS first_published,
               max(published) AS last_published,
               arg_max(published_precision, published) AS last_published_precision,
               coalesce(sum(word_count), 0)::BIGINT AS words
        FROM articles_in_view
    ),
    event_figures AS (
        SELECT count(*) AS events, min(year) AS first_event_year,
               max(coalesce(end_year, year)) AS last_event_year
        FROM events_in_view
    ),
    initiative_figures AS (
        SELECT count(DISTINCT m.initiative_id) AS initiatives
        FROM mentions AS m SEMI JOIN articles_in_view AS a USING (article_id)
        WHERE len($initiatives) = 0 OR list_contains($initiatives, m.initiative_id)
    )
    SELECT * FROM article_figures, event_figures, initiative_figures
    """
    return _filtered(con, body, filters)


def events_per_year(con: Connection, filters: Filters) -> pd.DataFrame:
    """Dated events per start year and initiative (the Overview's compact timeline)."""
    body = """
    SELECT e.year, e.initiative_id, coalesce(i.acronym, i.name) AS initiative_label,
           count(*) AS events
    FROM events_in_view AS e JOIN initiatives AS i USING (initiative_id)
    GROUP BY ALL
    ORDER BY e.year, e.initiative_id
    """
    return _filtered(con, body, filters)


def source_summary(con: Connection, filters: Filters) -> pd.DataFrame:
    """The articles in view by outlet (for a chart's source line: 'N articles from ...')."""
    body = """
    SELECT coalesce(outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM articles_in_view
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """
    return _filtered(con, body, filters)


# --- Timeline --------------------------------------------------------------------------------


def timeline_events(con: Connection, filters: Filters, limit: int) -> pd.DataFrame:
    """Dated events in view, one row each, with axis positions and their source.

    `marker_date` places the marker (mid-month / mid-year for partial dates); `span_start` and
    `span_end` bound a span where the text gives one. `total_events` counts all events in view,
    so a caller can say when `limit` cut some (the most recent are kept).
    """
    body = """
    SELECT
        e.event_id, e.initiative_id, i.name AS initiative_name,
        coalesce(i.acronym, i.name) AS initiative_label, i.category,
        e.event_type, e.year, e.month, e.day, e.end_year, e.end_month, e.end_day,
        e.date_text, e.date_basis,
        e.marker_date, e.span_start, e.span_end,
        e.sentence, e.article_id, e.sentence_no,
        a.title, a.outlet, a.published, a.published_precision, a.url,
        count(*) OVER () AS total_events
    FROM events_in_view AS e
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    ORDER BY e.marker_date DESC, e.event_id
    LIMIT $limit
    """
    return _filtered(con, body, filters, limit=limit)


def event_evidence(con: Connection, event_id: str) -> pd.DataFrame:
    """One event with its full source sentence and the article it came from (the evidence panel)."""
    sql = """
    SELECT e.event_id, e.initiative_id, i.name AS initiative_name, e.event_type,
           e.year, e.month, e.day, e.end_year, e.end_month, e.end_day, e.date_text, e.date_basis,
           e.sentence, e.sentence_no, e.article_id,
           a.title, a.outlet, a.author, a.url, a.published, a.published_precision
    FROM events AS e
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    WHERE e.event_id = $event_id
    """
    return _frame(con, sql, {"event_id": event_id})


# --- Membership ------------------------------------------------------------------------------


def membership_organisations(con: Connection, filters: Filters) -> pd.DataFrame:
    """Organisations with membership figures in view or a reference series, and their kinds.

    One row per (organisation, kind); `figures` counts the reported figures in view and
    `reference_years` the confirmed years of a reference series (member states only).
    """
    body = """
    , reported AS (
        SELECT initiative_id, kind, count(*) AS figures
        FROM memberships_in_view GROUP BY ALL
    ),
    referenced AS (
        SELECT initiative_id, 'member_states' AS kind, count(member_count) AS reference_years
        FROM membership_reference
        WHERE len($initiatives) = 0 OR list_contains($initiatives, initiative_id)
        GROUP BY ALL
    )
    SELECT o.initiative_id, i.name AS initiative_name,
           coalesce(i.acronym, i.name) AS initiative_label, o.kind,
           coalesce(r.figures, 0) AS figures, coalesce(f.reference_years, 0) AS reference_years
    FROM (SELECT initiative_id, kind FROM reported
          UNION SELECT initiative_id, kind FROM referenced) AS o
    JOIN initiatives AS i USING (initiative_id)
    LEFT JOIN reported AS r USING (initiative_id, kind)
    LEFT JOIN referenced AS f USING (initiative_id, kind)
    ORDER BY o.initiative_id, o.kind
    """
    return _filtered(con, body, filters)


def membership_figures(con: Connection, filters: Filters, initiative_id: str,
                       kind: str) -> pd.DataFrame:
    """Figures reported in articles for one organisation and kind, each with its sentence.

    `reference_count` is the reference series' figure for the same year (NULL where it has none
    or says 'unconfirmed'), so a disagreement can be shown next to the reported figure.
    """
    body = """
    SELECT m.membership_id, m.initiative_id, m.kind, m.count, m.year, m.year_basis,
           m.count_text, m.sentence, m.sentence_no, m.article_id,
           a.title, a.outlet, a.published, a.published_precision, a.url,
           r.member_count AS reference_count, r.confirmed AS reference_confirmed
    FROM memberships_in_view AS m
    JOIN articles AS a USING (article_id)
    LEFT JOIN membership_reference AS r
           ON r.initiative_id = m.initiative_id AND r.year = m.year AND m.kind = 'member_states'
    WHERE m.initiative_id = $initiative_id AND m.kind = $kind
    ORDER BY m.year NULLS LAST, a.published, m.membership_id
    """
    return _filtered(con, body, filters, initiative_id=initiative_id, kind=kind)


def membership_reference_series(con: Connection, filters: Filters,
                                 initiative_id: str) -> pd.DataFrame:
    """The sourced reference series of one organisation, in the event-year range.

    `member_count` stays NULL for unconfirmed years: the chart shows a gap there, never the
    neighbouring year carried forward.
    """
    sql = """
    SELECT year, member_count, confirmed, new_members, source
    FROM membership_reference
    WHERE initiative_id = $initiative_id
      AND ($event_from IS NULL OR year >= $event_from)
      AND ($event_to IS NULL OR year <= $event_to)
    ORDER BY year
    """
    event_years = filters.event_years or (None, None)
    return _frame(con, sql, {"initiative_id": initiative_id, "event_from": event_years[0],
                             "event_to": event_years[1]})


MILESTONE_EVENT_TYPES = ("first_held", "held", "joined")


def membership_milestones(con: Connection, filters: Filters, initiative_id: str) -> pd.DataFrame:
    """Summits and accessions of one organisation in view (first_held / held / joined events)."""
    body = """
    SELECT e.event_id, e.event_type, e.year, e.month, e.day, e.date_text, e.marker_date,
           e.sentence, e.article_id, a.title, a.outlet, a.published
    FROM events_in_view AS e JOIN articles AS a USING (article_id)
    WHERE e.initiative_id = $initiative_id AND list_contains($milestone_types, e.event_type)
    ORDER BY e.marker_date, e.event_id
    """
    return _filtered(con, body, filters, initiative_id=initiative_id,
                     milestone_types=list(MILESTONE_EVENT_TYPES))


def membership_evidence(con: Connection, membership_id: str) -> pd.DataFrame:
    """One reported figure with its full sentence and article (the evidence panel)."""
    sql = """
    SELECT m.membership_id, m.initiative_id, i.name AS initiative_name, m.kind, m.count,
           m.year, m.year_basis, m.count_text, m.sentence, m.sentence_no, m.article_id,
           a.title, a.outlet, a.author, a.url, a.published, a.published_precision
    FROM memberships AS m
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    WHERE m.membership_id = $membership_id
    """
    return _frame(con, sql, {"membership_id": membership_id})


# --- Topics ----------------------------------------------------------------------------------


def theme_frequency(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per theme: keyword hits per 1,000 words of the articles in view, and articles carrying it.

    The rate's denominator is every word of the articles in view, so themes are comparable.
    With a theme filter only the chosen themes are listed.
    """
    body = """
    , words AS (SELECT sum(word_count) AS words FROM articles_in_view)
    SELECT t.theme, th.label, count(*) AS articles, sum(t.hits)::BIGINT AS hits,
           1000.0 * sum(t.hits) / nullif(any_value(w.words), 0) AS per_1000_words
    FROM article_themes AS t
    JOIN themes AS th USING (theme)
    CROSS JOIN words AS w
    WHERE t.article_id IN (SELECT article_id FROM articles_in_view) AND t.hits > 0
      AND (len($themes) = 0 OR list_contains($themes, t.theme))
    GROUP BY t.theme, th.label
    ORDER BY per_1000_words DESC, t.theme
    """
    return _filtered(con, body, filters)


def theme_by_year(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per publication year and theme: hits per 1,000 words of that year's articles in view.

    Years with articles but no hit of a theme are present with 0, so the heatmap tells 'not
    covered' from 'no articles that year' (which has no row at all).
    """
    body = """
    , years AS (
        SELECT year(published) AS year, sum(word_count) AS words, count(*) AS year_articles
        FROM articles_in_view WHERE published IS NOT NULL GROUP BY ALL
    ),
    shown_themes AS (
        SELECT theme, label FROM themes
        WHERE (len($themes) = 0 OR list_contains($themes, theme))
          AND theme IN (SELECT theme FROM article_themes
                        WHERE article_id IN (SELECT article_id FROM articles_in_view))
    ),
    hits AS (
        SELECT year(a.published) AS year, t.theme, sum(t.hits)::BIGINT AS hits,
               count(*) AS articles
        FROM article_themes AS t JOIN articles_in_view AS a USING (article_id)
        WHERE a.published IS NOT NULL
        GROUP BY ALL
    )
    SELECT y.year, s.theme, s.label, coalesce(h.hits, 0) AS hits,
           coalesce(h.articles, 0) AS articles, y.year_articles,
           1000.0 * coalesce(h.hits, 0) / nullif(y.words, 0) AS per_1000_words
    FROM years AS y CROSS JOIN shown_themes AS s
    LEFT JOIN hits AS h ON h.year = y.year AND h.theme = s.theme
    ORDER BY y.year, s.theme
    """
    return _filtered(con, body, filters)


def themes_by_initiative(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per initiative and theme: sentences naming the initiative that carry the theme.

    Joins `mentions` with `sentence_themes` on the sentence, so a theme counts for an
    initiative only where the same sentence names it. `share` is the fraction of the
    initiative's themed sentences that carry the theme.
    """
    body = """
    , pairs AS (
        SELECT DISTINCT m.initiative_id, st.theme, m.article_id, m.sentence_no
        FROM mentions AS m
        JOIN sentence_themes AS st USING (article_id, sentence_no)
        WHERE m.article_id IN (SELECT article_id FROM articles_in_view)
          AND (len($initiatives) = 0 OR list_contains($initiatives, m.initiative_id))
          AND (len($themes) = 0 OR list_contains($themes, st.theme))
    ),
    counted AS (
        SELECT initiative_id, theme, count(*) AS sentences,
               count(DISTINCT article_id) AS articles
        FROM pairs GROUP BY ALL
    )
    SELECT c.initiative_id, coalesce(i.acronym, i.name) AS initiative_label, c.theme, th.label,
           c.sentences, c.articles,
           c.sentences / sum(c.sentences) OVER (PARTITION BY c.initiative_id) AS share
    FROM counted AS c
    JOIN initiatives AS i USING (initiative_id)
    JOIN themes AS th USING (theme)
    ORDER BY c.initiative_id, c.theme
    """
    return _filtered(con, body, filters)


# --- Articles --------------------------------------------------------------------------------


def article_count(con: Connection, filters: Filters) -> int:
    """How many articles are in view (for paging the article table)."""
    return int(_filtered(con, "SELECT count(*) AS n FROM articles_in_view", filters)["n"].iloc[0])


def article_table(con: Connection, filters: Filters, limit: int, offset: int = 0
                  ) -> pd.DataFrame:
    """One page of the articles in view, newest first, with initiatives and top themes.

    `initiatives` lists the initiative labels the article names, most mentioned first;
    `top_themes` its three most frequent themes.
    """
    body = """
    , page AS (
        SELECT article_id, title, outlet, published, published_precision, word_count, url,
               source_file
        FROM articles_in_view
        ORDER BY published DESC NULLS LAST, title, article_id
        LIMIT $limit OFFSET $offset
    ),
    named AS (
        SELECT m.article_id, coalesce(i.acronym, i.name) AS label, count(*) AS mentions
        FROM mentions AS m JOIN initiatives AS i USING (initiative_id)
        WHERE m.article_id IN (SELECT article_id FROM page)
        GROUP BY ALL
    ),
    ranked AS (
        SELECT t.article_id, th.label, t.rank
        FROM article_themes AS t JOIN themes AS th USING (theme)
        WHERE t.article_id IN (SELECT article_id FROM page) AND t.rank <= 3
    )
    SELECT p.*,
           (SELECT list(n.label ORDER BY n.mentions DESC, n.label) FROM named AS n
            WHERE n.article_id = p.article_id) AS initiatives,
           (SELECT list(r.label ORDER BY r.rank) FROM ranked AS r
            WHERE r.article_id = p.article_id) AS top_themes
    FROM page AS p
    ORDER BY p.published DESC NULLS LAST, p.title, p.article_id
    """
    return _filtered(con, body, filters, limit=limit, offset=offset)


def article_text(con: Connection, article_id: str) -> pd.DataFrame:
    """One article's metadata and cleaned text (the reader)."""
    sql = """
    SELECT article_id, title, outlet, author, url, published, published_precision, word_count,
           source_file, text
    FROM articles WHERE article_id = $article_id
    """
    return _frame(con, sql, {"article_id": article_id})


def article_highlights(con: Connection, article_id: str) -> pd.DataFrame:
    """The spans the reader highlights: initiative mentions and dated phrases, by offset.

    `kind` is 'mention' or 'date'; `label` what the span stands for (the initiative, or the
    date read and its role); offsets are code points into `articles.text`, end exclusive.
    """
    sql = """
    SELECT 'mention' AS kind, m.start_char, m.end_char, m.surface AS span_text,
           coalesce(i.acronym, i.name) || ' (' || m.method || ')' AS label
    FROM mentions AS m JOIN initiatives AS i USING (initiative_id)
    WHERE m.article_id = $article_id
    UNION ALL
    SELECT 'date' AS kind, d.start_char, d.end_char, d.expression AS span_text,
           concat_ws(' ', CAST(d.year AS VARCHAR),
                     CASE WHEN d.end_year IS NOT NULL THEN '– ' || d.end_year END,
                     '(' || d.role || ')') AS label
    FROM date_mentions AS d
    WHERE d.article_id = $article_id
    ORDER BY start_char, end_char DESC
    """
    return _frame(con, sql, {"article_id": article_id})


# --- Disagreements ---------------------------------------------------------------------------

# Event types an initiative has once in its life, so two years for one of them cannot both be
# right. Everything else recurs legitimately (held, period, chairmanship, scheduled, approved,
# joined, signed, elected, launched, started) or is said again and again (announced: plans,
# dates, new rounds). Types are compared only with themselves: a proposal (1992), a founding
# (1999) and a first summit (2002) are different events, not a disagreement.
ONCE_ONLY_EVENT_TYPES = ("first_held", "founded", "proposed")
# A sentence that restates an earlier act ('reiterated his proposal', 'proposed again') is not
# a claim about when the act happened.
RESTATEMENT_PATTERN = r"\b(reiterat\w*|again|anew|once more|renew\w*|repeat\w*)\b"

# Disagreements are found across the whole warehouse, so a filter never hides one side of a
# contradiction; the filters choose which disagreements are shown (those with at least one
# claim in view). Two claims disagree only when they come from different articles.
#
# Membership counts change during a year (CICA had 27 members until Kuwait joined on 13 Oct
# 2022, 28 after), and the reference series gives the count at the year's end. So a figure
# for a confirmed reference year 'fits' when it lies between the previous confirmed year's
# count and that year's; two figures that both fit are not a disagreement. Unconfirmed years
# are no evidence either way. `conflicts` counts the claims of the same fact from other
# articles with another value (inclusion-exclusion over window counts, so it stays linear).
_DISAGREEMENTS = """
, once_only_claims AS (
    SELECT e.event_id AS claim_id, e.initiative_id, e.event_type AS fact,
           e.year AS value, e.date_text AS as_written, e.article_id, e.sentence_no, e.sentence,
           e.event_id IN (SELECT event_id FROM events_in_view) AS in_view
    FROM events AS e
    WHERE list_contains($once_only_types, e.event_type)
      AND NOT regexp_matches(lower(e.sentence), $restatement)
),
event_claims AS (
    SELECT c.*,
           count(*) OVER (PARTITION BY initiative_id, fact)
           - count(*) OVER (PARTITION BY initiative_id, fact, article_id)
           - count(*) OVER (PARTITION BY initiative_id, fact, value)
           + count(*) OVER (PARTITION BY initiative_id, fact, article_id, value) AS conflicts
    FROM once_only_claims AS c
),
event_facts AS (
    SELECT 'event_year' AS topic, initiative_id, fact, NULL::INTEGER AS fact_year,
           true AS articles_differ, false AS reference_differs
    FROM event_claims
    GROUP BY initiative_id, fact
    HAVING max(conflicts) > 0 AND bool_or(in_view)
),
confirmed_reference AS (
    SELECT initiative_id, year, member_count, source, new_members,
           lag(member_count) OVER (PARTITION BY initiative_id ORDER BY year) AS previous_count,
           lag(year) OVER (PARTITION BY initiative_id ORDER BY year) AS previous_year
    FROM membership_reference
    WHERE confirmed AND member_count IS NOT NULL
),
figure_claims AS (
    SELECT m.membership_id AS claim_id, m.initiative_id, m.kind AS fact, m.year AS fact_year,
           m.count AS value, m.count_text AS as_written, m.article_id, m.sentence_no,
           m.sentence, m.membership_id IN (SELECT membership_id FROM memberships_in_view)
               AS in_view,
           r.member_count AS reference_count, r.previous_count AS reference_previous_count,
           r.previous_year AS reference_previous_year,
           least(r.member_count, coalesce(r.previous_count, r.member_count)) AS reference_low,
           greatest(r.member_count, coalesce(r.previous_count, r.member_count))
               AS reference_high,
           r.source AS reference_source, r.new_members AS reference_notes
    FROM memberships AS m
    LEFT JOIN confirmed_reference AS r
           ON r.initiative_id = m.initiative_id AND r.year = m.year AND m.kind = 'member_states'
    WHERE m.year IS NOT NULL
),
checked_figures AS (
    SELECT f.*,
           coalesce(f.value BETWEEN f.reference_low AND f.reference_high, false)
               AS fits_reference,
           count(*) OVER (PARTITION BY initiative_id, fact, fact_year)
           - count(*) OVER (PARTITION BY initiative_id, fact, fact_year, article_id)
           - count(*) OVER (PARTITION BY initiative_id, fact, fact_year, value)
           + count(*) OVER (PARTITION BY initiative_id, fact, fact_year, article_id, value)
               AS conflicts
    FROM figure_claims AS f
),
figure_verdicts AS (
    SELECT 'membership_count' AS topic, initiative_id, fact, fact_year,
           bool_or(NOT fits_reference AND conflicts > 0) AS articles_differ,
           bool_or(reference_count IS NOT NULL AND NOT fits_reference) AS reference_differs,
           bool_or(in_view) AS any_in_view
    FROM checked_figures
    GROUP BY initiative_id, fact, fact_year
),
disagreement_facts AS (
    SELECT topic, initiative_id, fact, fact_year, articles_differ, reference_differs,
           topic || ':' || initiative_id || ':' || fact AS disagreement_id
    FROM event_facts
    UNION ALL
    SELECT topic, initiative_id, fact, fact_year, articles_differ, reference_differs,
           topic || ':' || initiative_id || ':' || fact || ':' || fact_year AS disagreement_id
    FROM figure_verdicts
    WHERE (articles_differ OR reference_differs) AND any_in_view
)
"""


def _with_disagreements(con: Connection, body: str, filters: Filters, **extra: Any
                        ) -> pd.DataFrame:
    """Run `body` after the in-view prelude and the `disagreement_facts` CTEs."""
    return _filtered(con, _DISAGREEMENTS + body, filters,
                     once_only_types=list(ONCE_ONLY_EVENT_TYPES),
                     restatement=RESTATEMENT_PATTERN, **extra)


def disagreement_summary(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per initiative: how many facts the sources disagree on, in view (most first).

    `event_years`: once-only events (first held, founded, proposed) given different years by
    different articles; `membership_counts`: membership figures of one kind and year that
    differ between articles or from the confirmed reference series.
    """
    body = """
    SELECT d.initiative_id, i.name AS initiative_name,
           coalesce(i.acronym, i.name) AS initiative_label,
           count(*) FILTER (WHERE d.topic = 'event_year') AS event_years,
           count(*) FILTER (WHERE d.topic = 'membership_count') AS membership_counts,
           count(*) AS disagreements
    FROM disagreement_facts AS d JOIN initiatives AS i USING (initiative_id)
    GROUP BY ALL
    ORDER BY disagreements DESC, d.initiative_id
    """
    return _with_disagreements(con, body, filters)


def disagreement_claims(con: Connection, filters: Filters, per_side: int) -> pd.DataFrame:
    """Every side of every disagreement in view: one row per claim, with sentence and article.

    A disagreement (`disagreement_id`) is one fact: an initiative's once-only event
    (`topic` 'event_year', `fact` the event type) or its count of one kind in one year
    (`topic` 'membership_count', `fact` the kind, `fact_year`). Its sides are the values
    claimed (`value`: a year, or a count); `side_claims` / `side_articles` count each side's
    sentences and articles, of which the first `per_side` are returned (claims in view first,
    then the newest articles). `in_view` tells whether a claim passes the current filters (the
    other side of a contradiction is shown even when the filters leave it out).
    Membership rows carry the confirmed reference figure of their year (`reference_count`;
    `reference_low`..`reference_high` the counts that fit it, from the count
    `reference_previous_count` of the previous confirmed year `reference_previous_year`),
    `fits_reference`, and the fact's verdicts `articles_differ` and
    `reference_differs`.
    """
    body = """
    , claims AS (
        SELECT f.disagreement_id, f.topic, c.initiative_id, c.fact, NULL::INTEGER AS fact_year,
               c.value, c.claim_id, c.as_written, c.article_id, c.sentence_no, c.sentence,
               c.in_view, NULL::BOOLEAN AS fits_reference, f.articles_differ,
               f.reference_differs, NULL::INTEGER AS reference_count,
               NULL::INTEGER AS reference_low, NULL::INTEGER AS reference_high,
               NULL::INTEGER AS reference_previous_count,
               NULL::INTEGER AS reference_previous_year, NULL::VARCHAR AS reference_source,
               NULL::VARCHAR AS reference_notes
        FROM event_claims AS c
        JOIN disagreement_facts AS f
          ON f.topic = 'event_year' AND f.initiative_id = c.initiative_id AND f.fact = c.fact
        UNION ALL
        SELECT f.disagreement_id, f.topic, c.initiative_id, c.fact, c.fact_year,
               c.value, c.claim_id, c.as_written, c.article_id, c.sentence_no, c.sentence,
               c.in_view, c.fits_reference, f.articles_differ,
               f.reference_differs, c.reference_count,
               c.reference_low, c.reference_high, c.reference_previous_count,
               c.reference_previous_year, c.reference_source,
               c.reference_notes
        FROM checked_figures AS c
        JOIN disagreement_facts AS f
          ON f.topic = 'membership_count' AND f.initiative_id = c.initiative_id
         AND f.fact = c.fact AND f.fact_year = c.fact_year
    ),
    sides AS (
        SELECT disagreement_id, value, count(*) AS side_claims,
               count(DISTINCT article_id) AS side_articles
        FROM claims GROUP BY ALL
    ),
    ranked AS (
        SELECT c.*, s.side_claims, s.side_articles,
               row_number() OVER (PARTITION BY c.disagreement_id, c.value
                                  ORDER BY c.in_view DESC, a.published DESC NULLS LAST,
                                           c.article_id, c.sentence_no) AS side_rank,
               a.title, a.outlet, a.published, a.published_precision, a.url
        FROM claims AS c
        JOIN sides AS s USING (disagreement_id, value)
        JOIN articles AS a USING (article_id)
    )
    SELECT r.*, i.name AS initiative_name, coalesce(i.acronym, i.name) AS initiative_label
    FROM ranked AS r JOIN initiatives AS i USING (initiative_id)
    WHERE r.side_rank <= $per_side
    ORDER BY r.initiative_id, r.topic, r.fact, r.fact_year, r.value, r.side_rank
    """
    return _with_disagreements(con, body, filters, per_side=per_side)


# --- Briefing pack ---------------------------------------------------------------------------


def theme_sentences(con: Connection, filters: Filters, per_theme: int) -> pd.DataFrame:
    """Example sentences carrying each theme in view, the sentences a theme chart cites.

    Up to `per_theme` per theme: the sentences matching most of the theme's keywords first,
    then the newest articles. With a theme filter only the chosen themes are listed.
    """
    body = """
    , themed AS (
        SELECT st.theme, st.article_id, st.sentence_no,
               string_agg(DISTINCT st.keyword, ', ' ORDER BY st.keyword) AS keywords,
               count(DISTINCT st.keyword) AS keyword_count
        FROM sentence_themes AS st
        WHERE st.article_id IN (SELECT article_id FROM articles_in_view)
          AND (len($themes) = 0 OR list_contains($themes, st.theme))
        GROUP BY ALL
    ),
    ranked AS (
        SELECT t.*, row_number() OVER (PARTITION BY t.theme
                                       ORDER BY t.keyword_count DESC, a.published DESC NULLS LAST,
                                                t.article_id, t.sentence_no) AS theme_rank
        FROM themed AS t JOIN articles AS a USING (article_id)
    )
    SELECT r.theme, th.label, r.keywords, s.text AS sentence, r.article_id, r.sentence_no,
           a.title, a.outlet, a.published, a.published_precision, a.url, r.theme_rank
    FROM ranked AS r
    JOIN sentences AS s USING (article_id, sentence_no)
    JOIN articles AS a USING (article_id)
    JOIN themes AS th USING (theme)
    WHERE r.theme_rank <= $per_theme
    ORDER BY r.theme, r.theme_rank
    """
    return _filtered(con, body, filters, per_theme=per_theme)


# --- Search ----------------------------------------------------------------------------------

# BM25F over sentences (docs/search.md). k1 saturates a term's frequency, b normalises the text
# field by sentence length; a query word in the name of an initiative the sentence mentions
# weighs like two occurrences in a sentence of average length (that field is not
# length-normalised: naming one initiative or five, the sentence is about each).
BM25_K1 = 1.2
BM25_B = 0.75
INITIATIVE_FIELD_WEIGHT = 2.0
MAX_PREFIX_TERMS = 50  # 'summit*' stands for at most this many indexed terms, the most common

# The query's clauses (bound as `$clauses`, a list of structs from `SearchQuery`) cut into
# terms by the warehouse's own `search_tokens` macro, so a query is tokenised exactly as the
# index was. A prefix keeps its last word as typed (lower case, accents stripped, unfolded).
# Each clause is one bit of a mask (the parser keeps at most 60 clauses). MATERIALIZED: the
# macros are bound once, not once per consumer (planning time halves).
_SEARCH_CLAUSES = """
query_clauses AS MATERIALIZED (
    SELECT c.clause_no, c.required, c.negated, c.prefix,
           CASE WHEN c.prefix THEN list_slice(search_words(c.text), -1, -1)
                ELSE search_tokens(c.text) END AS tokens
    FROM (SELECT unnest($clauses::STRUCT(clause_no INTEGER, text VARCHAR, required BOOLEAN,
                                         negated BOOLEAN, prefix BOOLEAN)[]) AS c)
),
clauses AS MATERIALIZED (
    -- clauses with something to look up; several terms in one clause make a phrase
    SELECT clause_no, required, negated, NOT prefix AND len(tokens) > 1 AS phrase,
           len(tokens) AS phrase_length, CAST(1 AS BIGINT) << (clause_no - 1) AS bit
    FROM query_clauses
    WHERE len(tokens) > 0
),
clause_terms AS MATERIALIZED (
    -- (clause, term, place in the phrase); a prefix expands to the commonest matching terms
    SELECT clause_no, unnest(tokens) AS term, unnest(range(1, len(tokens) + 1)) AS idx
    FROM query_clauses
    WHERE NOT prefix
    UNION ALL
    SELECT clause_no, term, 1 AS idx
    FROM (
        SELECT q.clause_no, t.term,
               row_number() OVER (PARTITION BY q.clause_no
                                  ORDER BY t.sentences DESC, t.term) AS expansion
        FROM query_clauses AS q JOIN search_terms AS t ON starts_with(t.term, q.tokens[1])
        WHERE q.prefix AND len(q.tokens) > 0
    )
    WHERE expansion <= $max_prefix_terms
)
"""

# Sentences of the articles in view that answer the query, with their BM25F score. Postings
# are read for the query's terms only and aggregated in one pass, so the cost follows the
# matches, not the corpus. A sentence meets a clause when it holds one of the clause's terms
# (in either field) or, for a phrase, all its terms at consecutive positions of its text.
_SEARCH_HITS_HEAD = """
, masks AS (
    SELECT coalesce(bit_or(bit) FILTER (WHERE required AND NOT negated), 0) AS required_mask,
           coalesce(bit_or(bit) FILTER (WHERE negated), 0) AS negated_mask,
           coalesce(bit_or(bit) FILTER (WHERE NOT negated), 0) AS wanted_mask
    FROM clauses
),
query_terms AS MATERIALIZED (
    -- each clause's terms with their idf; a term in several wanted clauses shares its weight
    -- among them so it counts once (`first_use` marks one of them, for counting terms), and
    -- excluded terms weigh nothing
    SELECT ct.clause_no, ct.term, ct.idx, c.bit, c.phrase, c.phrase_length, c.negated,
           st.avg_length,
           NOT c.negated AND row_number() OVER (PARTITION BY ct.term
                                                ORDER BY c.negated, ct.clause_no) = 1
               AS first_use,
           CASE WHEN c.negated THEN 0.0
                ELSE ln(1 + (st.sentences - t.sentences + 0.5) / (t.sentences + 0.5))
                     / sum(CASE WHEN c.negated THEN 0 ELSE 1 END) OVER (PARTITION BY ct.term)
           END AS weight
    FROM clause_terms AS ct
    JOIN clauses AS c USING (clause_no)
    JOIN search_terms AS t USING (term)
    CROSS JOIN search_stats AS st
),
postings AS NOT MATERIALIZED (
    -- the postings of the query's terms (inlined into each use: positions are read only
    -- where a phrase needs them)
    SELECT q.clause_no, q.idx, q.bit, q.phrase, q.phrase_length, q.first_use, q.weight,
           q.avg_length, p.article_id, p.sentence_no, p.tf, p.initiative_tf, p.positions,
           p.sentence_length
    FROM query_terms AS q
    JOIN search_postings AS p USING (term)
"""

# With a filter set, only postings of the articles in view (without one, no join at all).
_SEARCH_IN_VIEW_ONLY = """
    WHERE p.article_id IN (SELECT article_id FROM articles_in_view)
"""

_SEARCH_HITS_TAIL = """
),
sentence_matches AS (
    SELECT article_id, sentence_no,
           coalesce(bit_or(bit) FILTER (WHERE NOT phrase), 0) AS met,
           sum(weight * (tf / (1 - $b + $b * sentence_length / avg_length)
                         + $initiative_weight * initiative_tf) * ($k1 + 1)
               / (tf / (1 - $b + $b * sentence_length / avg_length)
                  + $initiative_weight * initiative_tf + $k1)) AS score,
           count(*) FILTER (WHERE first_use) AS terms_matched
    FROM postings
    GROUP BY article_id, sentence_no
),
phrase_matches AS (
    -- (sentence, phrase clause, start) where every term of the phrase stands in its place
    SELECT article_id, sentence_no, bit_or(bit) AS met
    FROM (
        SELECT article_id, sentence_no, clause_no, bit, idx, phrase_length,
               unnest(positions) - idx AS phrase_start
        FROM postings
        WHERE phrase
    )
    GROUP BY article_id, sentence_no, clause_no, phrase_start
    HAVING count(*) = any_value(phrase_length)
),
phrase_sentences AS (
    SELECT article_id, sentence_no, bit_or(met) AS met
    FROM phrase_matches
    GROUP BY article_id, sentence_no
),
hits AS (
    -- every required clause met, no excluded one, at least one wanted one; the score is
    -- rounded so that equal scores tie exactly, whatever order the sum was taken in
    SELECT s.article_id, s.sentence_no, round(s.score, 9) AS score, s.terms_matched
    FROM sentence_matches AS s
    LEFT JOIN phrase_sentences AS ph USING (article_id, sentence_no)
    CROSS JOIN masks AS k
    WHERE ((s.met | coalesce(ph.met, 0)) & k.required_mask) = k.required_mask
      AND ((s.met | coalesce(ph.met, 0)) & k.negated_mask) = 0
      AND ((s.met | coalesce(ph.met, 0)) & k.wanted_mask) <> 0
)
"""

# How the warehouse reads each clause (after "WITH" and the clauses).
_SEARCH_READING = """
SELECT q.clause_no,
       coalesce(list(ct.term ORDER BY ct.idx, t.sentences DESC NULLS LAST, ct.term)
                FILTER (WHERE ct.term IS NOT NULL), []) AS terms,
       coalesce(list(coalesce(t.sentences, 0)
                     ORDER BY ct.idx, t.sentences DESC NULLS LAST, ct.term)
                FILTER (WHERE ct.term IS NOT NULL), []) AS sentences
FROM query_clauses AS q
LEFT JOIN clause_terms AS ct USING (clause_no)
LEFT JOIN search_terms AS t USING (term)
GROUP BY q.clause_no
ORDER BY q.clause_no
"""

# One page of ranked hits (a top-N: the best `$limit` after `$offset`), then the sentences,
# articles and words to mark of that page only.
_SEARCH_PAGE = r"""
, ranked AS (
    SELECT article_id, sentence_no, score, terms_matched
    FROM hits
    ORDER BY score DESC, article_id, sentence_no
    LIMIT $limit OFFSET $offset
),
wanted AS (SELECT list(DISTINCT term ORDER BY term) AS terms FROM query_terms WHERE NOT negated),
named AS (
    SELECT m.article_id, m.sentence_no,
           list(DISTINCT coalesce(i.acronym, i.name) ORDER BY coalesce(i.acronym, i.name))
               AS initiatives,
           list(DISTINCT m.surface ORDER BY m.surface) AS surfaces
    FROM mentions AS m
    JOIN initiatives AS i USING (initiative_id)
    SEMI JOIN ranked AS r USING (article_id, sentence_no)
    CROSS JOIN wanted AS w
    WHERE len(list_intersect(search_tokens(concat_ws(' ', i.name, i.acronym)), w.terms)) > 0
    GROUP BY m.article_id, m.sentence_no
)
SELECT r.article_id, r.sentence_no, r.score, r.terms_matched,
       x.text AS sentence, a.title, a.outlet, a.published, a.published_precision, a.url,
       list_sort(list_distinct(list_filter(
           regexp_split_to_array(x.text, '[\p{P}\p{S}\p{Z}\p{C}]+'),
           lambda word: word <> ''
                        AND len(list_intersect(search_tokens(word), w.terms)) > 0)))
           AS matched_words,
       coalesce(n.initiatives, []) AS matched_initiatives,
       coalesce(n.surfaces, []) AS matched_mentions
FROM ranked AS r
JOIN sentences AS x USING (article_id, sentence_no)
JOIN articles AS a USING (article_id)
CROSS JOIN wanted AS w
LEFT JOIN named AS n USING (article_id, sentence_no)
ORDER BY r.score DESC, r.article_id, r.sentence_no
"""

_SEARCH_PER_YEAR = """
SELECT year(a.published) AS year, count(*) AS hits, count(DISTINCT h.article_id) AS articles,
       list(DISTINCT coalesce(a.outlet, 'unknown outlet') ORDER BY coalesce(a.outlet,
                                                                        'unknown outlet'))
           AS outlets
FROM hits AS h JOIN articles AS a USING (article_id)
GROUP BY ALL
ORDER BY year NULLS LAST
"""


def _search_parameters(query: SearchQuery) -> dict[str, Any]:
    return {"clauses": query.as_parameters(), "max_prefix_terms": MAX_PREFIX_TERMS}


def _search_hits(filters: Filters) -> str:
    """The hits statement; the join to the articles in view only when a filter is set."""
    in_view = "" if filters.is_empty else _SEARCH_IN_VIEW_ONLY
    return _SEARCH_HITS_HEAD + in_view + _SEARCH_HITS_TAIL


def _ranking_parameters() -> dict[str, Any]:
    return {"k1": BM25_K1, "b": BM25_B, "initiative_weight": INITIATIVE_FIELD_WEIGHT}


def search_query_terms(con: Connection, query: SearchQuery) -> pd.DataFrame:
    """How the warehouse reads each clause of a query: its index terms and their frequency.

    One row per clause (`clause_no` from 1, in `query.clauses` order): `terms`, the indexed
    terms it looks up (a phrase's in order, a prefix's expansions commonest first; empty when
    the clause has only common words), and `sentences`, how many sentences hold each.
    """
    return _frame(con, "WITH " + _SEARCH_CLAUSES + _SEARCH_READING, _search_parameters(query))


def search_sentences(con: Connection, filters: Filters, query: SearchQuery, limit: int,
                     offset: int = 0) -> pd.DataFrame:
    """One page of the sentences in view matching `query`, best first (BM25F `score`).

    Each hit has its sentence and article, `terms_matched` (distinct query terms it holds),
    `matched_words` (the sentence's words the query matched, as written, for the snippet) and
    `matched_initiatives` / `matched_mentions` (initiatives the sentence mentions whose name
    matched, and the words that mention them: "It", "the Agency"). Equal scores keep a fixed
    order (article id, sentence number). The total is `search_hits_per_year`'s sum.
    """
    body = "," + _SEARCH_CLAUSES + _search_hits(filters) + _SEARCH_PAGE
    return _filtered(con, body, filters, **_search_parameters(query), **_ranking_parameters(),
                     limit=limit, offset=offset)


def search_hits_per_year(con: Connection, filters: Filters, query: SearchQuery) -> pd.DataFrame:
    """Matching sentences (`hits`) and their articles per publication year, in view.

    Undated articles' hits are one row with `year` NULL (last). The sums over the rows are the
    totals: an article has one publication year. `outlets` lists the outlets of that year's
    articles with hits (for the chart's source line).
    """
    body = "," + _SEARCH_CLAUSES + _search_hits(filters) + _SEARCH_PER_YEAR
    return _filtered(con, body, filters, **_search_parameters(query), **_ranking_parameters())


def has_search_index(con: Connection) -> bool:
    """Whether the warehouse has the search tables and tokenising macros (built since v2)."""
    sql = """
    SELECT (SELECT count(*) FROM information_schema.tables
            WHERE table_catalog = current_database() AND table_name = 'search_postings')
         + (SELECT count(DISTINCT function_name) FROM duckdb_functions()
            WHERE database_name = current_database() AND function_name = 'search_tokens')
           = 2 AS ready
    """
    return bool(_frame(con, sql)["ready"].iloc[0])


def sentence_location(con: Connection, article_id: str, sentence_no: int) -> pd.DataFrame:
    """Where one sentence stands in its article's text (offsets) and its text: a search hit."""
    sql = """
    SELECT start_char, end_char, text
    FROM sentences WHERE article_id = $article_id AND sentence_no = $sentence_no
    """
    return _frame(con, sql, {"article_id": article_id, "sentence_no": sentence_no})
