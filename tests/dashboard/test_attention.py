"""Attention over time: the queries count what a direct SQL count does (day, week, month; as
counts and as shares), the chart builder draws what it is given, the page switches grain and
measure, caps the series at five, lists a point's articles and keeps it all in the URL, and the
Overview shows the compact chart and the feeds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import queries
from dashboard.charts.attention import attention_figure, auto_grain, period_label
from dashboard.charts.framing import ChartContext
from dashboard.filters import Filters
from dashboard.marks import AttentionPoint
from tests.dashboard.test_app import charts, open_app, plain

Con = duckdb.DuckDBPyConnection
CONTEXT = ChartContext("Attention over time", "All articles", "Source: test", "attention")
QUERY = queries.QUERIES


def direct_count(con: Con, grain: str, initiative: str, period: dt.date,
                 published_years: tuple[int, int] | None = None) -> int:
    """Articles naming `initiative` dated (precisely enough) in the period, counted directly
    from `articles` and `mentions`."""
    precise = ["day"] if grain in ("day", "week") else ["day", "month"]
    years = "" if published_years is None else (
        f" AND year(a.published) BETWEEN {published_years[0]} AND {published_years[1]}")
    row = con.execute(f"""
        SELECT count(DISTINCT a.article_id) FROM articles AS a
        JOIN mentions AS m USING (article_id)
        WHERE m.initiative_id = ? AND date_trunc(?, a.published)::DATE = ?
          AND list_contains(?, a.published_precision){years}""",
                      [initiative, grain, period, precise]).fetchone()
    assert row is not None
    return int(row[0])


def direct_total(con: Con, grain: str, period: dt.date) -> int:
    precise = ["day"] if grain in ("day", "week") else ["day", "month"]
    row = con.execute("""
        SELECT count(*) FROM articles WHERE date_trunc(?, published)::DATE = ?
          AND list_contains(?, published_precision)""", [grain, period, precise]).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_counts_and_shares_equal_a_direct_count(warehouse_cursor: Con, grain: str) -> None:
    series = ("CICA", "AIF")
    result = QUERY["attention_series"].function(warehouse_cursor, Filters(), grain,
                                                "initiatives", series)
    assert set(result["series_id"]) == set(series)
    assert int(result["articles"].sum()) > 0
    for row in result.itertuples():
        period = pd.Timestamp(row.period).date()
        assert row.articles == direct_count(warehouse_cursor, grain, row.series_id, period)
        assert row.total == direct_total(warehouse_cursor, grain, period)
        if row.total:
            assert row.share == pytest.approx(row.articles / row.total)
        else:
            assert pd.isna(row.share)
    # every period from the first to the last is listed once per series
    per_series = result.groupby("series_id")["period"].apply(list)
    assert per_series["CICA"] == per_series["AIF"] == sorted(per_series["CICA"])


def test_filters_narrow_the_counts(warehouse_cursor: Con) -> None:
    filters = Filters(published_years=(2023, 2023))
    result = QUERY["attention_series"].function(warehouse_cursor, filters, "month",
                                                "initiatives", ("CICA",))
    assert {pd.Timestamp(p).year for p in result["period"]} == {2023}
    for row in result.itertuples():
        assert row.articles == direct_count(warehouse_cursor, "month", "CICA",
                                            pd.Timestamp(row.period).date(), (2023, 2023))


def test_themes_count_articles_carrying_them(warehouse_cursor: Con) -> None:
    result = QUERY["attention_series"].function(warehouse_cursor, Filters(), "month", "themes",
                                                ("security",))
    row = warehouse_cursor.execute("""
        SELECT count(*) FROM articles WHERE list_contains(['day', 'month'], published_precision)
          AND article_id IN (SELECT article_id FROM article_themes WHERE theme = 'security')
        """).fetchone()
    assert row is not None and int(result["articles"].sum()) == int(row[0])


def test_the_articles_of_a_point_are_those_counted(warehouse_cursor: Con) -> None:
    result = QUERY["attention_series"].function(warehouse_cursor, Filters(), "month",
                                                "initiatives", ("CICA",))
    busiest = result.sort_values("articles", ascending=False).iloc[0]
    period = pd.Timestamp(busiest["period"]).date()
    listed = QUERY["attention_articles"].function(warehouse_cursor, Filters(), "month",
                                                  "initiatives", "CICA", period, 10, 0)
    assert len(listed) == int(listed["total"].iloc[0]) == int(busiest["articles"])
    assert all("CICA" in list(names) for names in listed["initiatives"])
    page_two = QUERY["attention_articles"].function(warehouse_cursor, Filters(), "month",
                                                    "initiatives", "CICA", period, 10, 10)
    assert page_two.empty


def test_leaders_and_events(warehouse_cursor: Con) -> None:
    leaders = QUERY["attention_leaders"].function(warehouse_cursor, Filters(), "initiatives", 3)
    assert list(leaders["series_id"])[0] == "CICA" and len(leaders) == 3
    events = QUERY["attention_events"].function(warehouse_cursor, Filters(), ("CICA", "AIF"))
    assert set(events["initiative_id"]) <= {"CICA", "AIF"}
    row = warehouse_cursor.execute("""
        SELECT count(*) FROM curated_events
        WHERE initiative_id IN ('CICA', 'AIF') AND month IS NOT NULL""").fetchone()
    assert row is not None and int(events["reports"].sum()) == int(row[0])


# --- the chart builder -------------------------------------------------------------------------


def frame_of(series: dict[str, list[int]], totals: list[int], left_out: int = 0) -> pd.DataFrame:
    periods = pd.date_range("2022-09-01", periods=len(totals), freq="MS")
    rows = [{"period": p, "series_id": s, "label": s, "articles": n, "total": t,
             "share": n / t if t else None, "left_out": left_out}
            for s, counts in series.items()
            for p, n, t in zip(periods, counts, totals, strict=True)]
    return pd.DataFrame(rows)


def test_the_chart_draws_a_line_per_series_with_clickable_points() -> None:
    counts = frame_of({"CICA": [1, 4, 0], "AIF": [0, 1, 2]}, [2, 5, 0], left_out=3)
    events = pd.DataFrame([{"initiative_id": "CICA", "initiative_label": "CICA",
                            "event_type": "held", "marker_date": dt.date(2022, 10, 13),
                            "reports": 2, "articles": 2, "sentence": "CICA <b>met</b>."}])
    colours = {"CICA": "#0072B2", "AIF": "#E69F00"}
    figure = attention_figure(counts, events, "articles", "month", colours, CONTEXT)
    lines = {t.name: t for t in figure.data if t.mode == "lines+markers"}
    assert set(lines) == {"CICA", "AIF"} and lines["CICA"].line.color == "#0072B2"
    assert list(lines["CICA"].y) == [1, 4, 0]
    assert lines["CICA"].customdata[1][0] == "CICA@2022-10-01"
    assert AttentionPoint.parse(lines["CICA"].customdata[1][0]) == AttentionPoint(
        "CICA", dt.date(2022, 10, 1))
    assert lines["CICA"].xperiod == "M1" and lines["CICA"].xperiodalignment == "middle"
    (marks,) = [t for t in figure.data if t.name == "Dated events"]
    assert marks.yaxis == "y2" and marks.x == ("2022-10-13",)
    assert "&lt;b&gt;met" in marks.customdata[0][1]  # article text is escaped
    assert [s.x0 for s in figure.layout.shapes] == ["2022-10-13"]
    assert "3 articles in view undated" in next(
        a.text for a in figure.layout.annotations if a.name == "left_out")
    assert figure.layout.title.text == "<b>Attention over time</b>"


def test_shares_are_percentages_with_gaps_where_nothing_was_published() -> None:
    counts = frame_of({"CICA": [1, 4, 0]}, [2, 5, 0])
    figure = attention_figure(counts, pd.DataFrame(), "share", "week", {}, CONTEXT)
    (line,) = figure.data
    assert list(line.y) == [0.5, 0.8, None]
    assert figure.layout.yaxis.tickformat == ".0%"
    assert line.xperiod0 == "2000-01-03"  # weeks start on Mondays
    assert not figure.layout.shapes


def test_grain_labels_and_the_automatic_choice() -> None:
    assert auto_grain("2024-01-01", "2024-02-15") == "day"
    assert auto_grain("2023-01-01", "2024-06-01") == "week"
    assert auto_grain("2020-12-01", "2025-06-01") == "month"
    assert auto_grain(None, None) == "month"
    assert period_label("2022-10-10", "week") == "week of 10 Oct 2022"
    assert period_label("2022-10-01", "month") == "Oct 2022"
    assert attention_figure(pd.DataFrame(), pd.DataFrame(), "articles", "day", {},
                            CONTEXT).layout.annotations[0].text == "No dated article in view."


# --- the page ----------------------------------------------------------------------------------


def chart(at: object) -> object:
    figures = charts(at)  # type: ignore[arg-type]
    return next(f for title, f in figures.items() if title.startswith("Attention over time"))


def lines_of(figure: object) -> list[str]:
    return [t.name for t in figure.data if t.mode == "lines+markers"]  # type: ignore[attr-defined]


def test_the_page_draws_the_most_covered_initiatives_and_switches_grain(app_env: Path) -> None:
    at = open_app("attention")
    figure = chart(at)
    assert "CICA" in lines_of(figure) and len(lines_of(figure)) == 3
    assert figure.layout.xaxis.title.text == "Publication date, by month"  # 2020-2025: months
    at.segmented_control(key="attention_grain").set_value("week").run()
    assert not at.exception
    assert chart(at).layout.xaxis.title.text == "Publication date, by week"
    assert at.query_params["grain"] == "week"
    at.segmented_control(key="attention_count").set_value("share").run()
    assert chart(at).layout.yaxis.tickformat == ".0%"
    assert at.query_params["count"] == "share"


def test_a_link_reopens_series_grain_measure_and_a_points_articles(app_env: Path) -> None:
    at = open_app("attention", series="CICA,AIF", grain="month", count="share",
                  point="CICA@2023-10-01")
    figure = chart(at)
    assert sorted(lines_of(figure)) == ["AIF", "CICA"]
    assert figure.layout.yaxis.tickformat == ".0%"
    assert at.multiselect(key="attention_series_pick").value == ["CICA", "AIF"]
    headline = [plain(m.value) for m in at.markdown if "CICA, Oct 2023" in plain(m.value)]
    assert headline and "1 article" in headline[0]
    cards = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "im-article" in cards
    # closing the list takes the point out of the link
    at.button(key="attention_close_articles").click().run()
    assert "point" not in at.query_params


def test_at_most_five_series_are_compared(app_env: Path) -> None:
    six = "CICA,AIF,IABS,IOFS,OIC,TITR"
    at = open_app("attention", series=six)
    assert len(lines_of(chart(at))) == 5
    assert any("At most 5 series" in i.value for i in at.info)
    assert at.multiselect(key="attention_series_pick").max_selections == 5


def test_themes_can_be_compared(app_env: Path) -> None:
    at = open_app("attention", compare="themes", series="security,economy")
    figure = chart(at)
    assert sorted(lines_of(figure)) == ["Economy", "Security"]
    assert not [t for t in figure.data if t.name == "Dated events"]


def test_a_point_without_articles_names_its_series_and_period(app_env: Path) -> None:
    at = open_app("attention", point="CICA@1901-01-01")
    assert any("No article in view covers CICA in Jan 1901" in i.value for i in at.info), [
        i.value for i in at.info]
    assert not at.exception


def test_the_overview_shows_attention_and_an_empty_feed_panel(app_env: Path) -> None:
    at = open_app()
    assert "Attention over time" in charts(at)
    assert any(s.value == "Feeds" for s in at.subheader)
    assert any("No feed has been fetched yet" in c.value for c in at.caption)


def test_the_overview_lists_each_feeds_last_fetch(built_warehouse: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "warehouse.duckdb"
    db.write_bytes(built_warehouse.read_bytes())
    with duckdb.connect(str(db)) as con:
        con.execute("""INSERT INTO feeds (feed, url, outlet, last_fetched, last_status,
                       items_listed, new_articles, total_articles, last_new_at) VALUES
                       ('Loopback news', 'http://127.0.0.1/feed.xml', 'Loopback News',
                        TIMESTAMP '2026-11-30 08:00:00', 'ok', 4, 2, 9,
                        TIMESTAMP '2026-11-30 08:00:00')""")
    monkeypatch.setenv("IM_DB_PATH", str(db))
    at = open_app()
    (table,) = [d.value for d in at.dataframe if "Feed" in d.value.columns]
    assert list(table["Feed"]) == ["Loopback news"]
    assert list(table["New articles"]) == [2] and list(table["All articles"]) == [9]
    assert json.dumps(str(table["Last fetched (UTC)"].iloc[0])).startswith('"2026-11-30')
