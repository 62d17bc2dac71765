-- When the curated figures keep their rows (`marts.facts_keep_their_rows`), a figure keeps its
-- number and place, and only what its review changes is updated.
UPDATE facet_memberships AS f
SET confidence = m.confidence, review = m.review, reviewed = m.review <> 'unreviewed'
FROM curated_memberships AS m
WHERE f.membership_id = m.membership_id
  AND (f.review IS DISTINCT FROM m.review OR f.confidence IS DISTINCT FROM m.confidence);
