-- event_restated: per machine-read event, whether its sentence restates an earlier act.
--
-- Disagreement rule: a sentence that restates an earlier act ('reiterated his proposal',
-- 'proposed again') is not a claim about when the act happened (`restated`). It depends on the
-- sentence alone, which no correction changes, so it is read from `events` (the machine's
-- reading) and applying corrections never recomputes it; an event an analyst added is no
-- restatement (`facet_events` reads a missing row as false).
CREATE OR REPLACE TABLE event_restated AS
SELECT event_id,
       regexp_matches(lower(sentence),
                      '\b(reiterat\w*|again|anew|once more|renew\w*|repeat\w*)\b') AS restated
FROM events;
