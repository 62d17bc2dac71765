"""How extraction generalises: the real ETL on a holdout of unseen articles, scored against a key.

`tests/fixtures/holdout/` holds eight hand-written articles in the styles of other outlets (a
wire story with a dateline, a hard-wrapped newsletter, an op-ed, a government press release, a
think-tank explainer with a bulleted list, a regional outlet in non-native English, a web page
with its furniture, a short brief) and `key.json`, their answer key in the structure of
`seed_truth.json`. The key was written before any rule was changed for these texts; the rules
were then generalised looking at them, so they are a development set now.
`tests/fixtures/holdout/fresh/` holds two more articles written and keyed after that work; they
are an honest check of what the rules do on text nobody tuned them on (printed, not asserted).

The build is the real one (`etl.pipeline.build_warehouse`) on a temporary copy of the folder
without the key and without a manifest, so the publication date comes from the cleaned text
only. Events and memberships are read back from the DuckDB file and scored with the functions of
`test_accuracy` (events on (initiative, type, year), memberships on (initiative, kind, count,
year)). Run `pytest -s tests/test_generalisation.py` to see every miss and false positive, the
figures before the rules were generalised, and two diagnostics that separate the rules from date
inference: the score with the key's publication dates, and the score with the dates the pipeline
would infer if it also passed the article's URL and the header lines cleaning removed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl import extract, normalize, pipeline, sources
from etl.model import CleanText, PublicationDate, SourceRecord
from tests.conftest import REFERENCE_DIR, make_settings
from tests.test_accuracy import Score, score_events, score_memberships, warehouse_keys

HOLDOUT_DIR = Path(__file__).parent / "fixtures" / "holdout"
FRESH_DIR = HOLDOUT_DIR / "fresh"
TARGET = 0.8

# Measured before any rule was generalised (etl/ and data/reference/ as committed in c3082f0).
BEFORE = {
    "pipeline events": "precision 0.780 (39/50)  recall 0.561 (37/66)",
    "pipeline memberships": "precision 0.000 (0/1)  recall 0.000 (0/15)",
    "key dates events": "precision 0.794 (50/63)  recall 0.697 (46/66)",
    "key dates memberships": "precision 1.000 (1/1)  recall 0.067 (1/15)",
}
# The fresh pair's first measurement, before the four general fixes it prompted (the 'No.'
# sentence end, 'the next summit to be held', a treaty joined right before a date, a day marked
# every year); what the rules did on text nobody had tuned them on.
FRESH_FIRST = {
    "pipeline events": "precision 0.833 (15/18)  recall 0.632 (12/19)",
    "pipeline memberships": "precision 1.000 (1/1)  recall 0.250 (1/4)",
}
# The membership figures are right, but through the pipeline 7 of 8 articles have no
# publication date (their dates are in the URL or in header lines that cleaning removes, and the
# pipeline passes `infer_publication_date` the cleaned text only), so present-tense counts
# ('now comprises 28 countries') get no year and do not match the key.


def _load_key(folder: Path = HOLDOUT_DIR) -> dict[str, Any]:
    with open(folder / "key.json", encoding="utf-8") as handle:
        return json.load(handle)["documents"]


def _build(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse the real ETL builds from a copy of the folder's articles (key left out)."""
    articles = tmp_path_factory.mktemp("holdout") / "articles"
    articles.mkdir()
    for path in sorted(folder.glob("*.txt")):
        shutil.copy(path, articles / path.name)
    db_path = tmp_path_factory.mktemp("holdout_db") / "warehouse.duckdb"
    report = pipeline.build_warehouse(make_settings(articles, db_path))
    assert report.status == "ok"
    assert report.articles_loaded == len(_load_key(folder))
    return db_path


@pytest.fixture(scope="module")
def holdout_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(HOLDOUT_DIR, tmp_path_factory)


@pytest.fixture(scope="module")
def fresh_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(FRESH_DIR, tmp_path_factory)


def _warehouse_scores(db_path: Path, key: dict[str, Any]) -> tuple[Score, Score, list[str]]:
    events, memberships = Score(), Score()
    lines: list[str] = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        for name, doc in sorted(key.items()):
            published = con.execute(
                "SELECT published FROM articles WHERE source_file = ?", [name]).fetchone()
            predicted_events, predicted_members = warehouse_keys(con, name)
            ev = score_events(predicted_events, doc["events"])
            mb = score_memberships(predicted_members, doc["membership_figures"])
            events.add(ev)
            memberships.add(mb)
            lines.append(f"{name}  (published: {published[0] if published else None}, "
                         f"key {doc['publication_date']['value']})")
            lines.append(f"    events       {ev.line()}")
            lines.append(f"    memberships  {mb.line()}")
            for label, score in (("event", ev), ("membership", mb)):
                lines += [f"    false {label}: {fp}" for fp in score.false_positives]
                lines += [f"    missed {label}: {miss}" for miss in score.misses]
    return events, memberships, lines


DateFor = Callable[[SourceRecord, CleanText, dict[str, Any]], PublicationDate | None]


def _diagnostic_scores(folder: Path, date_for: DateFor) -> tuple[Score, Score]:
    """The pipeline's steps run by hand, with the publication date chosen by `date_for`."""
    key = _load_key(folder)
    gazetteer = extract.load_gazetteer(REFERENCE_DIR)
    themes = extract.load_themes(REFERENCE_DIR)
    records, _ = sources.read_corpus(folder, 20 * 1024 * 1024)  # the keys are refused: fine
    events, memberships = Score(), Score()
    for record in records:
        if record.source_file not in key:
            continue
        doc = key[record.source_file]
        clean = normalize.clean_text(record.raw_text)
        found = extract.extract_article(clean.text, date_for(record, clean, doc), gazetteer,
                                        themes)
        events.add(score_events({(e.initiative_id, e.event_type, e.year) for e in found.events},
                                doc["events"]))
        memberships.add(score_memberships(
            {(m.initiative_id, m.kind, m.count, m.year) for m in found.memberships},
            doc["membership_figures"]))
    return events, memberships


def _key_date(record: SourceRecord, clean: CleanText,
              doc: dict[str, Any]) -> PublicationDate:
    year, month, day = (int(part) for part in doc["publication_date"]["value"].split("-"))
    return PublicationDate(year, month, day)


def test_the_keys_are_consistent_with_the_texts() -> None:
    """Every evidence sentence of a key is the text at its offsets (the key is not stale)."""
    for folder in (HOLDOUT_DIR, FRESH_DIR):
        for name, doc in _load_key(folder).items():
            text = (folder / name).read_text(encoding="utf-8")
            assert text.startswith("SOURCE: ")
            for record in [*doc["events"], *doc["membership_figures"],
                           *doc["non_membership_numbers"]]:
                assert text[record["char_start"]:record["char_end"]] == record["sentence"], name


@pytest.fixture(scope="module")
def holdout_scores(holdout_warehouse: Path, fresh_warehouse: Path) -> tuple[Score, Score]:
    events, memberships, lines = _warehouse_scores(holdout_warehouse, _load_key())
    print("\n" + "\n".join(lines))
    for label in BEFORE:
        print(f"BEFORE  {label:22s} {BEFORE[label]}")
    print(f"AFTER   pipeline events        {events.line()}")
    print(f"AFTER   pipeline memberships   {memberships.line()}")
    key_events, key_members = _diagnostic_scores(HOLDOUT_DIR, _key_date)
    print(f"AFTER   key dates events       {key_events.line()}")
    print(f"AFTER   key dates memberships  {key_members.line()}")
    fresh_events, fresh_members, _ = _warehouse_scores(fresh_warehouse, _load_key(FRESH_DIR))
    for label in FRESH_FIRST:
        print(f"FRESH (first measurement)    {label:21s} {FRESH_FIRST[label]}")
    print(f"FRESH (after its 4 fixes)    pipeline events      {fresh_events.line()}")
    print(f"FRESH (after its 4 fixes)    pipeline memberships {fresh_members.line()}")
    return events, memberships


def test_holdout_event_accuracy(holdout_scores: tuple[Score, Score]) -> None:
    events, _ = holdout_scores
    assert events.recall >= TARGET, f"event recall {events.recall:.3f}: missed {events.misses}"
    assert events.precision >= TARGET, (
        f"event precision {events.precision:.3f}: false {events.false_positives}")


def test_holdout_membership_accuracy(holdout_scores: tuple[Score, Score]) -> None:
    _, memberships = holdout_scores
    assert memberships.recall >= TARGET, (
        f"membership recall {memberships.recall:.3f}: missed {memberships.misses}")
    assert memberships.precision >= TARGET, (
        f"membership precision {memberships.precision:.3f}: false {memberships.false_positives}")
