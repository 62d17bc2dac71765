"""The scale benchmark behind `make bench`: ETL at several corpus sizes, then the dashboard.

    python -m benchmarks [--scales 1000,10000,100000] [--seed 7] [--workdir DIR]
                         [--out benchmarks/results] [--skip-load] [--skip-browser] [--quick]

For each scale it generates a synthetic corpus (`benchmarks.corpus`), times a full build and a
+1% incremental build with peak memory and warehouse size, and scores extraction against the
generated truth (`benchmarks.etl_bench`). On the largest warehouse it then times every dashboard
query and each page's rerun after a filter change, measures chart payloads and the same page data
done naively in pandas (`benchmarks.dashboard_bench`), and runs the loopback load test with a
rebuild in the middle (`benchmarks.load`), and times an analyst's correction from the click to
the chart (`benchmarks.corrections_bench`, on a copy of that warehouse), and measures what the
analyst feels in headless Chromium: each page's first chart cold and warm, a filter change, and
the data received over the websocket (`benchmarks.browser_bench`). It prints a table with
each target and writes every figure as JSON to `--out` (`scale-<largest>.json`; times in
milliseconds, latencies as `_p50_ms` and `_p95_ms`). It also compares the project's search
engine with tantivy and SQLite FTS5 on the largest warehouse's sentences (speed, build, size:
`benchmarks.search_engines`) and on a judged corpus (nDCG@10: `benchmarks.search_quality`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks import etl_bench

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOAD_NEW_ARTICLES = 20  # a small corpus of another seed: the articles the load test adds
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"

# Targets of the scale issue, on a 2-core machine at 100,000 articles.
TARGETS = {
    "full_articles_per_s": (">=", 400.0),
    "full_peak_rss_mb": ("<=", 1500.0),
    "incremental_build_ms": ("<=", 10000.0),  # +1% new articles
    "noop_build_ms": ("<=", 2000.0),  # nothing new
    # the larger of the +1% and re-timed +1% builds' peaks over the full build's
    "incremental_peak_share": ("<=", 1.0),
    "query_p95_ms": ("<=", 50.0),  # every query, with and without filters
    "page_rerun_ms": ("<", 500.0),
    "page_payload_kb": ("<=", 150.0),  # every element a visit sends (AppTest)
    "warm_first_chart_ms": ("<=", 1000.0),  # a new tab on a warm server, in Chromium
    "filter_change_ms": ("<=", 500.0),  # key press to the chart drawn again, in Chromium
    "page_data_kb": ("<=", 150.0),  # websocket bytes per visit or filter change, in Chromium
}
# the page each figure of the summary is worst on, by figure
WHERE = {"query_p95_ms": "slowest_query", "page_rerun_ms": "slowest_page",
         "page_payload_kb": "heaviest_page", "cold_first_chart_ms": "slowest_cold_first_chart",
         "warm_first_chart_ms": "slowest_first_chart",
         "filter_change_ms": "slowest_filter_change", "page_data_kb": "heaviest_page_data"}
BROWSER_QUICK_PAGES = ("overview", "disagreements")  # --quick: a page with charts, one without


def verdict(name: str, value: float) -> str:
    """'ok' or how far a figure misses its target ('MISS by 23%')."""
    op, target = TARGETS[name]
    met = {">=": value >= target, "<=": value <= target, "<": value < target}[op]
    if met:
        return "ok"
    gap = (target - value) / target if op == ">=" else (value - target) / target
    return f"MISS by {gap:.0%}"


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def print_etl(rows: list[dict[str, Any]]) -> None:
    print("\nETL (full build from nothing, then incrementally: +1% new files, nothing new, "
          "+1% after every file was re-timed, 1% of older files edited)")
    header = (f"{'articles':>9} {'MB in':>7} {'full s':>7} {'art/s':>7} {'MB/s':>6} "
              f"{'peak MB':>8} {'db MB':>7} {'+1% s':>6} {'+1% peak':>8} {'no-op s':>7} "
              f"{'re-timed s':>10} {'edited s':>8} {'edited peak':>11} "
              f"{'events P/R':>11} {'members P/R':>12}")
    print(header)
    for row in rows:
        acc = row["accuracy"]
        print(f"{row['articles']:>9,} {row['input_mb']:>7,.0f} {row['full_build_ms'] / 1000:>7.1f} "
              f"{row['full_articles_per_s']:>7.0f} {row['full_mb_per_s']:>6.1f} "
              f"{row['full_peak_rss_mb']:>8,} {row['warehouse_mb']:>7,.0f} "
              f"{row['incremental_build_ms'] / 1000:>6.1f} {row['incremental_peak_rss_mb']:>8,} "
              f"{row['noop_build_ms'] / 1000:>7.1f} {row['retimed_build_ms'] / 1000:>10.1f} "
              f"{row['edited_build_ms'] / 1000:>8.1f} {row['edited_peak_rss_mb']:>11,} "
              f"{acc['events']['precision']:>5.2f}/{acc['events']['recall']:<5.2f} "
              f"{acc['memberships']['precision']:>6.2f}/{acc['memberships']['recall']:<5.2f}")
    top = rows[-1]
    print(f"targets at {top['articles']:,}: >=400 articles/s "
          f"[{verdict('full_articles_per_s', top['full_articles_per_s'])}], peak <= 1.5 GB "
          f"[{verdict('full_peak_rss_mb', top['full_peak_rss_mb'])}], +1% build <= 10 s "
          f"[{verdict('incremental_build_ms', top['incremental_build_ms'])}], no-op <= 2 s "
          f"[{verdict('noop_build_ms', top['noop_build_ms'])}]")


def incremental_peak_share(row: dict[str, Any]) -> float:
    """The peak memory of the largest of a row's incremental builds (+1%, re-timed +1%, 1% of
    older files edited) over its full build's: an incremental build should never need more
    than a full one."""
    incremental = max(row["incremental_peak_rss_mb"], row["retimed_peak_rss_mb"],
                      row.get("edited_peak_rss_mb", 0))
    return round(incremental / max(row["full_peak_rss_mb"], 1), 2)


def summary(results: dict[str, Any]) -> dict[str, Any]:
    """The headline figures at the largest scale, each with its target's verdict; printed."""
    top = results["etl"][-1]
    rows: dict[str, Any] = {
        "full_articles_per_s": top["full_articles_per_s"],
        "full_peak_rss_mb": top["full_peak_rss_mb"],
        "incremental_build_ms": top["incremental_build_ms"],
        "noop_build_ms": top["noop_build_ms"],
        "retimed_build_ms": top["retimed_build_ms"],
        "edited_build_ms": top.get("edited_build_ms"),
        # what the edited build's summary said instead of applying the edits on the spare
        "edited_build_notes": top.get("edited_notes", []),
        "incremental_peak_share": incremental_peak_share(top),
    }
    dashboard = results.get("dashboard") or {}
    queries = [(entry.get("p95_ms"), name) for name, entry in
               (dashboard.get("queries") or {}).items() if entry.get("p95_ms") is not None]
    if queries:
        rows["query_p95_ms"], rows["slowest_query"] = max(queries)
    pages = [(entry.get("cold_p95_ms"), name) for name, entry in
             (dashboard.get("pages") or {}).items() if entry.get("cold_p95_ms") is not None]
    if pages:
        rows["page_rerun_ms"], rows["slowest_page"] = max(pages)
    payloads = [(max(entry.get("payload_bytes", 0), entry.get("payload_rerun_max_bytes", 0))
                 / 1024, name) for name, entry in (dashboard.get("pages") or {}).items()
                if "payload_bytes" in entry]
    if payloads:
        kb, rows["heaviest_page"] = max(payloads)
        rows["page_payload_kb"] = round(kb, 1)
    rows.update(browser_rows(results.get("browser") or {}))
    rows.update(search_rows(results))
    print(f"\nTargets at {top['articles']:,} articles")
    for name in TARGETS:
        if name in rows:
            where = f" ({rows[WHERE[name]]})" if name in WHERE else ""
            rows[f"{name}_verdict"] = verdict(name, float(rows[name]))
            places = 2 if abs(float(rows[name])) < 10 else 1  # a share shows its hundredths
            print(f"  {name:<24}{rows[name]:>10,.{places}f}{where:<28} target {TARGETS[name][0]} "
                  f"{TARGETS[name][1]:g}: {rows[f'{name}_verdict']}")
    if "cold_first_chart_ms" in rows:
        print(f"  {'cold_first_chart_ms':<24}{rows['cold_first_chart_ms']:>10,.1f}"
              f"{' (' + rows['slowest_cold_first_chart'] + ')':<28} the first tab after a "
              "server start (no target)")
    corrections = results.get("corrections")
    if corrections:
        rows["confirm_to_chart_ms"] = corrections["confirm_to_chart_max_ms"]
        rows["confirm_to_chart_verdict"] = corrections["verdict"]
        print(f"  {'confirm_to_chart_ms':<24}{rows['confirm_to_chart_ms']:>10,.1f}"
              f"{'':<28} target < {corrections['target_ms']:g}: {corrections['verdict']}")
    load = results.get("load")
    if load:
        rows["load_rerun_p95_ms"] = load.get("rerun_p95_ms")
        rows["load_errors"] = len(load.get("errors") or [])
        print(f"  load test: {load.get('sessions', '?')} sessions, rerun p95 "
              f"{load.get('rerun_p95_ms')} ms, errors {rows['load_errors']}, both builds seen: "
              f"{load.get('both_builds_seen')}")
    return rows


def search_rows(results: dict[str, Any]) -> dict[str, Any]:
    """The summary's search comparison: each engine's worst p95 and median p50 for a top 20,
    index build seconds and size, and mean nDCG@10 (benchmarks.search_engines, _quality)."""
    engines = results.get("search_engines") or {}
    quality = (results.get("search_quality") or {}).get("mean_ndcg@10") or {}
    rows: dict[str, Any] = {}
    for name in engines.get("build_seconds", {}):
        rows[f"search_{name}_worst_p95_ms"] = engines.get(f"{name}_worst_p95_ms")
        rows[f"search_{name}_median_p50_ms"] = engines.get(f"{name}_median_p50_ms")
        rows[f"search_{name}_build_s"] = engines["build_seconds"][name]
        rows[f"search_{name}_index_mb"] = engines["index_mb"][name]
        if name in quality:
            rows[f"search_{name}_ndcg@10"] = quality[name]
    if rows:
        print("  search, per engine: worst p95 / median p50 ms of a top 20, build s, index MB, "
              "nDCG@10")
        for name in engines.get("build_seconds", {}):
            print(f"    {name:<9}{rows[f'search_{name}_worst_p95_ms']:>9.1f} "
                  f"{rows[f'search_{name}_median_p50_ms']:>9.1f} "
                  f"{rows[f'search_{name}_build_s']:>8.1f} {rows[f'search_{name}_index_mb']:>8.1f} "
                  f"{rows.get(f'search_{name}_ndcg@10', float('nan')):>7.3f}")
    return rows


def browser_rows(browser: dict[str, Any]) -> dict[str, Any]:
    """The summary's browser figures: the worst page's cold and warm first chart (p50),
    filter change (p50) and data received (KB), each with the page it is worst on."""
    pages = browser.get("pages") or {}
    rows: dict[str, Any] = {}
    for figure, key in (("cold_first_chart_ms", "cold_first_chart_ms"),
                        ("warm_first_chart_ms", "warm_first_chart_p50_ms"),
                        ("filter_change_ms", "filter_change_p50_ms")):
        measured = [(entry[key], name) for name, entry in pages.items() if key in entry]
        if measured:
            rows[figure], rows[WHERE[figure]] = max(measured)
    data = [(max(entry["visit_bytes"], entry["filter_change_bytes_max"]) / 1024, name)
            for name, entry in pages.items()]
    if data:
        kb, rows[WHERE["page_data_kb"]] = max(data)
        rows["page_data_kb"] = round(kb, 1)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1000,10000,100000",
                        help="corpus sizes, comma-separated (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get(
        "IM_BENCH_DIR", "/tmp/im-bench")), help="where corpora and warehouses go")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    parser.add_argument("--skip-load", action="store_true", help="no load test")
    parser.add_argument("--skip-browser", action="store_true",
                        help="no measurements in Chromium (first chart, filter change, data)")
    parser.add_argument("--skip-search", action="store_true",
                        help="no comparison of the search engines (tantivy, SQLite FTS5)")
    parser.add_argument("--quick", action="store_true",
                        help="few repetitions (a smoke run: checks the harness, not speed)")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict[str, Any] = {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "targets": {name: f"{op} {value:g}" for name, (op, value) in TARGETS.items()},
        "etl": [],
    }
    for scale in scales:
        results["etl"].append(etl_bench.run(scale, args.seed, args.workdir))
    print_etl(results["etl"])
    largest = results["etl"][-1]
    db, articles = Path(largest["db_path"]), Path(largest["articles_dir"])

    from benchmarks import dashboard_bench

    # the naive pandas pages take seconds each at 100,000 articles: two runs keep the whole
    # benchmark inside its 15-minute budget
    reruns, query_runs, naive_runs = (1, 1, 1) if args.quick else (15, 40, 2)
    print(f"\nDashboard on the {largest['articles']:,}-article warehouse")
    results["dashboard"] = dashboard_bench.run(db, reruns=reruns, query_runs=query_runs,
                                               naive_runs=naive_runs,
                                               visit_rounds=1 if args.quick else 3)

    from benchmarks import corrections_bench

    print(f"\nCorrections on the {largest['articles']:,}-article warehouse (on a copy)")
    # two rounds at least: the first after the last build (it edited older files, so the
    # live file is copied), the next into the spare the first left
    results["corrections"] = corrections_bench.run(db, rounds=2 if args.quick else 3)

    from benchmarks import search_engines, search_quality

    if not args.skip_search:
        print(f"\nSearch engines on the {largest['articles']:,}-article warehouse's sentences")
        results["search_engines"] = search_engines.run(db, args.workdir / "search-engines",
                                                       runs=3 if args.quick else 7)
    # a corpus of its own, the same at every scale: not a harness check
    if not args.quick and not args.skip_search:
        print(f"\nSearch ranking quality (nDCG@10, {search_quality.QUALITY_ARTICLES} generated "
              "and the shipped articles)")
        results["search_quality"] = search_quality.run(args.workdir / "search-quality")

    if not args.skip_browser:
        from benchmarks import browser_bench

        print(f"\nIn Chromium on the {largest['articles']:,}-article warehouse")
        results["browser"] = browser_bench.run(
            db, rounds=1 if args.quick else 3,
            pages=BROWSER_QUICK_PAGES if args.quick else tuple(dashboard_bench.PAGES))

    if not args.skip_load:
        from benchmarks import load

        sessions, duration = (3, 20) if args.quick else (20, 60)
        fresh = etl_bench.generate(LOAD_NEW_ARTICLES, args.seed + 1,
                                   args.workdir / f"load-articles-{args.seed + 1}")
        new_files = sorted(Path(str(fresh["out"]), "articles").glob("g*.txt"))[:5]
        print(f"\nLoad: {sessions} sessions clicking filters while 'etl add' of "
              f"{len(new_files)} new articles rebuilds the {largest['articles']:,}-article "
              "warehouse")
        results["load"] = load.run(db=db, articles=articles, sessions=sessions,
                                   duration=duration, rebuild_files=new_files)
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    results["summary"] = summary(results)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"scale-{largest['articles']}.json"
    target.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(f"\nWhole benchmark: {results['total_seconds']:.0f} s. Results: {target}")
    if results["dashboard"].get("cross_check_agrees") is False:
        print("The cross-check between the dashboard's queries and pandas FAILED (see above).",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
