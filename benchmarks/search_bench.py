"""Search benchmark: the Search page's statements, the index build and its updates, at scale.

    python -m benchmarks.search_bench [--db PATH] [--runs 15]
    python -m benchmarks.search_bench --db PATH --scale 50 --scaled-db BIG.duckdb [--update 1000]

For each query in QUERIES it times, on a read-only connection, what one search costs the page:
reading the query (`search_query_terms`), the hits per year (`search_hits_per_year`) and the
first page of 20 hits (`search_sentences`), without and with filters, and prints p50/p95.

`--scale N` first writes a copy of the warehouse holding every article N times (new 16-hex
article ids, like the ETL's, and publication dates spread over eight years), builds its search
index with the ETL's own `build_search_index` under the ETL's memory limit, prints how long
that took and the process's peak memory, and measures that copy. `--update K` then times the
index's updates on the copy: K new articles added, K articles removed, and ten articles
changed (removed and added again), as an incremental build does.

A copied corpus is a stress test rather than a realistic one: every term is exactly N times as
frequent, so common words match hundreds of thousands of sentences, while the vocabulary stays
that of the original (docs/search.md has figures for both).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from benchmarks.dashboard_bench import percentile, warehouse_path
from dashboard import queries
from dashboard.filters import Filters
from dashboard.search.parse import parse_query
from etl.warehouse import BUILD_MEMORY_LIMIT

QUERIES = ("biological", '"biological safety"', "iabs AND summit", "summit*",
           "security NOT cica", "international cooperation security forum", "Қазақстан",
           "kazakhstan", '"confidence building measures"')
FILTERED = Filters(themes=("security",), published_years=(2020, 2023))
PAGE_SIZE = 20
# The tables a copy repeats (the others are reference tables, or not read by search).
COPIED_TABLES = ("sentences", "mentions", "article_themes", "events")


def peak_memory_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_connection(path: Path) -> duckdb.DuckDBPyConnection:
    """A connection set up like the ETL's: its build memory limit for DuckDB, spilling to a
    folder beside it."""
    return duckdb.connect(str(path), config={"memory_limit": BUILD_MEMORY_LIMIT,
                                             "temp_directory": f"{path}.tmp"})


def copy_articles(con: duckdb.DuckDBPyConnection, copies: str, where: str = "true") -> None:
    """Insert, for each row `copy` of the table `copies`, a copy of the articles matching
    `where` under new ids (16 hex digits, as the ETL's), with their sentences and facts."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE copied_ids AS
        SELECT a.article_id AS original, c.copy,
               left(md5(a.article_id || '-' || c.copy), 16) AS article_id
        FROM articles AS a, {copies} AS c
        WHERE {where}
    """)  # noqa: S608 (constant fragments)
    con.execute("""
        INSERT INTO articles
        SELECT a.* REPLACE (i.article_id AS article_id,
                            a.source_file || '-' || i.copy AS source_file,
                            (a.published - INTERVAL (i.copy % 3000) DAY)::DATE AS published)
        FROM articles AS a JOIN copied_ids AS i ON i.original = a.article_id""")
    for table in COPIED_TABLES:
        key = ", t.event_id || '-' || i.copy AS event_id" if table == "events" else ""
        con.execute(f"""
            INSERT INTO {table}
            SELECT t.* REPLACE (i.article_id AS article_id{key})
            FROM {table} AS t JOIN copied_ids AS i ON i.original = t.article_id
        """)  # noqa: S608 (constant names)


def scaled_copy(source: Path, target: Path, copies: int, build_index: bool = True
                ) -> float | None:
    """Write `source` with every article `copies` times into `target`.

    Returns the seconds `build_search_index` took on the copy (None with `build_index`
    false: the copy keeps no index).
    """
    from etl.search_index import SEARCH_TABLES, build_search_index
    from etl.warehouse import apply_schema

    shutil.copyfile(source, target)
    with build_connection(target) as con:
        for table in SEARCH_TABLES:  # an index of an earlier layout goes too
            con.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (constant names)
        apply_schema(con)
        con.execute("CREATE TEMP TABLE copies AS SELECT range AS copy FROM range(1, ?)",
                    [copies])
        copy_articles(con, "copies")
        con.execute("CHECKPOINT")
        if not build_index:
            return None
        started = time.perf_counter()
        build_search_index(con)
        elapsed = time.perf_counter() - started
        con.execute("CHECKPOINT")
    return elapsed


def time_updates(db: Path, articles: int) -> dict[str, float]:
    """Seconds each index update takes on `db` (changed in place): `articles` new articles
    added, `articles` others removed, ten changed (removed, then added again)."""
    from etl.search_index import add_to_search_index, remove_from_search_index

    seconds = {}
    with build_connection(db) as con:
        con.execute("CREATE TEMP TABLE copies AS SELECT 1000 AS copy")  # ids unused so far
        copy_articles(con, "copies", f"""a.article_id IN (
            SELECT article_id FROM articles ORDER BY md5(article_id) LIMIT {int(articles)})""")  # noqa: S608
        con.execute("CREATE TEMP TABLE added AS SELECT article_id FROM copied_ids")
        started = time.perf_counter()
        add_to_search_index(con, "added")
        seconds[f"add {articles}"] = time.perf_counter() - started

        con.execute(f"""CREATE TEMP TABLE removed AS SELECT article_id FROM articles
                        ORDER BY article_id LIMIT {int(articles)}""")  # noqa: S608
        started = time.perf_counter()
        remove_from_search_index(con, "removed")
        seconds[f"remove {articles}"] = time.perf_counter() - started

        con.execute("""CREATE TEMP TABLE changed AS SELECT article_id FROM articles
                       ORDER BY article_id DESC LIMIT 10""")
        started = time.perf_counter()
        remove_from_search_index(con, "changed")
        add_to_search_index(con, "changed")
        seconds["change 10"] = time.perf_counter() - started
        con.execute("CHECKPOINT")
    return seconds


def time_query(run: Callable[[], object], runs: int) -> tuple[float, float]:
    """p50 and p95 in milliseconds of `runs` calls of `run` (after one warm-up call)."""
    run()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), percentile(timings, 0.95)


def measure(db: Path, runs: int) -> list[float]:
    """Print the timings of every query in QUERIES on the warehouse at `db`; returns every
    p95 measured (milliseconds)."""
    p95s = []
    with duckdb.connect(str(db), read_only=True) as con:
        (sentences,), = con.execute("SELECT sentences FROM search_stats").fetchall()
        (articles,), = con.execute("SELECT count(*) FROM articles").fetchall()
        print(f"{db}: {articles:,} articles, {sentences:,} sentences indexed")
        print("p50 ms (p95) of: reading the query, hits per year, first page; the same two "
              "filtered")
        print(f"{'query':34} {'hits':>9} {'reading':>11} {'per year':>11} {'page':>11} "
              f"{'year filt.':>11} {'page filt.':>11}")
        for text in QUERIES:
            query = parse_query(text)
            cells = [
                time_query(lambda q=query: queries.search_query_terms(con, q), runs),
                time_query(lambda q=query: queries.search_hits_per_year(con, Filters(), q), runs),
                time_query(lambda q=query: queries.search_sentences(
                    con, Filters(), q, PAGE_SIZE, 0), runs),
                time_query(lambda q=query: queries.search_hits_per_year(con, FILTERED, q), runs),
                time_query(lambda q=query: queries.search_sentences(
                    con, FILTERED, q, PAGE_SIZE, 0), runs),
            ]
            p95s += [p95 for _, p95 in cells]
            hits = queries.search_hits_per_year(con, Filters(), query)["hits"].sum()
            shown = " ".join(f"{f'{p50:.0f} ({p95:.0f})':>11}" for p50, p95 in cells)
            print(f"{text[:34]:34} {int(hits):>9,} {shown}")
    print(f"worst p95: {max(p95s):.0f} ms")
    return p95s


def main() -> None:
    """Measure the configured (or given) warehouse, or a scaled copy of it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="warehouse to measure (default: IM_DB_PATH or a fresh build)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--scale", type=int, default=0,
                        help="measure a copy holding every article this many times")
    parser.add_argument("--scaled-db", default="search_bench_scaled.duckdb",
                        help="where --scale writes its copy (about 2 GB for 100,000 articles)")
    parser.add_argument("--update", type=int, default=0,
                        help="after measuring, time adding and removing this many articles")
    args = parser.parse_args()
    if args.update and args.scale <= 1:
        parser.error("--update changes the warehouse it measures: use it with --scale")
    import tempfile

    with tempfile.TemporaryDirectory() as workdir:
        db = warehouse_path(args.db, Path(workdir))
        if args.scale > 1:
            target = Path(args.scaled_db)
            seconds = scaled_copy(db, target, args.scale)
            print(f"search index of the {args.scale}x copy built in {seconds:.1f} s, "
                  f"peak memory of this process {peak_memory_mb():.0f} MB")
            db = target
        measure(db, args.runs)
        if args.update:
            for name, spent in time_updates(db, args.update).items():
                print(f"index update, {name} articles: {spent:.1f} s")


if __name__ == "__main__":
    main()
