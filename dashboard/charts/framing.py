"""What every chart shares: its framing (title, filter subtitle, source line), mark sizes,
count and year ticks, and the ids a click on a mark hands back.

Every figure carries its title, a subtitle stating the active filters and a source line, so a
screenshot or an exported file is self-explanatory in a briefing. Every clickable mark carries
in `customdata[0]` what a click hands back to the page: the id of the sentence it stands for
(event_id, membership_id), the key of the group of sentences it stands for
(`dashboard.marks`), or a theme. The template is the app's, with its colour maps
(`dashboard.theme`).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.charts.labels import cell_int, escape, int_or_none, is_missing
from dashboard.review import MACHINE_MARK, REVIEW_MARKS, ReviewMark


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


MIN_HEIGHT = 340
SOURCE_LINE_CHARS = 85  # a longer source line wraps, so it never runs off a 1280 px chart
LEGEND_FOOT = 12  # px kept free under a legend that runs past the plot area

Trace = dict[str, Any]
Layout = dict[str, Any]


def framed_figure(data: list[Trace], layout: Layout, ctx: ChartContext, *, height: int,
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
        "text": "<br>".join(escape(line) for line in source_lines), "xref": "paper",
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
            "text": f"<b>{escape(ctx.title)}</b>",
            "font": {"size": round(20 * scale)},
            "subtitle": {"text": escape(ctx.subtitle),
                         "font": {"size": round(13 * scale), "color": theme.MUTED_TEXT}},
        },
        "margin": {"t": top, "b": bottom},
        "meta": {"filename": ctx.filename},
        "annotations": [*layout.get("annotations", []), source],
    }
    theme.use_template()
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
        "annotations": [{"text": escape(message), "xref": "paper", "yref": "paper", "x": 0.5,
                         "y": 0.5, "showarrow": False, "name": "empty",
                         "font": {"size": 16, "color": theme.MUTED_TEXT}}],
    }
    return framed_figure([], layout, ctx, height=320)

MARK_SIZE = 13  # px of a mark standing for one event or figure
MARK_SIZE_MAX = 32  # px of a mark standing for very many


def mark_size(count: object) -> float:
    """Marker size for a mark standing for `count` events or figures: 13 px for one, five px
    more per tenfold, at most 32 px (so 20,000 reports never cover the chart)."""
    n = max(1, int_or_none(count) or 1)
    return round(min(MARK_SIZE_MAX, MARK_SIZE + 5 * math.log10(n)), 1)

HALO_PAD = 8  # px a review ring is larger than the mark it surrounds
REVIEW_LEGEND_GROUP = "review"


def review_halos(xs: Sequence[object], ys: Sequence[object], sizes: Sequence[float],
                 marks: Sequence[str], **axes: str) -> list[Trace]:
    """The review rings of a chart's marks and their legend entries (`dashboard.review`).

    `marks` is each mark's style (`review.cell_mark`); a mark in a style with a ring gets one,
    `HALO_PAD` px larger than the mark, drawn over it (open symbols: the mark shows through)
    and not hoverable, so hovers and clicks reach the mark beneath. One trace per style, named
    by the style's label (the legend entry; a style with no mark in view gets an entry
    without points, and machine-read, which has no ring, a plain one). Nothing when every mark
    is machine-read: the chart then looks as it always has. `axes` (e.g. xaxis='x2') place the
    rings on the marks' axes.
    """
    if all(mark == MACHINE_MARK for mark in marks):
        return []
    traces: list[Trace] = []
    for style in REVIEW_MARKS.values():
        chosen = [i for i, mark in enumerate(marks) if mark == style.name] if style.halo else []
        traces.append({
            "type": "scatter", "mode": "markers", "name": style.label,
            "x": [xs[i] for i in chosen] or [None], "y": [ys[i] for i in chosen] or [None],
            "legendgroup": REVIEW_LEGEND_GROUP, "showlegend": True, "hoverinfo": "skip",
            "legendgrouptitle": {"text": "Analyst review"},
            "marker": _halo_marker(style, [sizes[i] for i in chosen]),
            "meta": {"review_mark": style.name},
            **axes,
        })
    return traces


def _halo_marker(style: ReviewMark, sizes: list[float]) -> dict[str, Any]:
    """The ring of a review style around marks of `sizes`; for machine-read (no ring) the
    plain grey dot its legend entry shows."""
    if not style.halo:
        return {"symbol": "circle", "size": 10, "color": theme.NEUTRAL, "line": {"width": 0}}
    return {"symbol": style.halo, "size": [s + HALO_PAD for s in sizes] if sizes else 14,
            "color": style.colour, "line": {"width": style.width, "color": style.colour}}


def cell_position(first: object, last: object, year: object) -> pd.Timestamp:
    """Where a timeline cell's mark sits: its events' date when they share one, else mid-year."""
    if (not is_missing(first) and not is_missing(last)
            and pd.Timestamp(first) == pd.Timestamp(last)):
        return pd.Timestamp(first)
    return pd.Timestamp(year=cell_int(year), month=7, day=1)


def count_ticks(largest: object) -> dict[str, Any]:
    """Ticks of an axis of counts: whole numbers only (never 0.5 events), one per unit while
    the counts are small."""
    few = not is_missing(largest) and float(largest) <= 8  # type: ignore[arg-type]
    return {"tickformat": ",d", **({"dtick": 1} if few else {})}


def year_dtick(years: pd.Series) -> int:
    span = int(years.max() - years.min()) if len(years) else 0
    return 1 if span <= 12 else 2 if span <= 24 else 5





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
