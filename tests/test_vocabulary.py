"""The shared vocabulary: one file that the extractor, warehouse, marts and dashboard read."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.corrections import records
from etl.extract.triggers import _TRIGGER_WORDS
from etl.model import EVENT_TYPES, MEMBERSHIP_COUNTED_KINDS
from etl.vocabulary import (
    SHIPPED_PATH,
    VocabularyError,
    load_correction_fields,
    load_vocabulary,
    parse_correction_fields,
    parse_vocabulary,
)

# what a trigger may signal before the rules settle it into an event type
WORKING_TRIGGERS = {"noun_held", "cancelled", "applied", "deposited", "opened"}


def test_every_event_word_signals_a_type_of_the_vocabulary() -> None:
    assert set(_TRIGGER_WORDS) - WORKING_TRIGGERS <= set(EVENT_TYPES)


def test_the_vocabulary_lists_types_and_kinds_once_each() -> None:
    vocabulary = load_vocabulary()
    assert [e.name for e in vocabulary.event_types] == list(EVENT_TYPES)
    assert {e.name for e in vocabulary.event_types if e.once} == {
        "proposed", "founded", "first_held"}
    assert "member_states" in MEMBERSHIP_COUNTED_KINDS
    rows = vocabulary.table_rows()
    assert len(rows["event_types"]) == len(EVENT_TYPES)
    assert len(rows["membership_kinds"]) == len(MEMBERSHIP_COUNTED_KINDS)


@pytest.mark.parametrize("text, problem", [
    ("[event_types.x]\nlabel = 'x'\n", "membership_kinds|once"),
    ("[event_types.x]\nlabel = 'x'\nmarker = 'circle'\nonce = 'yes'\nmeaning = 'm'\n"
     "[membership_kinds.k]\nlabel = 'k'\nmeaning = 'm'\n", "once"),
    ("[event_types.x]\nlabel = ''\nmarker = 'circle'\nonce = true\nmeaning = 'm'\n"
     "[membership_kinds.k]\nlabel = 'k'\nmeaning = 'm'\n", "label"),
    ("[event_types", "TOML"),
])
def test_a_malformed_vocabulary_is_refused_with_its_reason(text: str, problem: str) -> None:
    with pytest.raises(VocabularyError, match=problem):
        parse_vocabulary(text)


def test_the_shipped_file_is_the_default() -> None:
    assert SHIPPED_PATH.name == "vocabulary.toml" and SHIPPED_PATH.is_file()


def test_the_correction_records_allow_what_the_vocabulary_lists() -> None:
    fields = load_correction_fields()
    assert set(fields.editable) == set(records.FACT_KINDS) == set(fields.required_for_add)
    assert fields.editable == records.EDITABLE_FIELDS
    assert fields.required_for_add == records.REQUIRED_FOR_ADD
    assert records.MAX_REASON_CHARS == fields.max_reason_chars == 2000
    assert fields.editable["event"] == ("initiative_id", "event_type", "year", "month", "day")
    assert fields.required_for_add["membership"] == ("initiative_id", "kind", "count")


@pytest.mark.parametrize("text, problem", [
    ("[event_types.x]\nlabel = 'x'\n", r"\[corrections\] section is missing"),
    ("[corrections.event]\neditable = ['year']\nrequired_for_add = ['year']\n",
     "max_reason_chars"),
    ("[corrections]\nmax_reason_chars = 10\n", r"\[corrections.<fact>\] tables"),
    ("[corrections]\nmax_reason_chars = 10\n[corrections.event]\neditable = []\n"
     "required_for_add = ['year']\n", "'editable' must be a list of names"),
    ("[corrections]\nmax_reason_chars = 10\n[corrections.event]\neditable = ['year']\n"
     "required_for_add = ['year', 'day']\n", "only values of 'editable'"),
])
def test_a_malformed_corrections_section_is_refused_with_its_reason(text: str,
                                                                   problem: str) -> None:
    with pytest.raises(VocabularyError, match=problem):
        parse_correction_fields(text)


def test_a_configured_vocabulary_is_read_and_one_without_the_section_keeps_the_shipped_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = SHIPPED_PATH.read_text(encoding="utf-8")
    configured = tmp_path / "vocabulary.toml"
    monkeypatch.setenv("IM_REFERENCE_DIR", str(tmp_path))
    load_correction_fields.cache_clear()
    try:
        configured.write_text(text.replace("max_reason_chars = 2000", "max_reason_chars = 500"),
                              encoding="utf-8")
        assert load_correction_fields().max_reason_chars == 500
        load_correction_fields.cache_clear()
        configured.write_text(text[:text.index("[corrections]")], encoding="utf-8")
        assert load_correction_fields() == load_correction_fields(SHIPPED_PATH)
    finally:
        load_correction_fields.cache_clear()
