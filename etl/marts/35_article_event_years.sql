-- article_event_years (a view): per article, a bit for every year one of its curated events
-- covers (start to end), counted from `facet_event_years.base`: `facet_articles.event_years`.
CREATE OR REPLACE VIEW article_event_years AS
SELECT e.article_id,
       bit_or(CAST(1 AS HUGEINT) << CAST(y.year - b.base AS HUGEINT)) AS event_years
FROM curated_events AS e
CROSS JOIN facet_event_years AS b
CROSS JOIN LATERAL (SELECT unnest(range(e.year, greatest(e.year, coalesce(
    e.end_year, e.year)) + 1)) AS year) AS y
WHERE y.year - b.base BETWEEN 0 AND 126
GROUP BY e.article_id;
