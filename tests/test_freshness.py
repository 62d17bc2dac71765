"""A build with nothing to do says the warehouse is up to date and writes nothing; any change a
build would see (an article, the manifest, the fetch area, the corrections, the extraction code,
or a file rewritten in the same clock tick as the last build read it) makes it build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import freshness, incremental, marts, pipeline
from etl.fetch.store import FEEDS_FILE, FETCH_DIR
from tests.conftest import PROJECT_ROOT, make_settings

pytestmark = pytest.mark.heavy  # several builds: workers start this file first


def built(articles: Path, db: Path) -> pipeline.BuildReport:
    report = pipeline.build_warehouse(make_settings(articles, db))
    assert not report.up_to_date
    return report


def test_nothing_changed_is_up_to_date_and_writes_nothing(articles: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = built(articles, db)
    stamp = (db.stat().st_ino, db.stat().st_mtime_ns)
    again = pipeline.build_warehouse(make_settings(articles, db))
    assert again.up_to_date and again.run_id == first.run_id
    # the report gives the live warehouse's figures and its last run's problems
    assert (again.articles_loaded, again.articles_reused, again.articles_extracted) == (
        first.articles_loaded, first.articles_loaded, 0)
    assert (again.files_seen, again.counts, again.duplicates) == (
        first.files_seen, first.counts, first.duplicates)
    assert [p.message() for p in again.problems] == [p.message() for p in first.problems]
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == stamp
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM etl_runs").fetchall()[0][0] == 1


def test_a_full_build_is_never_skipped(articles: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = built(articles, db)
    forced = pipeline.build_warehouse(make_settings(articles, db), reuse=False)
    assert not forced.up_to_date and forced.run_id != first.run_id


def test_another_spelling_of_the_same_folder_is_the_same_folder(
        articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A relative path, a path with `..` or a link to the article folder names the folder the
    warehouse was built from: nothing to do, and a change re-extracts only what changed."""
    db = tmp_path / "w.duckdb"
    first = built(articles, db)
    link = tmp_path / "linked-articles"
    link.symlink_to(articles, target_is_directory=True)
    monkeypatch.chdir(articles.parent)
    for spelling in (Path(articles.name), articles / ".." / articles.name, link):
        again = pipeline.build_warehouse(make_settings(spelling, db))
        assert again.up_to_date and again.run_id == first.run_id, spelling
    (articles / "zz_new.txt").write_text("The Astana International Forum met in 2024.\n")
    changed = pipeline.build_warehouse(make_settings(Path(articles.name), db))
    assert not changed.up_to_date
    assert (changed.articles_extracted, changed.articles_reused) == (1, first.articles_loaded)


@pytest.mark.parametrize("change", ["article", "manifest", "fetch area", "corrections"])
def test_a_change_a_build_would_see_makes_it_stale(articles: Path, tmp_path: Path,
                                                   change: str) -> None:
    db = tmp_path / "w.duckdb"
    settings = make_settings(articles, db, corrections_dir=tmp_path / "corrections")
    built(articles, db)
    assert freshness.check(settings).stale == ""
    if change == "article":
        (articles / "zz_new.txt").write_text("The Astana International Forum met in 2024.\n")
    elif change == "manifest":
        with (articles / "manifest.csv").open("a", encoding="utf-8") as manifest:
            manifest.write("zz_missing.txt,A row for no file,Wire,,,2024-01-01,day,\n")
    elif change == "fetch area":
        (articles / FETCH_DIR).mkdir(exist_ok=True)
        (articles / FETCH_DIR / FEEDS_FILE).write_text("{}\n")
    else:
        settings.corrections_folder.mkdir(parents=True, exist_ok=True)
        (settings.corrections_folder / "ana.jsonl").write_text("\n")
    assert freshness.check(settings).stale != ""
    assert not pipeline.build_warehouse(settings).up_to_date


def test_other_extraction_code_makes_it_stale(articles: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    built(articles, db)
    # what a checkout of other extraction code leaves: the recorded signature differs
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE warehouse_info SET value = 'older code' WHERE key = ?",
                    [incremental.SIGNATURE_KEY])
    assert "extraction code" in freshness.check(make_settings(articles, db)).stale
    assert freshness.warehouse_is_stale(make_settings(articles, db))


def test_marts_defined_differently_are_rebuilt_without_re_extracting(articles: Path,
                                                                      tmp_path: Path) -> None:
    """What an older version of the ETL leaves: other marts (here one missing, which the
    dashboard would refuse, and one built by other rules) under another marts signature. The
    next build, with no article changed, rebuilds the marts from the stored rows and extracts
    nothing."""
    db = tmp_path / "w.duckdb"
    first = built(articles, db)
    with duckdb.connect(str(db)) as con:
        con.execute("UPDATE warehouse_info SET value = 'older marts' WHERE key = ?",
                    [incremental.MARTS_KEY])
        con.execute("DROP TABLE facet_claims")
        con.execute("DELETE FROM facet_events")
    settings = make_settings(articles, db)
    assert "marts" in freshness.check(settings).stale
    again = pipeline.build_warehouse(settings)
    assert not again.up_to_date
    assert (again.articles_extracted, again.articles_reused) == (0, first.articles_loaded)
    with duckdb.connect(str(db), read_only=True) as con:
        assert marts.validate_marts(con) == []
        recorded = con.execute("SELECT value FROM warehouse_info WHERE key = ?",
                               [incremental.MARTS_KEY]).fetchall()
        assert recorded == [(incremental.marts_signature(),)]
    assert freshness.check(settings).stale == ""


def test_a_file_rewritten_in_the_same_tick_is_compared_by_content(articles: Path,
                                                                   tmp_path: Path) -> None:
    """Same size, same modification time, other bytes: only the content tells, and a file
    modified this close to the last build's scan is compared by content."""
    db = tmp_path / "w.duckdb"
    settings = make_settings(articles, db)
    path = sorted(articles.glob("*.txt"))[0]
    os.utime(path)  # written just before the build's scan: inside the racy window
    built(articles, db)
    status = path.stat()
    original = path.read_bytes()
    with duckdb.connect(str(db), read_only=True) as con:
        scanned = int(con.execute("SELECT value FROM warehouse_info WHERE key = ?",
                                  [incremental.SCANNED_KEY]).fetchall()[0][0])
    assert status.st_mtime_ns >= scanned - incremental.RACY_WINDOW_NS
    assert freshness.check(settings).stale == ""  # same bytes: up to date
    path.write_bytes(original.replace(b"a", b"e", 1))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size
    assert "same moment" in freshness.check(settings).stale
    rebuilt = pipeline.build_warehouse(settings)
    assert not rebuilt.up_to_date and rebuilt.articles_extracted == 1


def test_the_command_says_up_to_date(articles: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    command = [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db)]
    first = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert first.returncode == 0 and "is up to date" not in first.stdout
    second = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert second.returncode == 0
    assert "is up to date" in " ".join(second.stdout.split())
    assert "nothing was rebuilt" in " ".join(second.stdout.split())
    # what the command loads to find nothing to do: not the extraction rules, nor Arrow and
    # NumPy, which only a build that reads or writes rows needs (`etl.prepare`)
    probe = ("import sys\nfrom etl import cli\ncode = cli.main(sys.argv[1:])\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'pyarrow', 'numpy', "
             "'scipy'} | {m for m in sys.modules if m.startswith('etl.extract')}))\n"
             "sys.exit(code)")
    loaded = subprocess.run([sys.executable, "-c", probe, *command[3:]], capture_output=True,
                            text=True, cwd=PROJECT_ROOT)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == "[]"
