"""Analysts' corrections: recorded by the CLI, kept in JSON Lines, applied by every build.

Real builds of articles written for these tests, the real CLI, real DuckDB files: a correction
of each kind shows in the curated tables and marts, full and incremental builds agree, a
correction survives a full re-extraction and a re-read with other values, a correction whose
sentence is gone is kept and listed as orphaned, concurrent writers lose nothing, a rejected
fact is absent from every table the dashboard reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import cli, freshness, incremental, marts, pipeline, warehouse
from etl.corrections import records, store, update
from etl.corrections.cli import EXIT_REFUSED, merge_report
from tests.conftest import make_settings
from tests.curated_texts import CURATED_ARTICLES

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)

# the summit and food-security reports of the shared corrections texts
ARTICLES = {name: CURATED_ARTICLES[name] for name in ("summit.md", "food.md")}


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    """An article folder, its corrections folder beside it, and a built warehouse."""
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    pipeline.build_warehouse(make_settings(articles, db))
    return {"articles": articles, "db": db, "corrections": tmp_path / "corrections"}


def run(site: dict[str, Path], *arguments: str) -> int:
    return cli.main(["corrections", *arguments, "--articles", str(site["articles"]),
                     "--db", str(site["db"]), "--quiet"])


def query(db: Path, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def event_id(db: Path, initiative: str, event_type: str) -> str:
    return str(query(db, "SELECT event_id FROM events WHERE initiative_id = ? AND "
                         "event_type = ?", [initiative, event_type])[0][0])


def figure_id(db: Path, initiative: str) -> str:
    return str(query(db, "SELECT membership_id FROM memberships WHERE initiative_id = ?",
                     [initiative])[0][0])


def sentence_no(db: Path, fragment: str) -> tuple[str, int]:
    article, number = query(db, "SELECT article_id, sentence_no FROM sentences "
                                "WHERE contains(text, ?)", [fragment])[0]
    return str(article), int(str(number))


def correct_everything(site: dict[str, Path]) -> dict[str, str]:
    """One correction of each kind, recorded through the CLI; the ids they touch."""
    db = site["db"]
    ids = {"held": event_id(db, "CICA", "held"), "first": event_id(db, "AIF", "first_held"),
           "founded": event_id(db, "IOFS", "founded"), "cica28": figure_id(db, "CICA"),
           "iofs40": figure_id(db, "IOFS")}
    assert run(site, "confirm", ids["held"], "--analyst", "ana", "--reason", "checked") == 0
    assert run(site, "reject", ids["first"], "--analyst", "ben", "--reason",
               "<script>x</script> not the first") == 0
    assert run(site, "edit", ids["founded"], "--set", "year=2011", "--set", "month=9",
               "--analyst", "ana") == 0
    assert run(site, "edit", ids["cica28"], "--set", "count=27", "--analyst", "ana") == 0
    assert run(site, "reject", ids["iofs40"], "--analyst", "ben") == 0
    article, number = sentence_no(db, "Ministers met in Astana")
    assert run(site, "add", "--article", article, "--sentence", str(number), "--fact", "event",
               "--set", "initiative_id=IOFS", "--set", "event_type=held", "--set", "year=2023",
               "--set", "month=8", "--analyst", "cy", "--reason", "ministerial meeting") == 0
    return ids


def test_each_kind_of_correction_shows_in_the_curated_tables(site: dict[str, Path]) -> None:
    ids = correct_everything(site)
    db = site["db"]
    reviews = dict(query(db, "SELECT event_id, review FROM curated_events"))
    assert reviews[ids["held"]] == "confirmed"
    assert ids["first"] not in reviews
    assert reviews[ids["founded"]] == "edited"
    added = [e for e, r in reviews.items() if r == "added"]
    assert len(added) == 1 and added[0].startswith("analyst-c-")
    assert query(db, "SELECT year, month, date_text, reviewed_by FROM curated_events "
                     "WHERE event_id = ?", [ids["founded"]]) == [(2011, 9, "in 2013", "ana")]
    assert query(db, "SELECT initiative_id, event_type, year, month, origin, rule, "
                     "date_text FROM curated_events WHERE review = 'added'") == [
        ("IOFS", "held", 2023, 8, "analyst", "analyst", "2023-08")]
    figures = dict(query(db, "SELECT membership_id, count FROM curated_memberships"))
    assert figures == {ids["cica28"]: 27}
    # the machine's reading is kept as it was read
    assert query(db, "SELECT count(*) FROM events") == [(3,)]
    assert query(db, "SELECT year FROM events WHERE event_id = ?", [ids["founded"]]) == [(2013,)]
    # every record is in the folder, one JSON object per line, and in the warehouse
    lines = (site["corrections"] / "corrections.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6 and all(json.loads(line)["analyst"] for line in lines)
    assert query(db, "SELECT status, count(*) FROM corrections GROUP BY ALL") == [("current", 6)]


def test_a_rejected_fact_is_in_no_table_the_dashboard_reads(site: dict[str, Path]) -> None:
    ids = correct_everything(site)
    db = site["db"]
    for table, column in (("curated_events", "event_id"), ("facet_events", "event_id"),
                          ("events_with_sources", "event_id"),
                          ("curated_memberships", "membership_id"),
                          ("facet_memberships", "membership_id"),
                          ("memberships_with_sources", "membership_id"),
                          ("facet_claims", "claim_id")):
        for rejected in (ids["first"], ids["iofs40"]):
            assert query(db, f"SELECT count(*) FROM {table} "  # noqa: S608
                             f"WHERE {column} = ?", [rejected]) == [(0,)], table
    assert query(db, "SELECT review, reviewed, count(*) FROM facet_events GROUP BY ALL "
                     "ORDER BY ALL") == [("added", True, 1), ("confirmed", True, 1),
                                         ("edited", True, 1)]
    # and it is kept, rejected, for the record
    assert query(db, "SELECT review, reviewed_by FROM reviewed_events WHERE event_id = ?",
                 [ids["first"]]) == [("rejected", "ben")]


def test_full_and_incremental_builds_apply_corrections_alike(
        site: dict[str, Path], tmp_path: Path) -> None:
    correct_everything(site)
    settings = make_settings(site["articles"], site["db"])
    (site["articles"] / "later.md").write_text(
        "---\ntitle: Later\npublished: 2025-01-02\n---\nThe Astana International Forum was "
        "held in May 2025 in the capital.\n", encoding="utf-8")
    report = pipeline.build_warehouse(settings)
    assert report.articles_extracted == 1  # incremental: only the new file was read
    full_db = tmp_path / "full.duckdb"
    pipeline.build_warehouse(make_settings(site["articles"], full_db,
                                           corrections_dir=site["corrections"]), reuse=False)
    for table in (*warehouse.CONTENT_TABLES, "curated_events", "curated_memberships",
                  "facet_events", "facet_memberships", "facet_claims"):
        sql = f'SELECT * FROM "{table}" ORDER BY ALL'  # noqa: S608
        assert query(site["db"], sql) == query(full_db, sql), table


def assert_marts_as_rebuilt(db: Path, tmp_path: Path) -> None:
    """Every mart of `db` is what building them all again from its tables gives."""
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copyfile(db, rebuilt)
    with duckdb.connect(str(rebuilt)) as con:
        marts.build_marts(con)
    for mart in marts.marts():
        sql = f'SELECT * FROM "{mart.table}" ORDER BY ALL'  # noqa: S608
        assert query(db, sql) == query(rebuilt, sql), mart.table
    rebuilt.unlink()


def test_corrections_applied_alone_leave_every_mart_as_a_whole_rebuild_would(
        site: dict[str, Path], tmp_path: Path) -> None:
    """Each correction rebuilds the marts of facts and refreshes the others in place (an
    edited year moves its article's event years in every mart that copies them): the marts
    are then what building them all again gives."""
    correct_everything(site)
    assert_marts_as_rebuilt(site["db"], tmp_path)


def test_confirmations_update_the_marts_of_facts_in_place_and_anything_else_rebuilds_them(
        tmp_path: Path) -> None:
    """Confirming facts changes their review, not which facts there are or where they sit:
    the marts of facts are updated in place (disputed facts' claims included) instead of
    rebuilt. A rejection, an edit of a date detail or an added fact changes rows, and they are
    rebuilt. Updated in place, every mart is what building them all again gives."""
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in CURATED_ARTICLES.items():  # two first years, two founding years
        (articles / name).write_text(text, encoding="utf-8")
    (articles / "count.md").write_text(  # and two counts of CICA's members in 2024
        "---\ntitle: Asian forum grows\noutlet: Other Wire\npublished: 2024-07-01\n---\n"
        "CICA now has 30 member states, its secretariat said.\n", encoding="utf-8")
    db = tmp_path / "warehouse.duckdb"
    pipeline.build_warehouse(make_settings(articles, db))
    site = {"articles": articles, "db": db, "corrections": tmp_path / "corrections"}
    settings = make_settings(articles, db)
    disputed = query(db, "SELECT claim_id FROM facet_claims WHERE topic = 'event_year' "
                         "ORDER BY claim_row")
    assert len(disputed) == 4  # two facts, two claims each
    first, founded = str(disputed[0][0]), str(disputed[-1][0])
    figure = figure_id(db, "CICA")

    def apply(*records: tuple[str, ...]) -> list[str]:
        """Record `records` unapplied, then apply them; the marts updated in place (checked
        against a rebuild: a rebuild's own result is the other test's)."""
        for record in records:
            assert run(site, *record, "--analyst", "ana", "--no-apply") == 0
        report = update.update_warehouse(settings)
        assert report.problems == []
        if report.marts_updated:
            assert_marts_as_rebuilt(db, tmp_path)
        return report.marts_updated

    assert apply(("confirm", first, "--reason", "second source"), ("confirm", figure)) == [
        "facet_events", "facet_memberships", "facet_claims"]
    assert query(db, "SELECT review, reviewed, reviewed_by, review_reason FROM facet_claims "
                     "WHERE claim_id = ?", [first]) == [("confirmed", True, "ana",
                                                         "second source")]
    assert query(db, "SELECT review FROM facet_memberships WHERE membership_id = ?",
                 [figure]) == [("confirmed",)]
    assert query(db, "SELECT topic, review, reviewed FROM facet_claims WHERE claim_id = ?",
                 [figure]) == [("membership_count", "confirmed", True)]
    assert apply(("edit", founded, "--set", "month=5")) == []  # a date detail: a new place
    assert apply(("reject", first)) == []
    assert query(db, "SELECT count(*) FROM facet_claims WHERE claim_id = ?", [first]) == [(0,)]
    article, number = sentence_no(db, "Ministers met in Astana")
    assert apply(("add", "--article", article, "--sentence", str(number), "--fact", "event",
                  "--set", "initiative_id=IOFS", "--set", "event_type=held",
                  "--set", "year=2023")) == []
    # a correction writes the generation before the live one (the spare, `etl.spare`): the
    # first confirmation after the added fact finds the rows before it there and rebuilds; the
    # next finds the added fact's rows and updates in place again
    held = [str(e) for (e,) in query(db, "SELECT event_id FROM facet_events "
                                         "WHERE event_type = 'held' AND NOT reviewed")]
    assert apply(("confirm", held[0])) == []
    assert apply(("confirm", held[1])) == ["facet_events", "facet_memberships", "facet_claims"]
    # the rejected fact's lines taken out of the folder bring it back, unreviewed, while every
    # fact still reviewed keeps its row: rows changed, so the marts are rebuilt
    folder = site["corrections"] / "corrections.jsonl"
    lines = [json.loads(line) for line in folder.read_text(encoding="utf-8").splitlines()]
    [place] = {(r["article_id"], r["sentence_key"]) for r in lines if r["action"] == "reject"}
    folder.write_text("".join(json.dumps(r) + "\n" for r in lines
                              if (r["article_id"], r["sentence_key"]) != place),
                      encoding="utf-8")
    assert update.update_warehouse(settings).marts_updated == []
    assert query(db, "SELECT review FROM facet_claims WHERE claim_id = ?",
                 [first]) == [("unreviewed",)]
    assert_marts_as_rebuilt(db, tmp_path)
    # marts another version of the ETL built (another marts signature) are rebuilt, even for
    # a confirmation, and keep that signature: the next build rebuilds every mart
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE warehouse_info SET value = 'older marts' WHERE key = ?",
                    [incremental.MARTS_KEY])
    assert apply(("confirm", first)) == []
    assert query(db, "SELECT value FROM warehouse_info WHERE key = ?",
                 [incremental.MARTS_KEY]) == [("older marts",)]


def test_corrections_write_the_spare_and_equal_a_copy_of_the_live_file(
        site: dict[str, Path], tmp_path: Path) -> None:
    """A correction writes the next generation into the spare: after a full build (a copy of
    the live file) only the small tables are copied across; the first after an incremental
    build that only added articles also brings those across (their rows, search entries,
    stories and the marts); after one that changed an article the spare holds, the live file
    is copied instead (deleting the old version's rows costs more). Either way the warehouse is
    what applying the corrections to a copy of the live file gives, table by table."""
    db, spare_file = site["db"], warehouse.spare_path(site["db"])
    settings = make_settings(site["articles"], db)
    copied = tmp_path / "copied.duckdb"

    def confirm(fact: str) -> bool:
        """Confirm `fact` through the CLI; whether the spare became the live file."""
        live, spare = db.stat().st_ino, spare_file.stat().st_ino
        assert run(site, "confirm", fact, "--analyst", "ana") == 0
        assert spare_file.stat().st_ino == live  # the file replaced is the next spare
        return db.stat().st_ino == spare

    def copy_live() -> None:
        """`copied`: the live file alone, no spare beside it."""
        shutil.copyfile(db, copied)
        warehouse.spare_path(copied).unlink(missing_ok=True)

    def alike_a_copy(*, reviews: list[tuple[object, ...]]) -> None:
        """The same corrections applied to `copied`: every table, mart and search table
        alike."""
        update.update_warehouse(dataclasses.replace(settings, db_path=copied))
        tables = [name for (name,) in query(db, "SELECT table_name FROM duckdb_tables() "
                                                "WHERE table_name NOT IN ('etl_runs', "
                                                "'load_problems', 'warehouse_info')")]
        assert {"facet_events", "reviewed_events", "search_postings", "stories"} <= set(tables)
        for name in tables:
            sql = f'SELECT * FROM "{name}" ORDER BY ALL'  # noqa: S608
            assert query(db, sql) == query(copied, sql), name
        assert query(db, "SELECT review FROM reviewed_events ORDER BY ALL") == reviews

    def build_late(year: int) -> int:
        """late.md in its `year` version, built incrementally into the spare; `copied` is then
        the live file. How many sentences of the first version (2024) the new spare holds."""
        (site["articles"] / "late.md").write_text(
            f"The forum met in Astana in May {year}, officials said. The Islamic Organisation "
            "for Food Security was founded in 2013.\n", encoding="utf-8")
        report = pipeline.build_warehouse(settings)
        assert (report.articles_extracted, report.spare_note) == (1, "")
        copy_live()
        return int(query(spare_file, "SELECT count(*) FROM sentences "
                                     "WHERE text LIKE '%May 2024%'")[0][0])

    assert confirm(event_id(db, "CICA", "held"))  # the spare a full build left: its copy
    assert confirm(event_id(db, "AIF", "first_held"))
    # the build only added an article: the spare, the generation before it, is brought level
    assert build_late(2024) == 0
    assert confirm(event_id(db, "IOFS", "founded"))
    alike_a_copy(reviews=[("confirmed",)] * 3)
    # the next build changes that article: the spare holds its first version, so the live
    # file is copied, and the summary says why
    assert build_late(2025) == 1
    outcome = update.update_warehouse(settings)  # applies the folder again: nothing new
    assert "changed or removed articles the spare holds (1)" in outcome.spare_note
    assert confirm(figure_id(db, "CICA"))  # the spare that copy left: level again
    alike_a_copy(reviews=[("confirmed",)] * 3)
    assert query(db, "SELECT review FROM reviewed_memberships") == [("confirmed",)]
    # and the run history: each update carries the figures of the run before it
    runs = ("SELECT files_seen, articles_loaded, duplicates, files_failed, status FROM etl_runs "
            "ORDER BY started_at")
    assert query(db, runs)[-1] == query(copied, runs)[-1] and len(query(db, runs)) == 8
    problems = "SELECT count(*), count(DISTINCT run_id) FROM load_problems"
    assert query(db, problems)[0][0] == query(copied, problems)[0][0]


def test_corrections_survive_a_full_re_extraction(site: dict[str, Path]) -> None:
    ids = correct_everything(site)
    before = query(site["db"], "SELECT * EXCLUDE (reviewed_at) FROM curated_events ORDER BY ALL")
    pipeline.build_warehouse(make_settings(site["articles"], site["db"]), reuse=False)
    assert query(site["db"], "SELECT * EXCLUDE (reviewed_at) FROM curated_events "
                             "ORDER BY ALL") == before
    assert ids["first"] not in {e for (e,) in query(site["db"],
                                                    "SELECT event_id FROM curated_events")}


def test_a_fact_the_rules_now_read_differently_keeps_its_correction(
        site: dict[str, Path]) -> None:
    """A record naming the values an older rule read (another year) still finds its fact when
    it is the only one of that initiative and type in the sentence."""
    db = site["db"]
    article, number = sentence_no(db, "founded in 2013")
    text = query(db, "SELECT text FROM sentences WHERE article_id = ? AND sentence_no = ?",
                 [article, number])[0][0]
    old_reading = records.Correction(
        id="c-older-rule", action="reject", fact="event", article_id=article,
        sentence_key=records.sentence_key(str(text)), sentence=str(text),
        target={"initiative_id": "IOFS", "event_type": "founded", "year": 2012},
        analyst="ana", at=dt.datetime(2026, 1, 1))
    store.append(site["corrections"], [old_reading])
    assert run(site, "apply") == 0
    assert query(db, "SELECT review FROM reviewed_events") == [("rejected",)]
    assert query(db, "SELECT status FROM corrections") == [("current",)]


def test_a_correction_whose_sentence_is_gone_is_kept_and_listed(
        site: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    ids = correct_everything(site)
    path = site["articles"] / "food.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "was founded in 2013", "was set up in 2013"), encoding="utf-8")
    pipeline.build_warehouse(make_settings(site["articles"], site["db"]))
    orphaned = query(site["db"], "SELECT correction_id, status_reason FROM corrections "
                                 "WHERE status = 'orphaned'")
    # the food article changed, so its fingerprint did: both of its corrections are orphaned
    assert len(orphaned) == 3
    assert all("no longer in the warehouse" in why for _, why in orphaned)
    assert len((site["corrections"] / "corrections.jsonl").read_text().splitlines()) == 6
    capsys.readouterr()
    cli.main(["corrections", "orphans", "--articles", str(site["articles"]),
              "--db", str(site["db"]), "--json"])
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(r["id"] for r in listed) == sorted(c for c, _ in orphaned)
    assert ids["founded"] not in {e for (e,) in query(site["db"],
                                                      "SELECT event_id FROM reviewed_events")}


def _append_many(folder: str, writer: int, count: int) -> None:
    for n in range(count):
        store.append(Path(folder), [records.Correction(
            id=f"c-w{writer}-{n}", action="confirm", fact="event", article_id="a" * 16,
            sentence_key="k", sentence="x" * (n % 7) * 500, target={"year": 2000 + n % 20},
            analyst=f"writer{writer}", at=dt.datetime(2026, 1, 1))])


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    """Three processes appending at once, as three analysts' dashboards would."""
    folder = tmp_path / "corrections"
    root = Path(__file__).resolve().parent.parent
    workers = [subprocess.Popen(
        [sys.executable, "-c", "import sys; from tests.test_corrections import _append_many; "
         "_append_many(sys.argv[1], int(sys.argv[2]), 150)", str(folder), str(w)], cwd=root)
        for w in range(3)]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    loaded = store.read_folder(folder)
    assert loaded.problems == []
    assert sorted(r.id for r in loaded.records) == sorted(
        f"c-w{w}-{n}" for w in range(3) for n in range(150))


def test_unreadable_lines_are_reported_and_the_rest_applied(site: dict[str, Path]) -> None:
    correct_everything(site)
    bad = site["corrections"] / "broken.jsonl"
    bad.write_bytes(b'{"id": "c-1", "action": "maybe"}\nnot json at all\n\xff\xfe\x00\n\n')
    report = pipeline.build_warehouse(make_settings(site["articles"], site["db"]))
    reasons = [p.message() for p in report.problems if p.source_file == "broken.jsonl"]
    assert len(reasons) == 3
    assert any("'action' must be one of" in r for r in reasons)
    assert any("not JSON" in r for r in reasons)
    assert any("not UTF-8" in r for r in reasons)
    assert query(site["db"], "SELECT count(*) FROM corrections") == [(6,)]


def test_a_value_outside_the_vocabulary_is_refused_before_it_is_recorded(
        site: dict[str, Path]) -> None:
    held = event_id(site["db"], "CICA", "held")
    assert run(site, "edit", held, "--set", "event_type=picnic") == EXIT_REFUSED
    assert run(site, "edit", held, "--set", "month=13") == EXIT_REFUSED
    assert run(site, "confirm", "no-such-fact") == EXIT_REFUSED
    assert not (site["corrections"] / "corrections.jsonl").exists()


def test_import_reports_repeats_and_conflicts_and_the_later_wins(
        site: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    held = event_id(site["db"], "CICA", "held")
    assert run(site, "confirm", held, "--analyst", "ana") == 0
    mine = store.read_folder(site["corrections"]).records
    theirs = records.from_mapping({
        **json.loads(mine[0].to_json()), "id": "c-colleague-1", "action": "reject",
        "analyst": "dee", "at": "2099-01-01T00:00:00+00:00", "reason": "cancelled"})
    colleague = tmp_path / "colleague.jsonl"
    colleague.write_text(mine[0].to_json() + "\n" + theirs.to_json() + "\n", encoding="utf-8")
    report = merge_report(mine, store.read_file(colleague, store.Loaded()).records)
    assert (len(report.new), report.repeated, report.conflicts) == (1, 1, 1)
    assert "dee's reject, wins" in report.messages[0]
    assert run(site, "import", str(colleague)) == 0
    assert query(site["db"], "SELECT analyst, status FROM corrections ORDER BY recorded_at") == [
        ("ana", "history"), ("dee", "current")]
    assert held not in {e for (e,) in query(site["db"], "SELECT event_id FROM curated_events")}
    # importing again adds nothing
    assert run(site, "import", str(colleague)) == 0
    assert len(store.read_folder(site["corrections"]).records) == 2


def test_export_writes_every_record_oldest_first(site: dict[str, Path], tmp_path: Path) -> None:
    correct_everything(site)
    out = tmp_path / "export.jsonl"
    assert run(site, "export", str(out)) == 0
    exported = [records.parse_record(line) for line in out.read_text().splitlines()]
    assert len(exported) == 6
    assert [r.at for r in exported] == sorted(r.at for r in exported)
    copy = tmp_path / "copy" / "articles"
    shutil.copytree(site["articles"], copy)
    (copy.parent / "corrections").mkdir()
    shutil.copy(out, copy.parent / "corrections" / "shared.jsonl")
    pipeline.build_warehouse(make_settings(copy, tmp_path / "copy" / "w.duckdb"))
    sql = "SELECT * EXCLUDE (source_file) FROM corrections ORDER BY ALL"
    assert query(tmp_path / "copy" / "w.duckdb", sql) == query(site["db"], sql)


def test_a_recorded_but_unapplied_correction_makes_the_warehouse_stale(
        site: dict[str, Path]) -> None:
    settings = make_settings(site["articles"], site["db"])
    assert not freshness.warehouse_is_stale(settings)
    held = event_id(site["db"], "CICA", "held")
    assert run(site, "reject", held, "--no-apply") == 0
    assert freshness.warehouse_is_stale(settings)
    assert held in {e for (e,) in query(site["db"], "SELECT event_id FROM curated_events")}
    assert cli.main(["--articles", str(site["articles"]), "--db", str(site["db"]),
                     "--if-stale", "--quiet"]) == 0
    assert held not in {e for (e,) in query(site["db"], "SELECT event_id FROM curated_events")}
    assert not freshness.warehouse_is_stale(settings)


def test_the_corrections_command_runs_as_its_own_process(site: dict[str, Path]) -> None:
    """What the dashboard starts: `python -m etl corrections ... --json`, one JSON line out."""
    held = event_id(site["db"], "CICA", "held")
    done = subprocess.run(
        [sys.executable, "-m", "etl", "corrections", "reject", held, "--db", str(site["db"]),
         "--articles", str(site["articles"]), "--analyst", "ana", "--json"],
        capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    assert outcome["applied"] is True and outcome["statuses"] == {"current": 1}
    assert query(site["db"], "SELECT review FROM reviewed_events") == [("rejected",)]
