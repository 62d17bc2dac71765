-- When only facts change (analysts' corrections applied alone), an article keeps its row and
-- number; only `event_years` follows the curated events.
UPDATE facet_articles AS a
SET event_years = coalesce(c.event_years, 0::HUGEINT)
FROM facet_articles AS f
LEFT JOIN article_event_years AS c USING (article_id)
WHERE a.article_no = f.article_no;
