"""The marts: derived tables the dashboard reads, built by every build before it is sealed.

Each `etl/marts/NN_<table>.sql` is one `CREATE OR REPLACE TABLE` over the loaded tables and
the marts of lower numbers, applied in file-name order after the load (full and incremental
builds alike), so applying them twice gives the same tables. They give the dashboard narrow
tables keyed on small integers (`article_no`, `initiative_no`, `theme_no`) with each article's
filter attributes (publication year, outlet, theme and initiative bit masks) copied onto every
fact row, so a filter is a scan of one narrow table, not a join on text ids; and they hold the
rules that decide what a disagreement is (`90_facet_claims.sql`). `docs/schema.md` documents
them column by column; `validate_marts` checks them with the rest of the build.
"""

from __future__ import annotations

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


def marts() -> list[Mart]:
    """Every mart, in the order it is built (file name order)."""
    files = sorted((f for f in resources.files(__name__).iterdir() if f.name.endswith(".sql")),
                   key=lambda f: f.name)
    return [Mart(f.name.removesuffix(".sql").split("_", 1)[1], f.read_text(encoding="utf-8"))
            for f in files]


MART_TABLES = tuple(mart.table for mart in marts())


def build_marts(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)build every mart from the tables the connection holds."""
    for mart in marts():
        con.execute(mart.sql).fetchall()


# (table, problem, SQL counting the rows that break the rule, its parameters)
_RULES = (
    ("facet_articles", "article without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM articles) - (SELECT count(*) FROM facet_articles))", {}),
    ("facet_articles", "article number repeated",
     "SELECT count(*) - count(DISTINCT article_no) FROM facet_articles", {}),
    ("facet_events", "event without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM events) - (SELECT count(*) FROM facet_events))", {}),
    ("facet_memberships", "membership figure without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM memberships) "
     "- (SELECT count(*) FROM facet_memberships))", {}),
    ("facet_article_themes", "article theme without its mart row (or one too many)",
     "SELECT abs((SELECT count(*) FROM article_themes) "
     "- (SELECT count(*) FROM facet_article_themes))", {}),
    ("facet_themes", f"more themes than the {MAX_MASK_BITS} bits of the filter masks",
     "SELECT greatest(count(*) - $bits, 0) FROM facet_themes", {"bits": MAX_MASK_BITS}),
    ("facet_initiatives", f"more initiatives than the {MAX_MASK_BITS} bits of the filter masks",
     "SELECT greatest(count(*) - $bits, 0) FROM facet_initiatives", {"bits": MAX_MASK_BITS}),
    ("facet_claims", "claim of a fact the articles do not dispute",
     "SELECT count(*) FROM facet_claims WHERE NOT (articles_differ OR reference_differs)", {}),
)


def validate_marts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(table, problem) for every mart rule the build breaks; empty when the marts are sound."""
    present = {name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()}
    missing = [(table, "mart not built") for table in MART_TABLES if table not in present]
    if missing:
        return missing
    issues = []
    for table, problem, sql, params in _RULES:
        bad = con.execute(sql, params).fetchall()[0][0]
        if bad:
            issues.append((table, f"{bad} rows: {problem}"))
    return issues
