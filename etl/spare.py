"""The spare warehouse: the generation an incremental build writes into instead of a copy.

An incremental build must never write into the live file: the dashboard holds it open
read-only, DuckDB lets no other process write a file someone reads, and a half-applied change
must never be seen. Copying the live file for every build (about 2 GB at 100,000 articles)
made a build that adds a few articles cost a copy and a sync of the whole warehouse.

So the warehouse keeps a second file beside the live one, `<db>.spare`: the generation the
last swap retired (or a copy of the live file, made once after a full build). An incremental
build opens the spare, brings it level with the live file by copying across only what differs
(`sync_with_live`: the rows of the articles whose `articles` row differs, the rows of the
files and stories that differ, the small reference tables whole), applies its own changes,
seals it, and swaps it in; the file it replaces becomes the next spare. The work is
proportional to what changed in the last two builds, not to the size of the warehouse.

The guarantees of a copied build hold:

- What the build writes to the spare is one DuckDB transaction, committed only once the build
  is sealed: a failure or a kill rolls the spare back, and the live file is never touched until
  the atomic `os.replace`. Only the rows of articles the spare will not keep are deleted
  before, table by table, after a transaction that marks the spare part-way (`_clear_ahead`:
  DuckDB holds delete markers until a checkpoint, too many to keep beside the build's work);
  a build stopped after it leaves a spare no build uses, and the next copies the live file.
- The spare is used only when nobody holds it open (`is_free`): a dashboard that has not yet
  moved to the live file still reads the retired generation, which is then left alone and
  the build falls back to copying the live file, as before.
- A spare that cannot be trusted (another schema, extractor signature or article folder, or
  unreadable) is set aside the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import struct
from collections.abc import Collection, Iterator
from pathlib import Path

import duckdb

from etl import marts, row_deletes, search_index, warehouse
from etl.prepare import ARTICLE_TABLES

# warehouse_info keys both files must share before rows are copied across
MATCHING_INFO = ("schema_version", "extractor_signature", "articles_dir")
# warehouse_info: the article build whose articles, stories, reference tables and marts a file
# holds (a correction carries it over); two files naming the same one differ only in what
# corrections change
ARTICLES_BUILD_KEY = "articles_build_id"
# `articles` columns compared to tell a changed article: all but the text, which the article id
# (a hash of the text) stands for
ARTICLE_DIFF_EXCLUDED = ("text",)
# Bookkeeping tables of about one row per file or article, brought level by key: only the rows
# of a key that differ are rewritten (`warehouse.replace_differing_rows`); copied whole, they
# sent about 300,000 rows through the write-ahead log at 100,000 articles, seconds per build.
KEYED_TABLES = {"source_files": "source_file", "source_records": "source_file",
                "stories": "article_id"}
STALE_TABLE = "_spare_stale"  # temp table: article ids whose rows were copied from the live file
_REMOVING = "_spare_removing"  # temp table: article ids the build replaces (not copied across)
# warehouse_info: set when the rows a build replaces were deleted ahead of its change
# (`_clear_ahead`); a spare carrying it holds no whole generation
PARTIAL_KEY = "spare_partial"
# the live file, attached read-only to the spare's connection under a name no file gets (DuckDB
# names a file's own catalog after its name up to the first dot: 'live.duckdb.spare' is 'live')
LIVE_ALIAS = "im_live_generation"


class SpareUnusable(Exception):
    """The spare cannot be brought level with the live file; the build copies it instead."""


def is_free(path: Path) -> bool:
    """Whether no connection, in this process or another, holds the DuckDB file at `path`.

    DuckDB locks a file with a process-wide record lock, which another process sees but this
    one does not. An open-file-description lock conflicts with it in every process, so a
    short write lock taken that way tells whether any reader or writer has the file open.
    Only for files other processes may hold: closing the probe's descriptor drops every record
    lock this process has on the file (POSIX), DuckDB's own included.
    """
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        probe = struct.pack("hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, probe)
        except OSError:
            return False
        return True
    finally:
        os.close(fd)  # closing the description releases the probe


def keep_copy(db_path: Path) -> None:
    """Make the spare a copy of the live file (after a full build, which leaves none usable).

    Written under a staging name (which the build's leftover cleaning removes) and renamed, so
    a kill mid-copy never leaves a torn spare.
    """
    scratch = Path(f"{warehouse.staging_path(db_path)}.spare")
    shutil.copyfile(db_path, scratch)
    warehouse.fsync_file(scratch)
    spare = warehouse.spare_path(db_path)
    Path(f"{spare}.wal").unlink(missing_ok=True)
    os.replace(scratch, spare)


@contextlib.contextmanager
def updating(db_path: Path, *, with_marts: bool = False, facts_only: bool = False,
             removing: Collection[str] = ()) -> Iterator[tuple[duckdb.DuckDBPyConnection, str]]:
    """A connection to the next generation of the live warehouse, swapped in when the block
    ends; and '' when it is the spare, else why the spare could not be used and the live file
    was copied instead (as `warehouse.staging`). `with_marts`: see `sync_with_live`.
    `facts_only`: for a change of the reviewed facts alone (corrections); when the spare
    holds the same article build as the live file only the small tables are brought level,
    else what the last build changed too (`sync_facts_with_live`). `removing`: the articles
    the build replaces; on the spare their rows are deleted before the build's transaction
    begins.

    On the spare, the rows of articles it will not keep are deleted first, table by table
    (`_clear_ahead`); everything else runs in one transaction, committed when the block
    ends normally; the file is then checkpointed and swapped in, and the replaced live file
    becomes the spare. On any error that transaction is rolled back: the spare keeps the
    generation it held, or, when rows were deleted ahead, is marked so that no build uses it.
    """
    con, why = _open_spare(db_path, with_marts, facts_only, removing)
    if con is None:
        with warehouse.staging(db_path, copy_live=True, keep_spare=True) as copied:
            yield copied, why
        return
    path = warehouse.spare_path(db_path)
    try:
        yield con, ""
        con.commit()
        con.execute(f"DETACH {LIVE_ALIAS}").fetchall()
        con.execute("CHECKPOINT").fetchall()
        con.close()
        warehouse.swap_in(path, db_path, keep_spare=True)
    finally:
        con.close()  # no-op once closed; otherwise rolls the transaction back
        shutil.rmtree(f"{path}.tmp", ignore_errors=True)


def _open_spare(db_path: Path, with_marts: bool, facts_only: bool = False,
                removing: Collection[str] = ()) -> tuple[duckdb.DuckDBPyConnection | None, str]:
    """The spare, open in a transaction and level with the live file (attached read-only as
    `LIVE_ALIAS` until the transaction ends); or None and why there is no spare that nobody
    holds and that was built alike.

    The live file is attached before the transaction begins: DuckDB refuses to detach a
    database the open transaction has read from, so it is detached after the commit.
    """
    path = warehouse.spare_path(db_path)
    if not path.exists():
        return None, "there is no spare generation"
    if not is_free(path):
        return None, "the spare generation is still open (a dashboard reading it)"
    con: duckdb.DuckDBPyConnection | None = None
    try:
        con = warehouse.open_build_file(path)
        con.execute(f"ATTACH ? AS {LIVE_ALIAS} (READ_ONLY)", [str(db_path)]).fetchall()
        if facts_only:
            sync_facts_with_live(con)
        else:
            sync_with_live(con, with_marts=with_marts, removing=removing)
        return con, ""
    except (duckdb.Error, SpareUnusable) as exc:
        if con is not None:
            con.close()
        shutil.rmtree(f"{path}.tmp", ignore_errors=True)
        return None, f"the spare generation could not be brought level ({exc})"


def sync_with_live(con: duckdb.DuckDBPyConnection, *, with_marts: bool = False,
                   removing: Collection[str] = (), only_additions: bool = False) -> None:
    """Bring the spare open on `con` level with the live warehouse attached as `LIVE_ALIAS`,
    less the articles in `removing` (those the build replaces); called outside a transaction,
    it returns inside the one the build writes in.

    Articles whose `articles` row differs between the two (or that only one holds) have every
    article table's rows replaced by the live file's, and their search index entries are
    dropped; their ids are left in `STALE_TABLE` for the build to index again with its own
    articles. The rows the spare will not keep are deleted first, table by table, each
    committed (`_clear_ahead`). The bookkeeping tables of one row per file or article
    (`KEYED_TABLES`) get the live rows of the keys that differ; every other table but the
    search index is copied whole: they are small. The marts are copied only `with_marts` (a
    build that changes no article, reference or correction keeps the live file's); otherwise
    the build rebuilds them. Raises `SpareUnusable` before writing anything when the two files
    were not built alike, and, `only_additions`, when the spare holds an article it would have
    to delete (one the live file changed or removed): deleting an older article's rows
    rewrites most of the search postings (`_clear_ahead`), which costs more than a copy of the
    live file for a change that needs no new extraction.
    """
    _check_alike(con)
    columns = ", ".join(
        f'"{name}"' for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = ? "
            "AND table_name = 'articles' ORDER BY column_index", [LIVE_ALIAS]).fetchall()
        if name not in ARTICLE_DIFF_EXCLUDED)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {STALE_TABLE} AS
        SELECT DISTINCT article_id FROM (
            (SELECT {columns} FROM main.articles
             EXCEPT SELECT {columns} FROM {LIVE_ALIAS}.articles)
            UNION ALL
            (SELECT {columns} FROM {LIVE_ALIAS}.articles
             EXCEPT SELECT {columns} FROM main.articles))
    """).fetchall()  # noqa: S608 (column names read from the schema)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_REMOVING} AS "  # noqa: S608 (a constant name)
                "SELECT unnest($ids::VARCHAR[]) AS article_id", {"ids": sorted(removing)})
    clearing = _clearing(con)
    if clearing and only_additions:
        raise SpareUnusable(f"the last build changed or removed articles the spare holds "
                            f"({clearing}); deleting their rows costs more than copying the "
                            "live file")
    if clearing:
        _clear_ahead(con)
    con.begin()
    for table in ARTICLE_TABLES:
        _copy_stale_rows(con, table)
    for table, key in KEYED_TABLES.items():
        warehouse.replace_differing_rows(con, table, f'{LIVE_ALIAS}."{table}"', key)
    _copy_whole_tables(con, with_marts)


def _copy_stale_rows(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Copy into the spare's `table` the live file's rows of the articles in `STALE_TABLE`,
    less those the build replaces (read from the first stale row on:
    `warehouse.of_listed_articles`)."""
    live = f'{LIVE_ALIAS}."{table}"'
    con.execute(f"""
        INSERT INTO main."{table}" SELECT * FROM {live}
        WHERE {warehouse.of_listed_articles(live, STALE_TABLE)}
          AND article_id NOT IN (SELECT article_id FROM {_REMOVING})
    """).fetchall()  # noqa: S608 (constant names and a table of ARTICLE_TABLES)


def _clearing(con: duckdb.DuckDBPyConnection) -> int:
    """How many articles the spare holds and will not keep (`_clear_ahead` deletes them)."""
    return int(con.execute(f"""
        SELECT count(*) FROM main.articles
        WHERE article_id IN (SELECT article_id FROM {STALE_TABLE}
                             UNION ALL SELECT article_id FROM {_REMOVING})
    """).fetchall()[0][0])  # noqa: S608 (constant names)


def _clear_ahead(con: duckdb.DuckDBPyConnection) -> None:
    """Delete from the spare, before the build's transaction, the rows of the articles it holds
    and will not keep: those that differ from the live file's (`STALE_TABLE`) and those the
    build replaces (`_REMOVING`); one table at a time, each committed and checkpointed.

    DuckDB keeps 16 KiB of delete markers for every vector (2,048 rows) a transaction deletes
    from, until the file is checkpointed. The search postings are sorted by term, so the rows
    of a few hundred older articles touch nearly every vector of them: at 100,000 articles
    about 560 MB when 914 older files had changed, which the build's transaction (640 MB,
    `warehouse.BUILD_MEMORY_LIMIT`) could not hold; it ran out of memory and the whole folder
    was read again. Now each table's markers are let go before the next table, and a table
    whose markers would not fit `row_deletes.MARKER_BUDGET_BYTES` is written again without the
    rows instead.

    The first of these transactions marks the spare part-way (`PARTIAL_KEY`): a build that
    stops before its own commit leaves a spare no build uses (`_check_alike`); the live file is
    copied instead, and that build's seal, which writes `warehouse_info` afresh, drops the mark.
    """
    def let_go() -> None:
        """Commit what was deleted, and checkpoint: DuckDB drops its markers then."""
        con.commit()
        con.execute("CHECKPOINT").fetchall()
        con.begin()

    con.begin()
    con.execute("INSERT OR REPLACE INTO main.warehouse_info VALUES ($key, $why)",
                {"key": PARTIAL_KEY, "why": "a build stopped after deleting the rows of the "
                 "articles it replaced"}).fetchall()
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _spare_clearing AS
        SELECT article_id FROM {STALE_TABLE} UNION SELECT article_id FROM {_REMOVING}
    """).fetchall()  # noqa: S608 (constant names)
    let_go()
    search_index.remove_from_search_index(con, "_spare_clearing", after_each=let_go)
    for table in ARTICLE_TABLES:
        row_deletes.delete_rows(con, table,
                                "article_id IN (SELECT article_id FROM _spare_clearing)")
        let_go()
    con.commit()


def sync_facts_with_live(con: duckdb.DuckDBPyConnection) -> None:
    """Bring the spare level with the live file for a change of the reviewed facts alone;
    called outside a transaction, it returns inside the one the change is written in.

    When both files name the same article build (`ARTICLES_BUILD_KEY`), the spare is the
    generation before a correction (or a copy of the live file): its article tables, stories,
    search index and marts are the live file's, less what corrections change, so only the
    small tables are copied whole (reviewed facts, corrections, runs, reference tables); the
    marts built from reviewed facts are rebuilt by the caller (`marts.fact_update_plan`).

    Otherwise the spare is the generation before an incremental build (the first correction
    after one). When that build only added articles, the spare is brought level as the next
    build would bring it (`sync_with_live`, the marts copied too) and the articles it caught up
    on are indexed for search: the work follows what the build added, not the warehouse's
    size (at 100,000 articles after a +1% build, 7.3 s to apply a confirmation against 22.6 s
    copying the live file). When it changed or removed articles the spare holds, deleting
    their rows would rewrite most of the search postings (after 979 older files were edited, a
    confirmation took 39.6 s to reach the chart that way; copying, 13.9 s in an earlier run),
    so `SpareUnusable` is raised and the live file is copied. Raises it too, before writing
    anything, when the two files were not built alike.
    """
    _check_alike(con)
    query = "SELECT value FROM {}.warehouse_info WHERE key = $key"
    spare, live = (con.execute(query.format(name), {"key": ARTICLES_BUILD_KEY}).fetchall()
                   for name in ("main", LIVE_ALIAS))
    if not live:
        raise SpareUnusable("the live file names no article build")
    if spare == live:
        con.begin()
        _copy_whole_tables(con, with_marts=False)
        return
    sync_with_live(con, with_marts=True, only_additions=True)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _spare_caught_up AS
        SELECT article_id FROM {STALE_TABLE}
        WHERE article_id IN (SELECT article_id FROM main.articles)
    """).fetchall()  # noqa: S608 (constant names)
    if con.execute("SELECT count(*) FROM _spare_caught_up").fetchall()[0][0]:
        search_index.add_to_search_index(con, "_spare_caught_up")


def _check_alike(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse a spare built by another schema, extractor or from another folder."""
    query = "SELECT key, value FROM {}.warehouse_info WHERE key IN (SELECT unnest($keys))"
    spare = dict(con.execute(query.format("main"), {"keys": list(MATCHING_INFO)}).fetchall())
    live = dict(con.execute(query.format(LIVE_ALIAS), {"keys": list(MATCHING_INFO)}).fetchall())
    if len(live) != len(MATCHING_INFO) or spare != live:
        raise SpareUnusable("the spare was built by other code or from another folder")
    partial = con.execute("SELECT value FROM main.warehouse_info WHERE key = ?",
                          [PARTIAL_KEY]).fetchall()
    if partial:
        raise SpareUnusable(f"the spare holds no whole generation: {partial[0][0]}")


def _copy_whole_tables(con: duckdb.DuckDBPyConnection, with_marts: bool) -> None:
    """Replace each of the spare's `_whole_tables` by the live file's."""
    for table in _whole_tables(con, with_marts):
        con.execute(f'DELETE FROM main."{table}"').fetchall()  # noqa: S608
        con.execute(f'INSERT INTO main."{table}" '  # noqa: S608
                    f'SELECT * FROM {LIVE_ALIAS}."{table}"').fetchall()


def _whole_tables(con: duckdb.DuckDBPyConnection, with_marts: bool) -> list[str]:
    """The live file's tables copied whole: all but article tables, keyed tables, search index
    and (unless `with_marts`) marts."""
    skipped = {*ARTICLE_TABLES, *KEYED_TABLES, *search_index.SEARCH_TABLES,
               *(() if with_marts else marts.MART_TABLES)}
    return [name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? "
        "AND schema_name = 'main' ORDER BY table_name", [LIVE_ALIAS]).fetchall()
        if name not in skipped]
