"""How a fact was read, in words: the line under an evidence card."""

from __future__ import annotations

import math

from dashboard import explain


def test_a_fact_read_from_its_own_sentence() -> None:
    note = explain.evidence_note({
        "sentence_no": 4, "initiative_sentence_no": 4, "confidence": 1.0,
        "rule_label": "type from an event verb in the date's clause",
        "date_label": "date written out in the sentence", "date_weight": 1.0})
    assert note == ("read from this sentence · type from an event verb in the date's clause · "
                    "confidence: high (100%)")


def test_an_inferred_fact_says_what_was_inferred() -> None:
    note = explain.evidence_note({
        "sentence_no": 7, "initiative_sentence_no": 5, "confidence": 0.48,
        "rule_label": "type from a meeting noun next to the date (weaker)",
        "date_label": "year taken from the publication date", "date_weight": 0.8})
    assert "initiative resolved from two sentences earlier" in note
    assert "year taken from the publication date" in note
    assert "meeting noun" in note and "(weaker)" in note
    assert note.endswith("confidence: low (48%)")


def test_distances_and_levels_in_words() -> None:
    assert explain.initiative_phrase(3, 2) == "initiative resolved from the previous sentence"
    assert explain.initiative_phrase(20, 5) == "initiative resolved from 15 sentences earlier"
    assert explain.initiative_phrase(3, None) == "read from this sentence"
    assert explain.initiative_phrase(3, 4) == "initiative named in the next sentence"
    assert explain.confidence_level(0.8) == "high"
    assert explain.confidence_level(0.6) == "medium"
    assert explain.confidence_level(0.59) == "low"


def test_missing_values_leave_their_part_out() -> None:
    assert explain.evidence_note({"sentence_no": 1, "confidence": math.nan}) == \
        "read from this sentence"
