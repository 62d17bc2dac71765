-- memberships_with_sources (a view): the curated membership figures with the same initiative
-- and article columns as `events_with_sources`.
CREATE OR REPLACE VIEW memberships_with_sources AS
SELECT m.*, i.name AS initiative_name,
       a.title, a.outlet, a.url, a.published, a.published_precision
FROM curated_memberships m
JOIN initiatives i USING (initiative_id)
JOIN articles a USING (article_id);
