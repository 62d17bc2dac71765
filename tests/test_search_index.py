"""The full-text search index the ETL writes: tokenising macros, postings, statistics.

The index is checked against the sentences it was built from, on the warehouse the real ETL
built from the shipped corpus, and its tokenisation on short texts. It must build with no
DuckDB extension at all (analysts' machines may be air-gapped).
"""

from __future__ import annotations

import duckdb
import pytest

from etl import warehouse
from etl.search_index import build_search_index

Con = duckdb.DuckDBPyConnection
SEARCH_TABLES = ("search_documents", "search_postings", "search_terms", "search_stats")


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


def test_the_index_builds_with_no_extension(tmp_path) -> None:
    """No fts or any other extension: autoloading and installing are switched off."""
    con = duckdb.connect(str(tmp_path / "offline.duckdb"), config={
        "autoinstall_known_extensions": False, "autoload_known_extensions": False})
    warehouse.apply_schema(con)
    con.execute("INSERT INTO sentences VALUES ('a1', 1, 0, 30, 'Biological safety matters.'),"
                " ('a1', 2, 31, 60, 'Safety first, safety always.')")
    build_search_index(con)
    assert rows(con, "SELECT term, sentence_no, tf, positions FROM search_postings "
                     "ORDER BY term, sentence_no") == [
        ("alway", 2, 1, [4]), ("biological", 1, 1, [1]), ("first", 2, 1, [2]),
        ("matter", 1, 1, [3]), ("safety", 1, 1, [2]), ("safety", 2, 2, [1, 3])]
    assert rows(con, "SELECT sentences, avg_length, terms FROM search_stats") == [(2, 3.5, 5)]
    assert rows(con, "SELECT length FROM search_documents ORDER BY sentence_no") == [(3,), (4,)]
    loaded = rows(con, "SELECT extension_name FROM duckdb_extensions() WHERE loaded "
                       "AND extension_name = 'fts'")
    assert loaded == []
    con.close()


def test_an_empty_corpus_gives_an_empty_index(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "empty.duckdb"))
    warehouse.apply_schema(con)
    build_search_index(con)
    assert rows(con, "SELECT sentences, avg_length, terms FROM search_stats") == [(0, 0.0, 0)]
    assert rows(con, "SELECT count(*) FROM search_postings") == [(0,)]
    con.close()


# --- the index of the shipped corpus -----------------------------------------------------------


def test_every_sentence_is_a_search_document(warehouse_con: Con) -> None:
    mismatched = rows(warehouse_con, """
        SELECT count(*) FROM sentences AS s
        FULL JOIN search_documents AS d USING (article_id, sentence_no)
        WHERE d.length IS NULL OR s.text IS NULL OR d.length <> len(search_tokens(s.text))
    """)
    assert mismatched == [(0,)]
    assert rows(warehouse_con, "SELECT count(*) > 200 FROM search_documents") == [(True,)]


def test_postings_agree_with_the_sentences(warehouse_con: Con) -> None:
    """Every text posting's positions hold its term in the sentence's token list, and back."""
    wrong = rows(warehouse_con, """
        WITH expected AS (
            SELECT s.article_id, s.sentence_no, t.term, count(*) AS tf,
                   list(t.position ORDER BY t.position) AS positions
            FROM sentences AS s,
                 unnest(search_tokens(s.text)) WITH ORDINALITY AS t(term, position)
            GROUP BY ALL
        )
        SELECT count(*)
        FROM expected AS e
        FULL JOIN (SELECT * FROM search_postings WHERE tf > 0) AS p
             USING (article_id, sentence_no, term)
        WHERE p.tf IS DISTINCT FROM e.tf OR p.positions IS DISTINCT FROM e.positions
    """)
    assert wrong == [(0,)]
    inconsistent = rows(warehouse_con, """
        SELECT count(*) FROM search_postings AS p
        JOIN search_documents AS d USING (article_id, sentence_no)
        WHERE p.sentence_length <> d.length OR len(p.positions) <> p.tf
           OR p.tf + p.initiative_tf = 0
    """)
    assert inconsistent == [(0,)]


def test_sentences_naming_an_initiative_are_indexed_under_its_name(warehouse_con: Con) -> None:
    """'establish the IABS' carries the words of 'International Agency for Biological Safety'."""
    iabs_sentences = rows(warehouse_con, "SELECT DISTINCT article_id, sentence_no FROM mentions "
                                         "WHERE initiative_id = 'IABS' ORDER BY ALL")
    assert len(iabs_sentences) >= 3
    biological = rows(warehouse_con, "SELECT article_id, sentence_no FROM search_postings "
                                     "WHERE term = 'biological' AND initiative_tf > 0 "
                                     "ORDER BY ALL")
    assert biological == iabs_sentences
    acronym_only = rows(warehouse_con, """
        SELECT p.tf, p.initiative_tf FROM search_postings AS p
        JOIN sentences AS s USING (article_id, sentence_no)
        WHERE p.term = 'biological' AND s.text LIKE '%establish the IABS was held in Geneva%'
    """)
    assert acronym_only == [(0, 1)]


def test_term_statistics(warehouse_con: Con) -> None:
    wrong_df = rows(warehouse_con, """
        SELECT count(*) FROM search_terms AS t
        FULL JOIN (SELECT term, count(*) AS n FROM search_postings GROUP BY term) AS p
             USING (term)
        WHERE t.sentences IS DISTINCT FROM p.n
    """)
    assert wrong_df == [(0,)]
    (n, avg_length, terms), = rows(warehouse_con, "SELECT * FROM search_stats")
    assert n == rows(warehouse_con, "SELECT count(*) FROM sentences")[0][0]
    assert avg_length == pytest.approx(
        rows(warehouse_con, "SELECT avg(length) FROM search_documents")[0][0])
    assert terms == rows(warehouse_con, "SELECT count(*) FROM search_terms")[0][0]
    assert rows(warehouse_con, "SELECT count(*) FROM search_terms WHERE term IN "
                               "('the', 'of', 'and', '')") == [(0,)]


def test_postings_are_stored_in_term_order(warehouse_con: Con) -> None:
    """Sorted by term, so a lookup of a few terms reads only their row groups."""
    out_of_order = rows(warehouse_con, """
        SELECT count(*) FROM (
            SELECT term, lag(term) OVER (ORDER BY rowid) AS previous FROM search_postings)
        WHERE previous > term
    """)
    assert out_of_order == [(0,)]


def test_search_tables_are_compared_by_the_identical_rebuild_test() -> None:
    assert set(SEARCH_TABLES) <= set(warehouse.CONTENT_TABLES)
