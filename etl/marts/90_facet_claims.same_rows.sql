-- When the curated facts keep their rows (`marts.facts_keep_their_rows`), the same facts are
-- disputed by the same claims: only each claim's review, and its words as the review left
-- them, are updated.
UPDATE facet_claims AS c
SET confidence = f.confidence, reviewed = f.review <> 'unreviewed', review = f.review,
    reviewed_by = f.reviewed_by, reviewed_at = f.reviewed_at, review_reason = f.review_reason,
    as_written = f.as_written, sentence = f.sentence
FROM (
    SELECT 'event_year' AS topic, event_id AS claim_id, confidence, review, reviewed_by,
           reviewed_at, review_reason, date_text AS as_written, sentence
    FROM curated_events
    UNION ALL
    SELECT 'membership_count', membership_id, confidence, review, reviewed_by, reviewed_at,
           review_reason, count_text, sentence
    FROM curated_memberships
) AS f
WHERE c.topic = f.topic AND c.claim_id = f.claim_id
  AND (c.review IS DISTINCT FROM f.review OR c.confidence IS DISTINCT FROM f.confidence
       OR c.reviewed_by IS DISTINCT FROM f.reviewed_by
       OR c.reviewed_at IS DISTINCT FROM f.reviewed_at
       OR c.review_reason IS DISTINCT FROM f.review_reason
       OR c.as_written IS DISTINCT FROM f.as_written OR c.sentence IS DISTINCT FROM f.sentence);
