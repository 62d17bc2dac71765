"""The dashboard reads facts as analysts stand behind them, on a warehouse with corrections.

`curated_warehouse` (conftest.py) is built by the real ETL from articles written for these
tests and corrected through the ETL's own CLI: a rejected fact must be in no result of any
registered query, an edited fact must show its corrected values on every page, every fact row
says who reviewed it, and the briefing-safe filter keeps only reviewed facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pandas as pd
import pytest

from dashboard import queries
from dashboard.filters import Filters
from tests.dashboard.conftest import REJECTED_EVENT_SENTENCE, CuratedWarehouse

Con = duckdb.DuckDBPyConnection

# Queries that show articles' own text (the reader, search hits, theme keyword sentences, new
# names): an analyst's verdict on a fact does not change what an article says, so these may
# quote the rejected fact's sentence; they must still never name the rejected fact.
ARTICLE_TEXT_QUERIES = {"article_text", "sentence_location", "search_sentences",
                        "theme_sentences", "candidate_initiatives", "article_highlights"}
VIEWS = {"all": Filters(), "briefing-safe": Filters(reviewed_only=True)}


@pytest.fixture(scope="module")
def con(curated_warehouse: CuratedWarehouse) -> Iterator[Con]:
    connection = duckdb.connect(str(curated_warehouse.db), read_only=True)
    yield connection
    connection.close()


def _cells(result: object) -> list[str]:
    """Every value of a query's result, as text."""
    if isinstance(result, pd.DataFrame):
        return [str(v) for column in result.columns for v in result[column].tolist()]
    return [str(result)]


def _calls(curated: CuratedWarehouse, samples: queries.Samples
           ) -> Iterator[tuple[str, str, Any, tuple[Any, ...]]]:
    """(query, label, function, arguments) for every registered example of every query in
    both views, and the calls that name the rejected facts themselves."""
    naming_rejected: dict[str, list[tuple[Any, ...]]] = {
        "event_evidence": [(curated.rejected_event,)],
        "membership_evidence": [(curated.rejected_figure,)],
        "cell_events": [("AIF", "first_held", 2023, 10, 0)],
        "point_reports": [("IOFS", "member_states", 2023, 40, 10, 0),
                          ("IOFS", "member_states", 2023, None, 10, 0)],
        "membership_points": [("IOFS", "member_states")],
        "membership_milestones": [("AIF",)],
    }
    for name, entry in queries.QUERIES.items():
        calls = list(entry.calls(samples).items())
        calls += [(f"{name} naming the rejected fact", args)
                  for args in naming_rejected.get(name, [])]
        for label, args in calls:
            if entry.filtered:
                for view, filters in VIEWS.items():
                    yield name, f"{label} ({view})", entry.function, (filters, *args)
            else:
                yield name, label, entry.function, tuple(args)


def test_a_rejected_fact_is_in_no_result_of_any_query(con: Con,
                                                      curated_warehouse: CuratedWarehouse
                                                      ) -> None:
    samples = queries.Samples.from_warehouse(con)
    rejected = {curated_warehouse.rejected_event, curated_warehouse.rejected_figure}
    assert samples.event_id not in rejected and samples.membership_id not in rejected
    ran = set()
    for name, label, function, args in _calls(curated_warehouse, samples):
        values = _cells(function(con, *args))
        ran.add(name)
        assert not rejected & set(values), label
        if name not in ARTICLE_TEXT_QUERIES:
            assert not any(REJECTED_EVENT_SENTENCE in v for v in values), label
    assert ran == set(queries.QUERIES)


def test_the_rejected_fact_is_gone_from_its_chart_and_its_disagreement(
        con: Con, curated_warehouse: CuratedWarehouse) -> None:
    cells = queries.timeline_cells(con, Filters())
    aif = cells[cells["initiative_id"] == "AIF"]
    assert aif[["event_type", "year", "events"]].values.tolist() == [["first_held", 2022, 1]]
    assert queries.event_evidence(con, curated_warehouse.rejected_event).empty
    # the Forum's two first years were a disagreement; with one rejected there is none
    claims = queries.disagreement_claims(con, Filters(), 20)
    years = claims[claims["topic"] == "event_year"]
    assert set(years["disagreement_id"]) == {"event_year:IOFS:founded"}
    # six read, one rejected, one added
    assert queries.event_type_list(con).set_index("event_type")["events"].to_dict() == {
        "first_held": 1, "founded": 2, "held": 3}


def test_an_edited_fact_shows_its_corrected_values(con: Con,
                                                   curated_warehouse: CuratedWarehouse) -> None:
    cells = queries.timeline_cells(con, Filters())
    founded = cells[(cells["initiative_id"] == "IOFS") & (cells["event_type"] == "founded")]
    assert sorted(founded["year"]) == [2011, 2012]
    edited = founded[founded["year"] == 2012].iloc[0]
    assert (edited["event_id"], edited["month"], edited["review"], edited["reviewed_by"]) == (
        curated_warehouse.edited_event, 9, "edited", "ana")
    evidence = queries.event_evidence(con, curated_warehouse.edited_event).iloc[0]
    assert (evidence["year"], evidence["month"], evidence["review"]) == (2012, 9, "edited")
    assert evidence["review_reason"] == "charter signed in September 2012"
    page = queries.cell_events(con, Filters(), "IOFS", "founded", 2012, 10)
    assert page["event_id"].tolist() == [curated_warehouse.edited_event]
    assert page["year"].tolist() == [2012] and page["reviewed_by"].tolist() == ["ana"]
    # the disagreement compares the corrected year
    claims = queries.disagreement_claims(con, Filters(), 20).set_index("claim_id")
    years = claims[claims["topic"] == "event_year"]
    assert sorted(years["value"]) == [2011, 2012]
    assert years.loc[curated_warehouse.edited_event, "review"] == "edited"
    # and the corrected count (27) against the reference series' 28
    assert claims.loc[curated_warehouse.edited_figure, "value"] == 27

    points = queries.membership_points(con, Filters(), "CICA", "member_states")
    assert points[["year", "count", "reports"]].values.tolist() == [[2024, 27, 1]]
    point = points.iloc[0]
    assert (point["membership_id"], point["review"], point["analyst_set"]) == (
        curated_warehouse.edited_figure, "edited", 1)
    figure = queries.membership_evidence(con, curated_warehouse.edited_figure).iloc[0]
    assert (figure["count"], figure["review"], figure["reviewed_by"]) == (27, "edited", "ana")
    reports = queries.point_reports(con, Filters(), "CICA", "member_states", 2024, 27, 10)
    assert reports["review"].tolist() == ["edited"]


@pytest.mark.parametrize("by_article", [False, True], ids=["by-story", "by-article"])
def test_unfiltered_cells_summed_from_parts_count_reviews_as_the_events_do(
        con: Con, curated_warehouse: CuratedWarehouse, by_article: bool) -> None:
    """The Timeline's first view (its cells summed from `facet_timeline_parts`) gives the
    corrected facts' counts, review and analyst marks as reading the events does."""
    from_parts = queries.timeline_cells(con, Filters(by_article=by_article))
    from_events = queries.timeline_cells(con, Filters(event_years=(1900, 2100),
                                                      by_article=by_article))
    assert from_parts["analyst_set"].sum() > 0 and from_parts["reviewed"].sum() > 0
    pd.testing.assert_frame_equal(from_parts, from_events)


def test_chart_cells_count_their_reviewed_and_analyst_set_facts(
        con: Con, curated_warehouse: CuratedWarehouse) -> None:
    cells = queries.timeline_cells(con, Filters()).set_index(["initiative_id", "event_type",
                                                               "year"])
    counts = cells[["events", "reviewed", "analyst_set"]]
    assert counts.loc[("CICA", "held", 2022)].tolist() == [2, 2, 0]  # both confirmed
    assert counts.loc[("IOFS", "founded", 2012)].tolist() == [1, 1, 1]  # edited
    assert counts.loc[("IOFS", "held", 2023)].tolist() == [1, 1, 1]  # added
    assert counts.loc[("IOFS", "founded", 2011)].tolist() == [1, 0, 0]  # machine-read
    added = cells.loc[("IOFS", "held", 2023)]
    assert (added["event_id"], added["review"], added["reviewed_by"]) == (
        curated_warehouse.added_event, "added", "cy")
    # a cell of several events gives no single event's review, only its counts
    assert pd.isna(cells.loc[("CICA", "held", 2022), "review"])
    page = queries.cell_events(con, Filters(), "CICA", "held", 2022, 10)
    assert page["review"].tolist() == ["confirmed", "confirmed"]
    assert set(page["reviewed_by"]) == {"ana"} and page["reviewed_at"].notna().all()


def test_the_briefing_safe_filter_keeps_only_reviewed_facts(
        con: Con, curated_warehouse: CuratedWarehouse) -> None:
    safe = Filters(reviewed_only=True)
    cells = queries.timeline_cells(con, safe)
    assert sorted(zip(cells["initiative_id"], cells["event_type"], cells["year"],
                      strict=True)) == [("CICA", "held", 2022), ("IOFS", "founded", 2012),
                                        ("IOFS", "held", 2023)]
    assert (cells["reviewed"] == cells["events"]).all()
    assert int(queries.events_per_year(con, safe)["events"].sum()) == 4
    assert int(queries.headline_figures(con, safe)["events"].iloc[0]) == 4
    assert queries.membership_points(con, safe, "CICA", "member_states")["count"].tolist() == [27]
    assert queries.membership_points(con, safe, "IOFS", "member_states").empty
    organisations = queries.membership_organisations(con, safe)
    assert organisations[organisations["figures"] > 0]["initiative_id"].tolist() == ["CICA"]
    # a disagreement is listed when a reviewed claim is in it; its other side is still shown
    claims = queries.disagreement_claims(con, safe, 20).set_index("claim_id")
    years = claims[claims["topic"] == "event_year"]
    assert years["in_view"].to_dict() == {curated_warehouse.edited_event: True,
                                          years.index[years["value"] == 2011][0]: False}
    summary = queries.disagreement_summary(con, safe).set_index("initiative_id")
    assert summary["disagreements"].to_dict() == {"CICA": 1, "IOFS": 1}
    # a disagreement none of whose claims an analyst reviewed is not listed
    assert not queries.disagreement_claims(
        con, Filters(reviewed_only=True, initiatives=("AIF",)), 20)["in_view"].any()
    # articles are not narrowed by it, as by the confidence floor
    assert queries.article_count(con, safe) == queries.article_count(con, Filters()) == 3
    # but with an event filter, only articles reporting a reviewed matching event count
    assert queries.article_count(con, Filters(event_years=(2000, 2030), reviewed_only=True)) == 3
    assert queries.article_count(con, Filters(event_types=("first_held",),
                                              reviewed_only=True)) == 0


def test_the_briefing_safe_filter_on_a_warehouse_nobody_reviewed(warehouse_cursor: Con) -> None:
    safe = Filters(reviewed_only=True)
    assert queries.timeline_cells(warehouse_cursor, safe).empty
    assert queries.disagreement_summary(warehouse_cursor, safe).empty
    assert int(queries.headline_figures(warehouse_cursor, safe)["events"].iloc[0]) == 0
    assert queries.article_count(warehouse_cursor, safe) == queries.article_count(
        warehouse_cursor, Filters())
