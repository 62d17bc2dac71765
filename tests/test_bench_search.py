"""The search engines' comparison (benchmarks.search_engines, benchmarks.search_quality) at toy
size: the judgements file is well formed, nDCG is computed as documented, and the three engines
answer the same parsed queries over the shipped corpus with text and title. Nothing is timed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from benchmarks import search_engines, search_quality
from dashboard.search.parse import parse_query


def test_the_judgements_are_well_formed() -> None:
    judgements = search_quality.load_judgements()
    assert len(judgements) >= 30
    assert len({j["query"] for j in judgements}) == len(judgements)
    for entry in judgements:
        assert not parse_query(entry["query"]).is_blank, entry["query"]
        assert entry["need"].strip()
        assert entry["grades"], entry["query"]
        assert all(re.fullmatch(r"[0-9a-f]{12}", key) for key in entry["grades"])
        assert set(entry["grades"].values()) <= {0, 1, 2, 3}
        assert max(entry["grades"].values()) >= 2, entry["query"]


def test_ndcg_at_10() -> None:
    grades = {"a": 3, "b": 2, "c": 1}
    counts = {"a": 1, "b": 1, "c": 1, "z": 5}
    assert search_quality.ndcg(["a", "b", "c"], grades, counts) == pytest.approx(1.0)
    assert search_quality.ndcg(["c", "b", "a"], grades, counts) < 1.0
    assert search_quality.ndcg(["z", "z"], grades, counts) == 0.0  # unjudged: not relevant
    # a sentence repeated in the corpus counts once per copy in the ideal ranking
    assert search_quality.ndcg(["a"], grades, {"a": 2}) < 1.0
    assert search_quality.sentence_key(" Same text. ") == search_quality.sentence_key("Same text.")


@pytest.mark.parametrize(("typed", "expected"), [
    ("biological safety", '("biological" OR "safety")'),
    ('"biological safety" summit', '("biological safety")'),
    ("iabs AND summit -weapons", '("iabs" AND "summit") NOT ("weapons")'),
    ("summit*", '("summit" *)'),
])
def test_queries_are_written_for_fts5_as_the_project_reads_them(typed: str,
                                                                expected: str) -> None:
    assert search_engines.fts5_match(parse_query(typed)) == expected


def test_the_three_engines_answer_the_same_queries(built_warehouse: Path,
                                                   tmp_path: Path) -> None:
    built = search_engines.build_engines(built_warehouse, tmp_path, project_seconds=0.0)
    try:
        assert [e.name for e in built.engines] == ["project", "tantivy", "fts5"]
        assert all(size > 0 for size in built.index_mb.values())
        for engine in built.engines:
            hits = engine.search(parse_query("biological"), 10)
            assert hits, engine.name
            assert all(h.text and h.title is not None for h in hits)
            assert any("Biological" in h.text or "IABS" in h.text for h in hits[:3])
            assert engine.search(parse_query("-biological")) == []
            assert engine.search(parse_query('"zzzz qqqq"')) == []
            assert all("weapon" not in h.text.lower()
                       for h in engine.search(parse_query("biological -weapons"), 20))
        figures = search_engines.measure(built, runs=1, texts=("biological", "summit*"))
        assert set(figures["queries"]["summit*"]) == {"project", "tantivy", "fts5"}
    finally:
        built.close()
