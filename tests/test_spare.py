"""Incremental builds write into the spare generation, never the live file nor a whole copy of it:
the result equals a full build, a reader of the spare is never written under, and a failed or
killed build leaves the live warehouse and a usable spare."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil
import pytest

from etl import marts, pipeline, search_index, spare, warehouse
from tests.conftest import CORPUS_DIR, make_settings
from tests.test_incremental import add_new_articles, assert_same_content, full_build

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)


def build_id(db_path: Path) -> str:
    """The build id a warehouse file records (read without the instance cache of the path)."""
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(db_path)])
        return con.execute("SELECT value FROM w.warehouse_info WHERE key = 'build_id'"
                           ).fetchall()[0][0]


def test_an_incremental_build_updates_the_spare_and_keeps_the_live_file_as_the_next(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    first = pipeline.build_warehouse(make_settings(articles, live))
    spare_file = warehouse.spare_path(live)
    assert build_id(spare_file) == first.run_id  # a full build leaves a copy as the spare
    first_inode, spare_inode = live.stat().st_ino, spare_file.stat().st_ino

    add_new_articles(articles)
    second = pipeline.build_warehouse(make_settings(articles, live))
    # the spare became the live file (written in place, not a copy of the live file), and the
    # file it replaced is the next spare
    assert build_id(live) == second.run_id
    assert live.stat().st_ino == spare_inode and second.spare_note == ""
    assert (build_id(spare_file), spare_file.stat().st_ino) == (first.run_id, first_inode)
    # nothing changed: up to date, and neither file is touched
    unchanged = pipeline.build_warehouse(make_settings(articles, live))
    assert unchanged.up_to_date and unchanged.run_id == second.run_id
    assert (unchanged.articles_extracted, unchanged.articles_reused) == (0, 7)
    assert (build_id(live), live.stat().st_ino) == (second.run_id, spare_inode)
    assert (build_id(spare_file), spare_file.stat().st_ino) == (first.run_id, first_inode)
    # one file re-timed with the same bytes: the spare, one build behind, is brought level and
    # still equals a full build, reference tables, stories and marts kept from the live file
    retimed = sorted(articles.glob("*.txt"))[0]
    os.utime(retimed, ns=(retimed.stat().st_atime_ns, retimed.stat().st_mtime_ns + 10**9))
    third = pipeline.build_warehouse(make_settings(articles, live))
    assert not third.up_to_date and (third.articles_extracted, third.articles_reused) == (0, 7)
    assert build_id(spare_file) == second.run_id
    assert live.stat().st_ino == first_inode
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
    assert not list(tmp_path.glob("live.duckdb.building-*"))


# A dashboard reading the spare, in a process of its own as a dashboard is: it opens the file,
# says so, and on each line read from stdin prints the article count and build id it sees.
READER = """
import sys, duckdb
con = duckdb.connect(":memory:")
con.execute("ATTACH ? AS w (READ_ONLY)", [sys.argv[1]])
print("open", flush=True)
for _ in sys.stdin:
    count = con.execute("SELECT count(*) FROM w.articles").fetchall()[0][0]
    build = con.execute("SELECT value FROM w.warehouse_info WHERE key = 'build_id'").fetchall()
    print(count, build[0][0], flush=True)
"""


def test_a_spare_someone_reads_is_left_alone_and_the_live_file_is_copied(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    first = pipeline.build_warehouse(make_settings(articles, live))
    spare_file = warehouse.spare_path(live)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(spare_file)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert reader.stdin is not None and reader.stdout is not None
    try:
        assert reader.stdout.readline().strip() == "open"
        assert not spare.is_free(spare_file)
        add_new_articles(articles)
        second = pipeline.build_warehouse(make_settings(articles, live))
        assert "still open" in second.spare_note  # the summary says why the file was copied
        # the reader still reads the complete generation it opened
        reader.stdin.write("read\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["5", first.run_id]
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    assert spare.is_free(spare_file)
    assert build_id(live) == second.run_id
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def spare_state(spare_file: Path) -> tuple[int, list[tuple[str]]]:
    """The articles a spare holds, and its part-way mark (none: a whole generation)."""
    with duckdb.connect(":memory:") as con:
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(spare_file)])
        return (con.execute("SELECT count(*) FROM w.articles").fetchall()[0][0],
                con.execute("SELECT value FROM w.warehouse_info WHERE key = ?",
                            [spare.PARTIAL_KEY]).fetchall())


def test_a_failed_build_on_the_spare_rolls_it_back(articles: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.duckdb"
    first = pipeline.build_warehouse(make_settings(articles, live))
    spare_file = warehouse.spare_path(live)
    add_new_articles(articles)  # new files only: nothing of the spare is deleted ahead
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(marts, "build_marts", lambda con, only=None: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            pipeline.build_warehouse(make_settings(articles, live))
    assert build_id(live) == first.run_id
    assert spare_state(spare_file) == (5, [])  # rolled back to the generation it held
    second = pipeline.build_warehouse(make_settings(articles, live))
    assert second.spare_note == ""  # and used by the next build
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_a_build_that_fails_after_deleting_ahead_leaves_a_spare_no_build_uses(
    articles: Path, tmp_path: Path
) -> None:
    """The rows of the articles a build replaces leave the spare in a transaction of their own
    (DuckDB holds their delete markers until a checkpoint); a build failing after that marks
    the spare part-way, the live file stays, and the next build copies it instead."""
    live = tmp_path / "live.duckdb"
    first = pipeline.build_warehouse(make_settings(articles, live))
    spare_file = warehouse.spare_path(live)
    kept = {p.name: p.read_bytes() for p in articles.iterdir()}
    for path in articles.iterdir():  # every article gone: the build fails inside the spare
        if path.name != "manifest.csv":
            path.unlink()
    with pytest.raises(pipeline.NothingToBuild):
        pipeline.build_warehouse(make_settings(articles, live))
    assert build_id(live) == first.run_id
    count, mark = spare_state(spare_file)
    assert count == 0 and mark and "stopped" in mark[0][0]
    for name, data in kept.items():
        (articles / name).write_bytes(data)
    add_new_articles(articles)
    second = pipeline.build_warehouse(make_settings(articles, live))
    assert "holds no whole generation" in second.spare_note
    assert (second.articles_reused, second.articles_extracted) == (5, 2)
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
    # the file that build replaced, whole, is the spare again, and the one after uses it
    assert spare_state(spare_file) == (5, [])
    (articles / "zz_forum.txt").unlink()
    assert pipeline.build_warehouse(make_settings(articles, live)).spare_note == ""
    full_build(articles, tmp_path / "full2.duckdb")
    assert_same_content(live, tmp_path / "full2.duckdb")


def test_a_build_killed_while_writing_the_spare_leaves_both_files_whole(
    articles: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live.duckdb"
    first = pipeline.build_warehouse(make_settings(articles, live))
    spare_file = warehouse.spare_path(live)
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))]
    for i in range(40):
        (articles / f"new_{i:03d}.txt").write_text(
            f"{texts[i % len(texts)]}\n\nEdition number {i}.\n", encoding="utf-8")
    env = {**os.environ, "IM_REFERENCE_DIR": str(make_settings(articles, live).reference_dir),
           "IM_WORKERS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(live), "--quiet"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120

    def wait_for(condition: Callable[[], bool]) -> None:
        while not condition() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)

    def writing_spare() -> bool:
        """Whether the build has the spare open (read from /proc: a lock probe of the file
        itself could make the build see it busy and copy the live file instead)."""
        try:
            return any(Path(f.path) == spare_file.resolve()
                       for f in psutil.Process(proc.pid).open_files())
        except psutil.Error:
            return False

    wait_for(writing_spare)  # the build has the spare open: writing
    assert proc.poll() is None, "the build finished before it could be interrupted"
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, "worker processes outlived the build"
    assert build_id(live) == first.run_id
    with duckdb.connect(":memory:") as con:  # the spare rolled back to a whole generation
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(spare_file)])
        assert con.execute("SELECT count(*) FROM w.articles").fetchall()[0][0] == 5
    again = pipeline.build_warehouse(make_settings(articles, live))
    assert again.articles_loaded == 45
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_an_incremental_build_out_of_memory_is_done_again_as_a_full_build(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's memory limit reached inside the spare's one transaction: the spare rolls back
    and the build reads the whole folder again, streaming, instead of failing."""
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(make_settings(articles, live))
    build_marts = marts.build_marts
    calls = []

    def out_of_memory_once(con: duckdb.DuckDBPyConnection, only: object = None) -> None:
        calls.append(only)
        if len(calls) == 1:  # the incremental build's marts, on the spare
            raise duckdb.OutOfMemoryException("Out of Memory Error: a test's limit")
        build_marts(con, only)  # type: ignore[arg-type]

    monkeypatch.setattr(marts, "build_marts", out_of_memory_once)
    add_new_articles(articles)
    second = pipeline.build_warehouse(make_settings(articles, live))
    assert len(calls) == 2 and second.articles_reused == 0 and second.files_read == 7
    assert second.reuse_note.startswith("applying the change in one step ran out of memory")
    assert build_id(live) == second.run_id
    with duckdb.connect(":memory:") as con:  # the full build's copy of itself
        con.execute("ATTACH ? AS w (READ_ONLY)", [str(warehouse.spare_path(live))])
        assert con.execute("SELECT value FROM w.warehouse_info WHERE key = 'build_id'"
                           ).fetchall()[0][0] == second.run_id
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")


def test_running_out_of_memory_inside_the_search_index_is_done_again_as_a_full_build(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB itself out of memory while the index is changed in the spare's transaction (as
    deleting the postings of articles spread over the index did at 100,000 articles): the
    transaction is aborted, and the build must see that failure and read the folder whole, not
    stop on the index's clean-up ("the transaction is aborted")."""
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(make_settings(articles, live))
    remove = search_index._remove
    calls = []

    def runs_out_of_memory_once(con: duckdb.DuckDBPyConnection, article_table: str,
                                after_each: Callable[[], None] | None = None) -> bool:
        calls.append(article_table)
        if article_table == "_affected" and calls.count(article_table) == 1:
            # the build's own change, on the spare: a statement DuckDB cannot hold in its limit
            con.execute("SET memory_limit = '32MB'").fetchall()
            con.execute("SELECT list(i) FROM range(20000000) AS t(i)").fetchall()
        return remove(con, article_table, after_each)

    monkeypatch.setattr(search_index, "_remove", runs_out_of_memory_once)
    changed = sorted(articles.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA closing line.\n",
                       encoding="utf-8")
    second = pipeline.build_warehouse(make_settings(articles, live))
    assert second.reuse_note.startswith("applying the change in one step ran out of memory")
    assert second.articles_reused == 0 and build_id(live) == second.run_id
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
