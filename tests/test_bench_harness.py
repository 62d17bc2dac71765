"""The scale benchmark's harness at toy size, so `make bench` cannot silently rot.

It runs the real thing end to end on a few dozen generated articles: the generator, a full and
an incremental build through the CLI in a child process (with memory sampling), scoring against
the generated truth, the dashboard benchmark (AppTest reruns, queries, payloads, the pandas
comparison), and the JSON it writes. It checks the figures are there and consistent, not fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from benchmarks import __main__ as bench
from benchmarks import etl_bench


def test_etl_bench_builds_fully_then_adds_one_percent(tmp_path: Path) -> None:
    result = etl_bench.run(articles=120, seed=11, workdir=tmp_path, log=lambda _: None)

    assert result["incremental_added_files"] == 1  # 1% of 120, rounded
    full, delta = result["full_run"], result["incremental_run"]
    assert full["files_seen"] == 120
    assert delta["files_seen"] == 121
    # the increment is one new article (or a duplicate / bad file the corpus placed there)
    assert delta["articles_loaded"] - full["articles_loaded"] in (0, 1)
    assert result["full_build_ms"] > 0 and result["incremental_build_ms"] > 0
    assert 0 < result["full_peak_rss_mb"] < 24_000
    assert result["warehouse_mb"] > 0
    for kind in ("events", "memberships"):
        scores = result["accuracy"][kind]
        assert 0.0 <= scores["precision"] <= 1.0 and 0.0 <= scores["recall"] <= 1.0
        assert scores["truth"] > 0
    with duckdb.connect(result["db_path"], read_only=True) as con:
        runs = con.execute("SELECT count(*) FROM etl_runs").fetchall()[0][0]
    assert runs == 2  # the incremental build kept the full build's run in the history


def test_make_bench_writes_every_figure_as_json(tmp_path: Path) -> None:
    out = tmp_path / "results"
    code = bench.main(["--scales", "40", "--seed", "5", "--workdir", str(tmp_path / "work"),
                       "--out", str(out), "--quick", "--skip-load"])

    assert code == 0
    results = json.loads((out / "scale-40.json").read_text())
    assert [row["articles"] for row in results["etl"]] == [40]
    latencies = [key for key in _keys(results["dashboard"]) if key.endswith(("_p50_ms",
                                                                               "_p95_ms"))]
    assert latencies, "the dashboard section names its latencies *_p50_ms / *_p95_ms"
    assert results["machine"]["cpus"] >= 1


def _keys(node: object) -> list[str]:
    """Every key of a nested JSON document."""
    if isinstance(node, dict):
        return [k for key, value in node.items() for k in (key, *_keys(value))]
    if isinstance(node, list):
        return [k for item in node for k in _keys(item)]
    return []
