"""Membership growth: an organisation's member count, reference series against reported figures."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import briefing, components, data, review, theme, url_state
from dashboard.charts.framing import selected_ids
from dashboard.charts.membership import membership_figure
from dashboard.marks import EventCell, FigurePoint

CHART_KEY = "membership_chart"
ORG_KEY = "membership_org"
KIND_KEY = "membership_kind"
# a membership_id, an event_id, or the key of a point or milestone (URL parameter `figure`)
EVIDENCE_KEY = "membership_selected"
PAGE_KEY = "membership_evidence_page"  # the page of a mark's sentences (URL parameter `epage`)
UNDATED_SHOWN = 100  # undated figures listed under the chart (the newest)
DEFAULT_ORG = "CICA"


def _kind_label(kind: str) -> str:
    return theme.membership_kind_label(kind)


def _open_clicked_mark() -> None:
    """Chart click: open the evidence of the clicked figure or milestone."""
    ids = selected_ids(st.session_state.get(CHART_KEY))
    if ids:
        st.session_state[EVIDENCE_KEY] = ids[0]
        st.session_state[PAGE_KEY] = 1


def _close() -> None:
    st.session_state[EVIDENCE_KEY] = ""
    st.session_state[PAGE_KEY] = 1


def _show_evidence(selected: str) -> bool:
    """The evidence of a clicked mark: one figure or event, or a mark's sentences paged."""
    names = data.labels()["initiatives"]
    point = FigurePoint.parse(selected)
    if point is not None:
        heading = (f"{names.get(point.initiative_id, point.initiative_id)}: {point.count} "
                   f"{_kind_label(point.kind)} ({point.year})")
        return components.point_evidence(point, heading, PAGE_KEY)
    cell = EventCell.parse(selected)
    if cell is not None:
        heading = (f"{names.get(cell.initiative_id, cell.initiative_id)}: "
                   f"{theme.event_type_label(cell.event_type)}, {cell.year}")
        return components.cell_evidence(cell, heading, PAGE_KEY)
    return components.membership_evidence(selected) or components.event_evidence(selected)


def show_membership() -> None:
    """The page: organisation and kind selectors, the chart, and the evidence panel."""
    filters = url_state.filters()
    st.title("Membership growth")
    organisations = data.membership_organisations(filters)
    if organisations.empty:
        components.empty_state("No organisation has membership figures under these filters.")
        return

    org_ids = list(dict.fromkeys(organisations["initiative_id"]))
    org_labels = dict(zip(organisations["initiative_id"], organisations["initiative_name"],
                          strict=False))
    url_state.synced_param("org", ORG_KEY, DEFAULT_ORG if DEFAULT_ORG in org_ids else org_ids[0],
                           valid=org_ids)
    org_kinds = list(organisations.loc[organisations["initiative_id"] == st.session_state[ORG_KEY],
                                       "kind"])
    url_state.synced_param("kind", KIND_KEY,
                           "member_states" if "member_states" in org_kinds else org_kinds[0],
                           valid=org_kinds)
    url_state.synced_param("figure", EVIDENCE_KEY, default="")

    if not url_state.presentation():
        with st.container(horizontal=True, key="membership_controls"):
            st.selectbox("Organisation", org_ids, key=ORG_KEY,
                         format_func=lambda i: org_labels.get(i, i), width=420)
            org_kinds = list(organisations.loc[
                organisations["initiative_id"] == st.session_state[ORG_KEY], "kind"])
            if st.session_state[KIND_KEY] not in org_kinds:
                st.session_state[KIND_KEY] = org_kinds[0]
            st.selectbox("What is counted", org_kinds, key=KIND_KEY, format_func=_kind_label,
                         width=300)

    org = st.session_state[ORG_KEY]
    kind = st.session_state[KIND_KEY]
    label = organisations.loc[organisations["initiative_id"] == org, "initiative_label"].iloc[0]
    reported = data.membership_points(filters, org, kind)
    reference = (data.membership_reference_series(filters, org) if kind == "member_states"
                 else pd.DataFrame(columns=["year", "member_count", "confirmed", "new_members",
                                            "source"]))
    milestones = data.membership_milestones(filters, org)

    if reported.empty and reference["member_count"].notna().sum() == 0:
        components.empty_state(f"No dated {_kind_label(kind)} figures for {label} match these "
                               "filters.")
    else:
        source = components.source_of_outlets(data.figure_sources(filters, org, kind))
        if not reference.empty:
            source = source.rstrip(".") + "; reference series: data/reference (sourced, by year)."
        context = components.chart_context(f"{label}: {_kind_label(kind)} over time",
                                           f"membership-{org}-{kind}", source)
        figure = membership_figure(
            reported, reference, milestones, organisation=str(label), kind_label=_kind_label(kind),
            colour=data.initiative_colours().get(org, theme.NEUTRAL), ctx=context)
        rows = pd.concat([reported.assign(series="reported in articles"),
                          reference.assign(series="reference")], ignore_index=True)
        components.chart_block(figure, rows, context, key=CHART_KEY, on_select=_open_clicked_mark)
        components.briefing_pack_button(
            "Membership growth", [briefing.BriefingChart(figure, rows, context)],
            key="membership_briefing")
        disagreements = reported[reported["reference_count"].notna()
                                 & (reported["reference_count"] != reported["count"])]
        if not disagreements.empty:
            years = ", ".join(str(int(y)) for y in sorted(disagreements["year"].unique()))
            st.warning(f"Reported figures differ from the reference series in {years}; hover the "
                       "markers to compare.", icon=":material/compare_arrows:")

    if not url_state.presentation():
        undated = data.point_reports(filters, org, kind, None, None, 0, UNDATED_SHOWN)
        if not undated.empty:
            total = int(undated["total"].iloc[0])
            shown = "" if total <= len(undated) else f"; the newest {len(undated)} listed"
            with st.expander(f"{total:,} figures without a year (not on the chart{shown})"):
                components.table(
                    undated[["count", "count_text", "sentence", "title", "outlet"]],
                    hide_index=True, key="membership_undated")

    selected = st.session_state.get(EVIDENCE_KEY)
    with st.container(key="membership_evidence"):
        if selected:
            st.subheader("Evidence", anchor=False)
            if _show_evidence(selected):
                if not url_state.presentation():
                    st.button("Close evidence", key="membership_close_evidence",
                              on_click=_close)
            else:
                st.warning("That figure is not in view: the link may be older than the data, "
                           "or the filters leave it out.", icon=":material/link_off:")
        elif not url_state.presentation():
            st.caption("Click a marker to read the sentences a figure comes from. "
                       + review.ring_rule("figures or events"))


show_membership()
