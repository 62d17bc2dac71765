"""Overview: the corpus at a glance (counts, a compact timeline, top themes, freshness) and
the possible new initiatives its articles name."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import components, data, url_state
from dashboard.charts.attention import attention_figure, auto_grain
from dashboard.charts.labels import cell_int, format_built_at, published_label
from dashboard.charts.overview import events_per_year_figure
from dashboard.charts.topics import theme_frequency_figure

TOP_THEMES = 8


def _count(value: object) -> int:
    """A count from a query row; missing (None, NA) counts as none."""
    return 0 if pd.isna(value) else cell_int(value)


def show_freshness() -> None:
    """When the warehouse was built, what its articles span, and what the last ETL run did."""
    build = data.build_summary()
    first = published_label(build["first_published"], build["first_precision"])
    last = published_label(build["last_published"], build["last_precision"])
    undated = _count(build["undated_articles"])
    line = (f"Warehouse built **{format_built_at(build['built_at'])}** · "
            f"{int(build['articles'])} articles published **{first}** to **{last}**"
            + (f" ({undated} undated)" if undated else ""))
    if not url_state.presentation() and not pd.isna(build["files_seen"]):
        line += (f" · last ETL run: {int(build['files_seen'])} files, "
                 f"{int(build['articles_loaded'])} loaded, {int(build['duplicates'])} "
                 f"duplicates, {_count(build['files_failed'])} failed "
                 f"(build `{build['build_id']}`)")
    st.caption(line)


ATTENTION_SERIES = 3  # initiatives on the Overview's attention panel (the most covered in view)
FEEDS_KEY = "overview_feeds"


def show_attention(figures: pd.Series, source: str) -> None:
    """A compact attention-over-time chart: the initiatives chosen in the sidebar, or the
    three covered by most articles in view, linking to the full page."""
    filters = url_state.filters()
    series = filters.initiatives[:5] or tuple(
        str(s) for s in data.attention_leaders(filters, "initiatives", ATTENTION_SERIES)
        ["series_id"])
    if not series:
        return
    grain = auto_grain(figures["first_published"], figures["last_published"])
    counts = data.attention_series(filters, grain, "initiatives", series)
    if counts.empty:
        return
    context = components.chart_context("Attention over time", f"attention-{grain}", source)
    components.chart_block(
        attention_figure(counts, data.attention_events(filters, series),
                         "articles", grain, data.initiative_colours(), context, compact=True),
        counts, context, key="overview_attention_chart")
    if not url_state.presentation():
        st.page_link("app_pages/attention.py", label="Compare initiatives and themes over time",
                     icon=":material/show_chart:")


def show_feeds() -> None:
    """When each followed feed was last fetched and how many new articles it brought."""
    if url_state.presentation():
        return
    st.subheader("Feeds", anchor=False)
    feeds = data.feed_status()
    if feeds.empty:
        st.caption("No feed has been fetched yet. List the sources in `data/feeds.toml` and "
                   "run `python -m etl fetch --feeds data/feeds.toml` (on a schedule: "
                   "docs/fetch.md).")
        return
    shown = pd.DataFrame({
        "Feed": feeds["feed"], "Outlet": feeds["outlet"],
        "Last fetched (UTC)": feeds["last_fetched"], "Status": feeds["last_status"],
        "New articles": feeds["new_articles"], "All articles": feeds["total_articles"],
        "Last new article (UTC)": feeds["last_new_at"], "Error": feeds["last_error"]})
    components.table(shown, hide_index=True, key=FEEDS_KEY, width="stretch")


GAZETTEER_FILE = "data/reference/initiatives.toml"


def show_candidates() -> None:
    """Possible new initiatives: bodies the articles in view say Kazakhstan proposed, founded,
    hosts or chairs that the gazetteer does not list, each with its sentences."""
    found = data.candidate_initiatives(url_state.filters())
    st.subheader("Possible new initiatives")
    if found.empty:
        st.caption("No article in view names a body Kazakhstan proposed, founded, hosts or "
                   "chairs that the gazetteer does not already list.")
        return
    st.caption(
        "Bodies and formats the articles say Kazakhstan proposed, founded, hosts or chairs, "
        "which the gazetteer does not list yet, so no event or figure is extracted for them. "
        "To track one, add an `[[initiative]]` entry (id, name, aliases, kind, category, "
        f"description) to `{GAZETTEER_FILE}` and rebuild the warehouse.")
    for _, rows in found.groupby("name_key", sort=False):
        first = rows.iloc[0]
        articles, sentences = int(first["articles"]), int(first["sentences"])
        seen = published_label(first["first_seen"], None)
        last = published_label(first["last_seen"], None)
        label = (f"{first['name']} · {', '.join(first['relations'])} · "
                 f"{articles} {'article' if articles == 1 else 'articles'}, "
                 f"{sentences} {'sentence' if sentences == 1 else 'sentences'} · seen "
                 + (seen if seen == last else f"{seen} to {last}"))
        with st.expander(components.escape_markdown(label)):
            components.evidence_cards([
                components.evidence_card_html(str(row["surface"]), str(row["sentence"]), row,
                                              extra=f"Kazakhstan {row['relation']}")
                for row in components.records(rows)])


def show_overview() -> None:
    """The page: headline figures, freshness, events per year and the top themes."""
    filters = url_state.filters()
    st.title("Overview")
    if not url_state.presentation():
        st.caption("What Kazakhstan launched or hosted, as reported in the articles of the "
                   "warehouse, under the filters in the sidebar.")
    figures = data.headline_figures(filters)
    if int(figures["articles"]) == 0:
        components.empty_state("No articles match these filters.")
        show_freshness()
        show_feeds()
        return

    with st.container(horizontal=True, key="overview_figures"):
        st.metric("Articles", int(figures["articles"]), border=True)
        st.metric("Initiatives named", int(figures["initiatives"]), border=True)
        st.metric("Dated events", int(figures["events"]), border=True)
        span = ("none" if int(figures["events"]) == 0 else
                f"{int(figures['first_event_year'])}–{int(figures['last_event_year'])}")
        st.metric("Event years", span, border=True)
        st.metric("Latest article", published_label(
            figures["last_published"], figures["last_published_precision"]), border=True)
    show_freshness()

    source = components.source_of_view()
    per_year = data.events_per_year(filters)
    if per_year.empty:
        components.empty_state("No dated events match these filters.")
    else:
        context = components.chart_context("Dated events per year", "events-per-year", source)
        components.chart_block(
            events_per_year_figure(per_year, data.initiative_colours(), context),
            per_year, context, key="overview_events_chart")

    themes = data.theme_frequency(filters).head(TOP_THEMES)
    if themes.empty:
        components.empty_state("No theme keywords in the articles that match these filters.")
    else:
        context = components.chart_context(f"Top {len(themes)} themes", "top-themes", source)
        components.chart_block(
            theme_frequency_figure(themes, "per_1000_words", data.theme_colours(),
                                          context),
            themes, context, key="overview_themes_chart",
            on_select=components.filter_to_clicked_theme("overview_themes_chart"))
    show_attention(figures, source)
    show_feeds()
    show_candidates()


show_overview()
