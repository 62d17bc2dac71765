-- Initiative Monitor warehouse schema. Applied idempotently to every new build.
-- Documented column by column in docs/schema.md; the tables below are a public contract.

CREATE TABLE IF NOT EXISTS warehouse_info (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    article_id          VARCHAR PRIMARY KEY,   -- content hash of the cleaned text (stable across rebuilds)
    source_file         VARCHAR NOT NULL,      -- file name relative to the articles folder
    record_no           INTEGER,               -- record number inside a .csv/.jsonl file, else NULL
    file_format         VARCHAR NOT NULL,
    title               VARCHAR,
    outlet              VARCHAR,
    author              VARCHAR,
    url                 VARCHAR,
    published           DATE,                  -- first day of the known period (see published_precision)
    published_precision VARCHAR,               -- 'day' | 'month' | 'year' | NULL when unknown
    date_source         VARCHAR NOT NULL,      -- manifest | front_matter | record | header | inferred | unknown
    title_source        VARCHAR NOT NULL,
    outlet_source       VARCHAR NOT NULL,
    author_source       VARCHAR NOT NULL,
    url_source          VARCHAR NOT NULL,
    encoding            VARCHAR NOT NULL,
    word_count          INTEGER NOT NULL,
    text                VARCHAR NOT NULL,      -- cleaned text: page furniture removed
    duplicate_files     VARCHAR[] NOT NULL     -- other file names that held the same article
);

CREATE TABLE IF NOT EXISTS article_raw (
    article_id    VARCHAR PRIMARY KEY,
    -- zstd: the largest column, read only when an analyst opens the original; it compresses
    -- better and about three times faster than the default for long text
    raw_text      VARCHAR NOT NULL USING COMPRESSION zstd,  -- the text as read (decoded)
    removed_lines VARCHAR[] NOT NULL           -- furniture lines the cleaning removed
);

-- Syndicated copies (etl/stories.py): the MinHash signature of each article's word shingles,
-- computed once when the article is extracted, and the stories every build groups them into.
CREATE TABLE IF NOT EXISTS article_signatures (
    article_id VARCHAR PRIMARY KEY,
    minhash    UINTEGER[] NOT NULL             -- 128 values: MinHash of the 4-word shingles
);

-- One row per article: the story it belongs to. A story is its articles whose texts are
-- near copies (estimated shingle similarity >= 0.4, directly or through another copy); an
-- article with no near copy is a story of its own.
CREATE TABLE IF NOT EXISTS stories (
    article_id   VARCHAR PRIMARY KEY,
    story_id     VARCHAR NOT NULL,             -- the canonical article's id
    is_canonical BOOLEAN NOT NULL,             -- the story's earliest published article
    similarity   DOUBLE NOT NULL,              -- estimated similarity to the canonical (1 for it)
    story_size   INTEGER NOT NULL              -- articles in the story
);

CREATE TABLE IF NOT EXISTS initiatives (
    initiative_id VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    acronym       VARCHAR,
    category      VARCHAR NOT NULL,
    description   VARCHAR NOT NULL,
    aliases       VARCHAR[] NOT NULL
);

-- The shared vocabularies, from data/reference/vocabulary.toml (etl/vocabulary.py).
CREATE TABLE IF NOT EXISTS event_types (
    event_type     VARCHAR PRIMARY KEY,
    label          VARCHAR NOT NULL,
    marker         VARCHAR NOT NULL,           -- Plotly marker symbol on the timeline
    once_in_a_life BOOLEAN NOT NULL,           -- two years for it are a disagreement
    meaning        VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS membership_kinds (
    kind    VARCHAR PRIMARY KEY,
    label   VARCHAR NOT NULL,
    meaning VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS themes (
    theme       VARCHAR PRIMARY KEY,
    label       VARCHAR NOT NULL,
    description VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sentences (
    article_id  VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    text        VARCHAR NOT NULL
    -- (article_id, sentence_no) is unique; the build validates it rather than keeping an index
    -- over millions of rows
);

CREATE TABLE IF NOT EXISTS mentions (
    article_id    VARCHAR NOT NULL,
    sentence_no   INTEGER NOT NULL,
    initiative_id VARCHAR NOT NULL,
    surface       VARCHAR NOT NULL,
    start_char    INTEGER NOT NULL,
    end_char      INTEGER NOT NULL,
    method        VARCHAR NOT NULL             -- alias | acronym | coreference
);

CREATE TABLE IF NOT EXISTS date_mentions (
    article_id  VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    expression  VARCHAR NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    year        INTEGER,
    month       INTEGER,
    day         INTEGER,
    end_year    INTEGER,
    end_month   INTEGER,
    end_day     INTEGER,
    basis       VARCHAR NOT NULL,
    role        VARCHAR NOT NULL               -- event | target | plan_period | background | unresolved
);

CREATE TABLE IF NOT EXISTS events (
    event_id      VARCHAR PRIMARY KEY,
    initiative_id VARCHAR NOT NULL,
    event_type    VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER,
    day           INTEGER,
    end_year      INTEGER,
    end_month     INTEGER,
    end_day       INTEGER,
    date_text     VARCHAR NOT NULL,
    date_basis    VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    sentence_no   INTEGER NOT NULL,
    sentence      VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,            -- what decided the type (evidence_scale)
    confidence    DOUBLE NOT NULL,             -- 0-1: how directly the text says it
    initiative_sentence_no INTEGER NOT NULL    -- the sentence naming the initiative
);

CREATE TABLE IF NOT EXISTS memberships (
    membership_id VARCHAR PRIMARY KEY,
    initiative_id VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    count         INTEGER NOT NULL,
    year          INTEGER,
    year_basis    VARCHAR NOT NULL,
    count_text    VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    sentence_no   INTEGER NOT NULL,
    sentence      VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,            -- the pattern that found the figure
    confidence    DOUBLE NOT NULL,             -- 0-1: how directly the text says it
    initiative_sentence_no INTEGER NOT NULL    -- the sentence naming the organisation
);

-- The confidence scale of events and memberships (etl/extract/evidence.py): the weight of each
-- rule, date basis and distance to the initiative's name, and what it means in words.
CREATE TABLE IF NOT EXISTS evidence_scale (
    aspect VARCHAR NOT NULL,                   -- event_rule | membership_rule | date_basis | sentences_back
    value  VARCHAR NOT NULL,
    weight DOUBLE NOT NULL,
    label  VARCHAR NOT NULL,
    PRIMARY KEY (aspect, value)
);

-- Bodies an article says Kazakhstan proposed, founded, hosts or chairs that the gazetteer does
-- not know yet (etl/extract/candidates.py): one row per name per sentence.
CREATE TABLE IF NOT EXISTS candidate_initiatives (
    article_id  VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    surface     VARCHAR NOT NULL,              -- the name as written
    name_key    VARCHAR NOT NULL,              -- normalised name: one per body across spellings
    relation    VARCHAR NOT NULL,              -- proposed | founded | hosts | chairs
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS sentence_themes (
    article_id  VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    theme       VARCHAR NOT NULL,
    keyword     VARCHAR NOT NULL
);

-- per article, initiative and theme: how many sentences both name the initiative (`mentions`)
-- and carry the theme (`sentence_themes`), counted when the article is extracted
CREATE TABLE IF NOT EXISTS initiative_themes (
    article_id    VARCHAR NOT NULL,
    initiative_id VARCHAR NOT NULL,
    theme         VARCHAR NOT NULL,
    sentences     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS article_themes (
    article_id     VARCHAR NOT NULL,
    theme          VARCHAR NOT NULL,
    hits           INTEGER NOT NULL,
    per_1000_words DOUBLE NOT NULL,
    rank           INTEGER NOT NULL,           -- 1 = the article's most frequent theme
    -- the article's best example sentences of the theme (etl/extract/themes.py: those matching
    -- most of its keywords, then in reading order), with their offsets as in `sentences`
    examples       STRUCT(sentence_no INTEGER, keyword_count INTEGER, keywords VARCHAR,
                          start_char INTEGER, end_char INTEGER)[] NOT NULL,
    PRIMARY KEY (article_id, theme)
);

CREATE TABLE IF NOT EXISTS membership_reference (
    initiative_id VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    member_count  INTEGER,                     -- NULL where the reference says 'unconfirmed'
    confirmed     BOOLEAN NOT NULL,
    new_members   VARCHAR,
    source        VARCHAR,
    PRIMARY KEY (initiative_id, year)
);

CREATE TABLE IF NOT EXISTS etl_runs (
    run_id          VARCHAR PRIMARY KEY,
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    files_seen      INTEGER NOT NULL,
    articles_loaded INTEGER NOT NULL,
    duplicates      INTEGER NOT NULL,
    files_failed    INTEGER NOT NULL,
    messages        VARCHAR[] NOT NULL,        -- one line per problem: 'file (record n): reason'
    status          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS load_problems (
    run_id      VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    record_no   INTEGER,
    severity    VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL
);

-- What each file of the article folder was at the last build, and which articles it held, so
-- the next build reads only files that changed (etl/incremental.py).
CREATE TABLE IF NOT EXISTS source_files (
    source_file  VARCHAR PRIMARY KEY,
    size_bytes   BIGINT NOT NULL,              -- -1: the file could not be examined
    modified_ns  BIGINT NOT NULL,
    sha256       VARCHAR NOT NULL,
    manifest_row VARCHAR NOT NULL              -- fingerprint of its manifest.csv row ('' if none)
);

CREATE TABLE IF NOT EXISTS source_records (
    source_file VARCHAR NOT NULL,
    record_no   INTEGER,
    article_id  VARCHAR NOT NULL               -- loaded from here, or a duplicate of it
);

-- Pages fetched from the web (`python -m etl fetch`, etl/fetch/, docs/fetch.md), loaded by every
-- build from the article folder's hidden `.fetch/` area.
CREATE TABLE IF NOT EXISTS fetched_pages (
    source_file  VARCHAR PRIMARY KEY,          -- the article file the page was saved as
    url          VARCHAR NOT NULL,             -- as asked for (given, or listed by a feed)
    final_url    VARCHAR NOT NULL,             -- after redirects
    http_status  INTEGER NOT NULL,
    content_type VARCHAR NOT NULL,
    fetched_at   TIMESTAMP NOT NULL,           -- UTC
    raw_file     VARCHAR NOT NULL,             -- the response, gzip, relative to the article folder
    raw_bytes    BIGINT NOT NULL,              -- its size before compression
    feed         VARCHAR                       -- the feed that listed it; NULL for a URL given
);

CREATE TABLE IF NOT EXISTS feeds (
    feed           VARCHAR PRIMARY KEY,        -- its name in the feeds file
    url            VARCHAR NOT NULL,
    outlet         VARCHAR NOT NULL,
    last_fetched   TIMESTAMP,                  -- UTC, the last attempt
    last_status    VARCHAR NOT NULL,           -- ok | not modified | failed
    last_error     VARCHAR,
    items_listed   INTEGER NOT NULL,
    new_articles   INTEGER NOT NULL,           -- brought by the last fetch
    total_articles INTEGER NOT NULL,           -- brought by every fetch
    last_new_at    TIMESTAMP                   -- UTC, when a fetch last brought a new article
);

-- Analyst corrections (data/corrections/*.jsonl, etl/corrections/, docs/corrections.md) ----
-- Every record read from the corrections folder, with what became of it in this build. A
-- record names its fact by article fingerprint and sentence hash, so a rebuild re-applies it.
CREATE TABLE IF NOT EXISTS corrections (
    correction_id VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,            -- confirm | reject | edit | add
    fact_kind     VARCHAR NOT NULL,            -- event | membership
    article_id    VARCHAR NOT NULL,            -- the article's content fingerprint
    sentence_key  VARCHAR NOT NULL,            -- hash of the sentence's normalised text
    sentence      VARCHAR NOT NULL,            -- the sentence as the analyst saw it
    target        VARCHAR,                     -- JSON: the machine-read values it refers to
    target_added  VARCHAR,                     -- or the id of the add it refers to
    fields        VARCHAR,                     -- JSON: an edit's changed values, an add's values
    analyst       VARCHAR NOT NULL,
    recorded_at   TIMESTAMP NOT NULL,          -- UTC
    reason        VARCHAR NOT NULL,
    source_file   VARCHAR NOT NULL,            -- the corrections file it was read from
    line_no       INTEGER NOT NULL,
    fact_id       VARCHAR,                     -- the event_id / membership_id it applies to
    status        VARCHAR NOT NULL,            -- current | history | duplicate | orphaned | invalid
    status_reason VARCHAR NOT NULL             -- why, in words ('' when current)
);

-- Every fact an analyst has touched, as it stands after its corrections (rejected ones too):
-- the machine-read row with edits applied, or the row an analyst added. `curated_events`
-- (a mart) is `events` with these put in place of the machine's rows, less the rejected.
CREATE TABLE IF NOT EXISTS reviewed_events (
    event_id      VARCHAR PRIMARY KEY,         -- the machine's id, or 'analyst-<record id>'
    initiative_id VARCHAR NOT NULL,
    event_type    VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    month         INTEGER,
    day           INTEGER,
    end_year      INTEGER,
    end_month     INTEGER,
    end_day       INTEGER,
    date_text     VARCHAR NOT NULL,
    date_basis    VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    sentence_no   INTEGER NOT NULL,
    sentence      VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,
    confidence    DOUBLE NOT NULL,
    initiative_sentence_no INTEGER NOT NULL,
    review        VARCHAR NOT NULL,            -- confirmed | edited | added | rejected
    reviewed_by   VARCHAR NOT NULL,            -- the analyst of its latest correction
    reviewed_at   TIMESTAMP NOT NULL,
    review_reason VARCHAR NOT NULL,
    corrections   INTEGER NOT NULL             -- records in its history
);

CREATE TABLE IF NOT EXISTS reviewed_memberships (
    membership_id VARCHAR PRIMARY KEY,
    initiative_id VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    count         INTEGER NOT NULL,
    year          INTEGER,
    year_basis    VARCHAR NOT NULL,
    count_text    VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    sentence_no   INTEGER NOT NULL,
    sentence      VARCHAR NOT NULL,
    rule          VARCHAR NOT NULL,
    confidence    DOUBLE NOT NULL,
    initiative_sentence_no INTEGER NOT NULL,
    review        VARCHAR NOT NULL,
    reviewed_by   VARCHAR NOT NULL,
    reviewed_at   TIMESTAMP NOT NULL,
    review_reason VARCHAR NOT NULL,
    corrections   INTEGER NOT NULL
);

-- Analyst-facing views --------------------------------------------------------------------

-- Possible new initiatives, one row per normalised name: how often and when it was seen.
CREATE OR REPLACE VIEW candidate_initiative_summary AS
SELECT c.name_key,
       -- the most frequent spelling, the first alphabetically on a tie
       (SELECT first(s.surface ORDER BY s.n DESC, s.surface)
        FROM (SELECT surface, count(*) AS n FROM candidate_initiatives AS x
              WHERE x.name_key = c.name_key GROUP BY surface) AS s) AS name,
       list_sort(list(DISTINCT c.relation)) AS relations,
       count(*) AS sentences,
       count(DISTINCT c.article_id) AS articles,
       min(a.published) AS first_seen,
       max(a.published) AS last_seen
FROM candidate_initiatives c
JOIN articles a USING (article_id)
GROUP BY c.name_key;

-- Full-text search ------------------------------------------------------------------------
-- BM25 over sentences in plain SQL (no extension: it works offline on a fresh install; see
-- docs/search.md). Tokenisation is defined once, here, as macros: the ETL indexes sentences
-- with them (etl/search_index.py) and the dashboard tokenises a query with the same macros
-- inside its statement, so a query word and an indexed word are always cut alike.

-- Words: lower case, accents stripped ('États' -> 'etats'), split on every run of characters
-- that are not letters, marks or digits in any script (Cyrillic and Kazakh letters are letters).
CREATE OR REPLACE MACRO search_words(txt) AS
    list_filter(regexp_split_to_array(strip_accents(lower(coalesce(txt, ''))),
                                      '[\p{P}\p{S}\p{Z}\p{C}]+'),
                lambda w: w <> '');

-- Words too common to help a search; not indexed (also 's' and 't' of "Kazakhstan's", "don't").
CREATE OR REPLACE MACRO search_stop_words() AS
    ['a', 'an', 'and', 'are', 'as', 'at', 'be', 'been', 'but', 'by', 'for', 'from', 'had',
     'has', 'have', 'he', 'her', 'his', 'in', 'into', 'is', 'it', 'its', 'of', 'on', 'or', 's',
     'she', 't', 'than', 'that', 'the', 'their', 'there', 'these', 'they', 'this', 'those', 'to',
     'was', 'were', 'which', 'will', 'with'];

-- Light English plural folding ('agencies' -> 'agency', 'summits' -> 'summit', 'processes' ->
-- 'process'); words of other scripts, digits and short words are left as they are. Only a word
-- ending in 's' can change, so the other words (most) skip the pattern tests.
CREATE OR REPLACE MACRO search_fold(w) AS
    CASE
        WHEN NOT ends_with(w, 's') THEN w
        WHEN length(w) <= 3 OR NOT regexp_full_match(w, '[a-z]+') THEN w
        WHEN ends_with(w, 'ies') THEN left(w, -3) || 'y'
        WHEN ends_with(w, 'sses') THEN left(w, -2)
        WHEN ends_with(w, 'ss') OR ends_with(w, 'us') OR ends_with(w, 'is') THEN w
        WHEN regexp_matches(w, '(ch|sh|x|z)es$') THEN left(w, -2)
        ELSE left(w, -1)
    END;

-- The words of a text that are indexed, unfolded, in reading order: a word's position is its
-- place in this list (stop words take none).
CREATE OR REPLACE MACRO search_indexed_words(txt) AS
    list_filter(search_words(txt), lambda w: NOT list_contains(search_stop_words(), w));

-- The indexed terms of a text, in reading order (a term's position is its place in this list).
CREATE OR REPLACE MACRO search_tokens(txt) AS
    list_transform(search_indexed_words(txt), lambda w: search_fold(w));

-- Integer keys of the index, functions of the content alone, so an index updated article by
-- article equals one built whole. An article id is a 16-hex-digit content hash: read as a
-- number it is unique and sorts like the id; any other id is hashed. A term is hashed (md5,
-- 64 bits; the build checks that no two terms share a key).
CREATE OR REPLACE MACRO search_article_key(article_id) AS
    CASE WHEN regexp_full_match(article_id, '[0-9a-f]{16}') THEN ('0x' || article_id)::UBIGINT
         ELSE md5_number_upper(article_id) END;

CREATE OR REPLACE MACRO search_term_key(term) AS md5_number_upper(term);

-- One row per indexed article: its key in the other search tables. Sorted by key.
CREATE TABLE IF NOT EXISTS search_articles (
    article_key UBIGINT NOT NULL,              -- search_article_key(article_id)
    article_id  VARCHAR NOT NULL
);

-- One row per sentence, sorted by (article_key, sentence_no): its length, and where it stands
-- in its article's text (a page of hits reads its sentences through these, by key).
CREATE TABLE IF NOT EXISTS search_documents (
    article_key UBIGINT NOT NULL,
    sentence_no INTEGER NOT NULL,
    length      INTEGER NOT NULL,              -- indexed terms in the sentence's text
    start_char  INTEGER NOT NULL,              -- = sentences.start_char
    end_char    INTEGER NOT NULL               -- = sentences.end_char
);

-- The initiatives each sentence mentions and the words that mention them (from `mentions`,
-- once each), sorted by (article_key, sentence_no), for marking a page of hits.
CREATE TABLE IF NOT EXISTS search_mentions (
    article_key   UBIGINT NOT NULL,
    sentence_no   INTEGER NOT NULL,
    initiative_id VARCHAR NOT NULL,
    surface       VARCHAR NOT NULL
);

-- One row per term and sentence, in two fields: the sentence's own words (`tf`, `positions`)
-- and the names and acronyms of the initiatives it mentions, back-references included
-- (`initiative_tf`). The sentence's length is repeated here so ranking needs no join, and so
-- are its offsets, so that a page of hits cuts its sentences from `articles.text` without
-- looking them up in `search_documents` (a lookup by key reads whole row groups). Sorted by
-- (term_key, article_key, sentence_no): a query reads only the row groups of its terms.
CREATE TABLE IF NOT EXISTS search_postings (
    term_key        UBIGINT NOT NULL,          -- search_terms.term_key
    article_key     UBIGINT NOT NULL,          -- search_articles.article_key
    sentence_no     INTEGER NOT NULL,
    tf              INTEGER NOT NULL,          -- occurrences in the sentence's text (0: none)
    initiative_tf   INTEGER NOT NULL,          -- mentioned initiatives whose name has the term
    sentence_length INTEGER NOT NULL,          -- = search_documents.length
    positions       INTEGER[] NOT NULL,        -- where in the text, counted in terms from 1
    start_char      INTEGER NOT NULL,          -- = search_documents.start_char
    end_char        INTEGER NOT NULL           -- = search_documents.end_char
);

-- One row per term, sorted by term.
CREATE TABLE IF NOT EXISTS search_terms (
    term      VARCHAR PRIMARY KEY,
    term_key  UBIGINT NOT NULL,                -- search_term_key(term)
    sentences INTEGER NOT NULL                 -- sentences containing the term (BM25's n(q))
);

CREATE TABLE IF NOT EXISTS search_stats (
    sentences  BIGINT NOT NULL,                -- sentences indexed (BM25's N)
    avg_length DOUBLE NOT NULL,                -- their mean text length in terms (BM25's avgdl)
    terms      BIGINT NOT NULL                 -- distinct terms
);
