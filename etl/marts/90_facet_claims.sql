-- facet_claims: every claim of every fact the sources disagree on, across the whole
-- warehouse, one row per claim with its side's size, the fact's verdicts, the reference
-- figure, and what the dashboard's filters test (its article's attributes, the event type and
-- years, confidence, whether an analyst reviewed it). The filters only choose which facts are
-- listed, so a filter never hides one side of a contradiction.
--
-- The disagreement rules:
-- * Two claims disagree only when they come from different articles.
-- * Event years: only event types an initiative has once in its life are compared, so two
--   years for one of them cannot both be right: those `event_types` marks `once_in_a_life`
--   (data/reference/vocabulary.toml: `first_held`, `founded`, `proposed`).
--   Everything else recurs legitimately (held, period, chairmanship, scheduled, approved,
--   joined, signed, elected, launched, started) or is said again and again (announced:
--   plans, dates, new rounds). Types are compared only with themselves: a proposal (1992), a
--   founding (1999) and a first summit (2002) are different events, not a disagreement.
--   Sentences restating an earlier act (`facet_events.restated`) are no claim.
-- * Membership counts change during a year (CICA had 27 members until Kuwait joined on
--   13 Oct 2022, 28 after), and the reference series gives the count at the year's end. So a
--   figure for a confirmed reference year 'fits' when it lies between the previous confirmed
--   year's count and that year's; two figures that both fit are not a disagreement.
--   Unconfirmed years are no evidence either way.
--
-- A fact has two claims from different articles with different values exactly when its
-- claims come from two or more articles and give two or more values, so the facts are found
-- with min/max aggregates. For a membership figure, whether it conflicts with another article
-- only matters where it misfits the reference: a value v has a conflicting claim unless every
-- claim of another value and every claim of v come from one and the same article, which
-- per-value article bounds (min, max) tell. `claim_row` orders the claims by fact, value and
-- `claim_no` (the facets' order: newest article first).
CREATE OR REPLACE TABLE facet_claims AS
WITH once_only AS (
    SELECT 'event_year' AS topic, e.event_no AS claim_no, e.event_id AS claim_id,
           e.initiative_id, e.event_type AS fact, NULL::INTEGER AS fact_year,
           e.year AS value, e.article_no, e.sentence_no, e.event_type, e.year,
           e.end_year, e.published_year, e.outlet, e.theme_mask, e.initiative_mask,
           e.is_canonical, e.confidence, e.reviewed
    FROM facet_events AS e
    WHERE e.event_type IN (SELECT event_type FROM event_types WHERE once_in_a_life)
      AND NOT e.restated
),
event_facts AS (
    SELECT initiative_id, fact FROM once_only
    GROUP BY initiative_id, fact
    HAVING min(value) < max(value) AND min(article_no) < max(article_no)
),
confirmed_reference AS (
    SELECT initiative_id, year, member_count, source, new_members,
           lag(member_count) OVER (PARTITION BY initiative_id ORDER BY year) AS previous_count,
           lag(year) OVER (PARTITION BY initiative_id ORDER BY year) AS previous_year
    FROM membership_reference
    WHERE confirmed AND member_count IS NOT NULL
),
figures AS (
    SELECT 'membership_count' AS topic, m.figure_no AS claim_no,
           m.membership_id AS claim_id, m.initiative_id, m.kind AS fact,
           m.year AS fact_year, m.count AS value, m.article_no, m.sentence_no,
           NULL::VARCHAR AS event_type, m.year, NULL::INTEGER AS end_year,
           m.published_year, m.outlet, m.theme_mask, m.initiative_mask,
           m.is_canonical, m.confidence, m.reviewed, r.member_count AS reference_count,
           r.previous_count AS reference_previous_count,
           r.previous_year AS reference_previous_year,
           least(r.member_count, coalesce(r.previous_count, r.member_count)) AS reference_low,
           greatest(r.member_count, coalesce(r.previous_count, r.member_count))
               AS reference_high,
           r.source AS reference_source, r.new_members AS reference_notes
    FROM facet_memberships AS m
    LEFT JOIN confirmed_reference AS r
           ON r.initiative_id = m.initiative_id AND r.year = m.year
          AND m.kind = 'member_states'
    WHERE m.year IS NOT NULL
),
checked AS (
    SELECT *, coalesce(value BETWEEN reference_low AND reference_high, false) AS fits_reference
    FROM figures
),
figure_values AS (
    SELECT initiative_id, fact, fact_year, value,
           min(article_no) AS first_article, max(article_no) AS last_article,
           any_value(fits_reference) AS fits_reference,
           bool_or(reference_count IS NOT NULL AND NOT fits_reference) AS reference_differs
    FROM checked
    GROUP BY initiative_id, fact, fact_year, value
),
figure_verdicts AS (
    SELECT v.initiative_id, v.fact, v.fact_year,
           bool_or(NOT v.fits_reference AND o.first_article IS NOT NULL
                   AND NOT (v.first_article = v.last_article
                            AND o.first_article = o.last_article
                            AND v.first_article = o.first_article)) AS articles_differ,
           bool_or(v.reference_differs) AS reference_differs
    FROM figure_values AS v
    LEFT JOIN (
        SELECT v.initiative_id, v.fact, v.fact_year, v.value,
               min(w.first_article) AS first_article,
               max(w.last_article) AS last_article
        FROM figure_values AS v
        JOIN figure_values AS w
          ON w.initiative_id = v.initiative_id AND w.fact = v.fact
         AND w.fact_year = v.fact_year AND w.value <> v.value
        GROUP BY ALL
    ) AS o USING (initiative_id, fact, fact_year, value)
    GROUP BY v.initiative_id, v.fact, v.fact_year
),
claims AS (
    SELECT o.*, true AS articles_differ, false AS reference_differs,
           NULL::INTEGER AS reference_count, NULL::INTEGER AS reference_previous_count,
           NULL::INTEGER AS reference_previous_year, NULL::INTEGER AS reference_low,
           NULL::INTEGER AS reference_high, NULL::VARCHAR AS reference_source,
           NULL::VARCHAR AS reference_notes, NULL::BOOLEAN AS fits_reference
    FROM once_only AS o SEMI JOIN event_facts USING (initiative_id, fact)
    UNION ALL BY NAME
    SELECT c.*, v.articles_differ, v.reference_differs
    FROM checked AS c JOIN figure_verdicts AS v USING (initiative_id, fact, fact_year)
    WHERE v.articles_differ OR v.reference_differs
),
-- each claim's words and review, copied once per build: the page shows a few claims, and
-- finding a few facts among hundreds of thousands by their text ids scans them all
claim_text AS (
    SELECT 'event_year' AS topic, event_id AS claim_id, date_text AS as_written, sentence,
           review, reviewed_by, reviewed_at, review_reason
    FROM curated_events SEMI JOIN claims ON claims.claim_id = curated_events.event_id
    UNION ALL
    SELECT 'membership_count', membership_id, count_text, sentence, review, reviewed_by,
           reviewed_at, review_reason
    FROM curated_memberships
    SEMI JOIN claims ON claims.claim_id = curated_memberships.membership_id
),
-- numbered before the words are joined: a window sorts every column it carries
numbered AS (
    SELECT (row_number() OVER (ORDER BY c.topic, c.initiative_id, c.fact, c.fact_year,
                                        c.value, c.claim_no))::INTEGER AS claim_row,
           (dense_rank() OVER (ORDER BY c.topic, c.initiative_id, c.fact, c.fact_year))::INTEGER
               AS fact_no,
           c.topic || ':' || c.initiative_id || ':' || c.fact || coalesce(':' || c.fact_year, '')
               AS disagreement_id,
           c.*,
           count(*) OVER (PARTITION BY c.topic, c.initiative_id, c.fact, c.fact_year, c.value)
               AS side_claims,
           count(DISTINCT c.article_no) OVER (PARTITION BY c.topic, c.initiative_id, c.fact,
                                                           c.fact_year, c.value) AS side_articles
    FROM claims AS c
)
SELECT n.*, t.as_written, t.sentence, t.review, t.reviewed_by, t.reviewed_at, t.review_reason
FROM numbered AS n
LEFT JOIN claim_text AS t USING (topic, claim_id)
ORDER BY n.claim_row;
