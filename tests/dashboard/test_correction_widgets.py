"""The correction controls in the app (AppTest on a real warehouse, the real
`python -m etl corrections` command): Confirm, Reject and Edit under a fact's evidence, Add in
the article reader; each changes the warehouse and what the page shows."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from etl.settings import PROJECT_ROOT

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
TIMEOUT = 120
REJECTED = "6083f3ae98ce75b6"  # IABS held, April 2022: the only event of its timeline cell
EDITED = "6694d63fd2db024d"  # IOFS announced, June 2011
CONFIRMED = "c7b40bde999b9759"  # COE cooperation priorities, 2024-2027
FIGURE = "cf8c7c89dff4d295"  # CICA: 16 member states (2002)
ARTICLE = "3fb7a7ec71645271"


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def open_page(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"app_pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def press(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return rerun(at)


def markers(at: AppTest) -> dict[str, str]:
    """The timeline's single-event markers: event id -> the date label it is drawn at."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {str(c[0]): str(c[3]) for trace in spec["data"]
            for c in trace.get("customdata") or [] if isinstance(c, list)}


def toasts(at: AppTest) -> list[str]:
    return [t.value for t in at.toast]


def test_reject_removes_the_marker_and_records_the_reason(
        deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    at = open_page("timeline", event=REJECTED)
    assert REJECTED in markers(at)
    at.text_input(key=f"fix_{REJECTED}_reason").input("cancelled, not held")
    press(at, f"fix_{REJECTED}_reject")
    assert toasts(at) == [
        "Rejected: it no longer appears in any chart, export or briefing pack."]
    assert REJECTED not in markers(at)
    assert query(db, "SELECT review, review_reason FROM reviewed_events WHERE event_id = ?",
                 [REJECTED]) == [("rejected", "cancelled, not held")]


def test_edit_moves_the_marker_to_the_corrected_date(deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    at = open_page("timeline", event=EDITED)
    assert markers(at)[EDITED] == "Jun 2011"
    form = f"fix_{EDITED}_edit"
    at.number_input(key=f"{form}_year").set_value(2012)
    at.selectbox(key=f"{form}_month").set_value(9)
    press(at, f"FormSubmitter:{form}-Save changes")
    assert toasts(at) == ["Edited: every chart shows the corrected values."]
    assert markers(at)[EDITED] == "Sep 2012"
    assert query(db, "SELECT year, month, review FROM curated_events WHERE event_id = ?",
                 [EDITED]) == [(2012, 9, "edited")]


def test_confirm_marks_the_fact_reviewed(deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    at = open_page("timeline", event=CONFIRMED)
    press(at, f"fix_{CONFIRMED}_confirm")
    assert toasts(at) == ["Confirmed: it is marked analyst-confirmed wherever it appears."]
    assert CONFIRMED in markers(at)
    assert query(db, "SELECT review FROM curated_events WHERE event_id = ?",
                 [CONFIRMED]) == [("confirmed",)]
    at.switch_page("app_pages/review.py")
    rerun(at)
    assert at.get("progress")[0].proto.text.startswith("1 of ")


def test_a_membership_figure_is_corrected_from_its_evidence(
        deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    at = open_page("membership", org="CICA", figure=FIGURE)
    form = f"fix_{FIGURE}_edit"
    assert at.number_input(key=f"{form}_count").value == 16
    at.number_input(key=f"{form}_count").set_value(17)
    press(at, f"FormSubmitter:{form}-Save changes")
    assert toasts(at) == ["Edited: every chart shows the corrected values."]
    assert query(db, "SELECT count FROM curated_memberships WHERE membership_id = ?",
                 [FIGURE]) == [(17,)]


def test_a_refused_edit_is_explained_and_changes_nothing(deployment: tuple[Path, Path]) -> None:
    articles, db = deployment
    at = open_page("timeline", event=EDITED)
    form = f"fix_{EDITED}_edit"
    at.selectbox(key=f"{form}_month").set_value(None)
    at.selectbox(key=f"{form}_day").set_value(3)
    press(at, f"FormSubmitter:{form}-Save changes")
    assert [e.value for e in at.error] == ["Not recorded: a day needs a month."]
    assert markers(at)[EDITED] == "Jun 2011"
    assert not list((articles.parent / "corrections").glob("*.jsonl"))


def test_the_reader_adds_a_missed_event_that_appears_on_the_timeline(
        deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    before = open_page("review").get("progress")[0].proto.text
    at = open_page("articles", article=ARTICLE)
    at.selectbox(key="reader_add_sentence").set_value(5)
    rerun(at)
    at.selectbox(key="reader_add_event_initiative_id").set_value("CICA")
    at.selectbox(key="reader_add_event_event_type").set_value("held")
    at.number_input(key="reader_add_event_year").set_value(2019)
    at.text_input(key="reader_add_reason").input("the forum met under CICA")
    press(at, "FormSubmitter:reader_add_form-Add")
    assert toasts(at) == ["Added: it appears in every chart it belongs to."]
    (added,) = query(db, "SELECT event_id, year, origin, review_reason FROM curated_events "
                         "WHERE origin = 'analyst'")
    assert added[1:] == (2019, "analyst", "the forum met under CICA")
    at.switch_page("app_pages/review.py")
    rerun(at)
    facts = int(before.split(" of ")[1].split()[0])
    assert before.startswith("0 of ")
    assert at.get("progress")[0].proto.text == f"1 of {facts + 1} facts in view reviewed"
    at.switch_page("app_pages/timeline.py")
    rerun(at)
    assert str(added[0]) in markers(at)


def test_an_add_without_its_values_asks_for_them(deployment: tuple[Path, Path]) -> None:
    at = open_page("articles", article=ARTICLE)
    press(at, "FormSubmitter:reader_add_form-Add")
    assert [e.value for e in at.error] == [
        "Choose the sentence that reports the fact first."]


def test_a_marker_of_several_events_offers_each_one(deployment: tuple[Path, Path]) -> None:
    _, db = deployment
    cell = "AIF.held.2023"
    at = open_page("timeline", event=cell)
    pick = at.selectbox(key="timeline_evidence_page_pick")
    assert len(pick.options) == 3  # nothing chosen, and the cell's two events
    pick.set_value("9c57493c1b798a7a")
    rerun(at)
    press(at, "fix_9c57493c1b798a7a_reject")
    assert query(db, "SELECT count(*) FROM curated_events WHERE event_id = ?",
                 ["9c57493c1b798a7a"]) == [(0,)]


def test_switched_off_there_is_no_correction_control(
        deployment: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_CORRECTIONS_ENABLED", "false")
    at = open_page("timeline", event=EDITED)
    assert at.get("plotly_chart")  # the page itself still works
    assert not [b for b in at.button if (b.key or "").startswith("fix_")]
    assert not at.text_input
    at = open_page("articles", article=ARTICLE)
    assert not [s for s in at.selectbox if (s.key or "").startswith("reader_add")]
