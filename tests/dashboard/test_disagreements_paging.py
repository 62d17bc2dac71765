"""The Disagreements page on a warehouse with many disagreements and many claims on each side.

A visit sends the facts a page at a time, each side with its first sentences, and opens one
side at a time to page through all of its sentences, so what the browser receives stays under
the per-page target however many claims the warehouse holds. The warehouse is the shipped one
with every article 200 times (`benchmarks.dashboard_bench.scaled_warehouse`: every tenth copy
gives one year later for once-only events and one more member), its membership figures then
spread over twelve years and given four more counts, so there are dozens of facts with up to
six sides and hundreds of claims a side.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.dashboard_bench import scaled_warehouse
from benchmarks.payload import PAYLOAD_TARGET_BYTES, payload_bytes
from dashboard import queries
from dashboard.filters import Filters
from etl import marts
from etl.settings import PROJECT_ROOT

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
PAGE = "app_pages/disagreements.py"
COPIES = 200
MOST_SIDES = 6  # a membership fact: the count, one more, and 3 to 6 more
# the page's own limits, restated: a test of them must not read them
FACTS_PER_PAGE = 20
SIDES_PER_PAGE = 40


@pytest.fixture(scope="module")
def many_disagreements(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
                       ) -> Path:
    target = tmp_path_factory.mktemp("many-disagreements") / "warehouse.duckdb"
    scaled_warehouse(built_warehouse, target, COPIES)
    with duckdb.connect(str(target)) as con:
        # copies 10-19 report their figures one year earlier, 20-29 two years, ...: each group
        # holds one copy with one more member (from the scaling) and four with 3 to 6 more
        con.execute("""
            UPDATE memberships
            SET year = year - (copy // 10) % 12,
                count = count + CASE WHEN copy % 10 BETWEEN 3 AND 6 THEN copy % 10 ELSE 0 END
            FROM (SELECT membership_id AS id,
                         CAST(regexp_extract(membership_id, '-(\\d+)$', 1) AS INTEGER) AS copy
                  FROM memberships WHERE regexp_matches(membership_id, '-\\d+$'))
            WHERE memberships.membership_id = id AND year IS NOT NULL""")
        marts.build_marts(con)
        con.execute("CHECKPOINT")
    return target


def open_page(db_path: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("IM_DB_PATH", str(db_path))
    at = AppTest.from_file(APP_PATH, default_timeout=120)
    at.query_params.update(params)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def fact_headings(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("#### ")]


def sides_drawn(at: AppTest) -> int:
    return sum(1 for m in at.markdown if m.value.startswith("**Says "))


def open_buttons(at: AppTest) -> dict[str, int]:
    """Button key -> the sentences of the side it opens."""
    return {b.key: int(re.sub(r"\D", "", b.label)) for b in at.button
            if b.key and b.key.startswith("disagreements_open_")}


def test_the_warehouse_has_many_disagreements_with_many_claims(many_disagreements: Path
                                                                ) -> None:
    with duckdb.connect(str(many_disagreements), read_only=True) as con:
        facts, claims, fullest = con.execute("""
            SELECT count(DISTINCT fact_no), count(*), max(side_claims)
            FROM facet_claims""").fetchone()
    assert facts > 2 * FACTS_PER_PAGE
    assert claims > 2_000 and fullest > 500
    with duckdb.connect(str(many_disagreements), read_only=True) as con:
        most_sides = con.execute("""
            SELECT max(sides) FROM (SELECT count(DISTINCT value) AS sides FROM facet_claims
                                    GROUP BY fact_no)""").fetchone()[0]
    assert most_sides == MOST_SIDES  # twenty such facts would pass the side limit


def test_a_visit_sends_less_than_the_target(many_disagreements: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(many_disagreements, monkeypatch)
    assert payload_bytes(at) <= PAYLOAD_TARGET_BYTES
    # ... though the facts it lists hold far more sentences than fit in that
    assert sum(open_buttons(at).values()) > 1_000
    assert 0 < len(fact_headings(at)) <= FACTS_PER_PAGE
    assert 0 < sides_drawn(at) <= SIDES_PER_PAGE
    assert at.download_button(key="disagreements_csv")
    # a filter change sends no more than the target either
    at.slider(key="filter_published_years").set_value((2020, 2025)).run()
    assert not at.exception
    assert payload_bytes(at) <= PAYLOAD_TARGET_BYTES


def test_facts_come_a_page_at_a_time(many_disagreements: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Every fact once over the pages; a page holds at most 20 facts and 40 sides (a fact
    with more sides than that alone), so facts with many sides make shorter pages."""
    at = open_page(many_disagreements, monkeypatch)
    with duckdb.connect(str(many_disagreements), read_only=True) as con:
        total = int(queries.disagreement_summary(con, Filters())["disagreements"].sum())
    label = at.number_input(key="disagreements_page").label
    pages = int(re.fullmatch(r"Disagreements page \(of (\d+)\)", label).group(1))
    assert pages > -(-total // FACTS_PER_PAGE)  # the side limit cut some pages short
    seen: list[str] = []
    for page in range(1, pages + 1):
        if page > 1:
            at.number_input(key="disagreements_page").set_value(page).run()
            assert not at.exception
            assert at.query_params["page"] == str(page)
        headings = fact_headings(at)
        first = len(seen) + 1
        assert (f"Disagreements {first}–{first + len(headings) - 1} of {total}"
                in " ".join(c.value for c in at.caption))
        assert 0 < len(headings) <= FACTS_PER_PAGE
        assert sides_drawn(at) <= SIDES_PER_PAGE or len(headings) == 1
        if page < pages:  # a page ends early only when the next fact would not fit
            assert (len(headings) == FACTS_PER_PAGE
                    or sides_drawn(at) + MOST_SIDES > SIDES_PER_PAGE)
        assert payload_bytes(at) <= PAYLOAD_TARGET_BYTES
        seen += [f"{page}: {h}" for h in headings]
    assert len(seen) == total
    # a link to the last page opens it
    last = open_page(many_disagreements, monkeypatch, page=str(pages))
    assert [f"{pages}: {h}" for h in fact_headings(last)] == [
        h for h in seen if h.startswith(f"{pages}: ")]


def test_a_side_opens_to_page_through_all_its_sentences(many_disagreements: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(many_disagreements, monkeypatch)
    key, total = max(open_buttons(at).items(), key=lambda item: item[1])
    at.button(key=key).click().run()
    assert not at.exception
    side = at.query_params["side"]
    disagreement_id, value = side.rsplit("=", 1)
    captions = " ".join(c.value for c in at.caption)
    assert f"Sentences 1–10 of {total:,}" in captions
    first = " ".join(h.value for h in at.get("html"))
    at.number_input(key="disagreements_side_page").set_value(3).run()
    assert not at.exception and at.query_params["epage"] == "3"
    assert f"Sentences 21–30 of {total:,}" in " ".join(c.value for c in at.caption)
    third = " ".join(h.value for h in at.get("html"))
    assert third != first
    assert payload_bytes(at) <= PAYLOAD_TARGET_BYTES
    # the page shows the sentences the query gives for that side, in its order
    with duckdb.connect(str(many_disagreements), read_only=True) as con:
        rows = queries.side_claims(con, Filters(), disagreement_id, int(value), 10, 20)
    assert len(rows) == 10 and (rows["value"] == int(value)).all()
    assert rows["side_rank"].tolist() == list(range(21, 31))
    for sentence_no in rows["sentence_no"]:
        assert f"(sentence {sentence_no})" in third
    # a shared link opens the same side at the same page; "Show fewer" closes it
    shared = open_page(many_disagreements, monkeypatch, side=side, epage="3")
    assert f"Sentences 21–30 of {total:,}" in " ".join(c.value for c in shared.caption)
    close = next(b for b in shared.button if b.key and b.key.startswith("disagreements_close_"))
    close.click().run()
    assert not shared.exception
    assert "side" not in shared.query_params and "epage" not in shared.query_params
    assert key in open_buttons(shared)


def test_every_side_of_the_csv_is_there(many_disagreements: Path) -> None:
    """The CSV keeps every side of every disagreement in view (up to 20 sentences a side),
    whatever the page draws."""
    with duckdb.connect(str(many_disagreements), read_only=True) as con:
        claims = queries.disagreement_claims(con, Filters(), 20)
        summary = queries.disagreement_summary(con, Filters())
    assert claims["disagreement_id"].nunique() == int(summary["disagreements"].sum())
    per_side = claims.groupby(["disagreement_id", "value"]).size()
    assert per_side.max() == 20
