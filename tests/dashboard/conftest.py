"""Dashboard fixtures: the session warehouse (built by the real ETL) wired to the app.

`built_warehouse` (tests/conftest.py) is the shipped corpus. `hostile_warehouse` is the same
corpus plus one article full of markup (a `<script>`, Markdown, a `javascript:` link), also
built by the real ETL, to prove the app shows such text as text.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.settings import PROJECT_ROOT, Settings

HOSTILE_ARTICLE = """---
title: "Astana <script>alert('title')</script> *hosts* CICA"
outlet: "Test Wire"
url: "javascript:alert(1)"
published: 2024-05-02
---
The Conference for Interaction and Confidence Building Measures in Asia (CICA) met in Astana in \
October 2022. <script>alert("x")</script> The *summit* _was_ [linked](javascript:alert(2)) and \
:red[coloured] with $math$ and <b>bold</b> markup.

CICA has 28 member states today, and security cooperation was discussed.
"""


def _corpus_plus(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory, name: str,
                 text: str) -> Path:
    """Build a warehouse of the shipped corpus plus one article `zz_<name>.md` holding `text`."""
    articles = tmp_path_factory.mktemp(f"{name}_corpus") / "articles"
    shutil.copytree(corpus_copy, articles)
    (articles / f"zz_{name}.md").write_text(text, encoding="utf-8")
    db_path = tmp_path_factory.mktemp(f"{name}_warehouse") / "warehouse.duckdb"
    settings = dataclasses.replace(Settings(), articles_dir=articles, db_path=db_path,
                                   reference_dir=PROJECT_ROOT / "data" / "reference")
    assert pipeline.build_warehouse(settings).status == "ok"
    return db_path


@pytest.fixture(scope="session")
def hostile_warehouse(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the shipped corpus plus one article with markup in its text and title."""
    return _corpus_plus(corpus_copy, tmp_path_factory, "hostile", HOSTILE_ARTICLE)


CANDIDATE_ARTICLE = """---
title: "Steppe ministers agree on water and seeds"
outlet: "Test Wire"
published: 2024-06-11
---
Ministers from five Central Asian states met in Astana on Monday.

Kazakhstan proposed establishing a Regional Centre for Glacier Monitoring, the ministry said.
The Kazakh side also suggested launching a Steppe Seed Bank <for> farmers of the region.

Delegates toured the Astana-based Regional Center for Glacier Monitoring on Tuesday.
"""


@pytest.fixture(scope="session")
def candidate_warehouse(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the shipped corpus plus one article naming bodies the gazetteer lacks."""
    return _corpus_plus(corpus_copy, tmp_path_factory, "candidates", CANDIDATE_ARTICLE)


@pytest.fixture(scope="session")
def warehouse_cursor(built_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One read-only connection to the session warehouse, shared by the query tests."""
    con = duckdb.connect(str(built_warehouse), read_only=True)
    yield con
    con.close()


@pytest.fixture
def app_env(built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the session warehouse (IM_DB_PATH), as a deployment would."""
    monkeypatch.setenv("IM_DB_PATH", str(built_warehouse))
    return built_warehouse
