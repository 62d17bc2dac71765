"""Ranking sentences for a search: BM25F over the warehouse's search index, in SQL.

A search runs in steps (docs/search.md, *Queries*):
1. reading, two small statements: the warehouse cuts the clauses into terms with its own macros
   (`_TOKENISE`), then looks them up (`_lookup_statement`); Python puts together the term
   keys, idf weights, which clause is required (`_read_query`);
2. the hits, over the postings of those term keys only (`hits_statement`): a page of them
   ranked, or their count per publication year;
3. for a page, its sentences, articles and words to mark (`dashboard.search.snippet`).
Step 2 binds what step 1 found, so it carries no tokenising and plans quickly.

Statements are composed by concatenating the named fragments below, chosen by what the query
holds and which filters are set; every value is bound as a parameter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dashboard.filters import Filters
from dashboard.queries import in_view
from dashboard.queries.sql import Cte, Sql, join, records
from dashboard.search.parse import SearchQuery

Connection = duckdb.DuckDBPyConnection

# BM25F over sentences (docs/search.md). k1 saturates a term's frequency, b normalises the text
# field by sentence length; a query word in the name of an initiative the sentence mentions
# weighs like two occurrences in a sentence of average length (that field is not
# length-normalised: naming one initiative or five, the sentence is about each).
BM25_K1 = 1.2
BM25_B = 0.75
INITIATIVE_FIELD_WEIGHT = 2.0
MAX_PREFIX_TERMS = 50  # 'summit*' stands for at most this many indexed terms, the most common

# Step 1 for the hits, in two small statements (a large one spent most of its time being
# planned): the clauses cut into terms by the warehouse's own macros, the only statement that
# tokenises (`_TOKENISE`); then those terms, and the commonest completions of each prefix,
# looked up in `search_terms` with the corpus statistics (`_lookup_statement`). The reading is
# then put together in Python (`_read_query`): a term's idf is shared among the wanted clauses
# that hold it, so it counts once (`first_use` marks one of them, for counting terms);
# excluded terms weigh nothing.
_TOKENISE = """
SELECT c.clause_no, search_tokens(c.text) AS tokens
FROM (SELECT unnest($clauses::STRUCT(clause_no INTEGER, text VARCHAR, required BOOLEAN,
                                     negated BOOLEAN, prefix BOOLEAN)[]) AS c)
"""
# ... when a clause is a prefix: it keeps its last word as typed (lower case, accents stripped,
# unfolded). Only written so when needed (binding a macro costs about a millisecond).
_TOKENISE_PREFIXES = """
SELECT c.clause_no,
       CASE WHEN c.prefix THEN list_slice(search_words(c.text), -1, -1)
            ELSE search_tokens(c.text) END AS tokens
FROM (SELECT unnest($clauses::STRUCT(clause_no INTEGER, text VARCHAR, required BOOLEAN,
                                     negated BOOLEAN, prefix BOOLEAN)[]) AS c)
"""
_LOOKUP_STATS = """
SELECT NULL::VARCHAR AS prefix, NULL::VARCHAR AS term, NULL::UBIGINT AS term_key,
       sentences, avg_length
FROM search_stats"""
_LOOKUP_TERMS = """
UNION ALL
SELECT NULL, term, term_key, sentences, NULL FROM search_terms WHERE term IN """
_LOOKUP_PREFIXES = """
UNION ALL
SELECT prefix, term, term_key, sentences, NULL
FROM (SELECT p.prefix, t.term, t.term_key, t.sentences,
             row_number() OVER (PARTITION BY p.prefix ORDER BY t.sentences DESC, t.term) AS n
      FROM (SELECT unnest($prefixes::VARCHAR[]) AS prefix) AS p
      JOIN search_terms AS t ON starts_with(t.term, p.prefix))
WHERE n <= $max_prefix_terms"""


def _lookup_statement(terms: list[str], prefixes: list[str]) -> tuple[str, dict[str, Any]]:
    """The statement looking up `terms` (each bound as its own constant, so the lookup can use
    `search_terms`' index) and expanding `prefixes`, after the statistics' row."""
    sql = _LOOKUP_STATS
    params: dict[str, Any] = {}
    if terms:
        names = {f"t{n}": term for n, term in enumerate(terms)}
        sql += _LOOKUP_TERMS + "(" + ", ".join(f"${name}" for name in names) + ")"
        params |= names
    if prefixes:
        sql += _LOOKUP_PREFIXES
        params |= {"prefixes": prefixes, "max_prefix_terms": MAX_PREFIX_TERMS}
    return sql, params


_TERM_STRUCT = ("STRUCT(clause_no INTEGER, bit BIGINT, idx INTEGER, phrase BOOLEAN, "
                "phrase_length INTEGER, negated BOOLEAN, term_key UBIGINT, first_use BOOLEAN, "
                "weight DOUBLE)[]")

# The articles in view, as keys: the shared filters' meaning (docs/dashboard.md), read from
# the same marts and conditions as every other page (`dashboard.queries.in_view`, only the
# filters that are set written in), counting every article (a search finds reprints too); the
# mart carries each article's search key, so no join on ids is needed (it cost about 20 ms). An
# article passes the article filters (publication years, outlets, carries one of the themes,
# mentions one of the initiatives: bit tests on `facet_articles`) and, when event years or
# types are set, reports an event that matches them (`facet_events`). Reading the raw
# `events`, `article_themes` and `mentions` for this cost hundreds of milliseconds at 100,000
# articles.
_KEYS_IN_VIEW = "SELECT article_key FROM articles_in_view"


def _search_in_view(con: Connection, filters: Filters) -> tuple[str, dict[str, Any]]:
    """The CTEs ending with `keys_in_view` for `filters` (set), and the parameters they bind."""
    every = replace(filters, by_article=True)
    ctes = [*in_view.view_ctes(every, in_view.masks(con, every), [in_view.ARTICLES]),
            Cte("keys_in_view", Sql(_KEYS_IN_VIEW))]
    composed = join((cte.definition() for cte in ctes), ",\n") + ",\n"
    return composed.text, dict(composed.params)


# The postings of the query's terms (`$terms`): of the articles in view when a filter is set,
# and of the sentences that can meet the query's most selective required clause, when that
# narrows them much (`restrict`).
_QUERY_TERMS = """
query_terms AS (
    SELECT unnest($terms::""" + _TERM_STRUCT + """, recursive := true)
),"""
_POSTINGS = """
postings AS NOT MATERIALIZED (
    SELECT q.clause_no, q.bit, q.idx, q.phrase, q.phrase_length, q.negated, q.first_use,
           q.weight, p.article_key, p.sentence_no, p.tf, p.initiative_tf, p.sentence_length,
           p.start_char, p.end_char
    FROM query_terms AS q
    JOIN search_postings AS p USING (term_key)"""
_POSTINGS_IN_VIEW = "\n      AND p.article_key IN (SELECT article_key FROM keys_in_view)"
_POSTINGS_RESTRICTED = "\n    SEMI JOIN restrict AS r USING (article_key, sentence_no)"
_RESTRICT_TO_TERMS = """
restrict AS (
    SELECT article_key, sentence_no FROM search_postings
    WHERE term_key IN (SELECT unnest($restrict_keys::UBIGINT[]))
),"""
_RESTRICT_TO_PHRASE = """
restrict AS (
    SELECT article_key, sentence_no FROM phrase_hits WHERE clause_no = $restrict_clause
),"""

# A term's BM25F weight in one sentence: `x` is its frequency in the text field normalised by
# the sentence's length, plus the initiative field's (not normalised), weighted.
_BM25F_X = ("tf / (1 - $b + $b * sentence_length / $avg_length) "
            "+ $initiative_weight * initiative_tf")
_BM25F = "weight * (" + _BM25F_X + ") * ($k1 + 1) / (" + _BM25F_X + " + $k1)"

# Step 2 for a page, in general: the postings aggregated per sentence in one pass (the score,
# and a bit mask of the clauses met, phrases from `phrase_hits`), and the sentences kept that
# meet every required clause, no excluded one and at least one wanted one. The score is
# rounded so that equal scores tie exactly, whatever order the sum was taken in.
_SEARCH_PAGE_GENERAL = """
, sentence_matches AS (
    SELECT article_key, sentence_no,
           coalesce(bit_or(bit) FILTER (WHERE NOT phrase), 0) AS met,
           sum(""" + _BM25F + """) AS score,
           count(*) FILTER (WHERE first_use) AS terms_matched,
           any_value(start_char) AS start_char, any_value(end_char) AS end_char
    FROM postings
    GROUP BY article_key, sentence_no
),
phrase_sentences AS (
    SELECT article_key, sentence_no, bit_or(bit) AS met
    FROM phrase_hits
    GROUP BY article_key, sentence_no
),
hits AS (
    SELECT s.article_key, s.sentence_no, round(s.score, 9) AS score, s.terms_matched,
           s.start_char, s.end_char
    FROM sentence_matches AS s
    LEFT JOIN phrase_sentences AS ph USING (article_key, sentence_no)
    WHERE ((s.met | coalesce(ph.met, 0)) & $required_mask) = $required_mask
      AND ((s.met | coalesce(ph.met, 0)) & $negated_mask) = 0
      AND ((s.met | coalesce(ph.met, 0)) & $wanted_mask) <> 0
)
"""

# Step 2 when one indexed term is wanted (not in a phrase), whatever single words are excluded:
# every posting of it is a hit unless its sentence holds an excluded term. No aggregation, and
# the term's postings are read by key.
_ONE_TERM = """
one_term AS (
    SELECT p.article_key, p.sentence_no, p.tf, p.initiative_tf, p.sentence_length,
           p.start_char, p.end_char
    FROM search_postings AS p
    WHERE p.term_key = $term_key::UBIGINT"""
_ONE_TERM_HITS = """
),
hits AS (
    SELECT article_key, sentence_no,
           round($weight * (""" + _BM25F_X + ") * ($k1 + 1) / (" + _BM25F_X + """ + $k1), 9)
               AS score,
           1 AS terms_matched, start_char, end_char
    FROM one_term"""

# Step 2 when the only wanted clause is a phrase (and excluded clauses are single words): its
# hits are the sentences where it stands, scored from the joined postings of its terms.
_ONE_PHRASE_HITS = """
hits AS (
    SELECT article_key, sentence_no, score, terms_matched, start_char, end_char
    FROM ("""

# ... less the sentences holding an excluded word (only written in when there is one).
_EXCLUDED = """
    ANTI JOIN (SELECT article_key, sentence_no FROM search_postings
               WHERE term_key IN (SELECT unnest($excluded::UBIGINT[])))
         USING (article_key, sentence_no)"""

_SEARCH_PAGE_TOP = """
, ranked AS (
    SELECT article_key, sentence_no, score, terms_matched, start_char, end_char
    FROM hits
    ORDER BY score DESC, article_key, sentence_no
    LIMIT $limit OFFSET $offset
)
SELECT k.article_id, r.article_key, r.sentence_no, r.score, r.terms_matched, r.start_char,
       r.end_char
FROM ranked AS r JOIN search_articles AS k USING (article_key)
ORDER BY r.score DESC, r.article_key, r.sentence_no
"""

# Step 2 for the chart, in general: which sentences meet which clause, as one 63-bit mask per
# clause and chunk of 63 of an article's sentences (sentence_no // 63); the masks of a chunk's
# clauses combine (every required, no excluded, a wanted one) into its hits, counted per
# article. Aggregating per article rather than per sentence keeps the work small for common
# words.
_SEARCH_PER_ARTICLE_GENERAL = """
, met AS (
    SELECT article_key, sentence_no, clause_no, negated FROM postings WHERE NOT phrase
    UNION ALL
    SELECT article_key, sentence_no, clause_no, false FROM phrase_hits
),
clause_chunks AS (
    SELECT article_key, sentence_no // 63 AS chunk, clause_no,
           any_value(negated) AS negated,
           bit_or(CAST(1 AS BIGINT) << (sentence_no % 63)) AS sentences
    FROM met
    GROUP BY article_key, sentence_no // 63, clause_no
),
chunks AS (
    SELECT article_key, chunk,
           count(*) FILTER (WHERE list_contains($required_clauses, clause_no)) AS required_met,
           bit_and(sentences) FILTER (WHERE list_contains($required_clauses, clause_no))
               AS required_sentences,
           coalesce(bit_or(sentences) FILTER (WHERE negated), 0) AS excluded,
           coalesce(bit_or(sentences) FILTER (WHERE NOT negated), 0) AS wanted
    FROM clause_chunks
    GROUP BY article_key, chunk
),
per_article AS (
    SELECT article_key,
           sum(bit_count(CASE WHEN len($required_clauses) = 0 THEN wanted
                              WHEN required_met = len($required_clauses)
                                  THEN required_sentences & wanted
                              ELSE 0 END
                         & ~excluded))::BIGINT AS hits
    FROM chunks
    GROUP BY article_key
)
"""

_SEARCH_PER_ARTICLE_ONE_TERM = """
, per_article AS (
    SELECT article_key, count(*) AS hits FROM hits GROUP BY article_key
)
"""

# ... then per publication year (an article has one), read from the article's mart row by its
# search key (joining the index's ids to `articles` on the text id cost 10-14 ms more).
_SEARCH_PER_YEAR = """
SELECT a.published_year::BIGINT AS year, sum(h.hits)::BIGINT AS hits, count(*) AS articles,
       list(DISTINCT coalesce(a.outlet, 'unknown outlet') ORDER BY coalesce(a.outlet,
                                                                        'unknown outlet'))
           AS outlets
FROM per_article AS h
JOIN facet_articles AS a USING (article_key)
WHERE h.hits > 0
GROUP BY ALL
ORDER BY year NULLS LAST
"""

_SIDE_IN_VIEW = " AND article_key IN (SELECT article_key FROM keys_in_view)"
_NO_PHRASE_HITS = """
phrase_hits AS (
    SELECT NULL::UBIGINT AS article_key, NULL::INTEGER AS sentence_no,
           NULL::INTEGER AS clause_no, NULL::BIGINT AS bit
    WHERE false
),"""


# A phrase's join (one per phrase clause `c`): one side per term `n`, the term's text postings
# with numbered columns; the positions test; and, for a page, the score from the sides. Only
# column and parameter names are generated (numbered by clause and term); every value (term
# keys, offsets, weights) is bound.

def _phrase_side(c: str, n: str, first: bool, in_view: bool) -> str:
    """The text postings of the phrase's term `n`, as the join's side `s<n>`."""
    columns = (f"article_key, sentence_no, positions AS at_{n}, tf AS tf_{n},\n"
               f"           initiative_tf AS itf_{n}"
               + (", sentence_length, start_char, end_char" if first else ""))
    condition = (f"term_key = $phrase_{c}_{n}::UBIGINT AND tf > 0"
                 + (_SIDE_IN_VIEW if in_view else ""))
    return ("(SELECT " + columns + "\n     FROM search_postings\n     WHERE " + condition
            + ") AS s" + n)


def _phrase_term_score(c: str, n: str) -> str:
    """The BM25F weight of the phrase's term `n` in the sentence (as `_BM25F`)."""
    x = (f"tf_{n} / (1 - $b + $b * sentence_length / $avg_length) "
         f"+ $initiative_weight * itf_{n}")
    return f"$phrase_{c}_{n}_weight * ({x}) * ($k1 + 1) / ({x} + $k1)"


def _phrase_join(clause_no: int, terms: list[dict[str, Any]], in_view: bool,
                 scored: bool) -> tuple[str, dict[str, Any]]:
    """The sentences where one phrase's terms (`terms`, in order) stand side by side: a join
    of their text postings on the sentence (only sentences holding every term are compared),
    then a test of their positions (quick when each term is there once, as is usual). With
    `scored`, each row also has the sentence's BM25F score and terms matched.
    """
    c = str(clause_no)
    params: dict[str, Any] = {f"phrase_{c}_clause": clause_no,
                              f"phrase_{c}_matched": sum(1 for t in terms if t["first_use"])}
    sides, single, quick, full, scores = [], [], [], [], []
    for number, term in enumerate(terms):
        n = str(number)
        params[f"phrase_{c}_{n}"] = term["term_key"]
        side = _phrase_side(c, n, first=number == 0, in_view=in_view and number == 0)
        sides.append(side if number == 0 else "JOIN " + side + " USING (article_key, sentence_no)")
        single.append(f"len(at_{n}) = 1")
        if number:
            params[f"phrase_{c}_{n}_offset"] = term["idx"] - terms[0]["idx"]
            quick.append(f"at_{n}[1] = at_0[1] + $phrase_{c}_{n}_offset")
            full.append(f"list_contains(at_{n}, pos0 + $phrase_{c}_{n}_offset)")
        params[f"phrase_{c}_{n}_weight"] = term["weight"]
        scores.append(_phrase_term_score(c, n))
    if not scored:
        params = {k: v for k, v in params.items()
                  if not k.endswith(("_weight", "_matched"))}
    score = (",\n           round(" + " + ".join(scores) + ", 9) AS score, "
             + f"$phrase_{c}_matched::INTEGER AS terms_matched, start_char, end_char"
             ) if scored else ""
    sql = ("SELECT article_key, sentence_no, " + f"$phrase_{c}_clause::INTEGER AS clause_no"
           + score + "\n    FROM " + "\n    ".join(sides)
           + "\n    WHERE CASE WHEN " + " AND ".join(single) + " THEN " + " AND ".join(quick)
           + "\n               ELSE len(list_filter(at_0, lambda pos0: " + " AND ".join(full)
           + ")) > 0 END")
    return sql, params


def _phrases(reading: _Reading) -> dict[int, list[dict[str, Any]]]:
    """The phrase clauses with every word indexed, and their terms in order."""
    by_clause: dict[int, list[dict[str, Any]]] = {}
    for term in reading.terms:
        if term["phrase"]:
            by_clause.setdefault(term["clause_no"], []).append(term)
    return {clause_no: sorted(terms, key=lambda t: t["idx"])
            for clause_no, terms in sorted(by_clause.items())
            if len(terms) == terms[0]["phrase_length"]}  # a word nowhere: never met


def _phrase_hits(reading: _Reading, in_view: bool) -> tuple[str, dict[str, Any]]:
    """The `phrase_hits` CTE: (sentence, phrase clause, its bit) for every phrase clause."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    for clause_no, terms in _phrases(reading).items():
        sql, more = _phrase_join(clause_no, terms, in_view, scored=False)
        params |= more | {f"phrase_{clause_no}_bit": terms[0]["bit"]}
        parts.append("SELECT article_key, sentence_no, clause_no, "
                     + f"$phrase_{clause_no}_bit::BIGINT AS bit" + "\n    FROM (" + sql + ")")
    if not parts:
        return _NO_PHRASE_HITS, {}
    return "\nphrase_hits AS (\n    " + "\n    UNION ALL\n    ".join(parts) + "\n),", params


def _ranking_parameters() -> dict[str, Any]:
    return {"k1": BM25_K1, "b": BM25_B, "initiative_weight": INITIATIVE_FIELD_WEIGHT}


@dataclass(frozen=True)
class _Reading:
    """What step 1 found: the terms to look up (as `_TERM_STRUCT` rows) and the clauses."""

    terms: list[dict[str, Any]]
    clauses: list[dict[str, Any]]
    sentences: dict[int, int]  # term key -> sentences holding it
    wanted_terms: list[str]
    avg_length: float

    def _mask(self, which: str) -> int:
        return sum(c["bit"] for c in self.clauses if c[which])

    @property
    def required_clauses(self) -> list[int]:
        return sorted(c["clause_no"] for c in self.clauses if c["required"])

    @property
    def masks(self) -> dict[str, int]:
        return {"required_mask": self._mask("required"), "negated_mask": self._mask("negated"),
                "wanted_mask": sum(c["bit"] for c in self.clauses if not c["negated"])}

    def _terms_of(self, clause_no: int) -> list[dict[str, Any]]:
        return [t for t in self.terms if t["clause_no"] == clause_no]

    @property
    def can_match(self) -> bool:
        """False when no sentence can match: no wanted clause has an indexed term, or a
        required clause has none (a phrase: lacks one of its words)."""
        if not any(not t["negated"] for t in self.terms):
            return False
        for clause in self.clauses:
            held = len(self._terms_of(clause["clause_no"]))
            if clause["required"] and held < (clause["phrase_length"] if clause["phrase"] else 1):
                return False
        return True

    @property
    def one_term(self) -> dict[str, Any] | None:
        """The only wanted term, when there is one (not in a phrase, no other clause wanted or
        required) and every excluded clause is a single word: then each of its postings is a
        hit unless the sentence holds an excluded term."""
        wanted = [t for t in self.terms if not t["negated"]]
        simple = (len(wanted) == 1 and not wanted[0]["phrase"]
                  and (self.masks["required_mask"] & ~wanted[0]["bit"]) == 0
                  and not any(t["phrase"] for t in self.terms))
        return wanted[0] if simple else None

    @property
    def one_phrase(self) -> tuple[int, list[dict[str, Any]]] | None:
        """The only wanted clause, when it is a phrase (every word indexed) and every excluded
        clause is a single word: then its hits are the sentences where it stands, scored from
        its terms' postings alone."""
        wanted = {t["clause_no"] for t in self.terms if not t["negated"]}
        phrases = _phrases(self)
        if len(wanted) != 1 or next(iter(wanted)) not in phrases:
            return None
        clause_no = next(iter(wanted))
        if any(t["phrase"] for t in self.terms if t["clause_no"] != clause_no):
            return None
        if self.masks["required_mask"] & ~phrases[clause_no][0]["bit"]:
            return None
        return clause_no, phrases[clause_no]

    @property
    def restriction(self) -> tuple[str, Any] | None:
        """The most selective required clause, when it narrows the postings to read much: a
        phrase (its sentences are found first anyway) or the rarest required word."""
        required = [c for c in self.clauses if c["required"]]
        for clause in required:
            if clause["phrase"]:
                return "phrase", clause["clause_no"]
        total = sum(self.sentences.values())
        sizes = [(sum(self.sentences[t["term_key"]] for t in self._terms_of(c["clause_no"])),
                  c["clause_no"]) for c in required]
        if sizes and min(sizes)[0] * 2 < total:
            keys = [t["term_key"] for t in self._terms_of(min(sizes)[1])]
            return "terms", keys
        return None


@dataclass(frozen=True)
class _Lookup:
    """Step 1's two statements: each clause cut into terms (`tokens`, clauses with none left
    out), the indexed terms found (`known`: key and sentences holding it), the commonest
    completions of each prefix, and the corpus statistics."""

    parsed: list[dict[str, Any]]
    tokens: dict[int, list[str]]
    known: dict[str, tuple[int, int]]
    expansions: dict[str, list[str]]
    corpus_sentences: int | None
    avg_length: float | None

    def terms_of(self, clause: dict[str, Any]) -> list[str]:
        """A clause's terms: its own, in order (indexed or not), or a prefix's completions."""
        cut = self.tokens.get(clause["clause_no"], [])
        if clause["prefix"]:
            return self.expansions.get(cut[0], []) if cut else []
        return cut


def _look_up(con: Connection, query: SearchQuery) -> _Lookup:
    """Cut the query's clauses into terms with the warehouse's macros, then look the terms and
    the prefixes' completions up in `search_terms` (two small statements)."""
    parsed: list[dict[str, Any]] = query.as_parameters()
    tokenise = _TOKENISE_PREFIXES if any(c["prefix"] for c in parsed) else _TOKENISE
    tokens = {number: list(cut) for number, cut in
              con.execute(tokenise, {"clauses": parsed}).fetchall() if cut}
    clauses = [c for c in parsed if c["clause_no"] in tokens]
    exact = sorted({t for c in clauses if not c["prefix"] for t in tokens[c["clause_no"]]})
    prefixes = sorted({tokens[c["clause_no"]][0] for c in clauses if c["prefix"]})
    sql, params = _lookup_statement(exact, prefixes)
    rows = con.execute(sql, params).fetchall()
    (_, _, _, corpus_sentences, avg_length), found = rows[0], rows[1:]
    known = {term: (key, count) for prefix, term, key, count, _ in found if prefix is None}
    expansions: dict[str, list[str]] = {}
    for prefix, term, key, count, _ in sorted(
            (r for r in found if r[0] is not None), key=lambda r: (r[0], -r[3], r[1])):
        expansions.setdefault(prefix, []).append(term)
        known[term] = (key, count)
    return _Lookup(parsed, tokens, known, expansions, corpus_sentences, avg_length)


def _read_query(con: Connection, query: SearchQuery) -> _Reading:
    """Step 1: the query's clauses and indexed terms, as the warehouse reads them."""
    found = _look_up(con, query)
    tokens, known = found.tokens, found.known
    clauses = [c for c in found.parsed if c["clause_no"] in tokens]
    corpus_sentences, avg_length = found.corpus_sentences, found.avg_length
    records = []  # one per (clause, indexed term): as the hits statement binds them
    clause_rows = []
    for c in clauses:
        cut = tokens[c["clause_no"]]
        clause = {"clause_no": c["clause_no"], "required": c["required"] and not c["negated"],
                  "negated": c["negated"], "phrase": not c["prefix"] and len(cut) > 1,
                  "phrase_length": len(cut), "bit": 1 << (c["clause_no"] - 1)}
        clause_rows.append(clause)
        held = ([(term, 1) for term in found.terms_of(c)] if c["prefix"]
                else [(term, idx) for idx, term in enumerate(cut, start=1) if term in known])
        records += [{**clause, "idx": idx, "term": term, "term_key": known[term][0],
                     "sentences": known[term][1]} for term, idx in held]
    _weigh(records, corpus_sentences or 0)
    records.sort(key=lambda r: (r["clause_no"], r["idx"], r["term_key"]))
    return _Reading(
        terms=[{k: r[k] for k in ("clause_no", "bit", "idx", "phrase", "phrase_length",
                                  "negated", "term_key", "first_use", "weight")}
               for r in records],
        clauses=clause_rows,
        sentences={r["term_key"]: r["sentences"] for r in records},
        wanted_terms=sorted({r["term"] for r in records if not r["negated"]}),
        avg_length=float(avg_length) if clause_rows and avg_length is not None else 1.0,
    )


def _weigh(records: list[dict[str, Any]], corpus_sentences: int) -> None:
    """Give each (clause, term) its BM25 idf weight, shared among the wanted clauses holding
    the term (excluded ones weigh nothing), and mark one wanted use of each term
    (`first_use`, for counting the terms a sentence matched)."""
    wanted_uses: dict[str, int] = {}
    for r in records:
        wanted_uses[r["term"]] = wanted_uses.get(r["term"], 0) + (not r["negated"])
    first: dict[str, dict[str, Any]] = {}
    for r in sorted(records, key=lambda r: (r["negated"], r["clause_no"], r["idx"])):
        first.setdefault(r["term"], r)
        n = r["sentences"]
        r["weight"] = (0.0 if r["negated"] else
                       math.log(1 + (corpus_sentences - n + 0.5) / (n + 0.5))
                       / wanted_uses[r["term"]])
    for r in records:
        r["first_use"] = not r["negated"] and first[r["term"]] is r


def _hits_statement(con: Connection, filters: Filters, reading: _Reading, body: str,
                    **extra: Any) -> pd.DataFrame:
    """Step 2 for `reading` in the articles in view, as a data frame (`_hits_cursor`)."""
    return _hits_cursor(con, filters, reading, body, **extra).df()


def _hits_cursor(con: Connection, filters: Filters, reading: _Reading, body: str,
                 **extra: Any) -> Connection:
    """Run step 2 for `reading` in the articles in view: `body` follows the hits (for a query
    of one wanted term) or the postings and phrase hits (any other). The result is left on
    the cursor (a page is small: read without a data frame)."""
    ctes: list[str] = []
    params: dict[str, Any] = {}
    if filters.narrows:
        keys_in_view, params = _search_in_view(con, filters)
        ctes.append(keys_in_view)
    one, phrase = reading.one_term, reading.one_phrase
    excluded = [t["term_key"] for t in reading.terms if t["negated"]]
    if excluded and (one is not None or phrase is not None):
        params["excluded"] = excluded
    in_view = "" if not filters.narrows else _POSTINGS_IN_VIEW
    less_excluded = (_EXCLUDED if excluded else "") + "\n)\n"
    if one is not None:
        ctes.append(_ONE_TERM + in_view + _ONE_TERM_HITS + less_excluded)
        params |= {"term_key": one["term_key"], "weight": one["weight"],
                   **_ranking_parameters(), "avg_length": reading.avg_length}
    elif phrase is not None:
        sql, more = _phrase_join(*phrase, in_view=filters.narrows, scored=True)
        ctes.append(_ONE_PHRASE_HITS + sql + ")" + less_excluded)
        params |= more | {**_ranking_parameters(), "avg_length": reading.avg_length}
    else:
        phrases, phrase_params = _phrase_hits(reading, in_view=filters.narrows)
        ctes.append(phrases)
        params |= phrase_params | {"terms": reading.terms}
        restriction = reading.restriction
        if restriction is not None:
            kind, value = restriction
            ctes.append(_RESTRICT_TO_PHRASE if kind == "phrase" else _RESTRICT_TO_TERMS)
            params["restrict_clause" if kind == "phrase" else "restrict_keys"] = value
        ctes.append(_QUERY_TERMS + _POSTINGS
                    + ("" if restriction is None else _POSTINGS_RESTRICTED)
                    + "\n    WHERE true" + in_view + "\n)")
    return con.execute("WITH " + "".join(ctes) + body, {**params, **extra})


def query_terms(con: Connection, query: SearchQuery) -> pd.DataFrame:
    """How the warehouse reads each clause of a query: its index terms and their frequency
    (`search_query_terms`), from step 1's statements: a phrase's terms in order (an unindexed
    one in 0 sentences), a prefix's completions commonest first."""
    found = _look_up(con, query)
    terms = [found.terms_of(c) for c in found.parsed]
    return pd.DataFrame({
        "clause_no": pd.Series([c["clause_no"] for c in found.parsed], dtype="int32"),
        "terms": pd.Series([np.array(t, dtype=object) for t in terms], dtype=object),
        "sentences": pd.Series([np.array([found.known.get(term, (0, 0))[1] for term in t],
                                         dtype="int32") for t in terms], dtype=object),
    })


def ranked_page(con: Connection, filters: Filters, query: SearchQuery, limit: int,
                offset: int) -> tuple[list[dict[str, Any]], list[str]]:
    """One page of the sentences in view matching `query`, best first, as keys and scores
    (`article_id`, `article_key`, `sentence_no`, `score`, `terms_matched`, the sentence's
    `start_char` and `end_char` in its article's text, `rank` from 0), and the query's wanted
    terms (the words to mark)."""
    reading = _read_query(con, query)
    if not reading.can_match:
        return [], reading.wanted_terms
    if reading.one_term is not None or reading.one_phrase is not None:
        body, extra = _SEARCH_PAGE_TOP, {}
    else:
        body = _SEARCH_PAGE_GENERAL + _SEARCH_PAGE_TOP
        extra = {**_ranking_parameters(), "avg_length": reading.avg_length, **reading.masks}
    ranked = _hits_cursor(con, filters, reading, body, limit=limit, offset=offset, **extra)
    page = [{**row, "rank": rank} for rank, row in enumerate(records(ranked))]
    return page, reading.wanted_terms


def hits_per_year(con: Connection, filters: Filters, query: SearchQuery) -> pd.DataFrame:
    """Matching sentences and their articles per publication year, in view
    (`search_hits_per_year`)."""
    reading = _read_query(con, query)
    if not reading.can_match:
        return con.execute(_NO_HITS_PER_YEAR).df()
    if reading.one_term is not None or reading.one_phrase is not None:
        return _hits_statement(con, filters, reading,
                               _SEARCH_PER_ARTICLE_ONE_TERM + _SEARCH_PER_YEAR)
    return _hits_statement(con, filters, reading, _SEARCH_PER_ARTICLE_GENERAL + _SEARCH_PER_YEAR,
                           required_clauses=reading.required_clauses)


_NO_HITS_PER_YEAR = """
SELECT NULL::BIGINT AS year, NULL::BIGINT AS hits, NULL::BIGINT AS articles,
       NULL::VARCHAR[] AS outlets
WHERE false
"""


def has_index(con: Connection) -> bool:
    """Whether the warehouse has the search index of this version and its tokenising macros.

    A warehouse built before search existed, or with an earlier layout of the index (without
    `search_articles` and integer keys, or postings without their sentence's offsets), has not.
    The names are resolved as the search statements resolve them (whatever the connection's
    search path).
    """
    try:
        con.execute(_INDEX_PROBE).fetchall()
    except duckdb.Error:
        return False
    return True


_INDEX_PROBE = """
SELECT search_tokens('x') AS tokens,
       (SELECT count(*) FROM (SELECT article_key, article_id FROM search_articles LIMIT 0))
           AS articles,
       (SELECT count(*) FROM (SELECT term_key, article_key, start_char, end_char
                              FROM search_postings LIMIT 0))
           AS postings
"""
