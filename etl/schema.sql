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
    raw_text      VARCHAR NOT NULL,            -- the text as read (decoded, before cleaning)
    removed_lines VARCHAR[] NOT NULL           -- furniture lines the cleaning removed
);

CREATE TABLE IF NOT EXISTS initiatives (
    initiative_id VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    acronym       VARCHAR,
    category      VARCHAR NOT NULL,
    description   VARCHAR NOT NULL,
    aliases       VARCHAR[] NOT NULL
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
    text        VARCHAR NOT NULL,
    PRIMARY KEY (article_id, sentence_no)
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
    sentence      VARCHAR NOT NULL
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
    sentence      VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sentence_themes (
    article_id  VARCHAR NOT NULL,
    sentence_no INTEGER NOT NULL,
    theme       VARCHAR NOT NULL,
    keyword     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS article_themes (
    article_id     VARCHAR NOT NULL,
    theme          VARCHAR NOT NULL,
    hits           INTEGER NOT NULL,
    per_1000_words DOUBLE NOT NULL,
    rank           INTEGER NOT NULL,           -- 1 = the article's most frequent theme
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

-- Analyst-facing views --------------------------------------------------------------------

CREATE OR REPLACE VIEW events_with_sources AS
SELECT e.*, i.name AS initiative_name, i.category,
       a.title, a.outlet, a.url, a.published, a.published_precision
FROM events e
JOIN initiatives i USING (initiative_id)
JOIN articles a USING (article_id);

CREATE OR REPLACE VIEW memberships_with_sources AS
SELECT m.*, i.name AS initiative_name,
       a.title, a.outlet, a.url, a.published, a.published_precision
FROM memberships m
JOIN initiatives i USING (initiative_id)
JOIN articles a USING (article_id);
