"""Smoke run of the load test (`benchmarks/load.py`): two browser sessions on the real app
while `python -m etl add` rebuilds their warehouse with one more article.

The warehouse and the article folder are private copies (the rebuild changes both).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import load

pytestmark = pytest.mark.browser

SESSIONS = 2
NEW_ARTICLE = Path(__file__).parent / "fixtures" / "holdout" / "001_xinhua_cica_summit.txt"


def test_sessions_see_the_old_build_then_the_new_one_and_no_error(
        built_warehouse: Path, corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    shutil.copy2(built_warehouse, db)
    articles = tmp_path / "articles"
    shutil.copytree(corpus_copy, articles)

    result = load.run(db, articles, sessions=SESSIONS, duration=10, max_actions=4, think=0.3,
                      stagger=0.3, rebuild_at=0, rebuild_files=[NEW_ARTICLE], timeout=90,
                      action_timeout=30, log_dir=tmp_path / "log", quiet=True)

    json.dumps(result)  # JSON-ready
    problems = "\n".join(f"{e['kind']}: {e['message']}" for e in result["errors"])
    assert result["errors"] == [], f"the load test saw errors:\n{problems}"
    assert result["ok"]

    # the rebuild ran while the sessions were open, and loaded the new article
    rebuild = result["rebuild"]
    assert rebuild["mode"] == "add"
    assert rebuild["exit_code"] == 0, rebuild.get("output_tail")
    assert rebuild["duration_s"] > 0
    assert [f["outcome"] for f in rebuild["files"]] == ["loaded"]
    old, new = result["builds"]["old"], result["builds"]["new"]
    assert new["build_id"] != old["build_id"]
    assert int(new["articles"]) == int(old["articles"]) + 1

    # every session opened the app, acted, and its Overview showed the old build's headline
    # figures before the rebuild and the new build's after it
    assert result["sessions_loaded"] == SESSIONS
    assert result["actions"] >= SESSIONS
    assert result["reruns"] >= SESSIONS
    assert result["builds_seen"].get("old", 0) >= 1
    assert result["builds_seen"].get("new", 0) >= 1
    assert result["both_builds_seen"]
    assert result["sessions_checked_after_rebuild"] == SESSIONS
    assert set(result["build_ids_seen"]) == {old["build_id"], new["build_id"]}
    for key in ("rerun_p50_ms", "rerun_p95_ms", "rerun_max_ms"):
        assert result[key] is not None and result[key] > 0
    assert result["reruns_before"] + result["reruns_during"] + result["reruns_after"] == (
        result["reruns"])
    assert result["reruns_after"] >= SESSIONS  # one Overview check per session after it
