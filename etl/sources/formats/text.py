"""Files that hold one article as text: plain text, and Markdown with optional front matter."""

from __future__ import annotations

from etl.front_matter import split_front_matter
from etl.model import Problem
from etl.sources.formats.base import FormatResult
from etl.sources.metadata import RecordDraft, fields_from_mapping


def read_txt(text: str, relative: str) -> FormatResult:
    """A plain-text file is one article; its metadata comes only from the manifest and header."""
    return FormatResult([RecordDraft(text)])


def read_markdown(text: str, relative: str) -> FormatResult:
    """A Markdown file is one article with optional YAML front matter giving its metadata.

    The front matter is loaded safely and within limits (`etl.front_matter`); when it cannot be
    used its metadata is ignored with a warning and the text still loads.
    """
    front = split_front_matter(text)
    if front is None:
        return FormatResult([RecordDraft(text)])
    if front.ignored_because is not None:
        warning = Problem(relative, front.ignored_because, severity="warning")
        return FormatResult([RecordDraft(front.body)], [warning])
    fields, problems = fields_from_mapping(front.metadata, relative, None, "front matter")
    return FormatResult([RecordDraft(front.body, fields)], problems)
