"""Syndicated-copy benchmark: what grouping near copies costs a build, on generated articles.

Composes articles with the benchmark corpus generator, signs each text as a build does when it
extracts an article (`etl.stories.signature`, timed per article), loads the signatures into a
DuckDB warehouse schema, and times `etl.stories.build_stories` (the grouping every build, full
or incremental, runs over all stored signatures). One article in fifty gets a reprint (another
outlet's furniture and one rewritten paragraph), so the grouping has stories to find.

    python -m benchmarks.stories_bench --articles 10000 100000
"""

from __future__ import annotations

import argparse
import json
import time

import duckdb
import pyarrow as pa

from benchmarks import corpus
from etl import stories, warehouse

REPRINT_EVERY = 50


def texts(count: int, seed: int) -> list[str]:
    """`count` generated article texts; every `REPRINT_EVERY`-th is a reprint of the previous."""
    options = corpus.Options(articles=count, seed=seed)
    ctx = corpus.context()
    found: list[str] = []
    for index in range(count):
        if index % REPRINT_EVERY == REPRINT_EVERY - 1:
            paragraphs = found[-1].split("\n\n")
            paragraphs[len(paragraphs) // 2] = "The outlet's own paragraph, rewritten here."
            found.append("\n\n".join(["Another headline", "By a staff writer", *paragraphs,
                                      "Subscribe to our newsletter."]))
        else:
            found.append(corpus.render(corpus.compose(options, index, ctx)))
    return found


def measure(count: int, seed: int) -> dict[str, float | int]:
    """Signing and grouping figures for `count` generated articles."""
    generated = texts(count, seed)
    started = time.perf_counter()
    signatures = [stories.signature(text) for text in generated]
    signed = time.perf_counter() - started
    with duckdb.connect() as con:
        warehouse.apply_schema(con)
        ids = [f"{i:016x}" for i in range(count)]
        con.register("_a", pa.table({"article_id": ids, "text": generated}))
        con.execute(
            "INSERT INTO articles (article_id, source_file, file_format, date_source, "
            "title_source, outlet_source, author_source, url_source, encoding, word_count, "
            "text, duplicate_files) SELECT article_id, article_id, 'txt', 'unknown', 'x', 'x', "
            "'x', 'x', 'utf-8', 0, text, [] FROM _a").fetchall()
        con.register("_s", pa.table({"article_id": ids, "minhash": signatures},
                                    schema=warehouse.declared_columns()["article_signatures"]))
        con.execute("INSERT INTO article_signatures SELECT * FROM _s").fetchall()
        started = time.perf_counter()
        stories.build_stories(con)
        grouped = time.perf_counter() - started
        multi, largest = con.execute(
            "SELECT count(DISTINCT story_id) FILTER (WHERE story_size > 1), max(story_size) "
            "FROM stories").fetchall()[0]
    return {"articles": count, "sign_ms_per_article": round(1000 * signed / count, 3),
            "group_seconds": round(grouped, 2), "stories_with_copies": multi,
            "expected_stories_with_copies": count // REPRINT_EVERY, "largest_story": largest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[10_000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for count in args.articles:
        print(json.dumps(measure(count, args.seed)))


if __name__ == "__main__":
    main()
