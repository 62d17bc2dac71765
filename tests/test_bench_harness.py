"""The scale benchmark's harness at toy size, so `make bench` cannot silently rot.

It runs the real thing end to end on a few dozen generated articles: the generator, a full and
an incremental build through the CLI in a child process (with memory sampling), scoring against
the generated truth, the dashboard benchmark (AppTest reruns, queries, payloads, the pandas
comparison), and the JSON it writes. It checks the figures are there and consistent, not fast.
The part in Chromium has a toy-size test of its own (tests/test_bench_browser.py, a browser
test), and so has the search engines' comparison (tests/test_bench_search.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from benchmarks import __main__ as bench

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)


@pytest.fixture(scope="module")
def bench_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One toy-size `make bench` run (40 articles; no load test, no browser, no search
    comparison) and its JSON."""
    work = tmp_path_factory.mktemp("bench")
    out = work / "results"
    code = bench.main(["--scales", "40", "--seed", "5", "--workdir", str(work / "work"),
                       "--out", str(out), "--quick", "--skip-load", "--skip-browser",
                       "--skip-search"])
    assert code == 0
    results: dict[str, Any] = json.loads((out / "scale-40.json").read_text())
    return results


def test_etl_bench_builds_fully_then_adds_one_percent_then_nothing_then_re_timed(
    bench_results: dict[str, Any],
) -> None:
    assert [row["articles"] for row in bench_results["etl"]] == [40]
    result = bench_results["etl"][0]
    assert result["incremental_added_files"] == 1  # 1% of 40, at least one file
    full, delta = result["full_run"], result["incremental_run"]
    assert full["files_seen"] == 40
    assert delta["files_seen"] == 41
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
    # each incremental build kept the earlier runs in the history; the build with nothing new
    # found the warehouse up to date and wrote nothing, so: full, +1%, re-timed, edited
    assert runs == 4
    # then nothing new, then the next 1% after every file was re-timed
    assert result["retimed_added_files"] == 1
    assert result["retimed_run"]["files_seen"] == 42
    assert result["noop_build_ms"] > 0 and result["retimed_build_ms"] > 0
    # then 1% of the older files edited (one, at least), applied on the spare
    assert result["edited_files"] == 1 and result["edited_run"]["files_seen"] == 42
    assert result["edited_notes"] == [] and bench_results["summary"]["edited_build_notes"] == []
    assert result["edited_build_ms"] > 0
    # an incremental build's peak is judged against the full build's
    share = bench_results["summary"]["incremental_peak_share"]
    assert share == round(max(result["incremental_peak_rss_mb"], result["retimed_peak_rss_mb"],
                              result["edited_peak_rss_mb"]) / result["full_peak_rss_mb"], 2)
    assert bench_results["summary"]["incremental_peak_share_verdict"] == (
        "ok" if share <= 1.0 else f"MISS by {share - 1:.0%}")


def test_make_bench_writes_every_figure_as_json(bench_results: dict[str, Any]) -> None:
    results = bench_results
    latencies = [key for key in _keys(results["dashboard"]) if key.endswith(("_p50_ms",
                                                                               "_p95_ms"))]
    assert latencies, "the dashboard section names its latencies *_p50_ms / *_p95_ms"
    assert results["machine"]["cpus"] >= 1
    assert results["dashboard"]["cross_check_agrees"] is True
    pages = results["dashboard"]["pages"]
    for entry in pages.values():  # every element a visit sends, charts and the rest
        heaviest = max(entry["payload_bytes"], entry["payload_rerun_max_bytes"])
        assert entry["payload_bytes"] > 0 and heaviest >= entry["payload_total_bytes"]
        assert entry["payload_verdict"] == "ok"
    assert results["summary"]["page_payload_kb"] == round(max(
        max(e["payload_bytes"], e["payload_rerun_max_bytes"]) for e in pages.values()) / 1024, 1)
    assert results["summary"]["page_payload_kb_verdict"] == "ok"
    corrections = results["corrections"]
    assert corrections["rounds"] == 2
    assert 0 < corrections["apply_p50_ms"] <= corrections["confirm_to_chart_p50_ms"]
    # the benchmark's last build edited older files, so the first correction after it copies
    # the live file (deleting the old versions' rows from the spare costs more) and says why;
    # the second writes into the spare the first left
    assert corrections["rounds_on_spare"] == 1
    assert "changed or removed articles the spare holds" in corrections["first_copied"]
    assert corrections["first_confirm_to_chart_ms"] > 0
    assert corrections["later_confirm_to_chart_p50_ms"] > 0
    assert "confirm_to_chart_ms" in results["summary"]


def _keys(node: object) -> list[str]:
    """Every key of a nested JSON document."""
    if isinstance(node, dict):
        return [k for key, value in node.items() for k in (key, *_keys(value))]
    if isinstance(node, list):
        return [k for item in node for k in _keys(item)]
    return []


def test_the_pandas_cross_check_counts_membership_figures_as_the_dashboard_does(
        tmp_path: Path) -> None:
    """A figure counts when its article passes the article filters, whatever the article's
    events: an article reporting a member count and no dated event still counts under an
    event-year filter (the figure's own year is what that filter tests)."""
    from benchmarks import dashboard_bench
    from dashboard.filters import Filters
    from etl import pipeline
    from tests.conftest import make_settings

    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "members.md").write_text(
        "---\ntitle: Members\npublished: 2021-06-01\n---\nCICA, the Asian security forum, "
        "had 27 member states in 2021, its secretariat said.\n", encoding="utf-8")
    (articles / "summit.md").write_text(
        "---\ntitle: Summit\npublished: 2022-11-01\n---\nCICA held its summit in Astana in "
        "October 2022. CICA has 28 member states.\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    pipeline.build_warehouse(make_settings(articles, db))
    filters = Filters(event_years=(2002, 2023))
    with duckdb.connect(str(db), read_only=True) as con:
        naive = dashboard_bench.naive_compute(
            "membership", dashboard_bench.naive_load(con, "membership", filters), filters)
        ours = dashboard_bench.dashboard_page_data(con, "membership", filters)
    assert naive == ours
    assert ours["reports"] == 2
