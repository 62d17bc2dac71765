"""Ranking quality of the three search engines: nDCG@10 against written relevance judgements.

    python -m benchmarks.search_quality [--workdir DIR] [--json FILE]
    python -m benchmarks.search_quality --pool        # the top 10s that are not judged yet

The corpus is stable: the shipped articles (`data/articles`) and the first QUALITY_ARTICLES
articles of the generated corpus (`benchmarks.corpus`, seed QUALITY_SEED), built into a
warehouse by the ETL. The judgements (`benchmarks/search_judgements.yaml`) give, for each
query, what an analyst typing it wants (`need`) and a grade per sentence, keyed by the
sentence's text (`sentence_key`: the first 12 hex digits of its sha1), so that the same
sentence in several articles (generated prose repeats itself) is judged once:

    3  about the need: the sentence is what the analyst is looking for
    2  relevant: it says something about the need, in passing or as one item of several
    1  marginal: on the topic's edge (a word of the query in a related sense)
    0  not relevant

The pool judged is every engine's top 10 (`--pool` prints the sentences still unjudged); a
sentence nobody judged counts 0. nDCG@10 uses the gain 2^grade - 1 and, as the ideal, the
judged sentences of the corpus in grade order (each copy of a repeated sentence counts). The
report also gives each engine's judged share of its top 10, so a hole in the judgements shows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import yaml

from benchmarks.search_engines import Hit, build_engines
from dashboard.search.parse import parse_query

PROJECT_ROOT = Path(__file__).resolve().parent.parent
JUDGEMENTS = Path(__file__).resolve().parent / "search_judgements.yaml"
QUALITY_ARTICLES = 300
QUALITY_SEED = 7
CUTOFF = 10


def sentence_key(text: str) -> str:
    """A sentence's judgement key: its text's sha1, 12 hex digits."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:12]


def load_judgements(path: Path = JUDGEMENTS) -> list[dict[str, Any]]:
    """The queries with their need and grades ({sentence key: grade})."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [{"query": e["query"], "need": e["need"],
             "grades": {str(k): int(v) for k, v in (e.get("grades") or {}).items()}}
            for e in entries]


def build_corpus_warehouse(workdir: Path) -> Path:
    """The quality corpus (shipped + generated articles) built by the ETL; its warehouse."""
    from benchmarks.etl_bench import generate

    generated = generate(QUALITY_ARTICLES, QUALITY_SEED, workdir / "generated")
    folder = workdir / "articles"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(Path(str(generated["out"])) / "articles", folder)
    shipped = PROJECT_ROOT / "data" / "articles"
    rows = (shipped / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)[1:]
    with (folder / "manifest.csv").open("a", encoding="utf-8") as manifest:
        manifest.writelines(rows)
    for path in shipped.iterdir():
        if path.name != "manifest.csv":
            shutil.copy2(path, folder / path.name)
    db = workdir / "quality.duckdb"
    db.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "etl", "--articles", str(folder), "--db", str(db),
                    "--quiet", "--full"], check=True, cwd=PROJECT_ROOT)
    return db


def key_counts(db: Path) -> dict[str, int]:
    """How many sentences of the corpus have each text (by key)."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for (text,) in con.execute("SELECT text FROM sentences").fetchall():
            key = sentence_key(text)
            counts[key] = counts.get(key, 0) + 1
    return counts


def ndcg(ranked: list[str], grades: dict[str, int], counts: dict[str, int],
         cutoff: int = CUTOFF) -> float:
    """nDCG@cutoff of the ranked sentence keys, against graded keys (unjudged: 0)."""
    def dcg(gains: list[int]) -> float:
        return sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains[:cutoff]))

    ideal_grades = sorted((g for key, g in grades.items() for _ in range(counts.get(key, 0))),
                          reverse=True)
    ideal = dcg(ideal_grades)
    return dcg([grades.get(key, 0) for key in ranked]) / ideal if ideal else 0.0


def top_keys(hits: list[Hit]) -> list[str]:
    return [sentence_key(hit.text) for hit in hits[:CUTOFF]]


def score(engines: list[Any], judgements: list[dict[str, Any]], counts: dict[str, int]
          ) -> dict[str, Any]:
    """nDCG@10 and judged share per engine and query, and their means; printed."""
    names = [engine.name for engine in engines]
    per_query: dict[str, dict[str, Any]] = {}
    print(f"{'query':40} " + " ".join(f"{name:>14}" for name in names))
    for entry in judgements:
        query = parse_query(entry["query"])
        row = {}
        for engine in engines:
            keys = top_keys(engine.search(query, CUTOFF))
            judged = sum(key in entry["grades"] for key in keys) / len(keys) if keys else 1.0
            row[engine.name] = {"ndcg@10": round(ndcg(keys, entry["grades"], counts), 3),
                                "judged": round(judged, 2)}
        per_query[entry["query"]] = row
        print(f"{entry['query'][:40]:40} " + " ".join(
            f"{row[n]['ndcg@10']:>8.3f} ({row[n]['judged']:.0%})" for n in names))
    means = {name: round(statistics.mean(r[name]["ndcg@10"] for r in per_query.values()), 3)
             for name in names}
    print("mean nDCG@10: " + ", ".join(f"{n} {means[n]:.3f}" for n in names))
    return {"queries": per_query, "mean_ndcg@10": means, "corpus_articles": QUALITY_ARTICLES,
            "judged_queries": len(judgements)}


def print_pool(engines: list[Any], judgements: list[dict[str, Any]]) -> None:
    """Every engine's top 10 sentences that are not judged yet, per query (to judge them)."""
    for entry in judgements:
        query = parse_query(entry["query"])
        unjudged: dict[str, str] = {}
        for engine in engines:
            for hit in engine.search(query, CUTOFF):
                key = sentence_key(hit.text)
                if key not in entry["grades"]:
                    unjudged.setdefault(key, hit.text)
        if unjudged:
            print(f"\n## {entry['query']}  ({entry['need']})")
            for key, text in unjudged.items():
                # the file keeps the grade only: the text is here to be read, not copied
                print(f"    {key}: 0\n        {json.dumps(text[:150], ensure_ascii=False)}")


def run(workdir: Path, pool: bool = False, db: Path | None = None) -> dict[str, Any]:
    """Build the corpus (unless `db` is its warehouse, built before) and the engines in
    `workdir`, score them (or print the pool)."""
    workdir.mkdir(parents=True, exist_ok=True)
    db = db or build_corpus_warehouse(workdir)
    built = build_engines(db, workdir / "engines", project_seconds=0.0, tantivy_threads=1)
    try:
        judgements = load_judgements()
        if pool:
            print_pool(built.engines, judgements)
            return {}
        return score(built.engines, judgements, key_counts(db))
    finally:
        built.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    parser.add_argument("--pool", action="store_true", help="print the unjudged top 10s")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--db", type=Path, help="the quality corpus's warehouse, if built")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.workdir or Path(scratch)
        (workdir / "engines").mkdir(parents=True, exist_ok=True)
        figures = run(workdir, args.pool, args.db)
    if args.json and figures:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
