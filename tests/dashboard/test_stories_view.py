"""Counting by story or by article: the filter, the in-view SQL, the evidence naming reprints'
outlets, and the filter bar toggle on AppTest pages (a warehouse built by the real ETL from the
shipped corpus plus one wire story, its three reprints and three other stories)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import components
from dashboard.filters import BY_ARTICLE_LINE, Filters
from dashboard.queries import in_view as q_in_view
from dashboard.queries import timeline as q_timeline
from etl import pipeline
from etl.settings import PROJECT_ROOT, Settings
from tests.dashboard.test_app import open_app, plain
from tests.test_stories import ARTICLES, COPIES, write_article


@pytest.fixture(scope="module")
def stories_warehouse(corpus_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    articles = tmp_path_factory.mktemp("stories_corpus") / "articles"
    shutil.copytree(corpus_copy, articles)
    for name in ARTICLES:
        write_article(articles, name)
    db_path = tmp_path_factory.mktemp("stories_warehouse") / "warehouse.duckdb"
    settings = dataclasses.replace(Settings(), articles_dir=articles, db_path=db_path,
                                   reference_dir=PROJECT_ROOT / "data" / "reference")
    assert pipeline.build_warehouse(settings).status == "ok"
    return db_path


@pytest.fixture
def con(stories_warehouse: Path):
    connection = duckdb.connect(str(stories_warehouse), read_only=True)
    yield connection
    connection.close()


def _articles_in_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> int:
    found = q_in_view.in_view(con, filters, (q_in_view.ARTICLES,), [],
                              "SELECT count(*) AS n FROM articles_in_view")
    return int(found["n"].iloc[0])


def test_the_count_mode_round_trips_through_the_link_and_the_filter_line() -> None:
    by_article = Filters(by_article=True)
    assert by_article.to_query_params() == {"count": "article"}
    assert Filters.from_query_params({"count": ["article"]}) == by_article
    assert Filters.from_query_params({"count": ["story"]}) == Filters()
    assert Filters().to_query_params() == {}
    assert by_article.describe() == BY_ARTICLE_LINE
    assert not by_article.narrows and Filters(outlets=("X",), by_article=True).narrows


def test_by_story_keeps_one_article_per_story(con: duckdb.DuckDBPyConnection) -> None:
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    stories = con.execute("SELECT count(DISTINCT story_id) FROM stories").fetchone()[0]
    assert articles - stories >= len(COPIES) - 1
    assert _articles_in_view(con, Filters(by_article=True)) == articles
    assert _articles_in_view(con, Filters()) == stories
    # with another filter too: the wire agency's three articles are three stories ...
    wire = Filters(outlets=("Wire Agency",))
    assert _articles_in_view(con, dataclasses.replace(wire, by_article=True)) == 3
    # ... but the wire copy is a reprint of an article another outlet ran first
    assert _articles_in_view(con, wire) == 2


def test_events_are_counted_once_per_story(con: duckdb.DuckDBPyConnection) -> None:
    def events(filters: Filters) -> int:
        found = q_in_view.in_view(con, filters, (q_in_view.EVENTS,), [],
                                  "SELECT count(*) AS n FROM events_in_view")
        return int(found["n"].iloc[0])
    reprint_events = con.execute(
        "SELECT count(*) FROM facet_events WHERE NOT is_canonical").fetchone()[0]
    assert reprint_events > 0
    assert events(Filters(by_article=True)) - events(Filters()) == reprint_events


@pytest.mark.parametrize("by_article", [False, True], ids=["by-story", "by-article"])
def test_the_unfiltered_timeline_counts_stories_as_the_events_do(
        con: duckdb.DuckDBPyConnection, by_article: bool) -> None:
    """The Timeline with no filter (summed from `facet_timeline_parts`) counts a story's
    reprints only by article, cell for cell as reading the events does."""
    from_parts = q_timeline.timeline_cells(con, Filters(by_article=by_article))
    from_events = q_timeline.timeline_cells(con, Filters(event_years=(1900, 2100),
                                                         by_article=by_article))
    pd.testing.assert_frame_equal(from_parts, from_events)
    by_story = q_timeline.timeline_cells(con, Filters())["events"].sum()
    every = q_timeline.timeline_cells(con, Filters(by_article=True))["events"].sum()
    assert every > by_story


def test_the_evidence_of_a_story_names_its_reprints_outlets(
        con: duckdb.DuckDBPyConnection) -> None:
    initiative_id, event_type, year = con.execute(
        "SELECT e.initiative_id, e.event_type, e.year FROM facet_events AS e "
        "JOIN facet_articles AS a USING (article_no) "
        "WHERE a.source_file = 'reprint_furniture.md' LIMIT 1").fetchone()
    rows = q_timeline.cell_events(con, Filters(), initiative_id, event_type, year, 50)
    canonical = rows[rows["outlet"] == "Daily Courier"]
    assert len(canonical) >= 1
    assert list(canonical["also_in"].iloc[0]) == ["Evening Star", "Steppe Times", "Wire Agency"]
    # by story the reprints are not items of their own; by article they are
    assert not set(rows["outlet"]) & {"Evening Star", "Steppe Times"}
    every = q_timeline.cell_events(con, Filters(by_article=True), initiative_id, event_type,
                                   year, 50)
    assert {"Evening Star", "Steppe Times"} <= set(every["outlet"])
    card = components.evidence_card_html("h", "s", canonical.iloc[0].to_dict())
    assert "Also in: Evening Star, Steppe Times, Wire Agency" in card
    alone = every[every["outlet"] == "Gulf Herald"]
    if len(alone):
        assert "Also in" not in components.evidence_card_html("h", "s", alone.iloc[0].to_dict())


def test_the_filter_bar_toggle_changes_counts_and_the_link(
        stories_warehouse: Path, con: duckdb.DuckDBPyConnection,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_DB_PATH", str(stories_warehouse))
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    stories = con.execute("SELECT count(DISTINCT story_id) FROM stories").fetchone()[0]
    at = open_app()
    assert at.radio(key="filter_count").value == "story"
    assert {m.label: m.value for m in at.metric}["Articles"] == f"{stories:,}"
    assert "count" not in at.query_params
    at.radio(key="filter_count").set_value("article").run()
    assert {m.label: m.value for m in at.metric}["Articles"] == f"{articles:,}"
    assert at.query_params["count"] == "article"
    assert BY_ARTICLE_LINE in plain(" ".join(c.value for c in at.sidebar.caption))
    linked = open_app("timeline", count="article")
    assert linked.radio(key="filter_count").value == "article"
