"""Extraction accuracy on the shipped corpus against the key (tests/fixtures/seed_truth.json).

Events are compared on (initiative_id, event_type, year) and memberships on (initiative_id, kind,
count, year), as sets per article (duplicates collapse). The truth year is resolved_date.year,
unless its basis starts with 'external_knowledge' (then text_date.year, which may be None: such a
record is optional). Recall counts only `required` truth records; precision counts a prediction
as correct if it matches any truth record, required or optional.

The scoring functions take plain tuples so they can be pointed at the warehouse later:
`score_events(predicted, truth_events)` with predicted (initiative_id, event_type, year) tuples of
one article and the key's event records of that article; `score_memberships` likewise.
Run with `pytest -s tests/test_accuracy.py` to see the per-article figures.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from etl import extract
from etl.model import ArticleExtraction, PublicationDate

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "data" / "articles"
REFERENCE_DIR = ROOT / "data" / "reference"
SEED_TRUTH = Path(__file__).parent / "fixtures" / "seed_truth.json"
TARGET = 0.9

EventKey = tuple[str, str, int | None]
MembershipKey = tuple[str, str, int, int | None]


@dataclass
class Score:
    """Set-based precision/recall of one article or of the corpus (micro-averaged)."""

    predicted: int = 0  # distinct predictions
    correct: int = 0  # predictions matching any truth record
    required: int = 0  # distinct required truth records
    found: int = 0  # required truth records predicted
    false_positives: list[Any] = field(default_factory=list)
    misses: list[Any] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.required if self.required else 1.0

    def add(self, other: Score) -> None:
        self.predicted += other.predicted
        self.correct += other.correct
        self.required += other.required
        self.found += other.found
        self.false_positives += other.false_positives
        self.misses += other.misses

    def line(self) -> str:
        return (f"precision {self.precision:.3f} ({self.correct}/{self.predicted})  "
                f"recall {self.recall:.3f} ({self.found}/{self.required})")


def truth_year(record: Mapping[str, Any]) -> int | None:
    """resolved_date.year, or text_date.year when the resolution needs outside knowledge."""
    resolved = record.get("resolved_date") or {}
    basis = str(resolved.get("basis") or "")
    if basis.startswith("external_knowledge"):
        return (record.get("text_date") or {}).get("year")
    return resolved.get("year")


def _score(predicted: Iterable[Any], required: set[Any], acceptable: set[Any]) -> Score:
    predicted_set = set(predicted)
    return Score(
        predicted=len(predicted_set),
        correct=len(predicted_set & acceptable),
        required=len(required),
        found=len(required & predicted_set),
        false_positives=sorted(predicted_set - acceptable, key=repr),
        misses=sorted(required - predicted_set, key=repr),
    )


def event_truth(truth_events: Sequence[Mapping[str, Any]]) -> tuple[set[EventKey], set[EventKey]]:
    """(required keys, all acceptable keys) of one article's truth events."""
    required: set[EventKey] = set()
    acceptable: set[EventKey] = set()
    for record in truth_events:
        key = (record["initiative"], record["event_type"], truth_year(record))
        acceptable.add(key)
        if record.get("required") and key[2] is not None:
            required.add(key)
    return required, acceptable


def membership_truth(truth_figures: Sequence[Mapping[str, Any]]
                     ) -> tuple[set[MembershipKey], set[MembershipKey]]:
    """(required keys, all acceptable keys) of one article's truth membership figures."""
    required: set[MembershipKey] = set()
    acceptable: set[MembershipKey] = set()
    for record in truth_figures:
        key = (record["org"], record["counted_kind"], int(record["count"]),
               record.get("reference_year"))
        acceptable.add(key)
        if record.get("required", True):
            required.add(key)
    return required, acceptable


def score_events(predicted: Iterable[EventKey], truth: Sequence[Mapping[str, Any]]) -> Score:
    """Score predicted (initiative_id, event_type, year) tuples against the key's events."""
    required, acceptable = event_truth(truth)
    return _score(predicted, required, acceptable)


def score_memberships(predicted: Iterable[MembershipKey],
                      truth: Sequence[Mapping[str, Any]]) -> Score:
    """Score predicted (initiative_id, kind, count, year) tuples against the key's figures."""
    required, acceptable = membership_truth(truth)
    return _score(predicted, required, acceptable)


def event_keys(found: ArticleExtraction) -> set[EventKey]:
    return {(e.initiative_id, e.event_type, e.year) for e in found.events}


def membership_keys(found: ArticleExtraction) -> set[MembershipKey]:
    return {(m.initiative_id, m.kind, m.count, m.year) for m in found.memberships}


# --- running the extractor over the corpus ----------------------------------------------------


def load_truth(path: Path = SEED_TRUTH) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["documents"]


def manifest_dates(articles_dir: Path = CORPUS_DIR) -> dict[str, PublicationDate | None]:
    """Publication date per file from manifest.csv ('2023-07-16', '2023-10', '2020')."""
    dates: dict[str, PublicationDate | None] = {}
    with open(articles_dir / "manifest.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            value = (row.get("published") or "").strip()
            parts = [int(p) for p in value.split("-")] if value else []
            dates[row["file"]] = PublicationDate(*parts) if parts else None
    return dates


def cleaned_text(raw: str) -> str:
    """The article text the pipeline extracts from: `etl.normalize.clean_text` when present."""
    try:
        from etl.normalize import clean_text
    except ImportError:  # normalize not written yet: fall back to the raw text
        return raw
    return clean_text(raw).text


@pytest.fixture(scope="module")
def corpus_results() -> dict[str, tuple[ArticleExtraction, dict[str, Any]]]:
    truth = load_truth()
    dates = manifest_dates()
    gazetteer = extract.load_gazetteer(REFERENCE_DIR)
    themes = extract.load_themes(REFERENCE_DIR)
    results = {}
    for name, doc in sorted(truth.items()):
        raw = (CORPUS_DIR / name).read_text(encoding="utf-8")
        found = extract.extract_article(cleaned_text(raw), dates.get(name), gazetteer, themes)
        results[name] = (found, doc)
    return results


def _corpus_scores(results: Mapping[str, tuple[ArticleExtraction, Mapping[str, Any]]]
                   ) -> tuple[Score, Score, list[str]]:
    events, memberships = Score(), Score()
    lines = []
    for name, (found, doc) in results.items():
        ev = score_events(event_keys(found), doc["events"])
        mb = score_memberships(membership_keys(found), doc["membership_figures"])
        events.add(ev)
        memberships.add(mb)
        lines.append(f"{name}\n    events       {ev.line()}\n    memberships  {mb.line()}")
        for label, score in (("event", ev), ("membership", mb)):
            lines += [f"    false {label}: {fp}" for fp in score.false_positives]
            lines += [f"    missed {label}: {miss}" for miss in score.misses]
    return events, memberships, lines


def test_event_and_membership_accuracy(corpus_results) -> None:
    events, memberships, lines = _corpus_scores(corpus_results)
    print("\n" + "\n".join(lines))
    print(f"CORPUS events       {events.line()}")
    print(f"CORPUS memberships  {memberships.line()}")
    assert events.recall >= TARGET, f"event recall {events.recall:.3f}: missed {events.misses}"
    assert events.precision >= TARGET, (
        f"event precision {events.precision:.3f}: false {events.false_positives}")
    assert memberships.recall >= TARGET, (
        f"membership recall {memberships.recall:.3f}: missed {memberships.misses}")
    assert memberships.precision >= TARGET, (
        f"membership precision {memberships.precision:.3f}: false {memberships.false_positives}")


def test_cica_membership_milestones(corpus_results) -> None:
    keys = set().union(*(membership_keys(found) for found, _ in corpus_results.values()))
    assert ("CICA", "member_states", 16, 2002) in keys
    assert ("CICA", "member_states", 28, 2023) in keys


def test_every_record_keeps_its_sentence(corpus_results) -> None:
    for found, _ in corpus_results.values():
        sentences = {s.sentence_no: s.text for s in found.sentences}
        for record in [*found.events, *found.memberships]:
            assert sentences[record.sentence_no] == record.sentence


# --- the scoring itself ------------------------------------------------------------------------


def test_scoring_uses_sets_required_and_optional_records() -> None:
    truth = [
        {"initiative": "X", "event_type": "held", "required": True,
         "text_date": {"year": 2020}, "resolved_date": {"year": 2020, "basis": "explicit"}},
        {"initiative": "X", "event_type": "proposed", "required": False,
         "text_date": {"year": 2019}, "resolved_date": {"year": 2019, "basis": "explicit"}},
        {"initiative": "X", "event_type": "held", "required": False,
         "text_date": {"year": None}, "resolved_date": {"year": 2025,
                                                        "basis": "external_knowledge (x)"}},
    ]
    score = score_events([("X", "held", 2020), ("X", "held", 2020), ("X", "proposed", 2019),
                          ("X", "held", 2025)], truth)
    assert (score.predicted, score.correct, score.required, score.found) == (3, 2, 1, 1)
    assert score.false_positives == [("X", "held", 2025)]
    assert score.recall == 1.0



def warehouse_keys(con: Any, source_file: str) -> tuple[set[EventKey], set[MembershipKey]]:
    """The scored tuples of one article as the warehouse holds them."""
    events = {tuple(row) for row in con.execute(
        "SELECT e.initiative_id, e.event_type, e.year FROM events e "
        "JOIN articles a USING (article_id) WHERE a.source_file = ?", [source_file]).fetchall()}
    members = {tuple(row) for row in con.execute(
        "SELECT m.initiative_id, m.kind, m.count, m.year FROM memberships m "
        "JOIN articles a USING (article_id) WHERE a.source_file = ?", [source_file]).fetchall()}
    return events, members  # type: ignore[return-value]

# --- the same measures on the warehouse the real ETL built -------------------------------------


def test_warehouse_accuracy_matches_the_key(built_warehouse: Path) -> None:
    """End to end: files -> sources -> normalize -> extract -> DuckDB, scored from the tables."""
    import duckdb

    truth = load_truth()
    events, memberships = Score(), Score()
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        for name, doc in truth.items():
            predicted_events, predicted_members = warehouse_keys(con, name)
            events.add(score_events(predicted_events, doc["events"]))
            memberships.add(score_memberships(predicted_members, doc["membership_figures"]))
    print(f"\nWAREHOUSE events       {events.line()}")
    print(f"WAREHOUSE memberships  {memberships.line()}")
    assert events.recall >= TARGET and events.precision >= TARGET, events.line()
    assert memberships.recall >= TARGET and memberships.precision >= TARGET, memberships.line()
