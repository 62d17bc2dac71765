"""Syndicated copies: near copies of one story grouped, different stories on one topic apart,
and an incremental build grouping exactly as a full build (real ETL, real DuckDB files)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import zlib
from pathlib import Path

import duckdb
import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import pipeline, stories
from tests import story_texts
from tests.conftest import make_settings

# name -> (outlet, published, text); the wire copy is not the earliest: an outlet ran it first.
ARTICLES = {
    "wire.md": ("Wire Agency", "2022-10-13", story_texts.WIRE),
    "reprint_furniture.md": ("Daily Courier", "2022-10-12", story_texts.REPRINT_FURNITURE),
    "reprint_edited.md": ("Evening Star", "2022-10-14", story_texts.REPRINT_EDITED),
    "reprint_paragraph.md": ("Steppe Times", "2022-10-15", story_texts.REPRINT_PARAGRAPH),
    "same_summit.md": ("Wire Agency", "2022-10-13", story_texts.SAME_SUMMIT),
    "guest_statement.md": ("Gulf Herald", "2022-10-14", story_texts.GUEST_STATEMENT),
    "other_forum.md": ("Wire Agency", "2023-06-08", story_texts.OTHER_FORUM),
}
COPIES = {"wire.md", "reprint_furniture.md", "reprint_edited.md", "reprint_paragraph.md"}


def write_article(folder: Path, name: str) -> None:
    outlet, published, text = ARTICLES[name]
    title = json.dumps(text.splitlines()[0].split(".")[0][:60])  # JSON is YAML
    (folder / name).write_text(
        f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\n---\n{text}\n",
        encoding="utf-8")


def story_rows(db_path: Path) -> dict[str, tuple[str, bool, int]]:
    """source file -> (story's canonical source file, is canonical, story size)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "SELECT a.source_file, c.source_file, s.is_canonical, s.story_size "
            "FROM stories AS s JOIN articles AS a USING (article_id) "
            "JOIN articles AS c ON c.article_id = s.story_id").fetchall()
    return {name: (canonical, flag, size) for name, canonical, flag, size in rows}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    for name in ARTICLES:
        write_article(articles, name)
    return articles


def reference_signature(text: str) -> list[int]:
    """The signature as datasketch computes it: its MinHash over the set of shingle bytes."""
    words = re.findall(r"\w+", text.lower())
    size = stories.SHINGLE_WORDS
    runs = [words] if len(words) < size else [words[i:i + size] for i in
                                              range(len(words) - size + 1)]
    minhash = MinHash(num_perm=stories.NUM_PERM, seed=stories.SEED, scheme=stories.SCHEME,
                      hashfunc=zlib.crc32)
    minhash.update_batch(list({" ".join(run).encode() for run in runs}))
    return [int(value) for value in minhash.hashvalues]


WORDS = st.sampled_from(["summit", "CICA", "Astana", "ministers", "Қазақстан", "the", "of",
                         "2022", "déclaration", "a", "summit,", "\n", "—", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(WORDS, max_size=40).map(" ".join))
def test_signatures_are_datasketchs_own_values(text: str) -> None:
    assert stories.signature(text) == reference_signature(text)


def test_stored_signatures_of_the_story_texts_are_datasketchs_own_values() -> None:
    for text in [story_texts.WIRE, *story_texts.REPRINTS, *story_texts.DIFFERENT]:
        assert stories.signature(text) == reference_signature(text)


def test_permutations_and_band_layout_are_datasketchs_own() -> None:
    minhash = MinHash(num_perm=stories.NUM_PERM, seed=stories.SEED, scheme=stories.SCHEME)
    first, second = stories._permutations()
    assert first[:, 0].tolist() == minhash.permutations[0].tolist()
    assert second[:, 0].tolist() == minhash.permutations[1].tolist()
    lsh = MinHashLSH(threshold=stories.THRESHOLD, num_perm=stories.NUM_PERM,
                     weights=stories.LSH_WEIGHTS)
    assert stories.bands() == (lsh.b, lsh.r)


def test_signing_a_text_loads_neither_datasketch_nor_scipy() -> None:
    """A worker signs every text it reads: a library loaded for that is loaded by every worker."""
    probe = ("import sys; from etl import stories; stories.signature('a b c d e f'); "
             "stories.bands(); print(sorted(m for m in ('datasketch', 'scipy') "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]"


def test_reprints_are_similar_to_the_wire_copy_and_other_stories_are_not() -> None:
    wire = stories.signature(story_texts.WIRE)
    for reprint in story_texts.REPRINTS:
        assert stories.similarity(wire, stories.signature(reprint)) >= stories.THRESHOLD
    near = [story_texts.WIRE, *story_texts.REPRINTS]
    for copy, other in itertools.product(near, story_texts.DIFFERENT):
        score = stories.similarity(stories.signature(copy), stories.signature(other))
        assert score < stories.THRESHOLD / 2, (copy[:40], other[:40], score)
    for first, second in itertools.combinations(story_texts.DIFFERENT, 2):
        assert stories.similarity(stories.signature(first),
                                  stories.signature(second)) < stories.THRESHOLD / 2


def test_grouping_links_chains_and_leaves_singletons_alone() -> None:
    texts = [story_texts.WIRE, *story_texts.REPRINTS, *story_texts.DIFFERENT]
    labels = stories.group(np.array([stories.signature(t) for t in texts], dtype=np.uint32))[0]
    assert len(set(labels[:4])) == 1
    assert len(set(labels)) == 1 + len(story_texts.DIFFERENT)


def _partition(labels: np.ndarray) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for index, label in enumerate(labels.tolist()):
        groups.setdefault(label, set()).add(index)
    return {frozenset(g) for g in groups.values()}


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1, max_value=60).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)),
                         max_size=90))))
def test_groups_are_the_connected_components_scipy_finds(graph: tuple[int, list]) -> None:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    count, edges = graph
    pairs = np.array(edges, dtype=np.int64).reshape(-1, 2)
    labels = stories.components(count, pairs)
    expected = connected_components(coo_matrix(
        (np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(count, count)),
        directed=False)[1]
    assert _partition(labels) == _partition(expected)
    assert all(labels[i] <= i for i in range(count))  # a group's label is its smallest index


def test_a_long_chain_in_shuffled_order_is_one_group() -> None:
    order = np.random.default_rng(7).permutation(50_000)
    chain = np.column_stack([order[:-1], order[1:]])
    labels = stories.components(60_000, chain[np.random.default_rng(8).permutation(len(chain))])
    assert set(labels[order].tolist()) == {0}  # labelled by its smallest index
    assert len(set(labels.tolist())) == 1 + 10_000  # the chain, and 10,000 articles alone


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**62), max_size=300))
def test_candidate_pair_keys_are_deduplicated_and_sorted(values: list[int]) -> None:
    found = stories._distinct(np.array(values, dtype=np.int64))
    assert found.tolist() == sorted(set(values))


def test_a_build_groups_near_copies_into_one_story_with_the_earliest_as_canonical(
        folder: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.duckdb"
    assert pipeline.build_warehouse(make_settings(folder, db_path)).status == "ok"
    rows = story_rows(db_path)
    assert set(rows) == set(ARTICLES)
    for name in COPIES:
        assert rows[name][0] == "reprint_furniture.md"  # published first
        assert rows[name][2] == len(COPIES)
        assert rows[name][1] == (name == "reprint_furniture.md")
    for name in set(ARTICLES) - COPIES:
        assert rows[name] == (name, True, 1)
    with duckdb.connect(str(db_path), read_only=True) as con:
        outlets = dict(con.execute("SELECT source_file, outlet FROM articles").fetchall())
    assert outlets == {name: outlet for name, (outlet, _, _) in ARTICLES.items()}
    with duckdb.connect(str(db_path), read_only=True) as con:
        facet = con.execute(
            "SELECT count(DISTINCT story_no), count(*) FILTER (WHERE is_canonical) "
            "FROM facet_articles").fetchall()[0]
    assert facet == (4, 4)


def test_an_incremental_build_groups_as_a_full_build(folder: Path, tmp_path: Path) -> None:
    live = tmp_path / "live.duckdb"
    held_back = ["reprint_edited.md", "guest_statement.md"]
    for name in held_back:
        (folder / name).unlink()
    assert pipeline.build_warehouse(make_settings(folder, live)).status == "ok"
    assert story_rows(live)["wire.md"] == ("reprint_furniture.md", False, 3)
    for name in held_back:
        write_article(folder, name)
    (folder / "reprint_furniture.md").unlink()  # the canonical goes: another takes its place
    report = pipeline.build_warehouse(make_settings(folder, live))
    assert report.articles_extracted == len(held_back)
    full = tmp_path / "full.duckdb"
    pipeline.build_warehouse(make_settings(folder, full), reuse=False)
    assert story_rows(live) == story_rows(full)
    assert story_rows(live)["reprint_edited.md"] == ("wire.md", False, 3)
    query = "SELECT * FROM stories ORDER BY article_id"
    with duckdb.connect(str(live), read_only=True) as a, \
            duckdb.connect(str(full), read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_exact_copies_are_still_folded_when_loaded(folder: Path, tmp_path: Path) -> None:
    (folder / "wire_again.md").write_bytes((folder / "wire.md").read_bytes())
    db_path = tmp_path / "w.duckdb"
    pipeline.build_warehouse(make_settings(folder, db_path))
    with duckdb.connect(str(db_path), read_only=True) as con:
        assert con.execute("SELECT duplicate_files FROM articles WHERE source_file = 'wire.md'"
                           ).fetchall() == [(["wire_again.md"],)]
    assert "wire_again.md" not in story_rows(db_path)


def test_grouping_again_without_a_change_rewrites_no_story(folder: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "w.duckdb"
    pipeline.build_warehouse(make_settings(folder, db_path))
    query = "SELECT rowid, * FROM stories ORDER BY article_id"
    with duckdb.connect(str(db_path)) as con:
        before = con.execute(query).fetchall()
        stories.build_stories(con)
        assert con.execute(query).fetchall() == before  # the same rows, none written again
        lost = before[0][1]
        con.execute("DELETE FROM stories WHERE article_id = ?", [lost])
        stories.build_stories(con)
        after = con.execute(query).fetchall()
    assert [row[1:] for row in after] == [row[1:] for row in before]
    # only the missing row was written: every other keeps its place
    assert [row for row in after if row[1] != lost] == [row for row in before if row[1] != lost]


def _near_copies(rng: np.random.Generator, count: int) -> np.ndarray:
    """Signatures of copies of three texts: in each copy some values changed above the low byte
    only (the low bytes then agree where the values do not), some changed outright."""
    shape = (count, stories.NUM_PERM)
    signatures = rng.integers(0, 2**32, size=(3, stories.NUM_PERM), dtype=np.uint32)[
        rng.integers(0, 3, size=count)]
    high = rng.random(shape) < rng.uniform(0.05, 0.35, size=(count, 1))
    signatures = np.where(high, signatures ^ (
        rng.integers(1, 2**24, size=shape, dtype=np.uint32) << 8), signatures)
    other = rng.random(shape) < rng.uniform(0.05, 0.35, size=(count, 1))
    return np.where(other, rng.integers(0, 2**32, size=shape, dtype=np.uint32), signatures)


def test_the_low_byte_check_keeps_every_pair_that_can_be_linked() -> None:
    rng = np.random.default_rng(7)
    near_threshold = 0
    for _ in range(100):
        signatures = _near_copies(rng, 16)
        pairs = np.array([(i, j) for i in range(16) for j in range(i + 1, 16)], dtype=np.int64)
        kept = {tuple(pair) for pair in stories._close_enough(signatures, pairs).tolist()}
        scores = {(i, j): stories.similarity(signatures[i], signatures[j])
                  for i, j in pairs.tolist()}
        linked = {pair for pair, score in scores.items() if score >= stories.THRESHOLD}
        assert linked <= kept
        assert len(kept) < len(pairs)  # copies of different texts are left out
        near_threshold += sum(score < stories.THRESHOLD + 0.05 for pair, score in scores.items()
                              if pair in linked)
    assert near_threshold >= 20
    # at the threshold exactly: kept; one value short, with no low byte agreeing by chance: not
    need = int(np.ceil(stories.THRESHOLD * stories.NUM_PERM))
    first = np.arange(stories.NUM_PERM, dtype=np.uint32)
    for equal, expected in ((need, 1), (need - 1, 0)):
        second = first.copy()
        second[equal:] += 128  # another low byte
        found = stories._close_enough(np.stack([first, second]), np.array([[0, 1]]))
        assert len(found) == expected
