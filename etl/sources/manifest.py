"""`manifest.csv`: one row of metadata per article file, the highest-precedence metadata layer.

Rows are keyed by the file's path relative to the articles folder, as the folder listing names
it. A row can only name a file inside the folder, and never reveals whether a file exists.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from etl.errors import SourceError
from etl.model import Problem
from etl.sources.dates import PRECISIONS, parse_published, with_precision
from etl.sources.decode import decode_bytes
from etl.sources.folder import display_name, is_hidden, manifest_path_problem
from etl.sources.metadata import Fields, bad_date_problem, clean_str, column_name

MANIFEST_NAME = "manifest.csv"


@dataclass
class ManifestEntry:
    """The metadata a manifest row gives for one file, and where the row is (for messages)."""

    line_no: int
    fields: Fields


def read_manifest(articles_dir: Path) -> tuple[dict[str, ManifestEntry], list[Problem]]:
    """Rows of `manifest.csv` (if any) keyed by the file's path relative to the articles folder.

    Empty cells mean 'not known' and are left out, so they never override a value from the file.
    A manifest that cannot be read is a warning: the articles still load without it.
    """
    path = articles_dir / MANIFEST_NAME
    if not path.exists():
        return {}, []
    try:
        text, _ = decode_bytes(path.read_bytes())
    except (SourceError, OSError) as exc:
        reason = exc.reason if isinstance(exc, SourceError) else str(exc)
        message = f"{reason}; the manifest was ignored and articles loaded without it"
        return {}, [Problem(MANIFEST_NAME, message, severity="warning")]
    return parse_manifest(text)


def parse_manifest(text: str) -> tuple[dict[str, ManifestEntry], list[Problem]]:
    """Parse manifest text (see `read_manifest`)."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [column_name(name) for name in reader.fieldnames or []]
    if "file" not in columns:
        reason = "has no 'file' column, so its rows cannot be matched to articles; it was ignored"
        return {}, [Problem(MANIFEST_NAME, reason, severity="warning")]
    reader.fieldnames = columns
    entries: dict[str, ManifestEntry] = {}
    problems: list[Problem] = []
    try:
        for row in reader:
            _add_manifest_row(row, reader.line_num, entries, problems)
    except csv.Error as exc:
        reason = f"could not be read past line {reader.line_num} ({exc}); later rows were ignored"
        problems.append(Problem(MANIFEST_NAME, reason, severity="warning"))
    return entries, problems


def _add_manifest_row(
    row: dict[str, str | None],
    line_no: int,
    entries: dict[str, ManifestEntry],
    problems: list[Problem],
) -> None:
    file_name = _manifest_key(row.get("file") or "")
    if not file_name:
        if any(clean_str(value) for value in row.values()):
            reason = f"line {line_no} has no file name, so it was ignored"
            problems.append(Problem(MANIFEST_NAME, reason, severity="warning"))
        return
    if (why := manifest_path_problem(file_name)) is not None:
        shown = display_name(file_name)
        reason = f"line {line_no}: the file name {shown!r} {why}; the row was ignored"
        problems.append(Problem(MANIFEST_NAME, reason))
        return
    file_name = display_name(file_name)  # as the folder listing names files
    if file_name in entries:
        reason = (
            f"{MANIFEST_NAME} line {line_no} repeats this file (first listed on line "
            f"{entries[file_name].line_no}); the first row was used"
        )
        problems.append(Problem(file_name, reason, severity="warning"))
        return
    fields, row_problems = _manifest_fields(row, line_no, file_name)
    problems.extend(row_problems)
    entries[file_name] = ManifestEntry(line_no, fields)


# a backslash separates folders ('sub\a.txt'), except where it starts an escape of a file
# name as the folder listing shows it ('bad\xffname.txt', see etl.folder.display_name)
_FOLDER_BACKSLASH = re.compile(r"\\(?!x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def _manifest_key(name: str) -> str:
    """A manifest 'file' cell as a relative POSIX path ('sub\\a.txt' -> 'sub/a.txt',
    './a.txt' -> 'a.txt'); escapes of names that are not printable ('\\xff') are kept."""
    cleaned = _FOLDER_BACKSLASH.sub("/", name.strip())
    while cleaned.startswith("./"):
        cleaned = cleaned[2:]
    return cleaned


def _cell(value: str | None) -> str | None:
    """A named column's cell, stripped; None when empty or missing. (`clean_str` without its
    cases for lists and other types: a CSV cell is text, and this runs for every cell of
    manifests of 100,000 rows.)"""
    if value is None:
        return None
    return value.strip() or None


def _manifest_fields(
    row: Mapping[str, str | None], line_no: int, file_name: str
) -> tuple[Fields, list[Problem]]:
    fields: Fields = {}
    problems: list[Problem] = []
    for name in ("title", "outlet", "author", "url"):
        if (value := _cell(row.get(name))) is not None:
            fields[name] = value
    precision = (_cell(row.get("date_precision")) or "").lower() or None
    if precision is not None and precision not in PRECISIONS:
        reason = (
            f"{MANIFEST_NAME} line {line_no}: date_precision {precision!r} is not one of "
            f"day, month, year, so it was ignored"
        )
        problems.append(Problem(file_name, reason, severity="warning"))
        precision = None
    raw_date = _cell(row.get("published"))
    if raw_date is not None:
        published = parse_published(raw_date)
        if published is None:
            problems.append(bad_date_problem(file_name, None, f"{MANIFEST_NAME}", raw_date))
        else:
            fields["published"] = with_precision(published, precision)
    return fields, problems


def unmatched_manifest_rows(
    manifest: Mapping[str, ManifestEntry], read_paths: set[str]
) -> list[Problem]:
    """A problem for each manifest row whose file was not among the files read.

    Decided from the folder listing alone, never by looking a name up on disk, so a row can
    not be used to learn whether some file exists.
    """
    problems: list[Problem] = []
    for name, entry in manifest.items():
        if name in read_paths:
            continue
        if any(is_hidden(part) for part in name.split("/")):
            reason = (
                f"{MANIFEST_NAME} line {entry.line_no} names a hidden file (its name or a folder's "
                f"starts with '.'); hidden files are not read, so the row was not used"
            )
            problems.append(Problem(name, reason, severity="warning"))
        else:
            reason = (
                f"{MANIFEST_NAME} line {entry.line_no} names this file, but there is no such file "
                f"among the articles read (it is missing, or skipped as its own line says); fix "
                f"the file name in the manifest or add the file"
            )
            problems.append(Problem(name, reason))
    return problems
