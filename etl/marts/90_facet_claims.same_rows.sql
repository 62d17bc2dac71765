-- When the curated facts keep their rows (`marts.facts_keep_their_rows`), the same facts are
-- disputed by the same claims: only each claim's review, and its words as the review left
-- them, are updated.
UPDATE facet_claims AS c
SET confidence = e.confidence, reviewed = e.review <> 'unreviewed', review = e.review,
    reviewed_by = e.reviewed_by, reviewed_at = e.reviewed_at, review_reason = e.review_reason,
    as_written = e.date_text, sentence = e.sentence
FROM curated_events AS e
WHERE c.topic = 'event_year' AND c.claim_id = e.event_id
  AND (c.review IS DISTINCT FROM e.review OR c.confidence IS DISTINCT FROM e.confidence
       OR c.reviewed_by IS DISTINCT FROM e.reviewed_by
       OR c.reviewed_at IS DISTINCT FROM e.reviewed_at
       OR c.review_reason IS DISTINCT FROM e.review_reason
       OR c.as_written IS DISTINCT FROM e.date_text OR c.sentence IS DISTINCT FROM e.sentence);
UPDATE facet_claims AS c
SET confidence = m.confidence, reviewed = m.review <> 'unreviewed', review = m.review,
    reviewed_by = m.reviewed_by, reviewed_at = m.reviewed_at, review_reason = m.review_reason,
    as_written = m.count_text, sentence = m.sentence
FROM curated_memberships AS m
WHERE c.topic = 'membership_count' AND c.claim_id = m.membership_id
  AND (c.review IS DISTINCT FROM m.review OR c.confidence IS DISTINCT FROM m.confidence
       OR c.reviewed_by IS DISTINCT FROM m.reviewed_by
       OR c.reviewed_at IS DISTINCT FROM m.reviewed_at
       OR c.review_reason IS DISTINCT FROM m.review_reason
       OR c.as_written IS DISTINCT FROM m.count_text OR c.sentence IS DISTINCT FROM m.sentence);
