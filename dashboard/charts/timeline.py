"""The Timeline: initiatives as rows along a date axis, one mark per initiative, event type
and year, sized by how many events it stands for, so it stays small whatever the corpus."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping, Sequence
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
)
from dashboard.charts.labels import (
    date_label,
    escape,
    hover_text,
    is_missing,
    plural,
    row_tuples,
    source_of,
    text_or,
    wrap_label,
)
from dashboard.explain import review_line
from dashboard.marks import EventCell
from dashboard.review import UNREVIEWED, cell_mark, review_counts


def _fan_out(bases: Sequence[float], keys: Sequence[Hashable], spread: float) -> list[float]:
    """Positions that fan out marks sharing a key around their base, so none hides another.

    A mark alone in its key stays on its base; n marks sharing one spread evenly over
    base ± `spread`, in input order.
    """
    members: dict[Hashable, list[int]] = {}
    for index, key in enumerate(keys):
        members.setdefault(key, []).append(index)
    positions = [float(base) for base in bases]
    for indices in members.values():
        n = len(indices)
        if n > 1:
            for i, index in enumerate(indices):
                positions[index] += -spread + i * 2 * spread / (n - 1)
    return positions


def timeline_rows(events: pd.DataFrame) -> list[tuple[str, str | None]]:
    """The timeline's rows top to bottom: a header per category, then its initiatives.

    Returns (label, initiative_id) pairs; a header row has initiative_id None. Categories are
    ordered by their earliest event, initiatives within a category likewise.
    """
    first: dict[str, tuple[dt.date, str, str]] = {}  # initiative -> (first date, label, category)
    for initiative, label, category, when in zip(
            events["initiative_id"].tolist(), events["initiative_label"].tolist(),
            events["category"].tolist(), events["marker_date"].tolist(), strict=True):
        if initiative not in first or when < first[initiative][0]:
            first[initiative] = (when, str(label), text_or(category, "other"))
    category_first: dict[str, dt.date] = {}
    for when, _, category in first.values():
        if category not in category_first or when < category_first[category]:
            category_first[category] = when
    ordered = sorted(first.items(), key=lambda item: (category_first[item[1][2]], item[1][2],
                                                      item[1][0], item[1][1]))
    rows: list[tuple[str, str | None]] = []
    current = None
    for initiative, (_, label, category) in ordered:
        if category != current:
            rows.append((category.replace("_", " ").capitalize(), None))
            current = category
        rows.append((label, initiative))
    return rows


def _size_legend(largest: int) -> list[Trace]:
    """Legend entries for the mark sizes in use (1, 10, 100, ... up to `largest`)."""
    entries = []
    for power in range(int(math.log10(max(largest, 1))) + 1):
        n = 10 ** power
        entries.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers",
            "name": "size: " + plural(n, "report"), "legendgroup": "size",
            "showlegend": True, "hoverinfo": "skip",
            "marker": {"symbol": "circle-open", "size": mark_size(n), "color": theme.NEUTRAL},
        })
    return entries


def timeline_figure(cells: pd.DataFrame, colours: Mapping[str, str],
                    ctx: ChartContext) -> go.Figure:
    """Initiatives as rows along a date axis; one mark per initiative, event type and year.

    `cells` is `queries.timeline_cells`: each row counts the events of one initiative of one
    type starting in one year, so every event in view is counted and the chart's size does
    not grow with the corpus. A mark is shaped by the event type, coloured by the initiative
    and sized by how many events it stands for (`mark_size`); it sits at its events' date when
    they share one, else mid-year. `customdata[0]` is the event's id when the mark stands for
    one event (its hover shows the sentence), else the cell's key (`marks.EventCell`; its
    hover says how many events in how many articles), which a click opens as a paged list of
    sentences. Spans (a plan period, a two-year Council seat) are drawn as bars in the
    initiative's colour from `span_start` to `span_end`. Marks in the same row and year fan
    out vertically so dense years stay readable; the y axis is fixed, the date axis zooms.
    A ring around a mark says an analyst reviewed its events (`review_halos`, from the
    cell's `reviewed` and `analyst_set` counts: `dashboard.review.cell_mark`).
    """
    if cells.empty:
        return empty_figure(ctx, "No dated events match these filters.")
    cells = cells.assign(marker_date=[
        cell_position(first, last, year) for first, last, year in zip(
            cells["first_date"].tolist(), cells["last_date"].tolist(), cells["year"].tolist(),
            strict=True)])
    rows = timeline_rows(cells)
    row_of = {initiative: i for i, (_, initiative) in enumerate(rows) if initiative is not None}
    # Plain records: per-row access to (Arrow-backed) pandas columns is slow on wide frames.
    records = row_tuples(cells)
    # marks of one initiative in one year fan out vertically within the initiative's row
    bases = [row_of[r.initiative_id] for r in records]
    ys = _fan_out(bases, [(b, r.marker_date.year) for b, r in zip(bases, records, strict=True)],
                  spread=0.3)
    data: list[Trace] = []

    spans: dict[str, tuple[list[object], list[object]]] = {}
    for r, y in zip(records, ys, strict=True):
        if is_missing(r.span_end) or is_missing(r.span_start):
            continue
        xs, span_ys = spans.setdefault(r.initiative_id, ([], []))
        xs += [pd.Timestamp(r.span_start), pd.Timestamp(r.span_end), None]
        span_ys += [y, y, None]
    for initiative_id, (xs, span_ys) in sorted(spans.items()):
        data.append({
            "type": "scatter", "x": xs, "y": span_ys, "mode": "lines",
            "name": f"span: {initiative_id}", "showlegend": False, "hoverinfo": "skip",
            "line": {"color": colours.get(initiative_id, theme.NEUTRAL), "width": 7},
            "opacity": 0.45,
        })

    for event_type in sorted({r.event_type for r in records}):
        group = [(r, y) for r, y in zip(records, ys, strict=True) if r.event_type == event_type]
        label = theme.event_type_label(event_type)
        symbol = theme.event_symbol(event_type)
        custom = [_cell_custom(r, label) for r, _ in group]
        marker_colours = [colours.get(r.initiative_id, theme.NEUTRAL) for r, _ in group]
        data.append({
            "type": "scatter", "x": [r.marker_date for r, _ in group],
            "y": [y for _, y in group], "mode": "markers", "name": label,
            "legendgroup": event_type, "showlegend": False, "customdata": custom,
            "marker": {"symbol": symbol, "size": [mark_size(r.events) for r, _ in group],
                       "color": marker_colours, "opacity": 0.9,
                       "line": {"width": 1.5, "color": marker_colours}},
            "hovertemplate": ("<b>%{customdata[1]}</b><br>%{customdata[2]} · %{customdata[3]}"
                              "<br><br>%{customdata[4]}<br><i>%{customdata[5]}</i>"
                              "<extra></extra>"),
        })
        # A neutral legend entry per event type: marker colours belong to initiatives.
        data.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers", "name": label,
            "legendgroup": event_type, "showlegend": True, "hoverinfo": "skip",
            "marker": {"symbol": symbol, "size": 12, "color": theme.NEUTRAL,
                       "line": {"width": 1.5, "color": theme.NEUTRAL}},
        })
    data += review_halos([r.marker_date for r in records], ys,
                         [mark_size(r.events) for r in records],
                         [cell_mark(r.events, getattr(r, "reviewed", 0),
                                    getattr(r, "analyst_set", 0)) for r in records])
    largest = max(int(r.events) for r in records)
    if largest > 1:
        data += _size_legend(largest)

    # an empty trace on the top year axis: Plotly draws no axis that carries no trace
    data.append({"type": "scatter", "x": [None], "y": [None], "xaxis": "x2", "mode": "markers",
                 "name": "years", "showlegend": False, "hoverinfo": "skip"})
    # a rule above every category header but the first
    rules = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": i - 0.5,
              "y1": i - 0.5, "line": {"color": theme.GRID, "width": 1}}
             for i, (_, initiative) in enumerate(rows) if initiative is None and i > 0]
    # One line per row keeps rows compact; the full name is in every marker's hover.
    ticktext = [f"<b>{wrap_label(label.upper(), 34, max_lines=1)}</b>" if initiative is None
                else wrap_label(label, 34, max_lines=1) for label, initiative in rows]
    start = min(r.marker_date for r in records)
    end = max([r.marker_date for r in records]
              + [pd.Timestamp(r.span_end) for r in records if not is_missing(r.span_end)])
    pad = max(pd.Timedelta(days=200), (end - start) * 0.04)
    years_shown = (end - start).days / 365.25
    layout: Layout = {
        "xaxis": {"type": "date", "range": [start - pad, end + pad], "title": {"text": "Year"},
                  "showgrid": True, "dtick": "M60" if years_shown > 15 else "M12",
                  "tickformat": "%Y"},
        # the years again along the top: with many rows the bottom axis is off screen
        "xaxis2": {"type": "date", "matches": "x", "overlaying": "x", "side": "top",
                   "showgrid": False, "dtick": "M60" if years_shown > 15 else "M12",
                   "tickformat": "%Y", "fixedrange": False},
        "yaxis": {"tickvals": list(range(len(rows))), "ticktext": ticktext,
                  "range": [len(rows) - 0.5, -0.6], "fixedrange": True, "showgrid": False,
                  "zeroline": False},
        "legend": {"title": {"text": "Event type"}, "itemclick": "toggle",
                   "itemdoubleclick": "toggleothers"},
        "hovermode": "closest", "dragmode": "zoom", "shapes": rules,
    }
    # extra room at the top for the year labels there, so they never run into the subtitle
    return framed_figure(data, layout, ctx, height=190 + 30 * len(rows), extra_top=24)


def _cell_custom(r: Any, label: str) -> list[object]:
    """customdata of a timeline mark: [id or key, initiative, type, date, text, source line].

    The source line of an analyst-reviewed event says who reviewed it (and why), and that of
    a mark of several events how many of them analysts reviewed, as the rings show."""
    if int(r.events) == 1:
        source = source_of(r.title, r.outlet, r.published, r.published_precision)
        if (getattr(r, "review", None) or UNREVIEWED) != UNREVIEWED:
            source += "<br>" + hover_text(review_line(r._asdict()))
        return [r.event_id, escape(r.initiative_name), label,
                date_label(r.year, r.month, r.day, r.end_year, r.end_month, r.end_day),
                hover_text(r.sentence), source]
    same_day = (not is_missing(r.first_date)
                and pd.Timestamp(r.first_date) == pd.Timestamp(r.last_date))
    when = str(int(r.year)) + (" (all on one date)" if same_day else "")
    counted = (plural(int(r.events), "event") + " in "
               + plural(int(r.articles), "article"))
    reviewed = review_counts(r.events, getattr(r, "reviewed", 0), "event")
    return [EventCell(str(r.initiative_id), str(r.event_type), int(r.year)).key,
            escape(r.initiative_name), label, when, counted,
            "Click to read their sentences" + (f"<br>{reviewed}" if reviewed else "")]
