"""Incremental rebuilds: read only the files that changed since the live warehouse was built.

An article's rows are a pure function of four things: the bytes of the file it came from, that
file's row in `manifest.csv` (its metadata, and its publication date, against which "last year"
resolves), the extraction code, and the reference files the extractors compile
(`data/reference/*.toml`). The warehouse records a fingerprint of the last two as
`extractor_signature` in `warehouse_info`, and what every file was at the last build in
`source_files` (size, modification time, content hash, manifest-row fingerprint) and which
articles it held in `source_records`.

When the live warehouse carries the same signature as this build would, a file whose size,
modification time and manifest row are unchanged is not read again, just as `make` and `git`
trust file metadata. A file modified within `RACY_WINDOW_NS` of the last build's scan could have
changed again in the same clock tick, so its content hash is compared instead; so is a file of
the same size with another modification time (an unzip, a checkout or a copy that does not keep
times gives every file a new time and the same bytes): same bytes, same rows, and its record
takes the new time (`restamped`), so the next build trusts the metadata again. Everything else
(new, changed, removed files and the articles they held) is the build's delta
(`etl.pipeline`), applied to a copy of the live warehouse.

The result must equal a full build of the same folder; `tests/test_incremental.py` compares every
content table of the two.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import warehouse
from etl.model import Problem
from etl.prepare import FileJob, FileState, file_state, manifest_fingerprint

ETL_PACKAGE_DIR = Path(__file__).resolve().parent
SIGNATURE_KEY = "extractor_signature"
SCANNED_KEY = "files_scanned_ns"  # when the build that wrote the warehouse began reading files
ARTICLES_DIR_KEY = "articles_dir"
REFERENCE_KEY = "reference_signature"  # every reference file, the CSV series included
MARTS_KEY = "marts_signature"  # the marts' definitions the warehouse was built with

# A file modified this close before the last build's scan is compared by content, not metadata.
RACY_WINDOW_NS = 2_000_000_000

Holder = tuple[str, int | None]  # (source file, record number or None)


def extraction_code_files(package_dir: Path = ETL_PACKAGE_DIR) -> list[Path]:
    """The code whose output is stored per article: every module of the `etl` package and its
    schema.

    A deliberate superset of `etl/extract/` and `etl/normalize/`: the rows also take their
    shape from `etl/model.py`, `etl/prepare.py` (`fact_tables`) and `etl/schema.sql`, and a
    module added later is covered without anyone remembering to list it. A code change costs one
    full extraction; a stale fact would cost a wrong chart. The marts (`etl/marts/`) are left
    out: every build rebuilds them from the stored rows, so changing one re-extracts nothing.
    """
    files = [*package_dir.rglob("*.py"), *package_dir.rglob("*.sql")]
    marts = package_dir / "marts"
    return sorted(
        (p for p in files if "__pycache__" not in p.parts and marts not in p.parents),
        key=lambda p: p.relative_to(package_dir).as_posix(),
    )


def extractor_signature(reference_dir: Path, package_dir: Path = ETL_PACKAGE_DIR) -> str:
    """Fingerprint of what extraction reads besides the article: reference TOML files and code.

    Content hashes, not modification times, so a fresh checkout of the same code and data keeps
    the stored facts. The reference CSV series are left out: they become `membership_reference`,
    which a build reloads when the reference folder changed (`reference_signature`), and no
    extractor reads them.
    """
    digest = hashlib.sha256(f"schema {warehouse.SCHEMA_VERSION}\n".encode())
    for label, root, paths in (
        ("reference", Path(reference_dir), sorted(Path(reference_dir).glob("*.toml"))),
        ("code", package_dir, extraction_code_files(package_dir)),
    ):
        for path in paths:
            digest.update(f"{label} {path.relative_to(root).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def reference_signature(reference_dir: Path) -> str:
    """Fingerprint of every file of the reference folder (a few small files): when it and the
    articles are unchanged, a build keeps the stored reference tables and the marts."""
    return _files_signature(p for p in Path(reference_dir).glob("*") if p.is_file())


def marts_signature(package_dir: Path = ETL_PACKAGE_DIR) -> str:
    """Fingerprint of the marts' definitions (`etl/marts/*.sql`), which the extraction code's
    signature leaves out (changing a mart re-extracts nothing). A warehouse records it, so a
    version of the ETL whose marts differ (a new mart the dashboard reads, a changed rule)
    rebuilds them from the stored rows on its next build, which otherwise finds nothing
    changed and keeps the old ones."""
    return _files_signature((package_dir / "marts").glob("*.sql"))


def folder_key(folder: Path) -> str:
    """How the warehouse records the article folder it was built from: its absolute path with
    links resolved, so `articles`, `./articles` and `/abs/path/articles` name one folder and a
    build given another spelling of it still reuses the last build's work."""
    return str(Path(folder).resolve())


def _files_signature(paths: Iterable[Path]) -> str:
    """A content hash of files by name, in name order (the files of one folder)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(f"{path.name}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class Previous:
    """What the live warehouse knows of the build that wrote it."""

    files: dict[str, FileState]
    holders: dict[str, list[Holder]]  # article id -> every record that held it
    by_file: dict[str, set[str]]  # source file -> the article ids it held
    scanned_ns: int
    problems: list[Problem] = field(default_factory=list)  # of the last run


def previous_build(
    db_path: Path, signature: str, articles_dir: Path
) -> tuple[Previous | None, str]:
    """The live warehouse's file records, or None and why they cannot be trusted."""
    if not db_path.exists():
        return None, "no previous warehouse"
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return _previous_from(con, signature, articles_dir)
    except duckdb.Error as exc:
        return None, f"the previous warehouse could not be read ({exc})"


def _previous_from(
    con: duckdb.DuckDBPyConnection, signature: str, articles_dir: Path
) -> tuple[Previous | None, str]:
    info = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
    if info.get(SIGNATURE_KEY) != signature:
        return None, "the extraction code or reference data differ from the last build's"
    if info.get(ARTICLES_DIR_KEY) != folder_key(articles_dir):
        return None, "the previous warehouse was built from another article folder"
    files = {
        row[0]: FileState(*row)
        for row in con.execute(
            "SELECT source_file, size_bytes, modified_ns, sha256, manifest_row FROM source_files"
        ).fetchall()
    }
    holders: dict[str, list[Holder]] = defaultdict(list)
    by_file: dict[str, set[str]] = defaultdict(set)
    for source_file, record_no, article_id in con.execute(
        "SELECT source_file, record_no, article_id FROM source_records"
    ).fetchall():
        holders[article_id].append((source_file, record_no))
        by_file[source_file].add(article_id)
    return Previous(files, holders, by_file, int(info.get(SCANNED_KEY, "0")),
                    last_run_problems(con)), ""


def last_run_problems(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """The problems the build that wrote the warehouse on `con` reported, in its order."""
    return [
        Problem(source_file, reason, record_no, severity)
        for source_file, record_no, severity, reason in con.execute(
            """
            SELECT source_file, record_no, severity, reason FROM load_problems
            WHERE run_id = (SELECT run_id FROM etl_runs ORDER BY started_at DESC LIMIT 1)
            ORDER BY rowid
            """
        ).fetchall()
    ]


@dataclass
class Changes:
    """What a folder scan found against the last build."""

    changed: list[FileJob]  # new or changed files: read again
    removed: set[str]  # names of files no longer there
    restamped: list[FileState]  # unchanged bytes under a new modification time: their new state


def changed_files(jobs: Sequence[FileJob], previous: Previous,
                  states: Mapping[str, tuple[int, int]] | None = None) -> Changes:
    """The files to read again, the files gone, and the files only re-timed.

    `states`: the size and modification time of files examined a moment ago in this build
    (`freshness.InputStamp.states`); any other file is examined here.
    """
    changes = Changes([], set(), [])
    for job in jobs:
        before = previous.files.get(job.relative)
        same = before is not None and before.size_bytes >= 0 and _same_file(
            job, before, previous, changes.restamped, (states or {}).get(job.relative))
        if not same:
            changes.changed.append(job)
    present = {job.relative for job in jobs}
    changes.removed = {name for name in previous.files if name not in present}
    return changes


def _same_file(job: FileJob, before: FileState, previous: Previous,
               restamped: list[FileState], state: tuple[int, int] | None = None) -> bool:
    """Whether the file holds what it held at the last build (a re-timed file with the same
    bytes is added to `restamped`); `state`: its size and modification time, if known."""
    if manifest_fingerprint(job.manifest) != before.manifest_row:
        return False
    if state is None:
        try:
            status = os.stat(job.path)
        except OSError:
            return False
        state = (status.st_size, status.st_mtime_ns)
    size, modified_ns = state
    if size != before.size_bytes:
        return False
    if modified_ns != before.modified_ns:
        now = file_state(job)
        if now.sha256 != before.sha256:
            return False
        restamped.append(now)
        return True
    if modified_ns >= previous.scanned_ns - RACY_WINDOW_NS:
        return file_state(job).sha256 == before.sha256
    return True
