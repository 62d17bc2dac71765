-- curated_memberships (a view): the membership figures as analysts stand behind them, built
-- like `curated_events`: untouched machine-read figures ('unreviewed') and reviewed ones as they
-- stand after their corrections, less the rejected.
CREATE OR REPLACE VIEW curated_memberships AS
SELECT m.*, 'machine' AS origin, 'unreviewed' AS review, NULL::VARCHAR AS reviewed_by,
       NULL::TIMESTAMP AS reviewed_at, NULL::VARCHAR AS review_reason
FROM memberships AS m ANTI JOIN reviewed_memberships AS r USING (membership_id)
UNION ALL BY NAME
SELECT r.* EXCLUDE (corrections),
       CASE WHEN r.review = 'added' THEN 'analyst' ELSE 'machine' END AS origin
FROM reviewed_memberships AS r
WHERE r.review <> 'rejected';
