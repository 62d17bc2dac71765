-- facet_article_themes: `article_themes` by article and theme number, with the article's filter
-- attributes (as in `facet_articles`), so the Topics page's charts filter it without a join
-- on the articles in view. Sorted by theme, so a theme filter reads only that theme's rows.
CREATE OR REPLACE TABLE facet_article_themes AS
SELECT a.article_no, th.theme_no, t.hits, a.published_year, a.is_canonical, a.outlet,
       a.theme_mask, a.initiative_mask, a.event_years
FROM article_themes AS t
JOIN facet_articles AS a USING (article_id)
JOIN facet_themes AS th USING (theme)
ORDER BY th.theme_no, a.article_no;
