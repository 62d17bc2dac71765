"""Applying the corrections to the live warehouse alone: no file read, nothing extracted.

A correction made in the dashboard must show within seconds, whatever the warehouse's size. So
this is a build of its own kind: it takes the build lock like any build, writes the next
generation of the live file, replays the corrections folder into the reviewed tables, rebuilds
only the marts built from them, validates those, and swaps it in with the same atomic rename as
a build. The next generation is the spare (`etl.spare`): when it holds the same article build
as the live file, as after a full build and from the second correction after an incremental
one, only the small tables are copied across; the first correction after an incremental build
that only added articles also brings it level with them (their rows and search entries, the
marts). After a build that changed or removed older articles (deleting their rows from the
spare costs more than a copy), or with a spare that cannot be used (held open by a dashboard,
built by other code), the live file is copied. Either way the file replaced becomes the spare.
It is recorded in `etl_runs` as a run carrying the previous run's figures and problems, so the
next incremental build and the Overview see the warehouse as the last article build left it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import incremental, marts, spare, warehouse
from etl.corrections import SIGNATURE_KEY, apply_folder, store
from etl.model import Problem
from etl.settings import Settings

# The tables a correction changes, from which `marts.fact_update_plan` finds what to rebuild.
CHANGED_TABLES = ("reviewed_events", "reviewed_memberships")


class NoWarehouse(warehouse.WarehouseError):
    """There is no current warehouse to apply corrections to (build one first)."""


@dataclass
class UpdateReport:
    """What applying the corrections did."""

    build_id: str
    statuses: dict[str, int] = field(default_factory=dict)  # corrections per status
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    spare_note: str = ""  # why the live file was copied ('' when the spare was used)
    # the marts of facts updated in place because the facts kept their rows (a confirmation),
    # not rebuilt (`marts.apply_plan`)
    marts_updated: list[str] = field(default_factory=list)


def update_warehouse(settings: Settings) -> UpdateReport:
    """Apply the corrections folder to the live warehouse, atomically; raises `NoWarehouse`
    when there is none of the current schema and `BuildInProgress` while a build runs."""
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with warehouse.build_lock(settings.db_path):
        info = warehouse.read_info(settings.db_path)
        if info.get("schema_version") != warehouse.SCHEMA_VERSION:
            raise NoWarehouse(f"there is no current warehouse at {settings.db_path} to apply "
                              "corrections to; build it first (python -m etl)")
        warehouse.remove_stale_staging(settings.db_path)
        signature = store.folder_signature(settings.corrections_folder)
        report = UpdateReport(build_id=uuid.uuid4().hex[:12])
        with spare.updating(settings.db_path, facts_only=True) as (con, report.spare_note):
            report.problems = apply_folder(con, settings.corrections_folder)
            report.statuses = dict(con.execute(
                "SELECT status, count(*) FROM corrections GROUP BY status").fetchall())
            _record_run(con, info.get("build_id", ""), report, started,
                        settings.corrections_folder)
            kept = {k: v for k, v in info.items() if k != "schema_version"}
            done = warehouse.seal(con, {
                **kept, "build_id": report.build_id, SIGNATURE_KEY: signature,
                "built_at": dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(
                    timespec="seconds"),
            }, fact_plan=marts.fact_update_plan(CHANGED_TABLES),
                # marts an older version of the ETL built are rebuilt, never updated
                in_place=info.get(incremental.MARTS_KEY) == incremental.marts_signature())
            report.marts_updated = [table for table, how in done if how == "same_rows"]
    report.seconds = (dt.datetime.now(dt.UTC).replace(tzinfo=None) - started).total_seconds()
    return report


def _record_run(con: duckdb.DuckDBPyConnection, previous_id: str, report: UpdateReport,
                started: dt.datetime, folder: Path) -> None:
    """A row in `etl_runs` for this update, carrying the previous run's figures and article
    problems, plus the corrections files' own problems."""
    con.execute("""
        INSERT INTO etl_runs
        SELECT $run AS run_id, $started AS started_at, now()::TIMESTAMP AS finished_at,
               files_seen, articles_loaded, duplicates, files_failed, messages, status
        FROM etl_runs WHERE run_id = $previous""",
                {"run": report.build_id, "started": started, "previous": previous_id}).fetchall()
    files = [p.name for p in store.corrections_files(folder)]  # their problems are redone
    con.execute("""
        INSERT INTO load_problems
        SELECT $run, source_file, record_no, severity, reason FROM load_problems
        WHERE run_id = $previous AND NOT list_contains($files, source_file)""",
                {"run": report.build_id, "previous": previous_id, "files": files}).fetchall()
    rows = [{"run_id": report.build_id, "source_file": p.source_file, "record_no": p.record_no,
             "severity": p.severity, "reason": p.reason} for p in report.problems]
    warehouse.load_table(con, "load_problems", warehouse.rows_table("load_problems", rows))

