-- When the curated events keep their rows (`marts.facts_keep_their_rows`: an analyst confirmed
-- events, nothing rejected, added or moved), an event keeps its number, dates and place, and
-- only what its review changes is updated.
UPDATE facet_events AS f
SET confidence = e.confidence, review = e.review, reviewed = e.review <> 'unreviewed'
FROM curated_events AS e
WHERE f.event_id = e.event_id
  AND (f.review IS DISTINCT FROM e.review OR f.confidence IS DISTINCT FROM e.confidence);
