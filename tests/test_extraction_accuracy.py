"""The accuracy report (`make accuracy`): its scoring rules, and the seed key through it.

The scoring follows the judging scorer's rules (type groups, one-to-one strict matching, kind
classes, required vs optional records); these tests pin them on small hand-made records, and score
the warehouse the real ETL builds from the shipped corpus against the seed key as a regression.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from benchmarks.extraction_accuracy import (
    Measure,
    _Article,
    correction_summary,
    kind_class,
    report,
    same_type,
    score_events,
    score_memberships,
    score_warehouse,
)
from etl import cli
from tests.conftest import SEED_TRUTH

SEED_FLOOR = 0.95


def _equal(key_id: str, warehouse_id: str) -> bool:
    return key_id == warehouse_id


def _event(initiative: str, event_type: str, year: int,
           required: bool = True) -> dict[str, object]:
    return {"initiative": initiative, "event_type": event_type, "required": required,
            "text_date": {"year": year}, "resolved_date": {"year": year}}


def test_type_groups_and_kind_classes_follow_the_scorer() -> None:
    assert same_type("first_held", "held") and same_type("launched", "founded")
    assert same_type("signed", "approved")
    assert not same_type("joined", "observer_joined") and not same_type("held", "scheduled")
    assert kind_class("observer_states") == "observer"
    assert kind_class("partner_organisations") == "partner"
    assert kind_class("member_states_ratified") == "member" and kind_class(None) == "member"


def test_strict_events_match_one_to_one_and_lenient_ignore_the_type() -> None:
    truth = [_event("X", "held", 2010), _event("X", "held", 2010),
             _event("Y", "founded", 2001, False)]
    article = _Article(events=[("X", "first_held", 2010, 1), ("X", "proposed", 2011, 2),
                               ("Y", "launched", 2001, 3)],
                       figures=[], mentioned={"X", "Y"}, sentences={}, mentions_by_sentence={})
    lenient, strict = Measure(), Measure()
    score_events(truth, article, _equal, "01", lenient, strict)
    # two required X-2010 records, one prediction: lenient finds both, strict only one
    assert (lenient.found, lenient.required) == (2, 2)
    assert (strict.found, strict.required) == (1, 2)
    # the optional Y record makes its prediction right; X 2011 matches nothing
    assert (strict.correct, strict.predicted) == (2, 3)
    distractor = "year not in the key for this initiative (distractor date?)"
    assert strict.false_positives == {distractor: 1}


def test_membership_figures_need_count_year_and_kind_class() -> None:
    doc = {"membership_figures": [
        {"org": "X", "count": 28, "counted_kind": "member_states", "reference_year": 2022},
        {"org": "X", "count": 9, "counted_kind": "observer_states", "reference_year": 2022},
    ], "non_membership_numbers": [{"value": "300 delegates"}]}
    article = _Article(events=[], figures=[("X", "member_states", 28, 2022, 1),
                                           ("X", "member_states", 9, 2022, 1),
                                           ("X", "member_states", 300, 2022, 2)],
                       mentioned={"X"}, sentences={}, mentions_by_sentence={})
    measure = Measure()
    score_memberships(doc, article, _equal, "01", measure)
    assert (measure.found, measure.required) == (1, 2)
    assert (measure.correct, measure.predicted) == (1, 3)
    assert measure.misses == {"count read with another kind": 1}
    assert measure.false_positives["not a membership figure (attendance, votes, ...)"] == 1
    lines = report("toy", (Measure(), Measure(), measure, "1/1"), examples=1)
    assert "members R=0.500 (1/2) P=0.333 (1/3)" in lines[0]
    assert any("count read with another kind: 01 X 9" in line for line in lines)


def test_the_seed_key_scores_at_least_its_floor_on_every_measure(built_warehouse: Path) -> None:
    lenient, strict, members, docs = score_warehouse(built_warehouse, SEED_TRUTH, {})
    assert docs == "5/5"
    for name, measure in (("events", lenient), ("strict events", strict), ("members", members)):
        assert measure.recall >= SEED_FLOOR, (name, measure.miss_examples)
        assert measure.precision >= SEED_FLOOR, (name, measure.fp_examples)


def test_corrections_are_scored_apart_from_the_machines_reading(
        built_warehouse: Path, tmp_path: Path) -> None:
    """Rejecting a right event lowers the curated record's recall, never the machine's."""
    db = tmp_path / "corrected.duckdb"
    shutil.copyfile(built_warehouse, db)
    with duckdb.connect(str(db), read_only=True) as con:
        event_id = con.execute("SELECT event_id FROM events ORDER BY event_id LIMIT 1").fetchone()
    assert event_id is not None
    assert cli.main(["corrections", "reject", str(event_id[0]), "--db", str(db),
                     "--corrections", str(tmp_path / "corrections"), "--quiet"]) == 0
    machine = score_warehouse(db, SEED_TRUTH, {})
    curated = score_warehouse(db, SEED_TRUTH, {}, curated=True)
    assert machine[0].predicted == curated[0].predicted + 1
    assert machine[0].found >= curated[0].found
    assert correction_summary(db) == "corrections: 1 current"
