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
