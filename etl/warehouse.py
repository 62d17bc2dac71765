"""Writing the DuckDB warehouse: schema, batched loads and the atomic swap of a finished build.

A build never writes into the live file. It fills a new file beside it, validates it, and
replaces the live file with one `os.replace`, so a dashboard holding the old file open keeps
reading a complete warehouse and an interrupted build leaves the previous one untouched. The
file a swap replaces may be kept as the spare generation (`spare_path`), which the next
incremental build updates instead of copying the live file (`etl/spare.py`).
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import duckdb

from etl import marts
from etl.limits import EARLIEST_YEAR, LATEST_YEAR, YEARS_HELD_TEXT
from etl.model import Problem

if TYPE_CHECKING:
    import pyarrow as pa

# 2: the full-text search index (search_* tables and tokenising macros).
# 3: source_files / source_records for incremental builds; no primary key on sentences.
# 4: events and memberships carry rule, confidence, initiative_sentence_no; evidence_scale;
#    candidate_initiatives.
# 5: the marts (facet_* tables, etl/marts/) built by every build.
# 7: analysts' corrections: corrections, reviewed_events, reviewed_memberships; the marts
#    curated_events, curated_memberships; review columns in facet_events / facet_memberships.
# 8: curated_events, curated_memberships and article_event_years are views.
# A changed schema changes the extractor signature (etl/incremental.py), so the next build is
# a full one: an older warehouse is rebuilt, never altered in place.
# 10: syndicated copies: article_signatures, stories; facet_articles.story_no / is_canonical.
# 11: facet_sentence_themes (a theme's example sentences read by article number);
#     facet_articles.also_in.
# 12: search_postings.start_char / end_char: a page of hits needs no lookup of its sentences.
# 13: article_themes.examples (each article's best example sentences of a theme) in place of
#     the mart facet_sentence_themes: a theme's citations are read from facet_theme_examples;
#     initiative_themes (sentences naming an initiative and carrying a theme, per article).
SCHEMA_VERSION = "13"

# Memory DuckDB may use while building; past it, it spills to a folder beside the file. Most of
# what it takes under the limit is its cache of the blocks it read or wrote; the build process
# holds about 550 MB of its own beside it at 100,000 articles (the folder's listing, every
# article's holders and file state), so 640 MB keeps a build at 100,000 articles near 1.4 GB
# (docs/scaling.md). With 1 GB it reached 1.7-1.8 GB and was under a second faster on a +1%.
BUILD_MEMORY_LIMIT = "640MB"
# ... and while a full build appends the workers' batches, when the workers hold theirs beside
# it. Appending needs little; under the build limit the cache of written blocks grew with the
# corpus (600 MB at 100,000 articles).
LOAD_MEMORY_LIMIT = "256MB"

# Tables whose content is a pure function of the input (compared by the reproducibility test).
CONTENT_TABLES = (
    "articles",
    "article_raw",
    "article_signatures",
    "stories",
    "initiatives",
    "themes",
    "sentences",
    "mentions",
    "date_mentions",
    "events",
    "memberships",
    "sentence_themes",
    "article_themes",
    "initiative_themes",
    "candidate_initiatives",
    "membership_reference",
    "evidence_scale",
    "event_types",
    "membership_kinds",
    "search_articles",
    "search_documents",
    "search_mentions",
    "search_postings",
    "search_terms",
    "search_stats",
    "corrections",
    "reviewed_events",
    "reviewed_memberships",
)


class WarehouseError(Exception):
    """The warehouse could not be written or failed validation; the previous one is untouched."""


class BuildInProgress(WarehouseError):
    """Another build holds the lock on this warehouse."""


@dataclass(frozen=True)
class ValidationIssue:
    table: str
    problem: str


def schema_sql() -> str:
    """The warehouse schema, shipped as `etl/schema.sql`."""
    return resources.files("etl").joinpath("schema.sql").read_text(encoding="utf-8")


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table and view; safe to run on a warehouse that already has them."""
    con.execute(schema_sql())


def staging_path(db_path: Path) -> Path:
    """Where a build in this process writes before the swap (unique per process)."""
    return db_path.with_name(f"{db_path.name}.building-{os.getpid()}")


def spare_path(db_path: Path) -> Path:
    """Where the generation a swap retired is kept for the next incremental build."""
    return db_path.with_name(f"{db_path.name}.spare")


def _retiring_path(db_path: Path) -> Path:
    """The second name the live file gets while a swap makes it the spare."""
    return db_path.with_name(f"{db_path.name}.retiring")


def remove_stale_staging(db_path: Path) -> list[Path]:
    """Delete leftovers of interrupted builds whose process is gone; returns what was removed.

    Called under the build lock, so a `.retiring` name is a swap's leftover (a second name of a
    file that is live or spare) and goes too.
    """
    _retiring_path(db_path).unlink(missing_ok=True)
    shutil.rmtree(f"{spare_path(db_path)}.tmp", ignore_errors=True)
    removed = []
    for candidate in db_path.parent.glob(f"{db_path.name}.building-*"):
        pid_text = candidate.name.rsplit("-", 1)[-1].split(".")[0]
        if pid_text.isdigit() and _process_alive(int(pid_text)) and int(pid_text) != os.getpid():
            continue
        if candidate.is_dir():
            shutil.rmtree(candidate, ignore_errors=True)
        else:
            candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def build_lock(db_path: Path) -> Iterator[None]:
    """Hold an exclusive lock for the duration of a build so two builds never race on one file."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_file = db_path.with_name(f"{db_path.name}.lock")
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildInProgress(
                f"another build of {db_path} is running; wait for it to finish and try again"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


T = TypeVar("T")


def wait_for_lock(
    build: Callable[[], T], wait_seconds: float, on_wait: Callable[[], None] | None = None
) -> T:
    """Run `build`, trying again while another build holds the lock, for up to `wait_seconds`.

    `on_wait` is called each time the lock is found taken and there is time left; when the
    time is up the last `BuildInProgress` is raised. The build's own errors pass through.
    """
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        try:
            return build()
        except BuildInProgress:
            if time.monotonic() >= deadline:
                raise
            if on_wait is not None:
                on_wait()
            time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))


@functools.cache
def declared_columns() -> dict[str, pa.Schema]:
    """Every table of `schema.sql` as the Arrow schema DuckDB gives its columns.

    `schema.sql` is the one place a column is declared: rows bound for the warehouse are typed
    from it (`rows_table`) and inserted by column name (`load_table`). Read once per process
    from an empty in-memory database.
    """
    with duckdb.connect() as con:
        con.execute(schema_sql())
        tables = [row[0] for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND NOT temporary"
        ).fetchall()]
        return {
            table: con.sql(f'SELECT * FROM "{table}" LIMIT 0').to_arrow_table().schema  # noqa: S608
            for table in tables
        }


def rows_table(table: str, rows: Sequence[Mapping[str, object]]) -> pa.Table:
    """`rows` (column name -> value) as an Arrow table typed as `schema.sql` declares `table`.

    The table has the columns the rows give (all rows give the same ones), so a column they
    leave out gets its default when loaded; a key that is no column of the table is refused, so
    a value is never dropped silently.
    """
    schema = declared_columns()[table]
    if not rows:
        return schema.empty_table()
    given = set(rows[0])
    if unknown := given - set(schema.names):
        raise ValueError(
            f"{table} has no column {', '.join(sorted(unknown))}; declare it in etl/schema.sql"
        )
    import pyarrow as pa  # on use (see the top of `etl.prepare`)

    columns = [column for column in schema if column.name in given]
    return pa.Table.from_pylist(list(rows), schema=pa.schema(columns))


def load_table(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    """Bulk-insert an Arrow table into `table`, matching columns by name."""
    if data.num_rows == 0:
        return
    con.register("_incoming", data)
    try:
        columns = ", ".join(f'"{name}"' for name in data.column_names)
        con.execute(f'INSERT INTO "{table}" ({columns}) SELECT {columns} FROM _incoming').fetchall()  # noqa: S608
    finally:
        con.unregister("_incoming")


def replace_differing_rows(con: duckdb.DuckDBPyConnection, table: str, source: str,
                           key: str) -> int:
    """Make `table` hold exactly the rows of `source` (a table or view with the same columns
    in the same order) by rewriting only the keys whose rows differ; returns how many keys.

    Every row of a `key` value (NOT NULL) that either side holds differently, or more often,
    is deleted and the source's rows of that key inserted; the other rows are not touched.
    Replacing a table whole instead sends every row through the write-ahead log again at
    commit: at 100,000 articles, seconds for a table of one row per article of which a build
    changes a few hundred.
    """
    changed = con.sql(f"""
        SELECT DISTINCT "{key}" FROM (
            (SELECT * FROM "{table}" EXCEPT ALL SELECT * FROM {source})
            UNION ALL
            (SELECT * FROM {source} EXCEPT ALL SELECT * FROM "{table}"))
    """).to_arrow_table()  # noqa: S608 (names from the code, not from data)
    if changed.num_rows == 0:
        return 0
    con.register("_changed_keys", changed)
    try:
        con.execute(f'DELETE FROM "{table}" WHERE "{key}" IN '  # noqa: S608
                    f'(SELECT "{key}" FROM _changed_keys)').fetchall()
        con.execute(f'INSERT INTO "{table}" SELECT * FROM {source} '  # noqa: S608
                    f'WHERE "{key}" IN (SELECT "{key}" FROM _changed_keys)').fetchall()
    finally:
        con.unregister("_changed_keys")
    return changed.num_rows


@dataclass(frozen=True)
class ContentRule:
    """A rule on what an article says. A row breaking it is left out of the warehouse with a
    problem line naming its file; it never fails the build (`reject_rows`)."""

    table: str
    breaks: str  # SQL condition, over the table's columns, true for a row that breaks the rule
    describe: str  # SQL expression naming the row for the analyst
    consequence: str  # what was done, in words
    repair: str | None = None  # SQL SET clause that mends the row instead of removing it


_YEARS = f"BETWEEN {EARLIEST_YEAR} AND {LATEST_YEAR}"

CONTENT_RULES = (
    ContentRule(
        "events",
        f"year NOT {_YEARS} OR end_year NOT {_YEARS}",
        "format('the event dated ''{}'' in sentence {}', date_text, sentence_no)",
        f"is outside {YEARS_HELD_TEXT}, the years the warehouse holds, so it was left out",
    ),
    ContentRule(
        "articles",
        f"year(published) NOT {_YEARS}",
        "format('the publication date {}', published)",
        f"is outside {YEARS_HELD_TEXT}, the years the warehouse holds, so it was left unknown",
        repair="published = NULL, published_precision = NULL, date_source = 'unknown'",
    ),
    ContentRule(
        "events",
        "sentence = ''",
        "format('the event in sentence {}', sentence_no)",
        "has no sentence to show as evidence, so it was left out",
    ),
    ContentRule(
        "memberships",
        "count <= 0",
        "format('the membership figure ''{}'' in sentence {}', count_text, sentence_no)",
        "is not a positive count, so it was left out",
    ),
    ContentRule(
        "memberships",
        f"year NOT {_YEARS}",
        "format('the membership figure ''{}'' dated {} in sentence {}', count_text, year, "
        "sentence_no)",
        f"is outside {YEARS_HELD_TEXT}, the years the warehouse holds, so it was left out",
    ),
)


def of_listed_articles(table: str, listed: str) -> str:
    """A condition on the rows of `table` (column `article_id`): those of the articles listed
    in table `listed` (column `article_id`); both names are the caller's constants.

    A semi-join on a hashed id lets DuckDB skip no row group, so a statement keeping a few
    articles' rows read every row's text (at 100,000 articles about a second for the raw
    texts alone). The articles a build adds sit together at the end of every table, so the
    scan is bounded by the first listed row: about 20 ms then. Rows spread out bound it at
    the table's start, and the condition keeps the same rows either way.
    """
    return (f"rowid >= (SELECT coalesce(min(rowid), 0) FROM {table} "  # noqa: S608
            f"WHERE article_id IN (SELECT article_id FROM {listed})) "
            f"AND article_id IN (SELECT article_id FROM {listed})")


def reject_rows(con: duckdb.DuckDBPyConnection, only: str | None = None) -> list[Problem]:
    """Remove (or mend) every row breaking a `CONTENT_RULES` rule; a warning per row names its
    file. `only` names a table (column `article_id`) of the articles whose rows to look at:
    an incremental build's new ones (the rest passed when they were loaded).

    One article's odd content ('first held in 1850') must cost that row, not the build.
    """
    problems: list[Problem] = []
    scope = "" if only is None else f" AND article_id IN (SELECT article_id FROM {only})"  # noqa: S608
    for rule in CONTENT_RULES:
        breaks = f"({rule.breaks}){scope}"
        rows = con.execute(
            f"SELECT a.source_file, a.record_no, bad.what FROM "  # noqa: S608 (constant rules)
            f'(SELECT article_id, {rule.describe} AS what FROM "{rule.table}" '
            f"WHERE {breaks}) AS bad JOIN articles AS a USING (article_id) "
            f"ORDER BY a.source_file, a.record_no, bad.what"
        ).fetchall()
        problems += [
            Problem(source_file, f"{what} {rule.consequence}", record_no, severity="warning")
            for source_file, record_no, what in rows
        ]
        if rule.repair is None:
            con.execute(f'DELETE FROM "{rule.table}" WHERE {breaks}').fetchall()  # noqa: S608
        else:
            con.execute(
                f'UPDATE "{rule.table}" SET {rule.repair} WHERE {breaks}'  # noqa: S608
            ).fetchall()
    return problems


# Tables a correction changes: all that is checked again when only corrections are applied.
REVIEWED_CHECKS = ("reviewed_events", "reviewed_memberships")


def validate(con: duckdb.DuckDBPyConnection,
             tables: Sequence[str] | None = None,
             new_articles: str | None = None) -> list[ValidationIssue]:
    """Rules a finished build must satisfy before it replaces the live warehouse (the rules of
    `tables` only, if given).

    The structural rules below hold whatever the articles say (a failure is a fault of the
    build); `CONTENT_RULES` are checked too, but `reject_rows` has removed their breakers.
    `new_articles` names a table of the ids of the articles whose rows this build wrote (an
    incremental build; the others passed when they were written): sentence numbers are then
    checked for repeats among those articles only, which over every sentence is a distinct
    count of millions of pairs (2.4 s at 100,000 articles).
    """
    own = "" if new_articles is None else (
        f" WHERE article_id IN (SELECT article_id FROM {new_articles})")  # noqa: S608
    checks: dict[str, list[tuple[str, str]]] = {
        "sentences": [
            (
                "sentence number repeated within an article",
                "SELECT count(*) - count(DISTINCT (article_id, sentence_no)) "  # noqa: S608
                f"FROM sentences{own}",
            ),
            (
                "sentence without a known article",
                "SELECT count(*) FROM sentences WHERE article_id NOT IN "
                "(SELECT article_id FROM articles)",
            ),
        ],
        "stories": [
            (
                "article without its story (or in more than one)",
                "SELECT (SELECT count(*) FROM articles ANTI JOIN stories USING (article_id)) "
                "+ (SELECT count(*) - count(DISTINCT article_id) FROM stories) "
                "+ (SELECT count(*) FROM stories ANTI JOIN articles USING (article_id))",
            ),
            (
                "story whose canonical article is not its one canonical member",
                "SELECT count(*) FROM (SELECT story_id, count(*) FILTER (WHERE is_canonical) "
                "AS canonical, bool_or(is_canonical AND article_id = story_id) AS named "
                "FROM stories GROUP BY story_id) WHERE canonical <> 1 OR NOT named",
            ),
            (
                "article without its signature",
                "SELECT count(*) FROM articles ANTI JOIN article_signatures USING (article_id)",
            ),
        ],
        "events": [
            (
                "event without a known article",
                "SELECT count(*) FROM events WHERE article_id NOT IN "
                "(SELECT article_id FROM articles)",
            ),
            (
                "event without a known initiative",
                "SELECT count(*) FROM events WHERE initiative_id NOT IN "
                "(SELECT initiative_id FROM initiatives)",
            ),
        ],
        "memberships": [
            (
                "membership without a known article",
                "SELECT count(*) FROM memberships WHERE article_id NOT IN "
                "(SELECT article_id FROM articles)",
            ),
            (
                "membership without a known initiative",
                "SELECT count(*) FROM memberships WHERE initiative_id NOT IN "
                "(SELECT initiative_id FROM initiatives)",
            ),
        ],
        **{table: [
            (
                "reviewed fact without a known article",
                f"SELECT count(*) FROM {table} WHERE article_id NOT IN "  # noqa: S608
                "(SELECT article_id FROM articles)",
            ),
            (
                "reviewed fact without a known initiative",
                f"SELECT count(*) FROM {table} WHERE initiative_id NOT IN "  # noqa: S608
                "(SELECT initiative_id FROM initiatives)",
            ),
        ] for table in REVIEWED_CHECKS},
        "mentions": [
            (
                "mention without a known initiative",
                "SELECT count(*) FROM mentions WHERE initiative_id NOT IN "
                "(SELECT initiative_id FROM initiatives)",
            ),
        ],
        "article_themes": [
            (
                "theme not in the taxonomy",
                "SELECT count(*) FROM article_themes WHERE theme NOT IN (SELECT theme FROM themes)",
            ),
        ],
    }
    for rule in CONTENT_RULES:
        checks.setdefault(rule.table, []).append(
            (
                f"rows breaking '{rule.breaks}'",
                f'SELECT count(*) FROM "{rule.table}" WHERE {rule.breaks}',  # noqa: S608
            )
        )
    issues = []
    for table, rules in checks.items():
        if tables is not None and table not in tables:
            continue
        for problem, sql in rules:
            bad = con.execute(sql).fetchall()[0][0]
            if bad:
                issues.append(ValidationIssue(table, f"{bad} rows: {problem}"))
    return issues


def previous_runs(db_path: Path) -> dict[str, pa.Table]:
    """Run history of the live warehouse, carried into the next build so it is never lost."""
    if not db_path.exists():
        return {}
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return {
                table: con.sql(f'SELECT * FROM "{table}"').to_arrow_table()  # noqa: S608
                for table in ("etl_runs", "load_problems")
            }
    except duckdb.Error:
        return {}


@contextlib.contextmanager
def memory_limit(con: duckdb.DuckDBPyConnection, limit: str) -> Iterator[None]:
    """DuckDB's memory limit lowered to `limit` for the block, then back at the build's
    (`BUILD_MEMORY_LIMIT`, which `open_build_file` sets). Both are this module's constants.

    Not for a block inside a transaction: when DuckDB cannot free enough to meet `limit`, the
    `SET` fails, and a failed statement aborts the transaction."""
    con.execute(f"SET memory_limit = '{limit}'").fetchall()
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = '{BUILD_MEMORY_LIMIT}'").fetchall()


def open_build_file(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to a warehouse file being built, with the build's settings and
    the schema applied."""
    spill = Path(f"{path}.tmp")
    con = duckdb.connect(
        str(path), config={"memory_limit": BUILD_MEMORY_LIMIT, "temp_directory": str(spill)}
    )
    # no progress bar on the terminal of a command whose output is a summary or JSON
    con.execute("SET enable_progress_bar = false").fetchall()
    apply_schema(con)
    return con


def swap_in(path: Path, db_path: Path, *, keep_spare: bool = False) -> None:
    """Make the finished, closed warehouse file `path` the live one in one `os.replace`.

    With `keep_spare` the file it replaces becomes the spare (`spare_path`) instead of being
    deleted: it gets a second name before the swap, so the live name never names anything but
    a complete warehouse, and that name then replaces the spare.
    """
    _fsync(path)
    retiring = _retiring_path(db_path)
    retiring.unlink(missing_ok=True)
    kept = keep_spare and db_path.exists()
    if kept:
        os.link(db_path, retiring)
    os.replace(path, db_path)
    _fsync_dir(db_path.parent)
    if kept:
        spare = spare_path(db_path)
        Path(f"{spare}.wal").unlink(missing_ok=True)
        os.replace(retiring, spare)


@contextlib.contextmanager
def staging(
    db_path: Path, *, copy_live: bool = False, keep_spare: bool = False,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new warehouse file beside `db_path`, swapped in when the block ends.

    The new file starts empty with the schema applied, or as a copy of the live warehouse
    (`copy_live`, for an incremental build that has no usable spare). When the block ends
    normally the file is checkpointed, synced and renamed over `db_path` in one `os.replace`
    (`swap_in`; with `keep_spare` the replaced file becomes the spare); on any error it is
    removed and the live warehouse is left as it was. Call `seal` inside the block: it
    validates and stamps the build.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    path = staging_path(db_path)
    spill = Path(f"{path}.tmp")
    _remove_staging(path)
    con: duckdb.DuckDBPyConnection | None = None
    try:
        if copy_live:
            shutil.copyfile(db_path, path)
        con = open_build_file(path)
        yield con
        con.execute("CHECKPOINT")
        con.close()
        con = None
        swap_in(path, db_path, keep_spare=keep_spare)
    except BaseException:
        if con is not None:
            con.close()
        _remove_staging(path)
        raise
    finally:
        shutil.rmtree(spill, ignore_errors=True)


def _remove_staging(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def seal(con: duckdb.DuckDBPyConnection, info: Mapping[str, str],
         fact_plan: Sequence[tuple[str, str]] | None = None,
         new_articles: str | None = None, *, in_place: bool = True) -> list[tuple[str, str]]:
    """Build the marts (`etl/marts/`), validate the finished build, record `info`; what
    `marts.apply_plan` did to each mart of a `fact_plan` (empty when every mart was built;
    `in_place` as there).

    Every build, full or incremental, goes through here, so the dashboard always finds the
    marts of the tables beside them. Applying corrections alone changes only the reviewed
    facts, so it rebuilds or refreshes and checks only the marts built from them (`fact_plan`,
    from `marts.fact_update_plan`) and the reviewed tables. `new_articles`: as in `validate`.
    Raises `WarehouseError` listing every failed rule; the build's `staging` block then removes
    the file and the live warehouse stays.
    """
    done: list[tuple[str, str]] = []
    if fact_plan is None:
        marts.build_marts(con)
    else:
        done = marts.apply_plan(con, fact_plan, in_place=in_place)
    # the marts are checked once the tables they derive from pass, so a fault is reported
    # where it lies, not again in every mart built on it
    base = validate(con, REVIEWED_CHECKS if fact_plan is not None else None, new_articles)
    issues = base or [ValidationIssue(table, problem)
                      for table, problem in marts.validate_marts(
                          con, None if fact_plan is None else [t for t, _ in fact_plan])]
    if issues:
        details = "; ".join(f"{i.table}: {i.problem}" for i in issues)
        raise WarehouseError(f"the new warehouse failed validation ({details})")
    con.execute("DELETE FROM warehouse_info").fetchall()
    con.executemany(
        "INSERT INTO warehouse_info VALUES (?, ?)",
        [("schema_version", SCHEMA_VERSION), *sorted(info.items())],
    )
    return done


def fsync_file(path: Path) -> None:
    """Flush a file's data to disk (before it is renamed into place)."""
    _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_info(db_path: Path) -> dict[str, str]:
    """The `warehouse_info` of an existing warehouse, or {} if missing or unreadable."""
    if not db_path.exists():
        return {}
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
    except duckdb.Error:
        return {}
