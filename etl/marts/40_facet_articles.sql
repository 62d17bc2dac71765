-- facet_articles: one row per article, numbered newest first (the article table's order),
-- with what the filters test and what the article table shows. `event_years` has a bit for
-- every year an event of the article covers (start to end), so 'reports an event in these
-- years' is one bit test (when `facet_event_years.exact`). `story_no` numbers the stories
-- (`stories`: near copies of one text grouped), `is_canonical` marks the one article counted
-- for its story when counts are by story, and `story_size` is how many articles the story has;
-- `also_in` lists the outlets of the story's other articles (the evidence's "also in"), found
-- once per build rather than by joining the stories with themselves for every evidence row.
-- `article_key` is the article's key in the search index (`search_article_key`, a function of
-- the id), so a search narrows its postings to the articles in view without a join on ids.
CREATE OR REPLACE TABLE facet_articles AS
WITH themed AS (
    SELECT t.article_id, bit_or(th.bit) AS theme_mask,
           list_transform(list_sort(list({'rank': t.rank, 'theme': th.theme, 'label': th.label})
                                    FILTER (WHERE t.rank <= 3)), lambda x: x.label) AS top_themes
    FROM article_themes AS t JOIN facet_themes AS th USING (theme)
    GROUP BY t.article_id
),
named AS (
    SELECT m.article_id, bit_or(i.bit) AS initiative_mask,
           list_transform(list_sort(list({'fewer': -m.mentions, 'label': i.label})),
                          lambda x: x.label) AS initiatives
    FROM (SELECT article_id, initiative_id, count(*) AS mentions
          FROM mentions GROUP BY article_id, initiative_id) AS m
    JOIN facet_initiatives AS i USING (initiative_id)
    GROUP BY m.article_id
),
reprinted AS (
    SELECT s.article_id,
           list_sort(list(DISTINCT coalesce(r.outlet, 'unknown outlet'))) AS also_in
    FROM stories AS s
    JOIN stories AS t ON t.story_id = s.story_id AND t.article_id <> s.article_id
    JOIN articles AS r ON r.article_id = t.article_id
    WHERE s.story_size > 1
    GROUP BY s.article_id
),
numbered AS (  -- numbered over the sort keys alone: a window sorts every column it carries
    SELECT article_id,
           (row_number() OVER (ORDER BY published DESC NULLS LAST, title,
                                        article_id))::INTEGER AS article_no
    FROM articles
),
story_numbers AS (
    SELECT article_id, (dense_rank() OVER (ORDER BY story_id))::INTEGER AS story_no
    FROM stories
)
SELECT o.article_no, a.article_id, search_article_key(a.article_id) AS article_key,
       a.title, a.outlet, a.url, a.published, a.published_precision,
       year(a.published)::SMALLINT AS published_year, a.word_count, a.source_file,
       coalesce(t.theme_mask, 0::HUGEINT) AS theme_mask,
       coalesce(n.initiative_mask, 0::HUGEINT) AS initiative_mask,
       coalesce(c.event_years, 0::HUGEINT) AS event_years,
       coalesce(n.initiatives, []) AS initiatives,
       coalesce(t.top_themes, []) AS top_themes,
       sn.story_no,
       s.is_canonical, s.story_size, coalesce(p.also_in, []) AS also_in
FROM articles AS a
JOIN stories AS s USING (article_id)
JOIN numbered AS o USING (article_id)
JOIN story_numbers AS sn USING (article_id)
LEFT JOIN themed AS t USING (article_id)
LEFT JOIN named AS n USING (article_id)
LEFT JOIN article_event_years AS c USING (article_id)
LEFT JOIN reprinted AS p USING (article_id)
ORDER BY o.article_no;
