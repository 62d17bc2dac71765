"""The Overview copes with a warehouse that has no run history (made by other tools)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl.settings import PROJECT_ROOT

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")


def test_overview_without_an_etl_run_row(built_warehouse: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "no_history.duckdb"
    shutil.copyfile(built_warehouse, db)
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM etl_runs").fetchall()
        # a build id of its own, so no result cached for the session warehouse is reused
        con.execute("UPDATE warehouse_info SET value = 'no-history' "
                    "WHERE key = 'build_id'").fetchall()
    monkeypatch.setenv("IM_DB_PATH", str(db))

    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.switch_page("app_pages/overview.py")
    at.run()

    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Warehouse built" in captions
    assert "last ETL run" not in captions  # nothing to say about a run that is not recorded
