"""The warehouse handle: read-only, and a rebuild (a replaced file) is noticed and reopened."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboard import data
from dashboard.settings import DashboardSettings, settings_help


def _copy(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    return target


def test_the_warehouse_is_opened_read_only(built_warehouse: Path) -> None:
    warehouse = data.open_warehouse(str(built_warehouse))
    with warehouse.connect() as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("DELETE FROM articles")
    assert warehouse.build_id == dict(
        duckdb.connect(str(built_warehouse), read_only=True)
        .execute("SELECT key, value FROM warehouse_info").fetchall())["build_id"]


def test_a_replaced_file_is_noticed_and_the_new_build_read(
        built_warehouse: Path, hostile_warehouse: Path, tmp_path: Path) -> None:
    live = _copy(built_warehouse, tmp_path / "warehouse.duckdb")
    old = data.open_warehouse(str(live))
    assert old.is_current()
    # the ETL writes a new file beside the live one and swaps it in with os.replace
    os.replace(_copy(hostile_warehouse, tmp_path / "warehouse.duckdb.building"), live)
    assert not old.is_current()
    new = data.open_warehouse(str(live))  # while the old build is still open
    assert new.build_id != old.build_id
    with new.connect() as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 6
    with old.connect() as con:  # a reader of the old build finishes undisturbed
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5


def test_a_missing_warehouse_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(data.WarehouseMissing, match="make etl"):
        data.open_warehouse(str(tmp_path / "nowhere.duckdb"))


def test_a_file_that_is_not_a_warehouse_is_reported(tmp_path: Path) -> None:
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(data.WarehouseUnreadable, match="could not be read"):
        data.open_warehouse(str(junk))


def test_a_warehouse_an_older_etl_built_is_refused_with_what_it_lacks(
        hostile_warehouse: Path, tmp_path: Path) -> None:
    older = _copy(hostile_warehouse, tmp_path / "older.duckdb")
    with duckdb.connect(str(older)) as con:
        con.execute("ALTER TABLE facet_articles DROP COLUMN article_key")
    with pytest.raises(data.WarehouseUnreadable,
                       match=r"older version of the ETL.*facet_articles\.article_key.*make etl"):
        data.open_warehouse(str(older))


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.setenv("IM_DB_PATH", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("IM_PAGE_SIZE", "7")
    settings = DashboardSettings()
    assert settings.db_path == tmp_path / "w.duckdb"
    assert settings.page_size == 7
    monkeypatch.setenv("IM_DB_PATH", "md:initiatives")
    assert DashboardSettings().db_path is None  # a connection string, not a file
    assert {name for name, _, _ in settings_help()} >= {"IM_DB_PATH", "IM_CHROMIUM_PATH"}
