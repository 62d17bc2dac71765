"""Reference lists and warehouse facts, not filtered: the sidebar's options, the build."""

from __future__ import annotations

import pandas as pd

from dashboard.queries.in_view import MART_COLUMNS_ADDED, MARTS
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, frame, sql


@register()
def warehouse_info(con: Connection) -> pd.DataFrame:
    """The `warehouse_info` key/value pairs (build_id, built_at, schema_version, ...)."""
    return frame(con, "SELECT key, value FROM warehouse_info ORDER BY key")


@register()
def missing_marts(con: Connection) -> pd.DataFrame:
    """The marts the queries read that the warehouse lacks (`name`), and the columns added to
    marts since (`mart.column`, of a mart it has): none for a warehouse built by this version
    of the ETL; a warehouse built before the ETL made the marts lacks all of them."""
    return frame(con, sql("""
    WITH tables AS (
        SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()
    ),
    wanted_columns AS (
        SELECT unnest($columns::STRUCT(mart VARCHAR, col VARCHAR)[], recursive := true)
    )
    SELECT name FROM (
        SELECT unnest($marts::VARCHAR[]) AS name
        EXCEPT
        SELECT table_name FROM tables
    )
    UNION ALL
    SELECT w.mart || '.' || w.col
    FROM wanted_columns AS w
    SEMI JOIN tables AS t ON t.table_name = w.mart
    ANTI JOIN (SELECT table_name, column_name FROM duckdb_columns()
               WHERE database_name = current_database()) AS c
        ON c.table_name = w.mart AND c.column_name = w.col
    ORDER BY name
    """, marts=list(MARTS), columns=[{"mart": m, "col": c} for m, c in MART_COLUMNS_ADDED]))


@register()
def build_summary(con: Connection) -> pd.DataFrame:
    """One row on the current build: when, its id, and what the last ETL run loaded or refused."""
    return frame(con, """
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
    """)


@register()
def initiative_list(con: Connection) -> pd.DataFrame:
    """Every initiative of the gazetteer, with its display label (acronym or name)."""
    return frame(con, """
    SELECT initiative_id, name, acronym, category, description,
           coalesce(acronym, name) AS label
    FROM initiatives
    ORDER BY initiative_id
    """)


@register()
def initiative_colour_order(con: Connection) -> pd.DataFrame:
    """Every initiative, most mentioned in the whole warehouse first (for colour assignment)."""
    return frame(con, """
    SELECT i.initiative_id
    FROM initiatives i
    LEFT JOIN (SELECT initiative_id, count(*) AS n FROM mentions GROUP BY initiative_id) m
        USING (initiative_id)
    ORDER BY coalesce(m.n, 0) DESC, i.initiative_id
    """)


@register()
def theme_list(con: Connection) -> pd.DataFrame:
    """Every theme of the taxonomy with its label."""
    return frame(con, "SELECT theme, label, description FROM themes ORDER BY theme")


@register()
def event_type_list(con: Connection) -> pd.DataFrame:
    """Event types of the curated events (rejected ones left out), with how many each has
    (read from `facet_events`, the narrow mart of the curated events)."""
    return frame(con, """
    SELECT event_type, count(*) AS events
    FROM facet_events GROUP BY event_type ORDER BY event_type
    """)


@register()
def outlet_list(con: Connection) -> pd.DataFrame:
    """Outlets with their article counts (articles without an outlet are not an option)."""
    return frame(con, """
    SELECT outlet, count(*) AS articles
    FROM articles WHERE outlet IS NOT NULL
    GROUP BY outlet ORDER BY outlet
    """)


@register()
def year_bounds(con: Connection) -> pd.DataFrame:
    """The year ranges the sliders span: of the curated events (spans included) and of
    publication dates."""
    return frame(con, """
    SELECT
        (SELECT min(year) FROM facet_events) AS event_min,
        (SELECT max(greatest(year, coalesce(end_year, year))) FROM facet_events) AS event_max,
        (SELECT min(year(published)) FROM articles) AS published_min,
        (SELECT max(year(published)) FROM articles) AS published_max
    """)
