"""One AppTest per page, on a warehouse built by the real ETL (IM_DB_PATH points at it).

Each page: renders without an exception, a filter change changes what it shows, URL query
parameters set the filters and a filter change writes them back, and a filter combination that
matches nothing shows a clear message.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from etl.settings import PROJECT_ROOT

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
TIMEOUT = 60


def open_app(page: str | None = None, **params: str | list[str]) -> AppTest:
    """Open a link: the app on `page` (a file in app_pages/) with these URL parameters."""
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.query_params.update(params)
    if page is not None:
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _decode_arrays(value: Any) -> Any:
    """Plotly's JSON sends numeric arrays as base64 ('bdata'); turn them back into lists."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
            return array.tolist()
        return {k: _decode_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_arrays(v) for v in value]
    return value


def charts(at: AppTest) -> dict[str, go.Figure]:
    """The page's Plotly figures as sent to the browser, by title (without its markup)."""
    figures = {}
    for element in at.get("plotly_chart"):
        spec = _decode_arrays(json.loads(element.proto.spec))
        figure = go.Figure(spec, skip_invalid=True)
        title = figure.layout.title.text.replace("<b>", "").replace("</b>", "")
        figures[title] = figure
    return figures


def trace(figure: go.Figure, name: str) -> Any:
    """The trace called `name`."""
    return next(t for t in figure.data if t.name == name)


def marks(figure: go.Figure) -> list[list[Any]]:
    """customdata of every mark of a figure."""
    return [list(c) for t in figure.data if t.customdata is not None for c in t.customdata]


def plain(markdown: str) -> str:
    """Markdown source as the reader sees it (the app escapes every special character)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def info_text(at: AppTest) -> str:
    return plain(" ".join(i.value for i in at.info))


def html_text(at: AppTest) -> str:
    return " ".join(h.value for h in at.get("html"))


@pytest.fixture(autouse=True)
def _warehouse(app_env: Path) -> None:
    """Every AppTest here reads the session warehouse."""


# --- Overview --------------------------------------------------------------------------------


def test_overview_shows_the_corpus_at_a_glance() -> None:
    at = open_app()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Articles"] == "5"
    assert int(metrics["Dated events"]) > 0
    assert set(charts(at)) == {"Dated events per year", "Top 8 themes", "Attention over time"}
    freshness = " ".join(c.value for c in at.caption)
    assert "Warehouse built" in freshness and "5 articles published" in freshness


def test_overview_follows_the_publication_year_filter_and_writes_the_url(
        built_warehouse: Path) -> None:
    at = open_app()
    at.slider(key="filter_published_years").set_value((2023, 2023)).run()
    in_2023 = duckdb.connect(str(built_warehouse), read_only=True).execute(
        "SELECT count(*) FROM articles WHERE year(published) = 2023").fetchone()[0]
    assert {m.label: m.value for m in at.metric}["Articles"] == str(in_2023)
    assert at.query_params["py"] == "2023"
    subtitle = charts(at)["Dated events per year"].layout.title.subtitle.text
    assert subtitle == "Published 2023"


def test_overview_reads_filters_from_the_url() -> None:
    at = open_app(outlet="NNN-Bernama")
    assert {m.label: m.value for m in at.metric}["Articles"] == "1"
    assert at.multiselect(key="filter_outlets").value == ["NNN-Bernama"]
    assert "Outlets: NNN-Bernama" in plain(" ".join(c.value for c in at.sidebar.caption))


def test_overview_empty_state() -> None:
    at = open_app(py="1950-1951")
    assert "No articles match these filters" in info_text(at)
    assert not at.metric


def test_overview_lists_possible_new_initiatives_with_their_sentences(
        candidate_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_DB_PATH", str(candidate_warehouse))
    at = open_app()
    assert "Possible new initiatives" in [h.value for h in at.subheader]
    guide = plain(" ".join(c.value for c in at.caption))
    assert "data/reference/initiatives.toml" in guide
    labels = [plain(e.label) for e in at.expander]
    # two spellings, once each: the first alphabetically names it
    centre = next(label for label in labels if label.startswith("Regional Center for Glacier"))
    assert "2 sentences" in centre and "proposed" in centre and "hosts" in centre
    assert any(label.startswith("Steppe Seed Bank") for label in labels)
    shown = html_text(at)
    assert "Delegates toured the Astana-based Regional Center for Glacier Monitoring" in shown
    assert "&lt;for&gt;" in shown and "<for>" not in shown  # article text stays text
    # the list follows the article filters
    narrowed = open_app(outlet="NNN-Bernama")
    assert not any("Glacier" in plain(e.label) for e in narrowed.expander)


def test_overview_says_when_there_is_no_possible_new_initiative() -> None:
    at = open_app()
    assert "Possible new initiatives" in [h.value for h in at.subheader]
    assert "No article in view names a body" in " ".join(c.value for c in at.caption)


def test_confidence_floor_hides_weak_facts_and_stays_in_the_url(built_warehouse: Path) -> None:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    total, strong = con.execute("SELECT count(*), count(*) FILTER (WHERE confidence >= 0.8) "
                                "FROM events").fetchone()
    assert 0 < strong < total
    at = open_app()
    assert at.slider(key="filter_confidence").value == 0  # default: show every fact
    assert {m.label: m.value for m in at.metric}["Dated events"] == f"{total:,}"
    at.slider(key="filter_confidence").set_value(80).run()
    assert {m.label: m.value for m in at.metric}["Dated events"] == f"{strong:,}"
    assert {m.label: m.value for m in at.metric}["Articles"] == "5"  # articles stay
    assert at.query_params["conf"] == "80"
    assert "Confidence ≥ 80%" in plain(" ".join(c.value for c in at.sidebar.caption))
    linked = open_app(conf="80")
    assert linked.slider(key="filter_confidence").value == 80
    assert {m.label: m.value for m in linked.metric}["Dated events"] == f"{strong:,}"


def test_reset_clears_every_filter() -> None:
    at = open_app(theme="security", ey="2002-2010")
    at.button(key="reset_filters").click().run()
    assert at.query_params == {}
    assert at.multiselect(key="filter_themes").value == []


def test_presentation_mode_hides_the_controls_and_stays_in_the_url() -> None:
    at = open_app(present="1")
    assert not at.sidebar.multiselect and not at.download_button
    assert at.query_params["present"] == "1"
    at.button(key="leave_presentation").click().run()
    assert "present" not in at.query_params
    assert at.sidebar.multiselect and at.download_button


def test_filters_survive_moving_between_pages() -> None:
    at = open_app(theme="security")
    at.switch_page("app_pages/articles.py").run()
    assert at.query_params["theme"] == "security"
    assert at.multiselect(key="filter_themes").value == ["security"]


# --- Timeline --------------------------------------------------------------------------------


def test_timeline_counts_every_event_and_a_year_filter_narrows_it(built_warehouse: Path) -> None:
    at = open_app("timeline")
    figure = charts(at)["Timeline of Kazakhstan's initiatives"]
    con = duckdb.connect(str(built_warehouse), read_only=True)
    cells = con.execute("SELECT count(*) FROM (SELECT DISTINCT initiative_id, event_type, year "
                        "FROM events)").fetchone()[0]
    assert len(marks(figure)) == cells  # one mark per initiative, event type and year
    assert "most recent" not in " ".join(c.value for c in at.caption)  # nothing cut
    at.slider(key="filter_event_years").set_value((2018, 2020)).run()
    assert at.query_params["ey"] == "2018-2020"
    narrowed = charts(at)["Timeline of Kazakhstan's initiatives"]
    assert 0 < len(marks(narrowed)) < cells
    assert narrowed.layout.title.subtitle.text == "Events 2018–2020"


def test_timeline_evidence_panel_from_a_link(built_warehouse: Path) -> None:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    event_id, sentence, title = con.execute(
        "SELECT e.event_id, e.sentence, a.title FROM events e JOIN articles a USING (article_id)"
        " WHERE a.title IS NOT NULL ORDER BY e.event_id LIMIT 1").fetchone()
    at = open_app("timeline", event=event_id)
    shown = html_text(at)
    assert sentence.replace("&", "&amp;")[:60].replace("<", "&lt;") in shown
    assert title.replace("&", "&amp;").replace("'", "&#x27;")[:30] in shown
    assert at.query_params["event"] == event_id
    assert "How it was read:" in shown and "confidence: " in shown
    at.button(key="timeline_close_evidence").click().run()
    assert "event" not in at.query_params


def _fullest_cell(con: duckdb.DuckDBPyConnection) -> tuple[str, str, int, int]:
    return con.execute("""
        SELECT initiative_id, event_type, year, count(*) AS n FROM events GROUP BY ALL
        ORDER BY n DESC, initiative_id, event_type, year LIMIT 1""").fetchone()


def test_a_mark_of_several_events_opens_their_sentences_a_page_at_a_time(
        built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_EVIDENCE_PAGE_SIZE", "1")
    con = duckdb.connect(str(built_warehouse), read_only=True)
    initiative, event_type, year, count = _fullest_cell(con)
    assert count > 1, "the corpus should have a cell of several events"
    key = f"{initiative}.{event_type}.{year}"
    sentences = [s for (s,) in con.execute(
        "SELECT sentence FROM events WHERE initiative_id = ? AND event_type = ? AND year = ?",
        [initiative, event_type, year]).fetchall()]
    # the chart offers the cell's key as the mark's id
    figure = charts(open_app("timeline"))["Timeline of Kazakhstan's initiatives"]
    assert key in {m[0] for m in marks(figure)}

    at = open_app("timeline", event=key)
    cards = [h for h in at.get("html") if "im-evidence" in h.value]
    assert len(cards) == 1  # one sentence a page
    first = cards[0].value
    picker = at.number_input(key="timeline_evidence_page")
    assert picker.max == count and picker.value == 1
    picker.set_value(2).run()
    assert at.query_params["epage"] == "2"
    second = [h.value for h in at.get("html") if "im-evidence" in h.value]
    assert len(second) == 1 and second[0] != first
    shown = html_text(at) + first
    assert sum(s.replace("&", "&amp;")[:50].replace("<", "&lt;") in shown
               for s in sentences) >= 2
    # a link to page 2 opens page 2; closing forgets both
    linked = open_app("timeline", event=key, epage="2")
    assert [h.value for h in linked.get("html") if "im-evidence" in h.value] == second
    linked.button(key="timeline_close_evidence").click().run()
    assert "event" not in linked.query_params and "epage" not in linked.query_params


def test_a_cell_key_out_of_view_says_so() -> None:
    at = open_app("timeline", event="CICA.held.1901")
    assert any("not in view" in w.value for w in at.warning)


def test_timeline_empty_state() -> None:
    at = open_app("timeline", ey="1901-1902")
    assert "No dated events match these filters" in info_text(at)
    assert not charts(at)


# --- Membership ------------------------------------------------------------------------------


def test_membership_shows_cica_reference_against_reported_figures() -> None:
    at = open_app("membership")
    figure = charts(at)["CICA: member states over time"]
    reference = trace(figure, "Reference series (sourced)")
    values = dict(zip(reference.x, reference.y, strict=True))
    assert values[2002] == 16 and values[2023] == 28 and values[2003] is None
    assert {16, 28} <= set(trace(figure, "Reported in articles").y)


def test_membership_year_filter_and_kind_selector_change_the_chart() -> None:
    at = open_app("membership", ey="2002-2002")
    reported = trace(charts(at)["CICA: member states over time"], "Reported in articles")
    assert list(reported.y) == [16]
    # only kinds with figures in view are offered
    assert at.selectbox(key="membership_kind").options == ["member states"]
    at = open_app("membership")
    at.selectbox(key="membership_kind").set_value("observer_organisations").run()
    assert at.query_params["kind"] == "observer_organisations"
    figure = charts(at)["CICA: observer organisations over time"]
    assert list(trace(figure, "Reported in articles").y) == [5]
    assert not [t for t in figure.data if t.name.startswith("Reference")]


def test_membership_kind_from_the_url() -> None:
    at = open_app("membership", kind="partner_organisations")
    assert at.selectbox(key="membership_kind").value == "partner_organisations"
    figure = charts(at)["CICA: partner organisations over time"]
    assert list(trace(figure, "Reported in articles").y) == [6]


def test_membership_evidence_of_a_figure_from_a_link(built_warehouse: Path) -> None:
    membership_id, sentence = duckdb.connect(str(built_warehouse), read_only=True).execute(
        "SELECT membership_id, sentence FROM memberships WHERE count = 16").fetchone()
    at = open_app("membership", figure=membership_id)
    assert sentence[:50] in html_text(at)
    assert "How it was read:" in html_text(at)


def test_membership_evidence_of_a_point_or_milestone_key_lists_its_sentences(
        built_warehouse: Path) -> None:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    sentence = con.execute("SELECT sentence FROM memberships WHERE initiative_id = 'CICA' "
                           "AND kind = 'member_states' AND year = 2002 AND count = 16"
                           ).fetchone()[0]
    at = open_app("membership", figure="CICA.member_states.2002.16")
    assert sentence[:50] in html_text(at)
    assert "1 report" in " ".join(m.value for m in at.markdown)
    held = con.execute("SELECT year, sentence FROM events WHERE initiative_id = 'CICA' AND "
                       "event_type = 'held' ORDER BY year LIMIT 1").fetchone()
    at = open_app("membership", figure=f"CICA.held.{held[0]}")
    assert held[1][:50] in html_text(at)
    at = open_app("membership", figure="CICA.member_states.1901.16")
    assert any("not in view" in w.value for w in at.warning)


def test_membership_empty_state() -> None:
    at = open_app("membership", ey="1901-1902")
    assert "No dated member states figures for CICA" in info_text(at) or \
        "No organisation has membership figures" in info_text(at)


# --- Topics ----------------------------------------------------------------------------------


def test_topics_draws_three_charts_and_follows_the_theme_filter() -> None:
    at = open_app("topics")
    figures = charts(at)
    assert set(figures) == {"How often each theme appears", "Themes by year of publication",
                            "Themes in the coverage of each initiative"}
    all_themes = len(figures["How often each theme appears"].data[0].y)
    at.multiselect(key="filter_themes").set_value(["security"]).run()
    assert at.query_params["theme"] == "security"
    bars = charts(at)["How often each theme appears"].data[0]
    assert list(bars.y) == ["Security"] and all_themes > 1
    assert bars.customdata[0][0] == "security"  # what a click hands back


def test_topics_measure_from_the_url() -> None:
    at = open_app("topics", metric="articles")
    figure = charts(at)["How often each theme appears"]
    assert figure.layout.xaxis.title.text == "Articles mentioning the theme"
    at.segmented_control(key="topics_metric").set_value("per_1000_words").run()
    assert "metric" not in at.query_params  # the default is left out of the link


def test_topics_empty_state() -> None:
    at = open_app("topics", outlet="NNN-Bernama", py="2020-2020")
    assert "No theme keywords" in info_text(at)


# --- Articles --------------------------------------------------------------------------------


def test_articles_table_and_outlet_filter() -> None:
    at = open_app("articles")
    assert len(at.dataframe[0].value) == 5
    at.multiselect(key="filter_outlets").set_value(["Eurasia Review"]).run()
    table = at.dataframe[0].value
    assert list(table["Outlet"]) == ["Eurasia Review"]
    assert at.query_params["outlet"] == "Eurasia Review"


def test_articles_reader_highlights_mentions_and_dates(built_warehouse: Path) -> None:
    article_id = duckdb.connect(str(built_warehouse), read_only=True).execute(
        "SELECT article_id FROM mentions GROUP BY article_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    at = open_app("articles", article=article_id)
    shown = html_text(at)
    assert '<mark class="mention"' in shown and '<mark class="date"' in shown
    at.selectbox(key="reader_article").set_value("").run()
    assert "article" not in at.query_params


def test_articles_empty_state() -> None:
    at = open_app("articles", outlet="Eurasia Review", py="2025-2025")
    assert "No articles match these filters" in info_text(at)


def test_markup_in_an_article_is_shown_as_text(hostile_warehouse: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_DB_PATH", str(hostile_warehouse))
    article_id = duckdb.connect(str(hostile_warehouse), read_only=True).execute(
        "SELECT article_id FROM articles WHERE outlet = 'Test Wire'").fetchone()[0]
    at = open_app("articles", article=article_id)
    shown = html_text(at)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in shown
    assert "<script" not in shown and "<b>bold" not in shown
    assert 'href="javascript' not in shown
    assert not at.get("link_button")  # a javascript: URL gets no link
    titles = " ".join(s.value for s in at.subheader)
    assert "\\<script\\>" in titles  # the title is Markdown-escaped, shown as written


# --- the warehouse ---------------------------------------------------------------------------


def test_a_rebuild_is_picked_up_without_restarting(built_warehouse: Path, hostile_warehouse: Path,
                                                   tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    live = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse, live)
    monkeypatch.setenv("IM_DB_PATH", str(live))
    at = open_app()
    assert {m.label: m.value for m in at.metric}["Articles"] == "5"
    staged = tmp_path / "warehouse.duckdb.building"
    shutil.copyfile(hostile_warehouse, staged)
    os.replace(staged, live)
    at.run()
    assert {m.label: m.value for m in at.metric}["Articles"] == "6"


def test_a_missing_warehouse_explains_itself(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_DB_PATH", str(tmp_path / "missing.duckdb"))
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "make etl" in at.error[0].value
