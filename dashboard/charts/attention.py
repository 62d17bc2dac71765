"""Attention over time: coverage of up to five initiatives or themes per day, week or month,
with the initiatives' dated events on the same time axis."""

from __future__ import annotations

import datetime as dt
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
)
from dashboard.charts.labels import MONTHS, escape, hover_text, plural, wrap_label
from dashboard.marks import AttentionPoint

MAX_SERIES = 5
MEASURES = {"articles": "Articles", "share": "Share of all coverage"}
GRAINS = {"day": "Day", "week": "Week", "month": "Month"}
# Plotly's period of a point, so each sits in the middle of its day, week or month; weeks
# start on Mondays (DuckDB's `date_trunc('week', ...)`), as 3 Jan 2000 did.
_PERIODS = {"day": 86_400_000, "week": 7 * 86_400_000, "month": "M1"}
_WEEK_START = "2000-01-03"
EVENT_LANE = "y2"


def auto_grain(first: object, last: object) -> str:
    """The grain for a date range: days up to three months, weeks up to two years, else
    months (a few dozen to a few hundred points either way)."""
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        return "month"
    days = (pd.Timestamp(last) - pd.Timestamp(first)).days
    return "day" if days <= 92 else "week" if days <= 731 else "month"


def period_label(period: object, grain: str) -> str:
    """'13 Oct 2022', 'week of 10 Oct 2022' or 'Oct 2022'."""
    day = pd.Timestamp(period)
    month = f"{MONTHS[day.month - 1]} {day.year}"
    if grain == "month":
        return month
    return ("week of " if grain == "week" else "") + f"{day.day} {month}"


def _iso(value: object) -> str:
    return pd.Timestamp(value).date().isoformat()


def _series_traces(series: pd.DataFrame, measure: str, grain: str,
                   colours: Mapping[str, str], compact: bool) -> list[Trace]:
    traces: list[Trace] = []
    for series_id, rows in series.groupby("series_id", sort=False):
        label = str(rows["label"].iloc[0])
        periods = [_iso(p) for p in rows["period"]]
        values = (list(rows["articles"].astype(int)) if measure == "articles" else
                  [None if pd.isna(s) else float(s) for s in rows["share"]])
        custom = [[AttentionPoint(str(series_id), dt.date.fromisoformat(p)).key,
                   escape(period_label(p, grain)), int(a), int(t)]
                  for p, a, t in zip(periods, rows["articles"], rows["total"], strict=True)]
        what = ("%{customdata[2]} articles of %{customdata[3]} (%{y:.1%})"
                if measure == "share" else "%{y} articles (of %{customdata[3]} in view)")
        traces.append({
            "type": "scatter", "mode": "lines+markers", "x": periods, "y": values,
            "name": wrap_label(label, 30, max_lines=1),
            "line": {"color": colours.get(str(series_id), theme.NEUTRAL), "width": 2.5},
            "marker": {"size": 5 if compact or len(periods) > 60 else 8},
            "xperiod": _PERIODS[grain], "xperiodalignment": "middle",
            **({"xperiod0": _WEEK_START} if grain == "week" else {}),
            "connectgaps": False, "customdata": custom,
            "hovertemplate": (f"<b>{escape(label)}</b><br>%{{customdata[1]}}: {what}"
                              + ("" if compact else "<br>Click for the articles")
                              + "<extra></extra>"),
        })
    return traces


def _event_marks(events: pd.DataFrame, colours: Mapping[str, str]) -> tuple[list[Trace],
                                                                            list[Layout]]:
    """The events as symbols in a lane above the plot, each with a dotted line down through
    it, so a spike next to a summit explains itself."""
    if events.empty:
        return [], []
    dates = [_iso(d) for d in events["marker_date"]]
    labels = [escape(theme.event_type_label(str(t))) for t in events["event_type"]]
    hovers = [
        f"<b>{escape(str(row.initiative_label))}</b>: {label}, {escape(period_label(day, 'day'))}"
        f"<br>{plural(int(row.reports), 'report')} in {plural(int(row.articles), 'article')}"
        f"<br>{hover_text(row.sentence)}"
        for row, label, day in zip(events.itertuples(), labels, dates, strict=True)]
    trace: Trace = {
        "type": "scatter", "mode": "markers", "x": dates, "y": [0.5] * len(dates),
        "yaxis": EVENT_LANE, "name": "Dated events", "showlegend": True,
        "marker": {"symbol": [theme.event_symbol(str(t)) for t in events["event_type"]],
                   "size": 12, "line": {"width": 1, "color": "white"},
                   "color": [colours.get(str(i), theme.NEUTRAL)
                             for i in events["initiative_id"]]},
        "customdata": [["", h] for h in hovers],
        "hovertemplate": "%{customdata[1]}<extra></extra>",
    }
    lines = [{"type": "line", "xref": "x", "yref": "paper", "x0": d, "x1": d, "y0": 0,
              "y1": 0.86, "layer": "below",
              "line": {"color": colours.get(str(i), theme.NEUTRAL), "width": 1, "dash": "dot"},
              "name": "event"}
             for d, i in zip(dates, events["initiative_id"], strict=True)]
    return [trace], lines


def attention_figure(series: pd.DataFrame, events: pd.DataFrame, measure: str, grain: str,
                     colours: Mapping[str, str], ctx: ChartContext, *,
                     compact: bool = False) -> go.Figure:
    """Coverage per period of each chosen series, as article counts or as a share of all the
    articles in view in the period, with the dated events in a lane above.

    `series` is `queries.attention_series` (period, series_id, label, articles, total, share,
    left_out), `events` `queries.attention_events` (may be empty). Each point carries its
    `AttentionPoint` key in customdata[0] (a click lists the period's articles); event marks
    carry '' there. `compact` (the Overview's panel) draws a shorter chart.
    """
    if series.empty:
        return empty_figure(ctx, "No dated article in view.")
    data = _series_traces(series, measure, grain, colours, compact)
    event_traces, lines = _event_marks(events, colours)
    data += event_traces
    left_out = int(series["left_out"].iloc[0])
    annotations = []
    if left_out:
        coarser = {"day": "a day", "week": "a day", "month": "a month"}[grain]
        annotations.append({
            "text": escape(f"+ {plural(left_out, 'article')} in view undated or dated less "
                           f"precisely than {coarser} (not shown)"),
            "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left",
            "yanchor": "bottom", "yshift": 4, "showarrow": False, "name": "left_out",
            "font": {"size": 12, "color": theme.MUTED_TEXT}})
    share = measure == "share"
    largest = series["articles"].max()
    layout: Layout = {
        "hovermode": "closest", "shapes": lines, "annotations": annotations,
        "legend": {"title": {"text": "Coverage of"}},
        "xaxis": {"type": "date", "title": {"text": f"Publication date, by {grain}"}},
        "yaxis": {"domain": [0, 0.8] if event_traces else [0, 1], "rangemode": "tozero",
                  "title": {"text": "Share of all articles in view" if share else "Articles"},
                  **({"tickformat": ".0%"} if share else count_ticks(largest))},
    }
    if event_traces:
        layout["yaxis2"] = {"domain": [0.86, 1], "range": [0, 1], "visible": False,
                            "fixedrange": True}
    return framed_figure(data, layout, ctx, height=320 if compact else 480)
