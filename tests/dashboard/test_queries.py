"""Every dashboard query against a warehouse built by the real ETL from the shipped corpus.

Expected values come from the seed truth (CICA had 16 member states at its 2002 summit and 28
in 2023) or from independent SQL over the same warehouse, so the tests check the filtering
logic, not the extraction.
"""

from __future__ import annotations

import datetime as dt
import inspect

import duckdb
import pandas as pd
import pytest

from dashboard import queries
from dashboard.filters import Filters
from dashboard.search_text import parse_query

Con = duckdb.DuckDBPyConnection

FILTERED_QUERIES = {
    "headline_figures": (), "events_per_year": (), "source_summary": (),
    "timeline_events": (50,), "membership_organisations": (),
    "membership_figures": ("CICA", "member_states"), "membership_reference_series": ("CICA",),
    "membership_milestones": ("CICA",), "theme_frequency": (), "theme_by_year": (),
    "themes_by_initiative": (), "article_count": (), "article_table": (10, 0),
    "disagreement_summary": (), "disagreement_claims": (20,), "theme_sentences": (3,),
    "search_sentences": (parse_query('security "food security" -cica summit*'), 10, 0),
    "search_hits_per_year": (parse_query('security "food security" -cica summit*'),),
}


def scalar(con: Con, sql: str, params: list | None = None) -> object:
    return con.execute(sql, params or []).fetchone()[0]


def test_every_query_function_is_covered_here() -> None:
    names = {n for n, f in inspect.getmembers(queries, inspect.isfunction)
             if f.__module__ == queries.__name__ and not n.startswith("_")}
    unfiltered = {"warehouse_info", "build_summary", "initiative_list", "theme_list",
                  "initiative_colour_order",
                  "event_type_list", "outlet_list", "year_bounds", "event_evidence",
                  "membership_evidence", "article_text", "article_highlights",
                  "filter_parameters", "search_query_terms", "has_search_index",
                  "sentence_location"}
    assert names == set(FILTERED_QUERIES) | unfiltered


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(event_years=(2002, 2023), published_years=(2020, 2025), themes=("security",),
            initiatives=("CICA",), event_types=("held", "first_held"),
            outlets=("NNN-Bernama",)),
    Filters(event_years=(1901, 1902)),
    Filters(themes=("no such theme",), outlets=("x' OR '1'='1",)),
], ids=["none", "all", "empty-years", "unknown-values"])
def test_every_filtered_query_runs_under_any_filter_combination(
        warehouse_cursor: Con, filters: Filters) -> None:
    for name, args in FILTERED_QUERIES.items():
        result = getattr(queries, name)(warehouse_cursor, filters, *args)
        assert isinstance(result, pd.DataFrame | int), name


def test_a_filter_that_matches_nothing_gives_empty_results_not_errors(
        warehouse_cursor: Con) -> None:
    nothing = Filters(event_years=(1901, 1902))
    assert queries.timeline_events(warehouse_cursor, nothing, 50).empty
    assert queries.article_count(warehouse_cursor, nothing) == 0
    assert queries.theme_frequency(warehouse_cursor, nothing).empty
    figures = queries.headline_figures(warehouse_cursor, nothing).iloc[0]
    assert figures["articles"] == 0 and figures["events"] == 0


def test_values_are_bound_as_parameters_never_spliced_into_sql(warehouse_cursor: Con) -> None:
    injected = Filters(outlets=("x' OR '1'='1",), themes=("security' --",))
    assert queries.article_count(warehouse_cursor, injected) == 0


def test_cica_membership_figures_reported_in_articles(warehouse_cursor: Con) -> None:
    figures = queries.membership_figures(warehouse_cursor, Filters(), "CICA", "member_states")
    pairs = {(int(r.year), int(r.count)) for r in figures.itertuples() if pd.notna(r.year)}
    assert {(2002, 16), (2023, 28)} <= pairs
    for r in figures.itertuples():
        assert str(r.count) in r.sentence or r.count_text in r.sentence  # traceable
    first_summit = figures[(figures["year"] == 2002) & (figures["count"] == 16)].iloc[0]
    assert first_summit["reference_count"] == 16  # the reference agrees for 2002


def test_cica_reference_series_keeps_unconfirmed_years_empty(warehouse_cursor: Con) -> None:
    series = queries.membership_reference_series(warehouse_cursor, Filters(), "CICA")
    by_year = series.set_index("year")
    assert by_year.loc[2002, "member_count"] == 16
    assert by_year.loc[2023, "member_count"] == 28
    assert pd.isna(by_year.loc[2003, "member_count"])  # 'unconfirmed', not 16 carried forward
    assert not by_year.loc[2003, "confirmed"]
    narrowed = queries.membership_reference_series(warehouse_cursor,
                                                   Filters(event_years=(2010, 2015)), "CICA")
    assert list(narrowed["year"]) == [2010, 2011, 2012, 2013, 2014, 2015]


def test_membership_organisations_list_kinds_and_reference(warehouse_cursor: Con) -> None:
    organisations = queries.membership_organisations(warehouse_cursor, Filters())
    cica = organisations[organisations["initiative_id"] == "CICA"].set_index("kind")
    assert cica.loc["member_states", "figures"] >= 2
    assert cica.loc["member_states", "reference_years"] == scalar(
        warehouse_cursor, "SELECT count(member_count) FROM membership_reference "
                          "WHERE initiative_id = 'CICA'")


def test_membership_figures_follow_the_event_year_range(warehouse_cursor: Con) -> None:
    only_2002 = queries.membership_figures(warehouse_cursor, Filters(event_years=(2002, 2002)),
                                           "CICA", "member_states")
    assert set(only_2002["year"]) == {2002}


def test_event_year_range_changes_counts_and_keeps_overlapping_spans(
        warehouse_cursor: Con) -> None:
    everything = queries.timeline_events(warehouse_cursor, Filters(), 1000)
    assert len(everything) == scalar(warehouse_cursor, "SELECT count(*) FROM events")
    window = Filters(event_years=(2018, 2020))
    narrowed = queries.timeline_events(warehouse_cursor, window, 1000)
    assert 0 < len(narrowed) < len(everything)
    for r in narrowed.itertuples():
        last = r.end_year if pd.notna(r.end_year) else r.year
        assert r.year <= 2020 and last >= 2018
    expected = scalar(warehouse_cursor, "SELECT count(*) FROM events "
                                        "WHERE year <= 2020 AND coalesce(end_year, year) >= 2018")
    assert len(narrowed) == expected
    headline = queries.headline_figures(warehouse_cursor, window).iloc[0]
    assert headline["events"] == expected


def test_partial_dates_sit_mid_month_and_mid_year(warehouse_cursor: Con) -> None:
    events = queries.timeline_events(warehouse_cursor, Filters(), 1000)
    for r in events.itertuples():
        marker = pd.Timestamp(r.marker_date).date()
        if pd.isna(r.month):
            assert marker == dt.date(int(r.year), 7, 1)
        elif pd.isna(r.day):
            assert marker == dt.date(int(r.year), int(r.month), 15)
        else:
            assert marker == dt.date(int(r.year), int(r.month), int(r.day))
        if pd.notna(r.end_year):
            assert pd.Timestamp(r.span_end) >= pd.Timestamp(r.span_start)


def test_timeline_limit_keeps_the_most_recent_and_reports_the_total(
        warehouse_cursor: Con) -> None:
    limited = queries.timeline_events(warehouse_cursor, Filters(), 3)
    everything = queries.timeline_events(warehouse_cursor, Filters(), 1000)
    assert len(limited) == 3
    assert int(limited["total_events"].iloc[0]) == len(everything)
    assert list(limited["event_id"]) == list(everything["event_id"][:3])


def test_publication_years_and_outlets_choose_articles(warehouse_cursor: Con) -> None:
    in_2023 = scalar(warehouse_cursor,
                     "SELECT count(*) FROM articles WHERE year(published) = 2023")
    assert queries.article_count(warehouse_cursor, Filters(published_years=(2023, 2023))) == in_2023
    outlet = scalar(warehouse_cursor, "SELECT min(outlet) FROM articles")
    rows = queries.article_table(warehouse_cursor, Filters(outlets=(outlet,)), 50, 0)
    assert set(rows["outlet"]) == {outlet}


def test_theme_filter_narrows_articles_and_theme_charts(warehouse_cursor: Con) -> None:
    theme = scalar(warehouse_cursor, "SELECT theme FROM article_themes GROUP BY theme "
                                     "ORDER BY count(*), theme LIMIT 1")
    carrying = scalar(warehouse_cursor, "SELECT count(DISTINCT article_id) FROM article_themes "
                                        "WHERE theme = ?", [theme])
    only = Filters(themes=(theme,))
    assert queries.article_count(warehouse_cursor, only) == carrying
    assert list(queries.theme_frequency(warehouse_cursor, only)["theme"]) == [theme]
    assert set(queries.theme_by_year(warehouse_cursor, only)["theme"]) == {theme}


def test_initiative_filter_narrows_events_and_articles(warehouse_cursor: Con) -> None:
    only = Filters(initiatives=("CICA",))
    events = queries.timeline_events(warehouse_cursor, only, 1000)
    assert not events.empty and set(events["initiative_id"]) == {"CICA"}
    naming = scalar(warehouse_cursor, "SELECT count(DISTINCT article_id) FROM mentions "
                                      "WHERE initiative_id = 'CICA'")
    assert queries.article_count(warehouse_cursor, only) == naming


def test_event_type_filter_keeps_articles_reporting_such_an_event(warehouse_cursor: Con) -> None:
    event_type = scalar(warehouse_cursor, "SELECT min(event_type) FROM events")
    only = Filters(event_types=(event_type,))
    reporting = scalar(warehouse_cursor, "SELECT count(DISTINCT article_id) FROM events "
                                         "WHERE event_type = ?", [event_type])
    assert queries.article_count(warehouse_cursor, only) == reporting
    assert set(queries.timeline_events(warehouse_cursor, only, 100)["event_type"]) == {event_type}


def test_theme_frequency_is_hits_per_thousand_words_of_the_articles_in_view(
        warehouse_cursor: Con) -> None:
    frequency = queries.theme_frequency(warehouse_cursor, Filters()).set_index("theme")
    words = scalar(warehouse_cursor, "SELECT sum(word_count) FROM articles")
    for theme, hits, articles in warehouse_cursor.execute(
            "SELECT theme, sum(hits), count(*) FROM article_themes WHERE hits > 0 "
            "GROUP BY theme").fetchall():
        assert frequency.loc[theme, "per_1000_words"] == pytest.approx(1000 * hits / words)
        assert frequency.loc[theme, "articles"] == articles


def test_theme_by_year_has_a_row_per_year_with_articles(warehouse_cursor: Con) -> None:
    by_year = queries.theme_by_year(warehouse_cursor, Filters())
    years = {y for (y,) in warehouse_cursor.execute(
        "SELECT DISTINCT year(published) FROM articles WHERE published IS NOT NULL").fetchall()}
    assert set(by_year["year"]) == years
    themes = by_year["theme"].nunique()
    assert len(by_year) == len(years) * themes  # zero-hit cells are present, as 0


def test_themes_by_initiative_join_sentences_and_shares_sum_to_one(
        warehouse_cursor: Con) -> None:
    pairs = queries.themes_by_initiative(warehouse_cursor, Filters())
    assert not pairs.empty
    for _, group in pairs.groupby("initiative_id"):
        assert group["share"].sum() == pytest.approx(1.0)
    expected = scalar(warehouse_cursor, """
        SELECT count(*) FROM (SELECT DISTINCT m.article_id, m.sentence_no, st.theme
                              FROM mentions m JOIN sentence_themes st
                              USING (article_id, sentence_no) WHERE m.initiative_id = 'CICA')""")
    assert pairs.loc[pairs["initiative_id"] == "CICA", "sentences"].sum() == expected


def test_article_table_pages_and_lists_initiatives_and_themes(warehouse_cursor: Con) -> None:
    first = queries.article_table(warehouse_cursor, Filters(), 2, 0)
    second = queries.article_table(warehouse_cursor, Filters(), 2, 2)
    assert len(first) == 2 and not set(first["article_id"]) & set(second["article_id"])
    everything = queries.article_table(warehouse_cursor, Filters(), 100, 0)
    assert len(everything) == scalar(warehouse_cursor, "SELECT count(*) FROM articles")
    published = everything["published"].dropna()
    assert list(published) == sorted(published, reverse=True)  # newest first
    assert any(len(v) for v in everything["initiatives"] if v is not None)
    assert all(v is None or len(v) <= 3 for v in everything["top_themes"])


def test_reader_spans_point_at_their_words(warehouse_cursor: Con) -> None:
    article_id = scalar(warehouse_cursor, "SELECT article_id FROM mentions LIMIT 1")
    text = queries.article_text(warehouse_cursor, article_id)["text"].iloc[0]
    spans = queries.article_highlights(warehouse_cursor, article_id)
    assert {"mention", "date"} >= set(spans["kind"]) and "mention" in set(spans["kind"])
    for r in spans.itertuples():
        assert text[r.start_char:r.end_char] == r.span_text


def test_evidence_is_the_sentence_of_the_warehouse(warehouse_cursor: Con) -> None:
    event = queries.timeline_events(warehouse_cursor, Filters(), 1).iloc[0]
    evidence = queries.event_evidence(warehouse_cursor, event["event_id"]).iloc[0]
    sentence = scalar(warehouse_cursor, "SELECT text FROM sentences WHERE article_id = ? "
                                        "AND sentence_no = ?",
                      [evidence["article_id"], int(evidence["sentence_no"])])
    assert evidence["sentence"] == sentence
    assert evidence["title"] == scalar(warehouse_cursor, "SELECT title FROM articles WHERE "
                                                         "article_id = ?",
                                       [evidence["article_id"]])
    membership_id = scalar(warehouse_cursor, "SELECT min(membership_id) FROM memberships")
    assert len(queries.membership_evidence(warehouse_cursor, membership_id)) == 1
    assert queries.event_evidence(warehouse_cursor, "no-such-id").empty


def test_reference_lists_and_bounds(warehouse_cursor: Con) -> None:
    assert "CICA" in set(queries.initiative_list(warehouse_cursor)["initiative_id"])
    assert len(queries.theme_list(warehouse_cursor)) == scalar(warehouse_cursor,
                                                              "SELECT count(*) FROM themes")
    bounds = queries.year_bounds(warehouse_cursor).iloc[0]
    assert bounds["event_min"] <= 1992 and bounds["published_max"] >= 2023
    summary = queries.build_summary(warehouse_cursor).iloc[0]
    assert summary["build_id"] == scalar(warehouse_cursor, "SELECT value FROM warehouse_info "
                                                           "WHERE key = 'build_id'")
    assert summary["articles"] == 5
    assert set(queries.event_type_list(warehouse_cursor)["event_type"]) == {
        t for (t,) in warehouse_cursor.execute("SELECT DISTINCT event_type FROM events").fetchall()}
    assert queries.source_summary(warehouse_cursor, Filters())["articles"].sum() == 5
    assert dict(queries.warehouse_info(warehouse_cursor).values)["build_id"]


def test_most_mentioned_initiatives_never_share_a_colour(warehouse_cursor) -> None:
    from dashboard import theme

    order = list(queries.initiative_colour_order(warehouse_cursor)["initiative_id"])
    assert len(order) == len(set(order)) == len(queries.initiative_list(warehouse_cursor))
    colours = theme.colour_map(order, ranked=True)
    prominent = order[: len(theme.PALETTE)]
    assert len({colours[i] for i in prominent}) == len(prominent)
    assert {"CICA", "AIF", "IABS"} <= set(prominent)
