-- facet_themes: every theme of the taxonomy with its bit position for the filter masks.
-- Themes are filtered through one bit each of a HUGEINT, so at most 127 themes
-- (`etl.marts.MAX_MASK_BITS`; the theme loader refuses a longer list).
CREATE OR REPLACE TABLE facet_themes AS
SELECT theme, label, (row_number() OVER (ORDER BY theme) - 1)::SMALLINT AS theme_no,
       CAST(1 AS HUGEINT) << CAST(row_number() OVER (ORDER BY theme) - 1 AS HUGEINT) AS bit
FROM themes;
