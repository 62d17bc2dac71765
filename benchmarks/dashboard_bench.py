"""Dashboard benchmark: server-side rerun time per page after a filter change, and query timings.

    python -m benchmarks.dashboard_bench [--db PATH] [--reruns 15] [--query-runs 50]

For each page it opens the app with Streamlit's AppTest (the same script runner the server
uses, without a browser), then changes the year filters and times the rerun:
'cold' reruns use a filter value not seen before (every query misses the cache), 'warm' ones
flip between two values already seen (the cache answers). Then it times each dashboard query
directly on a read-only connection and prints p50/p95. The target on the shipped five-article
corpus is every page rerun under 300 ms.

Without --db it uses IM_DB_PATH or data/warehouse.duckdb, building that from data/articles
with the real ETL into a temporary folder if it does not exist.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "dashboard" / "app.py"
PAGES = ("overview", "timeline", "membership", "topics", "articles")
TARGET_MS = 300.0


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0-1) of `values`, by nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


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


def page_reruns(page: str, reruns: int) -> tuple[list[float], list[float]]:
    """(cold, warm) rerun times in ms of `page` after a change of the year filters."""
    from streamlit.testing.v1 import AppTest

    from dashboard.data import filter_options

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"{page} failed: {at.exception[0].value}")
    options = filter_options()
    low, high = options.published_years or (2000, 2025)
    event_low, event_high = options.event_years or (2000, 2025)
    ranges = ([(low, y) for y in range(low + 1, high + 1)]
              + [(y, high) for y in range(low + 1, high)])
    # every cold rerun gets a (publication, event) year combination not seen before, so each
    # query misses the cache; the event range narrows from below one year per lap
    combos = [(ranges[i % len(ranges)], (min(event_low + i // len(ranges), event_high - 1),
                                         event_high)) for i in range(reruns)]
    cold: list[float] = []
    for published, events in combos:
        at.slider(key="filter_published_years").set_value(published)
        at.slider(key="filter_event_years").set_value(events)
        start = time.perf_counter()
        at.run()
        cold.append((time.perf_counter() - start) * 1000)
    warm: list[float] = []
    for i in range(reruns):
        published, events = combos[i % 2]
        at.slider(key="filter_published_years").set_value(published)
        at.slider(key="filter_event_years").set_value(events)
        start = time.perf_counter()
        at.run()
        warm.append((time.perf_counter() - start) * 1000)
    if at.exception:
        raise RuntimeError(f"{page} failed: {at.exception[0].value}")
    return cold, warm


def query_timings(db: Path, runs: int) -> dict[str, list[float]]:
    """Milliseconds per run of every dashboard query, unfiltered and with a typical filter."""
    import duckdb

    from dashboard import queries
    from dashboard.filters import Filters

    con = duckdb.connect(str(db), read_only=True)
    event_id = con.execute("SELECT min(event_id) FROM events").fetchone()[0]
    membership_id = con.execute("SELECT min(membership_id) FROM memberships").fetchone()[0]
    article_id = con.execute("SELECT min(article_id) FROM articles").fetchone()[0]
    filtered = Filters(event_years=(2002, 2023), themes=("security",))
    calls: dict[str, Callable[[Filters], object]] = {
        "headline_figures": lambda f: queries.headline_figures(con, f),
        "events_per_year": lambda f: queries.events_per_year(con, f),
        "source_summary": lambda f: queries.source_summary(con, f),
        "timeline_events": lambda f: queries.timeline_events(con, f, 2000),
        "membership_organisations": lambda f: queries.membership_organisations(con, f),
        "membership_figures": lambda f: queries.membership_figures(con, f, "CICA",
                                                                   "member_states"),
        "membership_reference_series": lambda f: queries.membership_reference_series(
            con, f, "CICA"),
        "membership_milestones": lambda f: queries.membership_milestones(con, f, "CICA"),
        "theme_frequency": lambda f: queries.theme_frequency(con, f),
        "theme_by_year": lambda f: queries.theme_by_year(con, f),
        "themes_by_initiative": lambda f: queries.themes_by_initiative(con, f),
        "article_count": lambda f: queries.article_count(con, f),
        "article_table": lambda f: queries.article_table(con, f, 50, 0),
        "event_evidence": lambda f: queries.event_evidence(con, event_id),
        "membership_evidence": lambda f: queries.membership_evidence(con, membership_id),
        "article_text": lambda f: queries.article_text(con, article_id),
        "article_highlights": lambda f: queries.article_highlights(con, article_id),
        "year_bounds": lambda f: queries.year_bounds(con),
        "build_summary": lambda f: queries.build_summary(con),
    }
    timings: dict[str, list[float]] = {}
    for name, call in calls.items():
        samples = []
        for i in range(runs):
            filters = filtered if i % 2 else Filters()
            start = time.perf_counter()
            call(filters)
            samples.append((time.perf_counter() - start) * 1000)
        timings[name] = samples
    con.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    """Print rerun times per page and p50/p95 per query; exit 1 if a page misses the target."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.dashboard_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="warehouse to measure (default: IM_DB_PATH or a fresh build)")
    parser.add_argument("--reruns", type=int, default=15, help="reruns per page and kind")
    parser.add_argument("--query-runs", type=int, default=50, help="runs per query")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))
    with tempfile.TemporaryDirectory() as workdir:
        db = warehouse_path(args.db, Path(workdir))
        os.environ["IM_DB_PATH"] = str(db)
        print(f"Warehouse: {db}  ({os.cpu_count()} cores)\n")
        print(f"{'page rerun after a filter change':<34}{'cold p50':>10}{'cold p95':>10}"
              f"{'warm p50':>10}{'warm p95':>10}   (ms)")
        worst = 0.0
        for page in PAGES:
            cold, warm = page_reruns(page, args.reruns)
            worst = max(worst, percentile(cold, 0.5))
            print(f"{page:<34}{statistics.median(cold):>10.0f}{percentile(cold, 0.95):>10.0f}"
                  f"{statistics.median(warm):>10.0f}{percentile(warm, 0.95):>10.0f}")
        print(f"\n{'query':<34}{'p50':>10}{'p95':>10}   (ms, {args.query_runs} runs, half "
              "unfiltered, half filtered)")
        for name, samples in query_timings(db, args.query_runs).items():
            print(f"{name:<34}{percentile(samples, 0.5):>10.2f}{percentile(samples, 0.95):>10.2f}")
    verdict = "meets" if worst < TARGET_MS else "MISSES"
    print(f"\nSlowest page (median cold rerun): {worst:.0f} ms, {verdict} the {TARGET_MS:.0f} ms "
          "target.")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
