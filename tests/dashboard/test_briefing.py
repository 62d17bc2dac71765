"""Briefing packs: built from the real warehouse's charts, opened and read back.

The pack is built the way the pages build it (the same queries and chart builders, rendered by
kaleido through the Debian Chromium), then the ZIP is opened, the `.pptx` read with python-pptx
(slides, titles, filter and source lines, pictures, notes with the cited sentences) and the
CSVs read back with pandas.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from streamlit.testing.v1 import AppTest

from dashboard import briefing, export, queries, theme
from dashboard.briefing import BriefingChart
from dashboard.charts.framing import ChartContext
from dashboard.charts.labels import export_filename, shorten, source_line
from dashboard.charts.membership import membership_figure
from dashboard.charts.timeline import timeline_figure
from dashboard.charts.topics import theme_frequency_figure
from dashboard.filters import Filters
from dashboard.settings import DashboardSettings
from etl.settings import PROJECT_ROOT

FILTERS = Filters(event_years=(2002, 2023), themes=("security",))
TODAY = dt.date(2026, 11, 23)
PACK_NAME = "initiative-monitor_briefing_2002-2023_security_2026-11-23"
needs_browser = pytest.mark.skipif(not export.browser_available(DashboardSettings()),
                                   reason="no Chromium to render with")


def _labels(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    initiatives = queries.initiative_list(con)
    themes = queries.theme_list(con)
    return {"initiatives": dict(zip(initiatives["initiative_id"], initiatives["label"],
                                    strict=True)),
            "themes": dict(zip(themes["theme"], themes["label"], strict=True))}


def _context(con: duckdb.DuckDBPyConnection, title: str, chart: str, rows: pd.DataFrame
             ) -> ChartContext:
    built_at = dict(queries.warehouse_info(con).values.tolist())["built_at"]
    outlets = rows.drop_duplicates("article_id")["outlet"].fillna("unknown outlet")
    source = source_line(int(rows["article_id"].nunique()), list(outlets), built_at)
    return ChartContext(title=title, subtitle=FILTERS.describe(_labels(con)), source=source,
                        filename=export_filename(chart, FILTERS))


@pytest.fixture(scope="module")
def view_charts(warehouse_cursor: duckdb.DuckDBPyConnection) -> list[BriefingChart]:
    """The Timeline, Membership and Topics charts of one filtered view, as the pages build them."""
    con = warehouse_cursor
    colours = theme.colour_map(queries.initiative_list(con)["initiative_id"])
    events = queries.timeline_cells(con, FILTERS)
    timeline_ctx = _context(con, "Timeline of Kazakhstan's initiatives", "initiative-timeline",
                            events)
    reported = queries.membership_points(con, FILTERS, "CICA", "member_states")
    reference = queries.membership_reference_series(con, FILTERS, "CICA")
    membership_ctx = _context(con, "CICA: member states over time", "membership-CICA-member_states",
                              reported)
    membership = membership_figure(
        reported, reference, queries.membership_milestones(con, FILTERS, "CICA"),
        organisation="CICA", kind_label="member states", colour=colours["CICA"],
        ctx=membership_ctx)
    membership_rows = pd.concat([reported.assign(series="reported in articles"),
                                 reference.assign(series="reference")], ignore_index=True)
    frequency = queries.theme_frequency(con, FILTERS)
    cited = queries.theme_sentences(con, FILTERS, 3)
    topics_ctx = _context(con, "How often each theme appears", "theme-frequency", events)
    topics = theme_frequency_figure(
        frequency, "per_1000_words", theme.colour_map(queries.theme_list(con)["theme"]),
        topics_ctx)
    assert not events.empty and not reported.empty and not cited.empty
    return [BriefingChart(timeline_figure(events, colours, timeline_ctx), events,
                          timeline_ctx),
            BriefingChart(membership, membership_rows, membership_ctx),
            BriefingChart(topics, frequency, topics_ctx, citations=cited)]


@pytest.fixture(scope="module")
def pack(view_charts: list[BriefingChart], warehouse_cursor: duckdb.DuckDBPyConnection
         ) -> zipfile.ZipFile:
    if not export.browser_available(DashboardSettings()):
        pytest.skip("no Chromium to render with")
    content = briefing.build_briefing_pack(
        view_charts, view="Test view", filter_line=FILTERS.describe(_labels(warehouse_cursor)),
        filters=FILTERS, built_at="2026-11-23T01:20:00+00:00", today=TODAY)
    return zipfile.ZipFile(io.BytesIO(content))


@pytest.fixture(scope="module")
def slides(pack: zipfile.ZipFile) -> Presentation:
    return Presentation(io.BytesIO(pack.read(f"{PACK_NAME}.pptx")))


def _texts(slide: object) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]  # type: ignore[attr-defined]


def _notes(slide: object) -> str:
    return slide.notes_slide.notes_text_frame.text  # type: ignore[attr-defined]


# --- the file name ---------------------------------------------------------------------------


def test_the_file_name_states_the_filters_and_the_date() -> None:
    assert briefing.pack_filename(FILTERS, TODAY) == f"{PACK_NAME}.zip"
    assert (briefing.pack_filename(Filters(), TODAY)
            == "initiative-monitor_briefing_unfiltered_2026-11-23.zip")
    assert (briefing.pack_filename(Filters(outlets=("Eurasia Review",), published_years=(2023,
                                                                                      2023)),
                                   dt.date(2025, 1, 2))
            == "initiative-monitor_briefing_published-2023_eurasia-review_2025-01-02.zip")


# --- the ZIP ---------------------------------------------------------------------------------


@needs_browser
def test_the_zip_holds_the_slides_the_csvs_and_a_readme(pack: zipfile.ZipFile) -> None:
    assert set(pack.namelist()) == {
        f"{PACK_NAME}.pptx",
        "data/initiative-timeline_2002-2023_security.csv",
        "data/membership-cica-member-states_2002-2023_security.csv",
        "data/theme-frequency_2002-2023_security.csv",
        "data/theme-frequency_2002-2023_security_sentences.csv",
        "README.txt",
    }
    readme = pack.read("README.txt").decode("utf-8")
    assert "Filters: Events 2002–2023 · Themes: Security" in readme
    assert "warehouse built 23 Nov 2026, 01:20 UTC" in readme
    assert "data/theme-frequency_2002-2023_security_sentences.csv: the sentences" in readme


@needs_browser
def test_the_csvs_are_the_rows_behind_the_charts(pack: zipfile.ZipFile,
                                                 view_charts: list[BriefingChart]) -> None:
    timeline, membership, topics = view_charts
    for chart, name in ((timeline, "initiative-timeline"),
                        (membership, "membership-cica-member-states"),
                        (topics, "theme-frequency")):
        frame = pd.read_csv(io.BytesIO(pack.read(f"data/{name}_2002-2023_security.csv")))
        assert list(frame.columns) == list(chart.rows.columns)
        assert len(frame) == len(chart.rows)
    events = pd.read_csv(io.BytesIO(pack.read("data/initiative-timeline_2002-2023_security.csv")))
    assert events["sentence"].tolist() == timeline.rows["sentence"].tolist()
    sentences = pd.read_csv(io.BytesIO(
        pack.read("data/theme-frequency_2002-2023_security_sentences.csv")))
    assert set(sentences["theme"]) == {"security"} and len(sentences) == 3


# --- the slides ------------------------------------------------------------------------------


@needs_browser
def test_a_slide_per_chart_and_one_for_its_cited_sentences(slides: Presentation) -> None:
    titles = [slide.shapes.title.text for slide in slides.slides]
    assert titles == [
        "Initiative Monitor briefing: Test view",
        "Timeline of Kazakhstan's initiatives",
        "Cited sentences: Timeline of Kazakhstan's initiatives",
        "CICA: member states over time",
        "Cited sentences: CICA: member states over time",
        "How often each theme appears",
        "Cited sentences: How often each theme appears",
    ]
    assert slides.slide_width / slides.slide_height == pytest.approx(16 / 9, rel=0.01)
    opening = _texts(slides.slides[0])
    assert "Filters: Events 2002–2023 · Themes: Security" in opening
    assert any("Charts: Timeline of Kazakhstan's initiatives; CICA: member states" in t
               for t in opening)


@needs_browser
def test_each_chart_slide_has_its_chart_filter_line_and_source_line(
        slides: Presentation, view_charts: list[BriefingChart]) -> None:
    chart_slides = [slides.slides[i] for i in (1, 3, 5)]
    for slide, chart in zip(chart_slides, view_charts, strict=True):
        texts = _texts(slide)
        assert chart.context.subtitle == "Events 2002–2023 · Themes: Security"
        assert chart.context.subtitle in texts
        assert chart.context.source in texts and chart.context.source.startswith("Source: ")
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1
        picture = pictures[0]
        assert picture.image.content_type == "image/png"
        width, _ = Image.open(io.BytesIO(picture.image.blob)).size
        assert width == export.EXPORT_WIDTH * DashboardSettings().export_scale
        # the chart sits on the slide, under the filter line and above the source line
        boxes = {shape.text_frame.text: shape for shape in slide.shapes if shape.has_text_frame}
        assert boxes[chart.context.subtitle].top < picture.top
        assert picture.top + picture.height <= boxes[chart.context.source].top
        assert picture.left >= 0 and picture.left + picture.width <= slides.slide_width


@needs_browser
def test_the_notes_list_the_cited_sentences_with_their_articles(
        slides: Presentation, view_charts: list[BriefingChart]) -> None:
    timeline, membership, topics = view_charts
    notes = _notes(slides.slides[1])
    assert notes.startswith("Timeline of Kazakhstan's initiatives\n"
                            "Filters: Events 2002–2023 · Themes: Security\nSource: ")
    events = timeline.rows
    assert f"Cited sentences ({len(events)}):" in notes
    for row in events.itertuples():
        assert briefing.clean_text(row.sentence) in notes
    first = events.dropna(subset=["title", "outlet"]).iloc[0]
    assert (f"“{briefing.clean_text(first['sentence'])}” — {first['title']} ({first['outlet']}, "
            in notes)
    membership_notes = _notes(slides.slides[3])
    assert "[16 member states (2002)]" in membership_notes
    assert "[28 member states (2023)]" in membership_notes
    topic_notes = _notes(slides.slides[5])
    assert "Cited sentences (3):" in topic_notes and "[Security (keywords: " in topic_notes
    for sentence in topics.citations["sentence"]:  # type: ignore[index]
        assert briefing.clean_text(sentence) in topic_notes


@needs_browser
def test_the_cited_sentences_slide_shows_the_first_and_counts_the_rest(
        slides: Presentation, view_charts: list[BriefingChart]) -> None:
    events = view_charts[0].rows
    text = " ".join(_texts(slides.slides[2]))
    cited = briefing.citations_of(view_charts[0])
    assert len(cited) == len(events) > briefing.SLIDE_MAX_CITATIONS
    assert cited[0].label in text and shorten(cited[0].sentence, 60)[:40] in text
    assert (f"{len(cited) - briefing.SLIDE_MAX_CITATIONS} more in the notes of the previous "
            "slide and in data/initiative-timeline_2002-2023_security.csv.") in text
    assert cited[briefing.SLIDE_MAX_CITATIONS].sentence[:60] not in text


# --- pure parts ------------------------------------------------------------------------------


def _tiny_png(_: go.Figure) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (128, 72), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_slide_image_leaves_title_and_source_to_the_slide() -> None:
    ctx = ChartContext(title="Top themes", subtitle="Events 2002–2023", source="Source: x.",
                       filename="top-themes")
    frame = pd.DataFrame({"theme": ["security"], "label": ["Security"], "articles": [5],
                          "hits": [40], "per_1000_words": [8.0]})
    figure = theme_frequency_figure(frame, "articles", {"security": "#0072B2"}, ctx)
    bare = briefing.slide_figure(figure)
    assert bare.layout.title.text == "" and bare.layout.title.subtitle.text == ""
    assert not [a for a in bare.layout.annotations if a.name == "source"]
    assert bare.layout.margin.t < figure.layout.margin.t
    assert "Top themes" in figure.layout.title.text  # the page's figure is untouched
    assert [a for a in figure.layout.annotations if a.name == "source"]


def test_article_text_reaches_the_slides_as_text(hostile_warehouse: Path) -> None:
    """Markup in an article (the hostile fixture's <script>) and control characters are text."""
    with duckdb.connect(str(hostile_warehouse), read_only=True) as con:
        events = queries.timeline_cells(con, Filters(outlets=("Test Wire",)))
    assert events["sentence"].str.contains("<script>").any()
    ctx = ChartContext(title="Hostile <b>title</b>", subtitle="Outlets: Test Wire",
                       source="Source: 1 article.", filename="hostile")
    odd = pd.DataFrame({"sentence": ["A bell\x07 rang <i>twice</i>."], "title": ["T\x00"],
                        "outlet": ["O"], "published": [None], "published_precision": [None],
                        "url": ["javascript:alert(1)"]})
    content = briefing.build_briefing_pack(
        [BriefingChart(go.Figure(), events, ctx), BriefingChart(go.Figure(), odd, ctx)],
        view="Hostile", filter_line="Outlets: Test Wire", filters=Filters(), built_at=None,
        today=TODAY, render_png=_tiny_png)
    archive = zipfile.ZipFile(io.BytesIO(content))
    deck = Presentation(io.BytesIO(archive.read(
        "initiative-monitor_briefing_unfiltered_2026-11-23.pptx")))
    assert deck.slides[1].shapes.title.text == "Hostile <b>title</b>"
    notes = _notes(deck.slides[1])
    assert "<script>" in notes
    odd_notes = _notes(deck.slides[3])
    assert "“A bell rang <i>twice</i>.” — T (O, date unknown)" in odd_notes
    assert "javascript:" not in odd_notes and "\x07" not in odd_notes


def test_citations_can_wait_until_a_pack_is_built() -> None:
    """A page passes a function for citations it would otherwise query on every rerun; the
    pack calls it once, and its sentences reach the notes and the sentences CSV."""
    calls: list[int] = []

    def cited() -> pd.DataFrame:
        calls.append(1)
        return pd.DataFrame({"theme": ["security"], "label": ["Security"],
                             "keywords": ["summit"], "sentence": ["A summit on security."],
                             "title": ["T"], "outlet": ["O"], "published": [None],
                             "published_precision": [None], "url": [None]})

    ctx = ChartContext(title="Top themes", subtitle="All", source="Source: x.",
                       filename="top-themes")
    chart = BriefingChart(go.Figure(), pd.DataFrame({"theme": ["security"]}), ctx,
                          citations=cited)
    assert not calls
    content = briefing.build_briefing_pack([chart], view="Topics", filter_line="All",
                                           filters=Filters(), built_at=None, today=TODAY,
                                           render_png=_tiny_png)
    assert calls == [1]
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert "data/top-themes_sentences.csv" in archive.namelist()
    deck = Presentation(io.BytesIO(archive.read(
        "initiative-monitor_briefing_unfiltered_2026-11-23.pptx")))
    assert "“A summit on security.”" in _notes(deck.slides[1])


def test_citations_of_an_aggregated_mark_say_how_many_reports_it_stands_for() -> None:
    cells = pd.DataFrame({"event_type": ["held", "held"], "initiative_label": ["CICA", "AIF"],
                          "year": [2022, 2023], "month": [10, None], "day": [12, None],
                          "end_year": None, "end_month": None, "end_day": None,
                          "events": [1, 20_000], "sentence": ["One summit.", "A forum."],
                          "title": "T", "outlet": "O", "published": None,
                          "published_precision": None, "url": None})
    ctx = ChartContext(title="Timeline", subtitle="All", source="Source: x.", filename="t")
    labels = [c.label for c in briefing.citations_of(BriefingChart(go.Figure(), cells, ctx))]
    assert labels == ["CICA: held, 12 Oct 2022", "AIF: held, 2023; one of 20,000 reports"]


def test_a_pack_needs_a_chart() -> None:
    with pytest.raises(ValueError, match="at least one chart"):
        briefing.build_briefing_pack([], view="Empty", filter_line="", filters=Filters(),
                                     built_at=None, today=TODAY, render_png=_tiny_png)


# --- the pages -------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "key", "count"), [("timeline", "timeline_briefing", 1),
                                                    ("membership", "membership_briefing", 1),
                                                    ("topics", "topics_briefing", 3)])
def test_the_pages_offer_their_charts_as_a_briefing_pack(app_env: Path, page: str, key: str,
                                                          count: int) -> None:
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"), default_timeout=60)
    at.query_params.update({"ey": "2002-2023", "theme": "security"})
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    button = at.download_button(key=key)
    assert button.proto.label == "Briefing pack (slides + CSV)"
    assert button.proto.deferred_file_id  # built on click, not on every rerun
    assert f"slide per chart of this page ({count})" in button.proto.help
    assert not button.proto.disabled or not export.browser_available(DashboardSettings())

    presenting = AppTest.from_file(str(PROJECT_ROOT / "dashboard" / "app.py"),
                                   default_timeout=60)
    presenting.query_params.update({"present": "1"})
    presenting.switch_page(f"app_pages/{page}.py")
    presenting.run()
    assert not presenting.get("download_button")
