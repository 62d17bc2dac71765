-- curated_events (a view): the dated events as analysts stand behind them: every machine-read
-- event no analyst has touched (`review` 'unreviewed'), and every reviewed one as it stands after its
-- corrections (`reviewed_events`: confirmed, edited or added), less the rejected. Every chart,
-- export and briefing pack reads events through this table, so a rejected event is nowhere.
-- `origin` is 'analyst' for an event an analyst added, else 'machine'.
CREATE OR REPLACE VIEW curated_events AS
SELECT e.*, 'machine' AS origin, 'unreviewed' AS review, NULL::VARCHAR AS reviewed_by,
       NULL::TIMESTAMP AS reviewed_at, NULL::VARCHAR AS review_reason
FROM events AS e ANTI JOIN reviewed_events AS r USING (event_id)
UNION ALL BY NAME
SELECT r.* EXCLUDE (corrections),
       CASE WHEN r.review = 'added' THEN 'analyst' ELSE 'machine' END AS origin
FROM reviewed_events AS r
WHERE r.review <> 'rejected';
