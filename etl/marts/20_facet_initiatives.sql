-- facet_initiatives: every initiative of the gazetteer with its bit position for the filter
-- masks (at most 127: the gazetteer loader refuses a longer list) and its display label.
CREATE OR REPLACE TABLE facet_initiatives AS
SELECT initiative_id,
       (row_number() OVER (ORDER BY initiative_id) - 1)::SMALLINT AS initiative_no,
       CAST(1 AS HUGEINT) << CAST(row_number() OVER (ORDER BY initiative_id) - 1
                                  AS HUGEINT) AS bit,
       name, coalesce(acronym, name) AS label, category
FROM initiatives;
