"""The Overview's compact timeline: dated events per year, stacked by initiative."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.charts.framing import (
    ChartContext,
    Layout,
    Trace,
    count_ticks,
    empty_figure,
    framed_figure,
    year_dtick,
)
from dashboard.charts.labels import escape, shorten, wrap_label

OTHER_INITIATIVES = "Other initiatives"


def events_per_year_figure(counts: pd.DataFrame, colours: Mapping[str, str],
                           ctx: ChartContext, max_named: int = 8) -> go.Figure:
    """The Overview's compact timeline: dated events per year, stacked by initiative.

    The `max_named` initiatives with most events keep their colour and legend entry; the rest
    stack as one grey 'Other initiatives' bar whose hover names them, so the legend stays
    short enough to read at a glance.
    """
    if counts.empty:
        return empty_figure(ctx, "No dated events match these filters.")
    totals = counts.groupby("initiative_id")["events"].sum()
    named = set(totals.sort_values(ascending=False, kind="stable").index[:max_named])
    data: list[Trace] = []
    for initiative_id, group in counts.groupby("initiative_id", sort=True):
        if initiative_id not in named:
            continue
        label = wrap_label(group["initiative_label"].iloc[0], 30, max_lines=1)
        data.append({
            "type": "bar", "x": [int(y) for y in group["year"]],
            "y": [int(n) for n in group["events"]], "name": label,
            "marker": {"color": colours.get(initiative_id, theme.NEUTRAL)},
            "customdata": [[initiative_id, label]] * len(group),
            "hovertemplate": "<b>%{customdata[1]}</b><br>%{x}: %{y} dated events<extra></extra>",
        })
    others = counts[~counts["initiative_id"].isin(named)]
    if not others.empty:
        by_year = others.groupby("year").agg(
            events=("events", "sum"),
            names=("initiative_label", lambda labels: ", ".join(sorted(map(str, labels)))))
        data.append({
            "type": "bar", "x": [int(y) for y in by_year.index],
            "y": [int(n) for n in by_year["events"]], "name": OTHER_INITIATIVES,
            "marker": {"color": "#BBBBBB"},
            "customdata": [["", escape(shorten(names, 160))] for names in by_year["names"]],
            "hovertemplate": ("<b>Other initiatives</b><br>%{x}: %{y} dated events"
                              "<br>%{customdata[1]}<extra></extra>"),
        })
    layout: Layout = {
        "barmode": "stack", "bargap": 0.15, "legend": {"title": {"text": "Initiative"}},
        "xaxis": {"title": {"text": "Year of the event"}, "dtick": year_dtick(counts["year"]),
                  "tickformat": "d"},
        "yaxis": {"title": {"text": "Dated events"}, "rangemode": "tozero",
                  **count_ticks(counts.groupby("year")["events"].sum().max())},
    }
    return framed_figure(data, layout, ctx, height=380)
