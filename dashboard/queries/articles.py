"""The Articles page's statements: the article table, and the reader's text and highlights."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.in_view import ARTICLES, in_view
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, Cte, frame, sql


@register()
def article_count(con: Connection, filters: Filters) -> int:
    """How many articles are in view (for paging the article table)."""
    counted = in_view(con, filters, (ARTICLES,), [], "SELECT count(*) AS n FROM articles_in_view")
    return int(counted["n"].iloc[0])


@register(lambda s: {"": (50, 0), "(page 1000)": (50, 49_950)})
def article_table(con: Connection, filters: Filters, limit: int, offset: int = 0
                  ) -> pd.DataFrame:
    """One page of the articles in view, newest first, with initiatives and top themes.

    `initiatives` lists the initiative labels the article names, most mentioned first;
    `top_themes` its three most frequent themes.
    """
    page = Cte("page", sql("""
        SELECT article_no FROM articles_in_view ORDER BY article_no LIMIT $limit OFFSET $offset""",
                           limit=limit, offset=offset), materialized=True)
    return in_view(con, filters, (ARTICLES,), [page], """
    SELECT a.article_id, a.title, a.outlet, a.published, a.published_precision, a.word_count,
           a.url, a.source_file, a.initiatives, a.top_themes
    FROM facet_articles AS a SEMI JOIN page AS p USING (article_no)
    ORDER BY a.article_no
    """)


@register(lambda s: {"": (s.article_id,)})
def article_text(con: Connection, article_id: str) -> pd.DataFrame:
    """One article's metadata and cleaned text (the reader)."""
    return frame(con, sql("""
    SELECT article_id, title, outlet, author, url, published, published_precision, word_count,
           source_file, text
    FROM articles WHERE article_id = $article_id
    """, article_id=article_id))


@register(lambda s: {"": (s.article_id,)})
def article_highlights(con: Connection, article_id: str) -> pd.DataFrame:
    """The spans the reader highlights: initiative mentions and dated phrases, by offset.

    `kind` is 'mention' or 'date'; `label` what the span stands for (the initiative, or the
    date read and its role); offsets are code points into `articles.text`, end exclusive.
    """
    return frame(con, sql("""
    SELECT 'mention' AS kind, m.start_char, m.end_char, m.surface AS span_text,
           coalesce(i.acronym, i.name) || ' (' || m.method || ')' AS label
    FROM mentions AS m JOIN initiatives AS i USING (initiative_id)
    WHERE m.article_id = $article_id
    UNION ALL
    SELECT 'date' AS kind, d.start_char, d.end_char, d.expression AS span_text,
           concat_ws(' ', CAST(d.year AS VARCHAR),
                     CASE WHEN d.end_year IS NOT NULL THEN '– ' || d.end_year END,
                     '(' || d.role || ')') AS label
    FROM date_mentions AS d
    WHERE d.article_id = $article_id
    ORDER BY start_char, end_char DESC
    """, article_id=article_id))


@register(lambda s: {"": (s.article_id, s.sentence_no)})
def sentence_location(con: Connection, article_id: str, sentence_no: int) -> pd.DataFrame:
    """Where one sentence stands in its article's text (offsets) and its text: a search hit."""
    return frame(con, sql("""
    SELECT start_char, end_char, text
    FROM sentences WHERE article_id = $article_id AND sentence_no = $sentence_no
    """, article_id=article_id, sentence_no=sentence_no))


@register(lambda s: {"": (s.article_id,)})
def article_sentences(con: Connection, article_id: str) -> pd.DataFrame:
    """Every sentence of one article, in order (`sentence_no`, `text`): the reader offers
    them to add a fact the rules missed."""
    return frame(con, sql("""
    SELECT sentence_no, text FROM sentences WHERE article_id = $article_id
    ORDER BY sentence_no
    """, article_id=article_id))
