"""The browser part of `make bench` at toy size: Chromium opens pages of the real app.

It runs `benchmarks.browser_bench` on the shipped corpus's warehouse, the Overview (charts and
both year sliders), one round, and checks the figures are there, consistent and judged against
their targets (not that they are fast), and that the benchmark's summary reads them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import __main__ as bench
from benchmarks import browser_bench

pytestmark = pytest.mark.browser


def test_the_browser_benchmark_measures_every_page_it_opens(built_warehouse: Path,
                                                           tmp_path: Path) -> None:
    # in a process of its own, as `make bench` runs it: Playwright's synchronous API cannot
    # start while another test's browser runs in this one
    out = tmp_path / "browser.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.browser_bench", "--db", str(built_warehouse),
         "--rounds", "1", "--pages", "overview", "--json", str(out)],
        cwd=Path(browser_bench.__file__).resolve().parent.parent, capture_output=True,
        text=True, check=False, timeout=600)
    # 1: a speed target missed (or a crash, which writes no figures)
    assert done.returncode in (0, 1) and out.exists(), done.stderr[-3000:]
    results = json.loads(out.read_text())

    assert list(results["pages"]) == ["overview"]
    for entry in results["pages"].values():
        assert entry["cold_first_chart_ms"] > 0 and entry["warm_first_chart_p50_ms"] > 0
        assert entry["new_profile_first_chart_p50_ms"] > 0
        # a new tab takes the framework's scripts from the browser's cache, as an analyst's
        # does; a new profile fetches them all again (megabytes)
        scripts = entry["script_bytes"]
        assert scripts["warm"] == 0 and scripts["cold"] > 1_000_000, scripts
        assert scripts["new_profile"] > 1_000_000, scripts
        # a visit receives the page's data over the websocket; a filter change its new data
        assert entry["visit_bytes"] > 1_000
        assert entry["filter_changes"] == 2
        assert 0 < entry["filter_change_p50_ms"] <= entry["filter_change_max_ms"]
        assert entry["filter_change_bytes_max"] > 0
        assert set(entry["verdicts"]) == {"warm_first_chart", "filter_change", "data"}
        assert entry["verdicts"]["data"] == "ok"  # toy data is far below 150 KB
    rows = bench.browser_rows(results)
    assert rows["page_data_kb"] * 1024 == pytest.approx(results["data_max_bytes"], abs=52)
    assert bench.verdict("page_data_kb", rows["page_data_kb"]) == "ok"
    for figure in ("warm_first_chart_ms", "filter_change_ms"):
        judged = bench.verdict(figure, rows[figure])
        assert judged == "ok" or judged.startswith("MISS by "), judged
