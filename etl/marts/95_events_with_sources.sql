-- events_with_sources (a view): the curated events (`curated_events`: rejected ones left out,
-- corrections applied, review columns) with their initiative's name and category and their
-- article's title, outlet, address and date: the table to open in a notebook.
CREATE OR REPLACE VIEW events_with_sources AS
SELECT e.*, i.name AS initiative_name, i.category,
       a.title, a.outlet, a.url, a.published, a.published_precision
FROM curated_events e
JOIN initiatives i USING (initiative_id)
JOIN articles a USING (article_id);
