"""The Review queue page (AppTest on a real warehouse, corrections by the real
`python -m etl corrections` command): what it puts first, its progress line, its actions and
keys, and a deployment where corrections are switched off."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import corrections, queries
from dashboard.filters import Filters
from dashboard.settings import DashboardSettings
from etl.settings import PROJECT_ROOT

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
TIMEOUT = 120
FIRST_HELD_2002 = "f5218a1177ba1af1"  # CICA's first summit, 2002 (confidence 100%)
OTHER_ARTICLE, OTHER_SENTENCE = "17da0ddfb51dfd45", 14


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def open_review(**params: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/review.py")
    for name, value in params.items():
        at.query_params[name] = value
    return rerun(at)


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return rerun(at)


def shown(at: AppTest) -> str:
    """The id of the fact the page shows (its controls are keyed on it)."""
    (key,) = [b.key for b in at.button if re.fullmatch(r"review_.+_confirm", b.key or "")]
    return key.removeprefix("review_").removesuffix("_confirm")


def progress(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def confidence(at: AppTest) -> int:
    """The confidence (percent) the page gives as the reason for the fact's place."""
    (line,) = [c.value for c in at.caption
               if c.value.startswith(("Among the weakest", "First because"))]
    found = re.search(r"\((\d+)%\)", line)
    assert found, line
    return int(found.group(1))


def facts_in_view(db: Path, initiative: str | None = None) -> tuple[int, int]:
    """(facts, reviewed) over the facet tables, optionally of one initiative."""
    (row,) = query(db, """
        SELECT count(*), count(*) FILTER (WHERE reviewed) FROM (
            SELECT initiative_id, reviewed FROM facet_events
            UNION ALL SELECT initiative_id, reviewed FROM facet_memberships)
        WHERE $1::VARCHAR IS NULL OR initiative_id = $1""", [initiative])
    return int(row[0]), int(row[1])


def test_a_fact_feeding_a_disagreement_comes_first_then_the_weakest(
        deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    # another article dates CICA's first summit 1999: the two now disagree
    added = corrections.add(OTHER_ARTICLE, OTHER_SENTENCE, "event",
                            {"initiative_id": "CICA", "event_type": "first_held",
                             "year": 1999}, DashboardSettings())
    assert added.ok, added.message
    assert query(db, "SELECT count(*) FROM facet_claims WHERE claim_id = ?",
                 [FIRST_HELD_2002]) == [(1,)]
    at = open_review()
    assert shown(at) == FIRST_HELD_2002
    assert any(c.value.startswith("First because it feeds a disagreement") for c in at.caption)
    (weakest,) = query(db, """
        SELECT min(confidence) FROM (
            SELECT confidence, reviewed FROM facet_events
            UNION ALL SELECT confidence, reviewed FROM facet_memberships)
        WHERE NOT reviewed""")
    seen = [FIRST_HELD_2002]
    confidences = []
    for _ in range(6):
        press(at, "review_skip")
        seen.append(shown(at))
        confidences.append(confidence(at))
    assert confidences[0] == round(float(weakest[0]) * 100)
    assert confidences == sorted(confidences)
    assert len(set(seen)) == len(seen)
    assert f"analyst-{added.recorded}" not in seen  # an analyst's own fact is reviewed
    press(at, "review_previous")
    assert shown(at) == seen[-2]


def test_progress_and_actions(deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    facts, _ = facts_in_view(db)
    at = open_review()
    assert progress(at) == f"0 of {facts:,} facts in view reviewed"
    first = shown(at)
    at.text_input(key=f"review_{first}_reason").input("matches the ministry's release")
    press(at, f"review_{first}_confirm")
    assert [t.value for t in at.toast] == [
        "Confirmed: it is marked analyst-confirmed wherever it appears."]
    assert progress(at) == f"1 of {facts:,} facts in view reviewed"
    assert query(db, "SELECT review_reason FROM reviewed_events WHERE event_id = ? "
                     "UNION ALL SELECT review_reason FROM reviewed_memberships "
                     "WHERE membership_id = ?", [first, first]) == [
        ("matches the ministry's release",)]
    second = shown(at)
    assert second != first
    press(at, f"review_{second}_reject")
    assert progress(at) == f"1 of {facts - 1:,} facts in view reviewed"
    third = shown(at)
    assert third not in (first, second)
    assert facts_in_view(db) == (facts - 1, 1)


def test_edit_from_the_queue(deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    at = open_review(init="IABS")
    fact = shown(at)
    form = f"review_{fact}_edit"
    at.number_input(key=f"{form}_year").set_value(2021)
    press(at, f"FormSubmitter:{form}-Save changes")
    assert query(db, "SELECT year, review FROM curated_events WHERE event_id = ?",
                 [fact]) == [(2021, "edited")]
    assert progress(at) == "1 of 2 facts in view reviewed"


def test_the_keys_and_the_end_of_the_queue(deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    at = open_review(init="IABS")  # two events
    assert facts_in_view(db, "IABS") == (2, 0)
    assert progress(at) == "0 of 2 facts in view reviewed"
    fact = shown(at)
    assert {b.key: b.proto.shortcut for b in at.button if b.proto.shortcut} == {
        f"review_{fact}_confirm": "y", f"review_{fact}_reject": "x",
        "review_skip": "n", "review_previous": "p"}
    press(at, "review_skip")
    press(at, "review_skip")  # past the end: back to the first
    assert shown(at) == fact
    press(at, f"review_{fact}_confirm")
    press(at, f"review_{shown(at)}_confirm")
    assert progress(at) == "2 of 2 facts in view reviewed"
    assert [s.value for s in at.success] == ["Every fact in view is reviewed."]


def test_switched_off_the_page_says_so(deployment: tuple[Path, Path],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, db = deployment
    monkeypatch.setenv("IM_CORRECTIONS_ENABLED", "false")
    at = open_review()
    (info,) = [i.value for i in at.info]
    assert "Corrections are switched off" in info
    assert not [b for b in at.button if (b.key or "").startswith("review_")]
    facts, _ = facts_in_view(db)
    assert progress(at) == f"0 of {facts:,} facts in view reviewed"


def test_the_queue_query_ranks_every_position_as_the_plain_definition(
        deployment: tuple[Path, Path]) -> None:
    """`review_next` avoids joining every fact to every claim; position by position it gives
    what the plain definition gives: unreviewed facts in view, claims of a disagreement first,
    then by confidence and the facets' order."""
    _, db = deployment
    settings = DashboardSettings()
    assert corrections.add(OTHER_ARTICLE, OTHER_SENTENCE, "event",
                           {"initiative_id": "CICA", "event_type": "first_held",
                            "year": 1999}, settings).ok
    assert corrections.confirm("0ff1c8968c9880fc", settings).ok
    plain = [row[0] for row in query(db, """
        WITH facts AS (
            SELECT 'event' AS fact, event_id AS fact_id, event_no AS fact_no, confidence,
                   reviewed, event_id IN (SELECT claim_id FROM facet_claims) AS disputed
            FROM facet_events
            UNION ALL
            SELECT 'membership', membership_id, figure_no, confidence, reviewed,
                   membership_id IN (SELECT claim_id FROM facet_claims)
            FROM facet_memberships)
        SELECT fact_id FROM facts WHERE NOT reviewed
        ORDER BY disputed DESC, confidence NULLS FIRST, fact, fact_no""")]
    assert plain[0] == FIRST_HELD_2002 and "0ff1c8968c9880fc" not in plain
    with duckdb.connect(str(db), read_only=True) as con:
        ranked = [queries.QUERIES["review_next"].function(con, Filters(), position)
                  for position in range(len(plain) + 1)]
    assert [str(r["fact_id"].iloc[0]) for r in ranked[:-1]] == plain
    assert ranked[-1].empty
