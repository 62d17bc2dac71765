"""Deleting the rows of older articles from the big tables within the build's memory.

DuckDB keeps, for every vector (2,048 rows) a transaction deletes rows from, an array of
delete markers of 16 KiB until the file is next checkpointed: one row or all of them, the
same 16 KiB. An article's rows sit together in most tables, but the search postings are
sorted by term, so the postings of a few hundred older articles touch nearly every vector of
the table: about 35,000 vectors and 560 MB at 100,000 articles, more than the build's memory
limit (640 MB, `warehouse.BUILD_MEMORY_LIMIT`) holds beside the deleting statement itself.

`delete_rows` counts the vectors a deletion would touch in a table too big for all of its
vectors' markers to fit `MARKER_BUDGET_BYTES`, and when they would not fit it writes the table
again without those rows instead (a table of the same definition, rows in the same order,
swapped in by name in the caller's transaction): seconds of writing, and nothing held but
the new table's blocks. Deleting the rows of the articles a build just added (written together
at the end of every table) stays a delete in place. The caller commits and checkpoints after
each big table (`spare._clear_ahead`), so the markers of one table are gone before the next.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any

import duckdb

VECTOR_ROWS = 2048
MARKER_BYTES_PER_VECTOR = 16 * 1024
# markers one delete may leave until the next checkpoint: 8,192 vectors (16 million rows)
MARKER_BUDGET_BYTES = 128 * 2**20


def delete_rows(con: duckdb.DuckDBPyConnection, table: str, where: str,
                params: Mapping[str, object] | None = None) -> int:
    """Delete the rows of `table` (of the connection's own database) for which `where` holds;
    the number of rows deleted.

    `where` is SQL of the caller's (column names, temporary tables and its parameters, never
    data). In place when the delete markers fit `MARKER_BUDGET_BYTES`, else by writing the
    table again without the rows (see the module's note).
    """
    bound = dict(params or {})
    if _vectors(con, table) * MARKER_BYTES_PER_VECTOR > MARKER_BUDGET_BYTES:
        (rows, vectors), = con.execute(
            f"SELECT count(*), count(DISTINCT rowid // {VECTOR_ROWS}) "  # noqa: S608
            f'FROM main."{table}" WHERE {where}', bound).fetchall()
        if rows == 0:
            return 0
        if vectors * MARKER_BYTES_PER_VECTOR > MARKER_BUDGET_BYTES and not _indexed(con, table):
            _rewrite_without(con, table, where, bound)
            return int(rows)
    (deleted,), = con.execute(f'DELETE FROM main."{table}" WHERE {where}',  # noqa: S608
                              bound).fetchall()
    return int(deleted)


def _catalogue(con: duckdb.DuckDBPyConnection, listing: str, column: str,
               table: str) -> list[tuple[Any, ...]]:
    """`column` of `table`'s rows in the catalogue function `listing` (`duckdb_tables`,
    `duckdb_indexes`), in the connection's own database."""
    return con.execute(
        f"SELECT {column} FROM {listing}() WHERE database_name = current_database() "  # noqa: S608
        "AND schema_name = 'main' AND table_name = ?", [table]).fetchall()


def _vectors(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """The vectors `table` holds, from the catalogue's row count (no scan)."""
    found = _catalogue(con, "duckdb_tables", "estimated_size", table)
    return -(-int(found[0][0]) // VECTOR_ROWS) if found else 0


def _indexed(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether `table` has an index of its own (`CREATE INDEX`): a rewrite would lose it."""
    return bool(_catalogue(con, "duckdb_indexes", "1", table))


def _rewrite_without(con: duckdb.DuckDBPyConnection, table: str, where: str,
                     params: dict[str, object]) -> None:
    """Replace `table` by a table of the same definition holding its rows for which `where`
    does not hold, in the same order (the postings' runs of terms are what their lookups
    read)."""
    (definition,), = _catalogue(con, "duckdb_tables", "sql", table)
    fresh = f"_rewritten_{table}"
    created, replaced = re.subn(rf'^CREATE TABLE\s+(?:\w+\.)*"?{re.escape(table)}"?\s*\(',
                                f'CREATE TABLE main."{fresh}"(', definition, count=1)
    if not replaced:
        raise RuntimeError(f"cannot read the definition of table {table}: {definition[:80]}")
    (keep_order,), = con.execute(
        "SELECT current_setting('preserve_insertion_order')").fetchall()
    restore = f"SET preserve_insertion_order = {'true' if keep_order else 'false'}"
    con.execute(created).fetchall()
    con.execute("SET preserve_insertion_order = true").fetchall()
    try:
        con.execute(f'INSERT INTO main."{fresh}" SELECT * FROM main."{table}" '  # noqa: S608
                    f"WHERE ({where}) IS NOT TRUE", params).fetchall()
    except duckdb.Error:
        # the failed statement aborted the caller's transaction, which refuses the setting:
        # the caller sees the failure itself
        with contextlib.suppress(duckdb.Error):
            con.execute(restore).fetchall()
        raise
    con.execute(restore).fetchall()
    con.execute(f'DROP TABLE main."{table}"').fetchall()
    con.execute(f'ALTER TABLE main."{fresh}" RENAME TO "{table}"').fetchall()
