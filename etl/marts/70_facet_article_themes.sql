-- facet_article_themes: `article_themes` by article and theme number, with the publication
-- year (the Topics page's charts).
CREATE OR REPLACE TABLE facet_article_themes AS
SELECT a.article_no, th.theme_no, t.hits, a.published_year, a.is_canonical
FROM article_themes AS t
JOIN facet_articles AS a USING (article_id)
JOIN facet_themes AS th USING (theme)
ORDER BY a.article_no, th.theme_no;
