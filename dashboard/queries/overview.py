"""The Overview page's statements: headline figures, events per year, sources, candidates."""

from __future__ import annotations

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.in_view import ARTICLES, EVENTS, in_view, masks
from dashboard.queries.registry import register
from dashboard.queries.sql import Connection, Cte, sql

# The headline row, around the initiatives named (`named`: all, or the chosen ones).
_HEADLINE_FIGURES = """
    SELECT a.articles, a.first_published, a.last_published, a.last_published_precision,
           a.words, e.events, e.first_event_year, e.last_event_year,
           bit_count("""
_HEADLINE_SOURCES = """)::INTEGER AS initiatives
    FROM (SELECT count(*) AS articles, min(published) AS first_published,
                 max(published) AS last_published,
                 arg_max(published_precision, published) AS last_published_precision,
                 coalesce(sum(word_count), 0)::BIGINT AS words,
                 coalesce(bit_or(initiative_mask), 0::HUGEINT) AS named
          FROM articles_in_view) AS a,
         (SELECT count(*) AS events, min(year) AS first_event_year,
                 max(coalesce(end_year, year)) AS last_event_year
          FROM events_in_view) AS e
    """


@register()
def headline_figures(con: Connection, filters: Filters) -> pd.DataFrame:
    """One row: articles, initiatives named, dated events, their year span, article dates.

    Initiatives named: those mentioned in the articles in view (with an initiative filter,
    only the chosen ones), counted as the bits of the articles' initiative masks.
    """
    chosen = masks(con, filters)
    named = (sql("a.named & $initiative_mask", initiative_mask=chosen.initiative_mask)
             if filters.initiatives else sql("a.named"))
    return in_view(con, filters, (ARTICLES, EVENTS), [],
                   _HEADLINE_FIGURES + named + _HEADLINE_SOURCES, chosen)


@register()
def events_per_year(con: Connection, filters: Filters) -> pd.DataFrame:
    """Dated events per start year and initiative (the Overview's compact timeline)."""
    counted = Cte("counted", sql("""
        SELECT year, initiative_no, count(*) AS events FROM events_in_view
        GROUP BY year, initiative_no"""))
    return in_view(con, filters, (EVENTS,), [counted], """
    SELECT c.year, i.initiative_id, i.label AS initiative_label, c.events
    FROM counted AS c JOIN facet_initiatives AS i USING (initiative_no)
    ORDER BY c.year, i.initiative_id
    """)


@register()
def source_summary(con: Connection, filters: Filters) -> pd.DataFrame:
    """The articles in view by outlet (for a chart's source line: 'N articles from ...')."""
    return in_view(con, filters, (ARTICLES,), [], """
    SELECT coalesce(outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM articles_in_view
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """)


@register(lambda s: {"": (20, 5)})
def candidate_initiatives(con: Connection, filters: Filters, names: int,
                          per_name: int) -> pd.DataFrame:
    """Possible new initiatives named in the articles in view, with their evidence.

    One row per sentence (at most `per_name` per name, newest articles first) of the `names`
    names seen in most articles. Every row repeats its name's summary: `name` (the most
    frequent spelling, the first alphabetically on a tie), `relations`, `sentences`,
    `articles`, `first_seen`, `last_seen`.
    """
    ctes = [
        Cte("found", sql("""
        SELECT c.name_key, c.surface, c.relation, c.sentence_no, c.article_id, c.sentence,
               a.article_no, a.title, a.outlet, a.url, a.published, a.published_precision
        FROM facet_candidates AS c
        JOIN articles_in_view AS a USING (article_id)"""), materialized=True),
        Cte("spelled", sql("""
        SELECT name_key, surface, count(*) AS n FROM found GROUP BY name_key, surface""")),
        Cte("named", sql("""
        SELECT f.name_key, any_value(w.name) AS name,
               list_sort(list(DISTINCT f.relation)) AS relations, count(*) AS sentences,
               count(DISTINCT f.article_id) AS articles, min(f.published) AS first_seen,
               max(f.published) AS last_seen
        FROM found AS f
        JOIN (SELECT name_key, first(surface ORDER BY n DESC, surface) AS name
              FROM spelled GROUP BY name_key) AS w USING (name_key)
        GROUP BY f.name_key
        ORDER BY articles DESC, sentences DESC, f.name_key
        LIMIT $names""", names=names), materialized=True),
        Cte("shown", sql("""
        SELECT f.*, row_number() OVER (PARTITION BY f.name_key
                                       ORDER BY f.article_no, f.sentence_no) AS n
        FROM found AS f SEMI JOIN named USING (name_key)
        QUALIFY n <= $per_name""", per_name=per_name)),
    ]
    return in_view(con, filters, (ARTICLES,), ctes, """
    SELECT k.name_key, k.name, k.relations, k.sentences, k.articles, k.first_seen,
           k.last_seen, f.surface, f.relation, f.article_id, f.sentence_no, f.sentence,
           f.title, f.outlet, f.url, f.published, f.published_precision
    FROM named AS k
    JOIN shown AS f USING (name_key)
    ORDER BY k.articles DESC, k.sentences DESC, k.name_key, f.n
    """)
