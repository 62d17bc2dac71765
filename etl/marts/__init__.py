"""The marts: derived tables the dashboard reads, built by every build before it is sealed.

Each `etl/marts/NN_<table>.sql` is one `CREATE OR REPLACE TABLE` (or `VIEW`) over the loaded
tables and the marts of lower numbers, applied in file-name order after the load (full and
incremental builds alike), so applying them twice gives the same tables. The first ones
(`curated_events`, `curated_memberships`) put analysts' corrections in place of the machine's
reading (`reviewed_events`, `reviewed_memberships`, etl/corrections/); every later mart reads
facts through them. They give the dashboard narrow
tables keyed on small integers (`article_no`, `initiative_no`, `theme_no`) with each article's
filter attributes (publication year, outlet, theme and initiative bit masks) copied onto every
fact row, so a filter is a scan of one narrow table, not a join on text ids; and they hold the
rules that decide what a disagreement is (`90_facet_claims.sql`). `docs/schema.md` documents
them column by column; `validate_marts` checks them with the rest of the build.

When only facts change (analysts' corrections applied alone), `fact_update_plan` lists the
marts to rebuild: those reading a changed table. A mart whose rows and numbers do not depend on
facts may instead ship `NN_<table>.refresh.sql`, an UPDATE of its fact-derived columns; it is
then refreshed in place, and the marts after it are rebuilt only if they name a column the
refresh sets. So a correction costs the marts of facts, not every mart of the warehouse.

Most corrections confirm a fact: its review changes, not which facts there are or where they
sit. A mart of facts may ship `NN_<table>.same_rows.sql`, an UPDATE of its review columns (and
what a review changes), run instead of its rebuild when the facts keep their rows: every
curated event and figure has the identity, place and date it had when the marts were last
built (`facts_keep_their_rows`). A rejected, added or moved fact (another year, type,
initiative, count or date) is a change of rows, and the marts are rebuilt as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

import duckdb

# Themes and initiatives are filtered through one bit each of a HUGEINT (facet_themes.bit,
# facet_initiatives.bit, facet_articles.theme_mask / initiative_mask): 127 usable bits.
MAX_MASK_BITS = 127


@dataclass(frozen=True)
class Mart:
    """One mart: the table it builds and the SQL that builds it."""

    table: str
    sql: str
    refresh: str | None = None  # UPDATE of its fact-derived columns, when facts alone change
    same_rows: str | None = None  # UPDATE of its review columns, when facts keep their rows

    @property
    def refreshed_columns(self) -> frozenset[str]:
        """The columns `refresh` sets."""
        return frozenset(re.findall(r"\bSET\s+(\w+)\s*=", self.refresh or "", re.IGNORECASE))

    @property
    def is_view(self) -> bool:
        """Whether the mart is a view (an analyst-facing join) rather than a table."""
        return "CREATE OR REPLACE VIEW" in self.sql

    def reads(self, tables: Iterable[str]) -> bool:
        """Whether the mart's statement names any of `tables`."""
        return any(re.search(rf"\b{re.escape(name)}\b", self.sql) for name in tables)


REFRESH_SUFFIX = ".refresh.sql"
SAME_ROWS_SUFFIX = ".same_rows.sql"


def marts() -> list[Mart]:
    """Every mart, in the order it is built (file name order), with its refreshes if it has
    any."""
    files = {f.name: f for f in resources.files(__name__).iterdir() if f.name.endswith(".sql")}
    built = sorted(name for name in files
                   if not name.endswith((REFRESH_SUFFIX, SAME_ROWS_SUFFIX)))
    found = []
    for name in built:
        stem = name.removesuffix(".sql")
        refresh, same_rows = (files.get(stem + suffix)
                              for suffix in (REFRESH_SUFFIX, SAME_ROWS_SUFFIX))
        found.append(Mart(stem.split("_", 1)[1],
                          files[name].read_text(encoding="utf-8"),
                          refresh.read_text(encoding="utf-8") if refresh else None,
                          same_rows.read_text(encoding="utf-8") if same_rows else None))
    return found


MART_TABLES = tuple(mart.table for mart in marts() if not mart.is_view)
MART_VIEWS = tuple(mart.table for mart in marts() if mart.is_view)


def build_marts(con: duckdb.DuckDBPyConnection, only: Iterable[str] | None = None) -> None:
    """(Re)build every mart from the tables the connection holds, or only the marts `only`
    names."""
    chosen = None if only is None else set(only)
    for mart in marts():
        if chosen is None or mart.table in chosen:
            con.execute(mart.sql).fetchall()


def fact_update_plan(tables: Iterable[str]) -> list[tuple[str, str]]:
    """(mart, 'build' or 'refresh') for every mart that must change when only `tables` (the
    reviewed facts) changed, in build order."""
    changed = set(tables)
    columns: dict[str, frozenset[str]] = {}  # marts refreshed in place: the columns they set
    plan: list[tuple[str, str]] = []
    for mart in marts():
        affected = mart.reads(changed) or any(
            mart.reads([table]) and mart.reads(cols) for table, cols in columns.items())
        if not affected:
            continue
        if mart.refresh is not None:
            plan.append((mart.table, "refresh"))
            columns[mart.table] = mart.refreshed_columns
        else:
            plan.append((mart.table, "build"))
            changed.add(mart.table)
    return plan


# Whether every curated fact has the row it had when the marts were last built: the same
# events and figures, in the same articles and sentences, with the same initiative, type or
# kind, count and dates (all a fact's number, place and `first_of_article` depend on). The
# facet tables hold the last build's facts; `curated_*` the facts as the corrections now stand.
#
# Only facts an analyst touched are compared row by row: those reviewed now, and those the
# marts show reviewed. Corrections alone never change the machine-read tables, so a fact
# touched neither now nor then is the same machine-read row on both sides; and a fact touched
# then but no longer, and absent from the marts (a rejection withdrawn), makes the curated
# side longer. So equal counts and equal touched rows mean equal rows.
_FACTS_KEEP_THEIR_ROWS = """
WITH touched_events AS (
    SELECT event_id FROM reviewed_events
    UNION SELECT event_id FROM facet_events WHERE reviewed
), now_events AS (
    SELECT event_id, article_id, sentence_no, initiative_id, event_type,
           year, month, day, end_year, end_month, end_day
    FROM curated_events SEMI JOIN touched_events USING (event_id)
), built_events AS (
    SELECT f.event_id, a.article_id, f.sentence_no, f.initiative_id, f.event_type,
           f.year, f.month, f.day, f.end_year, f.end_month, f.end_day
    FROM facet_events AS f JOIN facet_articles AS a USING (article_no)
    SEMI JOIN touched_events USING (event_id)
), touched_figures AS (
    SELECT membership_id FROM reviewed_memberships
    UNION SELECT membership_id FROM facet_memberships WHERE reviewed
), now_figures AS (
    SELECT membership_id, article_id, sentence_no, initiative_id, kind, count, year
    FROM curated_memberships SEMI JOIN touched_figures USING (membership_id)
), built_figures AS (
    SELECT f.membership_id, a.article_id, f.sentence_no, f.initiative_id, f.kind, f.count,
           f.year
    FROM facet_memberships AS f JOIN facet_articles AS a USING (article_no)
    SEMI JOIN touched_figures USING (membership_id)
)
SELECT (SELECT count(*) FROM curated_events) = (SELECT count(*) FROM facet_events)
   AND (SELECT count(*) FROM curated_memberships) = (SELECT count(*) FROM facet_memberships)
   AND NOT (EXISTS (FROM now_events EXCEPT FROM built_events)
            OR EXISTS (FROM built_events EXCEPT FROM now_events)
            OR EXISTS (FROM now_figures EXCEPT FROM built_figures)
            OR EXISTS (FROM built_figures EXCEPT FROM now_figures))
"""


def facts_keep_their_rows(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the curated facts differ from the marts' only in their review (and
    confidence): then a mart with a `same_rows` refresh is updated instead of rebuilt."""
    return bool(con.execute(_FACTS_KEEP_THEIR_ROWS).fetchall()[0][0])


def apply_plan(con: duckdb.DuckDBPyConnection, plan: Iterable[tuple[str, str]], *,
               in_place: bool = True) -> list[tuple[str, str]]:
    """Rebuild or refresh the marts of a `fact_update_plan`; what was done to each, in order:
    'build', 'refresh', or 'same_rows' (its review columns updated, the facts having kept
    their rows). `in_place=False` rebuilds them whatever changed: for marts built by other
    definitions than these (another version of the ETL), which an update would keep."""
    by_table = {mart.table: mart for mart in marts()}
    steps = [(by_table[table], how) for table, how in plan]
    # decided before any mart changes: the facet tables still hold the last build's facts
    same_rows = in_place and any(m.same_rows for m, how in steps if how == "build") \
        and facts_keep_their_rows(con)
    done = []
    for mart, how in steps:
        if how == "refresh" and mart.refresh:
            sql, how = mart.refresh, "refresh"
        elif same_rows and mart.same_rows:
            sql, how = mart.same_rows, "same_rows"
        else:
            sql, how = mart.sql, "build"
        con.execute(sql).fetchall()
        done.append((mart.table, how))
    return done


# (table, problem, SQL counting the rows that break the rule, its parameters)
_RULES: tuple[tuple[str, str, str, dict[str, object]], ...] = (
    ("facet_articles", "article without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM articles) - (SELECT count(*) FROM facet_articles))", {}),
    ("facet_articles", "article number repeated",
     "SELECT count(*) - count(DISTINCT article_no) FROM facet_articles", {}),
    ("curated_events", "event neither machine-read nor reviewed (or missing)",
     "SELECT abs((SELECT count(*) FROM events ANTI JOIN reviewed_events USING (event_id)) "
     "+ (SELECT count(*) FROM reviewed_events WHERE review <> 'rejected') "
     "- (SELECT count(*) FROM curated_events))", {}),
    ("curated_memberships", "figure neither machine-read nor reviewed (or missing)",
     "SELECT abs((SELECT count(*) FROM memberships ANTI JOIN reviewed_memberships "
     "USING (membership_id)) "
     "+ (SELECT count(*) FROM reviewed_memberships WHERE review <> 'rejected') "
     "- (SELECT count(*) FROM curated_memberships))", {}),
    ("facet_events", "event without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM curated_events) - (SELECT count(*) FROM facet_events))",
     {}),
    ("facet_event_heads", "timeline cell whose first event has no heads row",
     "SELECT count(*) FROM (SELECT min(event_no) AS event_no FROM facet_events "
     "GROUP BY initiative_no, type_no, year) ANTI JOIN facet_event_heads USING (event_no)", {}),
    ("facet_memberships", "membership figure without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM curated_memberships) "
     "- (SELECT count(*) FROM facet_memberships))", {}),
    ("facet_article_themes", "article theme without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM article_themes) "
     "- (SELECT count(*) FROM facet_article_themes))", {}),
    ("facet_theme_examples", "article theme without its examples' mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM article_themes) "
     "- (SELECT count(*) FROM facet_theme_examples))", {}),
    ("facet_initiative_themes", "initiative theme without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM initiative_themes) "
     "- (SELECT count(*) FROM facet_initiative_themes))", {}),
    ("facet_candidates", "candidate initiative without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM candidate_initiatives) "
     "- (SELECT count(*) FROM facet_candidates))", {}),
    ("facet_themes", f"more themes than the {MAX_MASK_BITS} bits of the filter masks",
     "SELECT greatest(count(*) - $bits, 0) FROM facet_themes", {"bits": MAX_MASK_BITS}),
    ("facet_initiatives", f"more initiatives than the {MAX_MASK_BITS} bits of the filter masks",
     "SELECT greatest(count(*) - $bits, 0) FROM facet_initiatives", {"bits": MAX_MASK_BITS}),
    ("facet_claims", "claim of a fact the articles do not dispute",
     "SELECT count(*) FROM facet_claims WHERE NOT (articles_differ OR reference_differs)", {}),
)


def validate_marts(con: duckdb.DuckDBPyConnection,
                   only: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(table, problem) for every mart rule the build breaks (of the marts `only` names, if
    given); empty when the marts are sound."""
    chosen = set((*MART_TABLES, *MART_VIEWS) if only is None else only)
    present = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' UNION ALL "
        "SELECT view_name FROM duckdb_views() WHERE schema_name = 'main'").fetchall()}
    missing = [(table, "mart not built") for table in (*MART_TABLES, *MART_VIEWS)
               if table not in present]
    if missing:
        return missing
    issues = []
    for table, problem, sql, params in _RULES:
        if table not in chosen:
            continue
        bad = con.execute(sql, params).fetchall()[0][0]
        if bad:
            issues.append((table, f"{bad} rows: {problem}"))
    return issues
