"""Timeline of initiatives: dated events on a year axis; click a marker for its sentences."""

from __future__ import annotations

import streamlit as st

from dashboard import briefing, components, data, review, theme, url_state
from dashboard.charts.framing import selected_ids
from dashboard.charts.timeline import timeline_figure
from dashboard.marks import EventCell

CHART_KEY = "timeline_chart"
EVENT_KEY = "timeline_event"  # an event id or a cell key (URL parameter `event`)
PAGE_KEY = "timeline_evidence_page"  # the page of a cell's sentences (URL parameter `epage`)


def _open_clicked_event() -> None:
    """Chart click: open the evidence of the clicked marker (customdata[0]: an id or a key)."""
    ids = selected_ids(st.session_state.get(CHART_KEY))
    if ids:
        st.session_state[EVENT_KEY] = ids[0]
        st.session_state[PAGE_KEY] = 1


def _close() -> None:
    st.session_state[EVENT_KEY] = ""
    st.session_state[PAGE_KEY] = 1


def _show_evidence(selected: str) -> bool:
    """The evidence of the selected marker: one event's card, or a cell's sentences paged."""
    cell = EventCell.parse(selected)
    if cell is None:
        return components.event_evidence(selected)
    label = data.labels()["initiatives"].get(cell.initiative_id, cell.initiative_id)
    heading = f"{label}: {theme.event_type_label(cell.event_type)}, {cell.year}"
    return components.cell_evidence(cell, heading, PAGE_KEY)


def show_timeline() -> None:
    """The page: the timeline chart and the evidence panel of the clicked marker."""
    filters = url_state.filters()
    url_state.synced_param("event", EVENT_KEY, default="")
    st.title("Timeline of initiatives")
    if not url_state.presentation():
        st.caption("One row per initiative, grouped by category. A marker stands for an "
                   "initiative's events of one type in one year: shaped by the type, larger "
                   "the more events it counts. Hover for the sentence (or how many), click a "
                   "marker for its sources, drag to zoom, double-click to reset. "
                   + review.ring_rule("events"))

    cells = data.timeline_cells(filters)
    if cells.empty:
        components.empty_state("No dated events match these filters.")
    else:
        context = components.chart_context("Timeline of Kazakhstan's initiatives",
                                           "initiative-timeline",
                                           components.source_of_outlets(
                                               data.event_sources(filters)))
        figure = timeline_figure(cells, data.initiative_colours(), context)
        components.chart_block(figure, cells, context, key=CHART_KEY,
                               on_select=_open_clicked_event)
        components.briefing_pack_button(
            "Timeline of initiatives", [briefing.BriefingChart(figure, cells, context)],
            key="timeline_briefing")

    selected = st.session_state.get(EVENT_KEY)
    with st.container(key="timeline_evidence"):
        if selected:
            st.subheader("Evidence", anchor=False)
            if _show_evidence(selected):
                if not url_state.presentation():
                    st.button("Close evidence", key="timeline_close_evidence", on_click=_close)
            else:
                st.warning("That event is not in view: the link may be older than the data, "
                           "or the filters leave it out.", icon=":material/link_off:")
        elif not cells.empty and not url_state.presentation():
            st.caption("Click a marker to read the sentences it stands for.")


show_timeline()
