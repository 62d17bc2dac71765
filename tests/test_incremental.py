"""Incremental rebuilds: unchanged articles keep their stored facts, and the warehouse is the same
as a full build of the same folder (every content table compared, ordered)."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from etl import cli, freshness, incremental, pipeline, warehouse
from etl.prepare import FileJob
from etl.settings import Settings
from etl.sources import discover, folder
from tests.conftest import REFERENCE_DIR, make_settings

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)

# Two articles whose facts depend on their publication date ("last year", "two years ago").
NEW_ARTICLES = {
    "zz_cica_summit.md": (
        "---\ntitle: CICA looks back on its Astana summit\noutlet: Test Wire\n"
        "published: 2023-03-14\n---\n"
        "CICA, the Asian security forum, held its "
        "sixth summit in Astana last year. CICA now has 28 member states, and its secretariat "
        "said cooperation on security and the economy will grow.\n"
    ),
    "zz_forum.txt": (
        "SOURCE: https://example.org/news/astana-forum\n"
        "The Astana International Forum was first held two years ago and gathered diplomats "
        "from dozens of countries to discuss climate and food security. The Islamic "
        "Organisation for Food Security was founded in 2013.\n"
    ),
}
MANIFEST_ROW = "zz_forum.txt,Forum report,Example News,,,2025-06-01,day,\n"


def settings(articles: Path, db_path: Path, reference_dir: Path = REFERENCE_DIR) -> Settings:
    return dataclasses.replace(make_settings(articles, db_path), reference_dir=reference_dir)


def content(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every content table of a warehouse, all rows, in a canonical order."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: con.execute(f'SELECT * FROM "{table}" ORDER BY ALL').fetchall()
            for table in warehouse.CONTENT_TABLES
        }


def article_ids(db_path: Path) -> set[str]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()}


def relative_years(db_path: Path, source_file: str) -> list[int]:
    """Years of the events of one file dated relative to its publication date."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return [r[0] for r in con.execute(
            "SELECT e.year FROM events e JOIN articles a USING (article_id) "
            "WHERE a.source_file = ? AND e.date_basis = 'relative_to_publication' ORDER BY 1",
            [source_file],
        ).fetchall()]


def full_build(articles: Path, db_path: Path, reference_dir: Path = REFERENCE_DIR) -> None:
    """A build from scratch (no previous warehouse), extracting every article."""
    assert not db_path.exists()
    report = pipeline.build_warehouse(
        settings(articles, db_path, reference_dir), reuse=False
    )
    assert report.articles_reused == 0


def assert_same_content(incremental_db: Path, full_db: Path) -> None:
    built_incrementally, built_fully = content(incremental_db), content(full_db)
    for table in warehouse.CONTENT_TABLES:
        assert built_incrementally[table] == built_fully[table], table


def add_new_articles(articles: Path) -> None:
    for name, text in NEW_ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    with open(articles / "manifest.csv", "a", encoding="utf-8") as manifest:
        manifest.write(MANIFEST_ROW)


def test_adding_articles_extracts_only_them_and_equals_a_full_build(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    first = pipeline.build_warehouse(settings(articles, live))
    assert (first.articles_reused, first.articles_extracted) == (0, 5)
    assert first.reuse_note == "no previous warehouse"

    add_new_articles(articles)
    second = pipeline.build_warehouse(settings(articles, live))
    assert (second.articles_loaded, second.articles_reused, second.articles_extracted) == (7, 5, 2)
    assert second.reuse_note == ""

    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
    with duckdb.connect(str(live), read_only=True) as con:
        # the relative dates resolved against each article's own publication date
        years = dict(con.execute(
            "SELECT a.source_file, list(DISTINCT e.year ORDER BY e.year) FROM events e "
            "JOIN articles a USING (article_id) WHERE a.source_file LIKE 'zz_%' GROUP BY 1"
        ).fetchall())
    assert years["zz_cica_summit.md"] == [2022]  # "last year", published 2023
    assert 2023 in years["zz_forum.txt"]  # "two years ago", published 2025


def test_a_build_lists_and_examines_the_article_folder_once(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The up-to-date check lists the folder and examines every file; the build that follows
    reads the folder from what it saw, and starts its scan before it."""
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live))
    add_new_articles(articles)
    listed: list[Path] = []
    real_list = folder.list_folder

    def counting(root: Path | str, *args: object, **kwargs: object) -> folder.FolderListing:
        listed.append(Path(root))
        return real_list(root, *args, **kwargs)  # type: ignore[arg-type]

    for module in (folder, freshness, discover):
        monkeypatch.setattr(module, "list_folder", counting)
    compared: list[tuple[set[str], set[str]]] = []
    real_compare = incremental.changed_files

    def comparing(jobs: list[FileJob], previous: incremental.Previous,
                  states: dict[str, tuple[int, int]] | None = None) -> incremental.Changes:
        compared.append(({job.relative for job in jobs}, set(states or {})))
        return real_compare(jobs, previous, states)

    monkeypatch.setattr(incremental, "changed_files", comparing)
    started = time.time_ns()
    report = pipeline.build_warehouse(settings(articles, live))
    assert (report.articles_reused, report.articles_extracted) == (5, 2)
    assert listed.count(articles) == 1
    # every file compared with its last state from what the check saw, none examined again
    [(names, known)] = compared
    assert names and names <= known
    with duckdb.connect(str(live), read_only=True) as con:
        scanned = con.execute("SELECT value FROM warehouse_info WHERE key = ?",
                              [incremental.SCANNED_KEY]).fetchall()[0][0]
    assert started <= int(scanned) <= time.time_ns()
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_a_rebuild_of_an_unchanged_folder_reuses_everything_and_changes_nothing(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live))
    before = content(live)
    again = pipeline.build_warehouse(settings(articles, live))
    assert (again.articles_reused, again.articles_extracted) == (5, 0)
    assert content(live) == before


def test_files_with_new_times_but_the_same_bytes_are_recognised_and_reused(
    articles: Path, tmp_path: Path
) -> None:
    """What an unzip or a copy without preserved times does: every file re-timed, no byte
    changed. The content hash recognises them, and their records take the new times."""
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live))
    before = content(live)
    later = time.time_ns() + 3_600_000_000_000
    for path in articles.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(later, later))
    again = pipeline.build_warehouse(settings(articles, live))
    assert (again.articles_reused, again.articles_extracted, again.files_read) == (5, 0, 0)
    assert content(live) == before
    with duckdb.connect(str(live), read_only=True) as con:
        times = {t for (t,) in con.execute("SELECT modified_ns FROM source_files "
                                           "WHERE size_bytes >= 0").fetchall()}
    assert times == {later}


def test_a_changed_publication_date_re_extracts_that_article(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    add_new_articles(articles)
    pipeline.build_warehouse(settings(articles, live))
    assert relative_years(live, "zz_forum.txt") == [2023]
    manifest = articles / "manifest.csv"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace(MANIFEST_ROW, MANIFEST_ROW.replace(
            "2025-06-01", "2026-06-01")), encoding="utf-8")
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    # same text, so the same article id: the date alone must force a new extraction
    assert (rebuilt.articles_reused, rebuilt.articles_extracted) == (6, 1)
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
    assert relative_years(live, "zz_forum.txt") == [2024]  # "two years ago" from 2026


def test_a_changed_text_re_extracts_that_article_even_with_the_same_id(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live))
    ids_before = article_ids(live)
    target = sorted(articles.glob("00*.txt"))[0]
    # a change of case in the body: the article id (a hash of the case-folded text) stays
    head, the, tail = target.read_text(encoding="utf-8").rpartition(" the ")
    assert the
    target.write_text(f"{head} THE {tail}", encoding="utf-8")
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert article_ids(live) == ids_before
    assert (rebuilt.articles_reused, rebuilt.articles_extracted) == (4, 1)
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_removed_articles_leave_no_rows_behind(articles: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.duckdb"
    add_new_articles(articles)
    pipeline.build_warehouse(settings(articles, live))
    (articles / "zz_cica_summit.md").unlink()
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert (rebuilt.articles_reused, rebuilt.articles_extracted) == (6, 0)
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_repeats_added_and_removed_keep_the_original_and_equal_a_full_build(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    first = sorted(p for p in articles.iterdir() if p.suffix == ".txt")[0]
    pipeline.build_warehouse(settings(articles, live))
    # a repeat filed after the original: the original keeps its rows, only its list grows
    shutil.copyfile(first, articles / "zz_repeat.txt")
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert (rebuilt.articles_reused, rebuilt.articles_extracted) == (5, 0)
    assert ("zz_repeat.txt", first.name) in rebuilt.duplicates
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
    # and removed again: the list empties
    (articles / "zz_repeat.txt").unlink()
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert rebuilt.duplicates == []
    full_build(articles, tmp_path / "full2.duckdb")
    assert_same_content(live, tmp_path / "full2.duckdb")


def test_a_repeat_filed_before_the_original_becomes_the_original(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    first = sorted(p for p in articles.iterdir() if p.suffix == ".txt")[0]
    pipeline.build_warehouse(settings(articles, live))
    shutil.copyfile(first, articles / "0000_copy.txt")  # sorts before every file
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert (first.name, "0000_copy.txt") in rebuilt.duplicates
    assert rebuilt.articles_extracted == 1  # its rows now come from the earlier file
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
    # the original file changes: the copy keeps the old text, the file its new one
    first.write_text(first.read_text(encoding="utf-8") + "\nA new closing line.\n",
                     encoding="utf-8")
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert rebuilt.duplicates == []
    full_build(articles, tmp_path / "full2.duckdb")
    assert_same_content(live, tmp_path / "full2.duckdb")


def built_with_own_reference(articles: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the reference folder the test may edit, and a warehouse built with it."""
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, reference)
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live, reference))
    return reference, live


def test_a_changed_reference_file_forces_full_re_extraction(
    articles: Path, tmp_path: Path
) -> None:
    reference, live = built_with_own_reference(articles, tmp_path)
    themes = reference / "themes.toml"
    themes.write_text(themes.read_text(encoding="utf-8") + "\n# an analyst's edit\n",
                      encoding="utf-8")
    rebuilt = pipeline.build_warehouse(settings(articles, live, reference))
    assert (rebuilt.articles_reused, rebuilt.articles_extracted) == (0, 5)
    assert "reference data" in rebuilt.reuse_note
    full_build(articles, tmp_path / "full.duckdb", reference_dir=reference)
    assert_same_content(live, tmp_path / "full.duckdb")


def test_new_articles_with_a_changed_reference_series_reload_it_and_nothing_else(
    articles: Path, tmp_path: Path
) -> None:
    reference, live = built_with_own_reference(articles, tmp_path)
    add_new_articles(articles)
    # a series no extractor reads: the stored facts stay, the series is loaded again
    series = reference / "cica_membership.csv"
    series.write_text(series.read_text(encoding="utf-8").replace(
        "2000,unconfirmed,", "2000,16,", 1), encoding="utf-8")
    rebuilt = pipeline.build_warehouse(settings(articles, live, reference))
    assert (rebuilt.articles_reused, rebuilt.articles_extracted) == (5, len(NEW_ARTICLES))
    with duckdb.connect(str(live), read_only=True) as con:
        assert con.execute("SELECT member_count FROM membership_reference "
                           "WHERE year = 2000").fetchall() == [(16,)]
    full_build(articles, tmp_path / "full.duckdb", reference_dir=reference)
    assert_same_content(live, tmp_path / "full.duckdb")
    # more articles, the same reference files: the reference tables are the live file's
    (articles / "0099_late.txt").write_text(
        "Late news. The forum met in Astana in May 2024.\n", encoding="utf-8")
    pipeline.build_warehouse(settings(articles, live, reference))
    full_build(articles, tmp_path / "full2.duckdb", reference_dir=reference)
    assert_same_content(live, tmp_path / "full2.duckdb")


def test_the_extractor_signature_follows_reference_files_and_code(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, reference)
    package = tmp_path / "etl"
    shutil.copytree(incremental.ETL_PACKAGE_DIR, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    original = incremental.extractor_signature(reference, package)
    assert incremental.extractor_signature(reference, package) == original

    membership = reference / "cica_membership.csv"  # not read by extraction
    membership.write_text(membership.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert incremental.extractor_signature(reference, package) == original

    (reference / "initiatives.toml").write_bytes(
        (reference / "initiatives.toml").read_bytes() + b"\n")
    changed_reference = incremental.extractor_signature(reference, package)
    assert changed_reference != original

    dates = package / "extract" / "dates.py"
    dates.write_text(dates.read_text(encoding="utf-8") + "\n# a rule changed\n", encoding="utf-8")
    assert incremental.extractor_signature(reference, package) != changed_reference


def test_the_warehouse_records_its_extractor_signature(articles: Path, tmp_path: Path) -> None:
    expected = incremental.extractor_signature(REFERENCE_DIR)
    pipeline.build_warehouse(settings(articles, tmp_path / "w.duckdb"))
    info = warehouse.read_info(tmp_path / "w.duckdb")
    assert info[incremental.SIGNATURE_KEY] == expected


def test_an_unreadable_live_warehouse_means_a_full_build(articles: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.duckdb"
    live.write_bytes(b"not a database at all" * 100)
    report = pipeline.build_warehouse(settings(articles, live))
    assert (report.articles_reused, report.articles_extracted) == (0, 5)
    assert "could not be read" in report.reuse_note
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_the_cli_summary_says_how_many_articles_were_reused(
    articles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("IM_REFERENCE_DIR", str(REFERENCE_DIR))
    monkeypatch.setenv("COLUMNS", "120")
    db = tmp_path / "w.duckdb"
    assert cli.main(["--articles", str(articles), "--db", str(db)]) == 0
    add_new_articles(articles)
    capsys.readouterr()
    assert cli.main(["--articles", str(articles), "--db", str(db)]) == 0
    summary = capsys.readouterr().out
    counts = {label: int(re.findall(r"\d+", line)[-1])
              for line in summary.splitlines()
              for label in ("reused", "extracted") if f" {label}" in line}
    assert counts == {"reused": 5, "extracted": 2}
    assert cli.main(["--articles", str(articles), "--db", str(db), "--full"]) == 0
    assert "Every article was extracted: a full build was asked for" in capsys.readouterr().out


def test_a_manifest_row_moving_to_another_line_changes_no_article(
    articles: Path, tmp_path: Path
) -> None:
    """Rows added or removed above a file's row move it without changing its article, and a
    problem of an unchanged file's row is reported once, at the line it is on now."""
    live = tmp_path / "live.duckdb"
    manifest = articles / "manifest.csv"
    header, *rows = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    first_file = rows[0].split(",", 1)[0]
    # a date precision the manifest does not know, on the first file's row
    rows[0] = re.sub(r",(day|month|year),", ",fortnight,", rows[0], count=1)
    manifest.write_text(header + "".join(rows), encoding="utf-8")
    pipeline.build_warehouse(settings(articles, live))
    # a new file whose row goes on top: every other row moves down a line
    (articles / "zz_forum.txt").write_text(NEW_ARTICLES["zz_forum.txt"], encoding="utf-8")
    manifest.write_text(header + MANIFEST_ROW + "".join(rows), encoding="utf-8")
    again = pipeline.build_warehouse(settings(articles, live))
    assert (again.files_read, again.articles_extracted, again.articles_reused) == (1, 1, 5)
    precision = [p.message() for p in again.problems if "fortnight" in p.message()]
    assert precision == [f"{first_file}: manifest.csv line 3: date_precision 'fortnight' is "
                         "not one of day, month, year, so it was ignored"]
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_a_change_to_most_files_is_read_as_a_full_build(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past a share of the folder an incremental build would hold too many rows in one
    transaction; the build streams every file instead, and says why."""
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live))
    monkeypatch.setattr(pipeline, "DELTA_MIN_FILES", 1)  # the shipped corpus is five files
    for path in sorted(articles.glob("*.txt"))[:2]:
        path.write_text(path.read_text(encoding="utf-8") + "\nA line added later.\n",
                        encoding="utf-8")
    rebuilt = pipeline.build_warehouse(settings(articles, live))
    assert rebuilt.files_read == 5 and rebuilt.articles_reused == 0
    assert rebuilt.reuse_note == ("2 of 5 files are new or changed, so the whole folder was "
                                  "read again")
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
