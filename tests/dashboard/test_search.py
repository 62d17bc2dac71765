"""Search: query reading, snippets, the hits chart, the search statements and the page.

Ranking is tested twice: on the shipped corpus (a search for "biological" puts the sentences
about the International Agency for Biological Safety first) and on a small corpus written for
the purpose, built by the real ETL, whose sentences have equal lengths so that only the
number and rarity of matched words decide the order.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import queries
from dashboard.charts.framing import ChartContext
from dashboard.charts.search_hits import search_hits_figure
from dashboard.filters import Filters
from dashboard.search import parse, rank, snippet
from dashboard.search.parse import Clause, parse_query
from etl import pipeline
from etl.settings import PROJECT_ROOT, Settings
from tests.dashboard.test_app import charts as app_charts
from tests.dashboard.test_app import html_text, info_text, open_app

Con = duckdb.DuckDBPyConnection
APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")

ODD_QUERIES = ['"', "AND", "-", "*", '""', "Қазақстан", "the of and", "", " ", "x" * 500,
               "word " * 100, "OR OR NOT", '"unclosed phrase', "+", "a*", "x' OR '1'='1",
               "safety\x00", "(biological) [safety] {iabs}", "—", "😀"]

# Sentences of equal length (six indexed words each) where only the words differ.
SANITY_ARTICLE = """---
title: "Zebra and horse notes"
outlet: "Wire A"
published: 2021-03-04
---
The zebra and the horse met near the river bank.

The zebra walked slowly along the river bank.

The horse walked slowly along the river bank.

A horse grazed quietly in the green field.

Another horse drank water from the cold lake.

One more horse slept under the old tree.

Every horse there ate fresh hay each morning.

Қазақстан Республикасы бейбітшілікті қолдайды.
"""

OTHER_ARTICLE = """---
title: "Crossings"
outlet: "Wire B"
published: 2019-05-06
---
A zebra crossing was painted near the school.
"""


@pytest.fixture(scope="session")
def sanity_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-article corpus for ranking checks, built by the real ETL."""
    articles = tmp_path_factory.mktemp("search_corpus") / "articles"
    articles.mkdir()
    (articles / "sanity.md").write_text(SANITY_ARTICLE, encoding="utf-8")
    (articles / "other.md").write_text(OTHER_ARTICLE, encoding="utf-8")
    db_path = tmp_path_factory.mktemp("search_warehouse") / "warehouse.duckdb"
    settings = dataclasses.replace(Settings(), articles_dir=articles, db_path=db_path,
                                   reference_dir=PROJECT_ROOT / "data" / "reference")
    assert pipeline.build_warehouse(settings).status == "ok"
    return db_path


@pytest.fixture
def sanity_cursor(sanity_warehouse: Path) -> Con:
    con = duckdb.connect(str(sanity_warehouse), read_only=True)
    yield con
    con.close()


def search(con: Con, text: str, filters: Filters | None = None, limit: int = 100
           ) -> pd.DataFrame:
    return queries.search_sentences(con, filters or Filters(), parse_query(text), limit, 0)


def hit_keys(hits: pd.DataFrame) -> list[tuple[str, int]]:
    return list(zip(hits["article_id"], hits["sentence_no"].astype(int), strict=True))


def sentence_of(con: Con, text_like: str) -> tuple[str, int]:
    found = con.execute("SELECT article_id, sentence_no FROM sentences WHERE text LIKE ?",
                        [text_like]).fetchall()
    assert len(found) == 1, (text_like, found)
    return found[0][0], int(found[0][1])


# --- reading a query ---------------------------------------------------------------------------


def test_bare_words_are_optional_clauses() -> None:
    query = parse_query("  Biological   safety ")
    assert query.text == "Biological safety"
    assert query.clauses == (Clause("Biological"), Clause("safety"))
    assert not query.is_blank and not query.notes


def test_quotes_make_a_required_phrase_and_curly_quotes_count() -> None:
    assert parse_query('"Astana Process" talks').clauses == (
        Clause("Astana Process", required=True, quoted=True), Clause("talks"))
    assert parse_query("“Astana Process”").clauses == (
        Clause("Astana Process", required=True, quoted=True),)


def test_operators() -> None:
    assert parse_query("iabs AND summit OR forum NOT weapons").clauses == (
        Clause("iabs", required=True), Clause("summit", required=True), Clause("forum"),
        Clause("weapons", negated=True))
    assert parse_query('+iabs -weapons -"food security" summit*').clauses == (
        Clause("iabs", required=True), Clause("weapons", negated=True),
        Clause("food security", negated=True, quoted=True), Clause("summit", prefix=True))
    # lower-case 'and' / 'or' are words (common ones, not indexed), not operators
    assert parse_query("peace and security").clauses == (
        Clause("peace"), Clause("and"), Clause("security"))


@pytest.mark.parametrize("typed", ['"', "AND", "-", "*", '""', "", " ", "OR OR NOT", "+", "—",
                                   None, 42])
def test_nothing_to_search_for(typed: object) -> None:
    query = parse_query(typed)
    assert query.is_blank
    assert parse.blank_query_message(query)


def test_an_unclosed_quote_runs_to_the_end_and_says_so() -> None:
    query = parse_query('"unclosed phrase')
    assert query.clauses == (Clause("unclosed phrase", required=True, quoted=True),)
    assert "not closed" in query.notes[0]


def test_exclusions_alone_ask_for_a_word() -> None:
    query = parse_query("-weapons NOT war")
    assert query.is_blank
    assert "exclusions only" in parse.blank_query_message(query)


def test_long_queries_are_cut_with_a_note() -> None:
    assert not parse_query("x" * parse.MAX_QUERY_CHARS).notes
    cut = parse_query("y" * (parse.MAX_QUERY_CHARS + 100))
    assert len(cut.text) == parse.MAX_QUERY_CHARS and "cut" in cut.notes[0]
    many = parse_query(" ".join(f"w{i}" for i in range(parse.MAX_CLAUSES + 10)))
    assert len(many.clauses) == parse.MAX_CLAUSES and many.notes


def test_a_too_short_prefix_is_ignored_with_a_note() -> None:
    query = parse_query("a* summit")
    assert query.clauses == (Clause("summit"),)
    assert "prefix" in query.notes[0]


def test_the_same_clause_twice_counts_once() -> None:
    assert parse_query("iabs iabs IABS").clauses == (Clause("iabs"), Clause("IABS"))


def test_clauses_are_bound_as_numbered_structs() -> None:
    assert parse_query("iabs -war").as_parameters() == [
        {"clause_no": 1, "text": "iabs", "required": False, "negated": False, "prefix": False},
        {"clause_no": 2, "text": "war", "required": False, "negated": True, "prefix": False}]


def test_messages_for_common_words_and_unknown_prefixes() -> None:
    query = parse_query("the of")
    readings = [parse.ClauseReading(c, (), ()) for c in query.clauses]
    message = parse.unsearchable_message(query, readings)
    assert message is not None and "common words" in message and "“the”" in message
    prefix = parse_query("zzq*")
    message = parse.unsearchable_message(
        prefix, [parse.ClauseReading(prefix.clauses[0], (), ())])
    assert message is not None and "starts with" in message
    found = [parse.ClauseReading(Clause("iabs"), ("iab",), (3,))]
    assert parse.unsearchable_message(parse_query("iabs"), found) is None


def test_reading_summary() -> None:
    readings = [
        parse.ClauseReading(Clause("biological"), ("biological",), (1,)),
        parse.ClauseReading(Clause("food security", required=True, quoted=True),
                                  ("food", "security"), (3, 9)),
        parse.ClauseReading(Clause("summit", prefix=True), ("summit", "summitry"), (5, 1)),
        parse.ClauseReading(Clause("war", negated=True), ("war",), (2,)),
        parse.ClauseReading(Clause("the"), (), ()),
    ]
    assert parse.reading_summary(readings) == (
        "biological (1 sentence) · must have “food security” · summit* (summit, summitry) · "
        "not war (2 sentences)")


# --- snippets ------------------------------------------------------------------------------------


def test_snippet_marks_whole_words_only() -> None:
    html = snippet.marked_snippet("Biological safety, not biologically safe.", ["Biological"])
    assert html == "<mark>Biological</mark> safety, not biologically safe."


def test_snippet_escapes_the_sentence_before_marking() -> None:
    sentence = 'The <script>alert("x")</script> summit & the <b>forum</b>.'
    html = snippet.marked_snippet(sentence, ["summit", "script", "b"])
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;" in html
    assert "<mark>summit</mark> &amp; the &lt;<mark>b</mark>&gt;forum" in html


def test_snippet_marks_multiword_mentions_and_non_latin_words() -> None:
    html = snippet.marked_snippet(
        "Қазақстан proposed the International Agency for Biological Safety (IABS).",
        ["Қазақстан", "International Agency for Biological Safety", "IABS", "Biological"])
    assert html == ("<mark>Қазақстан</mark> proposed the <mark>International Agency for "
                    "Biological Safety</mark> (<mark>IABS</mark>).")


def test_a_long_sentence_is_cut_around_its_first_match() -> None:
    sentence = " ".join(["filler"] * 100) + " the needle is here " + " ".join(["tail"] * 100)
    html = snippet.marked_snippet(sentence, ["needle"], max_chars=120)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>needle</mark>" in html
    assert len(html) < 160


def test_a_long_sentence_shows_the_stretch_with_most_marks() -> None:
    sentence = ("alpha " + "filler " * 60 + "beta gamma delta " + "tail " * 60).strip()
    html = snippet.marked_snippet(sentence, ["alpha", "beta", "gamma", "delta"],
                                      max_chars=120)
    assert "<mark>alpha</mark>" not in html
    assert "<mark>beta</mark> <mark>gamma</mark> <mark>delta</mark>" in html


def test_a_hit_card_escapes_its_title() -> None:
    card = snippet.hit_card_html("<mark>x</mark>", "1 · score 2.00", "<b>Title</b> — Wire")
    assert "&lt;b&gt;Title&lt;/b&gt;" in card and "<mark>x</mark>" in card


# --- the hits chart ------------------------------------------------------------------------------


CTX = ChartContext(title="Sentences matching “iabs”, by year", subtitle="All articles",
                   source="Source: 2 articles from A and B.", filename="search-iabs")


def test_hits_chart_draws_a_bar_per_year_and_notes_undated_hits() -> None:
    per_year = pd.DataFrame({"year": [2020, 2023, None], "hits": [1, 4, 2],
                             "articles": [1, 2, 1], "outlets": [["A"], ["B"], ["C"]]})
    figure = search_hits_figure(per_year, CTX)
    (bars,) = figure.data
    assert list(bars.x) == [2020, 2023] and list(bars.y) == [1, 4]
    assert [list(c) for c in bars.customdata] == [[1], [2]]
    assert "Sentences matching" in figure.layout.title.text
    notes = [a.text for a in figure.layout.annotations if a.name == "undated"]
    assert notes == ["+ 2 matching sentences in undated articles (not shown)"]


def test_hits_chart_without_dated_hits_says_why() -> None:
    undated = pd.DataFrame({"year": [None], "hits": [3], "articles": [1], "outlets": [["A"]]})
    figure = search_hits_figure(undated, CTX)
    assert not figure.data
    assert [a.text for a in figure.layout.annotations if a.name == "empty"] == [
        "No dated article has a matching sentence."]
    empty = pd.DataFrame({"year": [], "hits": [], "articles": [], "outlets": []})
    assert not search_hits_figure(empty, CTX).data


# --- the search statements on the shipped corpus -------------------------------------------------


def test_biological_finds_the_iabs_sentences_first(warehouse_cursor: Con) -> None:
    iabs = {(a, int(s)) for a, s in warehouse_cursor.execute(
        "SELECT DISTINCT article_id, sentence_no FROM mentions WHERE initiative_id = 'IABS'"
    ).fetchall()}
    hits = search(warehouse_cursor, "biological")
    keys = hit_keys(hits)
    assert set(keys[:len(iabs)]) == iabs, hits[["sentence_no", "score", "sentence"]]
    assert "International Agency for Biological Safety" in hits["sentence"].iloc[0]
    # and every sentence that says 'biological' is found, after them
    literal = {(a, int(s)) for a, s in warehouse_cursor.execute(
        "SELECT article_id, sentence_no FROM sentences WHERE text ILIKE '%biological%'"
    ).fetchall()}
    assert literal <= set(keys) and literal - iabs
    assert list(hits["score"]) == sorted(hits["score"], reverse=True)


def test_hits_carry_what_the_snippet_marks(warehouse_cursor: Con) -> None:
    hits = search(warehouse_cursor, "biological")
    top = hits.iloc[0]
    assert "Biological" in list(top["matched_words"])
    assert list(top["matched_initiatives"]) == ["IABS"]
    acronym_only = hits[hits["sentence"].str.contains("establish the IABS was held")].iloc[0]
    assert list(acronym_only["matched_words"]) == []
    assert list(acronym_only["matched_mentions"]) == ["IABS"]
    marked = snippet.marked_snippet(acronym_only["sentence"],
                                    [*acronym_only["matched_mentions"]])
    assert "<mark>IABS</mark>" in marked


def test_a_quoted_phrase_needs_its_words_side_by_side(warehouse_cursor: Con) -> None:
    literal = {(a, int(s)) for a, s in warehouse_cursor.execute(
        "SELECT article_id, sentence_no FROM sentences "
        "WHERE text ILIKE '%agency for biological safety%'").fetchall()}
    assert len(literal) == 2
    assert set(hit_keys(search(warehouse_cursor, '"Agency for Biological Safety"'))) == literal
    assert search(warehouse_cursor, '"safety biological agency"').empty
    both_words = set(hit_keys(search(warehouse_cursor, "+biological +weapons")))
    assert set(hit_keys(search(warehouse_cursor, '"biological weapons"'))) <= both_words


def test_required_excluded_and_prefix_clauses(warehouse_cursor: Con) -> None:
    geneva = sentence_of(warehouse_cursor, "%establish the IABS was held in Geneva%")
    assert hit_keys(search(warehouse_cursor, "iabs AND geneva")) == [geneva]
    required_geneva = search(warehouse_cursor, "+geneva iabs")
    assert hit_keys(required_geneva)[0] == geneva and len(required_geneva) > 1
    assert required_geneva["sentence"].str.contains("Geneva").all()
    without = search(warehouse_cursor, "biological -weapons")
    assert not without.empty
    assert not without["sentence"].str.contains("weapons", case=False).any()
    assert set(hit_keys(search(warehouse_cursor, "biolog*"))) == set(
        hit_keys(search(warehouse_cursor, "biological")))
    terms = queries.search_query_terms(warehouse_cursor, parse_query("summit*"))
    assert "summit" in list(terms["terms"].iloc[0])
    assert all(t.startswith("summit") for t in terms["terms"].iloc[0])


def test_case_accents_and_plurals_do_not_matter(warehouse_cursor: Con) -> None:
    assert hit_keys(search(warehouse_cursor, "BIOLOGICAL")) == hit_keys(
        search(warehouse_cursor, "biologícal"))
    assert set(hit_keys(search(warehouse_cursor, "summit"))) == set(
        hit_keys(search(warehouse_cursor, "summits")))


def test_filters_narrow_the_hits(warehouse_cursor: Con) -> None:
    everything = search(warehouse_cursor, "security")
    outlet = Filters(outlets=("NNN-Bernama",))
    narrowed = search(warehouse_cursor, "security", outlet)
    assert 0 < len(narrowed) < len(everything)
    assert set(narrowed["outlet"]) == {"NNN-Bernama"}
    assert set(hit_keys(narrowed)) <= set(hit_keys(everything))
    in_2020 = queries.search_hits_per_year(warehouse_cursor, Filters(published_years=(2020, 2020)),
                                           parse_query("security"))
    assert list(in_2020["year"]) == [2020]
    about_iabs = search(warehouse_cursor, "security", Filters(initiatives=("IABS",)))
    iabs_articles = {a for (a,) in warehouse_cursor.execute(
        "SELECT DISTINCT article_id FROM mentions WHERE initiative_id = 'IABS'").fetchall()}
    assert not about_iabs.empty and set(about_iabs["article_id"]) <= iabs_articles
    assert search(warehouse_cursor, "security", Filters(published_years=(1950, 1951))).empty


# The articles in view, as docs/dashboard.md defines the shared filters (written out here, apart
# from the search statements, to check them).
IN_VIEW_REFERENCE = """
SELECT a.article_id FROM articles AS a
WHERE ($published_from IS NULL OR year(a.published) >= $published_from)
  AND ($published_to IS NULL OR year(a.published) <= $published_to)
  AND (len($outlets) = 0 OR list_contains($outlets, a.outlet))
  AND (len($themes) = 0 OR a.article_id IN (
        SELECT article_id FROM article_themes WHERE list_contains($themes, theme)))
  AND (len($initiatives) = 0 OR a.article_id IN (
        SELECT article_id FROM mentions WHERE list_contains($initiatives, initiative_id)))
  AND (NOT $filters_facts OR a.article_id IN (
        SELECT e.article_id FROM curated_events AS e
        WHERE (len($initiatives) = 0 OR list_contains($initiatives, e.initiative_id))
          AND (len($event_types) = 0 OR list_contains($event_types, e.event_type))
          AND ($event_from IS NULL OR coalesce(e.end_year, e.year) >= $event_from)
          AND ($event_to IS NULL OR e.year <= $event_to)
          AND e.confidence >= $confidence_floor
          AND (NOT $reviewed_only OR e.review <> 'unreviewed')))
"""


@pytest.mark.parametrize("filters", [
    Filters(published_years=(2023, 2023)),
    Filters(outlets=("NNN-Bernama", "Eurasia Review")),
    Filters(themes=("food security", "human rights")),
    Filters(initiatives=("IABS",)),
    Filters(event_types=("held",)),
    Filters(event_years=(2019, 2021)),
    Filters(initiatives=("CICA",), event_types=("first_held", "held"), event_years=(2000, 2010)),
    Filters(themes=("security",), published_years=(2020, 2023), outlets=("NNN-Bernama",)),
    Filters(event_types=("held",), confidence_floor=90),
    Filters(event_years=(2000, 2025), reviewed_only=True),
])
@pytest.mark.parametrize("text", ["security", "international cooperation", '"confidence building"',
                                  "+security -cica"])
def test_filters_keep_the_hits_of_the_articles_in_view(warehouse_cursor: Con, filters: Filters,
                                                        text: str) -> None:
    in_view = {a for (a,) in warehouse_cursor.execute(
        IN_VIEW_REFERENCE, queries.filter_parameters(filters)).fetchall()}
    everything = search(warehouse_cursor, text, limit=10_000)
    expected = [k for k in hit_keys(everything) if k[0] in in_view]
    narrowed = search(warehouse_cursor, text, filters, limit=10_000)
    assert hit_keys(narrowed) == expected
    per_year = queries.search_hits_per_year(warehouse_cursor, filters, parse_query(text))
    assert int(per_year["hits"].sum()) == len(expected)


def test_hits_per_year_add_up_to_the_hits(warehouse_cursor: Con) -> None:
    query = parse_query("international cooperation")
    per_year = queries.search_hits_per_year(warehouse_cursor, Filters(), query)
    everything = queries.search_sentences(warehouse_cursor, Filters(), query, 10_000, 0)
    assert int(per_year["hits"].sum()) == len(everything) > 20
    assert int(per_year["articles"].sum()) == everything["article_id"].nunique()
    published = warehouse_cursor.execute(
        "SELECT article_id, year(published) FROM articles").fetchall()
    expected = pd.Series([dict(published)[a] for a in everything["article_id"]]).value_counts()
    assert dict(zip(per_year["year"], per_year["hits"], strict=True)) == expected.to_dict()


def test_pages_of_hits_follow_each_other(warehouse_cursor: Con) -> None:
    query = parse_query("international cooperation")
    everything = hit_keys(queries.search_sentences(warehouse_cursor, Filters(), query, 30, 0))
    first = hit_keys(queries.search_sentences(warehouse_cursor, Filters(), query, 10, 0))
    second = hit_keys(queries.search_sentences(warehouse_cursor, Filters(), query, 10, 10))
    assert first + second == everything[:20]


@pytest.mark.parametrize("typed", ODD_QUERIES)
def test_odd_queries_never_raise(warehouse_cursor: Con, typed: str) -> None:
    query = parse_query(typed)
    terms = queries.search_query_terms(warehouse_cursor, query)
    assert len(terms) == len(query.clauses)
    hits = queries.search_sentences(warehouse_cursor, Filters(), query, 20, 0)
    per_year = queries.search_hits_per_year(warehouse_cursor, Filters(), query)
    assert len(hits) == min(20, int(per_year["hits"].sum()) if not per_year.empty else 0)


def test_common_words_and_foreign_letters_are_read_by_the_warehouse(
        warehouse_cursor: Con) -> None:
    common = queries.search_query_terms(warehouse_cursor, parse_query("the of and"))
    assert [list(t) for t in common["terms"]] == [[], [], []]
    kazakh = queries.search_query_terms(warehouse_cursor, parse_query("Қазақстан"))
    assert [list(t) for t in kazakh["terms"]] == [["қазақстан"]]
    assert [list(s) for s in kazakh["sentences"]] == [[0]]


def test_a_phrase_reads_every_word_and_a_prefix_its_commonest_completions(
        warehouse_cursor: Con) -> None:
    query = parse_query('"biological zzqx safety" summit* -cica')
    terms = queries.search_query_terms(warehouse_cursor, query)
    assert list(terms["clause_no"]) == [1, 2, 3]
    assert list(terms["terms"].iloc[0]) == ["biological", "zzqx", "safety"]
    counts = dict(warehouse_cursor.execute(
        "SELECT term, sentences FROM search_terms "
        "WHERE term IN ('biological', 'safety', 'cica') OR starts_with(term, 'summit')"
    ).fetchall())
    assert list(terms["sentences"].iloc[0]) == [counts["biological"], 0, counts["safety"]]
    completions = sorted((t for t in counts if t.startswith("summit")),
                         key=lambda t: (-counts[t], t))
    assert list(terms["terms"].iloc[1]) == completions
    assert list(terms["sentences"].iloc[1]) == [counts[t] for t in completions]
    assert list(terms["terms"].iloc[2]) == ["cica"]


def test_a_page_without_hits_has_the_columns_and_types_of_one_with_hits(
        warehouse_cursor: Con) -> None:
    found = search(warehouse_cursor, "biological")
    nothing = search(warehouse_cursor, "Қазақстан")
    assert nothing.empty and not found.empty
    assert list(nothing.columns) == list(found.columns) == list(snippet.PAGE_COLUMNS)
    for column in ("sentence_no", "score", "terms_matched", "published"):
        assert nothing[column].dtype == found[column].dtype, column


def test_the_query_is_bound_never_spliced(warehouse_cursor: Con) -> None:
    for text in ("x' OR '1'='1", "'); DROP TABLE articles; --", '$clauses'):
        search(warehouse_cursor, text)
    assert warehouse_cursor.execute("SELECT count(*) FROM articles").fetchall()[0][0] == 5


def test_a_warehouse_without_the_index_is_recognised(warehouse_cursor: Con,
                                                       tmp_path: Path) -> None:
    assert queries.has_search_index(warehouse_cursor)
    with duckdb.connect(str(tmp_path / "old.duckdb")) as old:
        old.execute("CREATE TABLE warehouse_info (key VARCHAR, value VARCHAR)")
        assert not queries.has_search_index(old)
    with duckdb.connect(str(tmp_path / "earlier_layout.duckdb")) as earlier:
        # the index as first written: text keys, no search_articles
        earlier.execute("CREATE MACRO search_tokens(txt) AS [txt]")
        earlier.execute("CREATE TABLE search_postings (term VARCHAR, article_id VARCHAR, "
                        "sentence_no INTEGER, tf INTEGER)")
        assert not queries.has_search_index(earlier)


def test_sentence_location(warehouse_cursor: Con) -> None:
    article_id, sentence_no = sentence_of(warehouse_cursor, "%establish the IABS was held%")
    found = queries.sentence_location(warehouse_cursor, article_id, sentence_no)
    (text,), = warehouse_cursor.execute("SELECT text FROM articles WHERE article_id = ?",
                                        [article_id]).fetchall()
    start, end = int(found["start_char"].iloc[0]), int(found["end_char"].iloc[0])
    assert text[start:end] == found["text"].iloc[0]
    assert queries.sentence_location(warehouse_cursor, article_id, 10_000).empty


# --- the statements against a ranking computed from the raw tables -------------------------------

# Words and phrases, wanted, required (+) and excluded (-): each path of the statements.
REFERENCE_QUERIES = ("biological", "international cooperation", "iabs summit",
                     "+security forum", "security -cica", "astana process summit conference",
                     "+iabs +geneva", "kazakhstan -nuclear -weapons", '"confidence building"',
                     '"international cooperation" -cica', '"food security" summit',
                     '"agency for biological safety"', '+"astana process" -"food security"')


def reference_ranking(con: Con, text: str) -> list[tuple[str, int, float, int]]:
    """BM25F computed in Python from `sentences`, `mentions` and `initiatives` (no index):
    (article_id, sentence_no, score, terms matched), best first, ties by article and sentence.
    Words and phrases of distinct words, wanted, required (+) or excluded (-)."""
    import math

    query = parse_query(text)
    k1, b, weight = rank.BM25_K1, rank.BM25_B, rank.INITIATIVE_FIELD_WEIGHT
    sentences = con.execute("SELECT article_id, sentence_no, search_tokens(text) "
                            "FROM sentences").fetchall()
    named = con.execute("""
        SELECT DISTINCT m.article_id, m.sentence_no, m.initiative_id, t.term
        FROM mentions AS m JOIN initiatives AS i USING (initiative_id),
             unnest(search_tokens(concat_ws(' ', i.name, i.acronym))) AS t(term)
    """).fetchall()
    names: dict[tuple[str, int], list[str]] = {}
    for article_id, sentence_no, _, term in named:
        names.setdefault((article_id, sentence_no), []).append(term)
    n = len(sentences)
    avgdl = sum(len(tokens) for _, _, tokens in sentences) / n
    df: dict[str, int] = {}
    for article_id, sentence_no, tokens in sentences:
        for term in set(tokens) | set(names.get((article_id, sentence_no), [])):
            df[term] = df.get(term, 0) + 1
    clauses = [(con.execute("SELECT search_tokens(?)", [c.text]).fetchall()[0][0], c)
               for c in query.clauses]
    clauses = [(terms, c) for terms, c in clauses if terms]
    assert all(len(set(terms)) == len(terms) for terms, _ in clauses), "distinct words"
    wanted = {term for terms, c in clauses if not c.negated for term in terms}

    def meets(terms: list[str], tokens: list[str], held: set[str]) -> bool:
        if len(terms) == 1:
            return terms[0] in held
        return any(tokens[i:i + len(terms)] == terms for i in range(len(tokens)))

    ranked = []
    for article_id, sentence_no, tokens in sentences:
        held = set(tokens) | set(names.get((article_id, sentence_no), []))
        met = [meets(terms, tokens, held) for terms, _ in clauses]
        if any(m and c.negated for m, (_, c) in zip(met, clauses, strict=True)):
            continue
        if not all(m for m, (_, c) in zip(met, clauses, strict=True) if c.required):
            continue
        if not any(m for m, (_, c) in zip(met, clauses, strict=True) if not c.negated):
            continue
        matched = wanted & held
        score = 0.0
        for term in matched:
            idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
            tf = tokens.count(term) / (1 - b + b * len(tokens) / avgdl)
            tf += weight * names.get((article_id, sentence_no), []).count(term)
            score += idf * tf * (k1 + 1) / (tf + k1)
        ranked.append((article_id, sentence_no, round(score, 9), len(matched)))
    return sorted(ranked, key=lambda r: (-r[2], r[0], r[1]))


@pytest.mark.parametrize("text", REFERENCE_QUERIES)
def test_rankings_equal_bm25f_computed_from_the_raw_tables(warehouse_cursor: Con,
                                                           text: str) -> None:
    expected = reference_ranking(warehouse_cursor, text)
    hits = search(warehouse_cursor, text, limit=10_000)
    got = list(zip(hits["article_id"], hits["sentence_no"].astype(int), hits["score"],
                   hits["terms_matched"].astype(int), strict=True))
    assert [g[:2] for g in got] == [e[:2] for e in expected]
    assert [g[3] for g in got] == [e[3] for e in expected]
    assert [g[2] for g in got] == pytest.approx([e[2] for e in expected], abs=1e-8)
    per_year = queries.search_hits_per_year(warehouse_cursor, Filters(), parse_query(text))
    assert int(per_year["hits"].sum()) == len(expected)
    assert int(per_year["articles"].sum()) == len({e[0] for e in expected})


def test_a_hit_shows_its_sentence_as_stored(warehouse_cursor: Con) -> None:
    """The page cuts each sentence from its article's text by the offsets the index keeps:
    the result is the sentence exactly as `sentences` stores it."""
    hits = search(warehouse_cursor, "international cooperation security", limit=10_000)
    stored = dict(((a, s), t) for a, s, t in warehouse_cursor.execute(
        "SELECT article_id, sentence_no, text FROM sentences").fetchall())
    assert len(hits) > 20
    assert all(stored[(a, int(s))] == t for a, s, t in zip(
        hits["article_id"], hits["sentence_no"], hits["sentence"], strict=True))
    assert warehouse_cursor.execute("""
        SELECT count(*) FROM sentences AS s JOIN articles AS a USING (article_id)
        WHERE substring(a.text, s.start_char + 1, s.end_char - s.start_char) <> s.text
    """).fetchall() == [(0,)]


def test_a_search_repeats_exactly_and_its_pages_add_up_to_its_total(
        warehouse_cursor: Con) -> None:
    """The page's three statements answer the same every time (nothing carried between
    searches), and the pages list exactly as many sentences as the per-year total counts.

    How fast a search answers is measured by `benchmarks/search_bench.py` (`make bench`, at
    scale), not asserted here: a clock on a shared test machine says nothing about the code.
    """
    query = parse_query('international cooperation "food security" -cica summit*')
    runs = [(queries.search_query_terms(warehouse_cursor, query),
             queries.search_hits_per_year(warehouse_cursor, Filters(), query),
             queries.search_sentences(warehouse_cursor, Filters(), query, 20, 0))
            for _ in range(3)]
    for later in runs[1:]:
        for first, again in zip(runs[0], later, strict=True):
            pd.testing.assert_frame_equal(again, first)
    total = int(runs[0][1]["hits"].sum())
    every = runs[0][2]
    assert 3 < total == len(every) < 20
    pages = [queries.search_sentences(warehouse_cursor, Filters(), query, 3, offset)
             for offset in range(0, total, 3)]
    assert [len(page) for page in pages[:-1]] == [3] * (len(pages) - 1)
    pd.testing.assert_frame_equal(pd.concat(pages, ignore_index=True), every)
    assert queries.search_sentences(warehouse_cursor, Filters(), query, 3, total).empty


# --- ranking on sentences written for the purpose ------------------------------------------------


def test_more_matched_words_rank_higher(sanity_cursor: Con) -> None:
    hits = search(sanity_cursor, "zebra horse")
    both = sentence_of(sanity_cursor, "The zebra and the horse met%")
    assert hit_keys(hits)[0] == both
    assert int(hits["terms_matched"].iloc[0]) == 2
    assert (hits["terms_matched"].iloc[1:] == 1).all()


def test_rarer_words_weigh_more(sanity_cursor: Con) -> None:
    """'zebra' is in fewer sentences than 'horse': of two sentences of equal length holding one
    of them each, the zebra sentence ranks first."""
    hits = search(sanity_cursor, "zebra horse")
    zebra = sentence_of(sanity_cursor, "The zebra walked%")
    horse = sentence_of(sanity_cursor, "The horse walked%")
    order = hit_keys(hits)
    assert order.index(zebra) < order.index(horse)
    lengths = dict(sanity_cursor.execute(
        "SELECT sentence_no, length FROM search_documents JOIN search_articles USING "
        "(article_key) WHERE article_id = ? AND sentence_no IN (?, ?)",
        [zebra[0], zebra[1], horse[1]]).fetchall())
    assert zebra[0] == horse[0]
    assert lengths[zebra[1]] == lengths[horse[1]]


def test_kazakh_words_are_found_in_any_case(sanity_cursor: Con) -> None:
    hits = search(sanity_cursor, "ҚАЗАҚСТАН")
    assert len(hits) == 1 and hits["sentence"].iloc[0].startswith("Қазақстан Республикасы")
    assert list(hits["matched_words"].iloc[0]) == ["Қазақстан"]


def test_outlet_and_year_filters_on_the_written_corpus(sanity_cursor: Con) -> None:
    assert set(search(sanity_cursor, "zebra")["outlet"]) == {"Wire A", "Wire B"}
    assert set(search(sanity_cursor, "zebra", Filters(outlets=("Wire B",)))["outlet"]) == {
        "Wire B"}
    per_year = queries.search_hits_per_year(sanity_cursor, Filters(), parse_query("zebra"))
    assert dict(zip(per_year["year"], per_year["hits"], strict=True)) == {2019: 1, 2021: 2}


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture
def _warehouse(app_env: Path) -> None:
    """The AppTests below read the session warehouse."""


@pytest.mark.usefixtures("_warehouse")
def test_the_page_without_a_query_says_what_to_type() -> None:
    at = open_app("search")
    assert "Type a word" in info_text(at)
    assert at.text_input(key="search_query").value == ""
    assert not app_charts(at)


@pytest.mark.usefixtures("_warehouse")
def test_a_typed_query_shows_ranked_hits_and_goes_into_the_url() -> None:
    at = open_app("search")
    at.text_input(key="search_query").set_value("biological").run()
    assert not at.exception
    assert at.query_params["q"] == "biological"
    assert "4 sentences" in " ".join(m.value for m in at.markdown)
    cards = [h for h in html_text(at).split('<div class="im-hit">')[1:]]
    assert len(cards) == 4
    assert "<mark>International Agency for Biological Safety</mark>" in cards[0]
    assert "about IABS" in cards[0]
    figure = app_charts(at)["Sentences matching “biological”, by year"]
    assert list(figure.data[0].y) == [4]
    links = at.get("page_link")
    assert len(links) == 4
    assert all("article=" in link.proto.query_string and "sent=" in link.proto.query_string
               for link in links)


@pytest.mark.usefixtures("_warehouse")
def test_a_link_with_a_query_fills_the_box_and_keeps_the_filters(built_warehouse: Path) -> None:
    at = open_app("search", q="security", outlet="NNN-Bernama")
    assert at.text_input(key="search_query").value == "security"
    outlets = {o for (o,) in duckdb.connect(str(built_warehouse), read_only=True).execute(
        "SELECT DISTINCT a.outlet FROM search_postings p JOIN search_terms t USING (term_key) "
        "JOIN search_articles k USING (article_key) JOIN articles a USING (article_id) "
        "WHERE t.term = 'security'").fetchall()}
    assert len(outlets) > 1  # so the filter has something to remove
    shown = html_text(at)
    assert "NNN-Bernama" in shown
    assert not any(o in shown for o in outlets - {"NNN-Bernama"} if o)
    assert all("outlet=NNN-Bernama" in link.proto.query_string for link in at.get("page_link"))
    assert at.query_params["q"] == "security" and at.query_params["outlet"] == "NNN-Bernama"


@pytest.mark.usefixtures("_warehouse")
@pytest.mark.parametrize(("typed", "message"), [
    ('"', "Nothing to search for"), ("AND", "Nothing to search for"),
    ("-", "Nothing to search for"), ("*", "Nothing to search for"),
    ('""', "Nothing to search for"), ("", "Type a word"),
    ("the of and", "Only very common words"), ("Қазақстан", "No sentence matches"),
    ("-weapons", "exclusions only"), ("x" * 600, "No sentence matches"),
])
def test_odd_queries_on_the_page_give_a_clear_message(typed: str, message: str) -> None:
    at = open_app("search")
    at.text_input(key="search_query").set_value(typed).run()
    assert not at.exception, [e.value for e in at.exception]
    assert message in info_text(at)


@pytest.mark.usefixtures("_warehouse")
def test_presentation_mode_shows_the_query_and_hits_without_the_box() -> None:
    at = open_app("search", q="biological", present="1")
    assert not at.text_input
    assert "biological" in " ".join(h.value for h in at.subheader)
    assert html_text(at).count('<div class="im-hit">') == 4
    assert at.query_params["q"] == "biological" and at.query_params["present"] == "1"


@pytest.mark.usefixtures("_warehouse")
def test_filters_that_match_nothing_say_so() -> None:
    at = open_app("search", q="biological", py="1950-1951")
    assert "No sentence matches" in info_text(at) and "Reset filters" in info_text(at)


@pytest.mark.usefixtures("_warehouse")
def test_a_hit_link_opens_the_reader_at_the_sentence(built_warehouse: Path) -> None:
    con = duckdb.connect(str(built_warehouse), read_only=True)
    article_id, sentence_no = sentence_of(con, "%establish the IABS was held in Geneva%")
    at = open_app("articles", article=article_id, sent=str(sentence_no))
    shown = html_text(at)
    assert '<mark class="hit" title="search hit (sentence' in shown
    assert "Search hit, sentence" in " ".join(c.value for c in at.caption)
    assert at.query_params["sent"] == str(sentence_no)


def test_a_warehouse_built_before_search_asks_for_a_rebuild(
        built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = tmp_path / "before_search.duckdb"
    old.write_bytes(built_warehouse.read_bytes())
    with duckdb.connect(str(old)) as con:
        for table in ("search_postings", "search_documents", "search_terms", "search_stats"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DROP MACRO search_tokens")
    monkeypatch.setenv("IM_DB_PATH", str(old))
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.query_params.update({"q": "biological"})
    at.switch_page("app_pages/search.py")
    at.run()
    assert not at.exception
    assert "built before search existed" in " ".join(w.value for w in at.warning)


def test_markup_in_a_hit_is_shown_as_text(hostile_warehouse: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_DB_PATH", str(hostile_warehouse))
    at = AppTest.from_file(APP_PATH, default_timeout=60)
    at.query_params.update({"q": "script summit"})
    at.switch_page("app_pages/search.py")
    at.run()
    assert not at.exception
    shown = html_text(at)
    assert "im-hit" in shown
    assert "<script>" not in shown and "&lt;<mark>script</mark>&gt;" in shown
