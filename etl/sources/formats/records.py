"""Files of many articles, one per record: JSON Lines and CSV (a header row names the columns).

A bad record is a problem for that record only; every other record of the file still loads.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from etl.errors import EmptyFileError, MalformedRecordError, SourceError
from etl.model import Problem
from etl.sources.decode import WHITESPACE_ONLY
from etl.sources.formats.base import FormatResult
from etl.sources.metadata import RecordDraft, column_name, fields_from_mapping

TEXT_FIELD_NAMES = ("text", "body", "content")


def read_jsonl(text: str, relative: str) -> FormatResult:
    """One JSON object per line; a bad line is a problem for that record only.

    record_no is the 1-based line number, so an analyst can go straight to the line.
    """
    result = FormatResult()
    # split on '\n' only: JSON strings may legally hold U+2028, which str.splitlines would cut
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            result.drafts.append(_jsonl_record(line, relative, line_no, result.problems))
        except SourceError as exc:
            result.problems.append(Problem(relative, exc.reason, line_no))
    if not result.drafts and not result.problems:
        raise EmptyFileError("contains no records")
    return result


def _jsonl_record(line: str, relative: str, line_no: int, problems: list[Problem]) -> RecordDraft:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise MalformedRecordError(
            f"line {line_no} is not valid JSON ({exc.msg} at column {exc.colno}); fix the line "
            f"so it holds one complete JSON object"
        ) from exc
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        raise MalformedRecordError(
            f"line {line_no} could not be read as JSON ({type(exc).__name__}: a number too "
            f"long or values nested too deeply); fix the line so it holds one plain JSON object"
        ) from exc
    if not isinstance(obj, dict):
        raise MalformedRecordError(
            f"line {line_no} is a JSON {type(obj).__name__}, not an object like "
            f'{{"text": "...", "title": "..."}}'
        )
    text = _record_text(obj, f"line {line_no}")
    fields, field_problems = fields_from_mapping(obj, relative, line_no, "record")
    problems.extend(field_problems)
    return RecordDraft(text, fields, line_no)


def read_csv(text: str, relative: str) -> FormatResult:
    """One article per CSV record (header row required); a bad record is a problem for it only.

    record_no counts data records from 1 (the header is not a record); blank lines are skipped.
    A record whose quotes are unbalanced is reported and reading resumes on the next line.
    """
    lines = text.splitlines(keepends=True)
    header_index = next((index for index, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise EmptyFileError(WHITESPACE_ONLY)
    delimiter = _csv_delimiter(lines[header_index])
    header = next(csv.reader([lines[header_index]], delimiter=delimiter))
    columns = [column_name(name) for name in header]
    text_column = next((name for name in TEXT_FIELD_NAMES if name in columns), None)
    if text_column is None:
        raise MalformedRecordError(
            f"has no text column: the header row must name one of {', '.join(TEXT_FIELD_NAMES)} "
            f"(found: {', '.join(columns) or 'nothing'})"
        )
    result = FormatResult()
    with _csv_field_limit(len(text) + 1):
        rows = csv_rows(lines[header_index + 1 :], delimiter, first_line_no=header_index + 2)
        for record_no, line_no, row, error in rows:
            try:
                if error is not None:
                    raise MalformedRecordError(error)
                result.drafts.append(
                    _csv_record(row or [], columns, relative, record_no, line_no, result.problems)
                )
            except SourceError as exc:
                result.problems.append(Problem(relative, exc.reason, record_no))
    if not result.drafts and not result.problems:
        raise EmptyFileError("has a header row but no records")
    return result


def _csv_record(
    row: list[str],
    columns: list[str],
    relative: str,
    record_no: int,
    line_no: int,
    problems: list[Problem],
) -> RecordDraft:
    where = f"record {record_no} (line {line_no})"
    if len(row) != len(columns):
        raise MalformedRecordError(
            f"{where} has {len(row)} fields but the header has {len(columns)} columns, so its "
            f"values cannot be matched to columns; check for an unquoted comma or a missing value"
        )
    values = dict(zip(columns, row, strict=True))
    text = _record_text(values, where)
    fields, field_problems = fields_from_mapping(values, relative, record_no, "record")
    problems.extend(field_problems)
    return RecordDraft(text, fields, record_no)


def csv_rows(
    lines: list[str], delimiter: str, first_line_no: int = 1
) -> Iterator[tuple[int, int, list[str] | None, str | None]]:
    """(record_no, line_no, fields or None, error or None) for each CSV record in `lines`.

    Uses strict quoting so broken quotes are errors, not silently merged records. After an error
    parsing restarts on the line after the broken record's first line, so one stray quote costs
    one record, not the rest of the file.
    """
    start = 0
    record_no = 0
    while start < len(lines):
        reader = csv.reader(lines[start:], delimiter=delimiter, strict=True)
        record_start = start
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    record_no += 1
                    yield record_no, first_line_no + record_start, row, None
                record_start = start + reader.line_num
            return
        except csv.Error as exc:
            record_no += 1
            line_no = first_line_no + record_start
            yield record_no, line_no, None, _csv_error_reason(exc, line_no, reader, lines, start)
            start = record_start + 1


def _csv_error_reason(
    exc: csv.Error, line_no: int, reader: object, lines: list[str], start: int
) -> str:
    consumed = start + getattr(reader, "line_num", 0)
    if consumed >= len(lines):
        return (
            f"record starting on line {line_no} opens a quoted field that is never closed "
            f'(unbalanced " quotes); fix the quotes in that record'
        )
    return f"record starting on line {line_no} is not valid CSV ({exc}); fix its quotes"


def _csv_delimiter(header_line: str) -> str:
    """Comma, unless the header clearly uses semicolons or tabs (spreadsheet exports do)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in (",", ";", "\t")}
    return max(counts, key=lambda delimiter: (counts[delimiter], delimiter == ","))


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Allow CSV fields as long as the whole file for a while (default limit is 128 KB)."""
    previous = csv.field_size_limit(max(limit, 131_072))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _record_text(values: Mapping[str, object], where: str) -> str:
    """The article text of a csv/jsonl record, or MalformedRecordError saying it is missing."""
    present = [name for name in TEXT_FIELD_NAMES if values.get(name) is not None]
    for name in present:
        value = values[name]
        if isinstance(value, str) and value.strip():
            return value
    if not present:
        raise MalformedRecordError(
            f"{where} has no text field (expected one of {', '.join(TEXT_FIELD_NAMES)}), "
            f"so there is no article to load"
        )
    if not any(isinstance(values[name], str) for name in present):
        raise MalformedRecordError(f"{where} has a text field that is not a string")
    raise MalformedRecordError(f"{where} has an empty text field, so there is no article to load")
