"""Every SQL statement of the dashboard: named functions of a connection (and `Filters`).

Each function runs one parameterised statement against the read-only warehouse and returns a
DataFrame. Values are never formatted into SQL: statements are assembled from constant
fragments (chosen by which filters are set, so an unset filter costs nothing), and the filter
values are bound as named parameters (`$themes`, `$event_from`, ...), lists tested with
`list_contains($list, column)`.

Scale (100,000 articles, millions of sentences) shapes the statements:

- They read *facets* (`FACETS`): narrow tables derived from the warehouse with an integer
  article number (`article_no`, 1 = the newest article) and the article's filter attributes
  (publication year, outlet, theme and initiative bit masks) copied onto every fact row, so a
  filter is a scan of one narrow table, not a join on text ids. A facet is read from a table
  when the connection has it (the ETL's, or the one the dashboard materialises once per
  build, `materialise_facets`), else computed inline as a CTE of the same name: every query
  works on any connection, and is fast where the facets are tables.
- Charts get aggregates (one row per initiative, event type and year; per year and count),
  and the sentences behind an aggregate come a page at a time (`LIMIT`/`OFFSET`).
- Article text and sentences are joined only for the rows a page shows.

How filters apply (docs/dashboard.md has the analyst's version):
- the article filters (publication years, outlets, themes: carries any of them, initiatives:
  mentions any of them) choose articles, and every fact row carries its article's attributes;
- `events_in_view`: events of those articles that match the fact filters (initiatives, event
  types, event years: the event's span overlaps the range);
- `articles_in_view`: the articles passing the article filters and, when event years or types
  are set, reporting a matching event. Article-level views (counts, themes, the article table)
  use it;
- `memberships_in_view`: figures of those articles whose initiative and year match;
- the confidence floor keeps, in both, only facts scoring at least that confidence (it does
  not narrow the articles, except through 'reporting a matching event' above).

The Search page's statements (the `search_*` functions, at the end) read the search index
tables and write in only the filters that are set (`_IN_VIEW_CONDITIONS`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import duckdb
import pandas as pd

from dashboard.filters import Filters
from dashboard.search_text import SearchQuery

Connection = duckdb.DuckDBPyConnection

# Event types an initiative has once in its life, so two years for one of them cannot both be
# right. Everything else recurs legitimately (held, period, chairmanship, scheduled, approved,
# joined, signed, elected, launched, started) or is said again and again (announced: plans,
# dates, new rounds). Types are compared only with themselves: a proposal (1992), a founding
# (1999) and a first summit (2002) are different events, not a disagreement.
ONCE_ONLY_EVENT_TYPES = ("first_held", "founded", "proposed")
# A sentence that restates an earlier act ('reiterated his proposal', 'proposed again') is not
# a claim about when the act happened.
RESTATEMENT_PATTERN = r"\b(reiterat\w*|again|anew|once more|renew\w*|repeat\w*)\b"
MILESTONE_EVENT_TYPES = ("first_held", "held", "joined")
# Themes and initiatives are filtered through bit masks in a HUGEINT, one bit each.
MAX_MASK_BITS = 127


def filter_parameters(filters: Filters) -> dict[str, Any]:
    """The named parameters every filtered statement may bind."""
    event_years = filters.event_years or (None, None)
    published_years = filters.published_years or (None, None)
    return {
        "event_from": event_years[0],
        "event_to": event_years[1],
        "published_from": published_years[0],
        "published_to": published_years[1],
        "themes": list(filters.themes),
        "initiatives": list(filters.initiatives),
        "event_types": list(filters.event_types),
        "outlets": list(filters.outlets),
        "filters_facts": filters.filters_facts,
        "confidence_floor": filters.confidence_floor / 100,
    }


def _frame(con: Connection, sql: str, params: dict[str, Any] | list[Any] | None = None
           ) -> pd.DataFrame:
    return con.execute(sql, params or {}).df()


# --- facets: narrow tables derived from the warehouse, for filtering at scale ----------------

# Where a dated event sits on a year axis: month-only dates sort as the 15th so they fall
# mid-month, year-only dates as 1 July so they fall mid-year; an impossible day in a source
# (31 June) falls back to mid-month rather than failing the page. A span runs from the first
# day of its start period to the last day of its end period.
_EVENT_DATES = """
    coalesce(
        try(make_date(e.year, coalesce(e.month, 7),
                      coalesce(e.day, CASE WHEN e.month IS NULL THEN 1 ELSE 15 END))),
        make_date(e.year, coalesce(e.month, 7), CASE WHEN e.month IS NULL THEN 1 ELSE 15 END)
    ) AS marker_date,
    coalesce(try(make_date(e.year, coalesce(e.month, 1), coalesce(e.day, 1))),
             make_date(e.year, coalesce(e.month, 1), 1)) AS span_start,
    CASE
        WHEN e.end_year IS NULL THEN NULL
        WHEN e.end_month IS NULL THEN make_date(e.end_year, 12, 31)
        WHEN e.end_day IS NULL THEN last_day(make_date(e.end_year, e.end_month, 1))
        ELSE coalesce(try(make_date(e.end_year, e.end_month, e.end_day)),
                      last_day(make_date(e.end_year, e.end_month, 1)))
    END AS span_end"""

if "'" in RESTATEMENT_PATTERN:  # it is written into the facet's SQL as a literal
    raise ValueError("RESTATEMENT_PATTERN must not contain a single quote")

# name -> SELECT. Each may read the warehouse's tables and the facets defined before it.
_FACET_SQL: dict[str, str] = {
    # Bit positions for the filter masks (at most MAX_MASK_BITS themes / initiatives).
    "facet_themes": """
        SELECT theme, label, (row_number() OVER (ORDER BY theme) - 1)::SMALLINT AS theme_no,
               CAST(1 AS HUGEINT) << CAST(row_number() OVER (ORDER BY theme) - 1 AS HUGEINT)
                   AS bit
        FROM themes""",
    "facet_initiatives": """
        SELECT initiative_id,
               (row_number() OVER (ORDER BY initiative_id) - 1)::SMALLINT AS initiative_no,
               CAST(1 AS HUGEINT) << CAST(row_number() OVER (ORDER BY initiative_id) - 1
                                          AS HUGEINT) AS bit,
               name, coalesce(acronym, name) AS label, category
        FROM initiatives""",
    # The years events cover, as bit positions from `base` (the first year of any event):
    # `exact` when every event's years fit a mask (127 years, none ending before it starts).
    "facet_event_years": """
        SELECT min(year) AS base,
               coalesce(max(coalesce(end_year, year)) - min(year) < 127
                        AND bool_and(coalesce(end_year, year) >= year), false) AS exact
        FROM events""",
    # One row per article, numbered newest first (the article table's order), with what the
    # filters test and what the article table shows. `event_years` has a bit for every year
    # an event of the article covers (start to end), so 'reports an event in these years' is
    # one bit test (when `facet_event_years.exact`).
    "facet_articles": """
        WITH themed AS (
            SELECT t.article_id, bit_or(th.bit) AS theme_mask,
                   list(th.label ORDER BY t.rank, th.theme) FILTER (WHERE t.rank <= 3)
                       AS top_themes
            FROM article_themes AS t JOIN facet_themes AS th USING (theme)
            GROUP BY t.article_id
        ),
        named AS (
            SELECT m.article_id, bit_or(i.bit) AS initiative_mask,
                   list(i.label ORDER BY m.mentions DESC, i.label) AS initiatives
            FROM (SELECT article_id, initiative_id, count(*) AS mentions
                  FROM mentions GROUP BY article_id, initiative_id) AS m
            JOIN facet_initiatives AS i USING (initiative_id)
            GROUP BY m.article_id
        ),
        covered AS (
            SELECT e.article_id,
                   bit_or(CAST(1 AS HUGEINT) << CAST(y.year - b.base AS HUGEINT)) AS event_years
            FROM events AS e
            CROSS JOIN facet_event_years AS b
            CROSS JOIN LATERAL (SELECT unnest(range(e.year, greatest(e.year, coalesce(
                e.end_year, e.year)) + 1)) AS year) AS y
            WHERE y.year - b.base BETWEEN 0 AND 126
            GROUP BY e.article_id
        )
        SELECT (row_number() OVER (ORDER BY a.published DESC NULLS LAST, a.title,
                                            a.article_id))::INTEGER AS article_no,
               a.article_id, a.title, a.outlet, a.url, a.published, a.published_precision,
               year(a.published)::SMALLINT AS published_year, a.word_count, a.source_file,
               coalesce(t.theme_mask, 0::HUGEINT) AS theme_mask,
               coalesce(n.initiative_mask, 0::HUGEINT) AS initiative_mask,
               coalesce(c.event_years, 0::HUGEINT) AS event_years,
               coalesce(n.initiatives, []) AS initiatives,
               coalesce(t.top_themes, []) AS top_themes
        FROM articles AS a
        LEFT JOIN themed AS t USING (article_id)
        LEFT JOIN named AS n USING (article_id)
        LEFT JOIN covered AS c USING (article_id)
        ORDER BY article_no""",
    # One row per event: its date positions, whether its sentence restates an earlier act
    # (disagreements ignore those), and its article's filter attributes. `event_no` numbers
    # the events by initiative, type, year, then newest article first, so the smallest of a
    # timeline cell is its example. `first_of_article` marks, per article and cell, the event
    # reaching latest (`coalesce(end_year, year)`): whatever the filters, an article has an
    # event in view in a cell exactly when that one is in view (the article filters treat
    # all its events alike, the others are constant in a cell or pass the latest-reaching
    # event first), so counting the marked events in view counts the articles.
    # `initiative_no` and `type_no` are small integers to group by (much faster than text).
    "facet_events": """
        SELECT (row_number() OVER (ORDER BY e.initiative_id, e.event_type, e.year,
                                            a.article_no, e.sentence_no, e.event_id))::INTEGER
                   AS event_no,
               e.event_id, a.article_no, e.sentence_no, e.initiative_id, i.initiative_no,
               e.event_type, (dense_rank() OVER (ORDER BY e.event_type))::SMALLINT AS type_no,
               e.year, e.month, e.day, e.end_year, e.end_month, e.end_day, {event_dates},
               row_number() OVER (PARTITION BY a.article_no, e.initiative_id, e.event_type,
                                               e.year
                                  ORDER BY coalesce(e.end_year, e.year) DESC, e.event_id) = 1
                   AS first_of_article,
               regexp_matches(lower(e.sentence), '{restatement}') AS restated,
               e.confidence, a.published_year, a.outlet, a.theme_mask, a.initiative_mask
        FROM events AS e
        JOIN facet_articles AS a USING (article_id)
        JOIN facet_initiatives AS i USING (initiative_id)
        ORDER BY event_no""",
    # One row per reported figure, numbered like the events (`figure_no`: by organisation,
    # kind, year, count, then newest article first); `first_of_article` marks one figure per
    # article and point (the filters treat a point's figures of one article alike).
    "facet_memberships": """
        SELECT (row_number() OVER (ORDER BY m.initiative_id, m.kind, m.year, m.count,
                                            a.article_no, m.sentence_no, m.membership_id)
               )::INTEGER AS figure_no,
               m.membership_id, a.article_no, m.sentence_no, m.initiative_id, m.kind, m.count,
               m.year,
               row_number() OVER (PARTITION BY a.article_no, m.initiative_id, m.kind, m.year,
                                               m.count ORDER BY m.membership_id) = 1
                   AS first_of_article,
               m.confidence, a.published_year, a.outlet, a.theme_mask, a.initiative_mask
        FROM memberships AS m JOIN facet_articles AS a USING (article_id)
        ORDER BY figure_no""",
    "facet_article_themes": """
        SELECT a.article_no, th.theme_no, t.hits, a.published_year
        FROM article_themes AS t
        JOIN facet_articles AS a USING (article_id)
        JOIN facet_themes AS th USING (theme)
        ORDER BY a.article_no, th.theme_no""",
    # Per article, initiative and theme: sentences that name the initiative and carry the
    # theme (`mentions` joined with `sentence_themes` on the sentence).
    "facet_initiative_themes": """
        WITH named AS (SELECT DISTINCT article_id, sentence_no, initiative_id FROM mentions),
        themed AS (
            SELECT DISTINCT article_id, sentence_no, theme
            FROM sentence_themes SEMI JOIN named USING (article_id, sentence_no)
        ),
        pairs AS (
            SELECT n.article_id, n.initiative_id, t.theme, count(*)::INTEGER AS sentences
            FROM named AS n JOIN themed AS t USING (article_id, sentence_no)
            GROUP BY n.article_id, n.initiative_id, t.theme
        )
        SELECT a.article_no, i.initiative_no, th.theme_no, p.sentences
        FROM pairs AS p
        JOIN facet_articles AS a USING (article_id)
        JOIN facet_initiatives AS i USING (initiative_id)
        JOIN facet_themes AS th USING (theme)
        ORDER BY a.article_no, i.initiative_no, th.theme_no""",
    # Every claim of every fact the sources disagree on, across the whole warehouse (the
    # rules: see "Disagreements" below), one row per claim with its side's size, the fact's
    # verdicts, the reference figure, and what the filters test (its article's attributes,
    # the event type and years). Filters only choose which facts are listed.
    "facet_claims": """
        WITH once_only AS (
            SELECT 'event_year' AS topic, e.event_no AS claim_no, e.event_id AS claim_id,
                   e.initiative_id, e.event_type AS fact, NULL::INTEGER AS fact_year,
                   e.year AS value, e.article_no, e.sentence_no, e.event_type, e.year,
                   e.end_year, e.published_year, e.outlet, e.theme_mask, e.initiative_mask,
                   e.confidence
            FROM facet_events AS e
            WHERE list_contains({once_only_types}, e.event_type) AND NOT e.restated
        ),
        event_facts AS (
            SELECT initiative_id, fact FROM once_only
            GROUP BY initiative_id, fact
            HAVING min(value) < max(value) AND min(article_no) < max(article_no)
        ),
        confirmed_reference AS (
            SELECT initiative_id, year, member_count, source, new_members,
                   lag(member_count) OVER (PARTITION BY initiative_id ORDER BY year)
                       AS previous_count,
                   lag(year) OVER (PARTITION BY initiative_id ORDER BY year) AS previous_year
            FROM membership_reference
            WHERE confirmed AND member_count IS NOT NULL
        ),
        figures AS (
            SELECT 'membership_count' AS topic, m.figure_no AS claim_no,
                   m.membership_id AS claim_id, m.initiative_id, m.kind AS fact,
                   m.year AS fact_year, m.count AS value, m.article_no, m.sentence_no,
                   NULL::VARCHAR AS event_type, m.year, NULL::INTEGER AS end_year,
                   m.published_year, m.outlet, m.theme_mask, m.initiative_mask,
                   m.confidence, r.member_count AS reference_count,
                   r.previous_count AS reference_previous_count,
                   r.previous_year AS reference_previous_year,
                   least(r.member_count, coalesce(r.previous_count, r.member_count))
                       AS reference_low,
                   greatest(r.member_count, coalesce(r.previous_count, r.member_count))
                       AS reference_high,
                   r.source AS reference_source, r.new_members AS reference_notes
            FROM facet_memberships AS m
            LEFT JOIN confirmed_reference AS r
                   ON r.initiative_id = m.initiative_id AND r.year = m.year
                  AND m.kind = 'member_states'
            WHERE m.year IS NOT NULL
        ),
        checked AS (
            SELECT *, coalesce(value BETWEEN reference_low AND reference_high, false)
                          AS fits_reference
            FROM figures
        ),
        figure_values AS (
            SELECT initiative_id, fact, fact_year, value,
                   min(article_no) AS first_article, max(article_no) AS last_article,
                   any_value(fits_reference) AS fits_reference,
                   bool_or(reference_count IS NOT NULL AND NOT fits_reference)
                       AS reference_differs
            FROM checked
            GROUP BY initiative_id, fact, fact_year, value
        ),
        figure_verdicts AS (
            SELECT v.initiative_id, v.fact, v.fact_year,
                   bool_or(NOT v.fits_reference AND o.first_article IS NOT NULL
                           AND NOT (v.first_article = v.last_article
                                    AND o.first_article = o.last_article
                                    AND v.first_article = o.first_article)) AS articles_differ,
                   bool_or(v.reference_differs) AS reference_differs
            FROM figure_values AS v
            LEFT JOIN (
                SELECT v.initiative_id, v.fact, v.fact_year, v.value,
                       min(w.first_article) AS first_article,
                       max(w.last_article) AS last_article
                FROM figure_values AS v
                JOIN figure_values AS w
                  ON w.initiative_id = v.initiative_id AND w.fact = v.fact
                 AND w.fact_year = v.fact_year AND w.value <> v.value
                GROUP BY ALL
            ) AS o USING (initiative_id, fact, fact_year, value)
            GROUP BY v.initiative_id, v.fact, v.fact_year
        ),
        claims AS (
            SELECT o.*, true AS articles_differ, false AS reference_differs,
                   NULL::INTEGER AS reference_count, NULL::INTEGER AS reference_previous_count,
                   NULL::INTEGER AS reference_previous_year, NULL::INTEGER AS reference_low,
                   NULL::INTEGER AS reference_high, NULL::VARCHAR AS reference_source,
                   NULL::VARCHAR AS reference_notes, NULL::BOOLEAN AS fits_reference
            FROM once_only AS o SEMI JOIN event_facts USING (initiative_id, fact)
            UNION ALL BY NAME
            SELECT c.*, v.articles_differ, v.reference_differs
            FROM checked AS c JOIN figure_verdicts AS v USING (initiative_id, fact, fact_year)
            WHERE v.articles_differ OR v.reference_differs
        )
        SELECT (row_number() OVER (ORDER BY topic, initiative_id, fact, fact_year, value,
                                            claim_no))::INTEGER AS claim_row,
               (dense_rank() OVER (ORDER BY topic, initiative_id, fact, fact_year))::INTEGER
                   AS fact_no,
               topic || ':' || initiative_id || ':' || fact
                   || coalesce(':' || fact_year, '') AS disagreement_id,
               *,
               count(*) OVER (PARTITION BY topic, initiative_id, fact, fact_year, value)
                   AS side_claims,
               count(DISTINCT article_no) OVER (PARTITION BY topic, initiative_id, fact,
                                                             fact_year, value) AS side_articles
        FROM claims
        ORDER BY claim_row""",
}

_FACET_NAME = re.compile(r"\bfacet_[a-z_]+\b")


@dataclass(frozen=True)
class Facet:
    """A derived table: its name, the SELECT that fills it, the facets it reads, a signature.

    The signature (a hash of the SELECT) is stored as the table's comment, so a table built
    from another version of the SELECT is recognised and not used.
    """

    name: str
    select: str
    depends: tuple[str, ...]
    signature: str


def _facets() -> dict[str, Facet]:
    facets: dict[str, Facet] = {}
    for name, select in _FACET_SQL.items():
        filled = select.replace("{event_dates}", _EVENT_DATES).replace(
            "{once_only_types}", "[" + ", ".join(f"'{t}'" for t in ONCE_ONLY_EVENT_TYPES) + "]")
        body = " ".join(filled.split()).replace("{restatement}", RESTATEMENT_PATTERN)
        depends = tuple(dict.fromkeys(n for n in _FACET_NAME.findall(body) if n != name))
        unknown = [n for n in depends if n not in facets]
        if unknown:
            raise ValueError(f"facet {name} reads {unknown}, defined after it")
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
        facets[name] = Facet(name, body, depends, f"initiative-monitor facet {digest}")
    return facets


FACETS = _facets()


def facet_closure(names: Iterable[str]) -> list[str]:
    """`names` with every facet they read, in build order."""
    wanted: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(FACETS[name].depends)
    return [name for name in FACETS if name in wanted]


def facet_statements(catalog: str | None = None) -> list[str]:
    """The DDL that materialises every facet: what the ETL can run after a build.

    `CREATE TABLE ... AS SELECT` then `COMMENT ON TABLE` with the signature; `catalog`
    qualifies the table names (None: the current catalog).
    """
    statements = []
    for facet in FACETS.values():
        table = f"{catalog}.main.{facet.name}" if catalog else facet.name
        statements.append(f"CREATE OR REPLACE TABLE {table} AS {facet.select}")
        statements.append(f"COMMENT ON TABLE {table} IS '{facet.signature}'")
    return statements


def materialised_facets(con: Connection) -> frozenset[str]:
    """The facets the connection can read as current tables (right signature)."""
    rows = con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE starts_with(table_name, 'facet_')"
    ).fetchall()
    return frozenset(name for name, comment in rows
                     if name in FACETS and comment == FACETS[name].signature)


def materialise_facets(con: Connection, names: Iterable[str], catalog: str,
                       on_build: Callable[[str], None] | None = None) -> list[str]:
    """Build the facets `names` (and those they read) as tables of `catalog`; returns those built.

    `catalog` is a writable database attached to the connection (the dashboard's in-memory
    one), which must come first in the connection's search path for the tables to be read.
    Facets the connection already reads as current tables are not rebuilt. `on_build` is
    called with each name before it is built (for progress messages).
    """
    present = materialised_facets(con)
    built = []
    for name in facet_closure(names):
        if name in present:
            continue
        if on_build is not None:
            on_build(name)
        facet = FACETS[name]
        table = f"{catalog}.main.{name}"
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {facet.select}")  # noqa: S608
        con.execute(f"COMMENT ON TABLE {table} IS '{facet.signature}'")
        built.append(name)
    return built


# --- assembling a statement ------------------------------------------------------------------

_PARAMETER = re.compile(r"\$([a-z_]+)")
_CTE_NAME = re.compile(r"\b([a-z_]+)\b")

Query = TypeVar("Query", bound=Callable[..., Any])
QUERY_FACETS: dict[str, tuple[str, ...]] = {}


def uses_facets(*names: str) -> Callable[[Query], Query]:
    """Declare the facets a query reads (`QUERY_FACETS`), so a caller can materialise them first."""
    def mark(query: Query) -> Query:
        QUERY_FACETS[query.__name__] = tuple(facet_closure(names))
        return query
    return mark


def _referenced(names: Iterable[str], text: str) -> set[str]:
    words = set(_CTE_NAME.findall(text))
    return {name for name in names if name in words}


def _statement(con: Connection, ctes: dict[str, str], body: str) -> str:
    """`WITH` the CTEs `body` needs (transitively), facets inlined where not tables, then body.

    `ctes` maps a name to its definition, in an order where each reads only earlier ones.
    `body` starts with `SELECT`, or with `, name AS (...)` to add CTEs of its own.
    """
    tables = materialised_facets(con)
    inline = {f.name: f"({f.select})" for f in FACETS.values() if f.name not in tables}
    available = {**inline, **ctes}
    needed: set[str] = set()
    pending = _referenced(available, body)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending |= _referenced(available, available[name]) - needed
    ordered = [f"{name} AS {available[name]}" for name in available if name in needed]
    if not ordered:
        body = body.lstrip()
        return "WITH " + body[1:] if body.startswith(",") else body
    return "WITH " + ",\n".join(ordered) + "\n" + body


def _run(con: Connection, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    """Execute with the parameters the statement names (DuckDB refuses any others)."""
    named = set(_PARAMETER.findall(sql))
    return _frame(con, sql, {k: v for k, v in params.items() if k in named})


def _fill(template: str, **fragments: str) -> str:
    """`template` with each `{name}` replaced by a fragment of SQL text of this module.

    Fragments are conditions and CTE bodies written here, chosen by which filters are set;
    values never go through this (they are bound as parameters).
    """
    for name, fragment in fragments.items():
        template = template.replace("{" + name + "}", fragment)
    return template


# The filters as conditions on facet rows, by table alias: `a` facet_articles (and the article
# attributes every fact row carries), `e` facet_events, `m` facet_memberships.
_PUBLISHED = "a.published_year BETWEEN $published_from AND $published_to"
_OUTLETS = "list_contains($outlets, a.outlet)"
_THEMES = "a.theme_mask & $theme_mask <> 0"
_NAMING = "a.initiative_mask & $initiative_mask <> 0"
_EVENT_INITIATIVES = "list_contains($initiatives, e.initiative_id)"
_EVENT_TYPES = "list_contains($event_types, e.event_type)"
_EVENT_YEARS = "coalesce(e.end_year, e.year) >= $event_from AND e.year <= $event_to"
_FIGURE_INITIATIVES = "list_contains($initiatives, m.initiative_id)"
_FIGURE_YEARS = "m.year BETWEEN $event_from AND $event_to"
_EVENT_CONFIDENCE = "e.confidence >= $confidence_floor"
_FIGURE_CONFIDENCE = "m.confidence >= $confidence_floor"


def _article_conditions(filters: Filters, alias: str = "a") -> list[str]:
    """The article filters that are set, as conditions on rows aliased `alias` (a, e or m)."""
    conditions = []
    if filters.published_years is not None:
        conditions.append(_PUBLISHED)
    if filters.outlets:
        conditions.append(_OUTLETS)
    if filters.themes:
        conditions.append(_THEMES)
    if filters.initiatives:
        conditions.append(_NAMING)
    return [c.replace("a.", alias + ".") for c in conditions]


def _event_conditions(filters: Filters) -> list[str]:
    """Article and fact filters that are set, as conditions on a `facet_events` row `e`."""
    conditions = _article_conditions(filters, "e")
    if filters.initiatives:
        conditions.append(_EVENT_INITIATIVES)
    if filters.event_types:
        conditions.append(_EVENT_TYPES)
    if filters.event_years is not None:
        conditions.append(_EVENT_YEARS)
    if filters.confidence_floor:
        conditions.append(_EVENT_CONFIDENCE)
    return conditions


def _membership_conditions(filters: Filters) -> list[str]:
    """Article and fact filters that are set, as conditions on a `facet_memberships` row `m`
    (event types do not apply to membership figures)."""
    conditions = _article_conditions(filters, "m")
    if filters.initiatives:
        conditions.append(_FIGURE_INITIATIVES)
    if filters.event_years is not None:
        conditions.append(_FIGURE_YEARS)
    if filters.confidence_floor:
        conditions.append(_FIGURE_CONFIDENCE)
    return conditions


def _all(conditions: list[str]) -> str:
    return " AND ".join("(" + c + ")" for c in conditions) if conditions else "true"


def _narrowed(filters: Filters) -> bool:
    """Whether the articles in view are fewer than all articles (some filter is set)."""
    return not filters.is_empty


_VIEW_CTES = {
    "events_in_view": "(SELECT e.* FROM facet_events AS e WHERE {events})",
    "articles_in_view": "(SELECT a.* FROM facet_articles AS a WHERE {articles})",
    "memberships_in_view": "(SELECT m.* FROM facet_memberships AS m WHERE {memberships})",
    # rows of the themes shown only: with a theme filter the theme charts show those themes
    # (and the themes-by-initiative chart the chosen initiatives)
    "article_themes_in_view": "(SELECT t.* FROM facet_article_themes AS t WHERE {themed})",
    "initiative_themes_in_view": """(
        SELECT t.* FROM facet_initiative_themes AS t WHERE {themed} AND {named}
    )""",
}
_REPORTING = "a.article_no IN (SELECT article_no FROM events_in_view)"
_REPORTING_YEARS = "a.event_years & $event_years_mask <> 0"
_THEMED_IN_VIEW = "t.article_no IN (SELECT article_no FROM articles_in_view)"
_SHOWN_THEMES = "list_contains($theme_nos, t.theme_no)"
_SHOWN_INITIATIVES = "list_contains($initiative_nos, t.initiative_no)"


def _view_ctes(filters: Filters, years_masked: bool = False) -> dict[str, str]:
    """The in-view CTEs for `filters`, with the conditions of the filters that are set only.

    `years_masked`: an article reports an event in view when its `event_years` mask meets
    `$event_years_mask` (exact when event years are the only fact filter and the mask covers
    every event year), instead of a join with the events in view.
    """
    articles = _article_conditions(filters)
    if filters.filters_facts:
        articles.append(_REPORTING_YEARS if years_masked else _REPORTING)
    fragments = {
        "events": _all(_event_conditions(filters)),
        "articles": _all(articles),
        "memberships": _all(_membership_conditions(filters)),
        "themed": _all(([_THEMED_IN_VIEW] if _narrowed(filters) else [])
                       + ([_SHOWN_THEMES] if filters.themes else [])),
        "named": _SHOWN_INITIATIVES if filters.initiatives else "true",
    }
    return {name: _fill(cte, **fragments) for name, cte in _VIEW_CTES.items()}


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


def _parameters(con: Connection, filters: Filters) -> dict[str, Any]:
    """The filter parameters, with the bit masks of the chosen themes, initiatives and years.

    The masks are looked up first and bound as values, so each facet scan tests them itself
    (a mask computed inside the statement would be joined to every row). `event_years_mask`
    (the event-year range as bits of `facet_articles.event_years`) is set only when event
    years are the only fact filter and the masks are exact.
    """
    params = filter_parameters(filters)
    if filters.themes or filters.initiatives:
        sql = _statement(con, {}, _MASKS)
        masks = _run(con, sql, params).iloc[0]
        params["theme_mask"] = int(masks["theme_mask"])
        params["initiative_mask"] = int(masks["initiative_mask"])
        params["theme_nos"] = [int(n) for n in masks["theme_nos"]]
        params["initiative_nos"] = [int(n) for n in masks["initiative_nos"]]
    if filters.event_years is not None and not filters.event_types and not filters.initiatives \
            and not filters.confidence_floor:
        years = _run(con, _statement(con, {}, _EVENT_YEARS_BASE), {}).iloc[0]
        if bool(years["exact"]) and not pd.isna(years["base"]):
            base = int(years["base"])
            low = max(filters.event_years[0], base) - base
            high = min(filters.event_years[1], base + 126) - base
            params["event_years_mask"] = ((1 << (high + 1)) - (1 << low)) if high >= low else 0
    return params


def _in_view(con: Connection, filters: Filters, body: str, **extra: Any) -> pd.DataFrame:
    """Run `body` with the in-view CTEs it reads for `filters`, the filter values bound."""
    params = _parameters(con, filters)
    sql = _statement(con, _view_ctes(filters, "event_years_mask" in params), body)
    return _run(con, sql, {**params, **extra})


# --- reference lists and warehouse facts (not filtered) ------------------------------------


def warehouse_info(con: Connection) -> pd.DataFrame:
    """The `warehouse_info` key/value pairs (build_id, built_at, schema_version, ...)."""
    return _frame(con, "SELECT key, value FROM warehouse_info ORDER BY key")


def build_summary(con: Connection) -> pd.DataFrame:
    """One row on the current build: when, its id, and what the last ETL run loaded or refused."""
    sql = """
    WITH info AS (
        SELECT max(value) FILTER (WHERE key = 'build_id') AS build_id,
               max(value) FILTER (WHERE key = 'built_at') AS built_at
        FROM warehouse_info
    ),
    corpus AS (
        SELECT count(*) AS articles,
               min(published) AS first_published,
               arg_min(published_precision, published) AS first_precision,
               max(published) AS last_published,
               arg_max(published_precision, published) AS last_precision,
               count(*) FILTER (WHERE published IS NULL) AS undated_articles
        FROM articles
    )
    SELECT info.build_id, info.built_at, r.files_seen, r.articles_loaded, r.duplicates,
           r.files_failed, corpus.*
    FROM info CROSS JOIN corpus
    LEFT JOIN etl_runs AS r ON r.run_id = info.build_id
    """
    return _frame(con, sql)


def initiative_list(con: Connection) -> pd.DataFrame:
    """Every initiative of the gazetteer, with its display label (acronym or name)."""
    sql = """
    SELECT initiative_id, name, acronym, category, description,
           coalesce(acronym, name) AS label
    FROM initiatives
    ORDER BY initiative_id
    """
    return _frame(con, sql)


def initiative_colour_order(con: Connection) -> pd.DataFrame:
    """Every initiative, most mentioned in the whole warehouse first (for colour assignment)."""
    sql = """
    SELECT i.initiative_id
    FROM initiatives i
    LEFT JOIN (SELECT initiative_id, count(*) AS n FROM mentions GROUP BY initiative_id) m
        USING (initiative_id)
    ORDER BY coalesce(m.n, 0) DESC, i.initiative_id
    """
    return _frame(con, sql)


def theme_list(con: Connection) -> pd.DataFrame:
    """Every theme of the taxonomy with its label."""
    return _frame(con, "SELECT theme, label, description FROM themes ORDER BY theme")


def event_type_list(con: Connection) -> pd.DataFrame:
    """Event types present in the warehouse, with how many events each has."""
    sql = """
    SELECT event_type, count(*) AS events
    FROM events GROUP BY event_type ORDER BY event_type
    """
    return _frame(con, sql)


def outlet_list(con: Connection) -> pd.DataFrame:
    """Outlets with their article counts (articles without an outlet are not an option)."""
    sql = """
    SELECT outlet, count(*) AS articles
    FROM articles WHERE outlet IS NOT NULL
    GROUP BY outlet ORDER BY outlet
    """
    return _frame(con, sql)


def year_bounds(con: Connection) -> pd.DataFrame:
    """The year ranges the sliders span: of events (spans included) and of publication dates."""
    sql = """
    SELECT
        (SELECT min(year) FROM events) AS event_min,
        (SELECT max(greatest(year, coalesce(end_year, year))) FROM events) AS event_max,
        (SELECT min(year(published)) FROM articles) AS published_min,
        (SELECT max(year(published)) FROM articles) AS published_max
    """
    return _frame(con, sql)


# --- Overview --------------------------------------------------------------------------------


@uses_facets("facet_articles", "facet_events", "facet_initiatives")
def headline_figures(con: Connection, filters: Filters) -> pd.DataFrame:
    """One row: articles, initiatives named, dated events, their year span, article dates.

    Initiatives named: those mentioned in the articles in view (with an initiative filter,
    only the chosen ones), counted as the bits of the articles' initiative masks.
    """
    named = "a.named & $initiative_mask" if filters.initiatives else "a.named"
    body = _fill("""
    SELECT a.articles, a.first_published, a.last_published, a.last_published_precision,
           a.words, e.events, e.first_event_year, e.last_event_year,
           bit_count({named})::INTEGER AS initiatives
    FROM (SELECT count(*) AS articles, min(published) AS first_published,
                 max(published) AS last_published,
                 arg_max(published_precision, published) AS last_published_precision,
                 coalesce(sum(word_count), 0)::BIGINT AS words,
                 coalesce(bit_or(initiative_mask), 0::HUGEINT) AS named
          FROM articles_in_view) AS a,
         (SELECT count(*) AS events, min(year) AS first_event_year,
                 max(coalesce(end_year, year)) AS last_event_year
          FROM events_in_view) AS e
    """, named=named)
    return _in_view(con, filters, body)


@uses_facets("facet_events", "facet_initiatives")
def events_per_year(con: Connection, filters: Filters) -> pd.DataFrame:
    """Dated events per start year and initiative (the Overview's compact timeline)."""
    body = """
    , counted AS (
        SELECT year, initiative_no, count(*) AS events FROM events_in_view
        GROUP BY year, initiative_no
    )
    SELECT c.year, i.initiative_id, i.label AS initiative_label, c.events
    FROM counted AS c JOIN facet_initiatives AS i USING (initiative_no)
    ORDER BY c.year, i.initiative_id
    """
    return _in_view(con, filters, body)


@uses_facets("facet_articles", "facet_events")
def source_summary(con: Connection, filters: Filters) -> pd.DataFrame:
    """The articles in view by outlet (for a chart's source line: 'N articles from ...')."""
    body = """
    SELECT coalesce(outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM articles_in_view
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """
    return _in_view(con, filters, body)


@uses_facets("facet_articles")
def candidate_initiatives(con: Connection, filters: Filters, names: int,
                          per_name: int) -> pd.DataFrame:
    """Possible new initiatives named in the articles in view, with their evidence.

    One row per sentence (at most `per_name` per name, newest articles first) of the `names`
    names seen in most articles. Every row repeats its name's summary: `name` (the most
    frequent spelling, the first alphabetically on a tie), `relations`, `sentences`,
    `articles`, `first_seen`, `last_seen`.
    """
    body = """
    , found AS MATERIALIZED (
        SELECT c.name_key, c.surface, c.relation, c.sentence_no, c.article_id, a.article_no,
               a.title, a.outlet, a.url, a.published, a.published_precision
        FROM candidate_initiatives AS c
        JOIN articles_in_view AS a USING (article_id)
    ),
    spelled AS (
        SELECT name_key, surface, count(*) AS n FROM found GROUP BY name_key, surface
    ),
    named AS MATERIALIZED (
        SELECT f.name_key, any_value(w.name) AS name,
               list_sort(list(DISTINCT f.relation)) AS relations, count(*) AS sentences,
               count(DISTINCT f.article_id) AS articles, min(f.published) AS first_seen,
               max(f.published) AS last_seen
        FROM found AS f
        JOIN (SELECT name_key, first(surface ORDER BY n DESC, surface) AS name
              FROM spelled GROUP BY name_key) AS w USING (name_key)
        GROUP BY f.name_key
        ORDER BY articles DESC, sentences DESC, f.name_key
        LIMIT $names
    ),
    shown AS (
        SELECT f.*, row_number() OVER (PARTITION BY f.name_key
                                       ORDER BY f.article_no, f.sentence_no) AS n
        FROM found AS f SEMI JOIN named USING (name_key)
        QUALIFY n <= $per_name
    )
    SELECT k.name_key, k.name, k.relations, k.sentences, k.articles, k.first_seen,
           k.last_seen, f.surface, f.relation, f.article_id, f.sentence_no, s.text AS sentence,
           f.title, f.outlet, f.url, f.published, f.published_precision
    FROM named AS k
    JOIN shown AS f USING (name_key)
    JOIN sentences AS s ON s.article_id = f.article_id AND s.sentence_no = f.sentence_no
    ORDER BY k.articles DESC, k.sentences DESC, k.name_key, f.n
    """
    return _in_view(con, filters, body, names=names, per_name=per_name)


# --- Timeline --------------------------------------------------------------------------------


@uses_facets("facet_events", "facet_articles")
def event_sources(con: Connection, filters: Filters) -> pd.DataFrame:
    """The articles reporting the events in view, by outlet (the timeline's source line)."""
    body = """
    , reporting AS (SELECT DISTINCT article_no FROM events_in_view)
    SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM facet_articles AS a SEMI JOIN reporting AS r USING (article_no)
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """
    return _in_view(con, filters, body)



@uses_facets("facet_events", "facet_articles", "facet_initiatives")
def timeline_cells(con: Connection, filters: Filters) -> pd.DataFrame:
    """Dated events in view counted per initiative, event type and start year: the timeline.

    One row per cell: `events` and `articles` count what it stands for; `first_date` and
    `last_date` are the earliest and latest marker dates of its events (partial dates sit
    mid-month or mid-year), `span_start`/`span_end` the extent of its spans (plan periods,
    terms), NULL when none has an end. Every cell cites one sentence, with its article: the
    event's own when the cell holds one (`event_id` is then set, and `month`, `day`,
    `end_*`, `date_text` are the event's), else an example from the newest article
    (`example_event_id`), so a chart's CSV and briefing still quote the text.
    """
    body = """
    , cells AS MATERIALIZED (
        SELECT initiative_no, type_no, year, any_value(event_type) AS event_type,
               count(*) AS events, count(*) FILTER (WHERE first_of_article) AS articles,
               min(marker_date) AS first_date, max(marker_date) AS last_date,
               min(span_start) FILTER (WHERE span_end IS NOT NULL) AS span_start,
               max(span_end) AS span_end, min(event_no) AS example_no
        FROM events_in_view
        GROUP BY initiative_no, type_no, year
    ),
    example AS MATERIALIZED (
        SELECT f.event_no, f.event_id, f.article_no FROM facet_events AS f
        SEMI JOIN cells AS c ON c.example_no = f.event_no
    ),
    sentence AS (
        SELECT e.* FROM events AS e SEMI JOIN example AS x ON x.event_id = e.event_id
    ),
    article AS (
        SELECT a.* FROM facet_articles AS a SEMI JOIN example AS x ON x.article_no = a.article_no
    )
    SELECT i.initiative_id, i.name AS initiative_name, i.label AS initiative_label,
           i.category, c.event_type, c.year, c.events, c.articles, c.first_date, c.last_date,
           c.span_start, c.span_end, x.event_id AS example_event_id,
           CASE WHEN c.events = 1 THEN x.event_id END AS event_id,
           CASE WHEN c.events = 1 THEN e.month END AS month,
           CASE WHEN c.events = 1 THEN e.day END AS day,
           CASE WHEN c.events = 1 THEN e.end_year END AS end_year,
           CASE WHEN c.events = 1 THEN e.end_month END AS end_month,
           CASE WHEN c.events = 1 THEN e.end_day END AS end_day,
           CASE WHEN c.events = 1 THEN e.date_text END AS date_text,
           e.sentence, e.sentence_no, e.article_id,
           a.title, a.outlet, a.published, a.published_precision, a.url
    FROM cells AS c
    JOIN example AS x ON x.event_no = c.example_no
    JOIN facet_initiatives AS i ON i.initiative_no = c.initiative_no
    JOIN sentence AS e ON e.event_id = x.event_id
    JOIN article AS a ON a.article_no = x.article_no
    ORDER BY i.initiative_id, c.event_type, c.year
    """
    return _in_view(con, filters, body)


@uses_facets("facet_events", "facet_articles", "facet_initiatives")
def cell_events(con: Connection, filters: Filters, initiative_id: str, event_type: str,
                year: int, limit: int, offset: int = 0) -> pd.DataFrame:
    """One page of the events in view behind a timeline cell, newest article first.

    Each row has the event's sentence, dates and article (the evidence panel); `total` is the
    number of events in the cell.
    """
    body = """
    , cell AS MATERIALIZED (
        SELECT * FROM events_in_view
        WHERE initiative_id = $initiative_id AND event_type = $event_type AND year = $year
    ),
    totals AS (
        SELECT count(*) AS total, count(*) FILTER (WHERE first_of_article) AS articles
        FROM cell
    ),
    page AS MATERIALIZED (
        SELECT event_no, event_id, article_no FROM cell
        ORDER BY event_no
        LIMIT $limit OFFSET $offset
    ),
    sentence AS (SELECT e.* FROM events AS e SEMI JOIN page AS p USING (event_id)),
    article AS (SELECT a.* FROM facet_articles AS a SEMI JOIN page AS p USING (article_no))
    SELECT t.total, t.articles, e.event_id, e.initiative_id, i.name AS initiative_name,
           e.event_type, e.year, e.month, e.day, e.end_year, e.end_month, e.end_day,
           e.date_text, e.date_basis, e.sentence, e.sentence_no, e.article_id,
           {event_explained},
           a.title, a.outlet, a.url, a.published, a.published_precision
    FROM page AS p
    CROSS JOIN totals AS t
    JOIN sentence AS e USING (event_id)
    JOIN article AS a ON a.article_no = p.article_no
    JOIN facet_initiatives AS i ON i.initiative_id = e.initiative_id
    {event_scale}
    ORDER BY p.event_no
    """
    body = _fill(body, event_explained=_EVENT_EXPLAINED, event_scale=_EVENT_SCALE)
    return _in_view(con, filters, body, initiative_id=initiative_id, event_type=event_type,
                    year=year, limit=limit, offset=offset)


# How a fact was read, for the evidence panel: its rule, confidence and the sentence naming
# its initiative, with the words `evidence_scale` gives for its rule and date basis.
def _explained(alias: str) -> str:
    """The evidence columns of the fact table aliased `alias` (rl/dl: `_evidence_scale`)."""
    return f"""{alias}.rule, {alias}.confidence, {alias}.initiative_sentence_no,
           rl.label AS rule_label, rl.weight AS rule_weight,
           dl.label AS date_label, dl.weight AS date_weight"""


def _evidence_scale(alias: str, rule_aspect: str, basis_column: str) -> str:
    """Joins of `evidence_scale` giving the words for a fact's rule and date basis."""
    return f"""LEFT JOIN evidence_scale AS rl
           ON rl.aspect = '{rule_aspect}' AND rl.value = {alias}.rule
    LEFT JOIN evidence_scale AS dl
           ON dl.aspect = 'date_basis' AND dl.value = {alias}.{basis_column}"""


_EVENT_EXPLAINED = _explained("e")
_EVENT_SCALE = _evidence_scale("e", "event_rule", "date_basis")
_FIGURE_EXPLAINED = _explained("m")
_FIGURE_SCALE = _evidence_scale("m", "membership_rule", "year_basis")


def event_evidence(con: Connection, event_id: str) -> pd.DataFrame:
    """One event with its full source sentence and the article it came from (the evidence panel)."""
    sql = """
    SELECT e.event_id, e.initiative_id, i.name AS initiative_name, e.event_type,
           e.year, e.month, e.day, e.end_year, e.end_month, e.end_day, e.date_text, e.date_basis,
           e.sentence, e.sentence_no, e.article_id, {event_explained},
           a.title, a.outlet, a.author, a.url, a.published, a.published_precision
    FROM events AS e
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    {event_scale}
    WHERE e.event_id = $event_id
    """
    sql = _fill(sql, event_explained=_EVENT_EXPLAINED, event_scale=_EVENT_SCALE)
    return _frame(con, sql, {"event_id": event_id})


# --- Membership ------------------------------------------------------------------------------


@uses_facets("facet_memberships", "facet_initiatives")
def membership_organisations(con: Connection, filters: Filters) -> pd.DataFrame:
    """Organisations with membership figures in view or a reference series, and their kinds.

    One row per (organisation, kind); `figures` counts the reported figures in view and
    `reference_years` the confirmed years of a reference series (member states only).
    """
    body = """
    , reported AS (
        SELECT initiative_id, kind, count(*) AS figures
        FROM memberships_in_view GROUP BY ALL
    ),
    referenced AS (
        SELECT initiative_id, 'member_states' AS kind, count(member_count) AS reference_years
        FROM membership_reference
        WHERE len($initiatives) = 0 OR list_contains($initiatives, initiative_id)
        GROUP BY ALL
    )
    SELECT o.initiative_id, i.name AS initiative_name, i.label AS initiative_label, o.kind,
           coalesce(r.figures, 0) AS figures, coalesce(f.reference_years, 0) AS reference_years
    FROM (SELECT initiative_id, kind FROM reported
          UNION SELECT initiative_id, kind FROM referenced) AS o
    JOIN facet_initiatives AS i USING (initiative_id)
    LEFT JOIN reported AS r USING (initiative_id, kind)
    LEFT JOIN referenced AS f USING (initiative_id, kind)
    ORDER BY o.initiative_id, o.kind
    """
    return _in_view(con, filters, body)


@uses_facets("facet_memberships", "facet_articles")
def membership_points(con: Connection, filters: Filters, initiative_id: str,
                      kind: str) -> pd.DataFrame:
    """Dated figures reported for one organisation and kind, one row per (year, count).

    `reports` and `articles` count the sentences and articles giving that count for that
    year. Every row cites one sentence with its article: the figure's own when there is one
    report (`membership_id` is then set, and `count_text`, `year_basis` are its), else one from
    the newest article (`example_id`). `reference_count` is the reference series' figure for
    the year (NULL where it has none or says 'unconfirmed').
    """
    body = """
    , points AS MATERIALIZED (
        SELECT year, count, count(*) AS reports,
               count(*) FILTER (WHERE first_of_article) AS articles,
               min(figure_no) AS example_no
        FROM memberships_in_view
        WHERE initiative_id = $initiative_id AND kind = $kind AND year IS NOT NULL
        GROUP BY year, count
    ),
    example AS MATERIALIZED (
        SELECT f.figure_no, f.membership_id, f.article_no FROM facet_memberships AS f
        SEMI JOIN points AS p ON p.example_no = f.figure_no
    ),
    sentence AS (
        SELECT m.* FROM memberships AS m
        SEMI JOIN example AS x ON x.membership_id = m.membership_id
    ),
    article AS (
        SELECT a.* FROM facet_articles AS a SEMI JOIN example AS x ON x.article_no = a.article_no
    )
    SELECT p.year, p.count, p.reports, p.articles, x.membership_id AS example_id,
           CASE WHEN p.reports = 1 THEN x.membership_id END AS membership_id,
           $initiative_id AS initiative_id, $kind AS kind,
           CASE WHEN p.reports = 1 THEN m.count_text END AS count_text,
           CASE WHEN p.reports = 1 THEN m.year_basis END AS year_basis,
           m.sentence, m.sentence_no, m.article_id,
           a.title, a.outlet, a.published, a.published_precision, a.url,
           r.member_count AS reference_count, r.confirmed AS reference_confirmed
    FROM points AS p
    JOIN example AS x ON x.figure_no = p.example_no
    JOIN sentence AS m ON m.membership_id = x.membership_id
    JOIN article AS a ON a.article_no = x.article_no
    LEFT JOIN membership_reference AS r
           ON r.initiative_id = $initiative_id AND r.year = p.year AND $kind = 'member_states'
    ORDER BY p.year, p.count
    """
    return _in_view(con, filters, body, initiative_id=initiative_id, kind=kind)


@uses_facets("facet_memberships", "facet_articles")
def figure_sources(con: Connection, filters: Filters, initiative_id: str, kind: str
                   ) -> pd.DataFrame:
    """The articles reporting figures in view of one organisation and kind, by outlet."""
    body = """
    , reporting AS (
        SELECT DISTINCT article_no FROM memberships_in_view
        WHERE initiative_id = $initiative_id AND kind = $kind
    )
    SELECT coalesce(a.outlet, 'unknown outlet') AS outlet, count(*) AS articles
    FROM facet_articles AS a SEMI JOIN reporting AS r USING (article_no)
    GROUP BY ALL
    ORDER BY articles DESC, outlet
    """
    return _in_view(con, filters, body, initiative_id=initiative_id, kind=kind)


@uses_facets("facet_memberships", "facet_articles")
def point_reports(con: Connection, filters: Filters, initiative_id: str, kind: str,
                  year: int | None, count: int | None, limit: int, offset: int = 0
                  ) -> pd.DataFrame:
    """One page of the figures in view behind a membership point, newest article first.

    `year` and `count` choose the point; a None `year` lists the figures without a year (the
    page's table of undated figures) and a None `count` every count. `total` is how many.
    """
    body = """
    , point AS MATERIALIZED (
        SELECT * FROM memberships_in_view
        WHERE initiative_id = $initiative_id AND kind = $kind
          AND (year = $year OR (year IS NULL AND $year IS NULL))
          AND ($count IS NULL OR count = $count)
    ),
    totals AS (
        SELECT count(*) AS total, count(*) FILTER (WHERE first_of_article) AS articles
        FROM point
    ),
    page AS MATERIALIZED (
        SELECT figure_no, membership_id, article_no FROM point
        ORDER BY figure_no
        LIMIT $limit OFFSET $offset
    ),
    sentence AS (SELECT m.* FROM memberships AS m SEMI JOIN page AS p USING (membership_id)),
    article AS (SELECT a.* FROM facet_articles AS a SEMI JOIN page AS p USING (article_no))
    SELECT t.total, t.articles, m.membership_id, m.initiative_id, m.kind, m.count, m.year,
           m.year_basis, m.count_text, m.sentence, m.sentence_no, m.article_id,
           {figure_explained},
           a.title, a.outlet, a.url, a.published, a.published_precision
    FROM page AS p
    CROSS JOIN totals AS t
    JOIN sentence AS m USING (membership_id)
    JOIN article AS a ON a.article_no = p.article_no
    {figure_scale}
    ORDER BY p.figure_no
    """
    body = _fill(body, figure_explained=_FIGURE_EXPLAINED, figure_scale=_FIGURE_SCALE)
    return _in_view(con, filters, body, initiative_id=initiative_id, kind=kind, year=year,
                    count=count, limit=limit, offset=offset)


def membership_reference_series(con: Connection, filters: Filters,
                                initiative_id: str) -> pd.DataFrame:
    """The sourced reference series of one organisation, in the event-year range.

    `member_count` stays NULL for unconfirmed years: the chart shows a gap there, never the
    neighbouring year carried forward.
    """
    sql = """
    SELECT year, member_count, confirmed, new_members, source
    FROM membership_reference
    WHERE initiative_id = $initiative_id
      AND ($event_from IS NULL OR year >= $event_from)
      AND ($event_to IS NULL OR year <= $event_to)
    ORDER BY year
    """
    event_years = filters.event_years or (None, None)
    return _frame(con, sql, {"initiative_id": initiative_id, "event_from": event_years[0],
                             "event_to": event_years[1]})


@uses_facets("facet_events", "facet_articles")
def membership_milestones(con: Connection, filters: Filters, initiative_id: str) -> pd.DataFrame:
    """Summits and accessions of one organisation in view, one row per event type and year.

    `reports` counts the events behind a row and `first_date`/`last_date` bound their marker
    dates; the row cites one sentence (the event's own when there is one report: `event_id`,
    `month` and `day` are then set; else one from the newest article, `example_event_id`).
    """
    body = """
    , marks AS MATERIALIZED (
        SELECT event_type, year, count(*) AS reports, min(marker_date) AS first_date,
               max(marker_date) AS last_date, min(event_no) AS example_no
        FROM events_in_view
        WHERE initiative_id = $initiative_id AND list_contains($milestone_types, event_type)
        GROUP BY event_type, year
    ),
    example AS MATERIALIZED (
        SELECT f.event_no, f.event_id, f.article_no FROM facet_events AS f
        SEMI JOIN marks AS k ON k.example_no = f.event_no
    ),
    sentence AS (
        SELECT e.* FROM events AS e SEMI JOIN example AS x ON x.event_id = e.event_id
    ),
    article AS (
        SELECT a.* FROM facet_articles AS a SEMI JOIN example AS x ON x.article_no = a.article_no
    )
    SELECT $initiative_id AS initiative_id, k.event_type, k.year, k.reports, k.first_date,
           k.last_date, x.event_id AS example_event_id,
           CASE WHEN k.reports = 1 THEN x.event_id END AS event_id,
           CASE WHEN k.reports = 1 THEN e.month END AS month,
           CASE WHEN k.reports = 1 THEN e.day END AS day,
           CASE WHEN k.reports = 1 THEN e.date_text END AS date_text,
           e.sentence, e.article_id, a.title, a.outlet, a.published, a.published_precision,
           a.url
    FROM marks AS k
    JOIN example AS x ON x.event_no = k.example_no
    JOIN sentence AS e ON e.event_id = x.event_id
    JOIN article AS a ON a.article_no = x.article_no
    ORDER BY k.first_date, k.event_type
    """
    return _in_view(con, filters, body, initiative_id=initiative_id,
                    milestone_types=list(MILESTONE_EVENT_TYPES))


def membership_evidence(con: Connection, membership_id: str) -> pd.DataFrame:
    """One reported figure with its full sentence and article (the evidence panel)."""
    sql = """
    SELECT m.membership_id, m.initiative_id, i.name AS initiative_name, m.kind, m.count,
           m.year, m.year_basis, m.count_text, m.sentence, m.sentence_no, m.article_id,
           {figure_explained},
           a.title, a.outlet, a.author, a.url, a.published, a.published_precision
    FROM memberships AS m
    JOIN initiatives AS i USING (initiative_id)
    JOIN articles AS a USING (article_id)
    {figure_scale}
    WHERE m.membership_id = $membership_id
    """
    sql = _fill(sql, figure_explained=_FIGURE_EXPLAINED, figure_scale=_FIGURE_SCALE)
    return _frame(con, sql, {"membership_id": membership_id})


# --- Topics ----------------------------------------------------------------------------------


@uses_facets("facet_article_themes", "facet_articles", "facet_events", "facet_themes")
def theme_frequency(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per theme: keyword hits per 1,000 words of the articles in view, and articles carrying it.

    The rate's denominator is every word of the articles in view, so themes are comparable.
    With a theme filter only the chosen themes are listed.
    """
    body = """
    , words AS (SELECT sum(word_count) AS words FROM articles_in_view),
    counted AS (
        SELECT theme_no, count(*) AS articles, sum(hits)::BIGINT AS hits
        FROM article_themes_in_view WHERE hits > 0
        GROUP BY theme_no
    )
    SELECT th.theme, th.label, c.articles, c.hits,
           1000.0 * c.hits / nullif(w.words, 0) AS per_1000_words
    FROM counted AS c
    JOIN facet_themes AS th USING (theme_no)
    CROSS JOIN words AS w
    WHERE len($themes) = 0 OR list_contains($themes, th.theme)
    ORDER BY per_1000_words DESC, th.theme
    """
    return _in_view(con, filters, body)


@uses_facets("facet_article_themes", "facet_articles", "facet_events", "facet_themes")
def theme_by_year(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per publication year and theme: hits per 1,000 words of that year's articles in view.

    Years with articles but no hit of a theme are present with 0, so the heatmap tells 'not
    covered' from 'no articles that year' (which has no row at all).
    """
    body = """
    , years AS (
        SELECT published_year AS year, sum(word_count) AS words, count(*) AS year_articles
        FROM articles_in_view WHERE published_year IS NOT NULL GROUP BY ALL
    ),
    hits AS (
        SELECT published_year AS year, theme_no, sum(hits)::BIGINT AS hits,
               count(*) AS articles
        FROM article_themes_in_view
        GROUP BY ALL
    ),
    shown_themes AS (
        SELECT th.theme_no, th.theme, th.label FROM facet_themes AS th
        WHERE (len($themes) = 0 OR list_contains($themes, th.theme))
          AND th.theme_no IN (SELECT theme_no FROM hits)
    )
    SELECT y.year::INTEGER AS year, s.theme, s.label, coalesce(h.hits, 0) AS hits,
           coalesce(h.articles, 0) AS articles, y.year_articles,
           1000.0 * coalesce(h.hits, 0) / nullif(y.words, 0) AS per_1000_words
    FROM years AS y CROSS JOIN shown_themes AS s
    LEFT JOIN hits AS h ON h.year = y.year AND h.theme_no = s.theme_no
    ORDER BY y.year, s.theme
    """
    return _in_view(con, filters, body)


@uses_facets("facet_initiative_themes", "facet_articles", "facet_events", "facet_themes",
             "facet_initiatives")
def themes_by_initiative(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per initiative and theme: sentences naming the initiative that carry the theme.

    A theme counts for an initiative only where the same sentence names it (`mentions` joined
    with `sentence_themes` on the sentence, per article in `facet_initiative_themes`).
    `share` is the fraction of the initiative's themed sentences that carry the theme.
    """
    body = """
    , counted AS (
        SELECT initiative_no, theme_no, sum(sentences)::BIGINT AS sentences,
               count(*) AS articles
        FROM initiative_themes_in_view
        GROUP BY initiative_no, theme_no
    )
    SELECT i.initiative_id, i.label AS initiative_label, th.theme, th.label, c.sentences,
           c.articles,
           c.sentences / sum(c.sentences) OVER (PARTITION BY i.initiative_id) AS share
    FROM counted AS c
    JOIN facet_initiatives AS i USING (initiative_no)
    JOIN facet_themes AS th USING (theme_no)
    WHERE (len($initiatives) = 0 OR list_contains($initiatives, i.initiative_id))
      AND (len($themes) = 0 OR list_contains($themes, th.theme))
    ORDER BY i.initiative_id, th.theme
    """
    return _in_view(con, filters, body)


# --- Articles --------------------------------------------------------------------------------


@uses_facets("facet_articles", "facet_events")
def article_count(con: Connection, filters: Filters) -> int:
    """How many articles are in view (for paging the article table)."""
    return int(_in_view(con, filters, "SELECT count(*) AS n FROM articles_in_view")["n"].iloc[0])


@uses_facets("facet_articles", "facet_events")
def article_table(con: Connection, filters: Filters, limit: int, offset: int = 0
                  ) -> pd.DataFrame:
    """One page of the articles in view, newest first, with initiatives and top themes.

    `initiatives` lists the initiative labels the article names, most mentioned first;
    `top_themes` its three most frequent themes.
    """
    body = """
    , page AS MATERIALIZED (
        SELECT article_no FROM articles_in_view ORDER BY article_no LIMIT $limit OFFSET $offset
    )
    SELECT a.article_id, a.title, a.outlet, a.published, a.published_precision, a.word_count,
           a.url, a.source_file, a.initiatives, a.top_themes
    FROM facet_articles AS a SEMI JOIN page AS p USING (article_no)
    ORDER BY a.article_no
    """
    return _in_view(con, filters, body, limit=limit, offset=offset)


def article_text(con: Connection, article_id: str) -> pd.DataFrame:
    """One article's metadata and cleaned text (the reader)."""
    sql = """
    SELECT article_id, title, outlet, author, url, published, published_precision, word_count,
           source_file, text
    FROM articles WHERE article_id = $article_id
    """
    return _frame(con, sql, {"article_id": article_id})


def article_highlights(con: Connection, article_id: str) -> pd.DataFrame:
    """The spans the reader highlights: initiative mentions and dated phrases, by offset.

    `kind` is 'mention' or 'date'; `label` what the span stands for (the initiative, or the
    date read and its role); offsets are code points into `articles.text`, end exclusive.
    """
    sql = """
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
    """
    return _frame(con, sql, {"article_id": article_id})


# --- Disagreements ---------------------------------------------------------------------------

# Disagreements are found across the whole warehouse, so a filter never hides one side of a
# contradiction; the filters choose which disagreements are shown (those with at least one
# claim in view). Two claims disagree only when they come from different articles.
#
# Membership counts change during a year (CICA had 27 members until Kuwait joined on 13 Oct
# 2022, 28 after), and the reference series gives the count at the year's end. So a figure
# for a confirmed reference year 'fits' when it lies between the previous confirmed year's
# count and that year's; two figures that both fit are not a disagreement. Unconfirmed years
# are no evidence either way.
#
# A fact has two claims from different articles with different values exactly when its claims
# come from two or more articles and give two or more values, so the facts are found with
# min/max aggregates. For a membership figure, whether it conflicts with another article only
# matters where it misfits the reference: a value v has a conflicting claim unless every claim
# of another value and every claim of v come from one and the same article, which per-value
# article bounds (min, max) tell. All of that is the same for every view, so it is computed
# once per build (`facet_claims`); a query only tests each claim against the filters (its row
# carries what they test), lists the facts with a claim in view, and takes each side's first
# claims by `claim_no` (the facets' order: newest article first), those in view first.
_CLAIM_IN_VIEW = """CASE WHEN c.topic = 'event_year' THEN {event_in_view}
                    ELSE {figure_in_view} END"""
_ALIASED = re.compile(r"\b[aem]\.")


def _claim_in_view(filters: Filters) -> str:
    """Whether a `facet_claims` row (alias c) is in view: the event or figure filters."""
    def on_claims(conditions: list[str]) -> str:
        return _ALIASED.sub("c.", _all(conditions))
    return _fill(_CLAIM_IN_VIEW, event_in_view=on_claims(_event_conditions(filters)),
                 figure_in_view=on_claims(_membership_conditions(filters)))


def _with_disagreements(con: Connection, body: str, filters: Filters, **extra: Any
                        ) -> pd.DataFrame:
    """Run `body` (which reads `listed`: facts with a claim in view) for `filters`."""
    ctes = {
        "claims_in_view": _fill("""(
            SELECT c.fact_no, c.value, c.claim_row, {in_view} AS in_view
            FROM facet_claims AS c
        )""", in_view=_claim_in_view(filters)),
        "listed": """(
            SELECT fact_no FROM claims_in_view GROUP BY fact_no HAVING bool_or(in_view)
        )""",
    }
    sql = _statement(con, ctes, body)
    return _run(con, sql, {**_parameters(con, filters), **extra})


@uses_facets("facet_claims", "facet_initiatives")
def disagreement_summary(con: Connection, filters: Filters) -> pd.DataFrame:
    """Per initiative: how many facts the sources disagree on, in view (most first).

    `event_years`: once-only events (first held, founded, proposed) given different years by
    different articles; `membership_counts`: membership figures of one kind and year that
    differ between articles or from the confirmed reference series.
    """
    body = """
    , facts AS (
        SELECT DISTINCT c.fact_no, c.topic, c.initiative_id
        FROM facet_claims AS c SEMI JOIN listed USING (fact_no)
    )
    SELECT d.initiative_id, i.name AS initiative_name, i.label AS initiative_label,
           count(*) FILTER (WHERE d.topic = 'event_year') AS event_years,
           count(*) FILTER (WHERE d.topic = 'membership_count') AS membership_counts,
           count(*) AS disagreements
    FROM facts AS d JOIN facet_initiatives AS i USING (initiative_id)
    GROUP BY ALL
    ORDER BY disagreements DESC, d.initiative_id
    """
    return _with_disagreements(con, body, filters)


@uses_facets("facet_claims", "facet_articles", "facet_initiatives")
def disagreement_claims(con: Connection, filters: Filters, per_side: int) -> pd.DataFrame:
    """Every side of every disagreement in view: one row per claim, with sentence and article.

    A disagreement (`disagreement_id`) is one fact: an initiative's once-only event
    (`topic` 'event_year', `fact` the event type) or its count of one kind in one year
    (`topic` 'membership_count', `fact` the kind, `fact_year`). Its sides are the values
    claimed (`value`: a year, or a count); `side_claims` / `side_articles` count each side's
    sentences and articles, of which the first `per_side` are returned (claims in view first,
    then the newest articles). `in_view` tells whether a claim passes the current filters (the
    other side of a contradiction is shown even when the filters leave it out).
    Membership rows carry the confirmed reference figure of their year (`reference_count`;
    `reference_low`..`reference_high` the counts that fit it, from the count
    `reference_previous_count` of the previous confirmed year `reference_previous_year`),
    `fits_reference`, and the fact's verdicts `articles_differ` and
    `reference_differs`.
    """
    body = """
    , shown AS MATERIALIZED (
        SELECT (rank_key & 1099511627775)::INTEGER AS claim_row,
               rank_key < 1099511627776 AS in_view, side_rank
        FROM (
            SELECT unnest(keys) AS rank_key, unnest(range(1, len(keys) + 1)) AS side_rank
            FROM (
                SELECT min((CASE WHEN in_view THEN 0 ELSE 1 END::BIGINT << 40) + claim_row,
                           greatest($per_side, 1)) AS keys
                FROM claims_in_view SEMI JOIN listed USING (fact_no)
                GROUP BY fact_no, value))
        WHERE side_rank <= $per_side
    ),
    rows AS MATERIALIZED (
        -- the facet is sorted by claim_row: the shown rows are read, not the whole facet
        SELECT c.*, s.in_view, s.side_rank
        FROM facet_claims AS c JOIN shown AS s USING (claim_row)
    ),
    event_text AS (
        SELECT e.event_id AS claim_id, e.date_text AS as_written, e.sentence
        FROM events AS e SEMI JOIN rows AS r ON r.claim_id = e.event_id
    ),
    figure_text AS (
        SELECT m.membership_id AS claim_id, m.count_text AS as_written, m.sentence
        FROM memberships AS m SEMI JOIN rows AS r ON r.claim_id = m.membership_id
    ),
    article AS (
        SELECT a.* FROM facet_articles AS a SEMI JOIN rows AS r USING (article_no)
    )
    SELECT r.disagreement_id, r.topic, r.initiative_id, r.fact, r.fact_year, r.value,
           r.claim_id, coalesce(e.as_written, m.as_written) AS as_written, a.article_id,
           r.sentence_no, coalesce(e.sentence, m.sentence) AS sentence, r.in_view,
           r.fits_reference, r.articles_differ, r.reference_differs, r.reference_count,
           r.reference_low, r.reference_high, r.reference_previous_count,
           r.reference_previous_year, r.reference_source, r.reference_notes,
           r.side_claims, r.side_articles, r.side_rank,
           a.title, a.outlet, a.published, a.published_precision, a.url,
           i.name AS initiative_name, i.label AS initiative_label
    FROM rows AS r
    JOIN article AS a ON a.article_no = r.article_no
    JOIN facet_initiatives AS i ON i.initiative_id = r.initiative_id
    LEFT JOIN event_text AS e ON r.topic = 'event_year' AND e.claim_id = r.claim_id
    LEFT JOIN figure_text AS m ON r.topic = 'membership_count' AND m.claim_id = r.claim_id
    ORDER BY r.initiative_id, r.topic, r.fact, r.fact_year, r.value, r.side_rank
    """
    return _with_disagreements(con, body, filters, per_side=per_side)


# --- Briefing pack ---------------------------------------------------------------------------


# Example sentences for a theme are looked for in its newest articles in view only: at most
# this many per theme, so a briefing pack's citations cost the same whatever the corpus size.
THEME_SENTENCE_ARTICLES = 200


@uses_facets("facet_article_themes", "facet_articles", "facet_events", "facet_themes")
def theme_sentences(con: Connection, filters: Filters, per_theme: int) -> pd.DataFrame:
    """Example sentences carrying each theme in view, the sentences a theme chart cites.

    Up to `per_theme` per theme: among the theme's `THEME_SENTENCE_ARTICLES` newest articles
    in view, the sentences matching most of the theme's keywords, then the newest articles.
    With a theme filter only the chosen themes are listed.
    """
    body = """
    , newest AS MATERIALIZED (
        SELECT t.theme_no, unnest(min(t.article_no, $articles)) AS article_no
        FROM article_themes_in_view AS t
        WHERE len($themes) = 0 OR t.theme_no IN (
            SELECT theme_no FROM facet_themes WHERE list_contains($themes, theme))
        GROUP BY t.theme_no
    ),
    candidates AS MATERIALIZED (
        SELECT n.theme_no, th.theme, a.article_no, a.article_id
        FROM newest AS n
        JOIN facet_articles AS a USING (article_no)
        JOIN facet_themes AS th USING (theme_no)
    ),
    keyed AS (
        SELECT c.theme_no, c.article_no, s.sentence_no,
               count(DISTINCT s.keyword) AS keyword_count,
               string_agg(DISTINCT s.keyword, ', ' ORDER BY s.keyword) AS keywords
        FROM sentence_themes AS s
        JOIN candidates AS c ON c.article_id = s.article_id AND c.theme = s.theme
        GROUP BY c.theme_no, c.article_no, s.sentence_no
    ),
    ranked AS MATERIALIZED (
        SELECT *, row_number() OVER (PARTITION BY theme_no
                                     ORDER BY keyword_count DESC, article_no, sentence_no)
                      AS theme_rank
        FROM keyed
        QUALIFY theme_rank <= $per_theme
    ),
    sentence AS (
        SELECT s.* FROM sentences AS s
        SEMI JOIN (SELECT a.article_id, r.sentence_no FROM ranked AS r
                   JOIN facet_articles AS a USING (article_no)) AS k
            USING (article_id, sentence_no)
    )
    SELECT th.theme, th.label, r.keywords, s.text AS sentence, a.article_id, r.sentence_no,
           a.title, a.outlet, a.published, a.published_precision, a.url, r.theme_rank
    FROM ranked AS r
    JOIN facet_themes AS th USING (theme_no)
    JOIN facet_articles AS a USING (article_no)
    JOIN sentence AS s ON s.article_id = a.article_id AND s.sentence_no = r.sentence_no
    ORDER BY th.theme, r.theme_rank
    """
    return _in_view(con, filters, body, per_theme=per_theme, articles=THEME_SENTENCE_ARTICLES)


# --- Search ----------------------------------------------------------------------------------

# BM25F over sentences (docs/search.md). k1 saturates a term's frequency, b normalises the text
# field by sentence length; a query word in the name of an initiative the sentence mentions
# weighs like two occurrences in a sentence of average length (that field is not
# length-normalised: naming one initiative or five, the sentence is about each).
BM25_K1 = 1.2
BM25_B = 0.75
INITIATIVE_FIELD_WEIGHT = 2.0
MAX_PREFIX_TERMS = 50  # 'summit*' stands for at most this many indexed terms, the most common

# A search runs in steps, each one statement (docs/search.md, *Queries*):
# 1. reading: the warehouse cuts the clauses into terms with its own macros and looks them up
#    (`_SEARCH_CLAUSES`, `_SEARCH_TERMS`): term keys, idf weights, which clause is required;
# 2. the hits, over the postings of those term keys only (`_SEARCH_PAGE_*`, `_ONE_*`,
#    `_SEARCH_PER_*`);
# 3. for a page, its 20 sentences, articles and words to mark, read by key (`_SEARCH_DETAILS`).
# Step 2 binds what step 1 found, so it carries no tokenising and plans quickly; step 3
# tokenises only the words of the page's 20 sentences.

# The query's clauses (bound as `$clauses`, a list of structs from `SearchQuery`) cut into
# terms by the warehouse's own `search_tokens` macro, so a query is tokenised exactly as the
# index was. A prefix keeps its last word as typed (lower case, accents stripped, unfolded).
# Each clause is one bit of a mask (the parser keeps at most 60 clauses). MATERIALIZED: the
# macros are bound once, not once per consumer (planning time halves).
_SEARCH_CLAUSES = """
query_clauses AS MATERIALIZED (
    SELECT c.clause_no, c.required, c.negated, c.prefix,
           CASE WHEN c.prefix THEN list_slice(search_words(c.text), -1, -1)
                ELSE search_tokens(c.text) END AS tokens
    FROM (SELECT unnest($clauses::STRUCT(clause_no INTEGER, text VARCHAR, required BOOLEAN,
                                         negated BOOLEAN, prefix BOOLEAN)[]) AS c)
),
clauses AS MATERIALIZED (
    -- clauses with something to look up; several terms in one clause make a phrase
    SELECT clause_no, required, negated, NOT prefix AND len(tokens) > 1 AS phrase,
           len(tokens) AS phrase_length, CAST(1 AS BIGINT) << (clause_no - 1) AS bit
    FROM query_clauses
    WHERE len(tokens) > 0
),
clause_terms AS MATERIALIZED (
    -- (clause, term, place in the phrase); a prefix expands to the commonest matching terms
    SELECT clause_no, unnest(tokens) AS term, unnest(range(1, len(tokens) + 1)) AS idx
    FROM query_clauses
    WHERE NOT prefix
    UNION ALL
    SELECT clause_no, term, 1 AS idx
    FROM (
        SELECT q.clause_no, t.term,
               row_number() OVER (PARTITION BY q.clause_no
                                  ORDER BY t.sentences DESC, t.term) AS expansion
        FROM query_clauses AS q JOIN search_terms AS t ON starts_with(t.term, q.tokens[1])
        WHERE q.prefix AND len(q.tokens) > 0
    )
    WHERE expansion <= $max_prefix_terms
)
"""

# How the warehouse reads each clause (after "WITH" and the clauses).
_SEARCH_READING = """
SELECT q.clause_no,
       coalesce(list(ct.term ORDER BY ct.idx, t.sentences DESC NULLS LAST, ct.term)
                FILTER (WHERE ct.term IS NOT NULL), []) AS terms,
       coalesce(list(coalesce(t.sentences, 0)
                     ORDER BY ct.idx, t.sentences DESC NULLS LAST, ct.term)
                FILTER (WHERE ct.term IS NOT NULL), []) AS sentences
FROM query_clauses AS q
LEFT JOIN clause_terms AS ct USING (clause_no)
LEFT JOIN search_terms AS t USING (term)
GROUP BY q.clause_no
ORDER BY q.clause_no
"""

# Step 1 for the hits: one row per clause that has terms to look up, with each of its indexed
# terms (none: NULL term_key). A term's idf is shared among the wanted clauses that hold it,
# so it counts once (`first_use` marks one of them, for counting terms); excluded terms weigh
# nothing.
_SEARCH_TERMS = """
SELECT c.clause_no, c.required AND NOT c.negated AS required, c.negated, c.phrase,
       c.phrase_length, c.bit, ct.idx, ct.term, t.term_key, t.sentences,
       NOT c.negated AND row_number() OVER (PARTITION BY ct.term
                                            ORDER BY c.negated, ct.clause_no) = 1
           AS first_use,
       CASE WHEN c.negated THEN 0.0
            ELSE ln(1 + (st.sentences - t.sentences + 0.5) / (t.sentences + 0.5))
                 / sum(CASE WHEN c.negated THEN 0 ELSE 1 END) OVER (PARTITION BY ct.term)
       END AS weight,
       st.avg_length
FROM clauses AS c
LEFT JOIN (clause_terms AS ct JOIN search_terms AS t USING (term)) USING (clause_no)
CROSS JOIN search_stats AS st
ORDER BY c.clause_no, ct.idx, t.term_key
"""

_TERM_STRUCT = ("STRUCT(clause_no INTEGER, bit BIGINT, idx INTEGER, phrase BOOLEAN, "
                "phrase_length INTEGER, negated BOOLEAN, term_key UBIGINT, first_use BOOLEAN, "
                "weight DOUBLE)[]")

# The articles in view, as keys (only the filters that are set are written in, so an unset
# filter costs nothing): the shared filters' meaning (docs/dashboard.md), over the warehouse's
# tables. An article passes the article filters (publication years, outlets, carries one of
# the themes, mentions one of the initiatives) and, when event years or types are set,
# reports an event that matches them (of one of the initiatives, when those are set too).
_IN_VIEW_CONDITIONS = {
    "published_from": "year(a.published) >= $published_from",
    "published_to": "year(a.published) <= $published_to",
    "outlets": "list_contains($outlets, a.outlet)",
    "themes": """a.article_id IN (SELECT t.article_id FROM article_themes AS t
                              WHERE list_contains($themes, t.theme))""",
    "initiatives": """a.article_id IN (SELECT m.article_id FROM mentions AS m
                                   WHERE list_contains($initiatives, m.initiative_id))""",
}
_EVENT_CONDITIONS = {
    "initiatives": "list_contains($initiatives, e.initiative_id)",
    "event_types": "list_contains($event_types, e.event_type)",
    "event_from": "coalesce(e.end_year, e.year) >= $event_from",
    "event_to": "e.year <= $event_to",
    "confidence_floor": "e.confidence >= $confidence_floor",
}


def _search_in_view(filters: Filters) -> tuple[str, dict[str, Any]]:
    """The `keys_in_view` CTE for `filters` (set), and the parameters it binds."""
    values = {name: value for name, value in filter_parameters(filters).items()
              if value not in (None, [], False)}
    conditions = [sql for name, sql in _IN_VIEW_CONDITIONS.items() if name in values]
    if filters.filters_facts:
        events = [sql for name, sql in _EVENT_CONDITIONS.items() if name in values]
        conditions.append("a.article_id IN (SELECT e.article_id FROM events AS e WHERE "  # noqa: S608
                          + " AND ".join(events) + ")")
    used = {name: value for name, value in values.items() if f"${name}" in " ".join(conditions)}
    sql = ("keys_in_view AS (\n    SELECT k.article_key\n"  # noqa: S608
           "    FROM search_articles AS k JOIN articles AS a USING (article_id)\n    WHERE "
           + "\n      AND ".join(conditions or ["true"]) + "\n),")
    return sql, used


# The postings of the query's terms (`$terms`): of the articles in view when a filter is set,
# and of the sentences that can meet the query's most selective required clause, when that
# narrows them much (`restrict`).
_SEARCH_POSTINGS = _fill("""
query_terms AS (
    SELECT unnest($terms::{term_struct}, recursive := true)
),
postings AS NOT MATERIALIZED (
    SELECT q.clause_no, q.bit, q.idx, q.phrase, q.phrase_length, q.negated, q.first_use,
           q.weight, p.article_key, p.sentence_no, p.tf, p.initiative_tf, p.sentence_length
    FROM query_terms AS q
    JOIN search_postings AS p USING (term_key)@RESTRICT@
    WHERE true@IN_VIEW@
)""", term_struct=_TERM_STRUCT)
_POSTINGS_IN_VIEW = "\n      AND p.article_key IN (SELECT article_key FROM keys_in_view)"
_POSTINGS_RESTRICTED = "\n    SEMI JOIN restrict AS r USING (article_key, sentence_no)"
_RESTRICT_TO_TERMS = """
restrict AS (
    SELECT article_key, sentence_no FROM search_postings
    WHERE term_key IN (SELECT unnest($restrict_keys::UBIGINT[]))
),"""
_RESTRICT_TO_PHRASE = """
restrict AS (
    SELECT article_key, sentence_no FROM phrase_hits WHERE clause_no = $restrict_clause
),"""

# A term's BM25F weight in one sentence: `x` is its frequency in the text field normalised by
# the sentence's length, plus the initiative field's (not normalised), weighted.
_BM25F_X = ("tf / (1 - $b + $b * sentence_length / $avg_length) "
            "+ $initiative_weight * initiative_tf")
_BM25F = _fill("weight * ({x}) * ($k1 + 1) / ({x} + $k1)", x=_BM25F_X)

# Step 2 for a page, in general: the postings aggregated per sentence in one pass (the score,
# and a bit mask of the clauses met, phrases from `phrase_hits`), and the sentences kept that
# meet every required clause, no excluded one and at least one wanted one. The score is
# rounded so that equal scores tie exactly, whatever order the sum was taken in.
_SEARCH_PAGE_GENERAL = _fill("""
, sentence_matches AS (
    SELECT article_key, sentence_no,
           coalesce(bit_or(bit) FILTER (WHERE NOT phrase), 0) AS met,
           sum({bm25f}) AS score,
           count(*) FILTER (WHERE first_use) AS terms_matched
    FROM postings
    GROUP BY article_key, sentence_no
),
phrase_sentences AS (
    SELECT article_key, sentence_no, bit_or(bit) AS met
    FROM phrase_hits
    GROUP BY article_key, sentence_no
),
hits AS (
    SELECT s.article_key, s.sentence_no, round(s.score, 9) AS score, s.terms_matched
    FROM sentence_matches AS s
    LEFT JOIN phrase_sentences AS ph USING (article_key, sentence_no)
    WHERE ((s.met | coalesce(ph.met, 0)) & $required_mask) = $required_mask
      AND ((s.met | coalesce(ph.met, 0)) & $negated_mask) = 0
      AND ((s.met | coalesce(ph.met, 0)) & $wanted_mask) <> 0
)
""", bm25f=_BM25F)

# Step 2 when one indexed term is wanted (not in a phrase), whatever single words are excluded:
# every posting of it is a hit unless its sentence holds an excluded term. No aggregation, and
# the term's postings are read by key.
_ONE_TERM_HITS = _fill("""
one_term AS (
    SELECT p.article_key, p.sentence_no, p.tf, p.initiative_tf, p.sentence_length
    FROM search_postings AS p
    WHERE p.term_key = $term_key::UBIGINT@IN_VIEW@
),
hits AS (
    SELECT article_key, sentence_no,
           round($weight * ({x}) * ($k1 + 1) / ({x} + $k1), 9) AS score,
           1 AS terms_matched
    FROM one_term@EXCLUDED@
)
""", x=_BM25F_X)

# Step 2 when the only wanted clause is a phrase (and excluded clauses are single words): its
# hits are the sentences where it stands, scored from the joined postings of its terms.
_ONE_PHRASE_HITS = """
hits AS (
    SELECT article_key, sentence_no, score, terms_matched
    FROM (@PHRASE@)@EXCLUDED@
)
"""

# ... less the sentences holding an excluded word (only written in when there is one).
_EXCLUDED = """
    ANTI JOIN (SELECT article_key, sentence_no FROM search_postings
               WHERE term_key IN (SELECT unnest($excluded::UBIGINT[])))
         USING (article_key, sentence_no)"""

_SEARCH_PAGE_TOP = """
, ranked AS (
    SELECT article_key, sentence_no, score, terms_matched
    FROM hits
    ORDER BY score DESC, article_key, sentence_no
    LIMIT $limit OFFSET $offset
)
SELECT k.article_id, r.article_key, r.sentence_no, r.score, r.terms_matched
FROM ranked AS r JOIN search_articles AS k USING (article_key)
ORDER BY r.score DESC, r.article_key, r.sentence_no
"""

# Step 2 for the chart, in general: which sentences meet which clause, as one 63-bit mask per
# clause and chunk of 63 of an article's sentences (sentence_no // 63); the masks of a chunk's
# clauses combine (every required, no excluded, a wanted one) into its hits, counted per
# article. Aggregating per article rather than per sentence keeps the work small for common
# words.
_SEARCH_PER_ARTICLE_GENERAL = """
, met AS (
    SELECT article_key, sentence_no, clause_no, negated FROM postings WHERE NOT phrase
    UNION ALL
    SELECT article_key, sentence_no, clause_no, false FROM phrase_hits
),
clause_chunks AS (
    SELECT article_key, sentence_no // 63 AS chunk, clause_no,
           any_value(negated) AS negated,
           bit_or(CAST(1 AS BIGINT) << (sentence_no % 63)) AS sentences
    FROM met
    GROUP BY article_key, sentence_no // 63, clause_no
),
chunks AS (
    SELECT article_key, chunk,
           count(*) FILTER (WHERE list_contains($required_clauses, clause_no)) AS required_met,
           bit_and(sentences) FILTER (WHERE list_contains($required_clauses, clause_no))
               AS required_sentences,
           coalesce(bit_or(sentences) FILTER (WHERE negated), 0) AS excluded,
           coalesce(bit_or(sentences) FILTER (WHERE NOT negated), 0) AS wanted
    FROM clause_chunks
    GROUP BY article_key, chunk
),
per_article AS (
    SELECT article_key,
           sum(bit_count(CASE WHEN len($required_clauses) = 0 THEN wanted
                              WHEN required_met = len($required_clauses)
                                  THEN required_sentences & wanted
                              ELSE 0 END
                         & ~excluded))::BIGINT AS hits
    FROM chunks
    GROUP BY article_key
)
"""

_SEARCH_PER_ARTICLE_ONE_TERM = """
, per_article AS (
    SELECT article_key, count(*) AS hits FROM hits GROUP BY article_key
)
"""

# ... then per publication year (an article has one).
_SEARCH_PER_YEAR = """
SELECT year(a.published) AS year, sum(h.hits)::BIGINT AS hits, count(*) AS articles,
       list(DISTINCT coalesce(a.outlet, 'unknown outlet') ORDER BY coalesce(a.outlet,
                                                                        'unknown outlet'))
           AS outlets
FROM per_article AS h
JOIN search_articles AS k USING (article_key)
JOIN articles AS a USING (article_id)
WHERE h.hits > 0
GROUP BY ALL
ORDER BY year NULLS LAST
"""

_SIDE_IN_VIEW = " AND article_key IN (SELECT article_key FROM keys_in_view)"
_NO_PHRASE_HITS = """
phrase_hits AS (
    SELECT NULL::UBIGINT AS article_key, NULL::INTEGER AS sentence_no,
           NULL::INTEGER AS clause_no, NULL::BIGINT AS bit
    WHERE false
),"""


# A phrase's join (one per phrase clause `c`): one side per term `n`, the term's text postings
# with numbered columns; the positions test; and, for a page, the score from the sides.
_PHRASE_SIDE = """(SELECT article_key, sentence_no, positions AS at_{n}, tf AS tf_{n},
           initiative_tf AS itf_{n}{length}
     FROM search_postings
     WHERE term_key = $phrase_{c}_{n}::UBIGINT AND tf > 0{in_view}) AS s{n}"""
_PHRASE_JOIN = """SELECT article_key, sentence_no, $phrase_{c}_clause::INTEGER AS clause_no{score}
    FROM {sides}
    WHERE CASE WHEN {single} THEN {quick}
               ELSE len(list_filter(at_0, lambda pos0: {full})) > 0 END"""
_PHRASE_SCORE = """,
           round({scores}, 9) AS score, $phrase_{c}_matched::INTEGER AS terms_matched"""
_PHRASE_TERM_SCORE = ("$phrase_{c}_{n}_weight * ({x}) * ($k1 + 1) / ({x} + $k1)")
_PHRASE_TERM_X = ("tf_{n} / (1 - $b + $b * sentence_length / $avg_length) "
                  "+ $initiative_weight * itf_{n}")


def _phrase_join(clause_no: int, terms: list[dict[str, Any]], in_view: bool,
                 scored: bool) -> tuple[str, dict[str, Any]]:
    """The sentences where one phrase's terms (`terms`, in order) stand side by side: a join
    of their text postings on the sentence (only sentences holding every term are compared),
    then a test of their positions (quick when each term is there once, as is usual). With
    `scored`, each row also has the sentence's BM25F score and terms matched.

    Only column names and parameter names are generated (numbered by clause and term); every
    value (term keys, offsets, weights) is bound.
    """
    c = str(clause_no)
    params: dict[str, Any] = {f"phrase_{c}_clause": clause_no,
                              f"phrase_{c}_matched": sum(1 for t in terms if t["first_use"])}
    sides, single, quick, full, scores = [], [], [], [], []
    for n, term in enumerate(terms):
        params[f"phrase_{c}_{n}"] = term["term_key"]
        side = _fill(_PHRASE_SIDE, n=str(n), c=c, length=", sentence_length" if n == 0 else "",
                     in_view=_SIDE_IN_VIEW if in_view and n == 0 else "")
        sides.append(side if n == 0 else "JOIN " + side + " USING (article_key, sentence_no)")
        single.append(_fill("len(at_{n}) = 1", n=str(n)))
        if n:
            params[f"phrase_{c}_{n}_offset"] = term["idx"] - terms[0]["idx"]
            quick.append(_fill("at_{n}[1] = at_0[1] + $phrase_{c}_{n}_offset", n=str(n), c=c))
            full.append(_fill("list_contains(at_{n}, pos0 + $phrase_{c}_{n}_offset)",
                              n=str(n), c=c))
        params[f"phrase_{c}_{n}_weight"] = term["weight"]
        scores.append(_fill(_PHRASE_TERM_SCORE, c=c, n=str(n),
                            x=_fill(_PHRASE_TERM_X, n=str(n))))
    if not scored:
        params = {k: v for k, v in params.items()
                  if not k.endswith(("_weight", "_matched"))}
    sql = _fill(_PHRASE_JOIN, c=c, sides="\n    ".join(sides), single=" AND ".join(single),
                quick=" AND ".join(quick), full=" AND ".join(full),
                score=_fill(_PHRASE_SCORE, c=c, scores=" + ".join(scores)) if scored else "")
    return sql, params


def _phrases(reading: _Reading) -> dict[int, list[dict[str, Any]]]:
    """The phrase clauses with every word indexed, and their terms in order."""
    by_clause: dict[int, list[dict[str, Any]]] = {}
    for term in reading.terms:
        if term["phrase"]:
            by_clause.setdefault(term["clause_no"], []).append(term)
    return {clause_no: sorted(terms, key=lambda t: t["idx"])
            for clause_no, terms in sorted(by_clause.items())
            if len(terms) == terms[0]["phrase_length"]}  # a word nowhere: never met


_PHRASE_HIT = """SELECT article_key, sentence_no, clause_no, $phrase_{c}_bit::BIGINT AS bit
    FROM ({join})"""


def _phrase_hits(reading: _Reading, in_view: bool) -> tuple[str, dict[str, Any]]:
    """The `phrase_hits` CTE: (sentence, phrase clause, its bit) for every phrase clause."""
    parts, params = [], {}
    for clause_no, terms in _phrases(reading).items():
        sql, more = _phrase_join(clause_no, terms, in_view, scored=False)
        params |= more | {f"phrase_{clause_no}_bit": terms[0]["bit"]}
        parts.append(_fill(_PHRASE_HIT, c=str(clause_no), join=sql))
    if not parts:
        return _NO_PHRASE_HITS, {}
    return "\nphrase_hits AS (\n    " + "\n    UNION ALL\n    ".join(parts) + "\n),", params


# Step 3: a page's sentences, articles and marks, read by key: every table is filtered by the
# page's own keys (bound as constants, so each scan reads only the row groups holding them).
# The sentence is cut from its article's text (sentences are exactly text[start:end]); the
# words to mark are the sentence's words whose terms meet the query's wanted terms.
_SEARCH_DETAILS = r"""
WITH page AS (
    SELECT unnest($page::STRUCT(article_id VARCHAR, article_key UBIGINT, sentence_no INTEGER,
                                score DOUBLE, terms_matched BIGINT, rank INTEGER)[],
                  recursive := true)
),
texts AS (
    SELECT p.*, substring(a.text, d.start_char + 1, d.end_char - d.start_char) AS sentence,
           a.title, a.outlet, a.published, a.published_precision, a.url
    FROM page AS p
    JOIN (SELECT article_key, sentence_no, start_char, end_char FROM search_documents
          WHERE article_key IN (@KEYS@)) AS d USING (article_key, sentence_no)
    JOIN (SELECT article_id, text, title, outlet, published, published_precision, url
          FROM articles WHERE article_id IN (@IDS@)) AS a USING (article_id)
),
mentioned AS (
    SELECT m.article_key, m.sentence_no, m.surface, coalesce(i.acronym, i.name) AS label,
           concat_ws(' ', i.name, i.acronym) AS name
    FROM search_mentions AS m JOIN initiatives AS i USING (initiative_id)
    WHERE m.article_key IN (@KEYS@)
),
words AS (
    -- the words of the page's sentences, as written
    SELECT DISTINCT t.article_key, t.sentence_no, w.word
    FROM texts AS t,
         unnest(regexp_split_to_array(t.sentence, '[\p{P}\p{S}\p{Z}\p{C}]+')) AS w(word)
    WHERE w.word <> ''
),
pieces AS (
    -- each word, and each mentioned initiative's name, cut into terms: does it hold a wanted one?
    SELECT piece, list_has_any(search_tokens(piece), $wanted::VARCHAR[]) AS wanted
    FROM (SELECT word AS piece FROM words UNION SELECT name FROM mentioned)
),
marked AS (
    SELECT w.article_key, w.sentence_no, list(w.word ORDER BY w.word) AS words
    FROM words AS w JOIN pieces AS p ON p.piece = w.word
    WHERE p.wanted
    GROUP BY w.article_key, w.sentence_no
),
named AS (
    SELECT m.article_key, m.sentence_no, list(DISTINCT m.label ORDER BY m.label) AS initiatives,
           list(DISTINCT m.surface ORDER BY m.surface) AS surfaces
    FROM mentioned AS m JOIN pieces AS p ON p.piece = m.name
    WHERE p.wanted
    GROUP BY m.article_key, m.sentence_no
)
SELECT t.article_id, t.sentence_no, t.score, t.terms_matched, t.sentence, t.title, t.outlet,
       t.published, t.published_precision, t.url,
       coalesce(k.words, []) AS matched_words,
       coalesce(n.initiatives, []) AS matched_initiatives,
       coalesce(n.surfaces, []) AS matched_mentions
FROM texts AS t
LEFT JOIN marked AS k USING (article_key, sentence_no)
LEFT JOIN named AS n USING (article_key, sentence_no)
ORDER BY t.rank
"""


def _search_parameters(query: SearchQuery) -> dict[str, Any]:
    return {"clauses": query.as_parameters(), "max_prefix_terms": MAX_PREFIX_TERMS}


def _ranking_parameters() -> dict[str, Any]:
    return {"k1": BM25_K1, "b": BM25_B, "initiative_weight": INITIATIVE_FIELD_WEIGHT}


@dataclass(frozen=True)
class _Reading:
    """What step 1 found: the terms to look up (as `_TERM_STRUCT` rows) and the clauses."""

    terms: list[dict[str, Any]]
    clauses: list[dict[str, Any]]
    sentences: dict[int, int]  # term key -> sentences holding it
    wanted_terms: list[str]
    avg_length: float

    def _mask(self, which: str) -> int:
        return sum(c["bit"] for c in self.clauses if c[which])

    @property
    def required_clauses(self) -> list[int]:
        return sorted(c["clause_no"] for c in self.clauses if c["required"])

    @property
    def masks(self) -> dict[str, int]:
        return {"required_mask": self._mask("required"), "negated_mask": self._mask("negated"),
                "wanted_mask": sum(c["bit"] for c in self.clauses if not c["negated"])}

    def _terms_of(self, clause_no: int) -> list[dict[str, Any]]:
        return [t for t in self.terms if t["clause_no"] == clause_no]

    @property
    def can_match(self) -> bool:
        """False when no sentence can match: no wanted clause has an indexed term, or a
        required clause has none (a phrase: lacks one of its words)."""
        if not any(not t["negated"] for t in self.terms):
            return False
        for clause in self.clauses:
            held = len(self._terms_of(clause["clause_no"]))
            if clause["required"] and held < (clause["phrase_length"] if clause["phrase"] else 1):
                return False
        return True

    @property
    def one_term(self) -> dict[str, Any] | None:
        """The only wanted term, when there is one (not in a phrase, no other clause wanted or
        required) and every excluded clause is a single word: then each of its postings is a
        hit unless the sentence holds an excluded term."""
        wanted = [t for t in self.terms if not t["negated"]]
        simple = (len(wanted) == 1 and not wanted[0]["phrase"]
                  and (self.masks["required_mask"] & ~wanted[0]["bit"]) == 0
                  and not any(t["phrase"] for t in self.terms))
        return wanted[0] if simple else None

    @property
    def one_phrase(self) -> tuple[int, list[dict[str, Any]]] | None:
        """The only wanted clause, when it is a phrase (every word indexed) and every excluded
        clause is a single word: then its hits are the sentences where it stands, scored from
        its terms' postings alone."""
        wanted = {t["clause_no"] for t in self.terms if not t["negated"]}
        phrases = _phrases(self)
        if len(wanted) != 1 or next(iter(wanted)) not in phrases:
            return None
        clause_no = next(iter(wanted))
        if any(t["phrase"] for t in self.terms if t["clause_no"] != clause_no):
            return None
        if self.masks["required_mask"] & ~phrases[clause_no][0]["bit"]:
            return None
        return clause_no, phrases[clause_no]

    @property
    def restriction(self) -> tuple[str, Any] | None:
        """The most selective required clause, when it narrows the postings to read much: a
        phrase (its sentences are found first anyway) or the rarest required word."""
        required = [c for c in self.clauses if c["required"]]
        for clause in required:
            if clause["phrase"]:
                return "phrase", clause["clause_no"]
        total = sum(self.sentences.values())
        sizes = [(sum(self.sentences[t["term_key"]] for t in self._terms_of(c["clause_no"])),
                  c["clause_no"]) for c in required]
        if sizes and min(sizes)[0] * 2 < total:
            keys = [t["term_key"] for t in self._terms_of(min(sizes)[1])]
            return "terms", keys
        return None


def _read_query(con: Connection, query: SearchQuery) -> _Reading:
    """Step 1: the query's clauses and indexed terms, as the warehouse reads them."""
    rows = con.execute("WITH " + _SEARCH_CLAUSES + _SEARCH_TERMS,
                       _search_parameters(query)).fetchall()
    columns = ("clause_no", "required", "negated", "phrase", "phrase_length", "bit", "idx",
               "term", "term_key", "sentences", "first_use", "weight", "avg_length")
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    known = [r for r in records if r["term_key"] is not None]
    return _Reading(
        terms=[{k: r[k] for k in ("clause_no", "bit", "idx", "phrase", "phrase_length",
                                  "negated", "term_key", "first_use", "weight")}
               for r in known],
        clauses=list({r["clause_no"]: r for r in records}.values()),
        sentences={r["term_key"]: r["sentences"] for r in known},
        wanted_terms=sorted({r["term"] for r in known if not r["negated"]}),
        avg_length=float(records[0]["avg_length"]) if records else 1.0,
    )


def _hits_statement(con: Connection, filters: Filters, reading: _Reading, body: str,
                    **extra: Any) -> pd.DataFrame:
    """Run step 2 for `reading` in the articles in view: `body` follows the hits (for a query
    of one wanted term) or the postings and phrase hits (any other)."""
    ctes: list[str] = []
    params: dict[str, Any] = {}
    if not filters.is_empty:
        in_view, params = _search_in_view(filters)
        ctes.append(in_view)
    one, phrase = reading.one_term, reading.one_phrase
    excluded = [t["term_key"] for t in reading.terms if t["negated"]]
    if excluded and (one is not None or phrase is not None):
        params["excluded"] = excluded
    if one is not None:
        ctes.append(_ONE_TERM_HITS
                    .replace("@IN_VIEW@", "" if filters.is_empty else _POSTINGS_IN_VIEW)
                    .replace("@EXCLUDED@", _EXCLUDED if excluded else ""))
        params |= {"term_key": one["term_key"], "weight": one["weight"],
                   **_ranking_parameters(), "avg_length": reading.avg_length}
    elif phrase is not None:
        sql, more = _phrase_join(*phrase, in_view=not filters.is_empty, scored=True)
        ctes.append(_ONE_PHRASE_HITS.replace("@PHRASE@", sql)
                    .replace("@EXCLUDED@", _EXCLUDED if excluded else ""))
        params |= more | {**_ranking_parameters(), "avg_length": reading.avg_length}
    else:
        phrases, phrase_params = _phrase_hits(reading, in_view=not filters.is_empty)
        ctes.append(phrases)
        params |= phrase_params | {"terms": reading.terms}
        restriction = reading.restriction
        if restriction is not None:
            kind, value = restriction
            ctes.append(_RESTRICT_TO_PHRASE if kind == "phrase" else _RESTRICT_TO_TERMS)
            params["restrict_clause" if kind == "phrase" else "restrict_keys"] = value
        ctes.append(_SEARCH_POSTINGS
                    .replace("@RESTRICT@", "" if restriction is None else _POSTINGS_RESTRICTED)
                    .replace("@IN_VIEW@", "" if filters.is_empty else _POSTINGS_IN_VIEW))
    return _frame(con, "WITH " + "".join(ctes) + body, {**params, **extra})


def search_query_terms(con: Connection, query: SearchQuery) -> pd.DataFrame:
    """How the warehouse reads each clause of a query: its index terms and their frequency.

    One row per clause (`clause_no` from 1, in `query.clauses` order): `terms`, the indexed
    terms it looks up (a phrase's in order, a prefix's expansions commonest first; empty when
    the clause has only common words), and `sentences`, how many sentences hold each.
    """
    return _frame(con, "WITH " + _SEARCH_CLAUSES + _SEARCH_READING, _search_parameters(query))


_PAGE_COLUMNS = ("article_id", "sentence_no", "score", "terms_matched", "sentence", "title",
                 "outlet", "published", "published_precision", "url", "matched_words",
                 "matched_initiatives", "matched_mentions")


def search_sentences(con: Connection, filters: Filters, query: SearchQuery, limit: int,
                     offset: int = 0) -> pd.DataFrame:
    """One page of the sentences in view matching `query`, best first (BM25F `score`).

    Each hit has its sentence and article, `terms_matched` (distinct query terms it holds),
    `matched_words` (the sentence's words the query matched, as written, for the snippet) and
    `matched_initiatives` / `matched_mentions` (initiatives the sentence mentions whose name
    matched, and the words that mention them: "It", "the Agency"). Equal scores keep a fixed
    order (article, then sentence number). The total is `search_hits_per_year`'s sum.
    """
    reading = _read_query(con, query)
    page: list[dict[str, Any]] = []
    if reading.can_match:
        if reading.one_term is not None or reading.one_phrase is not None:
            body, extra = _SEARCH_PAGE_TOP, {}
        else:
            body = _SEARCH_PAGE_GENERAL + _SEARCH_PAGE_TOP
            extra = {**_ranking_parameters(), "avg_length": reading.avg_length,
                     **reading.masks}
        ranked = _hits_statement(con, filters, reading, body, limit=limit, offset=offset,
                                 **extra)
        page = [{**row, "rank": rank} for rank, row in enumerate(ranked.to_dict("records"))]
    # step 3; the page's keys bound one by one, so that each scan filters on constants
    keys = {f"k{n}": p["article_key"] for n, p in enumerate(page)}
    ids = {f"a{n}": p["article_id"] for n, p in enumerate(page)}
    sql = (_SEARCH_DETAILS
           .replace("@KEYS@", ", ".join(f"${k}::UBIGINT" for k in keys) or "NULL")
           .replace("@IDS@", ", ".join(f"${k}" for k in ids) or "NULL"))
    details = _frame(con, sql, {"page": page, "wanted": reading.wanted_terms, **keys, **ids})
    return details[list(_PAGE_COLUMNS)]


_NO_HITS_PER_YEAR = """
SELECT NULL::BIGINT AS year, NULL::BIGINT AS hits, NULL::BIGINT AS articles,
       NULL::VARCHAR[] AS outlets
WHERE false
"""


def search_hits_per_year(con: Connection, filters: Filters, query: SearchQuery) -> pd.DataFrame:
    """Matching sentences (`hits`) and their articles per publication year, in view.

    Undated articles' hits are one row with `year` NULL (last). The sums over the rows are the
    totals: an article has one publication year. `outlets` lists the outlets of that year's
    articles with hits (for the chart's source line).
    """
    reading = _read_query(con, query)
    if not reading.can_match:
        return _frame(con, _NO_HITS_PER_YEAR)
    if reading.one_term is not None or reading.one_phrase is not None:
        return _hits_statement(con, filters, reading,
                               _SEARCH_PER_ARTICLE_ONE_TERM + _SEARCH_PER_YEAR)
    return _hits_statement(con, filters, reading, _SEARCH_PER_ARTICLE_GENERAL + _SEARCH_PER_YEAR,
                           required_clauses=reading.required_clauses)


def has_search_index(con: Connection) -> bool:
    """Whether the warehouse has the search index of this version and its tokenising macros.

    A warehouse built before search existed, or with the earlier layout of the index (without
    `search_articles` and integer keys), has not: the page asks for a rebuild. The names are
    resolved as the search statements resolve them (whatever the connection's search path).
    """
    sql = """
    SELECT search_tokens('x') AS tokens,
           (SELECT count(*) FROM (SELECT article_key, article_id FROM search_articles LIMIT 0))
               AS articles,
           (SELECT count(*) FROM (SELECT term_key, article_key FROM search_postings LIMIT 0))
               AS postings
    """
    try:
        con.execute(sql).fetchall()
    except duckdb.Error:
        return False
    return True


def sentence_location(con: Connection, article_id: str, sentence_no: int) -> pd.DataFrame:
    """Where one sentence stands in its article's text (offsets) and its text: a search hit."""
    sql = """
    SELECT start_char, end_char, text
    FROM sentences WHERE article_id = $article_id AND sentence_no = $sentence_no
    """
    return _frame(con, sql, {"article_id": article_id, "sentence_no": sentence_no})
