"""One correction record: what an analyst did to one fact, as a line of JSON.

A record names its fact the way a rebuild cannot change: the article by its content fingerprint
(`article_id`, a hash of the cleaned text) and the sentence by a hash of its normalised text
(`sentence_key`), never by row ids or sentence numbers, which a changed rule or an added article
may shift. Within the sentence a machine-read fact is named by the values the rules read
(`target`); a fact an analyst added earlier is named by that record's id (`target_added`).

    {"id": "c-5f0c2a91d3e4", "action": "edit", "fact": "event",
     "article_id": "9a1b...", "sentence_key": "41c0...", "sentence": "The forum met in ...",
     "target": {"initiative_id": "aif", "event_type": "held", "year": 2023, ...},
     "fields": {"year": 2022}, "analyst": "a.smith", "at": "2026-12-06T09:14:03+00:00",
     "reason": "the article's 'last year' is 2022"}

`action` is confirm, reject, edit (`fields`: the changed values) or add (`fields`: the new
fact's values, `target` empty). docs/corrections.md documents the format for import files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from etl.vocabulary import load_correction_fields

ACTIONS = ("confirm", "reject", "edit", "add")
FACT_KINDS = ("event", "membership")

# The values that name a machine-read fact within its sentence (they make its row id).
TARGET_FIELDS: dict[str, tuple[str, ...]] = {
    "event": ("initiative_id", "event_type", "year", "month", "day",
              "end_year", "end_month", "end_day"),
    "membership": ("initiative_id", "kind", "count", "year"),
}
# What an analyst may set by an edit or an add, which of them an add must give, and the
# longest reason kept: the `[corrections]` section of data/reference/vocabulary.toml, which the
# dashboard's correction forms read too.
_CORRECTION_FIELDS = load_correction_fields()
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = _CORRECTION_FIELDS.editable
REQUIRED_FOR_ADD: dict[str, tuple[str, ...]] = _CORRECTION_FIELDS.required_for_add
MAX_REASON_CHARS = _CORRECTION_FIELDS.max_reason_chars
_TEXT_FIELDS = frozenset({"initiative_id", "event_type", "kind"})

MAX_ANALYST_CHARS = 100
MAX_SENTENCE_CHARS = 5000

_SPACE = re.compile(r"\s+")


class RecordError(ValueError):
    """A correction record is malformed; the message says which field and why."""


def sentence_key(text: str) -> str:
    """The hash that names a sentence across rebuilds: of its text in Unicode NFKC, lower case,
    every run of white space one space, trimmed (a re-wrapped or re-cased sentence keeps it)."""
    normal = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:24]


def new_id() -> str:
    """A fresh record id."""
    return f"c-{uuid.uuid4().hex[:16]}"


def now() -> str:
    """The current time as the records write it (UTC, seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Correction:
    """One record. `source_file` and `line_no` say where it was read (not written to the file)."""

    id: str
    action: str
    fact: str
    article_id: str
    sentence_key: str
    analyst: str
    at: dt.datetime
    sentence: str = ""
    target: dict[str, Any] = field(default_factory=dict)
    target_added: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    source_file: str = ""
    line_no: int = 0

    def to_json(self) -> str:
        """The record as one line of JSON (keys in a fixed order, non-ASCII kept readable)."""
        data: dict[str, Any] = {
            "id": self.id, "action": self.action, "fact": self.fact,
            "article_id": self.article_id, "sentence_key": self.sentence_key,
            "sentence": self.sentence,
        }
        if self.target:
            data["target"] = self.target
        if self.target_added:
            data["target_added"] = self.target_added
        if self.fields:
            data["fields"] = self.fields
        data |= {"analyst": self.analyst,
                 "at": self.at.replace(tzinfo=dt.UTC).isoformat(timespec="seconds"),
                 "reason": self.reason}
        return json.dumps(data, ensure_ascii=False, sort_keys=False)

    def outcome(self) -> tuple[str, str]:
        """What the record does to its fact, for comparing two records of one fact."""
        return self.action, json.dumps(self.fields, sort_keys=True)


def parse_record(line: str, source_file: str = "", line_no: int = 0) -> Correction:
    """A record from one line of JSON; `RecordError` says what is wrong with it."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"not JSON ({exc.msg} at character {exc.pos + 1})") from None
    if not isinstance(data, dict):
        raise RecordError("not a JSON object")
    return from_mapping(data, source_file, line_no)


def from_mapping(data: Mapping[str, Any], source_file: str = "", line_no: int = 0) -> Correction:
    """A record from its decoded JSON object, every field checked."""
    action = _choice(data, "action", ACTIONS)
    fact = _choice(data, "fact", FACT_KINDS)
    target = _values(data.get("target") or {}, TARGET_FIELDS[fact], "target")
    fields = _values(data.get("fields") or {}, EDITABLE_FIELDS[fact], "fields")
    target_added = data.get("target_added")
    if target_added is not None and not isinstance(target_added, str):
        raise RecordError("'target_added' must be a record id")
    if action == "add":
        missing = [name for name in REQUIRED_FOR_ADD[fact] if fields.get(name) is None]
        if missing:
            raise RecordError(f"an add must give {', '.join(missing)} in 'fields'")
        if target or target_added:
            raise RecordError("an add names no target")
    else:
        if not target and not target_added:
            raise RecordError(f"a {action} must name its fact ('target' or 'target_added')")
        if action == "edit" and not fields:
            raise RecordError("an edit must change at least one of 'fields'")
        if action != "edit" and fields:
            raise RecordError(f"a {action} changes no 'fields'")
    return Correction(
        id=_text(data, "id", 100),
        action=action,
        fact=fact,
        article_id=_text(data, "article_id", 100),
        sentence_key=_text(data, "sentence_key", 100),
        sentence=_text(data, "sentence", MAX_SENTENCE_CHARS, required=False),
        target=target,
        target_added=target_added,
        fields=fields,
        analyst=_text(data, "analyst", MAX_ANALYST_CHARS),
        at=_time(data.get("at")),
        reason=_text(data, "reason", MAX_REASON_CHARS, required=False),
        source_file=source_file,
        line_no=line_no,
    )


def _choice(data: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = data.get(name)
    if value not in allowed:
        raise RecordError(f"'{name}' must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


def _text(data: Mapping[str, Any], name: str, limit: int, required: bool = True) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise RecordError(f"'{name}' must be text")
    if required and not value.strip():
        raise RecordError(f"'{name}' is missing")
    if len(value) > limit:
        raise RecordError(f"'{name}' is longer than {limit} characters")
    return value


def _values(values: Any, allowed: tuple[str, ...], name: str) -> dict[str, Any]:
    """A fact's values: known names only, text where text is expected, whole numbers otherwise."""
    if not isinstance(values, dict):
        raise RecordError(f"'{name}' must be an object")
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise RecordError(f"'{name}' has unknown fields: {', '.join(unknown)} "
                          f"(allowed: {', '.join(allowed)})")
    checked: dict[str, Any] = {}
    for key in allowed:
        if key not in values:
            continue
        value = values[key]
        if value is None:
            checked[key] = None
        elif key in _TEXT_FIELDS:
            if not isinstance(value, str) or not value.strip():
                raise RecordError(f"'{name}.{key}' must be text")
            checked[key] = value.strip()
        elif isinstance(value, bool) or not isinstance(value, int):
            raise RecordError(f"'{name}.{key}' must be a whole number")
        else:
            checked[key] = value
    return checked


def _time(value: Any) -> dt.datetime:
    """A record's time as naive UTC (what the warehouse stores)."""
    if not isinstance(value, str):
        raise RecordError("'at' must be an ISO 8601 time")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"'at' is not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
