"""`python -m etl fetch` end to end against the loopback site: pages and feeds land in the
warehouse with title, outlet, URL and date; a feed fetched again brings only its new items;
each failure is reported per URL and never stops the rest; private addresses are refused
unless allowed. Nothing reaches the internet."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etl import cli
from etl.fetch.store import FetchStore
from tests.conftest import REFERENCE_DIR
from tests.fetch_site import LoopbackSite, article_page


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackSite]:
    """The loopback site, and settings that allow it and keep the waits short."""
    monkeypatch.setenv("IM_FETCH_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("IM_FETCH_HOST_DELAY", "0")
    monkeypatch.setenv("IM_FETCH_TIMEOUT", "1")
    monkeypatch.setenv("IM_REFERENCE_DIR", str(REFERENCE_DIR))
    monkeypatch.setenv("COLUMNS", "250")
    running = LoopbackSite().start()
    yield running
    running.stop()


def fetch(tmp_path: Path, *args: str) -> int:
    return cli.main(["fetch", *args, "--articles", str(tmp_path / "articles"),
                     "--db", str(tmp_path / "warehouse.duckdb")])


def articles_table(tmp_path: Path) -> dict[str, tuple[object, ...]]:
    """url -> (title, outlet, published, source_file) of every article in the warehouse."""
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT url, title, outlet, CAST(published AS VARCHAR), "
                           "published_precision, source_file FROM articles").fetchall()
    return {row[0]: row[1:] for row in rows}


def test_fetched_pages_land_in_the_warehouse_and_failures_are_reported_per_url(
    site: LoopbackSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urls = {
        "cica": site.url("/articles/cica-summit.html"),
        "redirect": site.url("/redirect"),
        "missing": site.url("/articles/no-such-story.html"),
        "pdf": site.url("/report.pdf"),
        "robots": site.url("/private/cica-summit.html"),
        "slow": site.url("/slow"),
        "busy": site.url("/busy"),
        "ftp": "ftp://127.0.0.1/story.txt",
    }
    code = fetch(tmp_path, *urls.values())
    out = capsys.readouterr().out
    assert code == 6  # some failed; the others were saved and built
    articles = articles_table(tmp_path)
    assert articles[urls["cica"]] == ("CICA holds its sixth summit in Astana", "Loopback News",
                                      "2022-10-13", "day", "127.0.0.1-cica-summit.md")
    aif = site.url("/articles/aif-forum.html")  # the final URL after the redirect
    assert articles[aif][:3] == ("Astana International Forum opens", "Loopback News",
                                 "2023-06-08")
    assert articles[urls["busy"]][0] == "Congress of religious leaders meets"
    assert len(articles) == 3
    lines = {url: line for line in out.splitlines() for url in urls.values()
             if f" {url}: " in line}
    assert lines[urls["cica"]].lstrip().startswith("loaded")
    assert "HTTP 404" in lines[urls["missing"]]
    assert "not a web page (its content type is application/pdf)" in lines[urls["pdf"]]
    assert "robots.txt" in lines[urls["robots"]]
    assert "1 s" in lines[urls["slow"]]
    assert "only http:// and https://" in lines[urls["ftp"]]
    assert site.seen("/private/cica-summit.html") == 0

    store = FetchStore(tmp_path / "articles")
    pages = {p.url: p for p in store.pages()}
    page = pages[urls["redirect"]]
    assert (page.final_url, page.http_status, page.content_type) == (aif, 200, "text/html")
    assert page.fetched_at.endswith("+00:00") and page.feed is None
    raw = gzip.decompress((tmp_path / "articles" / page.raw_file).read_bytes()).decode()
    assert raw == article_page("aif-forum") and page.raw_bytes == len(raw.encode())
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT a.url, p.url, p.http_status, p.raw_file, p.feed "
                           "FROM fetched_pages p JOIN articles a USING (source_file) "
                           "ORDER BY p.url").fetchall()
    assert (aif, urls["redirect"], 200, page.raw_file, None) in rows and len(rows) == 3

    # the same URL again: the article is unchanged, nothing is rebuilt
    assert fetch(tmp_path, urls["cica"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_by_default_a_private_address_is_refused_before_any_connection(
    site: LoopbackSite, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("IM_FETCH_ALLOW_PRIVATE")
    code = fetch(tmp_path, f"http://localhost:{site.port}/articles/cica-summit.html",
                 site.url("/articles/aif-forum.html"))
    out = capsys.readouterr().out
    assert code == 4  # every URL failed
    assert out.count("IM_FETCH_ALLOW_PRIVATE") == 2
    assert site.requests == []
    assert not (tmp_path / "warehouse.duckdb").exists()


def write_feeds(tmp_path: Path, site: LoopbackSite, *feeds: tuple[str, str, str]) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text("".join(
        f'[[feed]]\nname = "{name}"\noutlet = "{outlet}"\nurl = "{site.url(feed_path)}"\n\n'
        for name, outlet, feed_path in feeds), encoding="utf-8")
    return path


def test_feeds_bring_their_items_once_and_refetching_only_fetches_new_items(
    site: LoopbackSite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    feeds = write_feeds(tmp_path, site, ("News RSS", "Loopback Wire", "/feed.xml"),
                        ("News Atom", "Loopback Atom", "/atom.xml"),
                        ("Sitemap", "Loopback Sitemap", "/sitemap-index.xml"),
                        ("Gone", "Nobody", "/missing-feed.xml"),
                        ("Rolling", "Rolling Wire", "/rolling.xml"))
    assert fetch(tmp_path, "--feeds", str(feeds)) == 6  # the missing feed failed
    out = capsys.readouterr().out
    assert "feed failed Gone: the server answered HTTP 404" in " ".join(out.split())
    articles = articles_table(tmp_path)
    outlets = {url.rsplit("/", 1)[-1]: row[1] for url, row in articles.items()}
    # every article once, with the outlet of the first feed that listed it
    assert outlets == {"cica-summit.html": "Loopback Wire", "aif-forum.html": "Loopback Wire",
                       "religions-congress.html": "Loopback Atom",
                       "food-security.html": "Loopback Atom",
                       "biosafety-agency.html": "Loopback Sitemap"}
    assert articles[site.url("/articles/food-security.html")][2] == "2024-01-10"
    for slug in ("cica-summit", "aif-forum", "religions-congress"):
        assert site.seen(f"/articles/{slug}.html") == 1

    states = FetchStore(tmp_path / "articles").feed_states()
    assert states["News RSS"].new_articles == 2 and states["News RSS"].etag == '"feed-v1"'
    assert states["Sitemap"].new_articles == 1 and states["Sitemap"].items_listed == 2
    assert states["Rolling"].new_articles == 0 and states["Rolling"].items_listed == 2
    assert states["Gone"].last_status == "failed" and "404" in states["Gone"].last_error
    assert states["News RSS"].last_fetched is not None

    # the second run: the RSS feed answers 304 to the conditional request, the rolling feed
    # repeats one item and adds one: only the new one is fetched
    assert fetch(tmp_path, "--feeds", str(feeds), "--report-json",
                 str(tmp_path / "report.json")) == 6
    out = " ".join(capsys.readouterr().out.split())
    assert "feed News RSS: not modified since the last fetch" in out
    assert "feed Rolling: 2 items listed, 1 new, 1 new articles saved" in out
    assert site.seen("/feed.xml") == 2
    for slug in ("cica-summit", "aif-forum", "religions-congress", "food-security"):
        assert site.seen(f"/articles/{slug}.html") == 1, slug
    states = FetchStore(tmp_path / "articles").feed_states()
    assert states["News RSS"].last_status == "not modified"
    assert states["News RSS"].new_articles == 0 and states["News RSS"].total_articles == 2
    assert states["Rolling"].new_articles == 1 and states["Rolling"].total_articles == 1
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["stage"] == "done" and report["exit_code"] == 6
    assert [(u["url"], u["outcome"]) for u in report["urls"]] == [
        (site.url("/articles/nuclear-zone.html"), "loaded")]
    assert articles_table(tmp_path)[site.url("/articles/nuclear-zone.html")][1] == "Rolling Wire"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        feeds_table = {row[0]: row[1:] for row in con.execute(
            "SELECT feed, outlet, last_status, new_articles, total_articles, "
            "last_fetched IS NOT NULL FROM feeds").fetchall()}
        from_feeds = con.execute("SELECT feed, count(*) FROM fetched_pages GROUP BY feed "
                                 "ORDER BY feed").fetchall()
    assert feeds_table["News RSS"] == ("Loopback Wire", "not modified", 0, 2, True)
    assert feeds_table["Rolling"] == ("Rolling Wire", "ok", 1, 1, True)
    assert feeds_table["Gone"][1] == "failed"
    assert from_feeds == [("News Atom", 2), ("News RSS", 2), ("Rolling", 1), ("Sitemap", 1)]


def test_a_bad_feeds_file_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nname = "A"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        fetch(tmp_path, "--feeds", str(path))
    assert exited.value.code == 2
    assert "'outlet' is missing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        fetch(tmp_path)  # neither URLs nor feeds
    path.write_text('[[feed]]\nname = "A"\noutlet = "W"\nurl = "https://a.example/f"\n',
                    encoding="utf-8")
    with pytest.raises(SystemExit):
        fetch(tmp_path, "--feeds", str(path), "--outlet", "Other")
    assert "a feed's outlet is in the feeds file" in capsys.readouterr().err
