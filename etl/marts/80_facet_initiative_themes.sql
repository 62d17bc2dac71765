-- facet_initiative_themes: per article, initiative and theme, the sentences that name the
-- initiative and carry the theme (`mentions` joined with `sentence_themes` on the sentence),
-- with the article's filter attributes (as in `facet_articles`). Sorted by theme, then
-- initiative, so a theme filter reads only that theme's rows.
CREATE OR REPLACE TABLE facet_initiative_themes AS
WITH named AS (SELECT DISTINCT article_id, sentence_no, initiative_id FROM mentions),
themed AS (
    SELECT DISTINCT article_id, sentence_no, theme
    FROM sentence_themes SEMI JOIN named USING (article_id, sentence_no)
),
pairs AS (
    SELECT n.article_id, n.initiative_id, t.theme, count(*)::INTEGER AS sentences
    FROM named AS n JOIN themed AS t USING (article_id, sentence_no)
    GROUP BY n.article_id, n.initiative_id, t.theme
)
SELECT a.article_no, i.initiative_no, th.theme_no, p.sentences, a.is_canonical,
       a.published_year, a.outlet, a.theme_mask, a.initiative_mask, a.event_years
FROM pairs AS p
JOIN facet_articles AS a USING (article_id)
JOIN facet_initiatives AS i USING (initiative_id)
JOIN facet_themes AS th USING (theme)
ORDER BY th.theme_no, i.initiative_no, a.article_no;
