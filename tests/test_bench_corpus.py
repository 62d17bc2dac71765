"""The synthetic benchmark corpus (`benchmarks.corpus`) and its scorer (`benchmarks.accuracy`).

A 40-slot corpus with raised duplicate and bad-file rates (seed 173 is one whose 40 slots hold
every kind of bad file and every kind of duplicate; the roles do not depend on the article
text, so template changes keep them) is generated once per module. The tests check that it is
deterministic (same bytes with one or two worker processes), that a longer run reproduces a
shorter one and only appends, the article lengths and the truth's shape, and then build a
warehouse from it with the real ETL and score it.

Measured on this corpus when the test was written: events precision 0.971 (133/137) and recall
0.957 (133/139), memberships 1.000 (13/13) both; all 4 duplicates detected, all 5 failing files
reported (the 3 cp1251 files load, though their Russian paragraph is decoded as cp1250, cp1252
or cp850). The floors below leave room for a few facts, not for a regression across the board.
`python -m benchmarks.accuracy --examples N` lists what is missed.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import duckdb
import pytest

from benchmarks import corpus
from benchmarks.accuracy import score_warehouse
from benchmarks.corpus_prose import THEMES, Prose
from etl import normalize, pipeline, sources
from etl.extract.gazetteer import load_gazetteer
from etl.settings import Settings
from tests.conftest import REFERENCE_DIR, make_settings

SLOTS = 40
SEED = 173
MAX_BYTES = 200_000  # oversized files exceed this (the build below uses the same limit)
OPTIONS = corpus.Options(SLOTS, SEED, dup_rate=0.1, bad_rate=0.15, oversized_rate=0.03,
                         max_file_bytes=MAX_BYTES)
EVENT_TYPES = {"proposed", "announced", "founded", "first_held", "held", "joined",
               "observer_joined", "signed", "approved", "elected", "launched", "chairmanship",
               "started", "period", "scheduled"}
MEMBERSHIP_KINDS = {"member_states", "observer_states", "observer_organisations",
                    "partner_organisations", "member_states_ratified"}
# floors for the ETL on this corpus (measured values in the module docstring)
EVENT_FLOOR = 0.9
MEMBERSHIP_FLOOR = 0.85


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _truth(out: Path) -> list[dict[str, Any]]:
    with open(out / "truth.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "corpus"
    corpus.generate(OPTIONS, out, workers=1)
    return out


def test_same_bytes_every_run_and_with_any_number_of_workers(generated: Path,
                                                             tmp_path: Path) -> None:
    again = tmp_path / "again"
    corpus.generate(OPTIONS, again, workers=2, chunk=7)  # several jobs over two processes
    assert _files(again / "articles") == _files(generated / "articles")
    for name in ("truth.jsonl", "corpus.json"):
        assert (again / name).read_bytes() == (generated / name).read_bytes()


def test_more_slots_reproduce_the_first_ones_and_append(generated: Path, tmp_path: Path) -> None:
    longer = tmp_path / "longer"
    corpus.generate(corpus.Options(SLOTS + 6, SEED, OPTIONS.dup_rate, OPTIONS.bad_rate,
                                   OPTIONS.oversized_rate, MAX_BYTES), longer, workers=1)
    short, long = _files(generated / "articles"), _files(longer / "articles")
    for name, data in short.items():
        if name != "manifest.csv":
            assert long[name] == data, name
    assert len(long) > len(short)
    short_manifest = (generated / "articles" / "manifest.csv").read_text().splitlines()
    long_manifest = (longer / "articles" / "manifest.csv").read_text().splitlines()
    assert long_manifest[:len(short_manifest)] == short_manifest
    short_truth = (generated / "truth.jsonl").read_text().splitlines()
    long_truth = (longer / "truth.jsonl").read_text().splitlines()
    assert long_truth[:SLOTS] == short_truth and len(long_truth) == SLOTS + 6
    # generating fewer slots into the same folder removes the files of the longer run
    corpus.generate(OPTIONS, longer, workers=1)
    assert _files(longer / "articles") == _files(generated / "articles")


def test_article_lengths(generated: Path) -> None:
    records = [r for r in _truth(generated) if r["expect"] != "error"]
    words = [r["words"] for r in records]
    assert all(600 <= w <= 2000 for w in words), words
    assert 800 <= sum(words) / len(words) <= 1300
    for record in records:  # the file itself holds at least that much prose
        data = (generated / "articles" / record["file"]).read_bytes()
        text = data.decode("cp1251" if record["encoding"] == "cp1251" else "utf-8")
        assert len(text.split()) >= record["words"]


def test_truth_shape(generated: Path) -> None:
    gazetteer = load_gazetteer(REFERENCE_DIR)
    with open(REFERENCE_DIR / "themes.toml", "rb") as handle:
        theme_names = {t["name"] for t in tomllib.load(handle)["theme"]}
    records = _truth(generated)
    assert [r["file"] for r in records] == [
        corpus.file_name(i, r["file"].rsplit(".", 1)[1]) for i, r in enumerate(records)]
    with open(generated / "articles" / "manifest.csv", encoding="utf-8") as handle:
        manifest = {row["file"]: row for row in csv.DictReader(handle)}
    for record in records:
        assert set(record) >= {"file", "title", "outlet", "published", "events", "memberships",
                               "themes", "duplicate_of", "bad", "expect"}
        assert record["expect"] in ("load", "duplicate", "error")
        published = record["published"]
        assert published is None or re.fullmatch(r"\d{4}(-\d\d){0,2}", published)
        pub_year = int(published[:4]) if published else 2026
        assert 2000 <= pub_year <= 2026
        for event in record["events"]:
            assert event["initiative_id"] in gazetteer.by_id
            assert gazetteer.by_id[event["initiative_id"]].is_initiative
            assert event["event_type"] in EVENT_TYPES - {"scheduled"}
            assert 1992 <= event["year"] <= pub_year
            assert event["sentence"]
        for figure in record["memberships"]:
            assert figure["kind"] in MEMBERSHIP_KINDS and figure["count"] > 0
            assert figure["year"] is None or 1992 <= figure["year"] <= pub_year
        if record["expect"] == "load":
            assert 1 <= len(record["themes"]) <= 4 and set(record["themes"]) <= theme_names
            assert record["events"], record["file"]
        if record["bad"] == "missing_file":
            assert record["file"] in manifest
            assert not (generated / "articles" / record["file"]).exists()
    summary = json.loads((generated / "corpus.json").read_text())
    assert summary["articles"] == SLOTS and summary["seed"] == SEED
    assert summary["duplicates"] == sum(r["expect"] == "duplicate" for r in records)


def test_bad_files_and_duplicates_are_there(generated: Path) -> None:
    records = _truth(generated)
    bad = {r["bad"] for r in records if r["bad"]}
    assert bad == {"empty", "whitespace", "binary", "cp1251", "oversized", "missing_file"}
    variants = {r["duplicate_variant"] for r in records if r["duplicate_of"]}
    assert variants == {"exact", "whitespace", "case"}
    articles = generated / "articles"
    for record in records:
        path = articles / record["file"]
        if record["bad"] == "oversized":
            assert path.stat().st_size > MAX_BYTES
        elif record["bad"] == "empty":
            assert path.read_bytes() == b""
        elif record["bad"] == "cp1251":
            path.read_bytes().decode("cp1251")
            with pytest.raises(UnicodeDecodeError):
                path.read_bytes().decode("utf-8")
        elif record["duplicate_variant"] == "exact":
            assert path.read_bytes() == (articles / record["duplicate_of"]).read_bytes()
        elif record["duplicate_of"]:
            assert path.read_bytes() != (articles / record["duplicate_of"]).read_bytes()


def test_whitespace_and_case_variants_are_the_same_article_to_the_etl(tmp_path: Path) -> None:
    """Across outlets, a variant's cleaned text has its original's fingerprint."""
    folder = tmp_path / "articles"
    folder.mkdir()
    ctx = corpus.context()
    expected = []
    for index in range(60):
        article = corpus.compose(OPTIONS, index, ctx)
        if article.outlet.ext == "html":
            continue
        name = corpus.file_name(index, article.outlet.ext)
        (folder / name).write_bytes(corpus.render(article).encode("utf-8"))
        for variant in ("whitespace", "case"):
            copy = f"v{index:07d}{variant[0]}.{article.outlet.ext}"
            (folder / copy).write_bytes(corpus.render(article, variant).encode("utf-8"))
            expected.append((copy, name))
    records, problems = sources.read_corpus(folder, MAX_BYTES)
    assert not problems
    # the article id the ETL gives an article: a fingerprint of its cleaned text
    ids = {r.source_file: normalize.content_fingerprint(normalize.clean_text(r.raw_text).text)
           for r in records}
    assert len(set(ids.values())) == len(ids) - len(expected)
    for copy, original in expected:
        assert ids[copy] == ids[original], (copy, original)


def test_oversized_files_exceed_the_etl_default_by_default(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IM_MAX_FILE_BYTES", raising=False)
    assert Settings().max_file_bytes == corpus.ETL_DEFAULT_MAX_FILE_BYTES
    assert corpus.Options(1, 1).max_file_bytes == Settings().max_file_bytes


def test_prose_names_no_initiative() -> None:
    """Filler sentences carry no facts: no alias or acronym of any initiative in them."""
    import random

    gazetteer = load_gazetteer(REFERENCE_DIR)
    prose = Prose(random.Random(5), list(THEMES), [1.0] * len(THEMES), "Astana")
    for _ in range(3000):
        sentence = prose.sentence()
        for match in gazetteer.name_pattern.finditer(sentence.lower()):
            owners = gazetteer.alias_index.get(gazetteer.alias_key(match.group()), ())
            assert not any(gazetteer.by_id[o].is_initiative for o, _ in owners), sentence
        for match in gazetteer.acronym_pattern.finditer(sentence):
            assert not gazetteer.by_id[gazetteer.acronym_index[match.group()]].is_initiative


@pytest.fixture(scope="module")
def scored(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db_path = tmp_path_factory.mktemp("bench_db") / "warehouse.duckdb"
    report = pipeline.build_warehouse(make_settings(generated / "articles", db_path,
                                                    max_file_bytes=MAX_BYTES))
    assert report.status == "ok"
    result = score_warehouse(db_path, generated / "truth.jsonl", examples=10)
    print(json.dumps({k: result[k] for k in ("events", "memberships")}, indent=1)[:3000])
    return result


def test_the_etl_reports_every_bad_file_and_skips_every_duplicate(
        scored: dict[str, Any]) -> None:
    files = scored["files"]
    assert files["errors_reported"] == files["errors_expected"] > 0, files
    assert not files["errors_unreported"] and not files["wrongly_failed"], files
    assert files["duplicates_detected"] == files["duplicates_expected"] > 0, files
    assert not files["duplicates_wrong_original"], files
    assert files["loaded"] == files["expected_loaded"] and files["unknown_files"] == 0, files
    assert files["published_mismatches"] == 0, files  # every shown publication date is read


def test_etl_accuracy_on_the_corpus(scored: dict[str, Any]) -> None:
    events, members = scored["events"], scored["memberships"]
    assert events["truth"] > 100 and members["truth"] > 5
    assert events["precision"] >= EVENT_FLOOR, scored["examples"]["events"]
    assert events["recall"] >= EVENT_FLOOR, scored["examples"]["events"]
    assert members["precision"] >= MEMBERSHIP_FLOOR, scored["examples"]["memberships"]
    assert members["recall"] >= MEMBERSHIP_FLOOR, scored["examples"]["memberships"]


# --- the scorer on a warehouse written by hand ------------------------------------------------


def test_scoring_counts_sets_null_years_and_duplicate_groups_once(tmp_path: Path) -> None:
    db_path = tmp_path / "w.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute("CREATE TABLE articles (article_id VARCHAR, source_file VARCHAR, "
                    "encoding VARCHAR, duplicate_files VARCHAR[], published DATE, "
                    "published_precision VARCHAR)")
        con.execute("CREATE TABLE events (article_id VARCHAR, initiative_id VARCHAR, "
                    "event_type VARCHAR, year INTEGER, sentence VARCHAR)")
        con.execute("CREATE TABLE memberships (article_id VARCHAR, initiative_id VARCHAR, "
                    "kind VARCHAR, count INTEGER, year INTEGER, sentence VARCHAR)")
        # a.txt loaded; b.txt (its duplicate) skipped; c.txt loaded under its duplicate's name
        con.execute("INSERT INTO articles VALUES ('A', 'a.txt', 'utf-8', ['b.txt'], NULL, NULL), "
                    "('C', 'd.txt', 'utf-8', [], '2023-07-01', 'month')")
        con.execute("INSERT INTO events VALUES ('A', 'CICA', 'proposed', 1992, 's'), "
                    "('A', 'CICA', 'proposed', 1992, 's again'), "
                    "('A', 'CICA', 'held', 2002, 's'), ('C', 'AIF', 'first_held', 2023, 's')")
        con.execute("INSERT INTO memberships VALUES "
                    "('A', 'CICA', 'member_states', 28, NULL, 's'), "
                    "('C', 'AIF', 'member_states', 3, 2020, 's')")

    def record(file: str, events: list, members: list, **extra: Any) -> str:
        base = {"file": file, "title": "", "outlet": "", "published": None, "format": "txt",
                "events": events, "memberships": members, "duplicate_of": None, "bad": None,
                "expect": "load", "encoding": "utf-8"}
        return json.dumps({**base, **extra})

    cica = [{"initiative_id": "CICA", "event_type": "proposed", "year": 1992, "sentence": "s"},
            {"initiative_id": "CICA", "event_type": "first_held", "year": 2002, "sentence": "s"}]
    cica_members = [{"initiative_id": "CICA", "kind": "member_states", "count": 28,
                     "year": None, "sentence": "s"}]
    aif = [{"initiative_id": "AIF", "event_type": "first_held", "year": 2023, "sentence": "s"}]
    truth = tmp_path / "truth.jsonl"
    truth.write_text("\n".join([
        record("a.txt", cica, cica_members),
        record("b.txt", cica, cica_members, duplicate_of="a.txt", expect="duplicate"),
        record("c.txt", aif, []),
        record("d.txt", aif, [], duplicate_of="c.txt", expect="duplicate"),
        record("e.txt", [], [], bad="empty", expect="error", encoding=None),
    ]) + "\n")
    result = score_warehouse(db_path, truth)
    events, members = result["events"], result["memberships"]
    assert (events["predicted"], events["truth"], events["correct"]) == (3, 3, 2)
    assert events["by_event_type"]["held"]["precision"] == 0.0
    assert events["by_event_type"]["first_held"]["recall"] == 0.5
    assert (members["predicted"], members["truth"], members["correct"]) == (2, 1, 1)
    files = result["files"]
    assert files["duplicates_detected"] == 1 and files["duplicates_undetected"] == ["d.txt"]
    assert files["loaded"] == 1 and files["not_loaded"] == ["c.txt"]
    assert files["errors_unreported"] == ["e.txt"]
    # d.txt shows no date (truth: null) but the warehouse has one
    assert files["published_mismatch_examples"] == ["d.txt"]
    # scored against part of the corpus only (a build of the first files of a longer run)
    folder = tmp_path / "part"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("x")
    part = score_warehouse(db_path, truth, articles_dir=folder)
    assert (part["events"]["truth"], part["events"]["correct"]) == (2, 1)
    assert part["files"]["expected_loaded"] == 1 and part["files"]["errors_expected"] == 0
