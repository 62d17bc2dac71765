"""Every dashboard query against a warehouse built by the real ETL from the shipped corpus.

Expected values come from the seed truth (CICA had 16 member states at its 2002 summit and 28
in 2023) or from independent SQL over the same warehouse, so the tests check the filtering
logic, not the extraction.
"""

from __future__ import annotations

import datetime as dt
import inspect
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import queries
from dashboard.filters import Filters
from etl import marts

Con = duckdb.DuckDBPyConnection


def scalar(con: Con, sql: str, params: list | None = None) -> object:
    return con.execute(sql, params or []).fetchone()[0]


def test_every_query_function_is_registered() -> None:
    """The registry (what the cache layer, these tests and the benchmark iterate) holds every
    function of `dashboard.queries` that takes a connection, under its own name."""
    exported = {name: f for name, f in inspect.getmembers(queries, inspect.isfunction)
                if list(inspect.signature(f).parameters)[:1] == ["con"]}
    assert set(exported) <= set(queries.QUERIES)  # a page's own module need not export
    for name, entry in queries.QUERIES.items():
        assert entry.function.__name__ == name
        assert entry.function is exported.get(name, entry.function)
    assert {n for n, e in queries.QUERIES.items() if e.filtered} >= {
        "headline_figures", "timeline_cells", "disagreement_claims", "search_sentences"}
    assert not queries.QUERIES["article_text"].filtered


def test_every_registered_example_runs(warehouse_cursor: Con) -> None:
    samples = queries.Samples.from_warehouse(warehouse_cursor)
    for entry in queries.QUERIES.values():
        for label, args in entry.calls(samples).items():
            before = (Filters(),) if entry.filtered else ()
            result = entry.function(warehouse_cursor, *before, *args)
            assert isinstance(result, pd.DataFrame | int | bool), label


def test_the_etl_built_every_mart_the_queries_read(warehouse_cursor: Con) -> None:
    assert queries.missing_marts(warehouse_cursor).empty
    # every mart table is read by the queries, but the one other marts are built from
    assert set(marts.MART_TABLES) - set(queries.in_view.MARTS) == {"event_restated"}


def test_rebuilding_the_marts_gives_the_same_tables(built_warehouse: Path,
                                                    tmp_path: Path) -> None:
    """The mart SQL is idempotent: applied again to a finished build, every mart is the same."""
    copy = tmp_path / "again.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        before = {t: con.execute(f"SELECT * FROM {t}").df() for t in marts.MART_TABLES}
        marts.build_marts(con)
        marts.build_marts(con)
        assert not marts.validate_marts(con)
        for table, frame in before.items():
            pd.testing.assert_frame_equal(frame, con.execute(f"SELECT * FROM {table}").df(),
                                          obj=table)


def test_a_warehouse_without_marts_is_reported_missing_them(built_warehouse: Path,
                                                            tmp_path: Path) -> None:
    copy = tmp_path / "old.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("DROP TABLE facet_claims")
        assert list(queries.missing_marts(con)["name"]) == ["facet_claims"]
        assert marts.validate_marts(con) == [("facet_claims", "mart not built")]


def test_a_mart_without_a_column_added_since_is_reported(built_warehouse: Path,
                                                         tmp_path: Path) -> None:
    """A warehouse whose marts an older ETL built lacks the columns added to them since: the
    dashboard names them (and refuses it with a rebuild message) instead of failing a query."""
    copy = tmp_path / "older.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("ALTER TABLE facet_articles DROP COLUMN article_key")
        assert list(queries.missing_marts(con)["name"]) == ["facet_articles.article_key"]
        con.execute("DROP TABLE facet_articles")
        assert list(queries.missing_marts(con)["name"]) == ["facet_articles"]


@pytest.mark.parametrize("odd_span", [None, (1850, None), (2024, 2003)],
                         ids=["years-masked", "years-joined", "span-ending-before-it-starts"])
def test_articles_reporting_an_event_in_the_years_are_the_same_either_way(
        built_warehouse: Path, tmp_path: Path, odd_span: tuple[int, int | None] | None) -> None:
    """An event-year filter narrows articles by a bit mask of the years their events cover,
    or (when an event lies outside the mask's 127 years) by a join with the events: both
    give the articles that report an event overlapping the range. A span ending before it
    starts (an edit of its first year can make one) covers its first year only, and keeps
    the mask."""
    copy = tmp_path / "years.duckdb"
    shutil.copyfile(built_warehouse, copy)
    if odd_span is not None:
        with duckdb.connect(str(copy)) as con:
            con.execute("INSERT INTO events SELECT * REPLACE ('odd-' || event_id AS event_id, "
                        "? AS year, ?::INTEGER AS end_year) FROM events LIMIT 1", list(odd_span))
            marts.build_marts(con)
    with duckdb.connect(str(copy), read_only=True) as con:
        exact = scalar(con, "SELECT exact FROM facet_event_years")
        assert bool(exact) is (odd_span is None or odd_span[0] > 1900)
        for years in [(2002, 2023), (2018, 2020), (2024, 2030), (1850, 1900), (1700, 1800),
                      (2004, 2010)]:
            expected = scalar(con, "SELECT count(DISTINCT article_id) FROM events WHERE year <= ? "
                                   "AND greatest(year, coalesce(end_year, year)) >= ?",
                              list(years)[::-1])
            assert queries.article_count(con, Filters(event_years=years)) == expected, years


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(event_years=(2002, 2023), published_years=(2020, 2025), themes=("security",),
            initiatives=("CICA",), event_types=("held", "first_held"),
            outlets=("NNN-Bernama",)),
    Filters(event_years=(1901, 1902)),
    Filters(themes=("no such theme",), outlets=("x' OR '1'='1",)),
    Filters(confidence_floor=75, event_years=(2000, 2025)),
], ids=["none", "all", "empty-years", "unknown-values", "confidence-floor"])
def test_every_filtered_query_runs_under_any_filter_combination(
        warehouse_cursor: Con, filters: Filters) -> None:
    """Whatever the filters, each query answers in the shape it has without them: the same
    columns in the same order (the pages index them by name), or a count no larger."""
    samples = queries.Samples.from_warehouse(warehouse_cursor)
    for entry in queries.QUERIES.values():
        if not entry.filtered:
            continue
        for label, args in entry.calls(samples).items():
            result = entry.function(warehouse_cursor, filters, *args)
            unfiltered = entry.function(warehouse_cursor, Filters(), *args)
            if isinstance(unfiltered, int):
                assert isinstance(result, int) and 0 <= result <= unfiltered, label
            else:
                assert list(result.columns) == list(unfiltered.columns), label


def test_confidence_floor_hides_weak_events_and_figures_but_not_articles(
        warehouse_cursor: Con) -> None:
    floor = Filters(confidence_floor=80)
    strong_events = scalar(warehouse_cursor, "SELECT count(*) FROM events WHERE confidence >= 0.8")
    strong_figures = scalar(warehouse_cursor,
                            "SELECT count(*) FROM memberships WHERE confidence >= 0.8 AND "
                            "initiative_id = 'CICA' AND kind = 'member_states' "
                            "AND year IS NOT NULL")
    assert strong_events < scalar(warehouse_cursor, "SELECT count(*) FROM events")
    assert queries.timeline_cells(warehouse_cursor, floor)["events"].sum() == strong_events
    assert queries.headline_figures(warehouse_cursor, floor).iloc[0]["events"] == strong_events
    assert queries.membership_points(warehouse_cursor, floor, "CICA", "member_states"
                                     )["reports"].sum() == strong_figures
    assert queries.article_count(warehouse_cursor, floor) == \
        queries.article_count(warehouse_cursor, Filters())


def test_evidence_rows_say_how_the_fact_was_read(warehouse_cursor: Con) -> None:
    event_id = scalar(warehouse_cursor, "SELECT event_id FROM events ORDER BY event_id LIMIT 1")
    row = queries.event_evidence(warehouse_cursor, event_id).iloc[0]
    assert row["rule_label"] and row["date_label"] and 0 < row["confidence"] <= 1
    page = queries.point_reports(warehouse_cursor, Filters(), "CICA", "member_states", 2002, 16,
                                 10, 0)
    assert page["rule_label"].notna().all() and page["confidence"].between(0, 1).all()


def test_a_filter_that_matches_nothing_gives_empty_results_not_errors(
        warehouse_cursor: Con) -> None:
    nothing = Filters(event_years=(1901, 1902))
    assert queries.timeline_cells(warehouse_cursor, nothing).empty
    assert queries.article_count(warehouse_cursor, nothing) == 0
    assert queries.theme_frequency(warehouse_cursor, nothing).empty
    figures = queries.headline_figures(warehouse_cursor, nothing).iloc[0]
    assert figures["articles"] == 0 and figures["events"] == 0


def test_values_are_bound_as_parameters_never_spliced_into_sql(warehouse_cursor: Con) -> None:
    injected = Filters(outlets=("x' OR '1'='1",), themes=("security' --",))
    assert queries.article_count(warehouse_cursor, injected) == 0


def test_cica_membership_points_reported_in_articles(warehouse_cursor: Con) -> None:
    points = queries.membership_points(warehouse_cursor, Filters(), "CICA", "member_states")
    pairs = {(int(r.year), int(r.count)) for r in points.itertuples()}
    assert {(2002, 16), (2023, 28)} <= pairs
    dated = scalar(warehouse_cursor, "SELECT count(*) FROM memberships WHERE initiative_id = "
                                     "'CICA' AND kind = 'member_states' AND year IS NOT NULL")
    assert points["reports"].sum() == dated  # every dated figure counted once
    for r in points.itertuples():
        assert str(r.count) in r.sentence or str(r.count_text) in r.sentence  # traceable
        assert (r.membership_id is not None) == (r.reports == 1)
    first_summit = points[(points["year"] == 2002) & (points["count"] == 16)].iloc[0]
    assert first_summit["reference_count"] == 16  # the reference agrees for 2002


def test_point_reports_page_the_figures_behind_a_point(warehouse_cursor: Con) -> None:
    reports = queries.point_reports(warehouse_cursor, Filters(), "CICA", "member_states", 2002,
                                    16, 10, 0)
    assert len(reports) == int(reports["total"].iloc[0]) >= 1
    assert set(reports["count"]) == {16} and set(reports["year"]) == {2002}
    assert reports["sentence"].str.contains("16").all()
    assert queries.point_reports(warehouse_cursor, Filters(), "CICA", "member_states", 2002, 16,
                                 10, 10).empty
    undated = queries.point_reports(warehouse_cursor, Filters(), "CICA", "member_states", None,
                                    None, 10, 0)
    assert undated["year"].isna().all()


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
    only_2002 = queries.membership_points(warehouse_cursor, Filters(event_years=(2002, 2002)),
                                          "CICA", "member_states")
    assert set(only_2002["year"]) == {2002}


def test_event_year_range_changes_counts_and_keeps_overlapping_spans(
        warehouse_cursor: Con) -> None:
    everything = queries.timeline_cells(warehouse_cursor, Filters())
    assert everything["events"].sum() == scalar(warehouse_cursor, "SELECT count(*) FROM events")
    window = Filters(event_years=(2018, 2020))
    narrowed = queries.timeline_cells(warehouse_cursor, window)
    assert 0 < narrowed["events"].sum() < everything["events"].sum()
    expected = scalar(warehouse_cursor, "SELECT count(*) FROM events "
                                        "WHERE year <= 2020 AND coalesce(end_year, year) >= 2018")
    assert narrowed["events"].sum() == expected
    for r in narrowed.itertuples():
        assert r.year <= 2020
        assert r.year >= 2018 or pd.notna(r.span_end)  # an earlier start only for a span
    headline = queries.headline_figures(warehouse_cursor, window).iloc[0]
    assert headline["events"] == expected


def test_timeline_cells_count_every_event_and_article_per_initiative_type_and_year(
        warehouse_cursor: Con) -> None:
    cells = queries.timeline_cells(warehouse_cursor, Filters())
    expected = warehouse_cursor.execute("""
        SELECT initiative_id, event_type, year, count(*) AS events,
               count(DISTINCT article_id) AS articles
        FROM events GROUP BY ALL ORDER BY ALL""").df()
    got = cells[["initiative_id", "event_type", "year", "events", "articles"]]
    pd.testing.assert_frame_equal(got.sort_values(["initiative_id", "event_type", "year"])
                                  .reset_index(drop=True), expected, check_dtype=False)
    assert cells["events"].gt(1).any(), "the corpus should have a cell of several events"
    for r in cells.itertuples():
        assert isinstance(r.sentence, str) and r.sentence  # every cell cites a sentence
        assert (r.event_id == r.example_event_id) if r.events == 1 else pd.isna(r.event_id)
        assert r.first_date <= r.last_date


@pytest.mark.parametrize("heads_kept", [0, 2], ids=["no-heads", "every-other-head"])
def test_a_cell_cites_the_same_example_past_its_heads(built_warehouse: Path, tmp_path: Path,
                                                      heads_kept: int) -> None:
    """A cell's example is read from `facet_event_heads` (the first events of each cell) or,
    when its first event in view is not among them, from the full tables: the timeline is
    the same either way, unfiltered and filtered."""
    copy = tmp_path / "heads.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # none left, or every other one: some cells cite from the heads, some from past them
        con.execute("DELETE FROM facet_event_heads WHERE $kept = 0 OR event_no % $kept = 0",
                    {"kept": heads_kept})
    some_years = Filters(event_years=(2010, 2024))
    with duckdb.connect(str(built_warehouse), read_only=True) as full, \
            duckdb.connect(str(copy), read_only=True) as pruned:
        assert scalar(pruned, "SELECT count(*) FROM facet_event_heads") < scalar(
            full, "SELECT count(*) FROM facet_event_heads")
        for filters in (Filters(), some_years, Filters(by_article=True)):
            expected = queries.timeline_cells(full, filters)
            assert not expected.empty and expected["sentence"].map(bool).all()
            pd.testing.assert_frame_equal(queries.timeline_cells(pruned, filters), expected)


def test_partial_dates_sit_mid_month_and_mid_year(warehouse_cursor: Con) -> None:
    cells = queries.timeline_cells(warehouse_cursor, Filters())
    for r in cells[cells["events"] == 1].itertuples():
        marker = pd.Timestamp(r.first_date).date()
        if pd.isna(r.month):
            assert marker == dt.date(int(r.year), 7, 1)
        elif pd.isna(r.day):
            assert marker == dt.date(int(r.year), int(r.month), 15)
        else:
            assert marker == dt.date(int(r.year), int(r.month), int(r.day))
        if pd.notna(r.end_year):
            assert pd.Timestamp(r.span_end) >= pd.Timestamp(r.span_start)


def test_cell_events_page_the_sentences_behind_a_cell(warehouse_cursor: Con) -> None:
    cells = queries.timeline_cells(warehouse_cursor, Filters())
    cell = cells.sort_values(["events", "initiative_id"], ascending=[False, True]).iloc[0]
    args = (cell["initiative_id"], cell["event_type"], int(cell["year"]))
    first = queries.cell_events(warehouse_cursor, Filters(), *args, 1, 0)
    rest = queries.cell_events(warehouse_cursor, Filters(), *args, 100, 1)
    assert len(first) == 1 and len(rest) == cell["events"] - 1
    assert int(first["total"].iloc[0]) == cell["events"]
    assert int(first["articles"].iloc[0]) == cell["articles"]
    assert first["event_id"].iloc[0] == cell["example_event_id"]  # the example is page 1's
    assert not set(first["event_id"]) & set(rest["event_id"])
    everything = pd.concat([first, rest])
    assert set(everything["event_type"]) == {cell["event_type"]}
    assert everything["sentence"].map(bool).all() and everything["title"].notna().any()
    # newest article first
    published = list(everything["published"].dropna())
    assert published == sorted(published, reverse=True)


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
    cells = queries.timeline_cells(warehouse_cursor, only)
    assert not cells.empty and set(cells["initiative_id"]) == {"CICA"}
    naming = scalar(warehouse_cursor, "SELECT count(DISTINCT article_id) FROM mentions "
                                      "WHERE initiative_id = 'CICA'")
    assert queries.article_count(warehouse_cursor, only) == naming


def test_event_type_filter_keeps_articles_reporting_such_an_event(warehouse_cursor: Con) -> None:
    event_type = scalar(warehouse_cursor, "SELECT min(event_type) FROM events")
    only = Filters(event_types=(event_type,))
    reporting = scalar(warehouse_cursor, "SELECT count(DISTINCT article_id) FROM events "
                                         "WHERE event_type = ?", [event_type])
    assert queries.article_count(warehouse_cursor, only) == reporting
    assert set(queries.timeline_cells(warehouse_cursor, only)["event_type"]) == {event_type}


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
    event = queries.timeline_cells(warehouse_cursor, Filters()).iloc[0]
    evidence = queries.event_evidence(warehouse_cursor, event["example_event_id"]).iloc[0]
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


def test_theme_sentences_quote_the_sentence_and_the_keywords_it_matched(
        warehouse_cursor: Con) -> None:
    cited = queries.theme_sentences(warehouse_cursor, Filters(), 3)
    assert not cited.empty and (cited.groupby("theme")["theme_rank"].max() <= 3).all()
    for r in cited.itertuples():
        key = [r.article_id, int(r.sentence_no)]
        assert r.sentence == scalar(warehouse_cursor, "SELECT text FROM sentences WHERE "
                                                      "article_id = ? AND sentence_no = ?", key)
        assert r.keywords == scalar(warehouse_cursor, """
            SELECT string_agg(DISTINCT keyword, ', ' ORDER BY keyword) FROM sentence_themes
            WHERE article_id = ? AND sentence_no = ? AND theme = ?""", [*key, r.theme])


def test_a_theme_chart_cites_no_more_sentences_than_each_article_keeps() -> None:
    from dashboard import data
    from etl import extract

    assert data.THEME_SENTENCES_PER_THEME <= extract.EXAMPLES_PER_THEME


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


def test_every_queries_module_registers_without_an_entry_in_the_package() -> None:
    """A page's new queries module needs no import in dashboard/queries/__init__.py."""
    import pkgutil
    import sys

    import dashboard.queries as package

    modules = [m.name for m in pkgutil.iter_modules(package.__path__)]
    assert {"overview", "timeline", "membership", "topics"} <= set(modules)
    assert all(f"dashboard.queries.{name}" in sys.modules for name in modules)
    registered_in = {q.function.__module__ for q in package.QUERIES.values()}
    assert registered_in <= {f"dashboard.queries.{name}" for name in modules}


@pytest.mark.parametrize("by_article", [False, True], ids=["by-story", "by-article"])
def test_the_timeline_with_no_filter_is_the_same_from_its_parts(
        warehouse_cursor: duckdb.DuckDBPyConnection, by_article: bool) -> None:
    """With no filter set the Timeline's cells are summed from `facet_timeline_parts`; an
    event-year range holding every year reads the events themselves, cell for cell the same."""
    from_parts = queries.timeline_cells(warehouse_cursor, Filters(by_article=by_article))
    every_year = Filters(event_years=(1900, 2100), by_article=by_article)
    assert every_year.narrows
    from_events = queries.timeline_cells(warehouse_cursor, every_year)
    assert len(from_parts) > 5
    pd.testing.assert_frame_equal(from_parts, from_events)
