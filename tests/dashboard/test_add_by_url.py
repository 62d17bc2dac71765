"""Add by URL on the Add articles page: the page runs the real `python -m etl fetch` against the
loopback site. A private address is refused by default (and the site sees no request at all);
with `IM_FETCH_ALLOW_PRIVATE=true` the page is fetched, loaded and reported."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import fetches
from tests.dashboard.test_add_articles import open_page
from tests.fetch_site import LoopbackSite

JOB_TIMEOUT = 120
JOB_STATE = "add_by_url_job"
RESULT_COLUMNS = ["URL", "Result", "Details", "Saved as"]


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackSite]:
    """The loopback site, with short waits; whether private addresses are allowed is each
    test's choice."""
    monkeypatch.setenv("IM_FETCH_HOST_DELAY", "0")
    monkeypatch.setenv("IM_FETCH_TIMEOUT", "2")
    running = LoopbackSite().start()
    yield running
    running.stop()


def fetch_through_the_page(url: str) -> AppTest:
    """Paste `url`, press the button and follow the job until the page reports."""
    at = open_page()
    at.text_area(key="add_by_url_urls").input(url).run()
    at.button(key="add_by_url_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    deadline = time.monotonic() + JOB_TIMEOUT
    while JOB_STATE in at.session_state and time.monotonic() < deadline:
        time.sleep(0.2)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert JOB_STATE not in at.session_state
    return at


def report(at: AppTest) -> dict[str, dict[str, str]]:
    (shown,) = [d.value for d in at.dataframe if list(d.value.columns) == RESULT_COLUMNS]
    return {row["URL"]: dict(row) for _, row in shown.iterrows()}


def test_a_private_address_is_refused_and_never_requested(
    deployment: tuple[Path, Path], site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IM_FETCH_ALLOW_PRIVATE", raising=False)
    url = site.url("/articles/cica-summit.html")
    at = fetch_through_the_page(url)
    row = report(at)[url]
    assert row["Result"] == "failed"
    assert "private network address, which is not fetched" in row["Details"]
    assert site.requests == []  # not even robots.txt
    assert "1 failed" in " ".join(e.value for e in at.error)


def test_an_allowed_loopback_page_is_added(
    deployment: tuple[Path, Path], site: LoopbackSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IM_FETCH_ALLOW_PRIVATE", "true")
    articles, db = deployment
    url = site.url("/articles/cica-summit.html")
    at = fetch_through_the_page(url)
    row = report(at)[url]
    assert row["Result"] == "loaded" and row["Saved as"]
    assert (articles / str(row["Saved as"])).exists()
    assert "The new articles are in every page now" in " ".join(s.value for s in at.success)
    with duckdb.connect(str(db), read_only=True) as con:
        titles = dict(con.execute("SELECT url, title FROM articles").fetchall())
    assert titles[url] == "CICA holds its sixth summit in Astana"
    assert site.seen("/articles/cica-summit.html") == 1


def test_the_addresses_are_read_one_per_line_within_the_limit() -> None:
    urls, problem = fetches.parse_urls(" https://a.example/x \n\nhttps://a.example/x\n-f\n", 5)
    assert urls == ["https://a.example/x", "-f"] and problem is None
    assert fetches.parse_urls("  \n", 5) == ([], "Paste one or more web addresses, one per "
                                                 "line.")
    too_many, problem = fetches.parse_urls("\n".join(f"https://a.example/{n}"
                                                     for n in range(6)), 5)
    assert too_many == [] and problem is not None and "at most 5" in problem
