-- facet_candidates: `candidate_initiatives` (bodies the gazetteer does not know yet) with the
-- text of the sentence each was found in, joined once per build: the Overview lists them with
-- their sentences, and a lookup of a few sentences among millions by article and sentence
-- number costs a scan of the whole `sentences` table (about 200 ms at 100,000 articles).
-- The sentences are found by key reading the key columns only, then their text is fetched by
-- row: joined on the key directly, DuckDB read every sentence's text to keep a few dozen
-- (0.27-0.46 s at 100,000 articles, against 0.06 s).
CREATE OR REPLACE TABLE facet_candidates AS
WITH found AS MATERIALIZED (
    SELECT s.sentence_row, c.*
    FROM candidate_initiatives AS c
    JOIN (SELECT rowid AS sentence_row, article_id, sentence_no FROM sentences) AS s
      USING (article_id, sentence_no)
)
SELECT f.article_id, f.sentence_no, f.surface, f.name_key, f.relation, f.start_char,
       f.end_char, s.text AS sentence
FROM found AS f
JOIN sentences AS s ON s.rowid = f.sentence_row
ORDER BY f.name_key, f.article_id, f.sentence_no;
