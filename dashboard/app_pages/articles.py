"""Articles: the articles in view, and a reader with initiative mentions and dates highlighted."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard import components, correction_widgets, data, reader, url_state
from dashboard.charts.labels import published_label, shorten, text_or

TABLE_KEY = "articles_table"
PAGE_KEY = "articles_page"
ARTICLE_KEY = "reader_article"  # URL parameter `article`
SENTENCE_KEY = "reader_sentence"  # URL parameter `sent`: a search hit to highlight


def _open_selected_row(page_rows: pd.DataFrame) -> None:
    """Table click: open the selected article in the reader."""
    rows = st.session_state.get(TABLE_KEY, {}).get("selection", {}).get("rows", [])
    if rows and rows[0] < len(page_rows):
        st.session_state[ARTICLE_KEY] = page_rows["article_id"].iloc[rows[0]]
        _forget_sentence()


def _forget_sentence() -> None:
    """Another article chosen: the search hit highlighted in the last one no longer applies."""
    st.session_state[SENTENCE_KEY] = 0


def _table_view(page_rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Title": page_rows["title"].fillna("Untitled"),
        "Outlet": page_rows["outlet"].fillna("unknown"),
        "Published": [published_label(p, q) for p, q in
                      zip(page_rows["published"], page_rows["published_precision"],
                          strict=True)],
        "Words": page_rows["word_count"],
        "Initiatives": page_rows["initiatives"].map(lambda v: ", ".join(v) if v is not None
                                                    and len(v) else ""),
        "Top themes": page_rows["top_themes"].map(lambda v: ", ".join(v) if v is not None
                                                  and len(v) else ""),
    })


def show_reader(article_id: str, sentence_no: int = 0) -> None:
    """One article's cleaned text with mentions and dated phrases highlighted (all escaped).

    `sentence_no` (from a search hit's link) is highlighted as well and quoted above the text.
    """
    found = data.article_text(article_id)
    if found.empty:
        st.warning("That article is not in this build of the warehouse.",
                   icon=":material/link_off:")
        return
    article = found.iloc[0]
    st.subheader(components.escape_markdown(text_or(article["title"], "Untitled article")),
                 anchor=False)
    link = components.safe_link(article["url"])
    meta = (f"{text_or(article['outlet'], 'unknown outlet')} · "
            f"{published_label(article['published'], article['published_precision'])}"
            f" · {int(article['word_count'])} words · file {article['source_file']}")
    st.caption(components.escape_markdown(meta))
    if link:
        st.link_button("Open the original", link, icon=":material/open_in_new:")
    highlights = data.article_highlights(article_id)
    spans = [reader.Span(int(start), int(end), str(kind), str(label))
             for start, end, kind, label in zip(
                 highlights["start_char"].tolist(), highlights["end_char"].tolist(),
                 highlights["kind"].tolist(), highlights["label"].tolist(), strict=True)]
    hit = data.sentence_location(article_id, sentence_no) if sentence_no else None
    if hit is not None and not hit.empty:
        start, end = int(hit["start_char"].iloc[0]), int(hit["end_char"].iloc[0])
        spans.append(reader.Span(start, end, "hit", f"search hit (sentence {sentence_no})"))
        st.caption(components.escape_markdown(
            f"Search hit, sentence {sentence_no} (highlighted below): "
            f"“{shorten(hit['text'].iloc[0], 200)}”"))
    st.html(reader.READER_CSS + reader.LEGEND_HTML)
    st.html(reader.highlight_html(str(article["text"]), spans))
    correction_widgets.add_fact_form(article_id)


def show_articles() -> None:
    """The page: a paged table of the articles in view and the reader below it."""
    filters = url_state.filters()
    st.title("Articles")
    total = data.article_count(filters)
    if total == 0:
        components.empty_state("No articles match these filters.")
        return
    pages = max(1, math.ceil(total / data.settings().page_size))
    url_state.synced_param("page", PAGE_KEY, 1, valid=list(range(1, pages + 1)))
    page_rows = data.article_table(filters, st.session_state[PAGE_KEY] - 1)
    url_state.synced_param("article", ARTICLE_KEY, default="")
    url_state.synced_param("sent", SENTENCE_KEY, default=0)

    presenting = url_state.presentation()
    if not presenting:
        st.caption(f"{total} articles, newest first. Select a row (or pick a title below) "
                   "to read the article.")
    # The table is content, not a control: presentation mode keeps it (without selection),
    # so the page is never blank there.
    components.table(_table_view(page_rows), key=TABLE_KEY, hide_index=True,
                     on_select="ignore" if presenting else lambda: _open_selected_row(page_rows),
                     selection_mode="single-row",
                     column_config={
                         "Title": st.column_config.TextColumn(width="large"),
                         "Words": st.column_config.NumberColumn(format="%d", width="small"),
                         "Initiatives": st.column_config.TextColumn(width="medium"),
                         "Top themes": st.column_config.TextColumn(width="medium"),
                     })
    if not presenting:
        with st.container(horizontal=True, key="articles_controls"):
            if pages > 1:
                st.number_input(f"Page (of {pages})", min_value=1, max_value=pages,
                                key=PAGE_KEY, step=1, width=160)
            choices = [""] + list(page_rows["article_id"])
            if st.session_state[ARTICLE_KEY] not in choices:
                choices.append(st.session_state[ARTICLE_KEY])
            titles = dict(zip(page_rows["article_id"], page_rows["title"].fillna("Untitled"),
                              strict=True))
            st.selectbox("Read article", choices, key=ARTICLE_KEY, width=640,
                         on_change=_forget_sentence,
                         format_func=lambda a: titles.get(a, "(choose an article)" if not a
                                                          else "article from the link"))
    selected = st.session_state.get(ARTICLE_KEY)
    if selected:
        with st.container(border=True, key="article_reader"):
            show_reader(selected, int(st.session_state.get(SENTENCE_KEY) or 0))


show_articles()
