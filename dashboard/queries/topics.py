"""The Topics page's statements: theme frequency, by year and by initiative, and the example
sentences a theme chart cites in a briefing pack."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.in_view import ARTICLE_THEMES, ARTICLES, INITIATIVE_THEMES, in_view
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, Cte, sql

# Example sentences for a theme are looked for in its newest articles in view only: at most
# this many per theme, so a briefing pack's citations cost the same whatever the corpus size.
THEME_SENTENCE_ARTICLES = 200


@register()
def theme_frequency(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per theme: keyword hits per 1,000 words of the articles in view, and articles carrying it.

    The rate's denominator is every word of the articles in view, so themes are comparable.
    With a theme filter only the chosen themes are listed.
    """
    ctes = [
        Cte("words", sql("SELECT sum(word_count) AS words FROM articles_in_view")),
        Cte("counted", sql("""
        SELECT theme_no, count(*) AS articles, sum(hits)::BIGINT AS hits
        FROM article_themes_in_view WHERE hits > 0
        GROUP BY theme_no""")),
    ]
    return in_view(con, filters, (ARTICLES, ARTICLE_THEMES), ctes, sql("""
    SELECT th.theme, th.label, c.articles, c.hits,
           1000.0 * c.hits / nullif(w.words, 0) AS per_1000_words
    FROM counted AS c
    JOIN facet_themes AS th USING (theme_no)
    CROSS JOIN words AS w
    WHERE len($themes) = 0 OR list_contains($themes, th.theme)
    ORDER BY per_1000_words DESC, th.theme
    """, themes=list(filters.themes)))


@register()
def theme_by_year(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per publication year and theme: hits per 1,000 words of that year's articles in view.

    Years with articles but no hit of a theme are present with 0, so the heatmap tells 'not
    covered' from 'no articles that year' (which has no row at all).
    """
    ctes = [
        Cte("years", sql("""
        SELECT published_year AS year, sum(word_count) AS words, count(*) AS year_articles
        FROM articles_in_view WHERE published_year IS NOT NULL GROUP BY ALL""")),
        Cte("hits", sql("""
        SELECT published_year AS year, theme_no, sum(hits)::BIGINT AS hits,
               count(*) AS articles
        FROM article_themes_in_view
        GROUP BY ALL""")),
        Cte("shown_themes", sql("""
        SELECT th.theme_no, th.theme, th.label FROM facet_themes AS th
        WHERE (len($themes) = 0 OR list_contains($themes, th.theme))
          AND th.theme_no IN (SELECT theme_no FROM hits)""", themes=list(filters.themes))),
    ]
    return in_view(con, filters, (ARTICLES, ARTICLE_THEMES), ctes, """
    SELECT y.year::INTEGER AS year, s.theme, s.label, coalesce(h.hits, 0) AS hits,
           coalesce(h.articles, 0) AS articles, y.year_articles,
           1000.0 * coalesce(h.hits, 0) / nullif(y.words, 0) AS per_1000_words
    FROM years AS y CROSS JOIN shown_themes AS s
    LEFT JOIN hits AS h ON h.year = y.year AND h.theme_no = s.theme_no
    ORDER BY y.year, s.theme
    """)


@register()
def themes_by_initiative(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per initiative and theme: sentences naming the initiative that carry the theme.

    A theme counts for an initiative only where the same sentence names it (`mentions` joined
    with `sentence_themes` on the sentence, per article in `facet_initiative_themes`).
    `share` is the fraction of the initiative's themed sentences that carry the theme.
    """
    counted = Cte("counted", sql("""
        SELECT initiative_no, theme_no, sum(sentences)::BIGINT AS sentences,
               count(*) AS articles
        FROM initiative_themes_in_view
        GROUP BY initiative_no, theme_no"""))
    return in_view(con, filters, (INITIATIVE_THEMES,), [counted], sql("""
    SELECT i.initiative_id, i.label AS initiative_label, th.theme, th.label, c.sentences,
           c.articles,
           c.sentences / sum(c.sentences) OVER (PARTITION BY i.initiative_id) AS share
    FROM counted AS c
    JOIN facet_initiatives AS i USING (initiative_no)
    JOIN facet_themes AS th USING (theme_no)
    WHERE (len($initiatives) = 0 OR list_contains($initiatives, i.initiative_id))
      AND (len($themes) = 0 OR list_contains($themes, th.theme))
    ORDER BY i.initiative_id, th.theme
    """, initiatives=list(filters.initiatives), themes=list(filters.themes)))


@register(lambda s: {"": (3,)})
def theme_sentences(con: Connection, filters: Filters, per_theme: int) -> pd.DataFrame:
    """Example sentences carrying each theme in view, the sentences a theme chart cites.

    Up to `per_theme` per theme: among the theme's `THEME_SENTENCE_ARTICLES` newest articles
    in view, the sentences matching most of the theme's keywords, then the newest articles.
    With a theme filter only the chosen themes are listed. Each article's best few sentences
    of a theme are stored with it (`facet_theme_examples.examples`, three by the ETL), and the
    best `per_theme` of all the newest articles are among those when `per_theme` is at most
    that many; so no sentence table is scanned.
    """
    ctes = [
        Cte("newest", sql("""
        SELECT t.theme_no, unnest(min(t.article_no, $articles)) AS article_no
        FROM article_themes_in_view AS t
        WHERE len($themes) = 0 OR t.theme_no IN (
            SELECT theme_no FROM facet_themes WHERE list_contains($themes, theme))
        GROUP BY t.theme_no""", articles=THEME_SENTENCE_ARTICLES, themes=list(filters.themes)),
            materialized=True),
        Cte("keyed", sql("""
        SELECT t.theme_no, t.article_no, unnest(t.examples) AS example
        FROM facet_theme_examples AS t
        JOIN newest AS n ON n.article_no = t.article_no AND n.theme_no = t.theme_no""")),
        Cte("ranked", sql("""
        SELECT theme_no, article_no, example.sentence_no, example.keywords,
               example.start_char, example.end_char,
               row_number() OVER (PARTITION BY theme_no
                                  ORDER BY example.keyword_count DESC, article_no,
                                           example.sentence_no) AS theme_rank
        FROM keyed
        QUALIFY theme_rank <= $per_theme""", per_theme=per_theme), materialized=True),
        Cte("article", sql("""
        SELECT a.article_no, a.article_id, a.title, a.outlet, a.published,
               a.published_precision, a.url
        FROM facet_articles AS a SEMI JOIN ranked AS r USING (article_no)""")),
        Cte("text", sql("""
        SELECT t.article_id, t.text FROM articles AS t
        SEMI JOIN article AS a USING (article_id)""")),
    ]
    return in_view(con, filters, (ARTICLE_THEMES,), ctes, """
    SELECT th.theme, th.label, r.keywords,
           substring(t.text, r.start_char + 1, r.end_char - r.start_char) AS sentence,
           a.article_id, r.sentence_no, a.title, a.outlet, a.published, a.published_precision,
           a.url, r.theme_rank
    FROM ranked AS r
    JOIN facet_themes AS th USING (theme_no)
    JOIN article AS a USING (article_no)
    JOIN text AS t USING (article_id)
    ORDER BY th.theme, r.theme_rank
    """)
