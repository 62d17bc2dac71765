"""Waiting for another build's lock (`warehouse.wait_for_lock`, behind `etl add --wait`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import warehouse


def test_a_build_waits_until_the_running_one_releases_the_lock(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    running = warehouse.build_lock(db)
    running.__enter__()
    waits: list[int] = []

    def build() -> str:
        with warehouse.build_lock(db):
            return "built"

    def on_wait() -> None:
        waits.append(1)
        if len(waits) == 2:  # the other build finishes while this one waits
            running.__exit__(None, None, None)

    assert warehouse.wait_for_lock(build, 600, on_wait) == "built"
    assert len(waits) == 2


def test_with_no_time_to_wait_a_held_lock_is_reported_at_once(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    waits: list[int] = []

    def build() -> None:
        with warehouse.build_lock(db):
            pytest.fail("the lock is held by the running build")

    with warehouse.build_lock(db), pytest.raises(warehouse.BuildInProgress, match="another build"):
        warehouse.wait_for_lock(build, 0, lambda: waits.append(1))
    assert waits == []


def test_a_failing_build_is_not_retried(tmp_path: Path) -> None:
    attempts: list[int] = []

    def build() -> None:
        attempts.append(1)
        raise warehouse.WarehouseError("validation failed")

    with pytest.raises(warehouse.WarehouseError, match="validation failed"):
        warehouse.wait_for_lock(build, 600)
    assert attempts == [1]
