-- facet_candidates: `candidate_initiatives` (bodies the gazetteer does not know yet) with the
-- text of the sentence each was found in, joined once per build: the Overview lists them with
-- their sentences, and a lookup of a few sentences among millions by article and sentence
-- number costs a scan of the whole `sentences` table (about 200 ms at 100,000 articles).
CREATE OR REPLACE TABLE facet_candidates AS
SELECT c.article_id, c.sentence_no, c.surface, c.name_key, c.relation, c.start_char,
       c.end_char, s.text AS sentence
FROM candidate_initiatives AS c
JOIN sentences AS s USING (article_id, sentence_no)
ORDER BY c.name_key, c.article_id, c.sentence_no;
