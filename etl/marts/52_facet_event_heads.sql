-- facet_event_heads: the first 64 events of every timeline cell (initiative, type, year, by
-- `event_no`: newest article first) with what a chart cites of them: the event's sentence and
-- dates as analysts stand behind them (`curated_events`) and its article's title, outlet,
-- date and address. A cell cites its first event in view, nearly always one of these, so the
-- timeline reads its citations from a table of a few thousand rows instead of finding a few
-- hundred events among all of them by key (which reads every event's text). A citation past
-- the heads (a narrow filter on a large cell) is read from the full tables.
CREATE OR REPLACE TABLE facet_event_heads AS
WITH head AS (
    SELECT event_no, event_id, article_no
    FROM facet_events
    QUALIFY row_number() OVER (PARTITION BY initiative_no, type_no, year
                               ORDER BY event_no) <= 64
)
SELECT h.event_no, e.month, e.day, e.end_year, e.end_month, e.end_day, e.date_text,
       e.review, e.reviewed_by, e.reviewed_at, e.review_reason, e.sentence, e.sentence_no,
       e.article_id, a.title, a.outlet, a.published, a.published_precision, a.url
FROM head AS h
JOIN curated_events AS e USING (event_id)
JOIN facet_articles AS a USING (article_no)
ORDER BY h.event_no;
