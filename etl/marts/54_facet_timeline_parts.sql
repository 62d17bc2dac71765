-- facet_timeline_parts: the timeline's cells (initiative, type, start year) before any filter,
-- split only by what the counting mode and the review marks tell apart (`is_canonical`,
-- `review`). Every figure of a cell sums or takes the extreme of its parts, so the Timeline
-- with no filter set (by story or by article, the page's first view) adds up a few hundred
-- rows instead of aggregating every event; a filter reads `facet_events` as before.
CREATE OR REPLACE TABLE facet_timeline_parts AS
SELECT initiative_no, type_no, year, is_canonical, review, reviewed,
       count(*) AS events,
       count(*) FILTER (WHERE first_of_article) AS articles,
       min(marker_date) AS first_date, max(marker_date) AS last_date,
       min(span_start) FILTER (WHERE span_end IS NOT NULL) AS span_start,
       max(span_end) AS span_end,
       min(event_no) AS example_no
FROM facet_events
GROUP BY initiative_no, type_no, year, is_canonical, review, reviewed
ORDER BY initiative_no, type_no, year, is_canonical, review;
