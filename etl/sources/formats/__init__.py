"""The article file formats the ETL reads, and the reader for each.

`ARTICLE_FORMATS` maps a file extension to its `SourceRecord.file_format`; `FORMAT_READERS`
maps that format to the function turning the file's decoded text into record drafts.
"""

from __future__ import annotations

from pathlib import PurePath

from etl.errors import UnsupportedFormatError
from etl.sources.formats.base import FormatReader, FormatResult
from etl.sources.formats.html import read_html
from etl.sources.formats.records import read_csv, read_jsonl
from etl.sources.formats.text import read_markdown, read_txt

__all__ = [
    "ACCEPTED_TYPES_TEXT",
    "ARTICLE_FORMATS",
    "FORMAT_READERS",
    "MULTI_RECORD_FORMATS",
    "FormatResult",
    "format_of",
]

# extension -> SourceRecord.file_format
ARTICLE_FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".jsonl": "jsonl",
}
ACCEPTED_TYPES_TEXT = ".txt, .md, .html/.htm, .csv and .jsonl"
MULTI_RECORD_FORMATS = frozenset({"csv", "jsonl"})

FORMAT_READERS: dict[str, FormatReader] = {
    "txt": read_txt,
    "md": read_markdown,
    "html": read_html,
    "csv": read_csv,
    "jsonl": read_jsonl,
}


def format_of(path: PurePath) -> str:
    """The `file_format` for a path's extension; UnsupportedFormatError says what is accepted."""
    suffix = path.suffix.lower()
    if suffix in ARTICLE_FORMATS:
        return ARTICLE_FORMATS[suffix]
    kind = f"'{suffix}' files are" if suffix else "files without an extension are"
    raise UnsupportedFormatError(
        f"{kind} not read; accepted types are {ACCEPTED_TYPES_TEXT}. "
        f"Copy the article's text into a .txt file, or move this file out of the articles folder"
    )

