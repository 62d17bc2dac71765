"""Dashboard benchmark: every query's latency, each page's rerun, chart payloads, and pandas.

    python -m benchmarks.dashboard_bench [--db PATH] [--reruns 15] [--query-runs 40]
                                         [--naive-runs 3] [--json PATH]
    python -m benchmarks.dashboard_bench --scale 20000 --scaled-db /tmp/scale/warehouse.duckdb

On the warehouse at PATH (default: IM_DB_PATH, or data/warehouse.duckdb, built from
data/articles with the real ETL into a temporary folder if missing) it measures:

1. First visit: the Overview opened right after a build (the warehouse not yet open in the
   process, no result cached) against a later visit (warehouse open, no result cached), a few
   rounds each: the ETL builds the marts the queries read, so the first costs about the same.
2. Queries: p50/p95 of every registered query (`dashboard.queries.QUERIES`, with each of its
   examples: evidence queries with real ids, the article table's first and a deep page, the
   search functions with a few queries), on a connection opened as the dashboard opens it,
   unfiltered and with a typical filter (event years 2002-2023 and the theme 'security').
   Target: p95 at most 50 ms.
3. Page reruns: each page opened with Streamlit's AppTest (the script runner the server uses),
   then the year filters changed: 'cold' reruns use a combination not seen before (every query
   misses the cache), 'warm' ones flip between two seen ones. Target: under 500 ms.
4. Payloads: the bytes each page sends, all elements (charts, tables, cards, widgets;
   `benchmarks.payload`) on the first visit and the largest after a filter change, against
   the 150 KB target; and of that, the Plotly JSON (the figure specs of its `plotly_chart`
   elements), largest chart and total.
5. Naive comparison: the data of the Overview, Timeline, Membership and Topics pages computed
   the way a dashboard without SQL pushdown would: every table the page needs read with
   `SELECT * FROM table` at each rerun, then filtered and aggregated in pandas (vectorised).
   Timed beside the dashboard's own queries (uncached) in the same run: load+compute and
   compute only (frames held in memory), and the ratios naive/duckdb. The pandas results are
   checked against the queries' (same counts), so both sides do the same work.

`run(db_path, reruns, query_runs)` returns all of it as a JSON-ready dict (milliseconds,
latencies as `*_p50_ms` / `*_p95_ms`) and prints a table with each target and verdict.

`--scale N` first writes a copy of the warehouse with every article N times
(`scaled_warehouse`: 5 shipped articles x 20000 = 100,000), without rebuilding the search
index (that takes ~10 minutes and is the search benchmark's business), then measures the copy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from benchmarks.payload import PAYLOAD_TARGET_BYTES, payload_bytes, payload_verdict
from etl import marts

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "dashboard" / "app.py"
# pages and the URL parameters they open with (the Search page with a query)
PAGES: dict[str, dict[str, str]] = {
    "overview": {}, "timeline": {}, "membership": {}, "topics": {}, "disagreements": {},
    "articles": {}, "search": {"q": "security cooperation"}, "attention": {},
}
QUERY_TARGET_MS = 50.0
RERUN_TARGET_MS = 500.0
Log = Callable[[str], None]


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0-1) of `values`, by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _latency(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(samples), 2),
            "p95_ms": round(percentile(samples, 0.95), 2)}


def verdict(value: float, target: float) -> str:
    """'ok', or by how much `value` misses the `target` ('MISS +120 ms (x1.2)')."""
    if value <= target:
        return "ok"
    return f"MISS +{value - target:.0f} ms (x{value / target:.1f})"


def typical_filters() -> Any:
    """The 'typical filter' of every measurement: event years 2002-2023, theme security."""
    from dashboard.filters import Filters

    return Filters(event_years=(2002, 2023), themes=("security",))


# --- a large warehouse for development -------------------------------------------------------


def scaled_warehouse(source: Path, target: Path, copies: int, perturb_every: int = 10) -> float:
    """Write `source` with every article `copies` times into `target`; returns the seconds.

    Each copy gets new article, event and membership ids and a publication date moved back by
    (copy mod 3000) days. Every `perturb_every`-th copy gives its once-only events (first held,
    founded, proposed) one year later and its membership counts one more, so the Disagreements
    page has contradictions to find at scale. The search tables are left as in `source` (the
    search index is not rebuilt: that is the search benchmark's job). Degenerate data (every
    article repeated), fine for timing queries; no dashboard code depends on its shape.
    """
    started = time.perf_counter()
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    with duckdb.connect(str(partial)) as con:
        con.execute("CREATE TEMP TABLE copies AS SELECT range AS copy FROM range(1, ?)",
                    [copies])
        con.execute("""
            INSERT INTO articles
            SELECT a.* REPLACE (article_id || '-' || copy AS article_id,
                                source_file || '-' || copy AS source_file,
                                (published - INTERVAL (copy % 3000) DAY)::DATE AS published)
            FROM copies, articles AS a ORDER BY copy, a.article_id""")
        con.execute("""
            INSERT INTO stories
            SELECT s.* REPLACE (article_id || '-' || copy AS article_id,
                                story_id || '-' || copy AS story_id)
            FROM copies, stories AS s ORDER BY copy, s.article_id""")
        for table in ("sentences", "mentions", "date_mentions", "sentence_themes",
                      "article_themes", "article_signatures"):
            con.execute(f"""
                INSERT INTO {table}
                SELECT t.* REPLACE (article_id || '-' || copy AS article_id)
                FROM copies, {table} AS t ORDER BY copy, t.article_id""")  # noqa: S608
        con.execute("""
            INSERT INTO events
            SELECT e.* REPLACE (
                article_id || '-' || copy AS article_id, event_id || '-' || copy AS event_id,
                CASE WHEN copy % $every = 0 AND event_type IN ('first_held', 'founded', 'proposed')
                     THEN year + 1 ELSE year END AS year,
                CASE WHEN copy % $every = 0 AND event_type IN ('first_held', 'founded', 'proposed')
                     THEN end_year + 1 ELSE end_year END AS end_year)
            FROM copies, events AS e ORDER BY copy, e.article_id""", {"every": perturb_every})
        con.execute("""
            INSERT INTO memberships
            SELECT m.* REPLACE (
                article_id || '-' || copy AS article_id,
                membership_id || '-' || copy AS membership_id,
                CASE WHEN copy % $every = 0 THEN count + 1 ELSE count END AS count)
            FROM copies, memberships AS m ORDER BY copy, m.article_id""",
                    {"every": perturb_every})
        marts.build_marts(con)  # as a build does before it is sealed
        build_id = f"scaled-x{copies}"
        con.execute("UPDATE etl_runs SET run_id = ?, articles_loaded = "
                    "(SELECT count(*) FROM articles) WHERE run_id = "
                    "(SELECT value FROM warehouse_info WHERE key = 'build_id')", [build_id])
        con.execute("UPDATE warehouse_info SET value = ? WHERE key = 'build_id'", [build_id])
        con.execute("CHECKPOINT")
    partial.replace(target)
    return time.perf_counter() - started


def warehouse_path(requested: str | None, workdir: Path) -> Path:
    """The warehouse to measure: the one asked for, the configured one, or a fresh build."""
    if requested:
        return Path(requested)
    configured = Path(os.environ.get("IM_DB_PATH", PROJECT_ROOT / "data" / "warehouse.duckdb"))
    if configured.exists():
        return configured
    import dataclasses

    from etl import pipeline
    from etl.settings import Settings

    target = workdir / "warehouse.duckdb"
    print(f"No warehouse at {configured}; building one from data/articles into {target}")
    pipeline.build_warehouse(dataclasses.replace(
        Settings(), articles_dir=PROJECT_ROOT / "data" / "articles", db_path=target,
        reference_dir=PROJECT_ROOT / "data" / "reference"))
    return target


# --- queries ---------------------------------------------------------------------------------


@contextmanager
def dashboard_connection(db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection opened as the dashboard opens one (read-only, its cursor settings)."""
    from dashboard import data

    database = duckdb.connect(":memory:")
    try:
        database.execute("ATTACH ? AS warehouse (READ_ONLY)", [str(db)])
        database.execute("USE warehouse")
        for setting in data.CURSOR_SETTINGS:
            database.execute(setting)
        yield database
    finally:
        database.close()


def query_calls(con: duckdb.DuckDBPyConnection) -> dict[str, Callable[[Any], object]]:
    """Every example of every registered query, as a call of the filters (name -> call)."""
    from dashboard import queries

    samples = queries.Samples.from_warehouse(con)
    calls: dict[str, Callable[[Any], object]] = {}
    for entry in queries.QUERIES.values():
        for name, args in entry.calls(samples).items():
            if entry.filtered:
                calls[name] = lambda f, q=entry.function, a=args: q(con, f, *a)
            else:
                calls[name] = lambda f, q=entry.function, a=args: q(con, *a)
    return calls


def query_functions() -> set[str]:
    """The registered query functions (`dashboard.queries.QUERIES`)."""
    from dashboard import queries

    return set(queries.QUERIES)


def query_timings(con: duckdb.DuckDBPyConnection, runs: int) -> dict[str, dict[str, Any]]:
    """p50/p95 per query, unfiltered and with the typical filter (`runs` each, after a warm-up
    run that also gives the row count)."""
    from dashboard.filters import Filters

    results: dict[str, dict[str, Any]] = {}
    for name, call in query_calls(con).items():
        entry: dict[str, Any] = {}
        try:
            call(Filters())
        except duckdb.Error as exc:  # e.g. a search index older than the search code
            results[name] = {"error": str(exc).splitlines()[0], "verdict": "ERROR"}
            continue
        for label, filters in (("unfiltered", Filters()), ("filtered", typical_filters())):
            result = call(filters)
            samples = []
            for _ in range(runs):
                started = time.perf_counter()
                call(filters)
                samples.append((time.perf_counter() - started) * 1000)
            latency = _latency(samples)
            entry[f"{label}_p50_ms"] = latency["p50_ms"]
            entry[f"{label}_p95_ms"] = latency["p95_ms"]
            entry[f"{label}_rows"] = len(result) if hasattr(result, "__len__") else 1
        entry["p95_ms"] = max(entry["unfiltered_p95_ms"], entry["filtered_p95_ms"])
        entry["verdict"] = verdict(entry["p95_ms"], QUERY_TARGET_MS)
        results[name] = entry
    return results


# --- the first visit after a build ----------------------------------------------------------


def first_visit(page: str = "overview", rounds: int = 3) -> dict[str, Any]:
    """Seconds of a page's first run right after a build (no warehouse open in the process, no
    result cached) and of a later visit (warehouse open, no result cached), median of `rounds`
    alternating rounds; `extra_ms` is what the first visit costs more."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    def visit(reopen: bool) -> float:
        if reopen:
            st.cache_resource.clear()
        st.cache_data.clear()
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.switch_page(f"app_pages/{page}.py")
        started = time.perf_counter()
        at.run()
        elapsed = (time.perf_counter() - started) * 1000
        if at.exception:
            raise RuntimeError(f"{page} failed: {at.exception[0].value}")
        return elapsed

    visit(reopen=True)  # imports and Streamlit's own first-run work, not the warehouse's
    first, later = [], []
    for _ in range(rounds):
        first.append(visit(reopen=True))
        later.append(visit(reopen=False))
    first_ms, later_ms = statistics.median(first), statistics.median(later)
    return {"page": page, "first_visit_ms": round(first_ms, 1),
            "later_visit_ms": round(later_ms, 1), "extra_ms": round(first_ms - later_ms, 1),
            "ratio": round(first_ms / later_ms, 2)}


# --- page reruns and payloads ----------------------------------------------------------------


def _payload(at: Any) -> dict[str, int]:
    sizes = [len(element.proto.spec.encode("utf-8")) for element in at.get("plotly_chart")]
    return {"charts": len(sizes), "max_bytes": max(sizes, default=0), "total_bytes": sum(sizes)}


def page_reruns(page: str, params: dict[str, str], reruns: int) -> dict[str, Any]:
    """Cold and warm rerun times of `page` after a change of the year filters, its first run,
    the bytes it sends (all elements: on the first visit, and the most after a filter change)
    and of those the Plotly JSON (the largest over its runs)."""
    from streamlit.testing.v1 import AppTest

    from dashboard.data import filter_options

    at = AppTest.from_file(str(APP), default_timeout=600)
    at.query_params.update(params)
    at.switch_page(f"app_pages/{page}.py")
    started = time.perf_counter()
    at.run()
    first_ms = (time.perf_counter() - started) * 1000
    if at.exception:
        raise RuntimeError(f"{page} failed: {at.exception[0].value}")
    payload = _payload(at)
    visit_bytes, rerun_bytes = payload_bytes(at), 0
    options = filter_options()
    low, high = options.published_years or (2000, 2025)
    event_low, event_high = options.event_years or (2000, 2025)
    ranges = ([(low, y) for y in range(low + 1, high + 1)]
              + [(y, high) for y in range(low + 1, high)]) or [(low, high)]
    # every cold rerun gets a (publication, event) year combination not seen before, so each
    # query misses the cache; the event range narrows from below one year per lap
    combos = [(ranges[i % len(ranges)], (min(event_low + i // len(ranges), event_high - 1),
                                         event_high)) for i in range(reruns)]

    sliders = {widget.key for widget in at.slider}

    def rerun(published: tuple[int, int], events: tuple[int, int]) -> float:
        nonlocal rerun_bytes
        # a warehouse of one publication (or event) year has no slider for it
        if "filter_published_years" in sliders:
            at.slider(key="filter_published_years").set_value(published)
        if "filter_event_years" in sliders:
            at.slider(key="filter_event_years").set_value(events)
        started = time.perf_counter()
        at.run()
        elapsed = (time.perf_counter() - started) * 1000
        if at.exception:
            raise RuntimeError(f"{page} failed: {at.exception[0].value}")
        size = _payload(at)
        if size["total_bytes"] > payload["total_bytes"]:
            payload.update(size)
        rerun_bytes = max(rerun_bytes, payload_bytes(at))
        return elapsed

    cold = [rerun(published, events) for published, events in combos]
    warm = [rerun(*combos[i % 2]) for i in range(reruns)]
    cold_latency, warm_latency = _latency(cold), _latency(warm)
    return {
        "first_run_ms": round(first_ms, 1),
        "cold_p50_ms": cold_latency["p50_ms"], "cold_p95_ms": cold_latency["p95_ms"],
        "warm_p50_ms": warm_latency["p50_ms"], "warm_p95_ms": warm_latency["p95_ms"],
        "verdict": verdict(cold_latency["p95_ms"], RERUN_TARGET_MS),
        "payload_charts": payload["charts"], "payload_max_bytes": payload["max_bytes"],
        "payload_total_bytes": payload["total_bytes"],
        "payload_bytes": visit_bytes, "payload_rerun_max_bytes": rerun_bytes,
        "payload_verdict": payload_verdict(max(visit_bytes, rerun_bytes)),
    }


# --- the naive way: whole tables into pandas, then filter and aggregate ---------------------

# the tables each page's data needs (mentions also whenever an initiative filter is set)
NAIVE_TABLES = {
    "overview": ("articles", "stories", "events", "mentions", "article_themes", "initiatives",
                 "themes"),
    "timeline": ("articles", "stories", "events", "article_themes", "initiatives"),
    "membership": ("articles", "stories", "memberships", "events", "article_themes",
                   "membership_reference"),
    "topics": ("articles", "stories", "events", "article_themes", "mentions",
               "sentence_themes", "initiatives", "themes"),
}


def naive_load(con: duckdb.DuckDBPyConnection, page: str, filters: Any) -> dict[str, pd.DataFrame]:
    """Every table the page needs, whole (`SELECT * FROM table`), as pandas frames (the facts
    as the dashboard reads them: with analysts' corrections applied)."""
    tables = list(NAIVE_TABLES[page])
    if filters.initiatives and "mentions" not in tables:
        tables.append("mentions")
    curated = {"events": "curated_events", "memberships": "curated_memberships"}
    return {table: con.execute(
                f"SELECT * FROM {curated.get(table, table)}").df()  # noqa: S608 (constants)
            for table in tables}


def _naive_articles(t: dict[str, pd.DataFrame], f: Any) -> pd.DataFrame:
    """Articles passing the article filters (publication years, outlets, themes, initiatives):
    the articles whose membership figures count, whatever their events. Counting by story (the
    default) keeps each story's canonical article only: a text republished by several outlets
    counts once."""
    articles = t["articles"]
    keep = pd.Series(True, index=articles.index)
    if not f.by_article:
        stories = t["stories"]
        keep &= articles["article_id"].isin(stories.loc[stories["is_canonical"], "article_id"])
    if f.published_years:
        keep &= articles["published"].dt.year.between(*f.published_years)
    if f.outlets:
        keep &= articles["outlet"].isin(f.outlets)
    if f.themes:
        themed = t["article_themes"].loc[t["article_themes"]["theme"].isin(f.themes),
                                         "article_id"]
        keep &= articles["article_id"].isin(themed)
    if f.initiatives:
        named = t["mentions"].loc[t["mentions"]["initiative_id"].isin(f.initiatives),
                                  "article_id"]
        keep &= articles["article_id"].isin(named)
    return articles[keep]


def _naive_view(t: dict[str, pd.DataFrame], f: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(articles in view, events in view) by the dashboard's filter rules, in pandas: with event
    years or types set, an article is in view only when it reports a matching event."""
    chosen, events = _naive_articles(t, f), t["events"]
    facts = events["article_id"].isin(chosen["article_id"])
    if f.initiatives:
        facts &= events["initiative_id"].isin(f.initiatives)
    if f.event_types:
        facts &= events["event_type"].isin(f.event_types)
    if f.event_years:
        low, high = f.event_years
        facts &= (events["end_year"].fillna(events["year"]) >= low) & (events["year"] <= high)
    in_view = events[facts]
    if f.filters_facts:
        chosen = chosen[chosen["article_id"].isin(in_view["article_id"])]
    return chosen, in_view


def _naive_marker_dates(events: pd.DataFrame) -> pd.Series:
    """Marker dates as the dashboard places them (mid-month, mid-year for partial dates)."""
    month = events["month"].fillna(7).astype(int)
    day = events["day"].where(events["day"].notna(),
                              events["month"].notna().map({True: 15, False: 1})).astype(int)
    return pd.to_datetime(pd.DataFrame({"year": events["year"].astype(int), "month": month,
                                        "day": day}), errors="coerce")


def _naive_theme_frequency(t: dict[str, pd.DataFrame], articles: pd.DataFrame, f: Any
                           ) -> pd.DataFrame:
    themes = t["article_themes"]
    themes = themes[themes["article_id"].isin(articles["article_id"]) & (themes["hits"] > 0)]
    if f.themes:
        themes = themes[themes["theme"].isin(f.themes)]
    counted = themes.groupby("theme").agg(articles=("article_id", "size"), hits=("hits", "sum"))
    counted["per_1000_words"] = 1000 * counted["hits"] / articles["word_count"].sum()
    return counted.sort_values("per_1000_words", ascending=False)


def naive_compute(page: str, t: dict[str, pd.DataFrame], f: Any) -> dict[str, Any]:
    """The page's data from whole frames, vectorised; returns the figures the check compares."""
    articles, events = _naive_view(t, f)
    if page == "overview":
        mentions = t["mentions"][t["mentions"]["article_id"].isin(articles["article_id"])]
        if f.initiatives:
            mentions = mentions[mentions["initiative_id"].isin(f.initiatives)]
        per_year = events.groupby(["year", "initiative_id"]).size()
        frequency = _naive_theme_frequency(t, articles, f)
        outlets = articles["outlet"].fillna("unknown outlet").value_counts()
        return {"articles": len(articles), "events": len(events),
                "initiatives": int(mentions["initiative_id"].nunique()),
                "words": int(articles["word_count"].sum()),
                "per_year_events": int(per_year.sum()),
                "theme_hits": int(frequency["hits"].sum()), "outlet_articles": int(outlets.sum())}
    if page == "timeline":
        events = events.assign(marker_date=_naive_marker_dates(events))
        cells = events.groupby(["initiative_id", "event_type", "year"]).agg(
            events=("event_id", "size"), articles=("article_id", "nunique"),
            first_date=("marker_date", "min"), last_date=("marker_date", "max"),
            example_event_id=("event_id", "first"))
        cells = cells.join(t["initiatives"].set_index("initiative_id")[["name", "category"]])
        examples = events.set_index("event_id").loc[cells["example_event_id"], "sentence"]
        reporting = articles[articles["article_id"].isin(events["article_id"])]
        return {"cells": len(cells), "events": int(cells["events"].sum()),
                "examples": len(examples),
                "source_articles": int(reporting["outlet"].fillna("?").value_counts().sum())}
    if page == "membership":
        # a figure counts when its article passes the article filters: event years select
        # figures by their own year, not articles by their events (docs/dashboard.md)
        figures = t["memberships"]
        keep = figures["article_id"].isin(_naive_articles(t, f)["article_id"])
        if f.initiatives:
            keep &= figures["initiative_id"].isin(f.initiatives)
        if f.event_years:
            keep &= figures["year"].between(*f.event_years)
        figures = figures[keep]
        cica = figures[(figures["initiative_id"] == "CICA") & (figures["kind"] == "member_states")]
        points = cica[cica["year"].notna()].groupby(["year", "count"]).agg(
            reports=("membership_id", "size"), articles=("article_id", "nunique"))
        reference = t["membership_reference"]
        points = points.reset_index().merge(
            reference[reference["initiative_id"] == "CICA"][["year", "member_count"]],
            on="year", how="left")
        milestones = events[(events["initiative_id"] == "CICA")
                            & events["event_type"].isin(["first_held", "held", "joined"])]
        marks = milestones.groupby(["event_type", "year"]).size()
        return {"points": len(points), "reports": int(points["reports"].sum()),
                "milestones": len(marks), "milestone_reports": int(marks.sum())}
    # topics
    frequency = _naive_theme_frequency(t, articles, f)
    dated = articles[articles["published"].notna()].assign(
        year=articles["published"].dt.year)
    themed = t["article_themes"].merge(dated[["article_id", "year"]], on="article_id")
    if f.themes:
        themed = themed[themed["theme"].isin(f.themes)]
    by_year = themed.groupby(["year", "theme"])["hits"].sum()
    mentions = t["mentions"]
    mentions = mentions[mentions["article_id"].isin(articles["article_id"])]
    if f.initiatives:
        mentions = mentions[mentions["initiative_id"].isin(f.initiatives)]
    sentence_themes = t["sentence_themes"]
    sentence_themes = sentence_themes[sentence_themes["article_id"].isin(articles["article_id"])]
    if f.themes:
        sentence_themes = sentence_themes[sentence_themes["theme"].isin(f.themes)]
    pairs = (mentions[["article_id", "sentence_no", "initiative_id"]].drop_duplicates()
             .merge(sentence_themes[["article_id", "sentence_no", "theme"]].drop_duplicates(),
                    on=["article_id", "sentence_no"]))
    by_initiative = pairs.groupby(["initiative_id", "theme"]).agg(
        sentences=("sentence_no", "size"), articles=("article_id", "nunique"))
    return {"theme_hits": int(frequency["hits"].sum()), "year_cells": len(by_year),
            "pairs": len(by_initiative), "pair_sentences": int(by_initiative["sentences"].sum())}


def dashboard_page_data(con: duckdb.DuckDBPyConnection, page: str, f: Any) -> dict[str, Any]:
    """The same page data through the dashboard's queries; returns the figures to compare."""
    from dashboard import queries

    if page == "overview":
        head = queries.headline_figures(con, f).iloc[0]
        per_year = queries.events_per_year(con, f)
        frequency = queries.theme_frequency(con, f)
        outlets = queries.source_summary(con, f)
        return {"articles": int(head["articles"]), "events": int(head["events"]),
                "initiatives": int(head["initiatives"]), "words": int(head["words"]),
                "per_year_events": int(per_year["events"].sum()),
                "theme_hits": int(frequency["hits"].sum()),
                "outlet_articles": int(outlets["articles"].sum())}
    if page == "timeline":
        cells = queries.timeline_cells(con, f)
        sources = queries.event_sources(con, f)
        return {"cells": len(cells), "events": int(cells["events"].sum()),
                "examples": int(cells["sentence"].notna().sum()),
                "source_articles": int(sources["articles"].sum())}
    if page == "membership":
        points = queries.membership_points(con, f, "CICA", "member_states")
        queries.membership_reference_series(con, f, "CICA")
        marks = queries.membership_milestones(con, f, "CICA")
        return {"points": len(points), "reports": int(points["reports"].sum()),
                "milestones": len(marks), "milestone_reports": int(marks["reports"].sum())}
    frequency = queries.theme_frequency(con, f)
    by_year = queries.theme_by_year(con, f)
    pairs = queries.themes_by_initiative(con, f)
    return {"theme_hits": int(frequency["hits"].sum()),
            "year_cells": int((by_year["hits"] > 0).sum()), "pairs": len(pairs),
            "pair_sentences": int(pairs["sentences"].sum())}


def naive_comparison(con: duckdb.DuckDBPyConnection, runs: int) -> dict[str, dict[str, Any]]:
    """Per page and filter: naive load+compute, compute only, the dashboard's queries, ratios."""
    from dashboard.filters import Filters

    results: dict[str, dict[str, Any]] = {}
    for page in NAIVE_TABLES:
        for label, filters in (("unfiltered", Filters()), ("filtered", typical_filters())):
            load, compute, duck = [], [], []
            agree = True
            for _ in range(runs):
                started = time.perf_counter()
                frames = naive_load(con, page, filters)
                loaded = time.perf_counter()
                naive = naive_compute(page, frames, filters)
                done = time.perf_counter()
                load.append((loaded - started) * 1000)
                compute.append((done - loaded) * 1000)
                del frames
                started = time.perf_counter()
                ours = dashboard_page_data(con, page, filters)
                duck.append((time.perf_counter() - started) * 1000)
                agree = agree and naive == ours
                if naive != ours:
                    print(f"  naive {page} {label} differs: {naive} vs {ours}")
            total = [a + b for a, b in zip(load, compute, strict=True)]
            duck_ms = statistics.median(duck)
            results[f"{page} ({label})"] = {
                "naive_load_compute_p50_ms": round(statistics.median(total), 1),
                "naive_compute_p50_ms": round(statistics.median(compute), 1),
                "duckdb_p50_ms": round(duck_ms, 1),
                "ratio_load_compute": round(statistics.median(total) / duck_ms, 1),
                "ratio_compute_only": round(statistics.median(compute) / duck_ms, 1),
                "same_results": agree,
            }
    return results


# --- the whole run ---------------------------------------------------------------------------


def run(db_path: Path | str, reruns: int = 15, query_runs: int = 40, naive_runs: int = 3,
        log: Log = print, visit_rounds: int = 3) -> dict[str, Any]:
    """Measure the dashboard on the warehouse at `db_path`; print a table, return the figures.

    Times in milliseconds; latencies as `*_p50_ms` / `*_p95_ms`. Targets: every query's p95
    at most 50 ms, every page's cold rerun p95 under 500 ms.
    """
    sys.path.insert(0, str(PROJECT_ROOT))
    db = Path(db_path)
    os.environ["IM_DB_PATH"] = str(db)
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    log(f"Warehouse: {db} ({articles:,} articles; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f})")
    results: dict[str, Any] = {"warehouse": str(db), "articles": articles,
                               "cores": os.cpu_count(),
                               "load_average_start": round(os.getloadavg()[0], 1),
                               "targets": {"query_p95_ms": QUERY_TARGET_MS,
                                           "page_rerun_ms": RERUN_TARGET_MS,
                                           "payload_bytes": PAYLOAD_TARGET_BYTES}}
    visit = first_visit(rounds=visit_rounds)
    results["first_visit"] = visit
    log(f"\nOverview right after a build {visit['first_visit_ms']:.0f} ms, on a later visit "
        f"{visit['later_visit_ms']:.0f} ms (no result cached either time): "
        f"{visit['extra_ms']:+.0f} ms, x{visit['ratio']:.2f}")
    with dashboard_connection(db) as con:
        timings = query_timings(con, query_runs)
        results["queries"] = timings
        unmeasured = sorted(query_functions() - {name.split(" ")[0] for name in timings})
        results["queries_not_measured"] = unmeasured
        log(f"\n{'query (p50 / p95 ms)':<44}{'unfiltered':>16}{'filtered':>16}  "
            f"target p95 < {QUERY_TARGET_MS:.0f} ms")
        for name, entry in timings.items():
            if "error" in entry:
                log(f"{name[:43]:<44}{'ERROR':>16}  {entry['error'][:60]}")
                continue
            log(f"{name[:43]:<44}{entry['unfiltered_p50_ms']:>7.1f} /"
                f"{entry['unfiltered_p95_ms']:>7.1f}{entry['filtered_p50_ms']:>7.1f} /"
                f"{entry['filtered_p95_ms']:>7.1f}  {entry['verdict']}")
        if unmeasured:
            log(f"not measured: {', '.join(unmeasured)}")
        log(f"\n{'page rerun after a filter change':<34}{'first':>8}{'cold p50':>10}"
            f"{'cold p95':>10}{'warm p50':>10}{'warm p95':>10}{'charts':>8}{'max KB':>8}"
            f"{'total KB':>9}{'page KB':>9}{'rerun KB':>9}  target cold p95 < "
            f"{RERUN_TARGET_MS:.0f} ms, page <= {PAYLOAD_TARGET_BYTES // 1024} KB")
        results["pages"] = {}
        for page, params in PAGES.items():
            try:
                entry = page_reruns(page, params, reruns)
            except RuntimeError as exc:  # e.g. a search index older than the search code
                results["pages"][page] = {"error": str(exc).splitlines()[0], "verdict": "ERROR"}
                log(f"{page:<34}{'ERROR':>8}  {str(exc).splitlines()[0][:80]}")
                continue
            results["pages"][page] = entry
            log(f"{page:<34}{entry['first_run_ms']:>8.0f}{entry['cold_p50_ms']:>10.0f}"
                f"{entry['cold_p95_ms']:>10.0f}{entry['warm_p50_ms']:>10.0f}"
                f"{entry['warm_p95_ms']:>10.0f}{entry['payload_charts']:>8}"
                f"{entry['payload_max_bytes'] / 1024:>8.1f}"
                f"{entry['payload_total_bytes'] / 1024:>9.1f}"
                f"{entry['payload_bytes'] / 1024:>9.1f}"
                f"{entry['payload_rerun_max_bytes'] / 1024:>9.1f}  {entry['verdict']}, "
                f"payload {entry['payload_verdict']}")
        if naive_runs:  # last: its whole tables would weigh on the other measurements
            log(f"\nNaive pandas vs the dashboard's queries (p50 ms, {naive_runs} runs; naive "
                "= SELECT * of each table the page needs, then pandas)")
            log(f"{'page data':<28}{'naive load+compute':>20}{'compute only':>14}"
                f"{'duckdb':>9}{'ratio':>8}{'ratio (compute)':>17}  same")
            naive = naive_comparison(con, naive_runs)
            results["naive"] = naive
            results["cross_check_agrees"] = all(e["same_results"] for e in naive.values())
            for name, entry in naive.items():
                log(f"{name:<28}{entry['naive_load_compute_p50_ms']:>20.0f}"
                    f"{entry['naive_compute_p50_ms']:>14.0f}{entry['duckdb_p50_ms']:>9.1f}"
                    f"{entry['ratio_load_compute']:>7.0f}x"
                    f"{entry['ratio_compute_only']:>16.1f}x"
                    f"  {'yes' if entry['same_results'] else 'NO'}")
            gc.collect()
    results["load_average_end"] = round(os.getloadavg()[0], 1)
    query_misses = [n for n, e in results["queries"].items() if e["verdict"] != "ok"]
    page_misses = [n for n, e in results["pages"].items() if e["verdict"] != "ok"]
    payload_misses = [f"{n} payload" for n, e in results["pages"].items()
                      if e.get("payload_verdict", "ok") != "ok"]
    results["query_p95_max_ms"] = max(e.get("p95_ms", 0.0) for e in results["queries"].values())
    results["page_rerun_cold_p95_max_ms"] = max(e.get("cold_p95_ms", 0.0)
                                                for e in results["pages"].values())
    results["payload_max_bytes"] = max(
        (max(e.get("payload_bytes", 0), e.get("payload_rerun_max_bytes", 0))
         for e in results["pages"].values()), default=0)
    results["meets_targets"] = not query_misses and not page_misses and not payload_misses
    log(f"\nSlowest query p95 {results['query_p95_max_ms']:.0f} ms "
        f"({verdict(results['query_p95_max_ms'], QUERY_TARGET_MS)}); slowest page cold rerun "
        f"p95 {results['page_rerun_cold_p95_max_ms']:.0f} ms "
        f"({verdict(results['page_rerun_cold_p95_max_ms'], RERUN_TARGET_MS)}); largest page "
        f"payload {results['payload_max_bytes'] / 1024:.0f} KB "
        f"({payload_verdict(results['payload_max_bytes'])}).")
    if query_misses or page_misses or payload_misses:
        log(f"Missed: {', '.join(query_misses + page_misses + payload_misses)}")
    if results.get("cross_check_agrees") is False:
        log("CROSS-CHECK FAILED: the dashboard's queries and the pandas re-implementation give "
            "different page data (the differences are printed above); the figures are not "
            "comparable until one side is fixed.")
    return results


def main(argv: list[str] | None = None) -> int:
    """Measure (optionally a scaled copy); print the table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="warehouse to measure (default: IM_DB_PATH or a fresh build)")
    parser.add_argument("--reruns", type=int, default=15, help="reruns per page and kind")
    parser.add_argument("--query-runs", type=int, default=40, help="runs per query and filter")
    parser.add_argument("--naive-runs", type=int, default=3,
                        help="runs of the naive pandas comparison per page (0: skip it)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--scale", type=int, default=0,
                        help="first write a copy holding every article this many times")
    parser.add_argument("--scaled-db", type=Path, default=Path("/tmp/scale/warehouse.duckdb"),
                        help="where --scale writes its copy (about 400 MB for 20000)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))
    with tempfile.TemporaryDirectory() as workdir:
        db = warehouse_path(args.db, Path(workdir))
        if args.scale > 1:
            args.scaled_db.parent.mkdir(parents=True, exist_ok=True)
            seconds = scaled_warehouse(db, args.scaled_db, args.scale)
            print(f"Wrote {args.scaled_db}: every article x{args.scale} ({seconds:.0f} s)")
            db = args.scaled_db
        results = run(db, reruns=args.reruns, query_runs=args.query_runs,
                      naive_runs=args.naive_runs)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    return 0 if results["meets_targets"] and results.get("cross_check_agrees") is not False else 1


if __name__ == "__main__":
    sys.exit(main())
