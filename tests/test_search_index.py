"""The full-text search index the ETL writes: tokenising macros, postings, statistics, updates.

The index is checked against the sentences it was built from, on the warehouse the real ETL
built from the shipped corpus, and its tokenisation on short texts. It must build with no
DuckDB extension at all (analysts' machines may be air-gapped). An index updated article by
article (`remove_from_search_index`, `add_to_search_index`) must equal, row for row and in
the rankings it gives, the index built whole from the same sentences.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard import queries
from dashboard.filters import Filters
from dashboard.search.parse import parse_query
from etl import search_index, warehouse
from etl.search_index import (
    SearchIndexError,
    add_to_search_index,
    build_search_index,
    remove_from_search_index,
)

Con = duckdb.DuckDBPyConnection
SEARCH_TABLES = search_index.SEARCH_TABLES
# The postings with their term and article spelled out (the index stores integer keys).
POSTINGS = """(
    SELECT t.term, a.article_id, p.sentence_no, p.tf, p.initiative_tf, p.positions,
           p.sentence_length
    FROM search_postings AS p
    JOIN search_terms AS t USING (term_key)
    JOIN search_articles AS a USING (article_key)
)"""
DOCUMENTS = """(
    SELECT a.article_id, d.sentence_no, d.length
    FROM search_documents AS d JOIN search_articles AS a USING (article_key)
)"""
RANKING_QUERIES = ("biological", "international cooperation", '"agency for biological"',
                   "iabs AND summit", "security -cica", "summit*", "forum", "astana process")


def rows(con: Con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def tokens(con: Con, text: str | None) -> list[str]:
    return rows(con, "SELECT search_tokens(?)", [text])[0][0]


@pytest.fixture(scope="module")
def schema_con() -> Con:
    """An in-memory database with the warehouse schema (and so the macros) applied."""
    con = duckdb.connect(":memory:")
    warehouse.apply_schema(con)
    yield con
    con.close()


# --- tokenisation ------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("The International Agency for Biological Safety (IABS)",
     ["international", "agency", "biological", "safety", "iab"]),
    ("Kazakhstan's agencies, summits and processes",
     ["kazakhstan", "agency", "summit", "process"]),
    ("États-Unis, café", ["etat", "unis", "cafe"]),
    ("ҚАЗАҚСТАН Республикасы", ["қазақстан", "республикасы"]),
    ("COVID-19 in 2020s", ["covid", "19", "2020s"]),
    ("snake_case|pipes/slashes", ["snake", "case", "pipe", "slash"]),
    ("the of and", []),
    ("", []),
    ("  ,;: -- ", []),
    (None, []),
])
def test_search_tokens(schema_con: Con, text: str | None, expected: list[str]) -> None:
    assert tokens(schema_con, text) == expected


def test_short_words_and_other_scripts_are_not_folded(schema_con: Con) -> None:
    assert tokens(schema_con, "gas bus analysis status class") == [
        "gas", "bus", "analysis", "status", "class"]
    assert tokens(schema_con, "Астанас") == ["астанас"]


# The plural folding as first written (before its cheap test of the last letter was put first):
# the reordered macro must fold every word the same way.
_FOLD_AS_FIRST_WRITTEN = """
    CASE
        WHEN length(w) <= 3 OR NOT regexp_full_match(w, '[a-z]+') THEN w
        WHEN ends_with(w, 'ies') THEN left(w, -3) || 'y'
        WHEN ends_with(w, 'sses') THEN left(w, -2)
        WHEN ends_with(w, 'ss') OR ends_with(w, 'us') OR ends_with(w, 'is') THEN w
        WHEN regexp_matches(w, '(ch|sh|x|z)es$') THEN left(w, -2)
        WHEN ends_with(w, 's') THEN left(w, -1)
        ELSE w
    END"""


def test_plural_folding_is_unchanged_by_its_reordering(schema_con: Con,
                                                       warehouse_con: Con) -> None:
    odd = ["s", "ss", "is", "ies", "yes", "bus", "gas", "news", "axes", "boxes", "buzzes",
           "churches", "wishes", "classes", "status", "analysis", "2020s", "cafés", "abcs",
           "agencies", "series", "Ss", "ŝs", "астанас", "x-rays", "", "aes"]
    words = [w for (w,) in rows(warehouse_con, "SELECT DISTINCT unnest(search_words(text)) "
                                               "FROM sentences")] + odd
    differing = rows(schema_con, f"""
        SELECT w FROM (SELECT unnest(?::VARCHAR[]) AS w)
        WHERE search_fold(w) IS DISTINCT FROM ({_FOLD_AS_FIRST_WRITTEN})
    """, [words])  # noqa: S608 (a constant)
    assert len(words) > 1000 and differing == []


def test_search_tokens_are_the_folded_indexed_words(warehouse_con: Con) -> None:
    assert rows(warehouse_con, """
        SELECT count(*) FROM sentences
        WHERE search_tokens(text)
              <> list_transform(search_indexed_words(text), lambda w: search_fold(w))
           OR len(search_indexed_words(text))
              <> len(list_filter(search_words(text),
                                 lambda w: NOT list_contains(search_stop_words(), w)))
    """) == [(0,)]


def test_keys(schema_con: Con) -> None:
    """A hex article id is its own key (unique, sorting like the id); others are hashed."""
    (hex_key, other_key, term_key), = rows(schema_con, """
        SELECT search_article_key('00000000000000ff'), search_article_key('a1'),
               search_term_key('safety')
    """)
    assert hex_key == 255
    assert other_key == rows(schema_con, "SELECT md5_number_upper('a1')")[0][0]
    assert term_key == rows(schema_con, "SELECT md5_number_upper('safety')")[0][0]
    ordered = rows(schema_con, """
        SELECT bool_and(search_article_key(a) < search_article_key(b))
        FROM (SELECT left(md5(i::VARCHAR), 16) AS a, left(md5((i + 1)::VARCHAR), 16) AS b
              FROM range(1000) AS t(i))
        WHERE a < b
    """)
    assert ordered == [(True,)]


# --- small hand-made corpora -------------------------------------------------------------------


def small_corpus(tmp_path: Path, name: str = "small.duckdb", **config: object) -> Con:
    con = duckdb.connect(str(tmp_path / name), config=config)
    warehouse.apply_schema(con)
    con.execute("INSERT INTO sentences VALUES ('a1', 1, 0, 30, 'Biological safety matters.'),"
                " ('a1', 2, 31, 60, 'Safety first, safety always.')")
    return con


def test_the_index_builds_with_no_extension(tmp_path: Path) -> None:
    """No fts or any other extension: autoloading and installing are switched off."""
    con = small_corpus(tmp_path, "offline.duckdb", autoinstall_known_extensions=False,
                       autoload_known_extensions=False)
    build_search_index(con)
    assert rows(con, f"SELECT term, sentence_no, tf, positions FROM {POSTINGS} "  # noqa: S608
                     "ORDER BY term, sentence_no") == [
        ("alway", 2, 1, [4]), ("biological", 1, 1, [1]), ("first", 2, 1, [2]),
        ("matter", 1, 1, [3]), ("safety", 1, 1, [2]), ("safety", 2, 2, [1, 3])]
    assert rows(con, "SELECT sentences, avg_length, terms FROM search_stats") == [(2, 3.5, 5)]
    assert rows(con, "SELECT length FROM search_documents ORDER BY sentence_no") == [(3,), (4,)]
    assert rows(con, "SELECT article_id FROM search_articles") == [("a1",)]
    loaded = rows(con, "SELECT extension_name FROM duckdb_extensions() WHERE loaded "
                       "AND extension_name = 'fts'")
    assert loaded == []
    con.close()


def test_an_empty_corpus_gives_an_empty_index(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    warehouse.apply_schema(con)
    build_search_index(con)
    assert rows(con, "SELECT sentences, avg_length, terms FROM search_stats") == [(0, 0.0, 0)]
    assert rows(con, "SELECT count(*) FROM search_postings") == [(0,)]
    con.execute("CREATE TEMP TABLE none_listed (article_id VARCHAR)")
    add_to_search_index(con, "none_listed")
    remove_from_search_index(con, "none_listed")
    assert rows(con, "SELECT sentences, avg_length, terms FROM search_stats") == [(0, 0.0, 0)]
    con.close()


def test_a_build_leaves_no_work_tables_and_keeps_the_connection_settings(tmp_path: Path
                                                                        ) -> None:
    con = small_corpus(tmp_path)
    con.execute("SET preserve_insertion_order = true")
    build_search_index(con)
    assert rows(con, "SELECT table_name FROM duckdb_tables() WHERE temporary") == []
    assert rows(con, "SELECT current_setting('preserve_insertion_order')") == [(True,)]
    con.close()


def test_a_build_replaces_an_earlier_index(tmp_path: Path) -> None:
    con = small_corpus(tmp_path)
    build_search_index(con)
    first = {t: rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in SEARCH_TABLES}  # noqa: S608
    build_search_index(con)
    assert {t: rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in SEARCH_TABLES} == first  # noqa: S608
    con.close()


def test_articles_sharing_a_key_are_refused(tmp_path: Path) -> None:
    con = small_corpus(tmp_path)
    build_search_index(con)
    con.execute("INSERT INTO sentences VALUES ('a2', 1, 0, 10, 'Other words.')")
    con.execute("INSERT INTO search_articles SELECT search_article_key('a2'), 'impostor'")
    con.execute("CREATE TEMP TABLE added AS SELECT 'a2' AS article_id")
    with pytest.raises(SearchIndexError, match="share a search key"):
        add_to_search_index(con, "added")
    con.close()


def test_batches_do_not_change_the_index(built_warehouse: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A build cut in many small batches writes the same rows (postings in a run per batch)."""
    copy = tmp_path / "batched.duckdb"
    shutil.copyfile(built_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        whole = _table_rows(con)
        monkeypatch.setattr(search_index, "BATCH_SENTENCES", 7)
        build_search_index(con)
        assert _table_rows(con) == whole
        runs = rows(con, """
            SELECT count(*) FROM (
                SELECT term_key < lag(term_key) OVER (ORDER BY rowid) AS new_run
                FROM search_postings)
            WHERE new_run""")[0][0] + 1
        assert 1 < runs <= -(-rows(con, "SELECT count(*) FROM sentences")[0][0] // 7)


# --- the index of the shipped corpus -----------------------------------------------------------


def test_every_sentence_is_a_search_document(warehouse_con: Con) -> None:
    mismatched = rows(warehouse_con, f"""
        SELECT count(*) FROM sentences AS s
        FULL JOIN {DOCUMENTS} AS d USING (article_id, sentence_no)
        WHERE d.length IS NULL OR s.text IS NULL OR d.length <> len(search_tokens(s.text))
    """)  # noqa: S608 (a constant)
    assert mismatched == [(0,)]
    assert rows(warehouse_con, "SELECT count(*) > 200 FROM search_documents") == [(True,)]
    assert rows(warehouse_con, """
        SELECT count(*) FROM (SELECT DISTINCT article_id FROM sentences) AS s
        FULL JOIN search_articles AS a USING (article_id)
        WHERE a.article_key IS DISTINCT FROM search_article_key(s.article_id)
    """) == [(0,)]


def test_postings_carry_their_sentences_offsets(warehouse_con: Con) -> None:
    """Each posting has its sentence's offsets (what a page of hits cuts the sentence with),
    and the text at those offsets is the sentence."""
    assert rows(warehouse_con, """
        SELECT count(*) FROM search_postings AS p
        JOIN search_documents AS d USING (article_key, sentence_no)
        WHERE (p.start_char, p.end_char) <> (d.start_char, d.end_char)
    """) == [(0,)]
    assert rows(warehouse_con, """
        SELECT count(*) FROM search_postings AS p
        JOIN search_articles AS k USING (article_key)
        JOIN articles AS a USING (article_id)
        JOIN sentences AS s USING (article_id, sentence_no)
        WHERE substring(a.text, p.start_char + 1, p.end_char - p.start_char) <> s.text
    """) == [(0,)]


def test_postings_agree_with_the_sentences(warehouse_con: Con) -> None:
    """Every text posting's positions hold its term in the sentence's token list, and back."""
    wrong = rows(warehouse_con, f"""
        WITH expected AS (
            SELECT s.article_id, s.sentence_no, t.term, count(*) AS tf,
                   list(t.position ORDER BY t.position) AS positions
            FROM sentences AS s,
                 unnest(search_tokens(s.text)) WITH ORDINALITY AS t(term, position)
            GROUP BY ALL
        )
        SELECT count(*)
        FROM expected AS e
        FULL JOIN (SELECT * FROM {POSTINGS} WHERE tf > 0) AS p
             USING (article_id, sentence_no, term)
        WHERE p.tf IS DISTINCT FROM e.tf OR p.positions IS DISTINCT FROM e.positions
    """)  # noqa: S608 (a constant)
    assert wrong == [(0,)]
    inconsistent = rows(warehouse_con, f"""
        SELECT count(*) FROM {POSTINGS} AS p
        JOIN {DOCUMENTS} AS d USING (article_id, sentence_no)
        WHERE p.sentence_length <> d.length OR len(p.positions) <> p.tf
           OR p.tf + p.initiative_tf = 0
    """)  # noqa: S608 (a constant)
    assert inconsistent == [(0,)]
    assert rows(warehouse_con, """
        SELECT count(*) FROM search_postings AS p ANTI JOIN search_terms AS t USING (term_key)
    """) == [(0,)]


def test_sentences_naming_an_initiative_are_indexed_under_its_name(warehouse_con: Con) -> None:
    """'establish the IABS' carries the words of 'International Agency for Biological Safety'."""
    iabs_sentences = rows(warehouse_con, "SELECT DISTINCT article_id, sentence_no FROM mentions "
                                         "WHERE initiative_id = 'IABS' ORDER BY ALL")
    assert len(iabs_sentences) >= 3
    biological = rows(warehouse_con, f"SELECT article_id, sentence_no FROM {POSTINGS} "  # noqa: S608
                                     "WHERE term = 'biological' AND initiative_tf > 0 "
                                     "ORDER BY ALL")
    assert biological == iabs_sentences
    acronym_only = rows(warehouse_con, f"""
        SELECT p.tf, p.initiative_tf FROM {POSTINGS} AS p
        JOIN sentences AS s USING (article_id, sentence_no)
        WHERE p.term = 'biological' AND s.text LIKE '%establish the IABS was held in Geneva%'
    """)  # noqa: S608 (a constant)
    assert acronym_only == [(0, 1)]


def test_term_statistics(warehouse_con: Con) -> None:
    wrong_df = rows(warehouse_con, """
        SELECT count(*) FROM search_terms AS t
        FULL JOIN (SELECT term_key, count(*) AS n FROM search_postings GROUP BY term_key) AS p
             USING (term_key)
        WHERE t.sentences IS DISTINCT FROM p.n
    """)
    assert wrong_df == [(0,)]
    assert rows(warehouse_con, "SELECT count(*) FROM search_terms "
                               "WHERE term_key <> search_term_key(term)") == [(0,)]
    (n, avg_length, terms), = rows(warehouse_con, "SELECT * FROM search_stats")
    assert n == rows(warehouse_con, "SELECT count(*) FROM sentences")[0][0]
    assert avg_length == pytest.approx(
        rows(warehouse_con, "SELECT avg(length) FROM search_documents")[0][0])
    assert terms == rows(warehouse_con, "SELECT count(*) FROM search_terms")[0][0]
    assert rows(warehouse_con, "SELECT count(*) FROM search_terms WHERE term IN "
                               "('the', 'of', 'and', '')") == [(0,)]
    assert rows(warehouse_con, "SELECT count(*) - count(DISTINCT term) FROM search_terms") == [
        (0,)]


@pytest.mark.parametrize(("table", "key", "unique"), [
    ("search_postings", "term_key", False),
    ("search_documents", "article_key, sentence_no", True),
    ("search_articles", "article_key", True),
    ("search_terms", "term", True),
])
def test_tables_are_stored_in_key_order(warehouse_con: Con, table: str, key: str,
                                        unique: bool) -> None:
    """Postings sorted by term, so a lookup of a few terms reads only their row groups.

    (A corpus of more than `BATCH_SENTENCES` sentences has a sorted run of postings per batch.)
    """
    out_of_order = rows(warehouse_con, f"""
        SELECT count(*) FROM (
            SELECT ({key}) AS k, lag(({key})) OVER (ORDER BY rowid) AS previous FROM {table})
        WHERE previous {'>=' if unique else '>'} k
    """)  # noqa: S608 (constant names)
    assert out_of_order == [(0,)]


def test_search_tables_are_compared_by_the_identical_rebuild_test() -> None:
    assert set(SEARCH_TABLES) <= set(warehouse.CONTENT_TABLES)


# --- updating the index article by article -----------------------------------------------------


def _listed(con: Con, name: str, article_ids: list[str]) -> str:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (article_id VARCHAR)")  # noqa: S608
    con.executemany(f"INSERT INTO {name} VALUES (?)", [[a] for a in article_ids])  # noqa: S608
    return name


def _table_rows(con: Con) -> dict[str, list[tuple]]:
    return {t: rows(con, f"SELECT * FROM {t} ORDER BY ALL") for t in SEARCH_TABLES}  # noqa: S608


def _rankings(con: Con) -> dict[str, pd.DataFrame]:
    results = {}
    for text in RANKING_QUERIES:
        query = parse_query(text)
        hits = queries.search_sentences(con, Filters(), query, 50, 0)
        results[text] = hits[["article_id", "sentence_no", "score", "terms_matched"]]
        results[text + " per year"] = queries.search_hits_per_year(con, Filters(), query)
        results[text + " terms"] = queries.search_query_terms(con, query)
    return results


def _assert_same_index(updated: Con, whole: Con) -> None:
    assert _table_rows(updated) == _table_rows(whole)
    assert rows(updated, "SELECT * FROM search_stats") == rows(whole, "SELECT * FROM search_stats")
    got, expected = _rankings(updated), _rankings(whole)
    for name, frame in expected.items():
        pd.testing.assert_frame_equal(got[name], frame, obj=name)


NEW_ARTICLE = [
    (1, "Zyxwvut summits discussed biological safety with the IABS delegation."),
    (2, "It agreed that zyxwvut research needs an international forum."),
    (3, "The of and."),
]


def test_updates_equal_a_whole_build(built_warehouse: Path, tmp_path: Path) -> None:
    """Remove two articles, change one, add a new one: the index equals a build from scratch."""
    updated_path = tmp_path / "updated.duckdb"
    shutil.copyfile(built_warehouse, updated_path)
    con = duckdb.connect(str(updated_path))
    before = rows(con, "SELECT count(*) FROM search_terms")[0][0]
    articles = [a for (a,) in rows(con, "SELECT article_id FROM articles ORDER BY article_id")]
    gone, changed = articles[:2], articles[2]
    only_in_gone = rows(con, """
        SELECT count(*) FROM (
            SELECT term_key FROM search_postings
            WHERE article_key IN (SELECT article_key FROM search_articles
                                  WHERE list_contains(?, article_id))
            EXCEPT
            SELECT term_key FROM search_postings
            WHERE article_key NOT IN (SELECT article_key FROM search_articles
                                      WHERE list_contains(?, article_id)))
    """, [gone, gone])[0][0]  # noqa: S608
    assert only_in_gone > 0  # so some terms must leave search_terms

    # two articles leave the corpus (the index is updated before their rows are deleted)
    remove_from_search_index(con, _listed(con, "gone", gone))
    for table in ("sentences", "mentions"):
        con.execute(f"DELETE FROM {table} WHERE list_contains(?, article_id)", [gone])  # noqa: S608
    assert rows(con, "SELECT count(*) FROM search_terms")[0][0] < before

    # one article changes: a sentence reworded, a mention dropped
    remove_from_search_index(con, _listed(con, "changed", [changed]))
    (first_no,), = rows(con, "SELECT min(sentence_no) FROM sentences WHERE article_id = ?",
                        [changed])
    con.execute("UPDATE sentences SET text = 'Zyxwvut rewording of the opening sentence.' "
                "WHERE article_id = ? AND sentence_no = ?", [changed, first_no])
    con.execute("DELETE FROM mentions WHERE article_id = ? AND sentence_no = ("
                "SELECT min(sentence_no) FROM mentions WHERE article_id = ?)",
                [changed, changed])
    add_to_search_index(con, "changed")

    # a new article, with a word no other article has and a back-reference to the IABS
    con.execute("INSERT INTO articles SELECT * REPLACE ('ffff000000000001' AS article_id) "
                "FROM articles WHERE article_id = ?", [changed])
    con.executemany("INSERT INTO sentences VALUES ('ffff000000000001', ?, 0, 0, ?)",
                    [[no, text] for no, text in NEW_ARTICLE])
    con.execute("INSERT INTO mentions VALUES ('ffff000000000001', 1, 'IABS', 'IABS', 0, 0, "
                "'acronym'), ('ffff000000000001', 2, 'IABS', 'It', 0, 0, 'coreference')")
    add_to_search_index(con, _listed(con, "added", ["ffff000000000001"]))
    assert rows(con, "SELECT sentences FROM search_terms WHERE term = 'zyxwvut'") == [(3,)]

    # and adding an indexed article again changes nothing
    again = _table_rows(con)
    add_to_search_index(con, "added")
    assert _table_rows(con) == again

    whole_path = tmp_path / "whole.duckdb"
    con.execute("CHECKPOINT")
    con.close()
    shutil.copyfile(updated_path, whole_path)
    updated = duckdb.connect(str(updated_path), read_only=True)
    whole = duckdb.connect(str(whole_path))
    build_search_index(whole)
    _assert_same_index(updated, whole)
    hits = queries.search_sentences(updated, Filters(), parse_query("zyxwvut"), 10, 0)
    assert len(hits) == 3 and set(hits["article_id"]) == {"ffff000000000001", changed}
    updated.close()
    whole.close()


def test_removing_everything_then_adding_it_back(built_warehouse: Path, tmp_path: Path) -> None:
    path = tmp_path / "round_trip.duckdb"
    shutil.copyfile(built_warehouse, path)
    with duckdb.connect(str(path)) as con:
        original = _table_rows(con)
        rankings = _rankings(con)
        everything = _listed(con, "everything", [a for (a,) in rows(
            con, "SELECT article_id FROM articles")])
        remove_from_search_index(con, everything)
        assert {t: len(r) for t, r in _table_rows(con).items()} == {
            "search_articles": 0, "search_documents": 0, "search_mentions": 0, "search_postings": 0,
            "search_terms": 0, "search_stats": 1}
        assert rows(con, "SELECT * FROM search_stats") == [(0, 0.0, 0)]
        add_to_search_index(con, everything)
        assert _table_rows(con) == original
        for name, frame in _rankings(con).items():
            pd.testing.assert_frame_equal(frame, rankings[name], obj=name)
