-- When only facts change (analysts' corrections applied alone), `event_years` follows
-- `facet_articles` for the articles whose events moved; every other row is left as it is.
UPDATE facet_article_themes AS t
SET event_years = a.event_years
FROM facet_articles AS a
WHERE t.article_no = a.article_no AND t.event_years <> a.event_years;
