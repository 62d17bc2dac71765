"""Score a warehouse built from a synthetic corpus against the corpus's ground truth.

    python -m benchmarks.accuracy --db /tmp/bench/warehouse.duckdb --truth /tmp/bench/truth.jsonl
    python -m benchmarks.accuracy ... --examples 5     # plus misses and false positives

`score_warehouse(db_path, truth_path)` compares, per article, the (initiative_id, event_type,
year) rows of `events` and the (initiative_id, kind, count, year) rows of `memberships` with the
truth written by `benchmarks.corpus`, as sets (a fact stated twice in an article counts once),
and returns micro-averaged precision, recall and F1 over the corpus, the same per event type and
per membership kind, and what happened to the files (loaded, skipped as duplicates, reported as
failed) against what should have happened.

Duplicates: the ETL loads an article once, under the first of its file names, and lists the
others in `articles.duplicate_files`. Each truth record of a duplicate names its original
(`duplicate_of`), so a group of copies is scored once, as the original's article, whichever of
its names the warehouse used. Files whose truth says they should fail (empty, binary,
oversized, missing) have no facts; a cp1251 file should load and is scored like any other.

Everything happens in DuckDB: the truth is read with `read_json` into a temporary table and
joined with the warehouse (attached read-only), so scoring 100,000 articles takes seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

TRUTH_COLUMNS = {
    "file": "VARCHAR",
    "published": "VARCHAR",
    "duplicate_of": "VARCHAR",
    "bad": "VARCHAR",
    "expect": "VARCHAR",
    "format": "VARCHAR",
    "encoding": "VARCHAR",
    "events": "STRUCT(initiative_id VARCHAR, event_type VARCHAR, year INTEGER, "
              "sentence VARCHAR)[]",
    "memberships": "STRUCT(initiative_id VARCHAR, kind VARCHAR, count INTEGER, year INTEGER, "
                   "sentence VARCHAR)[]",
}
# (name, key columns of a fact, warehouse table)
FACT_KINDS = (
    ("events", ("initiative_id", "event_type", "year"), "events"),
    ("memberships", ("initiative_id", "kind", "count", "year"), "memberships"),
)


def _ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator, 1.0 when there is nothing to divide (no predictions, no truth)."""
    return numerator / denominator if denominator else 1.0


def _measures(predicted: int, truth: int, correct: int) -> dict[str, float | int]:
    precision = _ratio(correct, predicted)
    recall = _ratio(correct, truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"predicted": predicted, "truth": truth, "correct": correct,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _load(con: duckdb.DuckDBPyConnection, db_path: Path, truth_path: Path,
          articles_dir: Path | None) -> None:
    """Attach the warehouse and build the temporary tables the measures are computed on."""
    con.execute(f"ATTACH '{_quoted(db_path)}' AS w (READ_ONLY)")
    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in TRUTH_COLUMNS.items()) + "}"
    con.execute(f"""
        CREATE TEMP TABLE truth AS
        SELECT * FROM read_json('{_quoted(truth_path)}', format = 'newline_delimited',
                                columns = {columns})""")  # noqa: S608 (paths are quoted)
    if articles_dir is not None:
        names = _folder_names(articles_dir)
        con.execute("CREATE TEMP TABLE present (file VARCHAR)")
        con.executemany("INSERT INTO present VALUES (?)", [[n] for n in sorted(names)])
        con.execute("DELETE FROM truth WHERE file NOT IN (SELECT file FROM present)")
    con.execute("""
        CREATE TEMP TABLE groups AS
        SELECT file, coalesce(duplicate_of, file) AS grp, expect FROM truth""")
    con.execute("""
        CREATE TEMP TABLE loaded AS
        SELECT DISTINCT a.article_id, g.grp
        FROM w.articles a JOIN groups g ON g.file = a.source_file
        WHERE g.grp IN (SELECT file FROM truth WHERE expect = 'load')""")
    for name, keys, table in FACT_KINDS:
        truth_keys = ", ".join(f"f.{k}" for k in keys)
        con.execute(f"""
            CREATE TEMP TABLE tf_{name} AS
            SELECT file AS grp, {truth_keys}, coalesce(f.year, -1) AS year_key, f.sentence
            FROM (SELECT file, unnest({name}) AS f FROM truth WHERE expect = 'load')""")  # noqa: S608
        con.execute(f"""
            CREATE TEMP TABLE t_{name} AS
            SELECT DISTINCT grp, {", ".join(keys)}, year_key FROM tf_{name}""")  # noqa: S608
        con.execute(f"""
            CREATE TEMP TABLE p_{name} AS
            SELECT DISTINCT l.grp, {", ".join(f"x.{k}" for k in keys)},
                   coalesce(x.year, -1) AS year_key
            FROM w.{table} x JOIN loaded l USING (article_id)""")  # noqa: S608
        join = " AND ".join(f"p.{k} = t.{k}" for k in keys if k != "year")
        con.execute(f"""
            CREATE TEMP TABLE m_{name} AS
            SELECT p.grp, {", ".join(f"p.{k}" for k in keys)},
                   t.grp IS NOT NULL AS correct
            FROM p_{name} p LEFT JOIN t_{name} t
              ON p.grp = t.grp AND {join} AND p.year_key = t.year_key""")  # noqa: S608


def _folder_names(articles_dir: Path) -> set[str]:
    """The files of an article folder plus the names its manifest lists (existing or not)."""
    names = {p.name for p in Path(articles_dir).iterdir() if p.name != "manifest.csv"}
    manifest = Path(articles_dir) / "manifest.csv"
    if manifest.exists():
        with open(manifest, newline="", encoding="utf-8") as handle:
            names |= {row["file"] for row in csv.DictReader(handle) if row.get("file")}
    return names


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _fact_scores(con: duckdb.DuckDBPyConnection, name: str, by: str) -> dict[str, Any]:
    """Overall, per-`by` (event_type / kind) and per-file-format measures of one fact table."""
    predicted, correct = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE correct) FROM m_{name}").fetchone()  # noqa: S608
    truth = con.execute(f"SELECT count(*) FROM t_{name}").fetchone()[0]  # noqa: S608
    result: dict[str, Any] = _measures(predicted, truth, correct)
    rows = con.execute(f"""
        WITH p AS (SELECT {by} AS key, count(*) AS predicted,
                          count(*) FILTER (WHERE correct) AS correct
                   FROM m_{name} GROUP BY 1),
             t AS (SELECT {by} AS key, count(*) AS truth FROM t_{name} GROUP BY 1)
        SELECT coalesce(p.key, t.key), coalesce(predicted, 0), coalesce(truth, 0),
               coalesce(correct, 0)
        FROM p FULL JOIN t ON p.key = t.key ORDER BY 1""").fetchall()  # noqa: S608
    result[f"by_{by}"] = {key: _measures(p, t, c) for key, p, t, c in rows}
    rows = con.execute(f"""
        WITH p AS (SELECT f.format AS key, count(*) AS predicted,
                          count(*) FILTER (WHERE correct) AS correct
                   FROM m_{name} m JOIN truth f ON f.file = m.grp GROUP BY 1),
             t AS (SELECT f.format AS key, count(*) AS truth
                   FROM t_{name} x JOIN truth f ON f.file = x.grp GROUP BY 1)
        SELECT coalesce(p.key, t.key), coalesce(predicted, 0), coalesce(truth, 0),
               coalesce(correct, 0)
        FROM p FULL JOIN t ON p.key = t.key ORDER BY 1""").fetchall()  # noqa: S608
    result["by_format"] = {key: _measures(p, t, c) for key, p, t, c in rows}
    return result


def _file_outcomes(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Files the ETL loaded, skipped as duplicates and reported, against the truth."""
    expected = dict(con.execute("SELECT expect, count(*) FROM truth GROUP BY 1").fetchall())
    names = con.execute("SELECT source_file FROM w.articles").fetchall()
    loaded = {n for (n,) in names}
    skipped = dict(con.execute("""
        SELECT split_part(d, '#', 1), a.source_file
        FROM w.articles a, unnest(a.duplicate_files) AS u(d)""").fetchall())
    try:
        reported = {n for (n,) in con.execute("""
            SELECT DISTINCT source_file FROM w.load_problems
            WHERE severity = 'error' AND run_id = (
                SELECT run_id FROM w.etl_runs ORDER BY started_at DESC LIMIT 1)""").fetchall()}
    except duckdb.Error:
        reported = set()
    encodings = con.execute("""
        SELECT t.file FROM truth t JOIN w.articles a ON a.source_file = t.file
        WHERE t.encoding IS NOT NULL AND lower(a.encoding) <> t.encoding
        ORDER BY 1""").fetchall()
    # a manifest date known to the month or year may be refined by the date the article itself
    # shows inside that period; any other difference is a mismatch
    published = con.execute("""
        SELECT t.file FROM truth t JOIN w.articles a ON a.source_file = t.file
        WHERE t.published IS DISTINCT FROM CASE a.published_precision
            WHEN 'day' THEN strftime(a.published, '%Y-%m-%d')
            WHEN 'month' THEN strftime(a.published, '%Y-%m')
            WHEN 'year' THEN strftime(a.published, '%Y') END
          AND NOT coalesce(a.published_precision IN ('day', 'month')
                           AND length(t.published) < 10
                           AND starts_with(strftime(a.published, '%Y-%m-%d'), t.published),
                           false)
        ORDER BY 1""").fetchall()
    rows = con.execute("SELECT file, expect, duplicate_of FROM truth").fetchall()
    not_loaded = sorted(f for f, e, _ in rows if e == "load" and f not in loaded)
    undetected = sorted(f for f, e, _ in rows if e == "duplicate" and f not in skipped)
    wrong_original = sorted(f for f, e, d in rows if e == "duplicate" and f in skipped and
                            skipped[f] != d)
    unreported = sorted(f for f, e, _ in rows if e == "error" and f not in reported)
    wrongly_failed = sorted(f for f, e, _ in rows if e != "error" and f in reported)
    truth_files = {f for f, _, _ in rows}
    return {
        "expected_loaded": expected.get("load", 0),
        "loaded": sum(1 for f, e, _ in rows if e == "load" and f in loaded),
        "not_loaded": not_loaded[:20],
        "duplicates_expected": expected.get("duplicate", 0),
        "duplicates_detected": sum(1 for f, e, _ in rows if e == "duplicate" and f in skipped),
        "duplicates_undetected": undetected[:20],
        "duplicates_wrong_original": wrong_original[:20],
        "errors_expected": expected.get("error", 0),
        "errors_reported": sum(1 for f, e, _ in rows if e == "error" and f in reported),
        "errors_unreported": unreported[:20],
        "wrongly_failed": wrongly_failed[:20],
        "unknown_files": len(loaded - truth_files),
        "encoding_mismatches": [f for (f,) in encodings][:20],
        # publication dates the warehouse holds other than the one the article shows
        "published_mismatches": len(published),
        "published_mismatch_examples": [f for (f,) in published][:20],
    }


def _examples(con: duckdb.DuckDBPyConnection, limit: int) -> dict[str, Any]:
    """Up to `limit` false positives and misses per fact kind, with their sentences."""
    out: dict[str, Any] = {}
    for name, keys, table in FACT_KINDS:
        key_cols = ", ".join(f"m.{k}" for k in keys)
        join = " AND ".join(f"x.{k} IS NOT DISTINCT FROM m.{k}" for k in keys)
        false = con.execute(f"""
            SELECT * FROM (
                SELECT m.grp, {key_cols}, any_value(x.sentence) AS sentence
                FROM m_{name} m JOIN loaded l ON l.grp = m.grp
                JOIN w.{table} x ON x.article_id = l.article_id AND {join}
                WHERE NOT m.correct GROUP BY ALL)
            ORDER BY hash(grp, sentence) LIMIT {int(limit)}""").fetchall()  # noqa: S608
        t_keys = ", ".join(f"t.{k}" for k in keys)
        p_join = " AND ".join(f"p.{k} = t.{k}" for k in keys if k != "year")
        missed = con.execute(f"""
            SELECT * FROM (
                SELECT t.grp, {t_keys}, any_value(t.sentence) AS sentence
                FROM tf_{name} t ANTI JOIN p_{name} p
                  ON p.grp = t.grp AND {p_join} AND p.year_key = t.year_key
                GROUP BY ALL)
            ORDER BY hash(grp, sentence) LIMIT {int(limit)}""").fetchall()  # noqa: S608
        out[name] = {"false_positives": [list(r) for r in false],
                     "misses": [list(r) for r in missed]}
    return out


def score_warehouse(db_path: Path | str, truth_path: Path | str, examples: int = 0,
                    articles_dir: Path | str | None = None) -> dict[str, Any]:
    """Precision, recall and F1 of the warehouse's events and memberships against the truth.

    `articles_dir` limits the truth to the files of that folder (and the names its manifest
    lists): give it when the warehouse was built from part of a generated corpus, e.g. the
    first N articles of an N+1% run, so the missing 1% does not count as missed.

    Returns {'events': {...}, 'memberships': {...}, 'files': {...}}: each fact entry holds
    predicted / truth / correct counts, precision, recall, f1 and a breakdown per event type
    (`by_event_type`) or membership kind (`by_kind`). With `examples` > 0 it also holds that
    many false positives and misses per fact kind, with their sentences (under 'examples').
    """
    con = duckdb.connect()
    try:
        _load(con, Path(db_path), Path(truth_path),
              Path(articles_dir) if articles_dir is not None else None)
        result: dict[str, Any] = {
            "events": _fact_scores(con, "events", "event_type"),
            "memberships": _fact_scores(con, "memberships", "kind"),
            "files": _file_outcomes(con),
        }
        if examples:
            result["examples"] = _examples(con, examples)
        return result
    finally:
        con.close()


def _line(label: str, m: dict[str, Any]) -> str:
    return (f"{label:34s} precision {m['precision']:.3f} ({m['correct']}/{m['predicted']})  "
            f"recall {m['recall']:.3f} ({m['correct']}/{m['truth']})  F1 {m['f1']:.3f}")


def report(result: dict[str, Any]) -> str:
    """A readable summary of `score_warehouse`'s result."""
    lines = [_line("events", result["events"])]
    lines += [_line(f"  {k}", v) for k, v in result["events"]["by_event_type"].items()]
    lines += [_line(f"  .{k} files", v) for k, v in result["events"]["by_format"].items()]
    lines.append(_line("memberships", result["memberships"]))
    lines += [_line(f"  {k}", v) for k, v in result["memberships"]["by_kind"].items()]
    lines += [_line(f"  .{k} files", v) for k, v in result["memberships"]["by_format"].items()]
    files = result["files"]
    lines.append(f"files: loaded {files['loaded']}/{files['expected_loaded']}, duplicates "
                 f"detected {files['duplicates_detected']}/{files['duplicates_expected']}, "
                 f"errors reported {files['errors_reported']}/{files['errors_expected']}, "
                 f"wrongly failed {len(files['wrongly_failed'])}, encodings misread "
                 f"{len(files['encoding_mismatches'])} {files['encoding_mismatches'][:5]}, "
                 f"publication dates differing {files['published_mismatches']}")
    for name, found in result.get("examples", {}).items():
        for label in ("false_positives", "misses"):
            what = "false positive" if label == "false_positives" else "miss"
            for row in found[label]:
                lines.append(f"{name} {what}: {tuple(row[1:-1])} in {row[0]}: {row[-1]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the scores (or JSON with --json)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.accuracy",
                                     description="Score a warehouse against corpus truth.")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--examples", type=int, default=0,
                        help="list this many false positives and misses per fact kind")
    parser.add_argument("--articles", type=Path, default=None,
                        help="score only the truth of the files in this folder (a partial build)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = score_warehouse(args.db, args.truth, args.examples, args.articles)
    print(json.dumps(result, indent=2) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
