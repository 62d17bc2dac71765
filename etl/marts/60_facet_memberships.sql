-- facet_memberships: one row per reported figure, numbered like the events (`figure_no`: by
-- organisation, kind, year, count, then newest article first); `first_of_article` marks one
-- figure per article and point (the filters treat a point's figures of one article alike).
CREATE OR REPLACE TABLE facet_memberships AS
SELECT (row_number() OVER (ORDER BY m.initiative_id, m.kind, m.year, m.count,
                                    a.article_no, m.sentence_no, m.membership_id)
       )::INTEGER AS figure_no,
       m.membership_id, a.article_no, m.sentence_no, m.initiative_id, m.kind, m.count,
       m.year,
       row_number() OVER (PARTITION BY a.article_no, m.initiative_id, m.kind, m.year,
                                       m.count ORDER BY m.membership_id) = 1
           AS first_of_article,
       m.confidence, m.review, m.review <> 'unreviewed' AS reviewed,
       a.published_year, a.outlet, a.theme_mask, a.initiative_mask, a.is_canonical
FROM curated_memberships AS m JOIN facet_articles AS a USING (article_id)
ORDER BY figure_no;
