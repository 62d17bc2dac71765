"""The confidence scale shared by every extractor, and the evidence facts carry."""

from __future__ import annotations

import pytest

from etl.extract import evidence, extract_article, load_gazetteer, load_themes
from etl.model import Event, MembershipFigure, PublicationDate
from tests.conftest import REFERENCE_DIR


def test_the_most_direct_evidence_scores_one() -> None:
    assert evidence.confidence("verb_in_clause", "explicit", 0) == 1.0
    assert evidence.confidence("count_noun", "explicit", 0) == 1.0


@pytest.mark.parametrize(
    ("stronger", "weaker"),
    [
        # a strong trigger over a weak one, all else equal
        (("verb_in_clause", "explicit", 0), ("meeting_noun", "explicit", 0)),
        (("meeting_noun", "explicit", 0), ("kind_default", "explicit", 0)),
        # an explicit date over one taken from the publication date
        (("verb_in_clause", "explicit", 0), ("verb_in_clause", "relative_to_publication", 0)),
        (("count_noun", "explicit", 0), ("count_noun", "publication_year", 0)),
        # named in the sentence over resolved from an earlier one, nearer over further
        (("verb_in_clause", "explicit", 0), ("verb_in_clause", "explicit", 1)),
        (("verb_in_clause", "explicit", 1), ("verb_in_clause", "explicit", 3)),
    ],
)
def test_weaker_evidence_scores_lower(stronger: tuple[str, str, int],
                                      weaker: tuple[str, str, int]) -> None:
    assert evidence.confidence(*stronger) > evidence.confidence(*weaker)


def test_scores_stay_within_zero_and_one_for_every_combination() -> None:
    rules = [*evidence.EVENT_RULES, *evidence.MEMBERSHIP_RULES, "a_rule_nobody_rated"]
    bases = [*evidence.DATE_BASES, "a_basis_added_later"]
    for rule in rules:
        for basis in bases:
            for back in (0, 1, 2, 7):
                assert 0.0 < evidence.confidence(rule, basis, back) <= 1.0


def test_the_weakest_combination_is_low() -> None:
    assert evidence.confidence("kind_default", "publication_year", 4) < 0.4


def test_facts_are_scored_from_their_own_fields() -> None:
    event = Event("CICA", "held", 2019, sentence_no=5, sentence="...", rule="meeting_noun",
                  date_basis="relative_to_publication", initiative_sentence_no=3)
    figure = MembershipFigure("CICA", "member_states", 27, 2019, sentence_no=2, sentence="...")
    scored_event, = evidence.with_confidence([event])
    scored_figure, = evidence.with_confidence([figure])
    assert scored_event.confidence == evidence.confidence("meeting_noun",
                                                          "relative_to_publication", 2)
    assert scored_figure.rule == evidence.UNRATED_RULE
    assert scored_figure.initiative_sentence_no == 2
    assert 0 < scored_figure.confidence < 1


def test_scale_rows_cover_every_rule_once() -> None:
    rows = evidence.scale_rows()
    keys = [(r["aspect"], r["value"]) for r in rows]
    assert len(keys) == len(set(keys))
    assert {v for a, v in keys if a == "event_rule"} >= set(evidence.EVENT_RULES)
    assert all(0 < float(r["weight"]) <= 1 and r["label"] for r in rows)


@pytest.fixture(scope="module")
def reference():
    return load_gazetteer(REFERENCE_DIR), load_themes(REFERENCE_DIR)


def test_extraction_sets_rule_and_distance(reference) -> None:
    gazetteer, themes = reference
    text = ("The Astana-backed Conference on Interaction and Confidence Building Measures in Asia "
            "met in "
            "Baku. It held its first summit in Almaty in June 2002, with leaders of 16 states. "
            "The grouping now has 28 member states.")
    found = extract_article(text, PublicationDate(2021, 5, 3), gazetteer, themes)
    first = next(e for e in found.events if e.year == 2002)
    assert first.rule in evidence.EVENT_RULES
    assert first.initiative_sentence_no == 1 and first.sentence_no == 2
    assert first.confidence == evidence.confidence(first.rule, first.date_basis, 1)
    assert all(e.confidence is not None and 0 < e.confidence <= 1 for e in found.events)
    assert all(m.rule in evidence.MEMBERSHIP_RULES for m in found.memberships)
