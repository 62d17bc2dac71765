"""Attention over time: how much coverage chosen initiatives or themes got, and when.

Up to five series on one chart by day, week or month (picked from the date range, switchable),
as article counts or as a share of all coverage in the period, with the initiatives' dated
events on the same axis; a click on a point lists the articles of that period.
"""

from __future__ import annotations

import streamlit as st

from dashboard import briefing, components, data, url_state
from dashboard.charts.attention import (
    GRAINS,
    MAX_SERIES,
    MEASURES,
    attention_figure,
    auto_grain,
    period_label,
)
from dashboard.charts.framing import selected_ids
from dashboard.marks import AttentionPoint

CHART_KEY = "attention_chart"
COMPARE_KEY = "attention_compare"  # initiatives | themes (URL `compare`)
SERIES_KEY = "attention_series"  # the chosen ids, comma-joined; '' = the default (URL `series`)
SERIES_WIDGET = "attention_series_pick"
GRAIN_KEY = "attention_grain"  # auto | day | week | month (URL `grain`)
COUNT_KEY = "attention_count"  # articles | share (URL `count`)
POINT_KEY = "attention_point"  # the clicked point's key (URL `point`)
PAGE_KEY = "attention_articles_page"  # the page of its articles (URL `epage`)
CLOSE_KEY = "attention_close_articles"
BRIEFING_KEY = "attention_briefing"
DEFAULT_SERIES = 3  # series shown when none is chosen: those covered by most articles in view
COMPARE = {"initiatives": "Initiatives", "themes": "Themes"}


def _close() -> None:
    st.session_state[POINT_KEY] = ""
    st.session_state[PAGE_KEY] = 1


def _compare_changed() -> None:
    st.session_state[SERIES_KEY] = ""
    _close()


def _series_changed() -> None:
    st.session_state[SERIES_KEY] = ",".join(st.session_state[SERIES_WIDGET])
    _close()


def _open_clicked_point() -> None:
    """Chart click: list the articles of the clicked point (customdata[0]: its key)."""
    for key in selected_ids(st.session_state.get(CHART_KEY)):
        if AttentionPoint.parse(key) is not None:
            st.session_state[POINT_KEY] = key
            st.session_state[PAGE_KEY] = 1
            return


def choose_series(compare: str, chosen: str) -> tuple[tuple[str, ...], str | None]:
    """The series to draw: those chosen (known ids, at most five), else the sidebar's
    initiatives or themes, else the `DEFAULT_SERIES` covered most in view; and a note when
    some chosen ones were dropped."""
    filters = url_state.filters()
    options = data.filter_options()
    known = set(options.initiatives if compare == "initiatives" else options.themes)
    wanted = [s for s in dict.fromkeys(chosen.split(",")) if s]
    valid = [s for s in wanted if s in known]
    note = None
    if len(valid) > MAX_SERIES:
        note = (f"At most {MAX_SERIES} series are compared on one chart; the first "
                f"{MAX_SERIES} of the {len(valid)} chosen are shown.")
    if valid:
        return tuple(valid[:MAX_SERIES]), note
    sidebar = filters.initiatives if compare == "initiatives" else filters.themes
    if sidebar:
        return tuple(sidebar[:MAX_SERIES]), note
    leaders = data.attention_leaders(filters, compare, DEFAULT_SERIES)
    return tuple(str(s) for s in leaders["series_id"]), note


def _controls(compare: str, series: tuple[str, ...], automatic: str) -> None:
    """The page's own choices: what to compare, which series, the grain and the measure."""
    names = data.labels()[compare]
    options = data.filter_options()
    st.segmented_control("Compare", list(COMPARE), key=COMPARE_KEY, required=True,
                         format_func=COMPARE.__getitem__, on_change=_compare_changed)
    if list(st.session_state.get(SERIES_WIDGET, [])) != list(series):
        st.session_state[SERIES_WIDGET] = list(series)
    st.multiselect(
        f"Series (up to {MAX_SERIES})",
        list(options.initiatives if compare == "initiatives" else options.themes),
        key=SERIES_WIDGET, max_selections=MAX_SERIES, on_change=_series_changed,
        format_func=lambda i: names.get(i, i),
        help="Each is one line; with none chosen, the sidebar's choice or the "
             f"{DEFAULT_SERIES} covered by most articles in view.")
    columns = st.columns(2)
    with columns[0]:
        st.segmented_control(
            "Period", ["auto", *GRAINS], key=GRAIN_KEY, required=True,
            format_func=lambda g: f"Auto ({automatic})" if g == "auto" else GRAINS[g],
            on_change=_close)
    with columns[1]:
        st.segmented_control("Count", list(MEASURES), key=COUNT_KEY, required=True,
                             format_func=MEASURES.__getitem__)


def _show_articles(compare: str, grain: str) -> None:
    """The articles of the clicked point, a page at a time, newest first."""
    point = AttentionPoint.parse(st.session_state.get(POINT_KEY))
    if point is None:
        return
    filters = url_state.filters()
    first = data.attention_articles(filters, grain, compare, point.series_id, point.period, 0)
    st.subheader("Articles", anchor=False)
    label = data.labels()[compare].get(point.series_id, point.series_id)
    if first.empty:
        st.info(f"No article in view covers {components.escape_markdown(label)} in "
                f"{components.escape_markdown(period_label(point.period, grain))} (a link "
                "made before the data, the filters or the period changed may also point "
                "here).", icon=":material/filter_none:")
        return
    total = int(first["total"].iloc[0])
    st.markdown(f"**{components.escape_markdown(label)}, "
                f"{components.escape_markdown(period_label(point.period, grain))}** · "
                f"{total:,} {'article' if total == 1 else 'articles'}")
    page = components.evidence_page(total, PAGE_KEY)
    rows = first if page == 0 else data.attention_articles(
        filters, grain, compare, point.series_id, point.period, page)
    size = data.settings().evidence_page_size
    st.caption(f"Articles {page * size + 1:,}–{page * size + len(rows):,} of {total:,}, "
               "newest first.")
    components.evidence_cards([components.article_card_html(row)
                               for row in components.records(rows)])
    if not url_state.presentation():
        st.button("Close articles", key=CLOSE_KEY, on_click=_close)


def show_attention() -> None:
    """The page: controls, the attention chart with its events, and a point's articles."""
    filters = url_state.filters()
    st.title("Attention over time")
    compare = url_state.synced_param("compare", COMPARE_KEY, "initiatives", valid=list(COMPARE))
    chosen = url_state.synced_param("series", SERIES_KEY, "")
    url_state.synced_param("grain", GRAIN_KEY, "auto", valid=["auto", *GRAINS])
    url_state.synced_param("count", COUNT_KEY, "articles", valid=list(MEASURES))
    url_state.synced_param("point", POINT_KEY, "")
    figures = data.headline_figures(filters)
    automatic = auto_grain(figures["first_published"], figures["last_published"])
    series, note = choose_series(compare, chosen)
    if not url_state.presentation():
        st.caption("How many articles in view cover each initiative or theme per day, week or "
                   "month, or what share of all the articles in view that period they are. "
                   "Dated events of the initiatives are marked on the same axis; click a point "
                   "for the articles of that period.")
        _controls(compare, series, automatic)
    if note:
        st.info(note, icon=":material/filter_5:")
    grain = st.session_state[GRAIN_KEY]
    grain = automatic if grain == "auto" else grain
    measure = st.session_state[COUNT_KEY]
    if not series:
        components.empty_state("No article in view names an initiative or carries a theme.")
        return
    counts = data.attention_series(filters, grain, compare, series)
    if counts.empty:
        components.empty_state("No dated article in view.")
        return
    events = (data.attention_events(filters, series) if compare == "initiatives"
              else counts.iloc[0:0])
    colours = data.initiative_colours() if compare == "initiatives" else data.theme_colours()
    context = components.chart_context(
        "Attention over time" + (", as a share of all coverage" if measure == "share" else ""),
        f"attention-{grain}", components.source_of_view())
    figure = attention_figure(counts, events, measure, grain, colours, context)
    components.chart_block(figure, counts, context, key=CHART_KEY,
                           on_select=_open_clicked_point)
    components.briefing_pack_button(
        "Attention over time", [briefing.BriefingChart(figure, counts, context)],
        key=BRIEFING_KEY)
    with st.container(key="attention_articles"):
        if st.session_state.get(POINT_KEY):
            _show_articles(compare, grain)
        elif not url_state.presentation():
            st.caption("Click a point to list the articles of that period.")


show_attention()
