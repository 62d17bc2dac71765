"""The shared filters as SQL: conditions on mart rows and the 'in view' CTEs every page reads.

How filters apply (docs/dashboard.md has the analyst's version):
- the article filters (publication years, outlets, themes: carries any of them, initiatives:
  mentions any of them) choose articles, and every fact row of the marts carries its
  article's attributes, so one condition fits articles, events, figures and claims alike;
- `events_in_view`: events of those articles that match the fact filters (initiatives, event
  types, event years: the event's span overlaps the range);
- `articles_in_view`: the articles passing the article filters and, when event years or types
  are set, reporting a matching event. Article-level views (counts, themes, the article table)
  use it;
- `memberships_in_view`: figures of those articles whose initiative and year match;
- counting by story (the default; `Filters.by_article` counts every article) keeps one
  article per story, its canonical one (`is_canonical`, on every mart row), so a wire story
  republished by six outlets counts once; the reprints' facts stay in the warehouse and the
  evidence of a fact names the other outlets of its story (`queries.evidence.ALSO_IN`);
- the confidence floor keeps, in both, only facts scoring at least that confidence, and the
  briefing-safe filter (`reviewed_only`) only facts an analyst confirmed, edited or added
  (the marts' `reviewed`); neither narrows the articles, except through 'reporting a
  matching event' above.

Facts are read as analysts stand behind them: the marts are built from `curated_events` /
`curated_memberships` (a rejected fact is in none; an edited one carries its corrected
values), and a query that needs a fact's text reads those tables too, never `events` /
`memberships` (the machine's reading).

Only the filters that are set are written in, so an unset filter costs nothing. Conditions
name columns without a table alias: each is applied to one mart at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.filters import Filters
from dashboard.queries.sql import Connection, Cte, Sql, all_of, frame, sql, statement

# The marts the queries read, built by the ETL (etl/marts/, docs/schema.md).
MARTS = ("facet_themes", "facet_initiatives", "facet_candidates", "facet_event_years",
         "facet_articles", "facet_events", "facet_event_heads", "facet_timeline_parts",
         "facet_memberships",
         "facet_article_themes", "facet_initiative_themes", "facet_theme_examples",
         "facet_claims")
# Columns the queries read that a mart gained after it was first built: a warehouse whose mart
# lacks one was built by an older version of the ETL (`reference.missing_marts`).
MART_COLUMNS_ADDED = (("facet_articles", "article_key"),)


@dataclass(frozen=True)
class Masks:
    """The chosen themes, initiatives and event years as the marts encode them.

    Looked up first and bound as values, so each mart scan tests them itself (a mask computed
    inside the statement would be joined to every row). `event_years` (the event-year range as
    bits of `facet_articles.event_years`) is set only when event years are the only fact
    filter and the marts' year masks are exact.
    """

    theme_mask: int = 0
    initiative_mask: int = 0
    theme_nos: tuple[int, ...] = ()
    initiative_nos: tuple[int, ...] = ()
    event_years: int | None = None


_MASKS = """
SELECT (SELECT coalesce(bit_or(bit), 0::HUGEINT) FROM facet_themes
        WHERE list_contains($themes, theme))::VARCHAR AS theme_mask,
       (SELECT coalesce(list(theme_no), []) FROM facet_themes
        WHERE list_contains($themes, theme)) AS theme_nos,
       (SELECT coalesce(bit_or(bit), 0::HUGEINT) FROM facet_initiatives
        WHERE list_contains($initiatives, initiative_id))::VARCHAR AS initiative_mask,
       (SELECT coalesce(list(initiative_no), []) FROM facet_initiatives
        WHERE list_contains($initiatives, initiative_id)) AS initiative_nos
"""
_EVENT_YEARS_BASE = "SELECT base, exact FROM facet_event_years"


def masks(con: Connection, filters: Filters) -> Masks:
    """The masks of `filters` (one small lookup each, only for the filters that need one)."""
    found: dict[str, Any] = {}
    # one row each, read as tuples: a DataFrame would cost more than the lookups
    if filters.themes or filters.initiatives:
        theme_mask, theme_nos, initiative_mask, initiative_nos = _one_row(con, sql(
            _MASKS, themes=list(filters.themes), initiatives=list(filters.initiatives)))
        found |= {"theme_mask": int(theme_mask), "initiative_mask": int(initiative_mask),
                  "theme_nos": tuple(int(n) for n in theme_nos),
                  "initiative_nos": tuple(int(n) for n in initiative_nos)}
    if filters.event_years is not None and not filters.event_types and not filters.initiatives \
            and not filters.confidence_floor and not filters.reviewed_only:
        base, exact = _one_row(con, Sql(_EVENT_YEARS_BASE))
        if exact and base is not None:
            base = int(base)
            low = max(filters.event_years[0], base) - base
            high = min(filters.event_years[1], base + 126) - base
            found["event_years"] = ((1 << (high + 1)) - (1 << low)) if high >= low else 0
    return Masks(**found)


def _one_row(con: Connection, query: Sql) -> tuple[Any, ...]:
    """The one row of `query`, as a tuple."""
    row = con.execute(query.text, dict(query.params)).fetchone()
    if row is None:
        raise ValueError("a lookup of one row returned none")
    return tuple(row)


# --- conditions, by filter, on any mart row carrying the article's attributes --------------

def article_conditions(filters: Filters, chosen: Masks) -> list[Sql]:
    """The article filters that are set."""
    conditions = []
    if filters.published_years is not None:
        conditions.append(sql("published_year BETWEEN $published_from AND $published_to",
                              published_from=filters.published_years[0],
                              published_to=filters.published_years[1]))
    if filters.outlets:
        conditions.append(sql("list_contains($outlets, outlet)", outlets=list(filters.outlets)))
    if filters.themes:
        conditions.append(sql("theme_mask & $theme_mask <> 0", theme_mask=chosen.theme_mask))
    if filters.initiatives:
        conditions.append(sql("initiative_mask & $initiative_mask <> 0",
                              initiative_mask=chosen.initiative_mask))
    if not filters.by_article:
        conditions.append(sql("is_canonical"))
    return conditions


def _chosen_initiatives(filters: Filters) -> Sql:
    return sql("list_contains($initiatives, initiative_id)", initiatives=list(filters.initiatives))


def _confidence(filters: Filters) -> Sql:
    return sql("confidence >= $confidence_floor",
               confidence_floor=filters.confidence_floor / 100)


def _fact_quality(filters: Filters) -> list[Sql]:
    """The confidence floor and the briefing-safe filter, when set, on a fact row."""
    conditions = []
    if filters.confidence_floor:
        conditions.append(_confidence(filters))
    if filters.reviewed_only:
        conditions.append(sql("reviewed"))
    return conditions


def event_conditions(filters: Filters, chosen: Masks) -> list[Sql]:
    """Article and fact filters that are set, on a `facet_events` (or event claim) row."""
    conditions = article_conditions(filters, chosen)
    if filters.initiatives:
        conditions.append(_chosen_initiatives(filters))
    if filters.event_types:
        conditions.append(sql("list_contains($event_types, event_type)",
                              event_types=list(filters.event_types)))
    if filters.event_years is not None:
        # a span ending before it starts (an edit can make one) counts as its first year,
        # as `facet_articles.event_years` counts it
        conditions.append(sql("greatest(year, coalesce(end_year, year)) >= $event_from "
                              "AND year <= $event_to",
                              event_from=filters.event_years[0],
                              event_to=filters.event_years[1]))
    return conditions + _fact_quality(filters)


def membership_conditions(filters: Filters, chosen: Masks) -> list[Sql]:
    """Article and fact filters that are set, on a `facet_memberships` (or figure claim) row
    (event types do not apply to membership figures)."""
    conditions = article_conditions(filters, chosen)
    if filters.initiatives:
        conditions.append(_chosen_initiatives(filters))
    if filters.event_years is not None:
        conditions.append(sql("year BETWEEN $event_from AND $event_to",
                              event_from=filters.event_years[0],
                              event_to=filters.event_years[1]))
    return conditions + _fact_quality(filters)


# --- the in-view CTEs ------------------------------------------------------------------------

EVENTS = "events_in_view"
ARTICLES = "articles_in_view"
MEMBERSHIPS = "memberships_in_view"
ARTICLE_THEMES = "article_themes_in_view"
INITIATIVE_THEMES = "initiative_themes_in_view"
VIEWS = (EVENTS, ARTICLES, MEMBERSHIPS, ARTICLE_THEMES, INITIATIVE_THEMES)


def _reports_a_matching_event(filters: Filters, chosen: Masks) -> list[Sql]:
    """With event years or types set, 'reports an event that matches them', on a row carrying
    the article's `event_years` and `article_no`: one bit test when event years are the only
    fact filter and the year masks are exact, else the articles of `events_in_view`."""
    if not filters.filters_facts:
        return []
    if chosen.event_years is None:
        return [sql("article_no IN (SELECT article_no FROM events_in_view)")]
    return [sql("event_years & $event_years_mask <> 0", event_years_mask=chosen.event_years)]


def _articles_in_view(filters: Filters, chosen: Masks) -> Sql:
    conditions = article_conditions(filters, chosen) + _reports_a_matching_event(filters, chosen)
    return "SELECT a.* FROM facet_articles AS a WHERE " + all_of(conditions)


def _themed(filters: Filters, chosen: Masks) -> list[Sql]:
    """Rows of the articles in view (every theme mart row carries its article's attributes,
    so the article filters apply to it directly) and of the themes shown only: with a theme
    filter the theme charts show those themes (and the themes-by-initiative chart the chosen
    initiatives)."""
    conditions = article_conditions(filters, chosen) + _reports_a_matching_event(filters, chosen)
    if filters.themes:
        conditions.append(sql("list_contains($theme_nos, theme_no)",
                              theme_nos=list(chosen.theme_nos)))
    return conditions


def _view(name: str, filters: Filters, chosen: Masks) -> Sql:
    if name == EVENTS:
        return "SELECT e.* FROM facet_events AS e WHERE " + all_of(
            event_conditions(filters, chosen))
    if name == ARTICLES:
        return _articles_in_view(filters, chosen)
    if name == MEMBERSHIPS:
        return "SELECT m.* FROM facet_memberships AS m WHERE " + all_of(
            membership_conditions(filters, chosen))
    if name == ARTICLE_THEMES:
        return "SELECT t.* FROM facet_article_themes AS t WHERE " + all_of(
            _themed(filters, chosen))
    shown = ([sql("list_contains($initiative_nos, initiative_no)",
                  initiative_nos=list(chosen.initiative_nos))] if filters.initiatives else [])
    return "SELECT t.* FROM facet_initiative_themes AS t WHERE " + all_of(
        _themed(filters, chosen) + shown)


def _reads(name: str, filters: Filters, chosen: Masks) -> tuple[str, ...]:
    """The in-view CTEs the CTE `name` reads, for these filters."""
    if name in (ARTICLES, ARTICLE_THEMES, INITIATIVE_THEMES) and filters.filters_facts \
            and chosen.event_years is None:
        return (EVENTS,)
    return ()


def view_ctes(filters: Filters, chosen: Masks, reads: Sequence[str]) -> list[Cte]:
    """The in-view CTEs a statement reading `reads` needs (and those they read), in order."""
    needed: set[str] = set()
    pending = list(reads)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(_reads(name, filters, chosen))
    return [Cte(name, _view(name, filters, chosen)) for name in VIEWS if name in needed]


def in_view(con: Connection, filters: Filters, reads: Sequence[str], ctes: Sequence[Cte],
            select: Sql | str, chosen: Masks | None = None) -> pd.DataFrame:
    """Run `select` after the in-view CTEs it `reads` and its own `ctes`, for `filters`
    (`chosen`: their masks, when the caller has looked them up already)."""
    chosen = chosen or masks(con, filters)
    return frame(con, statement([*view_ctes(filters, chosen, reads), *ctes], select))
