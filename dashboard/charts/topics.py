"""Topics: how often each theme appears, by publication year, and against the initiatives.

Every mark carries its theme id in `customdata[0]`, so a click filters the app to that theme.
"""

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
)
from dashboard.charts.labels import escape, is_missing, row_tuples, text_or, wrap_label

THEME_METRICS = {
    "per_1000_words": "Keyword hits per 1,000 words",
    "articles": "Articles mentioning the theme",
}
INITIATIVE_THEME_METRICS = {
    "sentences": "Sentences naming the initiative that carry the theme",
    "share": "Share of the initiative's themed sentences",
}



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
        "y": [escape(label) for label in rows["label"]],
        "marker": {"color": [colours.get(t, theme.NEUTRAL) for t in rows["theme"]]},
        "text": text, "textposition": "outside", "cliponaxis": False,
        "customdata": [[r.theme, escape(r.label), int(r.articles), int(r.hits),
                        float(r.per_1000_words or 0)] for r in row_tuples(rows)],
        "hovertemplate": ("<b>%{customdata[1]}</b><br>%{customdata[4]:.2f} hits per 1,000 "
                          "words<br>%{customdata[3]} hits in %{customdata[2]} articles"
                          "<extra>click to filter to this theme</extra>"),
        "name": THEME_METRICS[metric],
    }
    layout: Layout = {
        "xaxis": {"title": {"text": THEME_METRICS[metric]}, "rangemode": "tozero",
                  "range": [0, float(rows[metric].max()) * 1.15 or 1],
                  **(count_ticks(rows[metric].max()) if metric == "articles" else {})},
        "yaxis": {"fixedrange": True},
        "showlegend": False, "bargap": 0.25,
    }
    return framed_figure([bars], layout, ctx, height=160 + 34 * len(rows))


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
    cells = {(r.theme, int(r.year)): r for r in row_tuples(by_year)}
    z, text, custom = [], [], []
    for t in row_tuples(themes):
        z_row: list[float | None] = []
        text_row, custom_row = [], []
        for year in years:
            cell = cells.get((t.theme, year))
            if cell is None:
                z_row.append(None)
                text_row.append("")
                custom_row.append([t.theme, escape(t.label), 0, 0, 0])
                continue
            rate = 0.0 if is_missing(cell.per_1000_words) else float(cell.per_1000_words)
            z_row.append(rate)
            text_row.append(f"{rate:.1f}")
            custom_row.append([t.theme, escape(t.label), int(cell.hits), int(cell.articles),
                               int(cell.year_articles)])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    heat: Trace = {
        "type": "heatmap", "z": z, "x": [str(y) for y in years],
        "y": [escape(label) for label in themes["label"]], "text": text,
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
    return framed_figure([heat], layout, ctx, height=170 + 32 * len(themes))


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
    cells = {(r.initiative_id, r.theme): r for r in row_tuples(pairs)}
    z, text, custom = [], [], []
    for i in row_tuples(initiative_order):
        z_row: list[float | None] = []
        text_row, custom_row = [], []
        for t in row_tuples(theme_order):
            cell = cells.get((i.initiative_id, t.theme))
            if cell is None:
                z_row.append(None)
                text_row.append("")
                custom_row.append([t.theme, escape(t.label), escape(i.initiative_label),
                                   0, 0, 0.0])
                continue
            value = float(getattr(cell, metric))
            z_row.append(value)
            text_row.append(f"{value:.0%}" if metric == "share" else str(int(value)))
            custom_row.append([t.theme, escape(t.label), escape(i.initiative_label),
                               int(cell.sentences), int(cell.articles), float(cell.share)])
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
    heat: Trace = {
        "type": "heatmap", "z": z, "x": [escape(label) for label in theme_order["label"]],
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
    return framed_figure([heat], layout, ctx, height=150 + extra_top + 28 * len(initiative_order),
                   extra_top=extra_top)
