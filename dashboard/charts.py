"""Chart builders: one pure function per chart, a DataFrame in and a `go.Figure` out.

No Streamlit and no caching here, so every chart is unit-tested by asserting on `fig.data` and
`fig.layout`. Every figure carries its title, a subtitle stating the active filters and a
source line, so a screenshot or an exported file is self-explanatory in a briefing. Every
clickable mark carries in `customdata[0]` what a click hands back to the page: the id of the
sentence it stands for (event_id, membership_id), the key of the group of sentences it stands
for (`dashboard.marks`), or a theme. Charts of events and figures draw aggregates (one mark per
initiative, type and year; per year and count), sized by how many they stand for, so they stay
small whatever the size of the corpus.

Text from articles goes into hover labels, which Plotly renders as a small HTML subset, so it
is escaped first (`_escape`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import math
import re
import textwrap
from collections import namedtuple
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, SupportsInt

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.filters import Filters
from dashboard.marks import EventCell, FigurePoint

HOVER_SENTENCE_CHARS = 180  # a hover shows the sentence shortened to this many characters
HOVER_LINE_CHARS = 70  # and wrapped at this width, so a hover stays narrower than the chart
# Month labels ("Jan" ... "Dec"): the calendar the ETL reads month names from (etl.months)
MONTHS = tuple(calendar.month_abbr[1:])

THEME_METRICS = {
    "per_1000_words": "Keyword hits per 1,000 words",
    "articles": "Articles mentioning the theme",
}
INITIATIVE_THEME_METRICS = {
    "sentences": "Sentences naming the initiative that carry the theme",
    "share": "Share of the initiative's themed sentences",
}


@dataclass(frozen=True)
class ChartContext:
    """What frames a chart for a briefing: its title, filter line, source line and file name."""

    title: str
    subtitle: str
    source: str
    filename: str
    presentation: bool = False

    @property
    def font_scale(self) -> float:
        return theme.PRESENTATION_SCALE if self.presentation else 1.0


# --- text helpers ----------------------------------------------------------------------------


def text_or(value: object, default: str = "") -> str:
    """A text cell as str; a missing value (None, NaN, NA) becomes `default`."""
    return default if _is_missing(value) or value == "" else str(value)


def shorten(text: object, limit: int = HOVER_SENTENCE_CHARS) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text_or(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—- ")
    return cut + "…"


def wrap_label(text: object, width: int = 26, max_lines: int = 2) -> str:
    """An axis label wrapped onto at most `max_lines` lines ('<br>'), escaped, '…' if cut.

    Initiative names run to 60 characters; unwrapped they would squeeze the plot area.
    """
    lines = textwrap.wrap(text_or(text), width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        if len(last) > width - 1:
            last = last[: width - 1].rsplit(" ", 1)[0]
        lines[-1] = last.rstrip(",;:—- ") + "…"
    return "<br>".join(_escape(line) for line in lines)


def _escape(text: object) -> str:
    """Article text made safe for Plotly's HTML-subset labels ('<b>' shows as text)."""
    return html.escape(text_or(text), quote=False)


def _hover_text(text: object, limit: int = HOVER_SENTENCE_CHARS) -> str:
    """A sentence for a hover label: shortened, escaped and wrapped into short lines."""
    lines = textwrap.wrap(shorten(text, limit), HOVER_LINE_CHARS) or [""]
    return "<br>".join(_escape(line) for line in lines)


def _rows(frame: pd.DataFrame) -> list[Any]:
    """The frame's rows as named tuples, fast: pandas' own itertuples is slow on wide frames."""
    columns = [str(c) for c in frame.columns]
    row = namedtuple("Row", columns, rename=True)  # type: ignore[misc]
    return [row(*values) for values in zip(*(frame[c].tolist() for c in frame.columns),
                                           strict=True)]


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _source_of(title: object, outlet: object, published: object, precision: object) -> str:
    """'Title (Outlet, 16 Jul 2023)' for a hover label, shortened and escaped."""
    return _escape(shorten(f"{text_or(title, 'Untitled')} ({text_or(outlet, 'unknown outlet')}"
                           f", {published_label(published, precision)})", 110))


def _int_or_none(value: object) -> int | None:
    return None if _is_missing(value) else cell_int(value)


def cell_int(value: object) -> int:
    """A table cell holding a number (Python or numpy) as an int; TypeError for anything else.

    Cells come out of pandas untyped; checking for `__int__` (or a numeric string) says so
    once, here, instead of asserting a type at every call.
    """
    if isinstance(value, SupportsInt | str):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def _part_label(year: int, month: int | None, day: int | None) -> str:
    if month is None or not 1 <= month <= 12:
        return str(year)
    if day is None:
        return f"{MONTHS[month - 1]} {year}"
    return f"{day} {MONTHS[month - 1]} {year}"


def date_label(year: object, month: object = None, day: object = None, end_year: object = None,
               end_month: object = None, end_day: object = None) -> str:
    """A date at the precision the text gives: '2017', 'Jun 2023', '14 Jul 2023', '2017–2018'."""
    start_year = _int_or_none(year)
    if start_year is None:
        return "undated"
    start = _part_label(start_year, _int_or_none(month), _int_or_none(day))
    last_year = _int_or_none(end_year)
    if last_year is None:
        return start
    end = _part_label(last_year, _int_or_none(end_month), _int_or_none(end_day))
    return start if end == start else f"{start}–{end}"


def published_label(published: object, precision: object) -> str:
    """A publication date at its known precision ('16 Jul 2023', 'Jun 2025', '2020')."""
    if _is_missing(published):
        return "date unknown"
    day = pd.Timestamp(published)
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def source_line(articles: int, outlets: Sequence[str], built_at: str | None,
                max_outlets: int = 4) -> str:
    """The line under every chart: 'Source: 5 articles from A, B and 2 more; built ...'."""
    noun = "article" if articles == 1 else "articles"
    named = list(dict.fromkeys(outlets))
    if not named:
        origin = ""
    elif len(named) <= max_outlets:
        origin = " from " + (named[0] if len(named) == 1
                             else ", ".join(named[:-1]) + " and " + named[-1])
    else:
        origin = " from " + ", ".join(named[:max_outlets]) + f" and {len(named) - max_outlets} more"
    built = f"; warehouse built {format_built_at(built_at)}" if built_at else ""
    return f"Source: {articles} {noun}{origin}{built}."


def format_built_at(built_at: str | None) -> str:
    """The build time as '23 Nov 2026, 01:20 UTC' (the warehouse stores ISO text in UTC)."""
    if not built_at:
        return "unknown"
    try:
        when = dt.datetime.fromisoformat(built_at.replace("Z", "+00:00"))
    except ValueError:
        return built_at
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}, {when:%H:%M} UTC"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def export_filename(chart: str, filters: Filters, max_chars: int = 120) -> str:
    """A download name that says what the chart shows: 'initiative-timeline_2002-2023_security'."""
    parts = [_slug(chart)]
    if filters.event_years:
        low, high = filters.event_years
        parts.append(str(low) if low == high else f"{low}-{high}")
    if filters.published_years:
        low, high = filters.published_years
        parts.append("published-" + (str(low) if low == high else f"{low}-{high}"))
    for values in (filters.themes, filters.initiatives, filters.event_types, filters.outlets):
        if values:
            parts.append("-".join(_slug(v) for v in values))
    return "_".join(p for p in parts if p)[:max_chars].rstrip("-_")


# --- framing shared by every chart -----------------------------------------------------------


MIN_HEIGHT = 340
SOURCE_LINE_CHARS = 85  # a longer source line wraps, so it never runs off a 1280 px chart
LEGEND_FOOT = 12  # px kept free under a legend that runs past the plot area

Trace = dict[str, Any]
Layout = dict[str, Any]


def _figure(data: list[Trace], layout: Layout, ctx: ChartContext, *, height: int,
            extra_top: int = 0) -> go.Figure:
    """Build the figure in one go, framed with title, filter subtitle and source line.

    Plotly validates every property it is handed; building from one dict costs a tenth of
    setting the same properties with `update_layout` calls, which keeps page reruns fast.
    The source line sits under the x axis at a fixed distance, aligned to the plot's right
    edge (the left edge moves with the width of the y labels); x tick labels are kept
    horizontal unless the chart chose an angle, so that distance holds whatever the data.
    The template is the app's (theme.py makes it Plotly's default when it registers it).
    """
    scale = ctx.font_scale
    source_lines = textwrap.wrap(ctx.source, SOURCE_LINE_CHARS) or [""]
    xaxis = {"tickangle": 0, **layout.pop("xaxis", {})}
    source = {
        "text": "<br>".join(_escape(line) for line in source_lines), "xref": "paper",
        "yref": "paper", "x": 1, "y": 0, "xanchor": "right", "yanchor": "top",
        "yshift": -round(58 * scale), "showarrow": False, "align": "right",
        "font": {"size": round(12 * scale), "color": theme.MUTED_TEXT}, "name": "source",
    }
    legend = {**layout.pop("legend", {}), "font": {"size": round(13 * scale)}}
    stretch = 1.1 if ctx.presentation else 1.0
    top, bottom = round((88 + extra_top) * scale), round((70 + 16 * len(source_lines)) * scale)
    # a floor, so a chart of one bar or one row still has a plot area to speak of
    pixels = round(max(height, MIN_HEIGHT) * stretch)
    # Plotly scrolls a legend taller than the plot area, which hides entries in a screenshot
    # or an exported image. The legend (right of the plot) may run down beside the x axis to
    # the foot of the figure; only a legend longer still makes the figure taller.
    needed = _legend_height(data, layout, legend, scale)
    if needed:
        pixels = max(pixels, needed + top + LEGEND_FOOT)
        legend["maxheight"] = pixels - top - LEGEND_FOOT
    framed: Layout = {
        **layout,
        "xaxis": xaxis,
        "legend": legend,
        "height": pixels,
        "font": {"size": round(theme.BASE_FONT_SIZE * scale)},
        "title": {
            "text": f"<b>{_escape(ctx.title)}</b>",
            "font": {"size": round(20 * scale)},
            "subtitle": {"text": _escape(ctx.subtitle),
                         "font": {"size": round(13 * scale), "color": theme.MUTED_TEXT}},
        },
        "margin": {"t": top, "b": bottom},
        "meta": {"filename": ctx.filename},
        "annotations": [*layout.get("annotations", []), source],
    }
    return go.Figure(data=data, layout=framed)


def _legend_height(data: list[Trace], layout: Layout, legend: Layout, scale: float) -> int:
    """Pixels a vertical legend needs: ~1.55 font sizes per entry, more for its title, and
    Plotly's gap (`tracegroupgap`, 10 px) between entries once any trace has a legend group.

    Plotly lists the traces that show in the legend (a heatmap never does) and shows no
    legend for a lone trace unless told to.
    """
    if layout.get("showlegend") is False:
        return 0
    shown = [t for t in data if t.get("type") != "heatmap" and t.get("showlegend", True)]
    if len(shown) < 2 and not any(t.get("showlegend") is True for t in shown):
        return 0
    title = legend.get("title")
    titled = bool(title.get("text") if isinstance(title, dict) else title)
    gaps = (len(shown) - 1) * legend.get("tracegroupgap", 10) if any(
        t.get("legendgroup") for t in shown) else 0
    return round(legend["font"]["size"] * (1.55 * len(shown) + (2.6 if titled else 1.0))) + gaps


def empty_figure(ctx: ChartContext, message: str) -> go.Figure:
    """A framed figure that says why it is empty instead of showing a blank axis."""
    layout: Layout = {
        "xaxis": {"visible": False}, "yaxis": {"visible": False},
        "annotations": [{"text": _escape(message), "xref": "paper", "yref": "paper", "x": 0.5,
                         "y": 0.5, "showarrow": False, "name": "empty",
                         "font": {"size": 16, "color": theme.MUTED_TEXT}}],
    }
    return _figure([], layout, ctx, height=320)


# --- Timeline --------------------------------------------------------------------------------


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


MARK_SIZE = 13  # px of a mark standing for one event or figure
MARK_SIZE_MAX = 32  # px of a mark standing for very many


def mark_size(count: object) -> float:
    """Marker size for a mark standing for `count` events or figures: 13 px for one, five px
    more per tenfold, at most 32 px (so 20,000 reports never cover the chart)."""
    n = max(1, _int_or_none(count) or 1)
    return round(min(MARK_SIZE_MAX, MARK_SIZE + 5 * math.log10(n)), 1)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def cell_position(first: object, last: object, year: object) -> pd.Timestamp:
    """Where a timeline cell's mark sits: its events' date when they share one, else mid-year."""
    if (not _is_missing(first) and not _is_missing(last)
            and pd.Timestamp(first) == pd.Timestamp(last)):
        return pd.Timestamp(first)
    return pd.Timestamp(year=cell_int(year), month=7, day=1)


def _size_legend(largest: int) -> list[Trace]:
    """Legend entries for the mark sizes in use (1, 10, 100, ... up to `largest`)."""
    entries = []
    for power in range(int(math.log10(max(largest, 1))) + 1):
        n = 10 ** power
        entries.append({
            "type": "scatter", "x": [None], "y": [None], "mode": "markers",
            "name": "size: " + _plural(n, "report"), "legendgroup": "size",
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
    records = _rows(cells)
    # marks of one initiative in one year fan out vertically within the initiative's row
    bases = [row_of[r.initiative_id] for r in records]
    ys = _fan_out(bases, [(b, r.marker_date.year) for b, r in zip(bases, records, strict=True)],
                  spread=0.3)
    data: list[Trace] = []

    spans: dict[str, tuple[list[object], list[object]]] = {}
    for r, y in zip(records, ys, strict=True):
        if _is_missing(r.span_end) or _is_missing(r.span_start):
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
              + [pd.Timestamp(r.span_end) for r in records if not _is_missing(r.span_end)])
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
    return _figure(data, layout, ctx, height=190 + 30 * len(rows), extra_top=24)


def _cell_custom(r: Any, label: str) -> list[object]:
    """customdata of a timeline mark: [id or key, initiative, type, date, text, source line]."""
    if int(r.events) == 1:
        return [r.event_id, _escape(r.initiative_name), label,
                date_label(r.year, r.month, r.day, r.end_year, r.end_month, r.end_day),
                _hover_text(r.sentence),
                _source_of(r.title, r.outlet, r.published, r.published_precision)]
    same_day = (not _is_missing(r.first_date)
                and pd.Timestamp(r.first_date) == pd.Timestamp(r.last_date))
    when = str(int(r.year)) + (" (all on one date)" if same_day else "")
    counted = (_plural(int(r.events), "event") + " in "
               + _plural(int(r.articles), "article"))
    return [EventCell(str(r.initiative_id), str(r.event_type), int(r.year)).key,
            _escape(r.initiative_name), label, when, counted,
            "Click to read their sentences"]


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
            "customdata": [["", _escape(shorten(names, 160))] for names in by_year["names"]],
            "hovertemplate": ("<b>Other initiatives</b><br>%{x}: %{y} dated events"
                              "<br>%{customdata[1]}<extra></extra>"),
        })
    layout: Layout = {
        "barmode": "stack", "bargap": 0.15, "legend": {"title": {"text": "Initiative"}},
        "xaxis": {"title": {"text": "Year of the event"}, "dtick": _year_dtick(counts["year"]),
                  "tickformat": "d"},
        "yaxis": {"title": {"text": "Dated events"}, "rangemode": "tozero",
                  **_count_ticks(counts.groupby("year")["events"].sum().max())},
    }
    return _figure(data, layout, ctx, height=380)


def _count_ticks(largest: object) -> dict[str, Any]:
    """Ticks of an axis of counts: whole numbers only (never 0.5 events), one per unit while
    the counts are small."""
    few = not _is_missing(largest) and float(largest) <= 8  # type: ignore[arg-type]
    return {"tickformat": ",d", **({"dtick": 1} if few else {})}


def _year_dtick(years: pd.Series) -> int:
    span = int(years.max() - years.min()) if len(years) else 0
    return 1 if span <= 12 else 2 if span <= 24 else 5


# --- Membership ------------------------------------------------------------------------------


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
        values = [None if _is_missing(v) else int(v) for v in reference["member_count"]]
        counts += [v for v in values if v is not None]
        xs += [float(y) for y in reference["year"]]
        reference_custom = [[_escape(shorten(r.new_members, 200)),
                             _escape(shorten(r.source, 160)),
                             "confirmed" if r.confirmed else "unconfirmed"]
                            for r in _rows(reference)]
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
                  for r in _rows(dated)]
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

    layout: Layout = {
        "xaxis": {"title": {"text": "Year"}, "tickformat": "d",
                  "dtick": _year_dtick(pd.Series(xs)),
                  "range": [min(xs) - 0.8, max(xs) + 0.8] if xs else None},
        "yaxis": {"title": {"text": kind_label.capitalize()}, "range": [0, top * 1.08],
                  "rangemode": "tozero"},
        "legend": {"title": {"text": "Series"}, "itemwidth": 40},
        "hovermode": "closest", "shapes": shapes, "annotations": annotations,
    }
    return _figure(data, layout, ctx, height=500)


MILESTONE_LABELS = {"first_held": "first held", "held": "held", "joined": "joined"}


def _point_custom(r: Any, kind_label: str, *, with_reference: bool) -> list[object]:
    """customdata of a reported point: [id or key, what, year, basis, text, source, reference]."""
    if not with_reference or r.kind != "member_states":
        ref_text = ""
    elif _is_missing(r.reference_count):
        ref_text = f"Reference for {int(r.year)}: unconfirmed or none"
    elif int(r.reference_count) == int(r.count):
        ref_text = f"Reference for {int(r.year)}: {int(r.reference_count)} (agrees)"
    else:
        ref_text = f"Reference for {int(r.year)}: {int(r.reference_count)} (differs)"
    if int(r.reports) == 1:
        return [r.membership_id, f"({_escape(r.count_text)})", int(r.year),
                "year: " + _escape(text_or(r.year_basis).replace("_", " ")),
                _hover_text(r.sentence),
                _source_of(r.title, r.outlet, r.published, r.published_precision), ref_text]
    key = FigurePoint(str(r.initiative_id), str(r.kind), int(r.year), int(r.count)).key
    return [key, _escape(kind_label), int(r.year),
            _plural(int(r.reports), "report") + " in " + _plural(int(r.articles), "article"),
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
    for r in _rows(marks):
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
        labels.append({"x": r.x, "y": y, "text": _escape(f"{label} {when}"),
                       "showarrow": False, "xanchor": "right" if near_right else "left",
                       "yanchor": "middle", "xshift": -10 if near_right else 10,
                       "font": {"size": 12, "color": theme.MUTED_TEXT}, "name": "milestone"})
        if single:
            custom.append([r.event_id, _escape(label), when, _hover_text(r.sentence), ""])
        else:
            key = EventCell(str(r.initiative_id), str(r.event_type), int(r.year)).key
            custom.append([key, _escape(label), when, "Click to read their sentences",
                           f" ({_plural(int(r.reports), 'report')})"])
    trace: Trace = {
        "type": "scatter", "x": [float(x) for x in marks["x"]], "y": ys, "mode": "markers",
        "name": "Summit or accession (events)", "customdata": custom,
        "marker": {"symbol": "triangle-down", "size": 12, "color": "#9A9A9A"},
        "hovertemplate": ("<b>%{customdata[1]} %{customdata[2]}</b>%{customdata[4]}"
                          "<br><br>%{customdata[3]}<extra></extra>"),
    }
    return trace, lines, labels


# --- Topics ----------------------------------------------------------------------------------


def theme_frequency_figure(frequency: pd.DataFrame, metric: str, colours: Mapping[str, str],
                           ctx: ChartContext) -> go.Figure:
    """Horizontal bars of theme frequency, largest on top; `customdata[0]` is the theme id.

    `metric` is 'per_1000_words' (keyword hits per 1,000 words of the articles in view) or
    'articles' (articles mentioning the theme).
    """
    if metric not in THEME_METRICS:
        raise ValueError(f"unknown theme metric {metric!r}; use one of {sorted(THEME_METRICS)}")
    if frequency.empty:
        return empty_figure(ctx, "No theme keywords in the articles that match these filters.")
    rows = frequency.sort_values([metric, "theme"], ascending=[True, False])
    text = ([f"{v:.1f}" for v in rows[metric]] if metric == "per_1000_words"
            else [str(int(v)) for v in rows[metric]])
    bars: Trace = {
        "type": "bar", "orientation": "h", "x": [float(v) for v in rows[metric]],
        "y": [_escape(label) for label in rows["label"]],
        "marker": {"color": [colours.get(t, theme.NEUTRAL) for t in rows["theme"]]},
        "text": text, "textposition": "outside", "cliponaxis": False,
        "customdata": [[r.theme, _escape(r.label), int(r.articles), int(r.hits),
                        float(r.per_1000_words or 0)] for r in _rows(rows)],
        "hovertemplate": ("<b>%{customdata[1]}</b><br>%{customdata[4]:.2f} hits per 1,000 "
                          "words<br>%{customdata[3]} hits in %{customdata[2]} articles"
                          "<extra>click to filter to this theme</extra>"),
        "name": THEME_METRICS[metric],
    }
    layout: Layout = {
        "xaxis": {"title": {"text": THEME_METRICS[metric]}, "rangemode": "tozero",
                  "range": [0, float(rows[metric].max()) * 1.15 or 1],
                  **(_count_ticks(rows[metric].max()) if metric == "articles" else {})},
        "yaxis": {"fixedrange": True},
        "showlegend": False, "bargap": 0.25,
    }
    return _figure([bars], layout, ctx, height=160 + 34 * len(rows))


def theme_year_heatmap(by_year: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Themes (rows) by publication year (columns): hits per 1,000 words of that year's articles.

    Every year between the first and the last is a column; a year without articles in view
    is left blank (no hover) rather than drawn as zero coverage, which shows as a 0.0 cell.
    """
    if by_year.empty:
        return empty_figure(ctx, "No dated articles with themes match these filters.")
    years = list(range(int(by_year["year"].min()), int(by_year["year"].max()) + 1))
    themes = (by_year.groupby(["theme", "label"])["hits"].sum().reset_index()
              .sort_values(["hits", "theme"], ascending=[False, True]))
    cells = {(r.theme, int(r.year)): r for r in _rows(by_year)}
    z, text, custom = [], [], []
    for t in _rows(themes):
        z_row: list[float | None] = []
        text_row, custom_row = [], []
        for year in years:
            cell = cells.get((t.theme, year))
            if cell is None:
                z_row.append(None)
                text_row.append("")
                custom_row.append([t.theme, _escape(t.label), 0, 0, 0])
                continue
            rate = 0.0 if _is_missing(cell.per_1000_words) else float(cell.per_1000_words)
            z_row.append(rate)
            text_row.append(f"{rate:.1f}")
            custom_row.append([t.theme, _escape(t.label), int(cell.hits), int(cell.articles),
                               int(cell.year_articles)])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    heat: Trace = {
        "type": "heatmap", "z": z, "x": [str(y) for y in years],
        "y": [_escape(label) for label in themes["label"]], "text": text,
        "texttemplate": "%{text}", "customdata": custom, "colorscale": theme.SEQUENTIAL,
        "zmin": 0, "xgap": 2, "ygap": 2, "hoverongaps": False,
        "colorbar": {"title": {"text": "hits per<br>1,000 words"}, "thickness": 14},
        "hovertemplate": ("<b>%{customdata[1]}</b>, %{x}<br>%{z:.2f} hits per 1,000 words"
                          "<br>%{customdata[2]} hits in %{customdata[3]} of %{customdata[4]} "
                          "articles<extra>click to filter to this theme</extra>"),
    }
    layout: Layout = {
        "xaxis": {"title": {"text": "Year of publication"}, "type": "category",
                  "showgrid": False},
        "yaxis": {"autorange": "reversed", "showgrid": False, "fixedrange": True},
    }
    return _figure([heat], layout, ctx, height=170 + 32 * len(themes))


def theme_initiative_heatmap(pairs: pd.DataFrame, metric: str, ctx: ChartContext) -> go.Figure:
    """Initiatives (rows) against themes (columns): what the coverage of each initiative carries.

    `metric` is 'sentences' (sentences naming the initiative that carry the theme) or 'share'
    (their share of the initiative's themed sentences). `customdata[0]` is the theme id.
    """
    if metric not in INITIATIVE_THEME_METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of "
                         f"{sorted(INITIATIVE_THEME_METRICS)}")
    if pairs.empty:
        return empty_figure(ctx, "No sentence names an initiative and a theme together "
                                 "under these filters.")
    theme_order = (pairs.groupby(["theme", "label"])["sentences"].sum().reset_index()
                   .sort_values(["sentences", "theme"], ascending=[False, True]))
    initiative_order = (pairs.groupby(["initiative_id", "initiative_label"])["sentences"].sum()
                        .reset_index().sort_values(["sentences", "initiative_id"],
                                                   ascending=[False, True]))
    cells = {(r.initiative_id, r.theme): r for r in _rows(pairs)}
    z, text, custom = [], [], []
    for i in _rows(initiative_order):
        z_row: list[float | None] = []
        text_row, custom_row = [], []
        for t in _rows(theme_order):
            cell = cells.get((i.initiative_id, t.theme))
            if cell is None:
                z_row.append(None)
                text_row.append("")
                custom_row.append([t.theme, _escape(t.label), _escape(i.initiative_label),
                                   0, 0, 0.0])
                continue
            value = float(getattr(cell, metric))
            z_row.append(value)
            text_row.append(f"{value:.0%}" if metric == "share" else str(int(value)))
            custom_row.append([t.theme, _escape(t.label), _escape(i.initiative_label),
                               int(cell.sentences), int(cell.articles), float(cell.share)])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    heat: Trace = {
        "type": "heatmap", "z": z, "x": [_escape(label) for label in theme_order["label"]],
        "y": [wrap_label(label, 34, max_lines=1)
              for label in initiative_order["initiative_label"]],
        "text": text, "texttemplate": "%{text}", "customdata": custom,
        "colorscale": theme.SEQUENTIAL, "zmin": 0, "xgap": 2, "ygap": 2, "hoverongaps": False,
        "colorbar": {"title": {"text": "share" if metric == "share" else "sentences"},
                     "thickness": 14, "tickformat": ".0%" if metric == "share" else None},
        "hovertemplate": ("<b>%{customdata[2]}</b> × <b>%{customdata[1]}</b><br>"
                          "%{customdata[3]} sentences in %{customdata[4]} articles "
                          "(%{customdata[5]:.0%} of its themed sentences)"
                          "<extra>click to filter to this theme</extra>"),
    }
    # theme names run up to 30 characters; slanted on top they need room under the subtitle
    longest = max(len(text_or(label)) for label in theme_order["label"])
    extra_top = round(min(longest, 32) * 5.2)
    layout: Layout = {
        "xaxis": {"side": "top", "tickangle": -40, "showgrid": False},
        "yaxis": {"autorange": "reversed", "showgrid": False, "fixedrange": True},
    }
    return _figure([heat], layout, ctx, height=150 + extra_top + 28 * len(initiative_order),
                   extra_top=extra_top)


def selected_ids(selection: Mapping[str, object] | None) -> list[str]:
    """The ids in `customdata[0]` of the points a chart selection holds, in order, unique.

    Streamlit hands a click back as {'selection': {'points': [{'customdata': [...]}, ...]}}.
    """
    if not selection:
        return []
    inner = selection.get("selection", selection)
    points = inner.get("points", []) if isinstance(inner, Mapping) else []
    ids: list[str] = []
    for point in points or []:
        custom = point.get("customdata") if isinstance(point, Mapping) else None
        if (isinstance(custom, list | tuple) and custom and isinstance(custom[0], str)
                and custom[0] not in ids):
            ids.append(custom[0])
    return ids


# --- Search ----------------------------------------------------------------------------------


def search_hits_figure(per_year: pd.DataFrame, ctx: ChartContext) -> go.Figure:
    """Sentences matching a search per publication year: a small bar chart above the hits.

    `per_year` is `queries.search_hits_per_year` (year, hits, articles; year NULL for undated
    articles). Undated hits have no place on a year axis: they are left out and a note under
    the title says how many, so the bars never silently undercount.
    """
    dated = per_year[per_year["year"].notna()] if not per_year.empty else per_year
    undated = int(per_year.loc[per_year["year"].isna(), "hits"].sum()) if not per_year.empty else 0
    if dated.empty:
        message = ("No dated article has a matching sentence." if undated
                   else "No sentence matches this search.")
        return empty_figure(ctx, message)
    years = [int(y) for y in dated["year"]]
    data: list[Trace] = [{
        "type": "bar", "x": years, "y": [int(n) for n in dated["hits"]],
        "name": "Matching sentences",
        "marker": {"color": theme.PALETTE[0]},
        "customdata": [[int(a)] for a in dated["articles"]],
        "hovertemplate": ("<b>%{x}</b><br>%{y} matching sentences<br>"
                          "in %{customdata[0]} articles<extra></extra>"),
    }]
    annotations = []
    if undated:
        noun = "sentence" if undated == 1 else "sentences"
        annotations.append({
            "text": f"+ {undated} matching {noun} in undated articles (not shown)",
            "xref": "paper", "yref": "paper", "x": 0, "y": 1, "xanchor": "left",
            "yanchor": "bottom", "showarrow": False, "name": "undated",
            "font": {"size": 12, "color": theme.MUTED_TEXT},
        })
    # at least seven years wide, so one or two years of hits do not make a wall of colour
    pad = max(0.7, (7 - (max(years) - min(years))) / 2)
    layout: Layout = {
        "bargap": 0.3, "showlegend": False, "annotations": annotations,
        "xaxis": {"title": {"text": "Year of publication"}, "tickformat": "d",
                  "dtick": _year_dtick(pd.Series(years)),
                  "range": [min(years) - pad, max(years) + pad]},
        "yaxis": {"title": {"text": "Matching sentences"}, "rangemode": "tozero",
                  "tickformat": "d"},
    }
    return _figure(data, layout, ctx, height=300)
