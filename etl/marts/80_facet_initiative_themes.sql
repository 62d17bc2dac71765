-- facet_initiative_themes: per article, initiative and theme, the sentences that name the
-- initiative and carry the theme (`initiative_themes`, counted when the article was
-- extracted), with the article's filter attributes (as in `facet_articles`). Sorted by theme,
-- then initiative, so a theme filter reads only that theme's rows.
CREATE OR REPLACE TABLE facet_initiative_themes AS
SELECT a.article_no, i.initiative_no, th.theme_no, p.sentences, a.is_canonical,
       a.published_year, a.outlet, a.theme_mask, a.initiative_mask, a.event_years
FROM initiative_themes AS p
JOIN facet_articles AS a USING (article_id)
JOIN facet_initiatives AS i USING (initiative_id)
JOIN facet_themes AS th USING (theme)
ORDER BY th.theme_no, i.initiative_no, a.article_no;
