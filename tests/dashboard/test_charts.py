"""Chart builders on small hand-made frames: traces, axes, titles, colours and customdata."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import theme
from dashboard.charts.framing import (
    MARK_SIZE,
    MARK_SIZE_MAX,
    MIN_HEIGHT,
    ChartContext,
    mark_size,
    selected_ids,
)
from dashboard.charts.labels import (
    HOVER_SENTENCE_CHARS,
    date_label,
    export_filename,
    format_built_at,
    published_label,
    shorten,
    source_line,
    wrap_label,
)
from dashboard.charts.membership import membership_figure
from dashboard.charts.overview import OTHER_INITIATIVES, events_per_year_figure
from dashboard.charts.timeline import timeline_figure, timeline_rows
from dashboard.charts.topics import (
    THEME_METRICS,
    theme_frequency_figure,
    theme_initiative_heatmap,
    theme_year_heatmap,
)
from dashboard.filters import Filters
from dashboard.marks import EventCell, FigurePoint

CTX = ChartContext(title="Timeline", subtitle="Events 2002–2023", filename="timeline_2002-2023",
                   source="Source: 2 articles from A and B; warehouse built 23 Nov 2026.")
COLOURS = theme.colour_map(["AIF", "CICA", "UNSC"])


def cells_frame() -> pd.DataFrame:
    """What `queries.timeline_cells` returns: three initiatives in two categories, five cells.

    CICA held 2002 stands for three events of two articles on different dates; AIF first
    held 2023 for 20,000 events all dated 8 Jun 2023; the others for one event each.
    """
    rows = [
        # initiative, category, type, year, events, articles, first, last, event_id, month,
        # day, end_year, span_start, span_end
        ("CICA", "security", "proposed", 1992, 1, 1, dt.date(1992, 10, 5), dt.date(1992, 10, 5),
         "e1", 10, 5, None, None, None),
        ("CICA", "security", "first_held", 2002, 1, 1, dt.date(2002, 6, 15),
         dt.date(2002, 6, 15), "e2", 6, None, None, None, None),
        ("CICA", "security", "held", 2002, 3, 2, dt.date(2002, 3, 1), dt.date(2002, 10, 15),
         None, None, None, None, None, None),
        ("UNSC", "security", "period", 2017, 1, 1, dt.date(2017, 7, 1), dt.date(2017, 7, 1),
         "e4", None, None, 2018, dt.date(2017, 1, 1), dt.date(2018, 12, 31)),
        ("AIF", "forum", "first_held", 2023, 20_000, 19_000, dt.date(2023, 6, 8),
         dt.date(2023, 6, 8), None, None, None, None, None, None),
    ]
    frame = pd.DataFrame(rows, columns=[
        "initiative_id", "category", "event_type", "year", "events", "articles", "first_date",
        "last_date", "event_id", "month", "day", "end_year", "span_start", "span_end"])
    frame["example_event_id"] = ["e1", "e2", "e3", "e4", "e5"]
    frame["initiative_name"] = frame["initiative_id"] + " full name"
    frame["initiative_label"] = frame["initiative_id"]
    frame["end_month"] = None
    frame["end_day"] = None
    frame["date_text"] = "in 1992"
    frame["sentence"] = (["CICA was proposed <b>in</b> 1992. " + "word " * 80]
                         + ["A sentence."] * 4)
    frame["title"] = ["Title", None, "T", "T", "T"]
    frame["outlet"] = ["NNN-Bernama", "Eurasia Review", None, None, "X"]
    frame["published"] = pd.to_datetime(["2023-07-16"] * 5)
    frame["published_precision"] = "day"
    frame["article_id"] = ["a1", "a1", "a2", "a2", "a3"]
    frame["sentence_no"] = 1
    frame["url"] = None
    return frame


def _marker_traces(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if t.mode == "markers" and t.customdata is not None]


def _marks(fig: go.Figure) -> dict[str, tuple[list, float, float, object]]:
    """customdata[0] -> (customdata, size, y, x) of every mark of a timeline."""
    return {c[0]: (list(c), size, y, x) for t in _marker_traces(fig)
            for c, size, y, x in zip(t.customdata, t.marker.size, t.y, t.x, strict=True)}


def test_every_chart_carries_title_filter_subtitle_and_source_line() -> None:
    fig = timeline_figure(cells_frame(), COLOURS, CTX)
    assert "Timeline" in fig.layout.title.text
    assert fig.layout.title.subtitle.text == "Events 2002–2023"
    sources = [a for a in fig.layout.annotations if a.name == "source"]
    assert len(sources) == 1 and sources[0].text.startswith("Source: 2 articles")
    assert fig.layout.template.layout.colorway == tuple(theme.PALETTE)
    assert fig.layout.meta["filename"] == "timeline_2002-2023"


def test_timeline_draws_one_mark_per_cell_with_an_id_or_a_cell_key() -> None:
    fig = timeline_figure(cells_frame(), COLOURS, CTX)
    marks = _marks(fig)
    # a mark of one event carries the event's id; one of several the cell's key
    assert sorted(marks) == ["AIF.first_held.2023", "CICA.held.2002", "e1", "e2", "e4"]
    assert EventCell.parse("CICA.held.2002") == EventCell("CICA", "held", 2002)
    by_name = {t.name: t for t in _marker_traces(fig)}
    assert by_name["proposed"].marker.symbol == theme.event_symbol("proposed")
    assert by_name["first held"].marker.symbol == theme.event_symbol("first_held")
    first_held_colours = dict(zip([c[0] for c in by_name["first held"].customdata],
                                  by_name["first held"].marker.color, strict=True))
    assert first_held_colours == {"e2": COLOURS["CICA"], "AIF.first_held.2023": COLOURS["AIF"]}


def test_timeline_marks_are_sized_by_how_many_events_they_count() -> None:
    marks = _marks(timeline_figure(cells_frame(), COLOURS, CTX))
    assert marks["e1"][1] == mark_size(1) == MARK_SIZE
    assert MARK_SIZE < marks["CICA.held.2002"][1] < marks["AIF.first_held.2023"][1]
    assert marks["AIF.first_held.2023"][1] == MARK_SIZE_MAX  # 20,000: capped
    assert [mark_size(n) for n in (1, 10, 100)] == [13, 18, 23]


def test_timeline_hover_says_how_many_or_shows_the_one_sentence() -> None:
    marks = _marks(timeline_figure(cells_frame(), COLOURS, CTX))
    held = marks["CICA.held.2002"][0]
    assert held[1:] == ["CICA full name", "held", "2002", "3 events in 2 articles",
                        "Click to read their sentences"]
    forum = marks["AIF.first_held.2023"][0]
    assert forum[3] == "2023 (all on one date)"
    assert forum[4] == "20,000 events in 19,000 articles"
    single = marks["e1"][0]
    assert single[3] == "5 Oct 1992" and "CICA was proposed" in single[4]


def test_a_cell_sits_at_its_events_date_or_mid_year() -> None:
    marks = _marks(timeline_figure(cells_frame(), COLOURS, CTX))
    assert pd.Timestamp(marks["CICA.held.2002"][3]) == pd.Timestamp("2002-07-01")  # dates vary
    assert pd.Timestamp(marks["AIF.first_held.2023"][3]) == pd.Timestamp("2023-06-08")
    assert pd.Timestamp(marks["e2"][3]) == pd.Timestamp("2002-06-15")


def test_timeline_legend_is_by_event_type_then_mark_size_in_a_neutral_colour() -> None:
    fig = timeline_figure(cells_frame(), COLOURS, CTX)
    legend = [t for t in fig.data if t.showlegend]
    types = [t for t in legend if t.legendgroup != "size"]
    assert sorted(t.name for t in types) == ["first held", "held", "period", "proposed"]
    assert [t.name for t in legend if t.legendgroup == "size"] == [
        "size: 1 report", "size: 10 reports", "size: 100 reports", "size: 1,000 reports",
        "size: 10,000 reports"]
    assert {t.marker.color for t in legend} == {theme.NEUTRAL}
    # the legend entry and the markers of a type toggle together
    for entry in types:
        assert any(t.legendgroup == entry.legendgroup for t in _marker_traces(fig))
    # a timeline of single events needs no size legend
    singles = timeline_figure(cells_frame().iloc[[0, 1, 3]], COLOURS, CTX)
    assert not [t for t in singles.data if t.legendgroup == "size"]


def test_timeline_rows_group_initiatives_under_category_headers() -> None:
    frame = cells_frame().assign(marker_date=cells_frame()["first_date"])
    rows = timeline_rows(frame)
    assert rows == [("Security", None), ("CICA", "CICA"), ("UNSC", "UNSC"),
                    ("Forum", None), ("AIF", "AIF")]
    fig = timeline_figure(cells_frame(), COLOURS, CTX)
    assert list(fig.layout.yaxis.ticktext) == ["<b>SECURITY</b>", "CICA", "UNSC", "<b>FORUM</b>",
                                               "AIF"]
    assert fig.layout.yaxis.fixedrange is True
    assert fig.layout.xaxis.type == "date"


def test_timeline_fans_out_marks_of_the_same_initiative_and_year() -> None:
    marks = _marks(timeline_figure(cells_frame(), COLOURS, CTX))
    first, held = marks["e2"][2], marks["CICA.held.2002"][2]
    assert first != held  # both CICA in 2002
    assert abs(first - held) < 1  # but still inside CICA's row
    assert marks["e1"][2] == 1.0  # alone in its year: on the row's line


def test_timeline_draws_spans_from_start_to_end() -> None:
    fig = timeline_figure(cells_frame(), COLOURS, CTX)
    spans = [t for t in fig.data if t.mode == "lines"]
    assert len(spans) == 1
    assert spans[0].line.color == COLOURS["UNSC"]
    assert pd.Timestamp(spans[0].x[0]) == pd.Timestamp("2017-01-01")
    assert pd.Timestamp(spans[0].x[1]) == pd.Timestamp("2018-12-31")


def test_timeline_hover_shortens_and_escapes_the_sentence() -> None:
    marks = _marks(timeline_figure(cells_frame(), COLOURS, CTX))
    hover_sentence = marks["e1"][0][4]
    assert "&lt;b&gt;in&lt;/b&gt;" in hover_sentence and "<b>in" not in hover_sentence
    assert hover_sentence.endswith("…")
    assert len(hover_sentence.replace("<br>", " ")) <= HOVER_SENTENCE_CHARS + 20
    assert marks["e4"][0][3] == "2017–2018"
    assert "unknown outlet" in marks["e4"][0][5]


def test_timeline_payload_follows_the_cells_not_the_events() -> None:
    """A million events in 500 cells ship as many bytes as 500 events: one mark per cell."""
    base = cells_frame().iloc[[2]]  # a cell of several events
    years = range(1900, 2000)
    initiatives = ["CICA", "UNSC", "AIF", "IOFS", "IABS"]
    many = pd.concat([base.assign(year=y, initiative_id=i, first_date=dt.date(y, 3, 1),
                                  last_date=dt.date(y, 10, 1))
                      for y in years for i in initiatives], ignore_index=True)
    few = timeline_figure(many.assign(events=2, articles=2), COLOURS, CTX)
    lots = timeline_figure(many.assign(events=2_000, articles=1_500), COLOURS, CTX)
    assert len(_marks(lots)) == len(many) == 500
    few_bytes, lots_bytes = len(few.to_json()), len(lots.to_json())
    assert abs(lots_bytes - few_bytes) / few_bytes < 0.1  # digits and the size legend
    assert lots_bytes < 300_000


def test_timeline_of_nothing_is_a_message_not_a_blank_axis() -> None:
    fig = timeline_figure(cells_frame().iloc[0:0], COLOURS, CTX)
    assert not fig.data
    assert [a.text for a in fig.layout.annotations if a.name == "empty"] == [
        "No dated events match these filters."]
    assert fig.layout.xaxis.visible is False


def test_events_per_year_stacks_initiatives_in_their_colours() -> None:
    counts = pd.DataFrame({"year": [2002, 2002, 2023], "initiative_id": ["CICA", "UNSC", "AIF"],
                           "initiative_label": ["CICA", "UNSC", "AIF"], "events": [2, 1, 4]})
    fig = events_per_year_figure(counts, COLOURS, CTX)
    assert fig.layout.barmode == "stack"
    assert {t.name: t.marker.color for t in fig.data} == {
        "AIF": COLOURS["AIF"], "CICA": COLOURS["CICA"], "UNSC": COLOURS["UNSC"]}
    assert fig.layout.yaxis.title.text == "Dated events"


def membership_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What `membership_points`, `membership_reference_series` and `membership_milestones`
    return: 16 in 2002 (one report), 28 in 2023 (two reports), a milestone of two reports."""
    reported = pd.DataFrame({
        "year": [2002, 2023], "count": [16, 28], "reports": [1, 2], "articles": [1, 2],
        "example_id": ["m1", "m2"], "membership_id": ["m1", None], "initiative_id": "CICA",
        "kind": "member_states", "count_text": ["16 member states", None],
        "year_basis": ["explicit", None], "sentence": ["s1", "s2"], "sentence_no": [1, 2],
        "article_id": ["a1", "a1"], "title": ["T1", "T1"], "outlet": ["O", "O"],
        "published": pd.to_datetime(["2023-07-16"] * 2), "published_precision": "day",
        "url": None, "reference_count": [16, 27], "reference_confirmed": [True, True],
    })
    reference = pd.DataFrame({
        "year": [2002, 2003, 2004, 2023], "member_count": [16, None, 17, 27],
        "confirmed": [True, False, True, True], "new_members": ["x", None, "Thailand", None],
        "source": ["s", None, "s", "s"],
    })
    milestones = pd.DataFrame({
        "initiative_id": "CICA", "event_type": ["first_held", "joined"], "year": [2002, 2022],
        "reports": [2, 1], "first_date": [dt.date(2002, 6, 4), dt.date(2022, 10, 13)],
        "last_date": [dt.date(2002, 6, 4), dt.date(2022, 10, 13)],
        "example_event_id": ["e1", "e3"], "event_id": [None, "e3"], "month": [None, 10],
        "day": [None, 13], "date_text": [None, "13 October 2022"],
        "sentence": ["first summit", "Kuwait joined"], "article_id": "a1", "title": "T",
        "outlet": "O", "published": dt.date(2023, 7, 16), "published_precision": "day",
        "url": None,
    })
    return reported, reference, milestones


def _membership_figure(**overrides: object) -> go.Figure:
    reported, reference, milestones = membership_frames()
    args: dict[str, object] = {"reported": reported, "reference": reference,
                               "milestones": milestones}
    args.update(overrides)
    return membership_figure(args["reported"], args["reference"], args["milestones"],
                                    organisation="CICA", kind_label="member states",
                                    colour=COLOURS["CICA"], ctx=CTX)


def test_membership_reference_is_a_step_line_with_gaps_never_carried_forward() -> None:
    fig = _membership_figure()
    reference = next(t for t in fig.data if t.name == "Reference series (sourced)")
    assert reference.line.shape == "hv"
    assert reference.connectgaps is False
    values = dict(zip(reference.x, reference.y, strict=True))
    assert values[2002] == 16 and values[2004] == 17
    assert values[2003] is None  # 'unconfirmed'
    assert values[2010] is None  # a year the reference does not list at all
    unconfirmed = next(t for t in fig.data if t.name == "Reference: year unconfirmed")
    assert 2003 in list(unconfirmed.x)


def test_membership_reported_figures_are_one_mark_per_year_and_count() -> None:
    fig = _membership_figure()
    reported = next(t for t in fig.data if t.name == "Reported in articles")
    assert reported.mode == "markers"
    # one report: its membership_id; two reports of 28 in 2023: the point's key
    assert [c[0] for c in reported.customdata] == ["m1", "CICA.member_states.2023.28"]
    assert FigurePoint.parse("CICA.member_states.2023.28") == FigurePoint(
        "CICA", "member_states", 2023, 28)
    assert list(reported.x) == [2002, 2023] and list(reported.y) == [16, 28]
    assert reported.marker.color == COLOURS["CICA"]
    assert list(reported.marker.size) == [mark_size(1), mark_size(2)]
    texts = {c[0]: c for c in reported.customdata}
    assert texts["m1"][6] == "Reference for 2002: 16 (agrees)"
    assert texts["m1"][4] == "s1"  # one report: its sentence on hover
    several = texts["CICA.member_states.2023.28"]
    assert several[3] == "2 reports in 2 articles"
    assert several[4] == "Click to read their sentences"
    assert several[6] == "Reference for 2023: 27 (differs)"


def test_membership_milestones_are_one_mark_per_type_and_year_with_labels() -> None:
    fig = _membership_figure()
    marks = next(t for t in fig.data if t.name == "Summit or accession (events)")
    assert [c[0] for c in marks.customdata] == ["CICA.first_held.2002", "e3"]
    assert marks.customdata[0][4] == " (2 reports)"
    labels = [a.text for a in fig.layout.annotations if a.name == "milestone"]
    assert labels == ["first held 2002", "joined 13 Oct 2022"]
    # all reports on one date: the mark sits on that date (4 June), not mid-year
    assert marks.x[0] == pytest.approx(2002 + (dt.date(2002, 6, 4).timetuple().tm_yday - 1)
                                       / 365.25)


def test_membership_without_reference_draws_only_reported_figures() -> None:
    empty_reference = pd.DataFrame(columns=["year", "member_count", "confirmed", "new_members",
                                            "source"])
    fig = _membership_figure(reference=empty_reference)
    assert [t.name for t in fig.data if t.name.startswith("Reference")] == []
    assert fig.layout.yaxis.range[0] == 0


def test_membership_with_nothing_dated_says_so() -> None:
    reported, reference, milestones = membership_frames()
    fig = membership_figure(reported.iloc[0:0], reference.iloc[0:0], milestones.iloc[0:0],
                                   organisation="IOFS", kind_label="member states",
                                   colour="#000000", ctx=CTX)
    assert [a.text for a in fig.layout.annotations if a.name == "empty"] == [
        "No dated member states figures for IOFS match these filters."]


def frequency_frame() -> pd.DataFrame:
    return pd.DataFrame({"theme": ["security", "economy", "religion"],
                         "label": ["Security", "Economy", "Religion <3"],
                         "articles": [5, 2, 3], "hits": [40, 6, 9],
                         "per_1000_words": [8.0, 1.2, 1.8]})


def test_theme_frequency_switches_metric_and_keeps_theme_colours() -> None:
    colours = theme.colour_map(["economy", "religion", "security"])
    rate = theme_frequency_figure(frequency_frame(), "per_1000_words", colours, CTX)
    bar = rate.data[0]
    assert list(bar.y) == ["Economy", "Religion &lt;3", "Security"]  # largest on top
    assert [c[0] for c in bar.customdata] == ["economy", "religion", "security"]
    assert list(bar.marker.color) == [colours["economy"], colours["religion"],
                                      colours["security"]]
    assert rate.layout.xaxis.title.text == THEME_METRICS["per_1000_words"]
    counts = theme_frequency_figure(frequency_frame(), "articles", colours, CTX)
    assert list(counts.data[0].y) == ["Economy", "Religion &lt;3", "Security"]
    assert list(counts.data[0].text) == ["2", "3", "5"]
    with pytest.raises(ValueError, match="unknown theme metric"):
        theme_frequency_figure(frequency_frame(), "bogus", colours, CTX)


def test_theme_year_heatmap_leaves_years_without_articles_blank() -> None:
    by_year = pd.DataFrame({
        "year": [2020, 2020, 2023, 2023], "theme": ["security", "economy"] * 2,
        "label": ["Security", "Economy"] * 2, "hits": [1, 0, 3, 1], "articles": [1, 0, 1, 1],
        "year_articles": [1, 1, 1, 1], "per_1000_words": [2.0, 0.0, 3.0, 1.0],
    })
    fig = theme_year_heatmap(by_year, CTX)
    heat = fig.data[0]
    assert list(heat.x) == ["2020", "2021", "2022", "2023"]
    assert list(heat.y) == ["Security", "Economy"]
    assert list(heat.z[0]) == [2.0, None, None, 3.0]
    assert list(heat.z[1]) == [0.0, None, None, 1.0]  # covered 0 is not 'no articles'
    assert heat.customdata[0][0][0] == "security"
    assert fig.layout.xaxis.type == "category"


def test_theme_initiative_heatmap_values_and_click_ids() -> None:
    pairs = pd.DataFrame({
        "initiative_id": ["CICA", "CICA", "AIF"], "initiative_label": ["CICA", "CICA", "AIF"],
        "theme": ["security", "economy", "security"], "label": ["Security", "Economy", "Security"],
        "sentences": [6, 2, 1], "articles": [2, 1, 1], "share": [0.75, 0.25, 1.0],
    })
    fig = theme_initiative_heatmap(pairs, "sentences", CTX)
    heat = fig.data[0]
    assert list(heat.y) == ["CICA", "AIF"]
    assert list(heat.x) == ["Security", "Economy"]
    assert [list(row) for row in heat.z] == [[6.0, 2.0], [1.0, None]]
    assert heat.customdata[1][0][:3] == ["security", "Security", "AIF"]
    share = theme_initiative_heatmap(pairs, "share", CTX)
    assert share.data[0].text[0][0] == "75%"


def test_selected_ids_reads_customdata_of_a_streamlit_selection() -> None:
    selection = {"selection": {"points": [{"customdata": ["e7", "x"]},
                                          {"customdata": ["e7"]}, {"customdata": ["e9"]},
                                          {"x": 1}]}}
    assert selected_ids(selection) == ["e7", "e9"]
    assert selected_ids(None) == []
    assert selected_ids({"selection": {"points": []}}) == []


@pytest.mark.parametrize("args,expected", [
    ((2017,), "2017"),
    ((2023, 6), "Jun 2023"),
    ((2023, 7, 14), "14 Jul 2023"),
    ((2017, None, None, 2018), "2017–2018"),
    ((2023, 7, 13, 2023, 7, 14), "13 Jul 2023–14 Jul 2023"),
    ((None,), "undated"),
    ((2020, float("nan"), pd.NA), "2020"),
])
def test_date_label_keeps_the_precision_of_the_text(args: tuple, expected: str) -> None:
    assert date_label(*args) == expected


def test_published_label_and_build_time() -> None:
    assert published_label(pd.Timestamp("2025-06-01"), "month") == "Jun 2025"
    assert published_label(pd.Timestamp("2020-01-01"), "year") == "2020"
    assert published_label(pd.NaT, None) == "date unknown"
    assert format_built_at("2026-11-23T01:20:05") == "23 Nov 2026, 01:20 UTC"


def test_source_line_names_outlets_and_build() -> None:
    assert source_line(1, ["NNN-Bernama"], None) == "Source: 1 article from NNN-Bernama."
    line = source_line(6, ["a", "b", "c", "d", "e", "f"], "2026-11-23T01:20:00")
    assert line == ("Source: 6 articles from a, b, c, d and 2 more; "
                    "warehouse built 23 Nov 2026, 01:20 UTC.")
    assert source_line(2, ["a", "b"], None) == "Source: 2 articles from a and b."


def test_long_source_lines_wrap_under_the_chart() -> None:
    ctx = ChartContext(title="T", subtitle="S", filename="f", source="Source: " + "word " * 60)
    fig = theme_frequency_figure(frequency_frame(), "articles", {}, ctx)
    source = next(a for a in fig.layout.annotations if a.name == "source")
    assert source.text.count("<br>") >= 1


def test_export_filename_names_the_view() -> None:
    filters = Filters(event_years=(2002, 2023), themes=("security",))
    assert export_filename("initiative-timeline", filters) == \
        "initiative-timeline_2002-2023_security"
    assert export_filename("Top themes", Filters()) == "top-themes"
    long = Filters(outlets=tuple(f"outlet {n}" for n in range(40)))
    assert len(export_filename("x", long)) <= 120


def test_presentation_mode_enlarges_text() -> None:
    normal = theme_frequency_figure(frequency_frame(), "articles", {}, CTX)
    big_ctx = ChartContext(CTX.title, CTX.subtitle, CTX.source, CTX.filename, presentation=True)
    big = theme_frequency_figure(frequency_frame(), "articles", {}, big_ctx)
    assert big.layout.font.size > normal.layout.font.size
    assert big.layout.title.font.size > normal.layout.title.font.size


def test_shorten_cuts_at_a_word_boundary() -> None:
    assert shorten("short") == "short"
    assert shorten("one two three four", 12) == "one two…"
    assert shorten(None) == ""
    assert shorten(float("nan")) == ""


def test_wrap_label_keeps_axis_labels_short() -> None:
    name = "Congress of Leaders of World and Traditional Religions"
    assert wrap_label(name, 34, max_lines=1) == "Congress of Leaders of World and…"
    assert wrap_label(name, 26) == "Congress of Leaders of<br>World and Traditional…"
    assert wrap_label("CICA & <b>") == "CICA &amp; &lt;b&gt;"


def test_events_per_year_names_the_busiest_initiatives_and_groups_the_rest() -> None:
    counts = pd.DataFrame({"year": [2002, 2002, 2010, 2023],
                           "initiative_id": ["CICA", "UNSC", "AIF", "CICA"],
                           "initiative_label": ["CICA", "UNSC seat", "AIF", "CICA"],
                           "events": [2, 1, 1, 3]})
    fig = events_per_year_figure(counts, COLOURS, CTX, max_named=1)
    assert [t.name for t in fig.data] == ["CICA", OTHER_INITIATIVES]
    other = fig.data[1]
    assert list(other.x) == [2002, 2010] and list(other.y) == [1, 1]
    assert other.customdata[0][1] == "UNSC seat"


def test_a_chart_of_one_bar_keeps_a_readable_height() -> None:
    fig = theme_frequency_figure(frequency_frame().head(1), "articles", {}, CTX)
    assert fig.layout.height >= MIN_HEIGHT
