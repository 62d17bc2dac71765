"""The thin caching layer between the pages and `queries`: one warehouse, results cached.

- The warehouse is opened once per process (`st.cache_resource`) as a read-only factory of
  short-lived cursors. Each access re-checks the file's identity (inode, mtime, size: one
  `stat`), and when the ETL has swapped in a new build, a new warehouse is opened; the old one
  is dropped once its last cursor closes. It builds nothing: the marts the queries read are
  built by the ETL with the build, so the first visit after a build costs what any other does.
  A warehouse without them (built by an older version) is refused with a rebuild message.
- Query results are cached (`st.cache_data`, bounded by `max_entries` and `ttl`) keyed on the
  query's registered name (`queries.QUERIES`), its arguments (the `Filters`) and the
  warehouse's build id, so a rebuild is picked up at the next rerun without restarting the app.

A DuckDB quirk shapes `open_warehouse`: `duckdb.connect(path)` hands back the database already
open in this process for that path, even after the file was replaced. Attaching the file to a
fresh in-memory database instead gives each build its own instance.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from dashboard import queries, theme
from dashboard.charts.labels import cell_int
from dashboard.filters import FilterOptions, Filters
from dashboard.search.parse import SearchQuery
from dashboard.settings import PROJECT_ROOT, DashboardSettings

Fingerprint = tuple[int, int, int] | None
# How many possible new initiatives the Overview lists, and sentences shown for each.
CANDIDATE_NAMES = 20
CANDIDATE_SENTENCES = 5


class WarehouseMissing(Exception):
    """There is no warehouse where `IM_DB_PATH` points; the message says how to build one."""


class WarehouseUnreadable(Exception):
    """The warehouse exists but cannot be opened or lacks the tables the dashboard reads."""


def _shown_path(path: Path) -> str:
    """The warehouse file as a visitor may read it: relative to the project when inside it,
    else its name alone (the pages never show where the server keeps its files; a connection
    string is never shown, as it may hold a token)."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return path.name


def file_fingerprint(path: Path | None) -> Fingerprint:
    """(inode, mtime ns, size) of a warehouse file; None for a connection string or no file.

    The ETL replaces the file in one `os.replace`, which changes the inode, so this tells a
    new build from the old one at the cost of one `stat`.
    """
    if path is None:
        return None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


# A join against up to 2,048 ids (a page of evidence, the example sentence of each chart mark)
# passes them to the scan as a list, which the warehouse's primary-key index answers, instead
# of scanning millions of rows (DuckDB's default stops at 50 ids).
CURSOR_SETTINGS = ("SET dynamic_or_filter_threshold = 2048",)


@dataclass(frozen=True)
class Warehouse:
    """One build of the warehouse, open read-only; hands out a fresh cursor per query."""

    location: str
    fingerprint: Fingerprint
    build_id: str
    built_at: str | None
    database: duckdb.DuckDBPyConnection

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived read-only cursor on this build (cursors are cheap and thread-safe)."""
        cursor = self.database.cursor()
        try:
            cursor.execute("USE warehouse")
            for setting in CURSOR_SETTINGS:
                cursor.execute(setting)
            yield cursor
        finally:
            cursor.close()

    def is_current(self) -> bool:
        """False once the file at `location` is another build than the one held open."""
        path = DashboardSettings(db_location=self.location).db_path
        return path is None or file_fingerprint(path) == self.fingerprint


def open_warehouse(location: str) -> Warehouse:
    """Open the warehouse at `location` (a file or a DuckDB connection string) read-only."""
    path = DashboardSettings(db_location=location).db_path
    if path is not None and not path.exists():
        shown = _shown_path(path)
        raise WarehouseMissing(
            f"No warehouse at {shown}. Build it from the articles with `make etl` (or "
            f"`python -m etl --articles data/articles --db {shown}`), or point IM_DB_PATH at "
            "one."
        )
    fingerprint = file_fingerprint(path)
    database = duckdb.connect(":memory:")
    try:
        database.execute("ATTACH ? AS warehouse (READ_ONLY)", [location])
        database.execute("USE warehouse")
        info = dict(database.execute("SELECT key, value FROM warehouse_info").fetchall())
        missing = list(queries.missing_marts(database)["name"])
    except duckdb.Error as exc:
        database.close()
        shown = "IM_DB_PATH" if path is None else _shown_path(path)
        raise WarehouseUnreadable(
            f"The warehouse at {shown} could not be read (the server's log says why). Rebuild "
            "it with `make etl`; if a build is running, wait for it to finish."
        ) from exc
    if missing:
        database.close()
        raise WarehouseUnreadable(
            f"The warehouse at {_shown_path(path) if path else 'IM_DB_PATH'} was built by an "
            "older version of the ETL: it lacks "
            f"tables or columns the dashboard reads ({', '.join(missing)}). Rebuild it with "
            "`make etl`."
        )
    return Warehouse(location=location, fingerprint=fingerprint,
                     build_id=info.get("build_id", "unknown"), built_at=info.get("built_at"),
                     database=database)


def settings() -> DashboardSettings:
    """The settings of this process, read from the environment at each call (cheap)."""
    return DashboardSettings()


@st.cache_resource(show_spinner=False, max_entries=4,
                   validate=lambda warehouse: warehouse.is_current())
def _open_cached(location: str) -> Warehouse:
    return open_warehouse(location)


def warehouse() -> Warehouse:
    """The current build, opened once and reopened when the ETL replaces the file."""
    return _open_cached(settings().db_location)


_SETTINGS = DashboardSettings()


@st.cache_data(ttl=_SETTINGS.cache_ttl_seconds, max_entries=_SETTINGS.cache_max_entries,
               show_spinner=False)
def _cached_query(query_name: str, location: str, build_id: str, args: tuple[Any, ...],
                  _warehouse: Warehouse) -> Any:
    """Run the registered query `query_name` on a cursor; cached on (name, warehouse, build,
    args)."""
    with _warehouse.connect() as con:
        return queries.QUERIES[query_name].function(con, *args)


def run_query(query_name: str, *args: Any) -> Any:
    """The result of the registered query `query_name` with `args`, from the cache if there.

    A page may call a query by its name through here; the typed functions below are the same
    call for the queries the existing pages share.
    """
    if query_name not in queries.QUERIES:
        raise KeyError(f"no query named {query_name} is registered")
    current = warehouse()
    return _cached_query(query_name, current.location, current.build_id, args, current)


# --- reference lists ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """What every page needs about the warehouse's reference lists, as plain values.

    Built once per build (cached on the build id): display labels, colour maps derived from
    the full lists (so colours never shift with filters), and the sidebar's options.
    """

    labels: dict[str, dict[str, str]]
    initiative_colours: dict[str, str]
    theme_colours: dict[str, str]
    options: FilterOptions


@st.cache_data(ttl=_SETTINGS.cache_ttl_seconds, max_entries=8, show_spinner=False)
def _reference(location: str, build_id: str, _warehouse: Warehouse) -> Reference:
    with _warehouse.connect() as con:
        initiatives = queries.initiative_list(con)
        colour_order = queries.initiative_colour_order(con)
        themes = queries.theme_list(con)
        event_types = queries.event_type_list(con)
        outlets = queries.outlet_list(con)
        bounds = queries.year_bounds(con).iloc[0]

    def years(low: object, high: object) -> tuple[int, int] | None:
        return (None if pd.isna(low) or pd.isna(high)
                else (cell_int(low), cell_int(high)))

    return Reference(
        labels={
            "initiatives": dict(zip(initiatives["initiative_id"], initiatives["label"],
                                    strict=True)),
            "themes": dict(zip(themes["theme"], themes["label"], strict=True)),
            "event_types": {t: theme.event_type_label(t) for t in event_types["event_type"]},
        },
        initiative_colours=theme.colour_map(colour_order["initiative_id"], ranked=True),
        theme_colours=theme.colour_map(themes["theme"]),
        options=FilterOptions(
            event_years=years(bounds["event_min"], bounds["event_max"]),
            published_years=years(bounds["published_min"], bounds["published_max"]),
            themes=tuple(themes["theme"]),
            initiatives=tuple(initiatives["initiative_id"]),
            event_types=tuple(event_types["event_type"]),
            outlets=tuple(outlets["outlet"]),
        ),
    )


def reference() -> Reference:
    """The reference lists of the current build."""
    current = warehouse()
    return _reference(current.location, current.build_id, current)


def filter_options() -> FilterOptions:
    """Everything the sidebar offers: ids of the reference lists, outlets, year ranges."""
    return reference().options


def labels() -> dict[str, dict[str, str]]:
    """Display names by id ('initiatives', 'themes', 'event_types'), for widgets and lines."""
    return reference().labels


def initiative_colours() -> dict[str, str]:
    """Initiative id -> colour, from the full gazetteer (never shifts with filters)."""
    return reference().initiative_colours


def theme_colours() -> dict[str, str]:
    """Theme id -> colour, from the full taxonomy (never shifts with filters)."""
    return reference().theme_colours


def build_summary() -> pd.Series:
    """The current build: id, time, what the ETL loaded."""
    return run_query("build_summary").iloc[0]


# --- filtered results ------------------------------------------------------------------------


def headline_figures(filters: Filters) -> pd.Series:
    """Headline counts of the view (one row as a Series)."""
    return run_query("headline_figures", filters).iloc[0]


def events_per_year(filters: Filters) -> pd.DataFrame:
    """Dated events per year and initiative."""
    return run_query("events_per_year", filters)


def source_summary(filters: Filters) -> pd.DataFrame:
    """Articles in view by outlet."""
    return run_query("source_summary", filters)


def candidate_initiatives(filters: Filters) -> pd.DataFrame:
    """Possible new initiatives in the articles in view, with up to five sentences each."""
    return run_query("candidate_initiatives", filters, CANDIDATE_NAMES, CANDIDATE_SENTENCES)


def event_sources(filters: Filters) -> pd.DataFrame:
    """Articles reporting the events in view, by outlet."""
    return run_query("event_sources", filters)


def figure_sources(filters: Filters, initiative_id: str, kind: str) -> pd.DataFrame:
    """Articles reporting figures in view of one organisation and kind, by outlet."""
    return run_query("figure_sources", filters, initiative_id, kind)


def timeline_cells(filters: Filters) -> pd.DataFrame:
    """Dated events in view per initiative, event type and year (the timeline's marks)."""
    return run_query("timeline_cells", filters)


def cell_events(filters: Filters, initiative_id: str, event_type: str, year: int,
                page: int) -> pd.DataFrame:
    """One page (from 0) of the events behind a timeline cell, `IM_EVIDENCE_PAGE_SIZE` long."""
    size = settings().evidence_page_size
    return run_query("cell_events", filters, initiative_id, event_type, year, size, page * size)


def event_evidence(event_id: str) -> pd.DataFrame:
    """One event with its sentence and article."""
    return run_query("event_evidence", event_id)


def membership_organisations(filters: Filters) -> pd.DataFrame:
    """Organisations and kinds with membership figures or a reference series."""
    return run_query("membership_organisations", filters)


def membership_points(filters: Filters, initiative_id: str, kind: str) -> pd.DataFrame:
    """Dated figures of one organisation and kind, per (year, count)."""
    return run_query("membership_points", filters, initiative_id, kind)


def point_reports(filters: Filters, initiative_id: str, kind: str, year: int | None,
                  count: int | None, page: int, size: int | None = None) -> pd.DataFrame:
    """One page (from 0) of the figures behind a membership point (year None: undated ones)."""
    size = size or settings().evidence_page_size
    return run_query("point_reports", filters, initiative_id, kind, year, count, size, page * size)


def membership_reference_series(filters: Filters, initiative_id: str) -> pd.DataFrame:
    """The reference series of one organisation."""
    return run_query("membership_reference_series", filters, initiative_id)


def membership_milestones(filters: Filters, initiative_id: str) -> pd.DataFrame:
    """Summits and accessions of one organisation, per event type and year."""
    return run_query("membership_milestones", filters, initiative_id)


def membership_evidence(membership_id: str) -> pd.DataFrame:
    """One reported figure with its sentence and article."""
    return run_query("membership_evidence", membership_id)


def theme_frequency(filters: Filters) -> pd.DataFrame:
    """Theme frequency in view."""
    return run_query("theme_frequency", filters)


def theme_by_year(filters: Filters) -> pd.DataFrame:
    """Theme frequency by publication year."""
    return run_query("theme_by_year", filters)


def themes_by_initiative(filters: Filters) -> pd.DataFrame:
    """Themes carried by the sentences naming each initiative."""
    return run_query("themes_by_initiative", filters)


def article_count(filters: Filters) -> int:
    """Articles in view."""
    return run_query("article_count", filters)


def article_table(filters: Filters, page: int) -> pd.DataFrame:
    """One page (from 0) of the article table."""
    size = settings().page_size
    return run_query("article_table", filters, size, page * size)


def article_text(article_id: str) -> pd.DataFrame:
    """One article's text and metadata."""
    return run_query("article_text", article_id)


def article_highlights(article_id: str) -> pd.DataFrame:
    """Mention and date spans of one article."""
    return run_query("article_highlights", article_id)


# --- disagreements and briefing packs --------------------------------------------------------

DISAGREEMENT_CLAIMS_PER_SIDE = 20  # sentences per side of a disagreement in its CSV
DISAGREEMENT_PREVIEW_PER_SIDE = 2  # sentences each side shows before it is opened
THEME_SENTENCES_PER_THEME = 3  # example sentences a theme chart cites in a briefing pack


def disagreement_summary(filters: Filters) -> pd.DataFrame:
    """Disagreements between sources per initiative, in view."""
    return run_query("disagreement_summary", filters)


def disagreement_claims(filters: Filters, per_side: int = DISAGREEMENT_CLAIMS_PER_SIDE
                        ) -> pd.DataFrame:
    """Every side of every disagreement in view, its first `per_side` sentences and articles."""
    return run_query("disagreement_claims", filters, per_side)


def disagreement_sources(filters: Filters) -> pd.DataFrame:
    """Articles with a claim in a disagreement in view, per outlet."""
    return run_query("disagreement_sources", filters)


def side_claims(filters: Filters, disagreement_id: str, value: int, page: int) -> pd.DataFrame:
    """One page (from 0) of one side of a disagreement, `IM_EVIDENCE_PAGE_SIZE` long."""
    size = settings().evidence_page_size
    return run_query("side_claims", filters, disagreement_id, value, size, page * size)


def theme_sentences(filters: Filters) -> pd.DataFrame:
    """Example sentences carrying each theme in view (a theme chart's citations)."""
    return run_query("theme_sentences", filters, THEME_SENTENCES_PER_THEME)


# --- search ------------------------------------------------------------------------------------

SEARCH_PAGE_SIZE = 20  # hits per page of search results


def search_query_terms(query: SearchQuery) -> pd.DataFrame:
    """How the warehouse reads each clause of a search (terms and their frequencies)."""
    return run_query("search_query_terms", query)


def search_sentences(filters: Filters, query: SearchQuery, page: int) -> pd.DataFrame:
    """One page (from 0) of ranked search hits in view."""
    return run_query("search_sentences", filters, query, SEARCH_PAGE_SIZE, page * SEARCH_PAGE_SIZE)


def search_hits_per_year(filters: Filters, query: SearchQuery) -> pd.DataFrame:
    """Search hits and their articles per publication year, in view."""
    return run_query("search_hits_per_year", filters, query)


def search_available() -> bool:
    """Whether this build has the search index (a warehouse built before it existed has not)."""
    current = warehouse()
    return _search_available(current.location, current.build_id, current)


@st.cache_data(ttl=_SETTINGS.cache_ttl_seconds, max_entries=8, show_spinner=False)
def _search_available(location: str, build_id: str, _warehouse: Warehouse) -> bool:
    with _warehouse.connect() as con:
        return queries.has_search_index(con)


def sentence_location(article_id: str, sentence_no: int) -> pd.DataFrame:
    """Offsets and text of one sentence (the reader highlights a search hit with them)."""
    return run_query("sentence_location", article_id, sentence_no)


# --- attention over time and feeds --------------------------------------------------------------


def attention_series(filters: Filters, grain: str, compare: str,
                     series: tuple[str, ...]) -> pd.DataFrame:
    """Articles in view covering each chosen initiative or theme, per day, week or month."""
    return run_query("attention_series", filters, grain, compare, series)


def attention_leaders(filters: Filters, compare: str, limit: int) -> pd.DataFrame:
    """The initiatives or themes covered by most articles in view."""
    return run_query("attention_leaders", filters, compare, limit)


def attention_events(filters: Filters, initiatives: tuple[str, ...]) -> pd.DataFrame:
    """The chosen initiatives' dated events in view, per initiative, type and date."""
    return run_query("attention_events", filters, initiatives)


def attention_articles(filters: Filters, grain: str, compare: str, series_id: str,
                       period: Any, page: int) -> pd.DataFrame:
    """One page (from 0) of the articles covering a series in one period, newest first."""
    size = settings().evidence_page_size
    return run_query("attention_articles", filters, grain, compare, series_id, period, size,
                     page * size)


def feed_status() -> pd.DataFrame:
    """Every feed followed, with its last fetch."""
    return run_query("feed_status")

# --- corrections and the review queue -------------------------------------------------------


def article_sentences(article_id: str) -> pd.DataFrame:
    """Every sentence of one article, in order (the reader's "add a fact" form)."""
    return run_query("article_sentences", article_id)


def correction_vocabulary() -> pd.DataFrame:
    """Every event type and membership kind a correction may set (`field`, `value`, `label`)."""
    return run_query("correction_vocabulary")


def review_progress(filters: Filters) -> pd.Series:
    """Facts in view and how many of them are reviewed (one row as a Series)."""
    return run_query("review_progress", filters).iloc[0]


def review_next(filters: Filters, position: int) -> pd.DataFrame:
    """The fact at `position` of the review queue, with its article (no row: queue done)."""
    return run_query("review_next", filters, position)


def review_fact(fact: str, fact_id: str) -> pd.DataFrame:
    """One event or figure as it stands, with its sentence and how it was read."""
    return run_query("review_event" if fact == "event" else "review_figure", fact_id)
