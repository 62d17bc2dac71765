"""The full-text search index: BM25F postings over sentences, built in SQL inside the warehouse.

The index is four tables (`search_documents`, `search_postings`, `search_terms`,
`search_stats`, documented in docs/schema.md) filled from `sentences`, `mentions` and
`initiatives` with the tokenising macros of `etl/schema.sql`. Building it in SQL keeps
tokenisation in one definition: the dashboard runs the same `search_tokens` macro on a query,
so the two sides never disagree on what a word is. No DuckDB extension is involved, so it
works offline (docs/search.md says why).

Each sentence is indexed in two fields: its own words with their positions (`tf`, for
phrases `positions`), and the name and acronym of every initiative it mentions by name, acronym
or back-reference (`initiative_tf`). The second field lets a search for "biological" rank the
sentences about the International Agency for Biological Safety, including "It was proposed in
2020", above a passing "biological weapons"; the dashboard weighs the fields (BM25F). One row
per term and sentence carries both fields and the sentence's length, so ranking a term's
sentences reads only that term's rows.
"""

from __future__ import annotations

import duckdb

# Statements run in order on a warehouse whose `sentences` and `mentions` are loaded. Rows are
# inserted in key order: a rebuild of the same input is identical, and postings sorted by term
# let DuckDB's zone maps skip row groups when a query looks up a few terms.
_BUILD_STATEMENTS = (
    """
    CREATE OR REPLACE TEMP TABLE _sentence_tokens AS
    SELECT article_id, sentence_no, search_tokens(text) AS tokens
    FROM sentences
    """,
    """
    INSERT INTO search_documents (article_id, sentence_no, length)
    SELECT article_id, sentence_no, len(tokens)
    FROM _sentence_tokens
    ORDER BY article_id, sentence_no
    """,
    """
    INSERT INTO search_postings (term, article_id, sentence_no, tf, initiative_tf, positions,
                                 sentence_length)
    WITH text_terms AS (
        -- every indexed word of every sentence, with its position
        SELECT article_id, sentence_no, unnest(tokens) AS term,
               unnest(range(1, len(tokens) + 1)) AS position, 0 AS initiative_hits,
               len(tokens) AS sentence_length
        FROM _sentence_tokens
    ),
    initiative_terms AS (
        -- a term counts once per initiative, however often its name repeats it
        SELECT DISTINCT initiative_id,
               unnest(search_tokens(concat_ws(' ', name, acronym))) AS term
        FROM initiatives
    ),
    mentioned_terms AS (
        SELECT m.article_id, m.sentence_no, t.term, NULL::BIGINT AS position,
               1 AS initiative_hits, d.length AS sentence_length
        FROM (SELECT DISTINCT article_id, sentence_no, initiative_id FROM mentions) AS m
        JOIN initiative_terms AS t USING (initiative_id)
        JOIN search_documents AS d USING (article_id, sentence_no)
    ),
    occurrences AS (
        SELECT * FROM text_terms
        UNION ALL
        SELECT * FROM mentioned_terms
    )
    SELECT term, article_id, sentence_no, count(position) AS tf,
           sum(initiative_hits) AS initiative_tf,
           coalesce(list(position ORDER BY position) FILTER (WHERE position IS NOT NULL),
                    []) AS positions,
           any_value(sentence_length) AS sentence_length
    FROM occurrences
    GROUP BY term, article_id, sentence_no
    ORDER BY term, article_id, sentence_no
    """,
    """
    INSERT INTO search_terms (term, sentences)
    SELECT term, count(*)
    FROM search_postings
    GROUP BY term
    ORDER BY term
    """,
    """
    INSERT INTO search_stats (sentences, avg_length, terms)
    SELECT count(*), coalesce(avg(length), 0), (SELECT count(*) FROM search_terms)
    FROM search_documents
    """,
    "DROP TABLE _sentence_tokens",
)


def build_search_index(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the search tables from the loaded sentences and mentions (once per build).

    Call it after every table is loaded and before validation. The tables must be empty: a
    build writes a fresh warehouse, so the index is always rebuilt whole from its sentences.
    """
    for statement in _BUILD_STATEMENTS:
        con.execute(statement)
