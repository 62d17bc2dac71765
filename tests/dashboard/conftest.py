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
from tests.curated_texts import CURATED_ARTICLES

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


REJECTED_EVENT_SENTENCE = ("The Astana International Forum was first held in 2023 and gathered "
                           "diplomats from many countries.")
HOSTILE_REASON = "<script>alert('reason')</script> =cmd|' /C calc'!A0"


@dataclasses.dataclass(frozen=True)
class CuratedWarehouse:
    """A warehouse built by the real ETL with one correction of each kind applied, and the ids
    they touch."""

    db: Path
    articles: Path
    rejected_event: str  # AIF first held 2023 (rejected; the 2022 report stays)
    rejected_figure: str  # IOFS 40 member states (rejected)
    confirmed_events: tuple[str, str]  # both reports of CICA held October 2022, by 'ana'
    edited_event: str  # IOFS founded 2013, edited to September 2012
    edited_figure: str  # CICA 28 member states, edited to 27
    added_event: str  # IOFS held August 2023, added from the ministers' sentence


def _fact_id(con: duckdb.DuckDBPyConnection, table: str, column: str, fragment: str) -> str:
    return str(con.execute(f"SELECT {column} FROM {table} WHERE contains(sentence, ?) "  # noqa: S608
                           "ORDER BY 1", [fragment]).fetchall()[0][0])


@pytest.fixture(scope="session")
def curated_warehouse(tmp_path_factory: pytest.TempPathFactory) -> CuratedWarehouse:
    """`CURATED_ARTICLES` built, then corrected through the ETL's CLI (`corrections`): a
    confirmation, a rejection, an edit and an addition of events, a rejection and an edit of
    membership figures."""
    from etl import cli  # tests may drive the ETL; the dashboard never imports it

    root = tmp_path_factory.mktemp("curated")
    articles = root / "articles"
    articles.mkdir()
    for name, text in CURATED_ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    db = root / "warehouse.duckdb"
    settings = dataclasses.replace(Settings(), articles_dir=articles, db_path=db,
                                   reference_dir=PROJECT_ROOT / "data" / "reference")
    assert pipeline.build_warehouse(settings).status == "ok"
    with duckdb.connect(str(db), read_only=True) as con:
        held = [str(e) for (e,) in con.execute(
            "SELECT event_id FROM events WHERE initiative_id = 'CICA' AND event_type = 'held' "
            "ORDER BY event_id").fetchall()]
        ids = {"rejected_event": _fact_id(con, "events", "event_id", "first held in 2023"),
               "edited_event": _fact_id(con, "events", "event_id", "founded in 2013"),
               "rejected_figure": _fact_id(con, "memberships", "membership_id", "40 member"),
               "edited_figure": _fact_id(con, "memberships", "membership_id", "28 member"),
               "ministers": con.execute(
                   "SELECT article_id, sentence_no FROM sentences "
                   "WHERE contains(text, 'Ministers met')").fetchone()}

    def correct(*arguments: str) -> None:
        assert cli.main(["corrections", *arguments, "--articles", str(articles),
                         "--db", str(db), "--quiet"]) == 0, arguments

    assert len(held) == 2
    for event in held:
        correct("confirm", event, "--analyst", "ana", "--reason", HOSTILE_REASON)
    correct("reject", ids["rejected_event"], "--analyst", "ben", "--reason", "not the first")
    correct("edit", ids["edited_event"], "--set", "year=2012", "--set", "month=9",
            "--analyst", "ana", "--reason", "charter signed in September 2012")
    correct("reject", ids["rejected_figure"], "--analyst", "ben")
    correct("edit", ids["edited_figure"], "--set", "count=27", "--analyst", "ana")
    article, sentence = ids["ministers"]
    correct("add", "--article", str(article), "--sentence", str(sentence), "--fact", "event",
            "--set", "initiative_id=IOFS", "--set", "event_type=held", "--set", "year=2023",
            "--set", "month=8", "--analyst", "cy", "--reason", "ministerial meeting")
    with duckdb.connect(str(db), read_only=True) as con:
        added = str(con.execute("SELECT event_id FROM curated_events "
                                "WHERE review = 'added'").fetchone()[0])
    return CuratedWarehouse(db=db, articles=articles, rejected_event=ids["rejected_event"],
                            rejected_figure=ids["rejected_figure"],
                            confirmed_events=(held[0], held[1]),
                            edited_event=ids["edited_event"],
                            edited_figure=ids["edited_figure"], added_event=added)
