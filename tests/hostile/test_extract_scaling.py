"""Issue 10, row 6 (and 'Linear-time extraction'): large and odd texts through the extractors.

A large text once took minutes to hours (date spans and names rescanned for every date, event
rules rescanning a sentence's dates and clauses for every pair of offsets, a line of dots
backtracking in the sentence splitter). These tests stay deterministic: no clock. They count
work instead (Python lines executed while extracting, which grows with the square or the cube
of the size when a rescan creeps back in), check the lookup structures against the scans they
replace, and feed the cleaner and the extractors random Unicode: nothing may escape.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import scaling_inputs
from etl.extract import extract_article, infer_publication_date, load_gazetteer, load_themes
from etl.extract.date_spans import Names, Spans
from etl.extract.mentions import _abbreviates, _NameInitials, _written_name
from etl.extract.sentences import MAX_SENTENCE_CHARS, split_sentences
from etl.extract.text import Clauses, clause_index
from etl.model import PublicationDate
from etl.normalize import clean_text
from etl.settings import PROJECT_ROOT

PUBLISHED = PublicationDate(2024, 5, 17)
# four times the text may cost at most this many times the work (linear: about 4)
GROWTH_LIMIT = 6.0
REFERENCE = PROJECT_ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(REFERENCE)


@pytest.fixture(scope="module")
def themes():
    return load_themes(REFERENCE)


def _lines_run(work: Callable[[], object]) -> int:
    """Python lines run while doing `work`: a deterministic measure of the work done."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    sys.settrace(lambda frame, event, arg: local)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def _lines_executed(text: str, gazetteer, themes) -> int:
    """Python lines run while extracting `text`."""
    return _lines_run(lambda: extract_article(text, PUBLISHED, gazetteer, themes))


def _dense_one_sentence(size: int) -> str:
    return scaling_inputs.one_sentence(scaling_inputs.dense_dates(size))


def _prose_one_sentence(size: int) -> str:
    return scaling_inputs.one_sentence(scaling_inputs.prose(size))


@pytest.mark.parametrize("make", [scaling_inputs.dense_dates, _dense_one_sentence,
                                  _prose_one_sentence],
                         ids=["dense-dates", "dense-dates-one-sentence", "prose-one-sentence"])
def test_row6_extraction_work_grows_linearly(make: Callable[[int], str], gazetteer,
                                             themes) -> None:
    """Row 6: four times the text, about four times the work (was 15 to 60 times)."""
    small = _lines_executed(make(10_000), gazetteer, themes)
    large = _lines_executed(make(40_000), gazetteer, themes)
    assert large / small < GROWTH_LIMIT, (small, large)


def _clean_lines_executed(raw: str) -> int:
    """Python lines run while cleaning `raw`."""
    return _lines_run(lambda: clean_text(raw))


_BODY = "This body line of prose is long enough and ends with a full stop, as prose does.\n"
_PAGES = {
    "author-bios": lambda n: _BODY + "Jane Smith is a lecturer at the University of Astana.\n" * n,
    "repeated-titles": lambda n: "Summit Opens In The Capital Today\n" * n + _BODY,
    "distinct-titles": lambda n: "".join(f"Story {i} about the regional forum\n"
                                         for i in range(n)) + _BODY,
    "hard-wrapped": lambda n: _BODY + "the prose of a newsletter runs on to the next line\n" * n,
}


@pytest.mark.parametrize("page", list(_PAGES), ids=list(_PAGES))
def test_row6_cleaning_work_grows_linearly(page: str) -> None:
    """Row 6: cleaning a page four times as long takes about four times the work (a tail of
    author bios re-listed every kept line per bio; repeated titles were counted by a scan of the
    whole top of the page per line)."""
    small = _clean_lines_executed(_PAGES[page](1_000))
    large = _clean_lines_executed(_PAGES[page](4_000))
    assert large / small < GROWTH_LIMIT, (small, large)


def test_row6_line_without_sentence_end_becomes_bounded_sentences(gazetteer, themes) -> None:
    """Row 6: a long line with no full stop is cut into pieces at clause breaks or spaces."""
    text = _prose_one_sentence(120_000)
    assert "\n" not in text
    sentences = split_sentences(text)
    assert len(sentences) >= len(text) // MAX_SENTENCE_CHARS
    previous_end = 0
    for number, sentence in enumerate(sentences, start=1):
        assert sentence.sentence_no == number
        assert sentence.text == text[sentence.start:sentence.end]
        assert 0 < sentence.end - sentence.start <= MAX_SENTENCE_CHARS
        assert sentence.start >= previous_end
        assert not text[previous_end:sentence.start].strip()  # nothing but spaces left out
        previous_end = sentence.end
    result = extract_article(text, PUBLISHED, gazetteer, themes)
    assert result.dates and result.events
    for date in result.dates:
        assert date.expression == text[date.start:date.end]


@pytest.mark.parametrize("unit", [".", "!?", "A. ", "1.", "(", ")", " ", "\u2026", "May ",
                                  "2020-", "CICA (CICA) ", "1" * 40 + " ", "on Monday, "])
def test_row6_long_runs_of_one_pattern_extract(unit: str, gazetteer, themes) -> None:
    """Row 6: 100,000 characters of one repeated pattern go through cleaning and extraction
    (a line of dots alone took half a minute per 20,000 characters)."""
    raw = unit * (100_000 // len(unit))
    text = clean_text(raw).text
    result = extract_article(text, PUBLISHED, gazetteer, themes)
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in result.sentences)


def test_row6_dense_dates_are_all_read(gazetteer, themes) -> None:
    """Row 6: a large text of dates loses none to the faster bookkeeping: every year of a full
    date written in it is found."""
    text = scaling_inputs.dense_dates(60_000)
    result = extract_article(text, PUBLISHED, gazetteer, themes)
    spans = [(d.start, d.end) for d in result.dates]
    assert spans == sorted(spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # disjoint
    assert len(result.dates) > text.count(" was ")  # two or three dates a sentence


# --- the lookup structures answer exactly what the scans they replace answered ---------------

_bounds = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)).map(
    lambda t: (t[0], t[0] + t[1])), max_size=24)


@settings(max_examples=300, deadline=None)
@given(_bounds, st.lists(st.integers(-3, 90), min_size=1, max_size=20))
def test_row6_clause_lookup_table_matches_the_scan(bounds, offsets) -> None:
    """Row 6: `Clauses.index_of` (bisection) == the innermost-clause scan, for any bounds."""
    table = Clauses()
    table.extend(bounds)
    for offset in offsets:
        expected = clause_index(list(bounds), offset)
        assert (table.index_of(offset) if bounds else clause_index(table, offset)) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 80), st.integers(0, 12), st.booleans()), max_size=16),
       st.integers(0, 90), st.integers(0, 12))
def test_row6_name_index_matches_the_scan(raw, start, length) -> None:
    """Row 6: `Names` lookups (bisection over names in reading order) == scans of every name,
    for disjoint names and for any other shape."""
    spans = [(s, s + n, init) for s, n, init in raw]
    end = start + length
    names = Names(spans)
    holding = next(((s, e, i) for s, e, i in spans if s <= start and end <= e), None)
    assert names.holding(start, end) == holding
    assert names.overlapping(start, end) == [x for x in spans if x[0] < end and start < x[1]]
    disjoint, cursor = [], 0
    for s, e, init in sorted(spans):
        if s >= cursor:
            disjoint.append((s, e, init))
            cursor = max(e, s + 1)
    names = Names(disjoint)
    assert names.ordered
    expected = next(((s, e, i) for s, e, i in disjoint if s <= start and end <= e), None)
    assert names.holding(start, end) == expected
    assert names.overlapping(start, end) == [x for x in disjoint
                                             if x[0] < end and start < x[1]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 10)), max_size=40))
def test_row6_date_span_set_matches_a_plain_list(candidates) -> None:
    """Row 6: `Spans` (a sorted list) accepts exactly the spans a plain scan accepts."""
    spans = Spans()
    taken: list[tuple[int, int]] = []
    for start, length in candidates:
        end = start + length
        free = all(e <= start or end <= s for s, e in taken)
        assert spans.free(start, end) == free
        if free:
            spans.take(start, end)
            taken.append((start, end))


_NAME_WORDS = ["Islamic", "Food", "Security", "Organisation", "Agency", "of", "the", "Asia",
               "Forum", "Council", "Central", "Union", "Fund", "Bank", "and"]


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.lists(st.sampled_from(_NAME_WORDS), min_size=1, max_size=6),
                      min_size=1, max_size=6),
       acronym=st.text("IFSOACUBT", min_size=1, max_size=7))
def test_row6_acronym_initials_index_matches_the_scan(names, acronym, gazetteer) -> None:
    """Row 6: the names an unknown acronym abbreviates, looked up by their initials, are the
    names `_abbreviates` accepts one by one (which was quadratic over many acronyms)."""
    folded, spans = "", []
    for i, words in enumerate(names):
        start = len(folded)
        folded += " ".join(words)
        spans.append((start, len(folded), f"entry{i}"))
        folded += ". "
    index = _NameInitials(folded, spans, gazetteer)
    expected = [(end, entity_id) for start, end, entity_id in spans
                if _abbreviates(acronym, _written_name(folded, start, end), gazetteer)]
    assert sorted(index.abbreviated_by(acronym)) == sorted(expected)


def test_row6_many_acronyms_and_names_extract_linearly(gazetteer, themes) -> None:
    """Row 6: thousands of different unknown acronyms after many names (each acronym was
    compared with every name: 17 s for 90 KB)."""
    letters = "BCDFGHJKLMNPQRSTVWXZ"

    def text(n: int) -> str:
        return "\n".join(f"The Shanghai Cooperation Organisation met. Then "
                         f"{letters[i % 20]}{letters[i // 20 % 20]}{letters[i // 400 % 20]} said."
                         for i in range(n))

    small = _lines_executed(text(500), gazetteer, themes)
    large = _lines_executed(text(2000), gazetteer, themes)
    assert large / small < GROWTH_LIMIT, (small, large)


# --- random Unicode: nothing escapes ------------------------------------------------------------

_ODD = ["\x00", "\ud800", "\udfff", "\u202e", "\u202d", "\u2066", "\u200f", "\ufeff", "\u00ad",
        "\u2028", "\u2029", "\r", "\n", "\t", "\u0130", "\u1e9e", "\ufb03", "\u0345", "\U0001f600",
        "\u0301", "\u00a0", "\u2013", "\u2014", "\u2026", "\u201c", "(", ")", ".", "!", "?",
        ";", ",", "-", "/", "'", '"']
_WORDS = ["CICA", "the Asian security forum CICA",
          "SCO", "Astana International Forum", "summit", "was held", "will be held", "joined",
          "member states", "27", "twenty-eight", "on", "in", "since", "by", "May", "Sept.",
          "14 September 1999", "June 8-9, 2023", "2024-2027", "2019-05-06", "Monday", "today",
          "two years later", "the next day", "ago", "1850", "2101", "0000", "99999999999"]
_piece = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=40),  # surrogates included
    st.sampled_from(_ODD),
    st.sampled_from(_WORDS),
    st.integers(1, 400).map(lambda n: "7" * n),  # digit runs
    st.integers(1, 3000).map(lambda n: "a" * n),  # very long words and lines
    st.integers(1, 200).map(lambda n: ". " * n),
)
_hostile_text = st.lists(st.one_of(_piece, st.just(" "), st.just(" ")), max_size=60).map(
    "".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=_hostile_text, published=st.sampled_from([None, PUBLISHED, PublicationDate(2021),
                                                      PublicationDate(2021, 2)]))
def test_row6_random_unicode_never_escapes_the_extractors(raw, published, gazetteer,
                                                          themes) -> None:
    """Row 6: surrogates, bidi controls, NULs, long lines and digit runs through cleaning, the
    publication date and every extractor: no exception, offsets that index the text."""
    clean = clean_text(raw)
    text = clean.text
    infer_publication_date(text, None, clean.removed_lines)
    result = extract_article(text, published, gazetteer, themes)
    for sentence in result.sentences:
        assert sentence.text == text[sentence.start:sentence.end]
        assert sentence.end - sentence.start <= MAX_SENTENCE_CHARS
    for date in result.dates:
        assert date.expression == text[date.start:date.end]
    # the extractors also take text that never went through cleaning
    extract_article(raw, published, gazetteer, themes)
