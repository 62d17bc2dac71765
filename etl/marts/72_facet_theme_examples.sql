-- facet_theme_examples: each article's best example sentences of each of its themes
-- (`article_themes.examples`) by numbers. A theme chart cites the best few among the theme's
-- newest articles in view; sorted by article number (newest first), those are read from the
-- few row groups holding them, not from the whole table.
CREATE OR REPLACE TABLE facet_theme_examples AS
SELECT a.article_no, th.theme_no, t.examples
FROM article_themes AS t
JOIN facet_articles AS a USING (article_id)
JOIN facet_themes AS th USING (theme)
ORDER BY a.article_no, th.theme_no;
