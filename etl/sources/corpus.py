"""Reading the whole article folder, or one file, into `SourceRecord`s and `Problem`s.

Each file is found (`discover`), decoded (`decode`), read by its format's reader (`formats`),
and its records given their metadata (`manifest`, `metadata`). Any reason a file or record
cannot be used becomes a `Problem`, never an error, so one bad file never stops a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from etl.errors import SourceError
from etl.model import Problem, SourceRecord
from etl.sources.decode import decode
from etl.sources.discover import folder_contents, read_bytes_checked
from etl.sources.folder import display_name
from etl.sources.formats import FORMAT_READERS, MULTI_RECORD_FORMATS, format_of
from etl.sources.manifest import (
    MANIFEST_NAME,
    ManifestEntry,
    read_manifest,
    unmatched_manifest_rows,
)
from etl.sources.metadata import build_record


def read_corpus(
    articles_dir: Path, max_file_bytes: int
) -> tuple[list[SourceRecord], list[Problem]]:
    """Read every article file under `articles_dir` (sub-folders too) into `SourceRecord`s.

    Records come sorted by relative path, then record number. Problems (files or records that
    could not be used, plus warnings about data loaded with a caveat) come in the same order.
    """
    articles_dir = Path(articles_dir)
    if not articles_dir.is_dir():
        reason = f"the articles folder '{articles_dir}' does not exist or is not a folder"
        return [], [Problem(display_name(str(articles_dir)), reason)]
    manifest, problems = read_manifest(articles_dir)
    entries, folder_problems = folder_contents(articles_dir)
    problems.extend(folder_problems)
    records: list[SourceRecord] = []
    for entry in entries:
        file_records, file_problems = read_file(
            Path(entry.path), entry.relative, max_file_bytes, manifest
        )
        records.extend(file_records)
        problems.extend(file_problems)
    problems.extend(unmatched_manifest_rows(manifest, {entry.relative for entry in entries}))
    return records, sorted(problems, key=_problem_order)


def _problem_order(problem: Problem) -> tuple[str, int]:
    """Sort key so problems read in the same order as the files they are about."""
    return problem.source_file, problem.record_no or 0


def read_file(
    path: Path,
    relative: str,
    max_file_bytes: int,
    manifest: Mapping[str, ManifestEntry] | None = None,
) -> tuple[list[SourceRecord], list[Problem]]:
    """Read one file into records; any reason it cannot be used becomes a Problem, not an error."""
    try:
        file_format = format_of(PurePosixPath(relative))
        data = read_bytes_checked(path, max_file_bytes)
        decoded = decode(data)
        result = FORMAT_READERS[file_format](decoded.text, relative)
    except SourceError as exc:
        return [], [Problem(relative, exc.reason)]
    except Exception as exc:  # a library failing on odd input must not stop the run
        reason = f"could not be read because of an unexpected error ({type(exc).__name__}: {exc})"
        return [], [Problem(relative, reason)]
    entry = (manifest or {}).get(relative)
    problems = list(result.problems)
    if decoded.replaced_bytes:
        problems.append(_replaced_bytes_warning(relative, decoded.replaced_bytes))
    if entry is not None and file_format in MULTI_RECORD_FORMATS:
        problems.append(_manifest_row_for_multi_record_file(relative, entry, file_format))
        entry = None
    records: list[SourceRecord] = []
    for draft in result.drafts:
        record, problem = build_record(relative, draft, file_format, decoded.encoding, entry)
        if record is not None:
            records.append(record)
        if problem is not None:
            problems.append(problem)
    return records, problems


def _replaced_bytes_warning(relative: str, count: int) -> Problem:
    reason = (
        f"is UTF-8 except for {count} invalid byte{'s' if count > 1 else ''}, shown as '\ufffd' in "
        f"the text; the article was loaded, but check the file if a word looks broken"
    )
    return Problem(relative, reason, severity="warning")


def _manifest_row_for_multi_record_file(
    relative: str, entry: ManifestEntry, file_format: str
) -> Problem:
    reason = (
        f"{MANIFEST_NAME} line {entry.line_no} names this .{file_format} file, but a manifest row "
        f"describes one article and this file holds one article per record, so the row was not "
        f"applied to any record; put title/outlet/author/url/published in the file's own columns"
    )
    return Problem(relative, reason, severity="warning")
