"""The Search page's statements, registered with the other queries; the engine is
`dashboard.search` (reading the query, ranking, marking the snippet)."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.registry import Samples, register
from dashboard.queries.sql import Connection
from dashboard.search import rank, snippet
from dashboard.search.parse import SearchQuery


def _each_search(s: Samples, *after: object) -> dict[str, tuple[object, ...]]:
    return {text: (query, *after) for text, query in s.searches}


@register(_each_search)
def search_query_terms(con: Connection, query: SearchQuery) -> pd.DataFrame:
    """How the warehouse reads each clause of a query: its index terms and their frequency.

    One row per clause (`clause_no` from 1, in `query.clauses` order): `terms`, the indexed
    terms it looks up (a phrase's in order, a prefix's expansions commonest first; empty when
    the clause has only common words), and `sentences`, how many sentences hold each.
    """
    return rank.query_terms(con, query)


@register(lambda s: _each_search(s, 20, 0))
def search_sentences(con: Connection, filters: Filters, query: SearchQuery, limit: int,
                     offset: int = 0) -> pd.DataFrame:
    """One page of the sentences in view matching `query`, best first (BM25F `score`).

    Each hit has its sentence and article, `terms_matched` (distinct query terms it holds),
    `matched_words` (the sentence's words the query matched, as written, for the snippet) and
    `matched_initiatives` / `matched_mentions` (initiatives the sentence mentions whose name
    matched, and the words that mention them: "It", "the Agency"). Equal scores keep a fixed
    order (article, then sentence number). The total is `search_hits_per_year`'s sum.
    """
    page, wanted = rank.ranked_page(con, filters, query, limit, offset)
    return snippet.page_details(con, page, wanted)


@register(_each_search)
def search_hits_per_year(con: Connection, filters: Filters, query: SearchQuery) -> pd.DataFrame:
    """Matching sentences (`hits`) and their articles per publication year, in view.

    Undated articles' hits are one row with `year` NULL (last). The sums over the rows are the
    totals: an article has one publication year. `outlets` lists the outlets of that year's
    articles with hits (for the chart's source line).
    """
    return rank.hits_per_year(con, filters, query)


@register()
def has_search_index(con: Connection) -> bool:
    """Whether the warehouse has the search index of this version and its tokenising macros
    (a warehouse built before search existed has not: the page asks for a rebuild)."""
    return rank.has_index(con)
