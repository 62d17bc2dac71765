"""An article's metadata: the fields a reader found, the `SOURCE:` header, and the record they
make together.

Metadata precedence (first with a value wins, see `etl.model.METADATA_SOURCES`):
manifest row > front matter (.md) / record fields (.html meta, .csv/.jsonl columns) > SOURCE header.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from etl.limits import (
    DATE_TEXT_MAX_CHARS,
    FIELD_MAX_CHARS,
    YEARS_HELD_TEXT,
    cap_field,
    repair_surrogates,
)
from etl.model import Problem, PublicationDate, SourceRecord
from etl.sources.dates import coerce_published

if TYPE_CHECKING:  # the manifest reads fields with this module's helpers
    from etl.sources.manifest import ManifestEntry


METADATA_FIELDS = ("title", "outlet", "author", "url", "published")
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


def column_name(name: str) -> str:
    """A header cell as a field name: 'Published At' -> 'published_at' (a BOM is dropped)."""
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def fields_from_mapping(
    values: Mapping[Any, object], relative: str, record_no: int | None, origin: str
) -> tuple[Fields, list[Problem]]:
    """Metadata fields from front matter or a record, using the accepted alias names.

    Keys may be of any type (YAML reads `2024: x` as a number); they are compared as text.

    A `published` value that cannot be read as a date is left unknown and reported as a warning.
    """
    lowered = {str(key).strip().lower(): value for key, value in values.items()}
    fields: Fields = {}
    problems: list[Problem] = []
    for name, aliases in FIELD_ALIASES.items():
        raw = next((lowered[alias] for alias in aliases if has_value(lowered.get(alias))), None)
        if raw is None:
            continue
        if name == "published":
            published = coerce_published(raw)
            if published is None:
                problems.append(bad_date_problem(relative, record_no, origin, raw))
            else:
                fields[name] = published
        elif (text := clean_str(raw)) is not None:
            fields[name] = text
    return fields, problems


def bad_date_problem(relative: str, record_no: int | None, origin: str, raw: object) -> Problem:
    shown = str(raw)
    if len(shown) > DATE_TEXT_MAX_CHARS:
        shown = shown[:DATE_TEXT_MAX_CHARS] + "…"
    reason = (
        f"the {origin} date {repair_surrogates(shown)[0]!r} is not a date that can be read (or "
        f"its year is outside {YEARS_HELD_TEXT}, the years the warehouse holds), so the "
        f"publication date was left unknown; write it like 2023-07-16, 2023-07 or 2023"
    )
    return Problem(relative, reason, record_no, severity="warning")


def has_value(value: object) -> bool:
    return clean_str(value) is not None or isinstance(value, dt.date | int)


def clean_str(value: object) -> str | None:
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
