"""Search benchmark: latency of the Search page's three statements, and a scaled-up corpus.

    python -m benchmarks.search_bench [--db PATH] [--runs 15] [--scale N --scaled-db PATH]

For each query in QUERIES it times, on a read-only connection, what one search costs the page:
reading the query (`search_query_terms`), the hits per year (`search_hits_per_year`) and the
first page of 20 hits (`search_sentences`), without and with filters, and prints p50/p95.

`--scale N` first writes a copy of the warehouse holding every article N times (new article
ids, publication dates spread over eight years), rebuilds its search index with the ETL's own
`build_search_index`, prints how long that took, and measures that copy: N = 20000 turns the
five shipped articles into 100,000. It is a stress test rather than a realistic corpus: every
term is exactly N times as frequent, so common words match millions of sentences.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

import duckdb

from benchmarks.dashboard_bench import percentile, warehouse_path
from dashboard import queries
from dashboard.filters import Filters
from dashboard.search_text import parse_query

QUERIES = ("biological", '"biological safety"', "iabs AND summit", "summit*",
           "security NOT cica", "international cooperation security forum", "Қазақстан")
FILTERED = Filters(themes=("security",), published_years=(2020, 2023))
PAGE_SIZE = 20


def scaled_copy(source: Path, target: Path, copies: int) -> float:
    """Write `source` with every article `copies` times into `target`; seconds the index took."""
    from etl.search_index import build_search_index

    shutil.copyfile(source, target)
    with duckdb.connect(str(target)) as con:
        for table in ("search_documents", "search_postings", "search_terms", "search_stats"):
            con.execute(f"DELETE FROM {table}")  # noqa: S608 (constant names)
        con.execute("CREATE TEMP TABLE copies AS SELECT range AS copy FROM range(1, ?)",
                    [copies])
        con.execute("""
            INSERT INTO articles
            SELECT a.* REPLACE (article_id || '-' || copy AS article_id,
                                source_file || '-' || copy AS source_file,
                                (published - INTERVAL (copy % 3000) DAY)::DATE AS published)
            FROM articles AS a, copies""")
        for table in ("sentences", "mentions", "article_themes", "events"):
            key = ", event_id || '-' || copy AS event_id" if table == "events" else ""
            con.execute(f"""
                INSERT INTO {table}
                SELECT t.* REPLACE (article_id || '-' || copy AS article_id{key})
                FROM {table} AS t, copies""")  # noqa: S608 (constant names)
        started = time.perf_counter()
        build_search_index(con)
        elapsed = time.perf_counter() - started
        con.execute("CHECKPOINT")
    return elapsed


def time_query(run: object, runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of `runs` calls of `run` (after one warm-up call)."""
    run()  # type: ignore[operator]
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95)


def measure(db: Path, runs: int) -> None:
    """Print the timings of every query in QUERIES on the warehouse at `db`."""
    with duckdb.connect(str(db), read_only=True) as con:
        (sentences,), = con.execute("SELECT sentences FROM search_stats").fetchall()
        (articles,), = con.execute("SELECT count(*) FROM articles").fetchall()
        print(f"{db}: {articles:,} articles, {sentences:,} sentences indexed")
        print("p50 ms (p95) of: reading the query, hits per year, first page, first page "
              "filtered")
        print(f"{'query':34} {'hits':>9} {'reading':>11} {'per year':>11} {'page':>11} "
              f"{'filtered':>11}")
        for text in QUERIES:
            query = parse_query(text)
            cells = [
                time_query(lambda q=query: queries.search_query_terms(con, q), runs),
                time_query(lambda q=query: queries.search_hits_per_year(con, Filters(), q), runs),
                time_query(lambda q=query: queries.search_sentences(
                    con, Filters(), q, PAGE_SIZE, 0), runs),
                time_query(lambda q=query: queries.search_sentences(
                    con, FILTERED, q, PAGE_SIZE, 0), runs),
            ]
            hits = queries.search_hits_per_year(con, Filters(), query)["hits"].sum()
            shown = " ".join(f"{f'{p50:.0f} ({p95:.0f})':>11}" for p50, p95 in cells)
            print(f"{text[:34]:34} {int(hits):>9,} {shown}")


def main() -> None:
    """Measure the configured (or given) warehouse, or a scaled copy of it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="warehouse to measure (default: IM_DB_PATH or a fresh build)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale", type=int, default=0,
                        help="measure a copy holding every article this many times")
    parser.add_argument("--scaled-db", default="search_bench_scaled.duckdb",
                        help="where --scale writes its copy (about 1 GB for 20000)")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        db = warehouse_path(args.db, Path(workdir))
        if args.scale > 1:
            target = Path(args.scaled_db)
            seconds = scaled_copy(db, target, args.scale)
            print(f"search index of the {args.scale}x copy built in {seconds:.0f} s")
            db = target
        measure(db, args.runs)


if __name__ == "__main__":
    main()
