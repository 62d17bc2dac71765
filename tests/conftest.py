"""Shared fixtures: the real ETL builds the shipped corpus once per session."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.settings import PROJECT_ROOT, Settings

CORPUS_DIR = PROJECT_ROOT / "data" / "articles"
REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
SEED_TRUTH = Path(__file__).parent / "fixtures" / "seed_truth.json"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files of long tests (`browser` or `heavy`) first, the rest in their usual order.

    `make test` hands whole files to two workers in collection order (pytest-xdist's
    `--dist loadfile --no-loadscope-reorder`): long files started last would leave one worker
    running them alone at the end, so they start first and the many short files fill the gaps.
    The sort is stable, so each file's tests keep their order and stay together.
    """
    items.sort(key=lambda item: not any(item.get_closest_marker(name)
                                        for name in ("browser", "heavy")))


def make_settings(articles_dir: Path, db_path: Path, **overrides: object) -> Settings:
    """Settings for a build into a temporary place, reading the shipped reference data."""
    return dataclasses.replace(
        Settings(),
        articles_dir=articles_dir,
        db_path=db_path,
        reference_dir=REFERENCE_DIR,
        **overrides,
    )


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the shipped corpus, so no test touches data/articles."""
    target = tmp_path_factory.mktemp("corpus") / "articles"
    shutil.copytree(CORPUS_DIR, target)
    return target


@pytest.fixture(scope="session")
def built_warehouse(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a warehouse built by the real ETL from the shipped corpus (read it read-only)."""
    db_path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    report = pipeline.build_warehouse(make_settings(corpus_copy, db_path))
    assert report.status == "ok"
    return db_path


@pytest.fixture
def articles(corpus_copy: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the shipped corpus."""
    target = tmp_path / "articles"
    shutil.copytree(corpus_copy, target)
    return target


@pytest.fixture
def warehouse_con(built_warehouse: Path):
    """A read-only connection to the session's warehouse."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def deployment(corpus_copy: Path, built_warehouse: Path, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A writable article folder and live warehouse (the shipped corpus) the app points at."""
    articles = tmp_path / "articles"
    shutil.copytree(corpus_copy, articles)
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, db)
    monkeypatch.setenv("IM_DB_PATH", str(db))
    monkeypatch.setenv("IM_ARTICLES_DIR", str(articles))
    monkeypatch.setenv("IM_REFERENCE_DIR", str(PROJECT_ROOT / "data" / "reference"))
    return articles, db
