"""Membership: an organisation's reference series against the figures articles report,
with its summits and accessions marked along the years."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.charts.framing import (
    ChartContext,
    Layout,
    Trace,
    cell_position,
    empty_figure,
    framed_figure,
    mark_size,
    review_halos,
    year_dtick,
)
from dashboard.charts.labels import (
    date_label,
    escape,
    hover_text,
    is_missing,
    plural,
    row_tuples,
    shorten,
    source_of,
    text_or,
)
from dashboard.marks import EventCell, FigurePoint
from dashboard.review import cell_mark


def membership_figure(reported: pd.DataFrame, reference: pd.DataFrame,
                      milestones: pd.DataFrame, *, organisation: str, kind_label: str,
                      colour: str, ctx: ChartContext) -> go.Figure:
    """An organisation's membership over time: the reference series against reported figures.

    - 'Reference series (sourced)': a step line with a gap wherever the reference says
      'unconfirmed' (never carried forward); those years are marked along the axis.
    - 'Reported in articles': one marker per year and count reported (`reported` is
      `queries.membership_points`), sized by how many reports give it (`mark_size`). A marker
      of one report carries its membership_id in customdata[0] and shows its sentence on
      hover; one of several carries the point's key (`marks.FigurePoint`) and says how many
      reports in how many articles, a click listing their sentences. Every hover gives the
      reference figure for that year.
    - Summits and accessions (first_held / held / joined events) as dotted lines with labels,
      one per event type and year (`queries.membership_milestones`).
    Reported figures are not joined by a line: a figure says nothing about the years between.
    A ring around a reported point or a milestone says an analyst reviewed the figures or
    events it stands for (`review_halos`; the rule is `dashboard.review.cell_mark`).
    """
    dated = reported[reported["year"].notna()] if not reported.empty else reported
    if dated.empty and (reference.empty or reference["member_count"].notna().sum() == 0):
        return empty_figure(ctx, f"No dated {kind_label} figures for {organisation} "
                                 "match these filters.")
    data: list[Trace] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    counts: list[float] = []
    xs: list[float] = []

    if not reference.empty:
        # A year the reference does not list is as unknown as one it marks 'unconfirmed'.
        all_years = range(int(reference["year"].min()), int(reference["year"].max()) + 1)
        reference = (reference.set_index("year").reindex(all_years).rename_axis("year")
                     .reset_index())
        reference["confirmed"] = reference["confirmed"].fillna(False).astype(bool)
        values = [None if is_missing(v) else int(v) for v in reference["member_count"]]
        counts += [v for v in values if v is not None]
        xs += [float(y) for y in reference["year"]]
        reference_custom = [[escape(shorten(r.new_members, 200)),
                             escape(shorten(r.source, 160)),
                             "confirmed" if r.confirmed else "unconfirmed"]
                            for r in row_tuples(reference)]
        data.append({
            "type": "scatter", "x": [int(y) for y in reference["year"]], "y": values,
            "mode": "lines+markers", "name": "Reference series (sourced)",
            "line": {"shape": "hv", "color": theme.NEUTRAL, "width": 2.5},
            "marker": {"symbol": "square", "size": 7, "color": theme.NEUTRAL},
            "connectgaps": False, "customdata": reference_custom,
            "hovertemplate": ("<b>Reference, %{x}: %{y}</b><br>%{customdata[0]}"
                              "<br><i>%{customdata[1]}</i><extra></extra>"),
        })

    if not dated.empty:
        dated = dated.sort_values(["year", "count"])
        counts += [int(c) for c in dated["count"]]
        xs += [float(y) for y in dated["year"]]
        custom = [_point_custom(r, kind_label, with_reference=not reference.empty)
                  for r in row_tuples(dated)]
        data.append({
            "type": "scatter", "x": [int(y) for y in dated["year"]],
            "y": [int(c) for c in dated["count"]],
            "mode": "markers", "name": "Reported in articles", "customdata": custom,
            "marker": {"size": [mark_size(n) for n in dated["reports"]], "color": colour,
                       "opacity": 0.9, "line": {"width": 1.5, "color": "white"}},
            "hovertemplate": ("<b>%{y} %{customdata[1]}</b>, %{customdata[2]} "
                              "<span style='color:#666'>(%{customdata[3]})</span>"
                              "<br><br>%{customdata[4]}<br><i>%{customdata[5]}</i>"
                              "<br>%{customdata[6]}<extra></extra>"),
        })

    top = max(counts) * 1.22 if counts else 10
    if not reference.empty:
        unconfirmed = reference[reference["member_count"].isna()]
        shapes += [{"type": "rect", "xref": "x", "yref": "paper", "x0": int(year) - 0.5,
                    "x1": int(year) + 0.5, "y0": 0, "y1": 1, "fillcolor": "#EFEFEF",
                    "line": {"width": 0}, "layer": "below"} for year in unconfirmed["year"]]
        if not unconfirmed.empty:
            data.append({
                "type": "scatter", "x": [int(y) for y in unconfirmed["year"]],
                "y": [top * 0.02] * len(unconfirmed), "mode": "markers",
                "name": "Reference: year unconfirmed",
                "marker": {"symbol": "line-ns-open", "size": 14, "color": theme.NEUTRAL,
                           "line": {"width": 2}},
                "hovertemplate": "<b>%{x}</b>: unconfirmed in the reference (gap)"
                                 "<extra></extra>",
            })

    if not milestones.empty:
        marks, lines, labels = _milestones(milestones, top, right_edge=max(xs, default=0.0))
        data.append(marks)
        shapes += lines
        annotations += labels
        xs += list(marks["x"])
    data += _review_rings(dated, data)

    layout: Layout = {
        "xaxis": {"title": {"text": "Year"}, "tickformat": "d",
                  "dtick": year_dtick(pd.Series(xs)),
                  "range": [min(xs) - 0.8, max(xs) + 0.8] if xs else None},
        "yaxis": {"title": {"text": kind_label.capitalize()}, "range": [0, top * 1.08],
                  "rangemode": "tozero"},
        "legend": {"title": {"text": "Series"}, "itemwidth": 40},
        "hovermode": "closest", "shapes": shapes, "annotations": annotations,
    }
    return framed_figure(data, layout, ctx, height=500)


def _review_rings(dated: pd.DataFrame, data: list[Trace]) -> list[Trace]:
    """The review rings of the reported points (`dated`, in the order drawn) and of the
    milestone marks (the 'Summit or accession' trace of `data`, which carries their styles)."""
    xs: list[object] = []
    ys: list[object] = []
    sizes: list[float] = []
    styles: list[str] = []
    if not dated.empty:
        xs += [int(y) for y in dated["year"]]
        ys += [int(c) for c in dated["count"]]
        sizes += [mark_size(n) for n in dated["reports"]]
        styles += [cell_mark(r.reports, getattr(r, "reviewed", 0), getattr(r, "analyst_set", 0))
                   for r in row_tuples(dated)]
    for trace in data:
        if trace.get("name") == MILESTONE_TRACE:
            xs += list(trace["x"])
            ys += list(trace["y"])
            sizes += [MILESTONE_SIZE] * len(trace["x"])
            styles += list(trace["meta"]["review_marks"])
    return review_halos(xs, ys, sizes, styles)


MILESTONE_TRACE = "Summit or accession (events)"
MILESTONE_SIZE = 12
MILESTONE_LABELS = {"first_held": "first held", "held": "held", "joined": "joined"}


def _point_custom(r: Any, kind_label: str, *, with_reference: bool) -> list[object]:
    """customdata of a reported point: [id or key, what, year, basis, text, source, reference]."""
    if not with_reference or r.kind != "member_states":
        ref_text = ""
    elif is_missing(r.reference_count):
        ref_text = f"Reference for {int(r.year)}: unconfirmed or none"
    elif int(r.reference_count) == int(r.count):
        ref_text = f"Reference for {int(r.year)}: {int(r.reference_count)} (agrees)"
    else:
        ref_text = f"Reference for {int(r.year)}: {int(r.reference_count)} (differs)"
    if int(r.reports) == 1:
        return [r.membership_id, f"({escape(r.count_text)})", int(r.year),
                "year: " + escape(text_or(r.year_basis).replace("_", " ")),
                hover_text(r.sentence),
                source_of(r.title, r.outlet, r.published, r.published_precision), ref_text]
    key = FigurePoint(str(r.initiative_id), str(r.kind), int(r.year), int(r.count)).key
    return [key, escape(kind_label), int(r.year),
            plural(int(r.reports), "report") + " in " + plural(int(r.articles), "article"),
            "Click to read their sentences", "", ref_text]


def _milestones(milestones: pd.DataFrame, top: float, right_edge: float
                ) -> tuple[Trace, list[dict[str, Any]], list[dict[str, Any]]]:
    """Summits and accessions: one clickable mark per event type and year, a dotted line and a
    label each. A mark sits at its events' date when they share one, else mid-year; one of
    several reports says how many and carries the cell's key (`marks.EventCell`), one report
    its event_id. Labels closer than two years to the previous one move down a level, so they
    never overlap; returns (marks trace, line shapes, label annotations).
    """
    marks = milestones.copy()
    marks["when"] = [cell_position(first, last, year) for first, last, year in zip(
        marks["first_date"].tolist(), marks["last_date"].tolist(), marks["year"].tolist(),
        strict=True)]
    marks["x"] = [w.year + (w.day_of_year - 1) / 365.25 for w in marks["when"]]
    marks = marks.sort_values(["x", "event_type"])
    level_ends: list[float] = []
    custom, ys, lines, labels = [], [], [], []
    right_edge = max(right_edge, float(marks["x"].max()))
    for r in row_tuples(marks):
        label = MILESTONE_LABELS.get(r.event_type, theme.event_type_label(r.event_type))
        single = int(r.reports) == 1
        when = date_label(r.year, r.month, r.day) if single else str(int(r.year))
        level = next((i for i, end in enumerate(level_ends) if r.x - end >= 2.0), None)
        if level is None:
            level = len(level_ends)
            level_ends.append(r.x)
        else:
            level_ends[level] = r.x
        y = top * (1.0 - 0.07 * (level % 3))
        ys.append(y)
        lines.append({"type": "line", "x0": r.x, "x1": r.x, "y0": 0, "y1": y, "xref": "x",
                      "yref": "y", "line": {"color": "#9A9A9A", "width": 1, "dash": "dot"},
                      "layer": "below"})
        # labels of the last few years open leftwards so they stay inside the plot
        near_right = r.x > right_edge - 4
        labels.append({"x": r.x, "y": y, "text": escape(f"{label} {when}"),
                       "showarrow": False, "xanchor": "right" if near_right else "left",
                       "yanchor": "middle", "xshift": -10 if near_right else 10,
                       "font": {"size": 12, "color": theme.MUTED_TEXT}, "name": "milestone"})
        if single:
            custom.append([r.event_id, escape(label), when, hover_text(r.sentence), ""])
        else:
            key = EventCell(str(r.initiative_id), str(r.event_type), int(r.year)).key
            custom.append([key, escape(label), when, "Click to read their sentences",
                           f" ({plural(int(r.reports), 'report')})"])
    trace: Trace = {
        "type": "scatter", "x": [float(x) for x in marks["x"]], "y": ys, "mode": "markers",
        "name": MILESTONE_TRACE, "customdata": custom,
        "meta": {"review_marks": [cell_mark(r.reports, getattr(r, "reviewed", 0),
                                            getattr(r, "analyst_set", 0))
                                  for r in row_tuples(marks)]},
        "marker": {"symbol": "triangle-down", "size": MILESTONE_SIZE, "color": "#9A9A9A"},
        "hovertemplate": ("<b>%{customdata[1]} %{customdata[2]}</b>%{customdata[4]}"
                          "<br><br>%{customdata[3]}<extra></extra>"),
    }
    return trace, lines, labels
