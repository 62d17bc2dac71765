"""The same full build on this machine's worker pool and on Dask, with 1 and 2 workers.

    python -m benchmarks.engine_bench [--articles 10000] [--workers 1,2] [--repeat 2]
                                      [--workdir DIR] [--json PATH]

On a generated corpus (`benchmarks.corpus`, reused when it is already there) it times a full
build with `--engine builtin` and with `--engine dask` (a local Dask cluster) for each number of
workers (`IM_WORKERS`), each in a child process with the peak memory of its whole process tree,
and the engine's fixed cost: both engines on the five shipped articles, where extraction is
negligible and the difference is the cluster's start and stop. It prints a table and writes
every figure as JSON (`benchmarks/results/engine-<articles>.json`); each figure is the median of
`--repeat` runs, with every run listed. Two workers on a 2-core machine is what "the same job on
two machines" looks like with the network left out; see docs/scaling.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import etl_bench

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
SHIPPED = PROJECT_ROOT / "data" / "articles"
ENGINES = ("builtin", "dask")


def build_once(articles: Path, db: Path, engine: str, workers: int) -> dict[str, Any]:
    """One full build in a child process: seconds, peak MB of the process tree, articles."""
    for stale in db.parent.glob(f"{db.name}*"):
        if stale.is_file():
            stale.unlink()
    command = [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db),
               "--quiet", "--full", "--engine", engine]
    measured = etl_bench.run_measured(command, env={"IM_WORKERS": str(workers),
                                                    "IM_PARALLEL_THRESHOLD": "0"})
    if measured.returncode != 0:
        raise RuntimeError(f"{engine} build failed ({measured.returncode}):\n"
                           f"{measured.output[-3000:]}")
    run = etl_bench.last_run(db)
    # CPU seconds of the whole process tree: less sensitive than wall time to other work on
    # the machine
    return {"seconds": round(measured.seconds, 2), "cpu_seconds": round(measured.cpu_seconds, 2),
            "peak_mb": round(measured.peak_rss_bytes / 2**20),
            "articles_loaded": run.get("articles_loaded")}


def measure(articles: Path, workdir: Path, engine: str, workers: int,
            repeat: int) -> dict[str, Any]:
    """The median of `repeat` builds, and every run."""
    runs = [build_once(articles, workdir / f"{engine}-{workers}.duckdb", engine, workers)
            for _ in range(repeat)]
    seconds = statistics.median(run["seconds"] for run in runs)
    loaded = runs[0]["articles_loaded"] or 0
    cpu = statistics.median(run["cpu_seconds"] for run in runs)
    return {"engine": engine, "workers": workers, "seconds": seconds,
            "articles_per_s": round(loaded / seconds, 1) if seconds else None,
            "cpu_seconds": cpu, "cpu_ms_per_article": round(1000 * cpu / loaded, 2) if loaded
            else None,
            "peak_mb": statistics.median(run["peak_mb"] for run in runs),
            "articles_loaded": loaded, "runs": runs}


def run(total: int, worker_counts: list[int], repeat: int, workdir: Path,
        log: Any = print) -> dict[str, Any]:
    """Every figure of the benchmark as one JSON-ready dict."""
    corpus = etl_bench.generate(total, 7, workdir / f"corpus-{total}")
    articles = Path(str(corpus["out"])) / "articles"
    load_before = os.getloadavg()[0]
    fixed = {engine: measure(SHIPPED, workdir, engine, 2, repeat) for engine in ENGINES}
    log(f"fixed cost on the {fixed['builtin']['articles_loaded']} shipped articles: builtin "
        f"{fixed['builtin']['seconds']} s, dask {fixed['dask']['seconds']} s")
    results = []
    for workers in worker_counts:
        for engine in ENGINES:
            result = measure(articles, workdir, engine, workers, repeat)
            log(f"{total} articles, {engine}, {workers} worker(s): {result['seconds']} s, "
                f"{result['articles_per_s']} articles/s, {result['cpu_ms_per_article']} ms CPU "
                f"per article, peak {result['peak_mb']} MB")
            results.append(result)
    by = {(r["engine"], r["workers"]): r["seconds"] for r in results}
    speedup = {engine: round(by[(engine, 1)] / by[(engine, 2)], 2)
               for engine in ENGINES if (engine, 1) in by and (engine, 2) in by}
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": round(load_before, 1),
                    "load_average_after": round(os.getloadavg()[0], 1)},
        "articles": total,
        "corpus_mb": round(etl_bench.folder_bytes(articles) / 2**20, 1),
        "repeat": repeat,
        "fixed_cost": {engine: fixed[engine] for engine in ENGINES},
        "engine_start_stop_seconds": round(fixed["dask"]["seconds"]
                                           - fixed["builtin"]["seconds"], 2),
        "builds": results,
        "speedup_2_over_1_worker": speedup,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine_bench",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=10_000, help="corpus size")
    parser.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=2, help="builds per figure (median)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where corpora and warehouses go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None,
                        help="write the figures here (default: "
                             "benchmarks/results/engine-<articles>.json)")
    args = parser.parse_args(argv)
    counts = [int(part) for part in args.workers.split(",") if part.strip()]
    with tempfile.TemporaryDirectory(prefix="im-engine-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        figures = run(args.articles, counts, max(1, args.repeat), workdir)
    target = args.json or RESULTS_DIR / f"engine-{args.articles}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({key: figures[key] for key in
                      ("engine_start_stop_seconds", "speedup_2_over_1_worker")}))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
