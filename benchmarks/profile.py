"""Where a full build's time goes: `python -m benchmarks.profile [--articles 2000]`.

Generates a corpus (`benchmarks.corpus`), then runs one full build of it in this process
(`IM_WORKERS=1`: extraction in the same process, so one sampling profiler sees every stage)
under pyinstrument, and prints the share of the build each stage takes, the stages of
extraction among them, and optionally the whole call tree (`--tree PATH`) or the figures as
JSON (`--json PATH`). On two workers a full build spends the same CPU per article plus the
processes' hand-over; the shares say what to make faster first (docs/scaling.md).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from benchmarks.corpus import Options, generate
from etl import pipeline
from etl.settings import Settings

# (label, module path suffix, function): each stage's time is the time inside that function,
# counted once per call path (a stage that calls itself is not counted twice).
STAGES: tuple[tuple[str, str, str], ...] = (
    ("read files (decode, formats)", "etl/sources/corpus.py", "read_file"),
    ("clean text and metadata", "etl/prepare.py", "prepare_articles"),
    ("extract (all rules)", "etl/extract/__init__.py", "extract_article"),
    ("  split sentences", "etl/extract/sentences.py", "split_sentences"),
    ("  initiative mentions", "etl/extract/mentions.py", "find_mentions"),
    ("  dates", "etl/extract/dates.py", "find_dates"),
    ("  events", "etl/extract/events.py", "find_events"),
    ("  membership figures", "etl/extract/membership.py", "find_memberships"),
    ("  themes", "etl/extract/themes.py", "find_theme_hits"),
    ("story signatures (MinHash)", "etl/stories.py", "signature"),
    ("article and fact tables (Arrow)", "etl/prepare.py", "fact_tables"),
    ("load into DuckDB", "etl/pipeline.py", "flush"),
    ("search index", "etl/search_index.py", "build_search_index"),
    ("stories (grouping)", "etl/stories.py", "build_stories"),
    ("marts", "etl/marts/__init__.py", "build_marts"),
    ("validate tables", "etl/warehouse.py", "validate"),
    ("validate marts", "etl/marts/__init__.py", "validate_marts"),
)


def _walk(frame: Any, seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, float]]:
    """(stage label, seconds) of every outermost call of a stage in the tree under `frame`."""
    path = (frame.file_path or "").replace("\\", "/")
    for label, suffix, function in STAGES:
        if label not in seen and frame.function == function and path.endswith(suffix):
            yield label, frame.time
            seen = seen | {label}
    for child in frame.children:
        yield from _walk(child, seen)


def stage_seconds(root: Any) -> dict[str, float]:
    """Seconds per stage of `STAGES` in a pyinstrument frame tree (zero when not seen)."""
    totals = dict.fromkeys((label for label, _, _ in STAGES), 0.0)
    for label, seconds in _walk(root):
        totals[label] += seconds
    return totals


def profile_build(articles_dir: Path, db_path: Path) -> tuple[Profiler, float, str]:
    """Build the warehouse of `articles_dir` at `db_path` in this process under the profiler;
    the profiler, the wall seconds and the build's status."""
    settings = dataclasses.replace(Settings(), articles_dir=articles_dir, db_path=db_path,
                                   workers=1)
    profiler = Profiler(interval=0.002)
    started = time.perf_counter()
    profiler.start()
    try:
        report = pipeline.build_warehouse(settings)
    finally:
        profiler.stop()
    return profiler, time.perf_counter() - started, report.status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="generated articles")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--workdir", type=Path, help="where the corpus and warehouse go "
                        "(default: a temporary folder, removed afterwards)")
    parser.add_argument("--tree", type=Path, help="also write pyinstrument's call tree here")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="im-profile-") as scratch:
        work = args.workdir or Path(scratch)
        corpus = work / f"corpus-{args.articles}-{args.seed}"
        if not (corpus / "articles").is_dir():
            generate(Options(articles=args.articles, seed=args.seed), corpus)
        db = work / "profile.duckdb"
        db.unlink(missing_ok=True)
        profiler, seconds, status = profile_build(corpus / "articles", db)
    session = profiler.last_session
    assert session is not None
    stages = stage_seconds(profiler.last_session.root_frame())
    print(f"full build of {args.articles:,} generated articles in one process: "
          f"{seconds:.1f} s wall, {session.cpu_time:.1f} s CPU, "
          f"{seconds / args.articles * 1000:.2f} ms per article ({status})")
    for label, spent in stages.items():
        print(f"{label:<34}{spent:>8.2f} s{spent / seconds:>7.1%}")
    if args.tree:
        args.tree.write_text(profiler.output_text(unicode=False, color=False))
    if args.json:
        args.json.write_text(json.dumps({
            "articles": args.articles, "seed": args.seed, "wall_s": round(seconds, 2),
            "cpu_s": round(session.cpu_time, 2), "status": status,
            "stages_s": {k.strip(): round(v, 3) for k, v in stages.items()}}, indent=2) + "\n")
    return 0 if status == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
