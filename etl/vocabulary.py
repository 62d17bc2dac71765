"""The shared vocabularies: event types and membership kinds, from one data file.

`data/reference/vocabulary.toml` is their only home: the extractor may write only what it lists,
the warehouse holds it as the tables `event_types` and `membership_kinds` (so an analyst sees
labels and meanings beside the facts), the marts read which event types an initiative has once
in its life from it, and the dashboard reads labels and markers from the same file. Its
`[corrections]` section says which values an analyst's correction may set: the correction
records (etl/corrections/records.py) check against it and the dashboard's forms offer it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from etl.settings import Settings

VOCABULARY_FILE = "vocabulary.toml"
SHIPPED_PATH = Path(__file__).resolve().parent.parent / "data" / "reference" / VOCABULARY_FILE


class VocabularyError(ValueError):
    """The vocabulary file is malformed (the message names the entry and the problem)."""


@dataclass(frozen=True)
class EventType:
    """One event type: its name, label, marker symbol, whether it happens once, its meaning."""

    name: str
    label: str
    marker: str
    once: bool
    meaning: str


@dataclass(frozen=True)
class MembershipKind:
    """One kind of membership count: its name, label and meaning."""

    name: str
    label: str
    meaning: str


@dataclass(frozen=True)
class Vocabulary:
    """Every event type and membership kind, in the file's order."""

    event_types: tuple[EventType, ...]
    membership_kinds: tuple[MembershipKind, ...]

    def table_rows(self) -> dict[str, list[dict[str, object]]]:
        """The rows of the warehouse tables `event_types` and `membership_kinds`."""
        return {
            "event_types": [{"event_type": e.name, "label": e.label, "marker": e.marker,
                             "once_in_a_life": e.once, "meaning": e.meaning}
                            for e in self.event_types],
            "membership_kinds": [{"kind": k.name, "label": k.label, "meaning": k.meaning}
                                 for k in self.membership_kinds],
        }


def _text(entry: dict[str, object], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise VocabularyError(f"{VOCABULARY_FILE}: {where}: '{key}' must be non-empty text")
    return value


def _table(data: dict[str, object], name: str) -> dict[str, dict[str, object]]:
    table = data.get(name)
    if not isinstance(table, dict) or not table or \
            not all(isinstance(v, dict) for v in table.values()):
        raise VocabularyError(f"{VOCABULARY_FILE}: [{name}.<name>] tables are missing")
    return table


def _toml(text: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise VocabularyError(f"{VOCABULARY_FILE}: not valid TOML ({exc})") from exc


def parse_vocabulary(text: str) -> Vocabulary:
    """The vocabulary from the file's text, checked."""
    data = _toml(text)
    events = []
    for name, entry in _table(data, "event_types").items():
        once = entry.get("once")
        if not isinstance(once, bool):
            raise VocabularyError(f"{VOCABULARY_FILE}: event type {name!r}: 'once' must be "
                                  "true or false")
        events.append(EventType(name, _text(entry, "label", name), _text(entry, "marker", name),
                                once, _text(entry, "meaning", name)))
    kinds = [MembershipKind(name, _text(entry, "label", name), _text(entry, "meaning", name))
             for name, entry in _table(data, "membership_kinds").items()]
    return Vocabulary(tuple(events), tuple(kinds))


def default_path() -> Path:
    """The vocabulary of the configured reference folder (`IM_REFERENCE_DIR`), if it has one,
    else the shipped file."""
    configured = Settings().reference_dir / VOCABULARY_FILE
    return configured if configured.is_file() else SHIPPED_PATH


@lru_cache(maxsize=4)
def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary of `path` (default: `default_path()`), cached."""
    return parse_vocabulary((path or default_path()).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class CorrectionFields:
    """What a correction record may set: per kind of fact (event, membership) the values an
    edit or an add may set and those an add must give, and the longest reason kept."""

    editable: dict[str, tuple[str, ...]]
    required_for_add: dict[str, tuple[str, ...]]
    max_reason_chars: int


def _names(entry: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key)
    if not isinstance(value, list) or not value or \
            not all(isinstance(name, str) and name for name in value):
        raise VocabularyError(f"{VOCABULARY_FILE}: {where}: '{key}' must be a list of names")
    return tuple(value)


def parse_correction_fields(text: str) -> CorrectionFields:
    """The `[corrections]` section of the vocabulary file's text, checked."""
    section = _toml(text).get("corrections")
    if not isinstance(section, dict):
        raise VocabularyError(f"{VOCABULARY_FILE}: the [corrections] section is missing")
    limit = section.get("max_reason_chars")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise VocabularyError(f"{VOCABULARY_FILE}: [corrections] needs 'max_reason_chars', "
                              "a whole number of at least 1")
    facts = {name: entry for name, entry in section.items() if isinstance(entry, dict)}
    if not facts:
        raise VocabularyError(f"{VOCABULARY_FILE}: [corrections.<fact>] tables are missing")
    editable = {fact: _names(entry, "editable", f"corrections.{fact}")
                for fact, entry in facts.items()}
    required = {fact: _names(entry, "required_for_add", f"corrections.{fact}")
                for fact, entry in facts.items()}
    for fact, names in required.items():
        if not set(names) <= set(editable[fact]):
            raise VocabularyError(f"{VOCABULARY_FILE}: corrections.{fact}: 'required_for_add' "
                                  "must name only values of 'editable'")
    return CorrectionFields(editable, required, limit)


@lru_cache(maxsize=4)
def load_correction_fields(path: Path | None = None) -> CorrectionFields:
    """What a correction record may set, from `path` (default: the vocabulary file of
    `default_path()`, or the shipped one when that file has no `[corrections]` section, as a
    copy made before the section existed has not), cached."""
    if path is not None:
        return parse_correction_fields(path.read_text(encoding="utf-8"))
    text = default_path().read_text(encoding="utf-8")
    if "corrections" not in _toml(text):
        text = SHIPPED_PATH.read_text(encoding="utf-8")
    return parse_correction_fields(text)
