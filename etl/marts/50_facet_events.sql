-- facet_events: one row per event: its date positions, whether its sentence restates an
-- earlier act (disagreements ignore those), and its article's filter attributes.
--
-- `event_no` numbers the events by initiative, type, year, then newest article first, so the
-- smallest of a timeline cell is its example. `first_of_article` marks, per article and cell,
-- the event reaching latest (`greatest(year, coalesce(end_year, year))`, as the event-year
-- filter reads a span): whatever the filters, an article
-- has an event in view in a cell exactly when that one is in view (the article filters treat
-- all its events alike, the others are constant in a cell or pass the latest-reaching event
-- first), so counting the marked events in view counts the articles. `initiative_no` and
-- `type_no` are small integers to group by (much faster than text), numbered in the order of
-- the initiative ids and type names, so the numbering sorts and partitions by them instead.
--
-- Where a dated event sits on a year axis: month-only dates sort as the 15th so they fall
-- mid-month, year-only dates as 1 July so they fall mid-year; an impossible day in a source
-- (31 June) falls back to mid-month rather than failing the page. A span runs from the first
-- day of its start period to the last day of its end period.
--
-- `restated` (the sentence restates an earlier act: no claim about when it happened) comes from
-- `event_restated`.
CREATE OR REPLACE TABLE facet_events AS
SELECT (row_number() OVER (ORDER BY i.initiative_no, t.type_no, e.year,
                                    a.article_no, e.sentence_no, e.event_id))::INTEGER
           AS event_no,
       e.event_id, a.article_no, e.sentence_no, e.initiative_id, i.initiative_no,
       e.event_type, t.type_no,
       e.year, e.month, e.day, e.end_year, e.end_month, e.end_day,
       coalesce(
           try(make_date(e.year, coalesce(e.month, 7),
                         coalesce(e.day, CASE WHEN e.month IS NULL THEN 1 ELSE 15 END))),
           make_date(e.year, coalesce(e.month, 7), CASE WHEN e.month IS NULL THEN 1 ELSE 15 END)
       ) AS marker_date,
       coalesce(try(make_date(e.year, coalesce(e.month, 1), coalesce(e.day, 1))),
                make_date(e.year, coalesce(e.month, 1), 1)) AS span_start,
       CASE
           WHEN e.end_year IS NULL THEN NULL
           WHEN e.end_month IS NULL THEN make_date(e.end_year, 12, 31)
           WHEN e.end_day IS NULL THEN last_day(make_date(e.end_year, e.end_month, 1))
           ELSE coalesce(try(make_date(e.end_year, e.end_month, e.end_day)),
                         last_day(make_date(e.end_year, e.end_month, 1)))
       END AS span_end,
       row_number() OVER (PARTITION BY a.article_no, i.initiative_no, t.type_no, e.year
                          ORDER BY greatest(e.year, coalesce(e.end_year, e.year)) DESC,
                                   e.event_id) = 1
           AS first_of_article,
       coalesce(r.restated, false) AS restated,
       e.confidence, e.review, e.review <> 'unreviewed' AS reviewed,
       a.published_year, a.outlet, a.theme_mask, a.initiative_mask, a.is_canonical
FROM curated_events AS e
JOIN facet_articles AS a USING (article_id)
JOIN facet_initiatives AS i USING (initiative_id)
LEFT JOIN event_restated AS r USING (event_id)
-- an event type's number: its place among the vocabulary's types by name (no sort of the events)
JOIN (SELECT event_type, (row_number() OVER (ORDER BY event_type))::SMALLINT AS type_no
      FROM event_types) AS t USING (event_type)
ORDER BY event_no;
