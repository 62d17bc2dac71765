"""The full-text search index: BM25F postings over sentences, built in SQL inside the warehouse.

The index is six tables (`search_articles`, `search_documents`, `search_mentions`,
`search_postings`, `search_terms`, `search_stats`, documented in docs/schema.md) filled from
`sentences`, `mentions` and `initiatives` with the tokenising macros of `etl/schema.sql`.
Building it in SQL keeps tokenisation in one definition: the dashboard runs the same
`search_tokens` macro on a query, so the two sides never disagree on what a word is. No DuckDB
extension is involved, so it works offline (docs/search.md says why).

Each sentence is indexed in two fields: its own words with their positions (`tf`, for phrases
`positions`), and the name and acronym of every initiative it mentions by name, acronym or
back-reference (`initiative_tf`). The second field lets a search for "biological" rank the
sentences about the International Agency for Biological Safety, including "It was proposed in
2020", above a passing "biological weapons"; the dashboard weighs the fields (BM25F). One row
per term and sentence carries both fields and the sentence's length, so ranking a term's
sentences reads only that term's rows.

Three entry points, all in SQL on the build's connection:

- `build_search_index(con)`: the whole index, from every loaded sentence.
- `remove_from_search_index(con, table)` / `add_to_search_index(con, table)`: take out, or put
  in, the sentences of the articles listed in `table` (one column, `article_id`), keeping the
  term statistics right. Removing and adding leaves exactly the rows a whole build of the same
  sentences writes: every key is a function of the content (`search_article_key`,
  `search_term_key` in the schema), never of the order things were added in, and the term
  statistics are recounted from the postings.

How the work is cut so that no statement holds the whole corpus (docs/search.md, *Building the
index*): sentences are tokenised and aggregated into postings a batch at a time
(`BATCH_SENTENCES`, by row id); each distinct word of a batch is folded and keyed once, not
once per occurrence; each batch's postings are appended as one run sorted by term key; the
term counts are then one pass over the term keys alone. An update appends its own run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import duckdb

from etl import row_deletes, warehouse

Con = duckdb.DuckDBPyConnection

# Sentences tokenised and aggregated per statement: two of DuckDB's row groups (122,880 rows
# each), so the two cores each tokenise one (a batch of one row group runs on one thread),
# and about 3.5 million word occurrences, whose aggregation and sort fit the build's memory
# limit (`warehouse.BUILD_MEMORY_LIMIT`; bigger batches spill, smaller ones leave more runs to
# look into, and a batch of one row group built slower under 640 MB than two).
ROW_GROUP_ROWS = 122_880
BATCH_SENTENCES = 2 * ROW_GROUP_ROWS

SEARCH_TABLES = ("search_articles", "search_documents", "search_mentions", "search_postings",
                 "search_terms", "search_stats")


class SearchIndexError(Exception):
    """The index cannot be written (two articles or two terms share a key)."""


def build_search_index(con: Con) -> None:
    """Fill the search tables from every loaded sentence, mention and initiative.

    Call it once the articles' rows and the initiatives are loaded, before validation. The
    search tables are emptied first: a whole build always starts from nothing.
    """
    with _work_session(con):
        for table in SEARCH_TABLES:
            _run(con, f"DELETE FROM {table}")  # noqa: S608 (constant names)
        _index_sentences(con, "sentences")
        _refresh_statistics(con)


def add_to_search_index(con: Con, article_table: str) -> None:
    """Index the sentences of the articles listed in `article_table` (column `article_id`).

    Their rows must already be in `sentences` and `mentions` (and the initiatives loaded). An
    article that is indexed already is taken out first, so adding twice indexes once. Term
    statistics are updated.
    """
    with _work_session(con):
        _remove(con, article_table)
        _run(con, f"""
            CREATE OR REPLACE TEMP TABLE _search_new_sentences AS
            SELECT article_id, sentence_no, start_char, end_char, text
            FROM sentences
            WHERE {warehouse.of_listed_articles("sentences", article_table)}
        """)  # noqa: S608 (a table name of the caller's)
        _index_sentences(con, "_search_new_sentences")
        _refresh_statistics(con)


def remove_from_search_index(con: Con, article_table: str,
                             after_each: Callable[[], None] | None = None) -> None:
    """Take the sentences of the articles listed in `article_table` out of the index.

    Articles that are not indexed are ignored. Reads only the search tables, so it works
    before or after their rows leave `sentences`. Term statistics are updated; a term left in
    no sentence is dropped. `after_each` is called after each table's rows are deleted (a
    caller that commits there lets go of their delete markers: `etl.row_deletes`).
    """
    with _work_session(con):
        if _remove(con, article_table, after_each):
            _refresh_statistics(con)


# --- the work --------------------------------------------------------------------------------


def _run(con: Con, sql: str, params: dict[str, object] | None = None) -> list[tuple]:
    return con.execute(sql, params or {}).fetchall()


@contextlib.contextmanager
def _work_session(con: Con) -> Iterator[None]:
    """Settings for bulk work on `con` (restored afterwards), and no work table left behind.

    Insertion order need not be kept: every insert that matters orders its rows explicitly,
    and not keeping it lets DuckDB stream and spill big statements. The session's work tables
    are temporary tables named `_search_*`; the terms it meets are collected in two of them.

    When a statement fails inside the caller's transaction, DuckDB aborts the transaction and
    refuses every later statement: the clean-up then fails too and is skipped, so the caller
    sees the failure itself (an incremental build answers running out of memory with a full
    build; the "transaction is aborted" of the clean-up made it stop with a traceback).
    """
    (keep_order,), = _run(con, "SELECT current_setting('preserve_insertion_order')")
    _run(con, "SET preserve_insertion_order = false")
    failed = True
    try:
        _run(con, "CREATE OR REPLACE TEMP TABLE _search_vocabulary "
                  "(word VARCHAR, term VARCHAR, term_key UBIGINT)")
        _run(con, "CREATE OR REPLACE TEMP TABLE _search_name_terms "
                  "(initiative_id VARCHAR, term VARCHAR, term_key UBIGINT)")
        yield
        failed = False
    finally:
        try:
            _run(con, f"SET preserve_insertion_order = {'true' if keep_order else 'false'}")
            for (name,) in _run(con, "SELECT table_name FROM duckdb_tables() "
                                     "WHERE temporary AND starts_with(table_name, '_search_')"):
                _run(con, f"DROP TABLE IF EXISTS temp.main.{name}")
        except duckdb.TransactionException:
            if not failed:
                raise


def _remove(con: Con, article_table: str,
            after_each: Callable[[], None] | None = None) -> bool:
    """Delete the index rows of the listed articles; whether any article was indexed."""
    _run(con, f"""
        CREATE OR REPLACE TEMP TABLE _search_gone AS
        SELECT article_key FROM search_articles
        WHERE article_id IN (SELECT article_id FROM {article_table})
    """)  # noqa: S608 (a table name of the caller's)
    (gone,), = _run(con, "SELECT count(*) FROM _search_gone")
    if gone:
        for table in ("search_postings", "search_documents", "search_mentions",
                      "search_articles"):
            row_deletes.delete_rows(con, table,
                                    "article_key IN (SELECT article_key FROM _search_gone)")
            if after_each is not None:
                after_each()
    _run(con, "DROP TABLE _search_gone")
    return gone > 0


def _index_sentences(con: Con, source: str) -> None:
    """Index every row of `source` (a table of sentences): articles, documents, mentions,
    postings (terms and statistics are refreshed afterwards).

    The postings of each batch are appended to `search_postings` in term order: a run per
    batch (a query reads, in each run, only the row groups of its terms).
    """
    _register_articles(con, source)
    _run(con, """
        INSERT INTO _search_name_terms
        SELECT DISTINCT initiative_id, term, search_term_key(term) AS term_key
        FROM (SELECT initiative_id,
                     unnest(search_tokens(concat_ws(' ', name, acronym))) AS term
              FROM initiatives)
    """)
    _run(con, "CREATE OR REPLACE TEMP TABLE _search_new_documents AS "
              "SELECT * FROM search_documents LIMIT 0")
    _run(con, """
        INSERT INTO search_mentions
        SELECT DISTINCT a.article_key, m.sentence_no, m.initiative_id, m.surface
        FROM mentions AS m JOIN _search_new_articles AS a USING (article_id)
        ORDER BY ALL
    """)
    (first, last), = _run(con, f"SELECT min(rowid), max(rowid) FROM {source}")  # noqa: S608
    if first is not None:
        for start in range(first, last + 1, BATCH_SENTENCES):
            _index_batch(con, source, start, start + BATCH_SENTENCES)
    _run(con, "INSERT INTO search_documents SELECT * FROM _search_new_documents "
              "ORDER BY article_key, sentence_no")


def _register_articles(con: Con, source: str) -> None:
    """Give the articles of `source` their keys in `search_articles`; refuse a shared key."""
    _run(con, f"""
        CREATE OR REPLACE TEMP TABLE _search_new_articles AS
        SELECT search_article_key(article_id) AS article_key, article_id
        FROM (SELECT DISTINCT article_id FROM {source})
    """)  # noqa: S608 (constant or caller's table name)
    clashes = _run(con, """
        SELECT list(article_id ORDER BY article_id)
        FROM (SELECT article_key, article_id FROM search_articles
              UNION ALL SELECT article_key, article_id FROM _search_new_articles)
        GROUP BY article_key HAVING count(*) > 1
        LIMIT 1
    """)
    if clashes:
        raise SearchIndexError(f"articles {clashes[0][0]} share a search key")
    _run(con, "INSERT INTO search_articles SELECT article_key, article_id "
              "FROM _search_new_articles ORDER BY article_key")


def _index_batch(con: Con, source: str, start: int, stop: int) -> None:
    """Index the sentences of `source` with row ids in [start, stop)."""
    # the batch's indexed words, unfolded: positions count them (stop words take none)
    _run(con, f"""
        CREATE OR REPLACE TEMP TABLE _search_batch AS
        SELECT a.article_key, s.article_id, s.sentence_no, s.start_char, s.end_char,
               search_indexed_words(s.text) AS words
        FROM {source} AS s
        JOIN _search_new_articles AS a USING (article_id)
        WHERE s.rowid >= $start AND s.rowid < $stop
    """, {"start": start, "stop": stop})  # noqa: S608 (constant or caller's table name)
    _run(con, """
        INSERT INTO _search_new_documents
        SELECT article_key, sentence_no, len(words), start_char, end_char FROM _search_batch
    """)
    # each distinct word folded and keyed once, not once per occurrence
    _run(con, """
        INSERT INTO _search_vocabulary
        SELECT word, search_fold(word) AS term, search_term_key(search_fold(word))
        FROM (SELECT DISTINCT unnest(words) AS word FROM _search_batch)
        WHERE word NOT IN (SELECT word FROM _search_vocabulary)
    """)
    # one row per occurrence of a term in either field (an initiative's name: no position),
    # then one per term and sentence, appended to the postings in term order
    _run(con, """
        INSERT INTO search_postings
        WITH occurrences AS (
            SELECT v.term_key, o.article_key, o.sentence_no, o.position, o.sentence_length,
                   o.start_char, o.end_char
            FROM (SELECT article_key, sentence_no, unnest(words) AS word,
                         unnest(range(1, len(words) + 1))::INTEGER AS position,
                         len(words) AS sentence_length, start_char, end_char
                  FROM _search_batch) AS o
            JOIN _search_vocabulary AS v USING (word)
            UNION ALL
            -- a term counts once per initiative, however often its name repeats it
            SELECT t.term_key, b.article_key, b.sentence_no, NULL, len(b.words), b.start_char,
                   b.end_char
            FROM (SELECT DISTINCT article_id, sentence_no, initiative_id
                  FROM mentions
                  WHERE article_id IN (SELECT article_id FROM _search_batch)) AS m
            JOIN _search_batch AS b USING (article_id, sentence_no)
            JOIN _search_name_terms AS t USING (initiative_id)
        ),
        postings AS (
            SELECT term_key, article_key, sentence_no, count(position)::INTEGER AS tf,
                   (count(*) - count(position))::INTEGER AS initiative_tf,
                   any_value(sentence_length)::INTEGER AS sentence_length,
                   coalesce(list(position) FILTER (WHERE position IS NOT NULL),
                            []::INTEGER[]) AS positions,
                   any_value(start_char)::INTEGER AS start_char,
                   any_value(end_char)::INTEGER AS end_char
            FROM occurrences
            GROUP BY term_key, article_key, sentence_no
        )
        SELECT term_key, article_key, sentence_no, tf, initiative_tf, sentence_length,
               CASE WHEN tf > 1 THEN list_sort(positions) ELSE positions END, start_char,
               end_char
        FROM postings
        ORDER BY term_key
    """)
    _run(con, "DROP TABLE _search_batch")


def _refresh_terms(con: Con) -> None:
    """Rewrite `search_terms` from the postings: every term that has one, with its count.

    A term's string comes from the terms known before (`search_terms`) or met now (the
    vocabulary of the batches and the initiatives' names); no two may share a key. Cheap: the
    postings are counted by term key alone, and there is one row per term.
    """
    _run(con, """
        CREATE OR REPLACE TEMP TABLE _search_known_terms AS
        SELECT DISTINCT term_key, term
        FROM (SELECT term_key, term FROM search_terms
              UNION ALL SELECT term_key, term FROM _search_vocabulary
              UNION ALL SELECT term_key, term FROM _search_name_terms)
    """)
    clashes = _run(con, """
        SELECT list(term ORDER BY term) FROM _search_known_terms
        GROUP BY term_key HAVING count(*) > 1
        LIMIT 1
    """)
    if clashes:
        raise SearchIndexError(f"terms {clashes[0][0]} share a search key")
    _run(con, """
        CREATE OR REPLACE TEMP TABLE _search_counted AS
        SELECT k.term, c.term_key, c.sentences
        FROM (SELECT term_key, count(*)::INTEGER AS sentences
              FROM search_postings GROUP BY term_key) AS c
        JOIN _search_known_terms AS k USING (term_key)
    """)
    _run(con, "DELETE FROM search_terms")
    _run(con, "INSERT INTO search_terms (term, term_key, sentences) "
              "SELECT term, term_key, sentences FROM _search_counted ORDER BY term")


def _refresh_statistics(con: Con) -> None:
    """Recompute `search_terms` and `search_stats` from the postings and documents."""
    _refresh_terms(con)
    _run(con, "DELETE FROM search_stats")
    _run(con, """
        INSERT INTO search_stats (sentences, avg_length, terms)
        SELECT count(*), coalesce(avg(length), 0), (SELECT count(*) FROM search_terms)
        FROM search_documents
    """)
