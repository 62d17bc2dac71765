"""The warehouse built by the real ETL from the corpus: contract, quality, atomicity."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil
import pytest

from etl import pipeline, warehouse
from tests.conftest import CORPUS_DIR, make_settings

CONTRACT = {
    "articles": [
        "article_id",
        "source_file",
        "title",
        "outlet",
        "author",
        "url",
        "published",
        "date_source",
        "word_count",
        "text",
    ],
    "initiatives": ["initiative_id", "name", "acronym", "category"],
    "mentions": ["article_id", "sentence_no", "initiative_id", "surface"],
    "events": [
        "initiative_id",
        "event_type",
        "year",
        "month",
        "day",
        "article_id",
        "sentence_no",
        "sentence",
    ],
    "memberships": [
        "initiative_id",
        "kind",
        "count",
        "year",
        "article_id",
        "sentence_no",
        "sentence",
    ],
    "article_themes": ["article_id", "theme", "hits", "per_1000_words"],
    "etl_runs": [
        "run_id",
        "started_at",
        "finished_at",
        "files_seen",
        "articles_loaded",
        "files_failed",
        "messages",
    ],
}


def columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f'DESCRIBE "{table}"').fetchall()]


def table_content(db_path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            t: con.execute(f'SELECT * FROM "{t}" ORDER BY ALL').fetchall()
            for t in warehouse.CONTENT_TABLES
        }


def test_contract_tables_have_their_columns(warehouse_con: duckdb.DuckDBPyConnection) -> None:
    for table, expected in CONTRACT.items():
        assert set(expected) <= set(columns(warehouse_con, table)), table


def test_corpus_loads_every_article(warehouse_con: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse_con.execute(
        "SELECT source_file, title, published, published_precision, date_source FROM articles "
        "ORDER BY source_file"
    ).fetchall()
    assert [r[0] for r in rows] == sorted(p.name for p in CORPUS_DIR.glob("*.txt"))
    by_file = {r[0]: r for r in rows}
    bernama = by_file["001_392bb672fc95fe25.txt"]
    assert bernama[1].startswith("Kazakhstan’s Unwavering Commitment")
    assert str(bernama[2]) == "2023-07-16" and bernama[3] == "day" and bernama[4] == "manifest"
    untitled = by_file["004_a88e377181d9ef0c.txt"]
    assert untitled[1] is None  # no known title; a section label is not one
    assert str(untitled[2]) == "2020-12-01" and untitled[3] == "month"


def test_quality_rules(warehouse_con: duckdb.DuckDBPyConnection) -> None:
    q = warehouse_con.execute
    assert q("SELECT count(*) - count(DISTINCT article_id) FROM articles").fetchone()[0] == 0
    assert q("SELECT count(*) - count(DISTINCT event_id) FROM events").fetchone()[0] == 0
    assert q("SELECT count(*) FROM events").fetchone()[0] > 0
    assert q("SELECT count(*) FROM memberships").fetchone()[0] > 0
    assert q("SELECT count(*) FROM events WHERE year NOT BETWEEN 1900 AND 2100").fetchone()[0] == 0
    # every fact points at a sentence that exists and says what the fact row quotes
    for table in ("events", "memberships"):
        orphans = q(f"""
            SELECT count(*) FROM {table} f
            LEFT JOIN sentences s USING (article_id, sentence_no)
            WHERE s.text IS NULL OR s.text <> f.sentence""").fetchone()[0]
        assert orphans == 0, table
    unknown = q(
        "SELECT count(*) FROM mentions WHERE initiative_id NOT IN "
        "(SELECT initiative_id FROM initiatives)"
    ).fetchone()[0]
    assert unknown == 0
    # sentence offsets address the cleaned text exactly
    bad_offsets = q("""
        SELECT count(*) FROM sentences s JOIN articles a USING (article_id)
        WHERE substr(a.text, s.start_char + 1, s.end_char - s.start_char) <> s.text""").fetchone()[
        0
    ]
    assert bad_offsets == 0


def test_every_fact_explains_itself(warehouse_con: duckdb.DuckDBPyConnection) -> None:
    """Events and figures carry a rated rule, a confidence in 0-1 and where the initiative is
    named (this sentence or an earlier one), and the contract views pass them on."""
    q = warehouse_con.execute
    for table, aspect in (("events", "event_rule"), ("memberships", "membership_rule")):
        bad = q(f"""
            SELECT count(*) FROM {table}
            WHERE rule IS NULL OR confidence IS NULL OR confidence NOT BETWEEN 0 AND 1
               OR initiative_sentence_no NOT BETWEEN 1 AND sentence_no""").fetchone()[0]
        assert bad == 0, table
        unrated = q(f"""
            SELECT list(DISTINCT rule) FROM {table}
            WHERE rule NOT IN (SELECT value FROM evidence_scale WHERE aspect = ?)""",
                    [aspect]).fetchone()[0]
        assert not unrated, (table, unrated)
        spread = q(f"SELECT min(confidence) < max(confidence) FROM {table}").fetchone()[0]
        assert spread, f"every {table} row has the same confidence"
    assert q("SELECT count(*) FROM events WHERE confidence = 1").fetchone()[0] > 0
    assert q("SELECT count(*) FROM events WHERE initiative_sentence_no < sentence_no"
             ).fetchone()[0] > 0  # some events name their initiative only in an earlier sentence
    for view in ("events_with_sources", "memberships_with_sources"):
        assert {"rule", "confidence", "initiative_sentence_no"} <= set(columns(warehouse_con,
                                                                             view))


CANDIDATE_ARTICLES = {
    "early.md": """---
title: "Water talks in Astana"
published: 2022-04-05
---
Ministers of five states met in Astana this week.
Kazakhstan proposed establishing a Regional Centre for Glacier Monitoring, officials said.
Kazakhstan proposed a new platform too.
""",
    "late.md": """---
title: "Glacier centre opens"
published: 2024-09-17
---
The Regional Center for Glacier Monitoring, set up at Kazakhstan's initiative, opened in Almaty.
""",
}


def test_candidate_initiatives_are_recorded_and_summarised(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for name, text in CANDIDATE_ARTICLES.items():
        (articles / name).write_text(text, encoding="utf-8")
    pipeline.build_warehouse(make_settings(articles, tmp_path / "w.duckdb"))
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute("""
            SELECT c.surface, c.relation, c.sentence_no, a.title
            FROM candidate_initiatives c JOIN articles a USING (article_id)
            ORDER BY a.published""").fetchall()
        assert rows == [
            ("Regional Centre for Glacier Monitoring", "proposed", 2, "Water talks in Astana"),
            ("Regional Center for Glacier Monitoring", "founded", 1, "Glacier centre opens"),
        ]
        summary = con.execute(
            "SELECT name_key, relations, sentences, articles, first_seen::VARCHAR, "
            "last_seen::VARCHAR FROM candidate_initiative_summary").fetchall()
        assert summary == [("regional centre for glacier monitoring", ["founded", "proposed"],
                            2, 2, "2022-04-05", "2024-09-17")]
        named = con.execute("""
            SELECT count(*) FROM candidate_initiatives c JOIN articles a USING (article_id)
            WHERE substr(a.text, c.start_char + 1, c.end_char - c.start_char) <> c.surface
            """).fetchone()[0]
        assert named == 0


def test_raw_text_is_kept(warehouse_con: duckdb.DuckDBPyConnection) -> None:
    raw, removed = warehouse_con.execute(
        "SELECT r.raw_text, r.removed_lines FROM article_raw r JOIN articles a USING (article_id) "
        "WHERE a.source_file = '000_02923b67c4375231.txt'"
    ).fetchone()
    assert raw.startswith("Skip to content")
    assert "Skip to content" in removed


def test_reference_membership_series_keeps_gaps(warehouse_con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        warehouse_con.execute(
            "SELECT year, member_count FROM membership_reference WHERE initiative_id = 'CICA'"
        ).fetchall()
    )
    assert rows[2002] == 16 and rows[2022] == 28
    assert rows[2003] is None  # 'unconfirmed' is never carried forward


def test_rebuild_from_same_input_is_identical(corpus_copy: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    pipeline.build_warehouse(make_settings(corpus_copy, first))
    pipeline.build_warehouse(make_settings(corpus_copy, second))
    assert table_content(first) == table_content(second)


def test_same_article_under_two_names_loads_once(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(CORPUS_DIR, articles)
    shutil.copy(articles / "002_3b5bf3400bb8b1cf.txt", articles / "zz_copy_of_002.txt")
    report = pipeline.build_warehouse(make_settings(articles, tmp_path / "w.duckdb"))
    assert report.articles_loaded == 5
    assert report.duplicates == [("zz_copy_of_002.txt", "002_3b5bf3400bb8b1cf.txt")]
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        dups = con.execute(
            "SELECT duplicate_files FROM articles WHERE source_file = '002_3b5bf3400bb8b1cf.txt'"
        ).fetchone()[0]
        messages = con.execute("SELECT messages FROM etl_runs").fetchone()[0]
    assert dups == ["zz_copy_of_002.txt"]
    assert any(
        "zz_copy_of_002.txt" in m and "duplicate" in m.lower() or "same article" in m
        for m in messages
    )


def test_bad_files_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(CORPUS_DIR, articles)
    (articles / "empty.txt").write_text("")
    (articles / "binary.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    )
    (articles / "notes.pdf").write_bytes(b"%PDF-1.4 something")
    db = tmp_path / "w.duckdb"
    report = pipeline.build_warehouse(make_settings(articles, db))
    assert report.articles_loaded == 5
    failed = {p.source_file for p in report.problems}
    assert {"empty.txt", "binary.txt", "notes.pdf"} <= failed
    with duckdb.connect(str(db), read_only=True) as con:
        files_failed, messages = con.execute(
            "SELECT files_failed, messages FROM etl_runs"
        ).fetchone()
    assert files_failed >= 3
    for name in ("empty.txt", "binary.txt", "notes.pdf"):
        assert any(m.startswith(name) for m in messages), name


def test_failed_build_keeps_previous_warehouse(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = pipeline.build_warehouse(make_settings(corpus_copy, db))
    only_bad = tmp_path / "bad"
    only_bad.mkdir()
    (only_bad / "empty.txt").write_text("   \n")
    with pytest.raises(pipeline.NothingToBuild, match="empty.txt"):
        pipeline.build_warehouse(make_settings(only_bad, db))
    assert warehouse.read_info(db)["build_id"] == first.run_id
    assert not list(tmp_path.glob("w.duckdb.building-*"))


def test_second_build_keeps_run_history(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    pipeline.build_warehouse(make_settings(corpus_copy, db))
    pipeline.build_warehouse(make_settings(corpus_copy, db), reuse=False)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM etl_runs").fetchone()[0] == 2


def test_concurrent_build_is_refused(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with warehouse.build_lock(db), pytest.raises(warehouse.BuildInProgress):
        pipeline.build_warehouse(make_settings(corpus_copy, db))


def test_open_reader_survives_a_rebuild(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    first = pipeline.build_warehouse(make_settings(corpus_copy, db))
    reader = duckdb.connect(str(db), read_only=True)
    try:
        second = pipeline.build_warehouse(make_settings(corpus_copy, db))
        # the open connection still reads its complete snapshot
        assert (
            reader.execute("SELECT value FROM warehouse_info WHERE key = 'build_id'").fetchone()[0]
            == first.run_id
        )
        assert reader.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    finally:
        reader.close()
    assert warehouse.read_info(db)["build_id"] == second.run_id


def _large_corpus(target: Path, copies: int) -> None:
    """Many distinct articles made from the shipped ones (a numbered line keeps each unique)."""
    target.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))]
    for i in range(copies):
        text = texts[i % len(texts)]
        (target / f"copy_{i:05d}.txt").write_text(
            f"{text}\n\nEdition number {i}.\n", encoding="utf-8"
        )


@pytest.mark.parametrize("kill_when", ["extracting", "writing"])
def test_interrupted_build_leaves_previous_warehouse(
    corpus_copy: Path, tmp_path: Path, kill_when: str
) -> None:
    db = tmp_path / "w.duckdb"
    first = pipeline.build_warehouse(make_settings(corpus_copy, db))
    big = tmp_path / "big"
    _large_corpus(big, 400)
    env = {
        **os.environ,
        "IM_REFERENCE_DIR": str(make_settings(big, db).reference_dir),
        "IM_WORKERS": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "etl", "--articles", str(big), "--db", str(db), "--quiet"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    staging = db.with_name(f"{db.name}.building-{proc.pid}")

    def wait_for(condition: Callable[[], bool]) -> None:
        while not condition() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)

    wait_for(staging.exists)  # the new warehouse file is open: writing has begun
    if kill_when == "extracting":
        # and a quarter of the articles has been read since: the extractor is mid-way
        corpus_bytes = sum(p.stat().st_size for p in big.iterdir())
        build = psutil.Process(proc.pid)
        start = build.io_counters().read_chars
        wait_for(lambda: build.io_counters().read_chars - start >= corpus_bytes // 4)
    assert proc.poll() is None, "the build finished before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
        assert (
            con.execute("SELECT value FROM warehouse_info WHERE key='build_id'").fetchone()[0]
            == first.run_id
        )
    # the next build clears the leftover and succeeds
    pipeline.build_warehouse(make_settings(corpus_copy, db))
    assert not staging.exists()


def test_validation_finds_a_repeated_sentence_and_an_incremental_check_looks_at_its_own_articles(
        built_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "repeated.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        assert warehouse.validate(con) == []
        first, other = [row[0] for row in con.execute(
            "SELECT article_id FROM articles ORDER BY article_id LIMIT 2").fetchall()]
        con.execute("INSERT INTO sentences SELECT * FROM sentences WHERE article_id = $a "
                    "AND sentence_no = (SELECT min(sentence_no) FROM sentences "
                    "WHERE article_id = $a)", {"a": first})
        repeated = [("sentences", "1 rows: sentence number repeated within an article")]
        assert [(i.table, i.problem) for i in warehouse.validate(con)] == repeated
        for name, article in (("_mine", first), ("_theirs", other)):
            con.execute(f"CREATE TEMP TABLE {name} AS SELECT ? AS article_id", [article])
        assert [(i.table, i.problem)
                for i in warehouse.validate(con, new_articles="_mine")] == repeated
        # the incremental check trusts the articles it did not write
        assert warehouse.validate(con, new_articles="_theirs") == []


def test_replacing_differing_rows_rewrites_only_the_keys_that_differ(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "rows.duckdb")) as con:
        con.execute("CREATE TABLE target (k VARCHAR NOT NULL, n INTEGER, note VARCHAR)")
        con.execute("CREATE TABLE source (k VARCHAR NOT NULL, n INTEGER, note VARCHAR)")
        con.execute("INSERT INTO target VALUES ('same', 1, NULL), ('same', 2, 'x'), "
                    "('changed', 1, 'old'), ('gone', 1, NULL), ('twice', 1, 'a')")
        con.execute("INSERT INTO source VALUES ('same', 2, 'x'), ('same', 1, NULL), "
                    "('changed', 1, 'new'), ('added', 7, NULL), ('twice', 1, 'a'), "
                    "('twice', 1, 'a')")
        kept = con.execute("SELECT rowid FROM target WHERE k = 'same' ORDER BY rowid").fetchall()
        assert warehouse.replace_differing_rows(con, "target", "source", "k") == 4
        rows = "SELECT * FROM {} ORDER BY ALL"
        assert con.execute(rows.format("target")).fetchall() == \
            con.execute(rows.format("source")).fetchall()
        # the rows of a key both sides hold alike (NULLs equal) were not rewritten
        assert con.execute("SELECT rowid FROM target WHERE k = 'same' ORDER BY rowid"
                           ).fetchall() == kept
        assert warehouse.replace_differing_rows(con, "target", "source", "k") == 0


def test_a_full_build_appends_under_the_load_limit_and_builds_the_rest_under_the_build_limit(
    corpus_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers run beside DuckDB while batches are appended, so DuckDB keeps less then;
    the search index and the marts, built once the workers are gone, get the build's limit."""
    seen: dict[str, set[str]] = {"append": set(), "marts": set()}

    def limit(con: duckdb.DuckDBPyConnection) -> str:
        return str(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0])

    add, build_marts = pipeline.Loader.add, warehouse.marts.build_marts

    def spied_add(self: pipeline.Loader, *args: object, **kwargs: object) -> list[str]:
        seen["append"].add(limit(self.con))
        return add(self, *args, **kwargs)

    def spied_marts(con: duckdb.DuckDBPyConnection, *args: object) -> None:
        seen["marts"].add(limit(con))
        build_marts(con, *args)

    monkeypatch.setattr(pipeline.Loader, "add", spied_add)
    monkeypatch.setattr(warehouse.marts, "build_marts", spied_marts)
    pipeline.build_warehouse(make_settings(corpus_copy, tmp_path / "w.duckdb"), reuse=False)
    expected = {}
    with duckdb.connect() as con:
        for step, value in (("append", warehouse.LOAD_MEMORY_LIMIT),
                            ("marts", warehouse.BUILD_MEMORY_LIMIT)):
            con.execute(f"SET memory_limit = '{value}'")
            expected[step] = limit(con)
    assert seen == {"append": {expected["append"]}, "marts": {expected["marts"]}}
    assert expected["append"] != expected["marts"]
