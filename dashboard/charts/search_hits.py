"""Search: sentences matching a search per publication year, a small bar chart above the hits."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard import theme
from dashboard.charts.framing import (
    ChartContext,
    Layout,
    Trace,
    empty_figure,
    framed_figure,
    year_dtick,
)


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
                  "dtick": year_dtick(pd.Series(years)),
                  "range": [min(years) - pad, max(years) + pad]},
        "yaxis": {"title": {"text": "Matching sentences"}, "rangemode": "tozero",
                  "tickformat": "d"},
    }
    return framed_figure(data, layout, ctx, height=300)
