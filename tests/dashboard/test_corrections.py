"""Recording corrections from the dashboard: `dashboard.corrections` runs the real
`python -m etl corrections` command against a real warehouse (the `deployment` fixture: a
copy of the shipped corpus's warehouse and article folder), and says what became of it."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

import duckdb
import pytest

from dashboard import corrections
from dashboard.settings import PROJECT_ROOT, VOCABULARY_PATH, DashboardSettings
from etl import vocabulary
from etl.corrections import records
from etl.corrections.cli import EXIT_BUSY, EXIT_NO_WAREHOUSE, EXIT_OK, EXIT_REFUSED

EVENT = "6083f3ae98ce75b6"  # IABS held, April 2022: the only event of its timeline cell
FIGURE = "cf8c7c89dff4d295"  # CICA: 16 member states (2002)
ARTICLE = "3fb7a7ec71645271"


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def recorded(articles: Path) -> list[dict[str, object]]:
    folder = articles.parent / "corrections"
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_forms_and_the_records_read_what_a_correction_may_set_from_one_file(
        tmp_path: Path) -> None:
    """The dashboard and the record format read the same vocabulary file, and each reads a
    changed file the same way (so a change there reaches both, with nothing to keep in step)."""
    assert VOCABULARY_PATH.resolve() == vocabulary.SHIPPED_PATH.resolve()
    assert dataclasses.astuple(corrections.read_correction_fields()) == \
        dataclasses.astuple(vocabulary.load_correction_fields())
    assert (corrections.EDITABLE_FIELDS, corrections.REQUIRED_FOR_ADD,
            corrections.MAX_REASON_CHARS) == (records.EDITABLE_FIELDS, records.REQUIRED_FOR_ADD,
                                              records.MAX_REASON_CHARS)
    assert corrections.FACT_KINDS == records.FACT_KINDS
    changed = tmp_path / "vocabulary.toml"
    text = VOCABULARY_PATH.read_text(encoding="utf-8")
    changed.write_text(text.replace("max_reason_chars = 2000", "max_reason_chars = 500")
                       .replace('"kind", "count", "year"]', '"kind", "count", "year", "day"]'),
                       encoding="utf-8")
    theirs = vocabulary.parse_correction_fields(changed.read_text(encoding="utf-8"))
    ours = corrections.read_correction_fields(changed)
    assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
    assert ours.max_reason_chars == 500 and ours.editable["membership"][-1] == "day"


def test_the_dashboard_knows_the_command_s_exit_codes() -> None:
    assert (corrections.EXIT_OK, corrections.EXIT_NO_WAREHOUSE, corrections.EXIT_BUSY,
            corrections.EXIT_REFUSED) == (EXIT_OK, EXIT_NO_WAREHOUSE, EXIT_BUSY, EXIT_REFUSED)


def test_the_command_is_a_list_with_the_deployment_s_places_and_analyst(
        deployment: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    articles, db = deployment
    monkeypatch.setenv("IM_ANALYST", "a.smith")
    monkeypatch.setenv("IM_CORRECTIONS_DIR", str(articles.parent / "team"))
    line = corrections.command("reject", [], DashboardSettings(), reason='-x "quoted"',
                               fact_id="-odd")
    assert line[:5] == [sys.executable, "-m", "etl", "corrections", "reject"]
    assert {"--json", f"--db={db}", f"--articles={articles}", "--analyst=a.smith",
            f"--corrections={articles.parent / 'team'}", '--reason=-x "quoted"'} <= set(line)
    assert line[-2:] == ["--", "-odd"]  # an id is never read as an option


def test_confirm_reject_edit_and_add_change_the_warehouse(
        deployment: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    articles, db = deployment
    monkeypatch.setenv("IM_ANALYST", "a.smith")
    settings = DashboardSettings()
    build = query(db, "SELECT value FROM warehouse_info WHERE key = 'build_id'")

    confirmed = corrections.confirm(FIGURE, settings, reason="checked the communique")
    assert confirmed.ok and confirmed.changed, confirmed.message
    assert confirmed.message.startswith("Confirmed")
    rejected = corrections.reject(EVENT, settings, reason='-1 "cancelled", not <held>')
    assert rejected.message.startswith("Rejected: it no longer appears in any chart")
    edited = corrections.edit("6694d63fd2db024d", "event", {"year": 2012, "month": 9},
                              settings)
    assert edited.ok, edited.message
    added = corrections.add(ARTICLE, 5, "membership",
                            {"initiative_id": "CICA", "kind": "member_states", "count": 27,
                             "year": None}, settings)
    assert added.ok, added.message

    assert query(db, "SELECT value FROM warehouse_info WHERE key = 'build_id'") != build
    assert query(db, "SELECT review, reviewed_by, review_reason FROM curated_memberships "
                     "WHERE membership_id = ?", [FIGURE]) == [
        ("confirmed", "a.smith", "checked the communique")]
    assert query(db, "SELECT count(*) FROM curated_events WHERE event_id = ?", [EVENT]) == [(0,)]
    assert query(db, "SELECT review_reason FROM reviewed_events WHERE event_id = ?",
                 [EVENT]) == [('-1 "cancelled", not <held>',)]
    assert query(db, "SELECT year, month, review FROM curated_events WHERE event_id = ?",
                 ["6694d63fd2db024d"]) == [(2012, 9, "edited")]
    assert query(db, "SELECT count, origin, review FROM curated_memberships "
                     "WHERE membership_id = ?", [f"analyst-{added.recorded}"]) == [
        (27, "analyst", "added")]
    assert [r["action"] for r in recorded(articles)] == ["confirm", "reject", "edit", "add"]
    assert {r["analyst"] for r in recorded(articles)} == {"a.smith"}


def test_a_refused_correction_says_why_in_words_and_records_nothing(
        deployment: tuple[Path, Path]) -> None:
    articles, db = deployment
    settings = DashboardSettings()
    unknown = corrections.reject("0000000000000000", settings)
    assert unknown.severity == "error" and not unknown.changed
    assert unknown.message == ("Not recorded: no event or membership figure has the id "
                               "'0000000000000000'.")
    bad_type = corrections.edit(EVENT, "event", {"event_type": "cancelled"}, settings)
    assert bad_type.message == "Not recorded: unknown event type 'cancelled'."
    bad_day = corrections.edit(EVENT, "event", {"month": None, "day": 3}, settings)
    assert bad_day.message == "Not recorded: a day needs a month."
    nothing = corrections.edit(EVENT, "event", {}, settings)
    assert nothing.severity == "warning"
    assert recorded(articles) == []


def test_no_message_shows_a_server_path(deployment: tuple[Path, Path]) -> None:
    articles, db = deployment
    gone = DashboardSettings(db_location=str(db.parent / "gone.duckdb"),
                             articles_dir=str(articles))
    outcome = corrections.confirm(EVENT, gone)
    assert outcome.severity == "error"
    assert outcome.message == "Not recorded: there is no warehouse at gone.duckdb."
    for folder in (str(db.parent), str(articles), str(PROJECT_ROOT)):
        assert folder not in outcome.message
    said = corrections.analyst_text(
        f"[red]Not applied:[/red] cannot write {articles.parent / 'corrections'}/x.jsonl\n"
        "Traceback (most recent call last):\n  File \"/srv/im/etl/cli.py\", line 3\n"
        "OSError: /var/lib/secret/place is read-only", DashboardSettings())
    assert said == ("cannot write the corrections folder/x.jsonl; OSError: a file on the server "
                    "is read-only")


def test_exit_codes_become_the_analyst_s_next_step() -> None:
    settings = DashboardSettings()
    busy = corrections.outcome("reject", EXIT_BUSY, '{"recorded": "c-1", "applied": false}',
                               "Not applied yet: a build is running", settings)
    assert busy.severity == "warning" and busy.recorded == "c-1"
    assert "shows once that build finishes" in busy.message
    failed = corrections.outcome("confirm", EXIT_NO_WAREHOUSE, "", "", settings)
    assert failed.severity == "error" and "next build applies it" in failed.message
    crashed = corrections.outcome("confirm", 2, "", "Traceback (most recent call last):\n"
                                  f'  File "{PROJECT_ROOT}/etl/cli.py"', settings)
    assert crashed.severity == "error" and "Traceback" not in crashed.message
    assert str(PROJECT_ROOT) not in crashed.message and "server's log" in crashed.message


def test_a_read_only_deployment_records_nothing(deployment: tuple[Path, Path],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    articles, db = deployment
    monkeypatch.setenv("IM_CORRECTIONS_ENABLED", "false")
    settings = DashboardSettings()
    assert "switched off" in (corrections.unavailable_reason(settings) or "")
    outcome = corrections.reject(EVENT, settings)
    assert outcome.severity == "error" and "IM_CORRECTIONS_ENABLED" in outcome.message
    assert recorded(articles) == []
    assert query(db, "SELECT count(*) FROM curated_events WHERE event_id = ?", [EVENT]) == [(1,)]
