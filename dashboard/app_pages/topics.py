"""Topics: what the coverage is about, how that changed by year, and per initiative.

Clicking a theme on any of the three charts filters the whole app to that theme.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import briefing, components, data, url_state
from dashboard.charts.topics import (
    INITIATIVE_THEME_METRICS,
    THEME_METRICS,
    theme_frequency_figure,
    theme_initiative_heatmap,
    theme_year_heatmap,
)

FREQUENCY_KEY = "topics_frequency_chart"
BY_YEAR_KEY = "topics_by_year_chart"
BY_INITIATIVE_KEY = "topics_by_initiative_chart"
METRIC_KEY = "topics_metric"
MEASURE_KEY = "topics_initiative_measure"
BRIEFING_KEY = "topics_briefing"


def show_topics() -> None:
    """The page: frequency bars, a theme-by-year heatmap and a themes-by-initiative heatmap."""
    filters = url_state.filters()
    st.title("Topics")
    url_state.synced_param("metric", METRIC_KEY, "per_1000_words",
                           valid=list(THEME_METRICS))
    url_state.synced_param("measure", MEASURE_KEY, "sentences",
                           valid=list(INITIATIVE_THEME_METRICS))
    if not url_state.presentation():
        st.caption("Themes come from keyword matches of the theme taxonomy. Click a theme on "
                   "any chart to filter the whole app to it.")

    frequency = data.theme_frequency(filters)
    if frequency.empty:
        components.empty_state("No theme keywords in the articles that match these filters.")
        return
    source = components.source_of_view()
    # what the briefing pack's slides cite: looked up only when a pack is built
    def cited() -> pd.DataFrame:
        return data.theme_sentences(filters)

    pack: list[briefing.BriefingChart] = []

    if not url_state.presentation():
        st.segmented_control("Measure", list(THEME_METRICS), key=METRIC_KEY,
                             format_func=THEME_METRICS.__getitem__, required=True)
    metric = st.session_state[METRIC_KEY]
    context = components.chart_context("How often each theme appears", "theme-frequency",
                                       source)
    figure = theme_frequency_figure(frequency, metric, data.theme_colours(), context)
    components.chart_block(figure, frequency, context, key=FREQUENCY_KEY,
                           on_select=components.filter_to_clicked_theme(FREQUENCY_KEY))
    pack.append(briefing.BriefingChart(figure, frequency, context, citations=cited))

    by_year = data.theme_by_year(filters)
    context = components.chart_context("Themes by year of publication", "themes-by-year",
                                       source)
    if by_year.empty:
        components.empty_state("No dated articles with themes match these filters.")
    else:
        figure = theme_year_heatmap(by_year, context)
        components.chart_block(figure, by_year, context, key=BY_YEAR_KEY,
                               on_select=components.filter_to_clicked_theme(BY_YEAR_KEY))
        pack.append(briefing.BriefingChart(figure, by_year, context, citations=cited))

    pairs = data.themes_by_initiative(filters)
    if pairs.empty:
        components.empty_state("No sentence names an initiative and a theme together under "
                               "these filters.")
        components.briefing_pack_button("Topics", pack, key=BRIEFING_KEY)
        return
    if not url_state.presentation():
        st.segmented_control("Cell value", list(INITIATIVE_THEME_METRICS),
                             key=MEASURE_KEY,
                             format_func=INITIATIVE_THEME_METRICS.__getitem__,
                             required=True)
    measure = st.session_state[MEASURE_KEY]
    context = components.chart_context("Themes in the coverage of each initiative",
                                       "themes-by-initiative", source)
    figure = theme_initiative_heatmap(pairs, measure, context)
    components.chart_block(figure, pairs, context, key=BY_INITIATIVE_KEY,
                           on_select=components.filter_to_clicked_theme(BY_INITIATIVE_KEY))
    pack.append(briefing.BriefingChart(figure, pairs, context, citations=cited))
    components.briefing_pack_button("Topics", pack, key=BRIEFING_KEY)


show_topics()
