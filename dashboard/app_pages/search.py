"""Search: ranked full-text search over the sentences in view, each hit linked to the reader.

The query lives in the URL (`q=`), so a search can be shared as a link; the shared filters
narrow the sentences searched. Ranking is BM25F over sentences, computed in the warehouse
(docs/search.md); what the query means is read by `dashboard.search.parse`.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from dashboard import components, data, url_state
from dashboard.charts.labels import published_label, source_line, text_or
from dashboard.charts.search_hits import search_hits_figure
from dashboard.filters import url_params
from dashboard.search import parse
from dashboard.search import snippet as snippets

QUERY_KEY = "search_query"  # URL parameter `q`
PAGE_KEY = "search_page"  # URL parameter `page`
CHART_KEY = "search_hits_chart"
ARTICLES_PAGE = "app_pages/articles.py"

SYNTAX_HELP = (
    "Words in any order find sentences with any of them; sentences with more of them, and "
    "with rarer ones, rank first. `\"astana process\"`: the words side by side. "
    "`+word` or `word AND word`: must be there. `-word` or `NOT word`: must not. "
    "`summit*`: words starting with 'summit'. Case and accents do not matter; common words "
    "(the, of, and) are not searched."
)


def _new_query() -> None:
    """A changed query starts again at the first page of hits."""
    st.session_state[PAGE_KEY] = 1


def _readings(query: parse.SearchQuery) -> list[parse.ClauseReading]:
    terms = data.search_query_terms(query)
    by_clause = {int(n): (tuple(t), tuple(int(s) for s in c)) for n, t, c in zip(
        terms["clause_no"].tolist(), terms["terms"].tolist(), terms["sentences"].tolist(),
        strict=True)}
    return [parse.ClauseReading(clause, *by_clause.get(number, ((), ())))
            for number, clause in enumerate(query.clauses, start=1)]


def _hit_card(rank: int, hit: pd.Series) -> str:
    """A hit as HTML: the snippet with matched words marked, its rank and its source."""
    words = [*list(hit["matched_words"]), *list(hit["matched_mentions"])]
    snippet = snippets.marked_snippet(str(hit["sentence"]), words)
    heading = f"{rank} · score {float(hit['score']):.2f}"
    if len(hit["matched_initiatives"]):
        heading += " · about " + ", ".join(hit["matched_initiatives"])
    meta = (f"{text_or(hit['title'], 'Untitled article')} — "
            f"{text_or(hit['outlet'], 'unknown outlet')}, "
            f"{published_label(hit['published'], hit['published_precision'])} "
            f"(sentence {int(hit['sentence_no'])})")
    return snippets.hit_card_html(snippet, heading, meta)


def _show_hits(hits: pd.DataFrame, first_rank: int) -> None:
    """Each hit with a link that opens the article in the reader, at the sentence."""
    link_params = url_params(url_state.filters())
    st.html(snippets.SNIPPET_CSS)
    for offset, (_, hit) in enumerate(hits.iterrows()):
        st.html(_hit_card(first_rank + offset, hit))
        st.page_link(ARTICLES_PAGE, label="Read it in the article", icon=":material/article:",
                     query_params={**link_params, "article": str(hit["article_id"]),
                                   "sent": str(int(hit["sentence_no"]))})


def show_search() -> None:
    """The page: the query box, what was searched, hits per year, and the ranked hits."""
    filters = url_state.filters()
    st.title("Search")
    url_state.synced_param("q", QUERY_KEY, "")
    if url_state.presentation():
        if st.session_state[QUERY_KEY]:
            st.subheader(components.escape_markdown(f"“{st.session_state[QUERY_KEY]}”"),
                         anchor=False)
    else:
        st.text_input("Search the sentences of the articles in view", key=QUERY_KEY,
                      on_change=_new_query, help=SYNTAX_HELP, icon=":material/search:",
                      placeholder='e.g. biological safety, "Astana Process", summit*')
    query = parse.parse_query(st.session_state[QUERY_KEY])
    for note in query.notes:
        st.caption(components.escape_markdown(note))
    if query.is_blank:
        st.info(components.escape_markdown(parse.blank_query_message(query)),
                icon=":material/search:")
        return
    if not data.search_available():
        st.warning("This warehouse was built before search existed, so it has no search "
                   "index. Rebuild it with `make etl` (or `python -m etl`).",
                   icon=":material/database:")
        return

    readings = _readings(query)
    problem = parse.unsearchable_message(query, readings)
    if problem:
        st.info(components.escape_markdown(problem), icon=components.EMPTY_STATE_ICON)
        return
    if not url_state.presentation():
        st.caption("Searched for: " + components.escape_markdown(
            parse.reading_summary(readings)))

    per_year = data.search_hits_per_year(filters, query)
    total = int(per_year["hits"].sum()) if not per_year.empty else 0
    if total == 0:
        what = f"No sentence matches “{query.text}”."
        if filters.is_empty:
            st.info(components.escape_markdown(what) + "  \nCheck the spelling, use fewer "
                    "words, or a prefix such as summit\\*.", icon=components.EMPTY_STATE_ICON)
        else:
            components.empty_state(what)
        return
    articles = int(per_year["articles"].sum())

    outlets = sorted({o for year_outlets in per_year["outlets"] for o in year_outlets})
    source = source_line(articles, outlets, data.warehouse().built_at)
    context = components.chart_context(f"Sentences matching “{query.text}”, by year",
                                       f"search-{query.text}", source)
    components.chart_block(search_hits_figure(per_year, context), per_year, context,
                           key=CHART_KEY)

    pages = max(1, math.ceil(total / data.SEARCH_PAGE_SIZE))
    url_state.synced_param("page", PAGE_KEY, 1, valid=list(range(1, pages + 1)))
    page = int(st.session_state[PAGE_KEY])
    hits = data.search_sentences(filters, query, page - 1)
    noun = "sentence" if total == 1 else "sentences"
    st.markdown(f"**{total} {noun}** in {articles} article{'s' if articles != 1 else ''}, "
                "best match first" + (f" (page {page} of {pages})" if pages > 1 else "") + ".")
    _show_hits(hits, first_rank=(page - 1) * data.SEARCH_PAGE_SIZE + 1)
    if pages > 1 and not url_state.presentation():
        st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, key=PAGE_KEY,
                        step=1, width=160)


show_search()
