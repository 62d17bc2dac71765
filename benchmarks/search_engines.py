"""The project's search engine side by side with tantivy and SQLite FTS5, on the same sentences.

    python -m benchmarks.search_engines --db WAREHOUSE [--runs 15] [--workdir DIR]

Every engine indexes the same sentences of one warehouse (`sentences`) in the same two fields
as the project's index (docs/search.md): the sentence's own words, and the names and acronyms
of the initiatives it mentions (`mentions`), the second weighted twice. Every engine answers the
same queries, read by the project's own parser (`dashboard.search.parse`) and written in each
engine's query language (`tantivy_query`, `fts5_match`), and returns the same thing: the top 20
sentences with their text and their article's title, fetched.

- **project**: `search_sentences` (the Search page's first page: BM25F, marks included) on a
  read-only connection, as the dashboard runs it; its index was written by the ETL.
- **tantivy** (the Rust library's Python wheel): English stemming (`en_stem`), BM25, the
  initiative field boosted 2x; text, title and ids stored in the index and fetched by address.
- **fts5**: SQLite's FTS5 in Python's `sqlite3`, Porter stemming, `bm25()` with column
  weights 1 and 2; `ORDER BY rank LIMIT 20`, the title from a table keyed by article.

Figures per engine: index build seconds (the project's: `build_search_index` on a copy of the
warehouse, unless `--project-build-seconds` gives the ETL's own), index size in MB, and per
query p50/p95 in milliseconds of `--runs` calls after a warm-up. `benchmarks.search_quality`
scores the same three engines' rankings against written relevance judgements.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from benchmarks.search_bench import time_query
from dashboard.filters import Filters
from dashboard.search.parse import Clause, SearchQuery, parse_query

QUERIES = ("biological", '"biological safety"', "iabs AND summit", "summit*",
           "security NOT cica", "international cooperation security forum", "Қазақстан",
           "kazakhstan", '"confidence building measures"')
PAGE_SIZE = 20
INITIATIVE_BOOST = 2.0  # as the project's INITIATIVE_FIELD_WEIGHT
MAX_PREFIX_TERMS = 50  # as the project's: a prefix stands for its 50 commonest terms
EXPORT_BATCH = 200_000  # sentences read from the warehouse at a time

# One row per sentence: its ids, text, its article's title and publication year, and the
# names and acronyms of the initiatives it mentions (the second field).
_SENTENCES = """
SELECT s.article_id, s.sentence_no, s.text, coalesce(a.title, '') AS title,
       coalesce(n.names, '') AS initiatives
FROM sentences AS s
JOIN articles AS a USING (article_id)
LEFT JOIN (
    SELECT m.article_id, m.sentence_no,
           string_agg(concat_ws(' ', i.name, i.acronym), ' ; ' ORDER BY i.initiative_id)
               AS names
    FROM (SELECT DISTINCT article_id, sentence_no, initiative_id FROM mentions) AS m
    JOIN initiatives AS i USING (initiative_id)
    GROUP BY ALL
) AS n USING (article_id, sentence_no)
"""


@dataclass(frozen=True)
class Hit:
    """One hit of a top 20, as every engine returns it."""

    article_id: str
    sentence_no: int
    text: str
    title: str


class Engine(Protocol):
    """A search engine over one warehouse's sentences."""

    name: str

    def search(self, query: SearchQuery, limit: int = PAGE_SIZE) -> list[Hit]:
        """The best `limit` sentences for `query`, with their text and title."""
        ...


def sentence_batches(con: duckdb.DuckDBPyConnection) -> Iterator[list[tuple[Any, ...]]]:
    """The warehouse's sentences (as `_SENTENCES`), a batch at a time (memory stays flat)."""
    result = con.execute(_SENTENCES)
    while rows := result.fetchmany(EXPORT_BATCH):
        yield rows


def directory_mb(path: Path) -> float:
    """Megabytes of the files under `path` (a file: its size)."""
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2**20


# --- the project's engine ----------------------------------------------------------------------


class ProjectEngine:
    """The dashboard's own search (`dashboard.queries.search_sentences`), read-only."""

    name = "project"

    def __init__(self, db: Path) -> None:
        from dashboard import queries

        self._queries = queries
        self._con = duckdb.connect(str(db), read_only=True)

    def search(self, query: SearchQuery, limit: int = PAGE_SIZE) -> list[Hit]:
        page = self._queries.search_sentences(self._con, Filters(), query, limit, 0)
        return [Hit(r.article_id, int(r.sentence_no), r.sentence, r.title or "")
                for r in page.itertuples()]

    def close(self) -> None:
        self._con.close()


def project_index_mb(db: Path) -> float:
    """Megabytes of the blocks the search tables occupy in the warehouse file."""
    from etl.search_index import SEARCH_TABLES

    with duckdb.connect(str(db), read_only=True) as con:
        (block_size,), = con.execute("SELECT block_size FROM pragma_database_size()").fetchall()
        blocks = 0
        for table in SEARCH_TABLES:
            (count,), = con.execute(
                "SELECT count(DISTINCT block_id) FROM pragma_storage_info(?) "
                "WHERE persistent AND block_id >= 0", [table]).fetchall()
            blocks += count
    return blocks * block_size / 2**20


def project_build_seconds(db: Path, workdir: Path) -> float:
    """Seconds `build_search_index` takes on a copy of `db` (under the ETL's memory limit)."""
    from benchmarks.search_bench import build_connection
    from etl.search_index import build_search_index

    copy = workdir / "project-index-copy.duckdb"
    shutil.copyfile(db, copy)
    try:
        with build_connection(copy) as con:
            started = time.perf_counter()
            build_search_index(con)
            con.execute("CHECKPOINT")
            return time.perf_counter() - started
    finally:
        copy.unlink(missing_ok=True)
        shutil.rmtree(f"{copy}.tmp", ignore_errors=True)


# --- tantivy -----------------------------------------------------------------------------------


def tantivy_schema() -> Any:
    """Text and initiative names stemmed with positions; title and ids stored for fetching."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=True, tokenizer_name="en_stem")
    builder.add_text_field("initiatives", tokenizer_name="en_stem")
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("article_id", stored=True, tokenizer_name="raw",
                           index_option="basic")
    builder.add_unsigned_field("sentence_no", stored=True)
    return builder.build()


def build_tantivy(con: duckdb.DuckDBPyConnection, directory: Path, threads: int = 0) -> None:
    """Index every sentence of the warehouse into a tantivy index in `directory`.

    `threads` 0 lets tantivy use every core; 1 makes the index, and so the order of equal
    scores, the same on every build (the quality benchmark needs that).
    """
    import tantivy

    directory.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(tantivy_schema(), path=str(directory))
    writer = index.writer(heap_size=256_000_000, num_threads=threads)
    for rows in sentence_batches(con):
        for article_id, sentence_no, text, title, names in rows:
            writer.add_document(tantivy.Document(
                article_id=article_id, sentence_no=sentence_no, text=text, title=title,
                initiatives=names))
    writer.commit()
    writer.wait_merging_threads()


class TantivyEngine:
    """Top 20 by tantivy's BM25 over the two fields; stored fields fetched by address."""

    name = "tantivy"

    def __init__(self, directory: Path) -> None:
        import tantivy

        self._tantivy = tantivy
        self._index = tantivy.Index.open(str(directory))
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(self, query: SearchQuery, limit: int = PAGE_SIZE) -> list[Hit]:
        parsed = tantivy_query(self._index, self._searcher, query)
        if parsed is None:
            return []
        result = self._searcher.search(parsed, limit, count=False)
        hits = []
        for _score, address in result.hits:
            doc = self._searcher.doc(address)
            hits.append(Hit(doc["article_id"][0], int(doc["sentence_no"][0]), doc["text"][0],
                            doc["title"][0]))
        return hits


def _quoted(text: str) -> str:
    """A clause's text as one quoted tantivy (or FTS5) string: a phrase of its words."""
    return '"' + text.replace('"', " ") + '"'


def tantivy_query(index: Any, searcher: Any, query: SearchQuery) -> Any | None:
    """`query`'s clauses as one tantivy boolean query (None when nothing can match).

    A word or phrase is parsed by tantivy's own query parser over both fields (so it is
    stemmed as the index was); a prefix is a regular expression on the unstemmed prefix over
    both fields. Required clauses must match, excluded ones must not, the others should.
    """
    import tantivy

    parts = []
    for clause in query.clauses:
        sub = _tantivy_clause(index, searcher, clause)
        if sub is None:
            if clause.required:
                return None
            continue
        occur = (tantivy.Occur.MustNot if clause.negated else
                 tantivy.Occur.Must if clause.required else tantivy.Occur.Should)
        parts.append((occur, sub))
    if not any(occur != tantivy.Occur.MustNot for occur, _ in parts):
        return None
    return tantivy.Query.boolean_query(parts)


def _tantivy_clause(index: Any, searcher: Any, clause: Clause) -> Any | None:
    import tantivy

    if clause.prefix:
        prefix = "".join(ch for ch in clause.text.lower() if ch.isalnum())
        if not prefix:
            return None
        pattern = _regex_escape(prefix) + ".*"
        schema = index.schema
        return tantivy.Query.boolean_query([
            (tantivy.Occur.Should, tantivy.Query.regex_query(schema, "text", pattern)),
            (tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.regex_query(schema, "initiatives", pattern), INITIATIVE_BOOST)),
        ])
    try:
        return index.parse_query(_quoted(clause.text), ["text", "initiatives"],
                                 field_boosts={"initiatives": INITIATIVE_BOOST})
    except ValueError:  # only characters the tokenizer drops
        return None


def _regex_escape(text: str) -> str:
    return "".join("\\" + ch if ch in r".^$*+?()[]{}|\\" else ch for ch in text)


# --- SQLite FTS5 -------------------------------------------------------------------------------


def build_fts5(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Index every sentence of the warehouse into an FTS5 table in the SQLite file `path`."""
    path.unlink(missing_ok=True)
    lite = sqlite3.connect(path)
    lite.executescript("""
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE VIRTUAL TABLE sentences USING fts5(
            text, initiatives, article_id UNINDEXED, sentence_no UNINDEXED,
            tokenize = 'porter unicode61 remove_diacritics 2');
        CREATE TABLE titles (article_id TEXT PRIMARY KEY, title TEXT) WITHOUT ROWID;
    """)
    titles: dict[str, str] = {}
    for rows in sentence_batches(con):
        lite.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?)",
                         [(text, names, article_id, sentence_no)
                          for article_id, sentence_no, text, _title, names in rows])
        titles.update((row[0], row[3]) for row in rows)
    lite.executemany("INSERT INTO titles VALUES (?, ?)", titles.items())
    lite.execute("INSERT INTO sentences(sentences) VALUES ('optimize')")
    lite.commit()
    lite.close()


def fts5_match(query: SearchQuery) -> str | None:
    """`query` as an FTS5 MATCH expression (None when nothing can match).

    FTS5 has no optional clauses beside required ones: with required clauses, a sentence must
    hold all of them (the project's rule too: required ones are wanted), else any wanted one;
    excluded clauses are taken out with NOT.
    """
    def term(clause: Clause) -> str:
        return _quoted(clause.text) + (" *" if clause.prefix else "")

    required = [term(c) for c in query.clauses if c.required and not c.negated]
    wanted = [term(c) for c in query.clauses if not c.negated]
    excluded = [term(c) for c in query.clauses if c.negated]
    if not wanted:
        return None
    positive = " AND ".join(required) if required else " OR ".join(wanted)
    expression = f"({positive})"
    if excluded:
        expression += " NOT (" + " OR ".join(excluded) + ")"
    return expression


class Fts5Engine:
    """Top 20 by FTS5's bm25() with the initiative column weighted 2; title by article."""

    name = "fts5"

    _TOP = """
        SELECT s.article_id, s.sentence_no, s.text, coalesce(t.title, '')
        FROM (SELECT article_id, sentence_no, text FROM sentences
              WHERE sentences MATCH ? ORDER BY bm25(sentences, 1.0, ?) LIMIT ?) AS s
        LEFT JOIN titles AS t USING (article_id)
    """

    def __init__(self, path: Path) -> None:
        self._lite = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                     check_same_thread=False)

    def search(self, query: SearchQuery, limit: int = PAGE_SIZE) -> list[Hit]:
        match = fts5_match(query)
        if match is None:
            return []
        try:
            rows = self._lite.execute(self._TOP, [match, INITIATIVE_BOOST, limit]).fetchall()
        except sqlite3.OperationalError:  # e.g. a phrase of characters FTS5 drops
            return []
        return [Hit(a, int(n), text, title) for a, n, text, title in rows]


# --- measuring ---------------------------------------------------------------------------------


def time_calls(run: Callable[[], object], runs: int) -> dict[str, float]:
    """p50 and p95 in milliseconds of `runs` calls of `run`, after one warm-up call (timed as
    the search benchmark times the page's statements)."""
    p50, p95 = time_query(run, runs)
    return {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2)}


@dataclass
class Built:
    """The three engines over one warehouse, and what building them cost."""

    engines: list[Any]
    build_seconds: dict[str, float] = field(default_factory=dict)
    index_mb: dict[str, float] = field(default_factory=dict)

    def close(self) -> None:
        for engine in self.engines:
            if hasattr(engine, "close"):
                engine.close()


def build_engines(db: Path, workdir: Path, project_seconds: float | None = None,
                  tantivy_threads: int = 0) -> Built:
    """Build tantivy and FTS5 from `db`'s sentences in `workdir`; time the project's index
    build on a copy of `db` unless `project_seconds` is given."""
    built = Built(engines=[])
    if project_seconds is None:
        project_seconds = project_build_seconds(db, workdir)
    built.build_seconds["project"] = round(project_seconds, 1)
    built.index_mb["project"] = round(project_index_mb(db), 1)
    with duckdb.connect(str(db), read_only=True) as con:
        directory = workdir / "tantivy"
        shutil.rmtree(directory, ignore_errors=True)
        started = time.perf_counter()
        build_tantivy(con, directory, tantivy_threads)
        built.build_seconds["tantivy"] = round(time.perf_counter() - started, 1)
        built.index_mb["tantivy"] = round(directory_mb(directory), 1)
        lite = workdir / "fts5.sqlite"
        started = time.perf_counter()
        build_fts5(con, lite)
        built.build_seconds["fts5"] = round(time.perf_counter() - started, 1)
        built.index_mb["fts5"] = round(directory_mb(lite), 1)
    built.engines = [ProjectEngine(db), TantivyEngine(directory), Fts5Engine(lite)]
    return built


def overlap(first: list[Hit], second: list[Hit]) -> float:
    """The share of `first`'s hits that `second` also returns, compared by sentence text (a
    corpus repeating a sentence in several articles orders equal scores differently in each
    engine)."""
    if not first:
        return 1.0 if not second else 0.0
    texts = {h.text.strip() for h in second}
    return sum(h.text.strip() in texts for h in first) / len(first)


def measure(built: Built, runs: int, texts: tuple[str, ...] = QUERIES) -> dict[str, Any]:
    """p50/p95 per engine and query, the top 20's overlap with the project's; printed."""
    names = [engine.name for engine in built.engines]
    figures: dict[str, Any] = {"queries": {}, "build_seconds": built.build_seconds,
                               "index_mb": built.index_mb, "runs": runs}
    print(f"{'engine':8} {'build s':>8} {'index MB':>9}")
    for name in names:
        print(f"{name:8} {built.build_seconds[name]:>8.1f} {built.index_mb[name]:>9.1f}")
    print("top 20 with text and title, p50 ms (p95); overlap of the top 20 with the project's")
    print(f"{'query':34} " + " ".join(f"{name:>18}" for name in names))
    for text in texts:
        query = parse_query(text)
        row: dict[str, Any] = {}
        tops = {engine.name: engine.search(query) for engine in built.engines}
        for engine in built.engines:
            timing = time_calls(lambda e=engine, q=query: e.search(q), runs)
            row[engine.name] = {**timing, "hits": len(tops[engine.name]),
                                "overlap_with_project": round(
                                    overlap(tops["project"], tops[engine.name]), 2)}
        figures["queries"][text] = row
        cells = " ".join(f"{_cell(row[name]):>18}" for name in names)
        print(f"{text[:34]:34} {cells}")
    for name in names:
        worst = max(row[name]["p95_ms"] for row in figures["queries"].values())
        median = statistics.median(row[name]["p50_ms"] for row in figures["queries"].values())
        figures[f"{name}_worst_p95_ms"] = worst
        figures[f"{name}_median_p50_ms"] = median
    print("worst p95: " + ", ".join(f"{n} {figures[f'{n}_worst_p95_ms']:.1f} ms"
                                    for n in names))
    return figures


def _cell(timing: dict[str, Any]) -> str:
    return (f"{timing['p50_ms']:.1f} ({timing['p95_ms']:.1f}) "
            f"{timing['overlap_with_project']:.0%}")


def run(db: Path, workdir: Path, runs: int = 15,
        project_seconds: float | None = None) -> dict[str, Any]:
    """Build the other engines beside `db`, measure the three; the figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    built = build_engines(db, workdir, project_seconds)
    try:
        return measure(built, runs)
    finally:
        built.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a built warehouse")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--workdir", type=Path, help="where the other engines' indexes go "
                        "(default: a temporary folder)")
    parser.add_argument("--project-build-seconds", type=float,
                        help="the project's index build time, if known (skips timing it)")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        figures = run(args.db, args.workdir or Path(scratch), args.runs,
                      args.project_build_seconds)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
