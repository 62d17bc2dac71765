"""Disagreements between sources, on constructed articles built into real warehouses.

Two small corpora, written as plain `.txt` files with a `manifest.csv` (the shipped manifest's
format) and built by the real ETL: one whose articles disagree (a forum 'held since 2008'
against 'first held in 2023', two founding years, membership counts that differ from each
other and from the reference series), and one whose articles differ only in ways that are no
disagreement (month against year precision, a meeting held in two years, different event
types, a restated proposal, a count that changed during the year, an unconfirmed reference
year). Each corpus first checks that the extractor reads its sentences as intended, so a
change in extraction shows up as such and not as a puzzling verdict.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries
from dashboard.filters import Filters
from etl import pipeline
from etl.settings import PROJECT_ROOT
from tests.conftest import make_settings

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "app_pages/disagreements.py"
MANIFEST_FIELDS = ["file", "title", "outlet", "author", "url", "published", "date_precision",
                   "date_note"]

# file -> (title, outlet, url, published, paragraphs)
DISAGREEING = {
    "wire_a.txt": ("Forum history", "Test Wire A", "https://a.example/forum-history",
                   "2023-05-10", [
                       "The Astana International Forum, held since 2008, has become a platform "
                       "for dialogue on global challenges.",
                       "In 2010, CICA had 18 member states. In 2020, the IOFS had 35 member "
                       "states.",
                       "CICA was established in 1999 by the foreign ministers.",
                       "In 2016, CICA had 24 member states.",
                   ]),
    "wire_b.txt": ("Forum news", "Test Wire B", "https://b.example/forum-news", "2023-06-12", [
        "The Astana International Forum was first held in 2023, gathering diplomats and experts "
        "in the capital.",
        "In 2010, CICA had 22 member states. In 2020, the IOFS had 37 member states.",
        "CICA was founded in 1992 in Almaty.",
    ]),
}
AGREEING = {
    "wire_c.txt": ("Forum in June", "Test Wire C", "https://c.example/forum-june", "2023-09-01", [
        "The Astana International Forum was first held in June 2023 in the Kazakh capital.",
        "The Congress of Leaders of World and Traditional Religions met in Astana in 2018.",
        "In 2022, CICA had 27 member states. Kazakhstan proposed the International Agency for "
        "Biological Safety in 2020.",
        "CICA was proposed in 1992.",
    ]),
    "wire_d.txt": ("Forum review", "Test Wire D", "https://d.example/forum-review",
                   "2024-01-05", [
                       "The Astana International Forum was first held in 2023 and drew "
                       "thousands of participants.",
                       "The Congress of Leaders of World and Traditional Religions was held in "
                       "2022 in Astana.",
                       "In 2022, CICA had 28 member states. In 2021, President Tokayev "
                       "reiterated his proposal to establish the International Agency for "
                       "Biological Safety.",
                       "CICA was established in 1999 by the foreign ministers. CICA has 28 "
                       "member states. In 2013, CICA had 23 member states.",
                   ]),
}


def build_corpus(root: Path, articles: dict[str, tuple[str, str, str, str, list[str]]]) -> Path:
    """Write the articles and their manifest into `root`/articles, build, return the warehouse."""
    folder = root / "articles"
    folder.mkdir(parents=True)
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        for name, (title, outlet, url, published, paragraphs) in articles.items():
            (folder / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
            writer.writerow({"file": name, "title": title, "outlet": outlet, "author": "",
                             "url": url, "published": published, "date_precision": "day",
                             "date_note": ""})
    db_path = root / "warehouse.duckdb"
    report = pipeline.build_warehouse(make_settings(folder, db_path))
    assert report.status == "ok" and report.articles_loaded == len(articles), report.messages()
    return db_path


@pytest.fixture(scope="module")
def disagreeing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("disagreeing"), DISAGREEING)


@pytest.fixture(scope="module")
def agreeing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("agreeing"), AGREEING)


def _read(db_path: Path, sql: str) -> set[tuple[object, ...]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return set(con.execute(sql).fetchall())


EVENTS_SQL = """
SELECT e.initiative_id, e.event_type, e.year, e.month, a.source_file
FROM events AS e JOIN articles AS a USING (article_id)
"""
FIGURES_SQL = """
SELECT m.initiative_id, m.kind, m.count, m.year, a.source_file
FROM memberships AS m JOIN articles AS a USING (article_id)
"""


def claims_of(db_path: Path, filters: Filters | None = None, per_side: int = 20
              ) -> pd.DataFrame:
    filters = filters or Filters()
    with duckdb.connect(str(db_path), read_only=True) as con:
        return queries.disagreement_claims(con, filters, per_side)


def summary_of(db_path: Path, filters: Filters | None = None) -> pd.DataFrame:
    filters = filters or Filters()
    with duckdb.connect(str(db_path), read_only=True) as con:
        return queries.disagreement_summary(con, filters)


def sides(claims: pd.DataFrame, disagreement_id: str) -> dict[int, set[str]]:
    """value -> the source files claiming it, for one disagreement."""
    rows = claims[claims["disagreement_id"] == disagreement_id]
    files = {"Test Wire A": "wire_a.txt", "Test Wire B": "wire_b.txt"}
    return {int(value): {files[o] for o in group["outlet"]}
            for value, group in rows.groupby("value")}


# --- the disagreeing corpus ----------------------------------------------------------------


def test_the_disagreeing_articles_read_as_intended(disagreeing: Path) -> None:
    assert _read(disagreeing, EVENTS_SQL) == {
        ("AIF", "first_held", 2008, None, "wire_a.txt"),
        ("AIF", "first_held", 2023, None, "wire_b.txt"),
        ("CICA", "founded", 1999, None, "wire_a.txt"),
        ("CICA", "founded", 1992, None, "wire_b.txt"),
    }
    assert _read(disagreeing, FIGURES_SQL) == {
        ("CICA", "member_states", 18, 2010, "wire_a.txt"),
        ("CICA", "member_states", 22, 2010, "wire_b.txt"),
        ("CICA", "member_states", 24, 2016, "wire_a.txt"),
        ("IOFS", "member_states", 35, 2020, "wire_a.txt"),
        ("IOFS", "member_states", 37, 2020, "wire_b.txt"),
    }


def test_every_disagreement_is_found_with_its_sides(disagreeing: Path) -> None:
    claims = claims_of(disagreeing)
    assert set(claims["disagreement_id"]) == {
        "event_year:AIF:first_held",
        "event_year:CICA:founded",
        "membership_count:CICA:member_states:2010",
        "membership_count:CICA:member_states:2016",
        "membership_count:IOFS:member_states:2020",
    }
    # 'held since 2008' against 'first held in 2023'
    assert sides(claims, "event_year:AIF:first_held") == {2008: {"wire_a.txt"},
                                                           2023: {"wire_b.txt"}}
    assert sides(claims, "event_year:CICA:founded") == {1999: {"wire_a.txt"},
                                                         1992: {"wire_b.txt"}}
    # two articles, and the reference (22 at the end of 2010, 20 at the end of 2008)
    assert sides(claims, "membership_count:CICA:member_states:2010") == {18: {"wire_a.txt"},
                                                                          22: {"wire_b.txt"}}
    # two articles, no reference series for the IOFS
    assert sides(claims, "membership_count:IOFS:member_states:2020") == {35: {"wire_a.txt"},
                                                                          37: {"wire_b.txt"}}
    # one article against the reference (26 confirmed for 2016 and for 2014)
    assert sides(claims, "membership_count:CICA:member_states:2016") == {24: {"wire_a.txt"}}


def test_membership_verdicts_say_what_differs(disagreeing: Path) -> None:
    claims = claims_of(disagreeing).set_index(["disagreement_id", "value"])
    cica_2010 = claims.loc["membership_count:CICA:member_states:2010"]
    assert bool(cica_2010["articles_differ"].all()) and bool(cica_2010["reference_differs"].all())
    assert cica_2010.loc[18, "fits_reference"] == False  # noqa: E712 (a numpy bool)
    assert cica_2010.loc[22, "fits_reference"] == True  # noqa: E712
    assert (cica_2010.loc[18, ["reference_count", "reference_low", "reference_high",
                               "reference_previous_count", "reference_previous_year"]].tolist()
            == [22, 20, 22, 20, 2008])
    cica_2016 = claims.loc[("membership_count:CICA:member_states:2016", 24)]
    assert not cica_2016["articles_differ"] and cica_2016["reference_differs"]
    assert cica_2016["reference_count"] == 26 and "vnconsulate" in cica_2016["reference_source"]
    iofs = claims.loc["membership_count:IOFS:member_states:2020"]
    assert bool(iofs["articles_differ"].all()) and not bool(iofs["reference_differs"].any())
    assert iofs["reference_count"].isna().all()


def test_each_side_carries_its_sentence_and_article(disagreeing: Path) -> None:
    claims = claims_of(disagreeing)
    forum = claims[claims["disagreement_id"] == "event_year:AIF:first_held"].set_index("value")
    assert forum.loc[2008, "sentence"].startswith("The Astana International Forum, held since 2008")
    assert forum.loc[2008, "as_written"] == "since 2008"
    assert forum.loc[2008, ["title", "outlet", "url"]].tolist() == [
        "Forum history", "Test Wire A", "https://a.example/forum-history"]
    assert str(forum.loc[2008, "published"])[:10] == "2023-05-10"
    assert forum.loc[2023, "sentence"].startswith("The Astana International Forum was first held")
    assert forum.loc[2023, ["title", "outlet"]].tolist() == ["Forum news", "Test Wire B"]
    assert forum["side_claims"].tolist() == [1, 1] and forum["side_articles"].tolist() == [1, 1]
    assert forum["in_view"].all()
    assert set(forum["initiative_label"]) == {"AIF"}


def test_the_count_per_initiative(disagreeing: Path) -> None:
    summary = summary_of(disagreeing).set_index("initiative_id")
    assert summary.loc["CICA", ["event_years", "membership_counts", "disagreements"]].tolist() \
        == [1, 2, 3]
    assert summary.loc["AIF", "disagreements"] == 1 and summary.loc["AIF", "event_years"] == 1
    assert summary.loc["IOFS", "disagreements"] == 1
    assert list(summary.index) == ["CICA", "AIF", "IOFS"]  # most first


def test_filters_choose_disagreements_but_never_hide_a_side(disagreeing: Path) -> None:
    only_a = claims_of(disagreeing, Filters(outlets=("Test Wire A",)))
    forum = only_a[only_a["disagreement_id"] == "event_year:AIF:first_held"]
    assert dict(zip(forum["outlet"], forum["in_view"], strict=True)) == {
        "Test Wire A": True, "Test Wire B": False}
    # the 2016 figure is only in Test Wire A: with Test Wire B alone it drops out
    only_b = summary_of(disagreeing, Filters(outlets=("Test Wire B",)))
    assert only_b.set_index("initiative_id").loc["CICA", "membership_counts"] == 1

    iofs = summary_of(disagreeing, Filters(initiatives=("IOFS",)))
    assert list(iofs["initiative_id"]) == ["IOFS"]
    around_2010 = claims_of(disagreeing, Filters(event_years=(2009, 2012)))
    assert set(around_2010["disagreement_id"]) == {"membership_count:CICA:member_states:2010"}
    held_only = claims_of(disagreeing, Filters(event_types=("held",)))
    assert not held_only["disagreement_id"].str.startswith("event_year").any()
    assert held_only["disagreement_id"].str.startswith("membership_count").any()
    assert summary_of(disagreeing, Filters(published_years=(2024, 2025))).empty


def test_sides_are_cut_at_the_limit_and_say_how_many(disagreeing: Path) -> None:
    claims = claims_of(disagreeing, per_side=0)
    assert claims.empty
    claims = claims_of(disagreeing, per_side=1)
    assert (claims.groupby(["disagreement_id", "value"]).size() == 1).all()


# --- the agreeing corpus -------------------------------------------------------------------


def test_the_agreeing_articles_read_as_intended(agreeing: Path) -> None:
    assert _read(agreeing, EVENTS_SQL) == {
        ("AIF", "first_held", 2023, 6, "wire_c.txt"),
        ("AIF", "first_held", 2023, None, "wire_d.txt"),
        ("CLWTR", "held", 2018, None, "wire_c.txt"),
        ("CLWTR", "held", 2022, None, "wire_d.txt"),
        ("IABS", "proposed", 2020, None, "wire_c.txt"),
        ("IABS", "proposed", 2021, None, "wire_d.txt"),  # 'reiterated his proposal'
        ("CICA", "proposed", 1992, None, "wire_c.txt"),
        ("CICA", "founded", 1999, None, "wire_d.txt"),
    }
    assert _read(agreeing, FIGURES_SQL) == {
        ("CICA", "member_states", 27, 2022, "wire_c.txt"),
        ("CICA", "member_states", 28, 2022, "wire_d.txt"),
        ("CICA", "member_states", 28, 2024, "wire_d.txt"),  # 'has 28', published 2024
        ("CICA", "member_states", 23, 2013, "wire_d.txt"),  # an unconfirmed reference year
    }


def test_articles_that_agree_give_no_disagreement(agreeing: Path) -> None:
    assert claims_of(agreeing).empty
    assert summary_of(agreeing).empty


def test_a_meeting_held_in_two_years_is_no_disagreement(agreeing: Path) -> None:
    held = _read(agreeing, "SELECT year FROM events WHERE initiative_id = 'CLWTR' "
                           "AND event_type = 'held'")
    assert held == {(2018,), (2022,)}
    assert not summary_of(agreeing, Filters(initiatives=("CLWTR",))).size


def test_the_shipped_corpus_has_no_false_alarm(warehouse_cursor: duckdb.DuckDBPyConnection
                                               ) -> None:
    """The five shipped articles agree with each other and with the reference series."""
    assert queries.disagreement_claims(warehouse_cursor, Filters(), 20).empty


# --- the page ------------------------------------------------------------------------------


def open_page(db_path: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("IM_DB_PATH", str(db_path))
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.query_params.update(params)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_lists_each_initiative_and_opens_its_disagreements(
        disagreeing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(disagreeing, monkeypatch)
    assert {m.label: m.value for m in at.metric} == {
        "Disagreements": "5", "Initiatives": "3", "Articles cited": "2"}
    table = at.dataframe[0].value
    assert dict(zip(table["Initiative"], table["Disagreements"], strict=True)) == {
        "CICA": 3, "AIF": 1, "IOFS": 1}
    labels = [e.label for e in at.expander]
    assert labels[:3] == ["CICA — 3 disagreements", "AIF — 1 disagreement",
                          "IOFS — 1 disagreement"]
    forum = next(e for e in at.expander if e.label.startswith("AIF"))
    headings = [m.value for m in forum.markdown]
    assert "#### First held\\: 2008 or 2023?" in headings
    assert "**Says 2008** · 1 article" in headings and "**Says 2023** · 1 article" in headings
    cards = " ".join(h.value for h in forum.get("html"))
    assert "held since 2008, has become a platform" in cards and "first held in 2023" in cards
    assert 'href="https://a.example/forum-history"' in cards and "Test Wire B, 12 Jun 2023" in cards
    cica = next(e for e in at.expander if e.label.startswith("CICA"))
    cica_cards = " ".join(h.value for h in cica.get("html"))
    assert "Reference series" in cica_cards and "differs from the reference" in cica_cards
    assert "fits the reference" in cica_cards
    verdicts = " ".join(c.value for c in cica.caption)
    assert "confirms 22 for 2010 \\(20 at the end of 2008" in verdicts
    cica_headings = [m.value for m in cica.markdown]
    assert "#### Founded\\: 1992 or 1999?" in cica_headings
    assert "#### Member states in 2010\\: 18 or 22?" in cica_headings
    assert "#### Member states in 2016\\: 24 or 26?" in cica_headings  # 26: the reference
    assert at.download_button(key="disagreements_csv")


def test_the_page_marks_the_side_outside_the_filters(
        disagreeing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(disagreeing, monkeypatch, outlet="Test Wire A", init="AIF")
    assert [e.label for e in at.expander][0] == "AIF — 1 disagreement"
    cards = " ".join(h.value for h in at.get("html"))
    assert cards.count("outside the current filters") == 1
    assert "first held in 2023" in cards  # the other side, from Test Wire B, is still shown


def test_the_page_says_so_when_sources_agree(agreeing: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(agreeing, monkeypatch)
    assert not at.expander and not at.metric
    assert "do not disagree on any fact" in " ".join(i.value for i in at.info)
