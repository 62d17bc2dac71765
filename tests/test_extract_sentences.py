"""Sentence splitting: boundaries, abbreviations, offsets, and the answer key's evidence spans."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.extract.sentences import SentenceIndex, split_sentences

ROOT = Path(__file__).resolve().parent.parent
SEED_TRUTH = Path(__file__).parent / "fixtures" / "seed_truth.json"


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_offsets_are_exact_and_numbering_starts_at_one() -> None:
    text = "First one here. Second one here!\n\nThird one?  Fourth."
    sentences = split_sentences(text)
    assert [s.sentence_no for s in sentences] == [1, 2, 3, 4]
    for s in sentences:
        assert text[s.start:s.end] == s.text
    assert texts(text) == ["First one here.", "Second one here!", "Third one?", "Fourth."]


@pytest.mark.parametrize("text, expected", [
    ("The summit was in Sept. 2020 in New York. It ended.",
     ["The summit was in Sept. 2020 in New York.", "It ended."]),
    ("The U.N. Security Council met. Then it adjourned.",
     ["The U.N. Security Council met.", "Then it adjourned."]),
    ("He spoke to the U.S. The talks went on.", ["He spoke to the U.S.", "The talks went on."]),
    ("Dr. Smith and Mr. Jones agreed. Prof. Lee did not.",
     ["Dr. Smith and Mr. Jones agreed.", "Prof. Lee did not."]),
    ("By R. Ravichandran and J. K. Rowling. Next sentence.",
     ["By R. Ravichandran and J. K. Rowling.", "Next sentence."]),
    ("Kazakhstan has some 19.8 million people. It is large.",
     ["Kazakhstan has some 19.8 million people.", "It is large."]),
    ("“Today, CICA has 28 Member States. CICA is unique.” he said. Then he left.",
     ["“Today, CICA has 28 Member States.", "CICA is unique.” he said.", "Then he left."]),
    ("He called it “walking-the-talk”. Others agreed.",
     ["He called it “walking-the-talk”.", "Others agreed."]),
    ("Is it over? Yes! It is.", ["Is it over?", "Yes!", "It is."]),
    ("The forum (held in Astana.) was a success. Then more.",
     ["The forum (held in Astana.) was a success.", "Then more."]),
    ("It ended at 5 p.m. on Friday. Good.", ["It ended at 5 p.m. on Friday.", "Good."]),
    ("Wait... The results came in.", ["Wait...", "The results came in."]),
    ("Numbers like no. 5 matter. And more.", ["Numbers like no. 5 matter.", "And more."]),
])
def test_abbreviations_initials_decimals_and_quotes(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_line_and_paragraph_breaks_always_end_a_sentence() -> None:
    text = "A headline without a full stop\nA body line that goes on\n\nNext paragraph."
    assert texts(text) == ["A headline without a full stop", "A body line that goes on",
                           "Next paragraph."]


def test_numbered_and_bulleted_list_markers_stay_out_of_the_sentence() -> None:
    text = "Summary:\n  1. First point is here.\n2) Second point.\n- A bullet.\n\u2022 Another one."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Summary:", "First point is here.", "Second point.",
                                           "A bullet.", "Another one."]
    assert text[sentences[1].start:sentences[1].end] == "First point is here."


def test_a_year_at_a_line_start_is_not_a_list_marker() -> None:
    assert texts("2013. A year to remember.") == ["2013.", "A year to remember."]


def test_non_breaking_spaces_and_empty_text() -> None:
    assert texts("In Sept.\u00a02020 it began. It ended.") == ["In Sept.\u00a02020 it began.",
                                                                 "It ended."]
    assert split_sentences("") == []
    assert split_sentences("\n\n  \n") == []


def test_sentence_index_finds_the_sentence_of_an_offset() -> None:
    text = "One two. Three four."
    index = SentenceIndex(split_sentences(text))
    assert index.at(0).sentence_no == 1
    assert index.at(text.index("Three")).sentence_no == 2
    assert index.at(8) is None  # the space between the sentences
    assert index.by_no(2).text == "Three four."


def test_reproduces_every_single_sentence_evidence_span_of_the_answer_key() -> None:
    """Each evidence sentence of the key (offsets into the raw file) is one of our sentences."""
    documents = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))["documents"]
    checked = 0
    for name, doc in documents.items():
        raw = (ROOT / "data" / "articles" / name).read_text(encoding="utf-8")
        spans = {(s.start, s.end) for s in split_sentences(raw)}
        records = [r for key in ("events", "membership_figures", "non_membership_numbers",
                                 "undated_mentions") for r in doc.get(key, [])]
        records += [a for r in records for a in r.get("also_evidenced_by", [])]
        for record in records:
            if "char_start" not in record or len(split_sentences(record["sentence"])) != 1:
                continue  # the key groups a few two-sentence passages on purpose
            checked += 1
            assert (record["char_start"], record["char_end"]) in spans, record["sentence"][:80]
    assert checked >= 60


def test_no_ends_a_sentence_unless_a_number_follows() -> None:
    from etl.extract.sentences import split_sentences as split
    assert [s.text for s in split("A: No. The SCO is different.")] == [
        "A: No.", "The SCO is different."]
    assert [s.text for s in split("See resolution No. 64 of the Assembly.")] == [
        "See resolution No. 64 of the Assembly."]
