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


def marts() -> list[Mart]:
    """Every mart, in the order it is built (file name order), with its refresh if it has one."""
    files = {f.name: f for f in resources.files(__name__).iterdir() if f.name.endswith(".sql")}
    built = sorted(name for name in files if not name.endswith(REFRESH_SUFFIX))
    found = []
    for name in built:
        refresh = files.get(name.removesuffix(".sql") + REFRESH_SUFFIX)
        found.append(Mart(name.removesuffix(".sql").split("_", 1)[1],
                          files[name].read_text(encoding="utf-8"),
                          refresh.read_text(encoding="utf-8") if refresh else None))
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


def apply_plan(con: duckdb.DuckDBPyConnection, plan: Iterable[tuple[str, str]]) -> None:
    """Rebuild or refresh the marts of a `fact_update_plan`."""
    by_table = {mart.table: mart for mart in marts()}
    for table, how in plan:
        mart = by_table[table]
        con.execute(mart.refresh if how == "refresh" and mart.refresh else mart.sql).fetchall()


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
