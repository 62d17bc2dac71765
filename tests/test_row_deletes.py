"""Deleting rows within the delete markers' budget: in place when the rows are few or
together, by writing the table again when they are spread over it; the same rows either way,
and an incremental build that rewrites its tables equals a full build."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import pipeline, row_deletes
from tests.test_incremental import add_new_articles, assert_same_content, full_build, settings

ROWS = 50_000  # 25 vectors


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse-like file with one table of the postings' kind: constraints, a list column,
    rows in an order no sort would give."""
    connection = duckdb.connect(str(tmp_path / "t.duckdb"))
    connection.execute("CREATE TABLE postings (term_key UBIGINT NOT NULL, "
                       "article_key UBIGINT NOT NULL, positions INTEGER[] NOT NULL)")
    connection.execute(f"INSERT INTO postings SELECT (i * 7919) % 1000, i % 500, [i, i + 1] "
                       f"FROM range({ROWS}) AS t(i)")
    yield connection
    connection.close()


def table_oid(con: duckdb.DuckDBPyConnection) -> int:
    (oid,), = con.execute("SELECT table_oid FROM duckdb_tables() "
                          "WHERE table_name = 'postings'").fetchall()
    return int(oid)


def rows(con: duckdb.DuckDBPyConnection) -> list[tuple[object, ...]]:
    return con.execute("SELECT * FROM postings").fetchall()  # stored order


def expected_without(before: list[tuple[object, ...]], keys: set[int]
                     ) -> list[tuple[object, ...]]:
    return [row for row in before if row[1] not in keys]


def test_small_tables_and_rows_kept_together_are_deleted_in_place(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, oid = rows(con), table_oid(con)
    # the default budget holds every vector of this table: no count, a plain delete
    assert row_deletes.delete_rows(con, "postings", "article_key = $key", {"key": 3}) == 100
    assert table_oid(con) == oid
    # a budget of 4 vectors: the last 2,000 rows lie in at most 2 vectors, so still in place
    monkeypatch.setattr(row_deletes, "MARKER_BUDGET_BYTES", 4 * row_deletes.MARKER_BYTES_PER_VECTOR)
    con.execute("INSERT INTO postings SELECT 1, 100000 + i, [] FROM range(2000) AS t(i)")
    assert row_deletes.delete_rows(con, "postings", "article_key >= 100000") == 2000
    assert table_oid(con) == oid
    assert rows(con) == expected_without(before, {3})


def test_rows_spread_over_many_vectors_are_removed_by_writing_the_table_again(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_deletes, "MARKER_BUDGET_BYTES", 4 * row_deletes.MARKER_BYTES_PER_VECTOR)
    before, oid = rows(con), table_oid(con)
    con.execute("CREATE TEMP TABLE gone AS SELECT unnest([5, 77, 401]) AS article_key")
    con.execute("BEGIN")
    # article_key = i % 500: every vector holds rows of each of them
    deleted = row_deletes.delete_rows(con, "postings",
                                      "article_key IN (SELECT article_key FROM gone)")
    assert deleted == 300
    assert table_oid(con) != oid  # written again, under the same name
    assert rows(con) == expected_without(before, {5, 77, 401})  # the order kept
    with pytest.raises(duckdb.ConstraintException):  # the definition kept
        con.execute("INSERT INTO postings VALUES (1, NULL, [])")
    con.execute("ROLLBACK")
    assert rows(con) == before and table_oid(con) == oid  # one transaction with the build's
    assert con.execute("SELECT current_setting('preserve_insertion_order')").fetchall() == [
        (True,)]


def test_a_delete_matching_nothing_writes_nothing(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_deletes, "MARKER_BUDGET_BYTES", 0)
    oid = table_oid(con)
    assert row_deletes.delete_rows(con, "postings", "article_key > 10000") == 0
    assert table_oid(con) == oid


@pytest.mark.heavy
def test_incremental_builds_that_rewrite_their_tables_equal_a_full_build(
    articles: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every deletion of an incremental build (the changed articles taken out of the spare, and
    those it catches up on from the build before) done by writing the table again: the same
    warehouse as a full build."""
    monkeypatch.setattr(row_deletes, "MARKER_BUDGET_BYTES", 0)
    rewritten: list[str] = []
    rewrite = row_deletes._rewrite_without
    monkeypatch.setattr(row_deletes, "_rewrite_without",
                        lambda con, table, *args: (rewritten.append(table),
                                                   rewrite(con, table, *args))[1])
    live = tmp_path / "live.duckdb"
    pipeline.build_warehouse(settings(articles, live))
    first, second = sorted(p for p in articles.iterdir() if p.suffix == ".txt")[:2]
    first.write_text(first.read_text(encoding="utf-8") + "\nA closing line was added.\n",
                     encoding="utf-8")
    report = pipeline.build_warehouse(settings(articles, live))
    assert (report.articles_extracted, report.spare_note, report.reuse_note) == (1, "", "")
    assert {"sentences", "search_postings"} <= set(rewritten)  # the changed article's rows
    # the spare (the first build) catches up on that change, then the next one is applied
    rewritten.clear()
    second.write_text(second.read_text(encoding="utf-8") + "\nAnother line was added.\n",
                      encoding="utf-8")
    add_new_articles(articles)
    report = pipeline.build_warehouse(settings(articles, live))
    assert (report.articles_extracted, report.spare_note, report.reuse_note) == (3, "", "")
    # written again once: the rows the spare caught up on and the build's own, together
    assert rewritten.count("sentences") == rewritten.count("search_postings") == 1
    full_build(articles, tmp_path / "full.duckdb")
    assert_same_content(live, tmp_path / "full.duckdb")
