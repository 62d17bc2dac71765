-- facet_event_years: the years events cover, as bit positions from `base` (the first year of
-- any event): `exact` when every event's years fit a mask (127 years, none ending before it
-- starts). One row.
CREATE OR REPLACE TABLE facet_event_years AS
SELECT min(year) AS base,
       coalesce(max(coalesce(end_year, year)) - min(year) < 127
                AND bool_and(coalesce(end_year, year) >= year), false) AS exact
FROM curated_events;
