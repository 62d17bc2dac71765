-- facet_sentence_themes: `sentence_themes` by numbers (`article_no`, `theme_no`), one row per
-- keyword found in a sentence, with the sentence's offsets into its article's text. Sorted by
-- article number, so the example sentences of a theme's newest articles (a theme chart's
-- citations) are read from the few row groups holding those articles, not from the whole
-- table; the sentence's text is then cut from `articles.text` by its offsets (`sentences.text`
-- is exactly that substring), not looked up among millions of sentences. The offsets come with
-- each keyword row (`sentence_themes`), so the mart is not a join with the sentences either.
CREATE OR REPLACE TABLE facet_sentence_themes AS
SELECT a.article_no, th.theme_no, t.sentence_no, t.keyword, t.start_char, t.end_char
FROM sentence_themes AS t
JOIN facet_articles AS a USING (article_id)
JOIN facet_themes AS th USING (theme)
ORDER BY a.article_no, th.theme_no, t.sentence_no, t.keyword;
