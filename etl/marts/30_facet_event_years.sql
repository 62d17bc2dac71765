-- facet_event_years: the years events cover, as bit positions from `base` (the first year of
-- any event): `exact` when every event's years fit a mask (127 years). A span that ends before
-- it starts (an analyst's edit of its first year can make one) covers its first year only,
-- here, in `article_event_years` and in the dashboard's event-year filter alike. One row.
CREATE OR REPLACE TABLE facet_event_years AS
SELECT min(year) AS base,
       coalesce(max(greatest(year, coalesce(end_year, year))) - min(year) < 127, false)
           AS exact
FROM curated_events;
