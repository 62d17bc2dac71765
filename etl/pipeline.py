"""One build: read the article folder, clean, extract in parallel, and write the warehouse.

This module wires the stages together; each stage lives in its own module and knows nothing of
the others: `sources` (files -> records), `normalize` (text -> clean text), `extract` (clean text
-> facts), `prepare` (one batch of files -> table rows), `warehouse` (rows -> DuckDB file),
`search_index` (sentences -> full-text index), `incremental` (what changed since the last build).

A full build streams: batches of files go to worker processes, and each batch's rows are
appended to the new warehouse file as they come back, so memory stays flat however many
articles there are. An incremental build reads only new and changed files and applies the
difference to a copy of the live warehouse. Either way the new file replaces the live one only
when it is complete and valid.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl import (
    cluster,
    corrections,
    freshness,
    incremental,
    intake,
    prepare,
    search_index,
    shards,
    spare,
    warehouse,
)
from etl.fetch.tables import load_fetch_tables
from etl.model import Problem
from etl.prepare import ARTICLE_TABLES, Batch, FileJob, FileState
from etl.settings import Settings
from etl.sources.discover import folder_contents
from etl.sources.folder import FolderListing
from etl.sources.manifest import MANIFEST_NAME, read_manifest, unmatched_manifest_rows
from etl.vocabulary import load_vocabulary
from etl.workers import read_batches

if TYPE_CHECKING:
    import pyarrow as pa

    from etl import extract

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)

# An incremental build holds the rows of every file it reads again and applies them in one
# transaction; past this share of the folder (and this many files) a full build, which
# streams, is both faster and flat in memory (an incremental build must never need more memory
# than a full one).
DELTA_MAX_SHARE = 0.1
DELTA_MIN_FILES = 1000

# Articles whose rows the build holds before inserting them (about 40 MB of rows).
FLUSH_ARTICLES = 2000


class NothingToBuild(warehouse.WarehouseError):
    """No article could be loaded, so the previous warehouse is kept."""


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and the `etl_runs` table."""

    run_id: str
    db_path: Path
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    files_seen: int = 0
    articles_loaded: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, same article as file)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    status: str = "running"
    # incremental builds: articles whose stored rows were kept, articles extracted afresh, and
    # why the others could not be kept ('' when every unchanged article was)
    articles_reused: int = 0
    articles_extracted: int = 0
    reuse_note: str = ""
    # every loaded article as (source file, record number or None, article id), in build order
    loaded: list[tuple[str, int | None, str]] = field(default_factory=list)
    # files read in this build (all of them for a full build, the changed ones otherwise)
    files_read: int = 0
    # incremental builds: why the live file was copied instead of updating the spare ('' when
    # the spare was updated)
    spare_note: str = ""
    # nothing changed since the live warehouse was built, so nothing was written (the figures
    # are the live warehouse's; `run_id` is its build)
    up_to_date: bool = False

    @property
    def files_failed(self) -> int:
        return len({p.source_file for p in self.problems if p.severity == "error"})

    def messages(self) -> list[str]:
        return [p.message() for p in self.problems] + [
            f"{dup}: skipped, same article as {original}" for dup, original in self.duplicates
        ]


def label(source_file: str, record_no: int | None) -> str:
    """How a record is named in messages: 'file', or 'file#n' for a record of a .csv/.jsonl."""
    return source_file if record_no is None else f"{source_file}#{record_no}"


def _holder_order(holder: incremental.Holder) -> tuple[str, int]:
    """Reading order of records: by file name, then record number (a full build's order)."""
    return holder[0], holder[1] or 0


# --- the files to read (read in batches by `etl.workers`) -------------------------------------


def file_jobs(articles_dir: Path, listing: FolderListing | None = None
              ) -> tuple[list[FileJob], list[Problem]]:
    """Every candidate file with its manifest row; the manifest's and the folder's problems
    (`listing`: as in `folder_contents`)."""
    manifest, problems = read_manifest(articles_dir)
    entries, folder_problems = folder_contents(articles_dir, listing)
    problems.extend(folder_problems)
    jobs = [FileJob(entry.path, entry.relative, manifest.get(entry.relative)) for entry in entries]
    problems.extend(unmatched_manifest_rows(manifest, {job.relative for job in jobs}))
    return jobs, problems


# --- writing batches into the new warehouse -------------------------------------------------


class Loader:
    """Appends batches to a warehouse being built, loading each article once.

    The first record (in reading order) that holds an article is its original: its rows are
    loaded; later records holding the same text are duplicates, listed in `holders` and later in
    the original's `duplicate_files`.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.holders: dict[str, list[incremental.Holder]] = defaultdict(list)
        self.loaded: list[str] = []  # article ids, in loading order
        self.loaded_set: set[str] = set()
        self.files: list[prepare.FileState] = []
        self.problems: list[Problem] = []
        # rows not yet inserted: a few large inserts are written straight to the file, many
        # small ones go through the write-ahead log first and are written twice
        self.pending: dict[str, list[pa.Table]] = defaultdict(list)
        self.pending_articles = 0

    def add(self, batch: Batch, originals: dict[str, str] | None = None) -> list[str]:
        """Load a batch's articles not loaded before, and remember who holds what; returns the
        articles this batch loads.

        `originals` (article id -> the file of its first holder) is for batches that do not come
        in reading order: an article is then loaded only from the batch holding that file.
        """
        import pyarrow as pa  # on use (see the top of `etl.prepare`)
        import pyarrow.compute as pc

        self.files.extend(batch.files)
        self.problems.extend(batch.problems)
        fresh: list[str] = []
        here = {state.source_file for state in batch.files}
        for source_file, record_no, article_id in batch.holders:
            first = article_id not in self.holders if originals is None else (
                originals.get(article_id) in here and article_id not in self.loaded_set)
            if first and article_id not in fresh:
                fresh.append(article_id)
            self.holders[article_id].append((source_file, record_no))
        self.loaded_set.update(fresh)
        self.loaded.extend(fresh)
        keep = pa.array(fresh, type=pa.string())
        for name in ARTICLE_TABLES:
            table = batch.tables.get(name)
            if table is None or table.num_rows == 0:
                continue
            if len(fresh) < len(set(batch.tables["articles"]["article_id"].to_pylist())):
                table = table.filter(pc.is_in(table["article_id"], value_set=keep))
            self.pending[name].append(table)
        self.pending_articles += len(fresh)
        if self.pending_articles >= FLUSH_ARTICLES:
            self.flush()
        return fresh

    def flush(self) -> None:
        """Insert the rows held back so far, one statement per table."""
        import pyarrow as pa  # on use (see the top of `etl.prepare`)

        for name, tables in self.pending.items():
            if tables:
                warehouse.load_table(self.con, name, pa.concat_tables(tables))
        self.pending = defaultdict(list)
        self.pending_articles = 0

    def write_bookkeeping(self) -> None:
        """The `source_files` and `source_records` rows of every file this loader read."""
        self.flush()
        warehouse.load_table(self.con, "source_files", warehouse.rows_table(
            "source_files", [vars(state) for state in self.files]))
        rows = [
            {"source_file": f, "record_no": r, "article_id": a}
            for a, holders in self.holders.items()
            for f, r in holders
        ]
        warehouse.load_table(self.con, "source_records",
                             warehouse.rows_table("source_records", rows))


def set_duplicate_files(
    con: duckdb.DuckDBPyConnection,
    holders: dict[str, list[incremental.Holder]],
    every: bool = False,
) -> None:
    """Fill `articles.duplicate_files` of every article held by more than one record.

    With `every`, articles held once are set too (to no files): an incremental build updates
    articles whose repeats were removed. Only rows whose list changes are written: DuckDB
    rewrites a row it updates even to the same value, and an incremental build passes every
    article it touched (0.86 s for 1,000 articles at 100,000, against 0.04 s for the dozen
    that differ). Those rows are found first, reading two columns: DuckDB updates a list
    column by rewriting the row, so an UPDATE reads every column of the rows it scans, the
    text included (at 100,000 articles 0.4 s with its blocks not cached, 1.7-2.9 s under load,
    to change none), and it scans only from the first row that changes
    (`warehouse.of_listed_articles`).
    """
    import pyarrow as pa  # on use (see the top of `etl.prepare`)

    rows = []
    for article_id, held_by in holders.items():
        if len(held_by) > 1 or every:
            ordered = sorted(held_by, key=_holder_order)
            rows.append({"article_id": article_id,
                         "files": [label(f, r) for f, r in ordered[1:]]})
    if not rows:
        return
    con.register("_duplicates", pa.Table.from_pylist(rows, schema=pa.schema(
        [("article_id", pa.string()), ("files", pa.list_(pa.string()))])))
    try:
        con.execute("CREATE OR REPLACE TEMP TABLE _duplicates_changed AS "
                    "SELECT d.article_id, d.files FROM articles AS a JOIN _duplicates AS d "
                    "USING (article_id) WHERE a.duplicate_files IS DISTINCT FROM d.files"
                    ).fetchall()
    finally:
        con.unregister("_duplicates")
    if con.execute("SELECT count(*) FROM _duplicates_changed").fetchall()[0][0]:
        con.execute(
            "UPDATE articles SET duplicate_files = (SELECT c.files FROM _duplicates_changed "  # noqa: S608
            "AS c WHERE c.article_id = articles.article_id) "
            f"WHERE {warehouse.of_listed_articles('articles', '_duplicates_changed')}"
        ).fetchall()
    con.execute("DROP TABLE _duplicates_changed").fetchall()


# --- tables ---------------------------------------------------------------------------------


def reference_tables(
    gazetteer: extract.Gazetteer, themes: extract.ThemeTaxonomy, reference_dir: Path
) -> dict[str, pa.Table]:
    """Initiatives, themes, `<initiative>_membership.csv` series, the evidence scale and the
    shared vocabularies (event types, membership kinds), from the reference files."""
    from etl import extract  # on first use, as in etl.prepare
    initiatives = warehouse.rows_table(
        "initiatives",
        [
            {
                "initiative_id": i.id,
                "name": i.name,
                "acronym": i.acronym,
                "category": i.category,
                "description": i.description,
                "aliases": list(i.aliases),
            }
            for i in gazetteer.initiatives
        ],
    )
    theme_table = warehouse.rows_table(
        "themes",
        [{"theme": t.name, "label": t.label, "description": t.description} for t in themes.themes],
    )
    evidence_scale = warehouse.rows_table(
        "evidence_scale", extract.evidence_scale_rows() + corrections.SCALE_ROWS)
    vocabulary = {name: warehouse.rows_table(name, rows)
                  for name, rows in load_vocabulary().table_rows().items()}
    return {
        "initiatives": initiatives,
        "themes": theme_table,
        "membership_reference": membership_reference_table(reference_dir),
        "evidence_scale": evidence_scale,
        **vocabulary,
    }


def membership_reference_table(reference_dir: Path) -> pa.Table:
    """Sourced membership series shipped as `<initiative id>_membership.csv`.

    Years marked 'unconfirmed' stay NULL: a reference series is never filled in by carrying a
    neighbouring year forward.
    """
    rows = []
    for path in sorted(reference_dir.glob("*_membership.csv")):
        initiative_id = path.name.removesuffix("_membership.csv").upper()
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                count_text = (row.get("member_count") or "").strip()
                confirmed = count_text.isdigit()
                rows.append(
                    {
                        "initiative_id": initiative_id,
                        "year": int(row["year"]),
                        "member_count": int(count_text) if confirmed else None,
                        "confirmed": confirmed,
                        "new_members": row.get("new_members") or None,
                        "source": row.get("source") or None,
                    }
                )
    return warehouse.rows_table("membership_reference", rows)


def run_tables(report: BuildReport) -> dict[str, pa.Table]:
    """This build's row in `etl_runs` and its problems in `load_problems`."""
    runs = warehouse.rows_table(
        "etl_runs",
        [
            {
                "run_id": report.run_id,
                "started_at": report.started_at,
                "finished_at": report.finished_at,
                "files_seen": report.files_seen,
                "articles_loaded": report.articles_loaded,
                "duplicates": len(report.duplicates),
                "files_failed": report.files_failed,
                "messages": report.messages(),
                "status": report.status,
            }
        ],
    )
    problems = warehouse.rows_table(
        "load_problems",
        [
            {
                "run_id": report.run_id,
                "source_file": p.source_file,
                "record_no": p.record_no,
                "severity": p.severity,
                "reason": p.reason,
            }
            for p in report.problems
        ],
    )
    return {"etl_runs": runs, "load_problems": problems}



# --- the build ------------------------------------------------------------------------------


def build_warehouse(
    settings: Settings, progress: ProgressCallback | None = None, reuse: bool = True,
    engine: str = "builtin",
) -> BuildReport:
    """Build the warehouse from `settings.articles_dir` into `settings.db_path`, atomically.

    Files that cannot be read are reported and skipped. With `reuse` (the default) a build
    reads only the files changed since the live warehouse was built and applies the difference
    (`etl.incremental`); the result is the same as a full build. With `engine` "dask" every
    file is extracted on Dask (`etl.cluster`) instead; the result is the same again. Raises
    `NothingToBuild` when no article loads (the previous warehouse is kept), `WarehouseError`
    when the result fails validation and `cluster.EngineUnavailable` when the engine is not
    installed.
    """
    if engine != "builtin":
        cluster.check_available()
    if not settings.articles_dir.is_dir():
        raise NothingToBuild(f"the article folder {settings.articles_dir} does not exist")
    report = BuildReport(
        run_id=uuid.uuid4().hex[:12],
        db_path=settings.db_path,
        started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    with warehouse.build_lock(settings.db_path):
        warehouse.remove_stale_staging(settings.db_path)
        # an `add` killed while saving left its file pending: finish it, so the file loads
        # with the title and date it was given
        intake.complete_interrupted_adds(settings.articles_dir)
        # files are examined from here on: one modified from this moment is compared by
        # content by the next build (`incremental.RACY_WINDOW_NS`)
        scan_started = time.time_ns()
        fresh = freshness.check(settings)
        if reuse and engine == "builtin" and not fresh.stale:
            return _up_to_date(report, settings)
        info = {**fresh.info, incremental.SCANNED_KEY: str(scan_started)}
        # the folder as the check listed and examined it, not listed again
        jobs, folder_problems = file_jobs(settings.articles_dir, fresh.stamp.articles)
        report.files_seen = len(jobs)
        if progress:
            progress("read", 0, report.files_seen)
        previous, report.reuse_note = (
            (None, f"the {engine} engine extracts every file") if engine != "builtin"
            else incremental.previous_build(
                settings.db_path, info[incremental.SIGNATURE_KEY], settings.articles_dir
            )
            if reuse
            else (None, "a full build was asked for")
        )
        changes = None if previous is None else incremental.changed_files(
            jobs, previous, fresh.stamp.states)
        if changes is not None and len(changes.changed) > max(DELTA_MIN_FILES,
                                                              DELTA_MAX_SHARE * len(jobs)):
            report.reuse_note = (f"{len(changes.changed):,} of {len(jobs):,} files are new or "
                                 f"changed, so the whole folder was read again")
            changes = None
        if previous is not None and changes is not None:
            try:
                _delta_build(settings, jobs, folder_problems, previous, changes, report, info,
                             progress)
                return report
            except duckdb.OutOfMemoryException as exc:
                # the change is applied in one transaction, which holds it all; the spare
                # rolled back (or is marked part-way: `spare._clear_ahead`), and a full build
                # streams in flat memory
                report.reuse_note = (f"applying the change in one step ran out of memory "
                                     f"({str(exc).splitlines()[0]}), so the whole folder was "
                                     f"read again")
                report.spare_note = ""
        _full_build(settings, jobs, folder_problems, report, info, progress, engine)
    return report


def _full_build(
    settings: Settings,
    jobs: list[FileJob],
    folder_problems: list[Problem],
    report: BuildReport,
    info: dict[str, str],
    progress: ProgressCallback | None,
    engine: str = "builtin",
) -> None:
    """Read every file and write a new warehouse from nothing (its run history carried over).

    With `engine` "dask" the files are extracted as Dask tasks (`etl.cluster`) that write
    Parquet shards, which DuckDB loads (`etl.shards`); the rest is the same.
    """
    carry_over = warehouse.previous_runs(settings.db_path)
    with warehouse.staging(settings.db_path) as con, contextlib.ExitStack() as stack:
        for name, data in carry_over.items():
            warehouse.load_table(con, name, data)
        loader = Loader(con)
        # the workers run beside DuckDB while the batches are appended
        with warehouse.memory_limit(con, warehouse.LOAD_MEMORY_LIMIT):
            if engine == "builtin":
                for batch in read_batches(jobs, settings, progress):
                    loader.add(batch)
                loader.flush()
            else:
                out_dir = stack.enter_context(shards.shard_folder(settings))
                shards.load_shards(con, [(sharded, loader.add(sharded.batch)) for sharded
                                         in cluster.extract(jobs, settings, out_dir, progress)])
        report.problems = sorted(folder_problems + loader.problems, key=_problem_order)
        if not loader.loaded:
            _nothing_loaded(report, settings)
        if progress:
            progress("write", 0, 1)
        set_duplicate_files(con, loader.holders)
        loader.write_bookkeeping()
        report.files_read = len(jobs)
        report.articles_extracted = len(loader.loaded)
        load_reference(con, settings)
        search_index.build_search_index(con)
        _finish(con, settings, report, info)
    # the next incremental build updates this copy instead of copying the live file
    spare.keep_copy(settings.db_path)


def _delta_build(
    settings: Settings,
    jobs: list[FileJob],
    folder_problems: list[Problem],
    previous: incremental.Previous,
    changes: incremental.Changes,
    report: BuildReport,
    info: dict[str, str],
    progress: ProgressCallback | None,
) -> None:
    """Read new and changed files only (`changes`), and apply the difference to the next
    generation of the live warehouse (its spare brought level with it, or a copy;
    `etl.spare`)."""
    import pyarrow as pa  # on use (see the top of `etl.prepare`)

    changed, removed = changes.changed, changes.removed
    by_name = {job.relative: job for job in jobs}
    to_read: dict[str, FileJob] = {job.relative: job for job in changed}
    batches: list[Batch] = []
    while True:
        batches += list(read_batches(
            sorted((j for j in to_read.values() if j.relative not in _read_names(batches)),
                   key=lambda j: j.relative),
            settings, progress))
        gone = set(to_read) | removed
        touched = _affected_articles(batches, previous, gone)
        fresh = _fresh_holders(batches)
        holders = {
            article_id: sorted(
                [h for h in previous.holders.get(article_id, []) if h[0] not in gone]
                + fresh.get(article_id, []), key=_holder_order)
            for article_id in touched
        }
        # An article keeps its stored rows when its first holder is an unchanged file that was
        # its first holder before (a repeat of it was added or removed elsewhere). Otherwise
        # its rows come from its new first holder, so that file is read too if it was not
        # (rare: a changed file held the first copy of an article an unchanged file repeats).
        extra = {
            held[0][0]
            for article_id, held in holders.items()
            if held and held[0][0] not in to_read
            and held[0] != _first_holder(previous.holders.get(article_id, []))
        }
        if not extra:
            break
        to_read.update({name: by_name[name] for name in extra})
    replaced = {article_id for article_id, held in holders.items()
                if not held or held[0][0] in to_read}
    originals = {article_id: held[0][0] for article_id, held in holders.items()
                 if held and article_id in replaced}
    live = warehouse.read_info(settings.db_path)
    # no article added, changed or removed, the same reference files and corrections, and the
    # marts defined alike: the live file's reference tables, stories and marts are this
    # build's too
    kept = not replaced and all(live.get(key) == info[key] for key in (
        incremental.REFERENCE_KEY, corrections.SIGNATURE_KEY, incremental.MARTS_KEY))
    with spare.updating(settings.db_path, with_marts=kept,
                        removing=replaced) as (con, report.spare_note):
        # on the spare, the articles it had to catch up on are indexed again with the new ones
        caught_up = None if report.spare_note else spare.STALE_TABLE
        con.register("_affected_view", pa.table({"article_id": sorted(replaced)},
                                                schema=pa.schema([("article_id", pa.string())])))
        con.execute("CREATE TEMP TABLE _affected AS SELECT * FROM _affected_view").fetchall()
        con.unregister("_affected_view")
        search_index.remove_from_search_index(con, "_affected")
        if report.spare_note:  # a copy of the live file; on the spare they are gone already
            for name in ARTICLE_TABLES:
                con.execute(f'DELETE FROM "{name}" WHERE article_id IN '  # noqa: S608
                            "(SELECT article_id FROM _affected)").fetchall()
        con.register("_gone_view", pa.table({"source_file": sorted(gone)}, schema=pa.schema(
            [("source_file", pa.string())])))
        for name in ("source_files", "source_records"):
            con.execute(f'DELETE FROM "{name}" WHERE source_file IN '  # noqa: S608
                        "(SELECT source_file FROM _gone_view)").fetchall()
        con.unregister("_gone_view")
        _restamp(con, [state for state in changes.restamped if state.source_file not in to_read])
        loader = Loader(con)
        for batch in batches:
            loader.add(batch, originals)
            batch.tables = {}  # loaded or held by the loader: not kept to the end of the build
        loader.flush()
        loader.write_bookkeeping()
        set_duplicate_files(con, {a: held for a, held in holders.items() if held},
                            every=True)
        # the problems of files not read again, less the manifest's: the manifest is read
        # whole by every build, so its problems are in `folder_problems` already
        carried = [p for p in previous.problems
                   if p.source_file in by_name and p.source_file not in gone
                   and MANIFEST_NAME not in p.reason]
        report.problems = sorted(folder_problems + carried + loader.problems, key=_problem_order)
        if progress:
            progress("write", 0, 1)
        con.register("_added_view", pa.table({"article_id": loader.loaded},
                                             schema=pa.schema([("article_id", pa.string())])))
        con.execute("CREATE TEMP TABLE _added AS SELECT * FROM _added_view").fetchall()
        con.unregister("_added_view")
        if caught_up is not None:
            con.execute(f"INSERT INTO _added SELECT article_id FROM {caught_up} WHERE "  # noqa: S608
                        "article_id IN (SELECT article_id FROM articles) AND article_id NOT IN "
                        "(SELECT article_id FROM _added)").fetchall()
        # the reference tables came from the live file, which was built from the same
        # reference files when their signature matches: compiling the lists again to reload
        # the same rows cost most of a second
        if live.get(incremental.REFERENCE_KEY) != info[incremental.REFERENCE_KEY]:
            load_reference(con, settings)
        if con.execute("SELECT count(*) FROM _added").fetchall()[0][0]:
            search_index.add_to_search_index(con, "_added")
        if con.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 0:
            _nothing_loaded(report, settings)
        report.files_read = len(to_read)
        report.articles_extracted = len(loader.loaded)
        _finish(con, settings, report, info, regroup=bool(replaced or loader.loaded),
                checked="_added", marts_kept=kept)


def _read_names(batches: Iterable[Batch]) -> set[str]:
    return {state.source_file for batch in batches for state in batch.files}


def _affected_articles(
    batches: Sequence[Batch], previous: incremental.Previous, gone: set[str]
) -> set[str]:
    """Articles whose rows may change: held by a re-read or removed file, before or now."""
    affected = {article_id for batch in batches for _, _, article_id in batch.holders}
    for name in gone:
        affected |= previous.by_file.get(name, set())
    return affected


def _restamp(con: duckdb.DuckDBPyConnection, states: Sequence[FileState]) -> None:
    """Record the new modification time of files whose bytes did not change, so the next build
    trusts their metadata again instead of hashing them."""
    if not states:
        return
    con.register("_restamped", warehouse.rows_table("source_files", [vars(s) for s in states]))
    try:
        con.execute("UPDATE source_files AS f SET modified_ns = r.modified_ns FROM _restamped AS r "
                    "WHERE f.source_file = r.source_file").fetchall()
    finally:
        con.unregister("_restamped")


def _fresh_holders(batches: Sequence[Batch]) -> dict[str, list[incremental.Holder]]:
    """The records of the re-read files holding each article, in one pass (an article's
    holders now are these plus its unchanged files' records)."""
    fresh: dict[str, list[incremental.Holder]] = defaultdict(list)
    for batch in batches:
        for source_file, record_no, article_id in batch.holders:
            fresh[article_id].append((source_file, record_no))
    return fresh


def _first_holder(held: list[incremental.Holder]) -> incremental.Holder | None:
    return min(held, key=_holder_order) if held else None


def _nothing_loaded(report: BuildReport, settings: Settings) -> None:
    report.status = "failed"
    reasons = "; ".join(report.messages()[:5]) or "the folder holds no article files"
    raise NothingToBuild(f"no article could be loaded from {settings.articles_dir} ({reasons})")


def _problem_order(problem: Problem) -> tuple[str, int]:
    """Problems read in the same order as the files they are about."""
    return problem.source_file, problem.record_no or 0


def load_reference(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """(Re)load initiatives, themes and the reference series; the search index reads names."""
    gazetteer, themes = prepare.reference_data(settings.reference_dir)
    for name, data in reference_tables(gazetteer, themes, settings.reference_dir).items():
        con.execute(f'DELETE FROM "{name}"').fetchall()  # noqa: S608 (constant names)
        warehouse.load_table(con, name, data)


def _finish(
    con: duckdb.DuckDBPyConnection, settings: Settings, report: BuildReport, info: dict[str, str],
    regroup: bool = True, checked: str | None = None, marts_kept: bool = False,
) -> None:
    """Rows breaking a content rule removed, the report's figures, this run's rows, validation
    and stamp. Stories are regrouped unless no article was added, changed or removed
    (`regroup` False: the stored grouping is that of the same articles). `checked` names a
    table of the article ids whose rows are new (the others passed the content rules when
    they were loaded); `marts_kept`: the marts are the live file's and stay (`seal`)."""
    report.problems = sorted(report.problems + warehouse.reject_rows(con, checked)
                             + corrections.apply_folder(con, settings.corrections_folder),
                             key=_problem_order)
    load_fetch_tables(con, settings.articles_dir)
    if regroup:
        from etl import stories  # NumPy, on use (see the top of `etl.prepare`)

        stories.build_stories(con)
    _read_outcome(con, report)
    report.status = "ok"
    report.finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for name, data in run_tables(report).items():
        warehouse.load_table(con, name, data)
    warehouse.seal(con, {
        **info,
        "build_id": report.run_id,
        spare.ARTICLES_BUILD_KEY: report.run_id,
        "built_at": report.finished_at.isoformat(timespec="seconds"),
    }, fact_plan=[] if marts_kept else None, new_articles=checked)


def _read_outcome(con: duckdb.DuckDBPyConnection, report: BuildReport) -> None:
    """The report's figures from a finished warehouse: articles loaded (and reused, given
    those extracted), duplicates and row counts."""
    report.loaded = [
        (f, r, a) for f, r, a in con.execute(
            "SELECT source_file, record_no, article_id FROM articles "
            "ORDER BY source_file, coalesce(record_no, 0)").fetchall()
    ]
    report.articles_loaded = len(report.loaded)
    report.articles_reused = report.articles_loaded - report.articles_extracted
    report.duplicates = [
        (dup, label(f, r)) for f, r, dup in con.execute(
            "SELECT source_file, record_no, unnest(duplicate_files) FROM articles "
            "ORDER BY source_file, coalesce(record_no, 0)").fetchall()
    ]
    report.duplicates.sort(key=lambda pair: pair[0])
    report.counts = {
        name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]  # noqa: S608
        for name in ("sentences", "mentions", "events", "memberships", "article_themes")
    }


def _up_to_date(report: BuildReport, settings: Settings) -> BuildReport:
    """The report of a build with nothing to do (`freshness.check`): the live warehouse's
    figures and its last run's problems; nothing is read or written."""
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        _read_outcome(con, report)
        report.run_id = con.execute(
            "SELECT value FROM warehouse_info WHERE key = 'build_id'").fetchall()[0][0]
        last = con.execute("SELECT files_seen FROM etl_runs WHERE run_id = ?",
                           [report.run_id]).fetchall()
        report.files_seen = last[0][0] if last else report.articles_loaded
        report.problems = incremental.last_run_problems(con)
    report.up_to_date = True
    report.status = "up to date"
    report.finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return report
