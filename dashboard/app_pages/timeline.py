"""Timeline of initiatives: every dated event on a year axis; click a marker for its sentence."""

from __future__ import annotations

import streamlit as st

from dashboard import briefing, charts, components, data, url_state

CHART_KEY = "timeline_chart"
EVENT_KEY = "timeline_event"  # the event whose evidence is open (URL parameter `event`)


def _open_clicked_event() -> None:
    """Chart click: open the evidence of the clicked marker (its event_id is customdata[0])."""
    ids = charts.selected_ids(st.session_state.get(CHART_KEY))
    if ids:
        st.session_state[EVENT_KEY] = ids[0]


def show_timeline() -> None:
    """The page: the timeline chart and the evidence panel of the clicked event."""
    filters = url_state.filters()
    url_state.synced_param("event", EVENT_KEY, default="")
    st.title("Timeline of initiatives")
    if not url_state.presentation():
        st.caption("One row per initiative, grouped by category; each marker is a dated event, "
                   "shaped by its type. Hover for the sentence, click a marker for its source, "
                   "drag to zoom, double-click to reset.")

    events = data.timeline_events(filters)
    if events.empty:
        components.empty_state("No dated events match these filters.")
    else:
        context = components.chart_context("Timeline of Kazakhstan's initiatives",
                                           "initiative-timeline", components.source_of_rows(events))
        figure = charts.timeline_figure(events, data.initiative_colours(), context)
        components.chart_block(figure, events, context, key=CHART_KEY,
                               on_select=_open_clicked_event)
        components.briefing_pack_button(
            "Timeline of initiatives", [briefing.BriefingChart(figure, events, context)],
            key="timeline_briefing")
        total = int(events["total_events"].iloc[0])
        if total > len(events):
            st.caption(f"Showing the {len(events)} most recent of {total} events; narrow the "
                       "filters to see the others.")

    selected = st.session_state.get(EVENT_KEY)
    with st.container(key="timeline_evidence"):
        if selected:
            st.subheader("Evidence", anchor=False)
            if components.event_evidence(selected):
                if not url_state.presentation():
                    st.button("Close evidence", key="timeline_close_evidence",
                              on_click=components.clear_key(EVENT_KEY))
            else:
                st.warning("That event is not in this build of the warehouse (the link may be "
                           "older than the data).", icon=":material/link_off:")
        elif not events.empty and not url_state.presentation():
            st.caption("Click a marker to read the sentence it comes from.")


show_timeline()
