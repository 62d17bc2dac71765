"""Read the articles folder into plain `SourceRecord`s, reporting every file that cannot be used.

This module only turns bytes on disk into text plus metadata: it decodes, splits multi-record
files (.csv/.jsonl), strips HTML page chrome and a leading `SOURCE:` header, and merges metadata
from the manifest, the file itself and the header. It never edits the wording of the text; that is
`etl.normalize`'s job.

Bad input never stops a run. Each unusable file or record becomes a `Problem` whose reason tells an
analyst what is wrong and what to do, and every other file still loads.

Metadata precedence (first with a value wins, see `etl.model.METADATA_SOURCES`):
manifest row > front matter (.md) / record fields (.html meta, .csv/.jsonl columns) > SOURCE header.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import trafilatura
from bs4 import BeautifulSoup
from charset_normalizer import from_bytes

from etl.errors import (
    BinaryFileError,
    EmptyFileError,
    FileTooLargeError,
    MalformedRecordError,
    SourceError,
    UndecodableError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from etl.folder import (
    LINK_TO_FOLDER,
    FolderEntry,
    display_name,
    is_hidden,
    list_folder,
    manifest_path_problem,
)
from etl.front_matter import split_front_matter
from etl.limits import (
    DATE_TEXT_MAX_CHARS,
    FIELD_MAX_CHARS,
    YEARS_HELD,
    YEARS_HELD_TEXT,
    cap_field,
    repair_surrogates,
)
from etl.model import Problem, PublicationDate, SourceRecord
from etl.normalize import MONTHS

MANIFEST_NAME = "manifest.csv"
MAX_FILE_BYTES_ENV = "IM_MAX_FILE_BYTES"

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

METADATA_FIELDS = ("title", "outlet", "author", "url", "published")
TEXT_FIELD_NAMES = ("text", "body", "content")
# metadata field -> names accepted for it in front matter, html meta and csv/jsonl records
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "outlet": ("outlet", "source", "publisher"),
    "author": ("author",),
    "url": ("url",),
    "published": ("published", "date", "published_at"),
}

# Everything a field can hold once read: a string, or a PublicationDate for 'published'.
FieldValue = str | PublicationDate
Fields = dict[str, FieldValue]


@dataclass
class RecordDraft:
    """One article as a format reader found it, before the manifest and header are merged in."""

    text: str
    fields: Fields = field(default_factory=dict)
    record_no: int | None = None


@dataclass
class ManifestEntry:
    """The metadata a manifest row gives for one file, and where the row is (for messages)."""

    line_no: int
    fields: Fields


@dataclass
class FormatResult:
    """What a per-format reader returns: the records it could read and the problems it found."""

    drafts: list[RecordDraft] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------------------------


def folder_contents(articles_dir: Path) -> tuple[list[FolderEntry], list[Problem]]:
    """The article folder's candidate files, and a problem for every entry skipped unread.

    Hidden files and folders (name starting with '.') are left out silently, and so is the
    top-level manifest. Files of any extension are candidates, so that an unsupported one is
    reported rather than silently ignored; folders whose name looks like an article file
    (`x.txt/`) are candidates too, so they can be reported, and are still walked into. Links
    are checked as `etl.folder` describes: one leading outside the folder is never read.
    """
    listing = list_folder(articles_dir, looks_like_file=tuple(ARTICLE_FORMATS))
    entries = [entry for entry in listing.candidates if entry.relative != MANIFEST_NAME]
    problems = [
        Problem(
            entry.relative,
            entry.skip_reason or "",
            severity="warning" if entry.skip_reason == LINK_TO_FOLDER else "error",
        )
        for entry in listing.skipped
    ]
    return entries, problems


def discover_files(articles_dir: Path) -> list[Path]:
    """Every candidate article path under `articles_dir`, sorted by relative path.

    See `folder_contents`; entries skipped unread (links leading outside the folder, link
    loops) are not among them.
    """
    return [Path(entry.path) for entry in folder_contents(articles_dir)[0]]


def format_of(path: Path) -> str:
    """The `file_format` for a path's extension; UnsupportedFormatError says what is accepted."""
    suffix = path.suffix.lower()
    if suffix in ARTICLE_FORMATS:
        return ARTICLE_FORMATS[suffix]
    kind = f"'{suffix}' files are" if suffix else "files without an extension are"
    raise UnsupportedFormatError(
        f"{kind} not read; accepted types are {ACCEPTED_TYPES_TEXT}. "
        f"Copy the article's text into a .txt file, or move this file out of the articles folder"
    )


def read_bytes_checked(path: Path, max_file_bytes: int) -> bytes:
    """The file's bytes, after checking it is a readable regular file within the size limit."""
    if path.is_symlink() and not path.exists():
        target = display_name(os.readlink(path))
        raise UnreadableFileError(
            f"is a link to '{target}', which does not exist; restore the target or remove the link"
        )
    if path.is_dir():
        raise UnreadableFileError(
            f"is a folder, not a file, although its name ends in '{path.suffix}'; rename the "
            f"folder (files inside it are still read)"
        )
    try:
        status = path.stat()
    except OSError as exc:
        raise UnreadableFileError(f"could not be opened ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(status.st_mode):
        raise UnreadableFileError(
            "is not a regular file (a pipe, socket or device), so it cannot be read as an "
            "article; remove it from the articles folder"
        )
    check_size(status.st_size, max_file_bytes)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(
            f"could not be read ({exc.strerror or exc}); check the file's permissions"
        ) from exc


def check_size(size: int, max_file_bytes: int) -> None:
    """Refuse files over the limit before reading them (a huge file is almost never one article)."""
    if size <= max_file_bytes:
        return
    suggestion = (size // (1024 * 1024) + 1) * 1024 * 1024
    raise FileTooLargeError(
        f"is {_human_size(size)}, over the {_human_size(max_file_bytes)} limit for one file, so it "
        f"was not read; if it is genuine, raise the limit with the environment variable "
        f"{MAX_FILE_BYTES_ENV} (in bytes, e.g. {MAX_FILE_BYTES_ENV}={suggestion})"
    )


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

# Leading bytes of common non-text files, with a name an analyst recognises.
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (Word .docx and Excel .xlsx files are ZIP archives too)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF (rich text) document"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program file"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xfe\xff", "utf-16"),
    (b"\xff\xfe", "utf-16"),
)

# When charset-normalizer finds several encodings equally plausible, prefer the ones our sources
# actually use (Western European and Cyrillic Windows code pages) over look-alikes such as cp1250.
_PREFERRED_LEGACY_ENCODINGS = ("cp1252", "cp1251")
_TIE_MARGIN = 0.01
_MAX_CONTROL_CHAR_RATIO = 0.005
_NEARLY_UTF8_MAX_BAD = 3

_SAVE_AS_UTF8 = "open it in a text editor and save it as UTF-8"
_EMPTY = "is empty (0 bytes), so there is no article to load; add the text or remove the file"
_WHITESPACE_ONLY = "contains only whitespace, no text, so there is no article to load"


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding used, and how many invalid UTF-8 bytes were replaced by '�'."""

    text: str
    encoding: str
    replaced_bytes: int = 0


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a file's bytes to text and name the encoding used (see `decode`)."""
    decoded = decode(data)
    return decoded.text, decoded.encoding


def decode(data: bytes) -> Decoded:
    """Decode a file's bytes to text.

    Order: BOM-marked UTF-8/16/32, BOM-less UTF-16, UTF-8 (also when a handful of stray bytes
    are broken, which are then replaced rather than garbling the rest), then charset-normalizer's
    best guess for legacy encodings (cp1251 Russian, cp1252/latin-1 French or German ...).
    Raises EmptyFileError, BinaryFileError or UndecodableError with a reason an analyst can act on.
    """
    if not data.strip():
        raise EmptyFileError(_EMPTY if not data else _WHITESPACE_ONLY)
    _reject_known_binary(data)
    decoded = _decode_with_bom(data) or _decode_nul_bearing(data) or _decode_text(data)
    if not decoded.text.strip():
        raise EmptyFileError(_WHITESPACE_ONLY)
    if _control_char_ratio(decoded.text) > _MAX_CONTROL_CHAR_RATIO:
        raise BinaryFileError(
            "is not text: it is full of control characters, so it is probably a binary file "
            "renamed to a text extension; save the article's text as a .txt file instead"
        )
    return decoded


def _reject_known_binary(data: bytes) -> None:
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise BinaryFileError(
                f"is not text: it looks like {kind}; save the article's text as a .txt file "
                f"(UTF-8) and put that in the folder instead"
            )


def _decode_with_bom(data: bytes) -> Decoded | None:
    """Text of a file that starts with a byte-order mark, or None when it has none."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError as exc:
                raise UndecodableError(
                    f"starts with a {codec.upper()} byte-order mark but is not valid "
                    f"{codec.upper()} (bad bytes at position {exc.start}); {_SAVE_AS_UTF8}"
                ) from exc
    return None


def _decode_nul_bearing(data: bytes) -> Decoded | None:
    """Text files never hold NUL bytes, except UTF-16 without a byte-order mark.

    Returns None when there is no NUL byte, decoded text when the file is BOM-less UTF-16,
    and raises BinaryFileError otherwise.
    """
    if b"\x00" not in data:
        return None
    codec = _bomless_utf16_codec(data)
    if codec is not None:
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError:
            pass
    raise BinaryFileError(
        "is not text: it contains NUL bytes, which text files never do, so it is probably an "
        "image, archive or document renamed to a text extension; save the article's text as a "
        ".txt file instead"
    )


def _bomless_utf16_codec(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every NUL sits on the same byte of a pair.

    UTF-16 text puts a NUL in the high byte of each ASCII character (space, digits, Latin),
    so the NULs fall on one parity only; binary files have them everywhere.
    """
    if len(data) % 2:
        return None
    odd_nuls = data[1::2].count(0)
    even_nuls = data[0::2].count(0)
    if odd_nuls and not even_nuls:
        return "utf-16-le"
    if even_nuls and not odd_nuls:
        return "utf-16-be"
    return None


def _decode_text(data: bytes) -> Decoded:
    """UTF-8 if valid (or nearly so), else the likeliest legacy encoding, else UndecodableError."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    nearly = _nearly_utf8(data)
    if nearly is not None:
        return nearly
    codec = _guess_legacy_encoding(data)
    if codec is None:
        raise UndecodableError(
            "is not UTF-8 and its character encoding could not be recognised, so the text would "
            f"come out garbled; {_SAVE_AS_UTF8}"
        )
    return Decoded(data.decode(codec), codec)


def _nearly_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few broken bytes replaced, when the rest is clearly UTF-8.

    A legacy-encoding guess would turn every correct accented letter and curly quote into
    mojibake to accommodate one stray byte, so a few '�' are the lesser harm.
    """
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd") - data.count("\ufffd".encode())
    valid_multibyte = sum(1 for char in text if ord(char) > 127) - text.count("\ufffd")
    few = replaced <= max(_NEARLY_UTF8_MAX_BAD, len(text) // 1000)
    if few and valid_multibyte >= 2 * replaced:
        return Decoded(text, "utf-8", replaced)
    return None


def _guess_legacy_encoding(data: bytes) -> str | None:
    """charset-normalizer's pick, preferring cp1252/cp1251 among equally plausible candidates."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    for preferred in _PREFERRED_LEGACY_ENCODINGS:
        for match in matches:
            plausible = (
                match.chaos <= best.chaos + _TIE_MARGIN
                and match.coherence >= best.coherence - _TIE_MARGIN
            )
            if plausible and preferred in match.could_be_from_charset:
                return preferred
    return best.encoding


# Unicode category Cc (C0, DEL, C1) less the whitespace controls \t \n \v \f \r.
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _control_char_ratio(text: str) -> float:
    """Share of characters that are control characters other than ordinary whitespace."""
    sample = text[:100_000]
    return len(_CONTROL_CHARS.findall(sample)) / max(len(sample), 1)


# --------------------------------------------------------------------------------------------
# Per-format readers
# --------------------------------------------------------------------------------------------


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


def read_html(text: str, relative: str) -> FormatResult:
    """A web page is one article: main text via trafilatura (BeautifulSoup as a fallback).

    Navigation, footers, cookie banners and comments are dropped. Paragraphs are separated by a
    blank line. Title, author, date, URL and site name come from the page's metadata.
    """
    text = repair_surrogates(text)[0]  # the HTML parsers encode the page and would fail
    document = trafilatura.bare_extraction(
        text,
        include_comments=False,
        with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = _paragraphs(getattr(document, "text", None) or "") or _soup_text(text)
    if not body:
        raise EmptyFileError("is a web page with no article text in it")
    if document is None:
        document = trafilatura.extract_metadata(text)
    return FormatResult([RecordDraft(body, _html_fields(document))])


def _paragraphs(text: str) -> str:
    """One paragraph per non-empty line, separated by a blank line (what normalize expects)."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


_SOUP_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form")


def _soup_text(html: str) -> str:
    """Visible text of the page without obvious chrome, used when trafilatura finds nothing."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_SOUP_DROP_TAGS):
        tag.decompose()
    root = soup.body or soup
    return _paragraphs(root.get_text("\n"))


def _html_fields(document: object) -> Fields:
    """Title/author/date/url/site name from trafilatura's metadata, where it found them."""
    raw = {
        "title": getattr(document, "title", None),
        "author": getattr(document, "author", None),
        "url": getattr(document, "url", None),
        "outlet": getattr(document, "sitename", None),
    }
    fields: Fields = {name: text for name, value in raw.items() if (text := _clean_str(value))}
    published = parse_published(getattr(document, "date", None) or "")
    if published is not None:
        fields["published"] = published
    return fields


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
        raise EmptyFileError(_WHITESPACE_ONLY)
    delimiter = _csv_delimiter(lines[header_index])
    header = next(csv.reader([lines[header_index]], delimiter=delimiter))
    columns = [_column_name(name) for name in header]
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


def _column_name(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


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


FORMAT_READERS: dict[str, Callable[[str, str], FormatResult]] = {
    "txt": read_txt,
    "md": read_markdown,
    "html": read_html,
    "csv": read_csv,
    "jsonl": read_jsonl,
}


# --------------------------------------------------------------------------------------------
# Metadata fields
# --------------------------------------------------------------------------------------------


def fields_from_mapping(
    values: Mapping[str, object], relative: str, record_no: int | None, origin: str
) -> tuple[Fields, list[Problem]]:
    """Metadata fields from front matter or a record, using the accepted alias names.

    A `published` value that cannot be read as a date is left unknown and reported as a warning.
    """
    lowered = {str(key).strip().lower(): value for key, value in values.items()}
    fields: Fields = {}
    problems: list[Problem] = []
    for name, aliases in FIELD_ALIASES.items():
        raw = next((lowered[alias] for alias in aliases if _has_value(lowered.get(alias))), None)
        if raw is None:
            continue
        if name == "published":
            published = coerce_published(raw)
            if published is None:
                problems.append(_bad_date_problem(relative, record_no, origin, raw))
            else:
                fields[name] = published
        elif (text := _clean_str(raw)) is not None:
            fields[name] = text
    return fields, problems


def _bad_date_problem(relative: str, record_no: int | None, origin: str, raw: object) -> Problem:
    shown = str(raw)
    if len(shown) > DATE_TEXT_MAX_CHARS:
        shown = shown[:DATE_TEXT_MAX_CHARS] + "…"
    reason = (
        f"the {origin} date {repair_surrogates(shown)[0]!r} is not a date that can be read (or "
        f"its year is outside {YEARS_HELD_TEXT}, the years the warehouse holds), so the "
        f"publication date was left unknown; write it like 2023-07-16, 2023-07 or 2023"
    )
    return Problem(relative, reason, record_no, severity="warning")


def _has_value(value: object) -> bool:
    return _clean_str(value) is not None or isinstance(value, dt.date | int)


def _clean_str(value: object) -> str | None:
    """A stripped string, lists joined with ', ' (several authors); None for empty/missing.

    Only plain values and flat lists of them count: a nested list or a mapping is no title
    or author, and turning one into text could be endless (a list that contains itself).
    """
    if isinstance(value, list | tuple):
        parts = [part for item in value if (part := _scalar_str(item))]
        return ", ".join(parts) or None
    return _scalar_str(value)


def _scalar_str(value: object) -> str | None:
    if value is None or isinstance(value, bool | list | tuple | dict | set):
        return None
    text = str(value).strip()
    return text or None


def merge_metadata(layers: list[tuple[str, Fields]]) -> tuple[Fields, dict[str, str]]:
    """Combine metadata layers given highest precedence first.

    Returns the winning value per field and `metadata_sources` (field -> source name) for every
    field that has a value. An absent or empty value never overrides a lower layer.
    """
    values: Fields = {}
    sources: dict[str, str] = {}
    for source, fields in layers:
        for name in METADATA_FIELDS:
            value = fields.get(name)
            if name not in values and value is not None and value != "":
                values[name] = value
                sources[name] = source
    return values, sources


# --------------------------------------------------------------------------------------------
# SOURCE: header
# --------------------------------------------------------------------------------------------

_HEADER = re.compile(
    r"\A\ufeff?[ \t]*SOURCE:[ \t]*(?P<value>[^\r\n]*?)[ \t]*\r?\n[ \t]*\r?\n", re.IGNORECASE
)
_URL_LIKE = re.compile(
    r"^(?:https?://\S+|www\.\S+|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/\S*)?)$",
    re.IGNORECASE,
)


def split_source_header(text: str) -> tuple[str, Fields]:
    """Strip a leading 'SOURCE: <url or outlet>' line (plus its blank line) from `text`.

    Returns the rest of the text unchanged and the fields the header gives: `url` and the
    `outlet` derived from its host when it is a URL, `outlet` otherwise.
    """
    match = _HEADER.match(text)
    if match is None or not match.group("value"):
        return text, {}
    value = match.group("value")
    rest = text[match.end() :]
    if not _URL_LIKE.match(value):
        return rest, {"outlet": value}
    fields: Fields = {"url": value}
    host = outlet_from_url(value)
    if host:
        fields["outlet"] = host
    return rest, fields


def outlet_from_url(url: str) -> str | None:
    """The site's host name without 'www.', e.g. 'eurasiareview.com'."""
    parsed = urlparse(url if "://" in url else f"https://{url}")
    host = (parsed.hostname or "").lower()
    return host.removeprefix("www.") or None


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


def build_record(
    relative: str,
    draft: RecordDraft,
    file_format: str,
    encoding: str,
    manifest_entry: ManifestEntry | None,
) -> tuple[SourceRecord | None, Problem | None]:
    """Merge the draft's metadata with the manifest row and header into a SourceRecord.

    Returns a problem instead of a record when nothing but a header is left of the text, and
    a record with a warning when its text or fields had to be repaired (lone surrogates) or
    a field was cut to its limit (`etl.limits.FIELD_MAX_CHARS`).
    """
    text, repaired = repair_surrogates(draft.text)
    draft_fields, repaired_in_fields = _repair_fields(draft.fields)
    body, header_fields = split_source_header(text)
    if not body.strip():
        return None, Problem(relative, "has no article text", draft.record_no)
    field_source = "front_matter" if file_format == "md" else "record"
    layers: list[tuple[str, Fields]] = []
    if manifest_entry is not None:
        layers.append(("manifest", manifest_entry.fields))
    layers += [(field_source, draft_fields), ("header", header_fields)]
    values, sources = merge_metadata(layers)
    values, cut = _capped(values)
    published = values.get("published")
    record = SourceRecord(
        source_file=relative,
        raw_text=body,
        record_no=draft.record_no,
        title=_str_or_none(values.get("title")),
        outlet=_str_or_none(values.get("outlet")),
        author=_str_or_none(values.get("author")),
        url=_str_or_none(values.get("url")),
        published=published if isinstance(published, PublicationDate) else None,
        metadata_sources=sources,
        encoding=encoding,
        file_format=file_format,
    )
    notes = _repair_notes(repaired + repaired_in_fields) + [
        f"its {name} is {length:,} characters long, over the {FIELD_MAX_CHARS[name]:,}-character "
        f"limit, so it was cut there" for name, length in cut
    ]
    if not notes:
        return record, None
    reason = "; ".join(notes) + "; the article was loaded"
    return record, Problem(relative, reason, draft.record_no, severity="warning")


def _repair_fields(fields: Fields) -> tuple[Fields, int]:
    """The fields with lone surrogates replaced, and how many were."""
    repaired: Fields = {}
    total = 0
    for name, value in fields.items():
        if isinstance(value, str):
            value, count = repair_surrogates(value)
            total += count
        repaired[name] = value
    return repaired, total


def _repair_notes(count: int) -> list[str]:
    if not count:
        return []
    return [
        f"{count} character{'s' if count > 1 else ''} could not be stored (lone surrogate "
        f"escapes such as \\ud800, which encode no character) and became '\ufffd'"
    ]


def _capped(values: Fields) -> tuple[Fields, list[tuple[str, int]]]:
    """Metadata cut to `FIELD_MAX_CHARS`, and (field, original length) of each value cut."""
    capped: Fields = {}
    cut: list[tuple[str, int]] = []
    for name, value in values.items():
        if isinstance(value, str):
            short, was_cut = cap_field(name, value)
            if was_cut:
                cut.append((name, len(value)))
            value = short
        capped[name] = value
    return capped, cut


def _str_or_none(value: FieldValue | None) -> str | None:
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------------------------
# Manifest
# --------------------------------------------------------------------------------------------

_PRECISIONS = ("year", "month", "day")


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
    columns = [_column_name(name) for name in reader.fieldnames or []]
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
        if any(_clean_str(value) for value in row.values()):
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


def _manifest_fields(
    row: Mapping[str, str | None], line_no: int, file_name: str
) -> tuple[Fields, list[Problem]]:
    fields: Fields = {}
    problems: list[Problem] = []
    for name in ("title", "outlet", "author", "url"):
        if (value := _clean_str(row.get(name))) is not None:
            fields[name] = value
    precision = (_clean_str(row.get("date_precision")) or "").lower() or None
    if precision is not None and precision not in _PRECISIONS:
        reason = (
            f"{MANIFEST_NAME} line {line_no}: date_precision {precision!r} is not one of "
            f"day, month, year, so it was ignored"
        )
        problems.append(Problem(file_name, reason, severity="warning"))
        precision = None
    raw_date = _clean_str(row.get("published"))
    if raw_date is not None:
        published = parse_published(raw_date)
        if published is None:
            problems.append(_bad_date_problem(file_name, None, f"{MANIFEST_NAME}", raw_date))
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


# --------------------------------------------------------------------------------------------
# Publication dates
# --------------------------------------------------------------------------------------------

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME_TAIL = r"(?:(?:[,\s]+(?:at\s+)?|T)\d{1,2}[:.]\d{2}.*)?"
_ORDINAL = r"(?:st|nd|rd|th)?"

_DATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"(?P<year>\d{4})[-/.](?P<month_no>\d{1,2})[-/.](?P<day>\d{1,2})" + _TIME_TAIL,
        r"(?P<year>\d{4})[-/.](?P<month_no>\d{1,2})",
        r"(?P<year>\d{4})",
        r"(?P<day>\d{1,2})\.(?P<month_no>\d{1,2})\.(?P<year>\d{4})" + _TIME_TAIL,
        _WEEKDAY
        + r"(?P<day>\d{1,2})"
        + _ORDINAL
        + r"\s+(?:of\s+)?"
        + _MONTH
        + r",?\s+(?P<year>\d{4})"
        + _TIME_TAIL,
        _WEEKDAY
        + _MONTH
        + r"\s+(?P<day>\d{1,2})"
        + _ORDINAL
        + r",?\s+(?P<year>\d{4})"
        + _TIME_TAIL,
        _MONTH + r",?\s+(?P<year>\d{4})",
    )
)
_SLASHED_DATE = re.compile(r"(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<year>\d{4})")


def parse_published(value: str) -> PublicationDate | None:
    """A publication date at the precision the text gives, or None when it cannot be read.

    Accepts '2023-07-16' (also with a time, e.g. '2023-07-16T10:00:00Z'), '2023-07', '2023',
    'July 16, 2023', '16 July 2023', 'July 2023', 'Sun, 16 Jul 2023 10:00:00 +0000',
    '16.07.2023', and '16/07/2023' when day and month cannot be confused.
    """
    text = " ".join(str(value)[: DATE_TEXT_MAX_CHARS * 4].split())
    if not text or len(text) > DATE_TEXT_MAX_CHARS:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match is not None:
            return _date_from_parts(match.groupdict())
    return _parse_slashed(text)


def _date_from_parts(parts: Mapping[str, str | None]) -> PublicationDate | None:
    year = int(parts["year"] or 0)
    month_text = parts.get("month")
    month = MONTHS[month_text.casefold()] if month_text else _int_or_none(parts.get("month_no"))
    return make_date(year, month, _int_or_none(parts.get("day")))


def _parse_slashed(text: str) -> PublicationDate | None:
    """'16/07/2023' or '07/16/2023' only when one number is over 12; ambiguous -> None."""
    match = _SLASHED_DATE.fullmatch(text)
    if match is None:
        return None
    first, second, year = int(match["a"]), int(match["b"]), int(match["year"])
    if first > 12 >= second:
        return make_date(year, second, first)
    if second > 12 >= first:
        return make_date(year, first, second)
    return None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value else None


def make_date(
    year: int, month: int | None = None, day: int | None = None
) -> PublicationDate | None:
    """A PublicationDate if the parts form a real calendar date in a plausible year, else None."""
    if year not in YEARS_HELD or (month is not None and not 1 <= month <= 12):
        return None
    if day is not None and (month is None or not 1 <= day <= calendar.monthrange(year, month)[1]):
        return None
    return PublicationDate(year, month, day)


def coerce_published(value: object) -> PublicationDate | None:
    """A date from front matter or a record: YAML gives date/datetime objects or bare years."""
    if isinstance(value, dt.date):  # datetime is a date too
        return make_date(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        return make_date(value)
    return parse_published(str(value)) if value is not None else None


def with_precision(date: PublicationDate, precision: str | None) -> PublicationDate:
    """Cut a date down to the stated precision ('2023-07-16' at 'month' -> 2023-07).

    A precision finer than the date itself cannot add information, so the date is kept as is.
    """
    if precision == "year":
        return PublicationDate(date.year)
    if precision == "month" and date.month is not None:
        return PublicationDate(date.year, date.month)
    return date
