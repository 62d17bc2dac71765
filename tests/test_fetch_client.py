"""The fetch client's rules against a real HTTP server on the loopback interface: addresses and
schemes refused before any connection, robots.txt, redirects re-checked hop by hop, timeouts,
size limits, retries, and what counts as an article page. Nothing reaches the internet."""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from etl.fetch import article, safety
from etl.fetch.client import (
    Client,
    FetchError,
    FetchPolicy,
    HostGate,
    guarded_adapter,
    retry_after_seconds,
)
from etl.fetch.feeds import FeedFormatError, FeedsFileError, load_feeds, read_feed_page
from tests.fetch_site import LoopbackSite

ONLY_FIRST = safety.PrivateAccess.parse("127.0.0.1")
TEST_POLICY = FetchPolicy(private=ONLY_FIRST, host_delay=0.0, connect_timeout=2.0,
                          read_timeout=0.5, max_bytes=256 * 1024, retries=2, backoff=0.01)


@pytest.fixture
def sites() -> Iterator[tuple[LoopbackSite, LoopbackSite]]:
    """The site on 127.0.0.1, and a second one on 127.0.0.2 its redirects can point at."""
    other = LoopbackSite("127.0.0.2").start()
    site = LoopbackSite("127.0.0.1", other).start()
    yield site, other
    site.stop()
    other.stop()


@pytest.fixture
def site(sites: tuple[LoopbackSite, LoopbackSite]) -> LoopbackSite:
    return sites[0]


def client(**changes: object) -> Client:
    return Client(dataclasses.replace(TEST_POLICY, **changes))  # type: ignore[arg-type]


def test_an_article_page_is_fetched_and_read(site: LoopbackSite) -> None:
    with client() as c:
        result = c.get(site.url("/articles/cica-summit.html"))
    assert result.status == 200 and result.final_url == result.url
    assert result.content_type == "text/html"
    read = article.read_article(result, None)
    assert read.title == "CICA holds its sixth summit in Astana"
    assert read.outlet == "Loopback News" and read.published == "2022-10-13"
    assert "sixth summit in Astana" in read.text
    assert article.read_article(result, "Given Outlet").outlet == "Given Outlet"
    saved = article.markdown_bytes(read).decode()
    assert saved.startswith("---\ntitle: CICA holds its sixth summit in Astana\n")
    assert article.file_name(result.final_url) == "127.0.0.1-cica-summit.md"


def test_robots_txt_is_read_once_and_a_disallowed_page_is_not_requested(
    site: LoopbackSite,
) -> None:
    with client() as c:
        c.get(site.url("/articles/aif-forum.html"))
        with pytest.raises(FetchError, match="robots.txt"):
            c.get(site.url("/private/cica-summit.html"))
    assert site.seen("/robots.txt") == 1
    assert site.seen("/private/cica-summit.html") == 0


def test_by_default_a_loopback_host_is_refused_before_any_connection(
    site: LoopbackSite,
) -> None:
    default = FetchPolicy(host_delay=0.0)
    for url in (site.url("/articles/cica-summit.html"),
                f"http://localhost:{site.port}/articles/cica-summit.html",
                f"http://[::ffff:127.0.0.1]:{site.port}/articles/cica-summit.html"):
        with Client(default) as c, pytest.raises(FetchError, match="IM_FETCH_ALLOW_PRIVATE"):
            c.get(url)
    assert site.requests == []  # not even robots.txt


def test_a_redirect_is_followed_and_each_hop_checked_again(
    sites: tuple[LoopbackSite, LoopbackSite],
) -> None:
    site, other = sites
    with client() as c:
        result = c.get(site.url("/redirect"))
        assert result.final_url == site.url("/articles/aif-forum.html")
        assert result.redirects == [site.url("/redirect")]
        with pytest.raises(FetchError, match="redirected to .*127.0.0.2.*not fetched"):
            c.get(site.url("/redirect-other"))
        with pytest.raises(FetchError, match="169.254.169.254"):
            c.get(site.url("/redirect-metadata"))
        with pytest.raises(FetchError, match="redirected more than 5 times"):
            c.get(site.url("/loop"))
    assert other.requests == []  # refused before connecting
    assert site.seen("/loop") == 6
    with client(private=safety.PrivateAccess.parse("true")) as c:
        allowed = c.get(site.url("/redirect-other"))
    assert allowed.final_url == other.url("/articles/food-security.html")
    assert other.requests == ["/robots.txt", "/articles/food-security.html"]


def test_only_http_and_https_urls_are_fetched() -> None:
    with client() as c:
        for url in ("file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/",
                    "/relative/path", "http://user:secret@127.0.0.1/"):
            with pytest.raises(FetchError):
                c.get(url)


def test_the_connected_peer_is_checked_too(site: LoopbackSite) -> None:
    """Even when a name passed the check, the socket's real peer is checked again."""
    with socket.create_connection((site.host, site.port)) as sock:
        with pytest.raises(safety.UnsafeURL, match="connection went to 127.0.0.1"):
            safety.check_peer(sock, safety.PrivateAccess())
        safety.check_peer(sock, ONLY_FIRST)


def test_the_peer_is_checked_before_a_byte_is_sent(site: LoopbackSite) -> None:
    """The client's connections refuse a private peer even when no check ran before them."""
    with requests.Session() as session:
        session.trust_env = False
        session.mount("http://", guarded_adapter(safety.PrivateAccess()))
        with pytest.raises(safety.UnsafeURL, match="connection went to 127.0.0.1"):
            session.get(site.url("/articles/cica-summit.html"), timeout=5)
        session.mount("http://", guarded_adapter(ONLY_FIRST))
        assert session.get(site.url("/robots.txt"), timeout=5).status_code == 200
    assert site.requests == ["/robots.txt"]


def test_which_addresses_count_as_public() -> None:
    public = safety.PrivateAccess()
    for text in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1", "169.254.169.254",
                 "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:10.0.0.1",
                 "224.0.0.1"):
        assert not public.permits(ipaddress.ip_address(text)), text
    assert public.permits(ipaddress.ip_address("93.184.216.34"))
    some = safety.PrivateAccess.parse("10.1.0.0/16, 192.168.5.7")
    assert some.permits(ipaddress.ip_address("10.1.9.9"))
    assert not some.permits(ipaddress.ip_address("10.2.0.1"))
    assert safety.PrivateAccess.parse("FALSE") == public
    with pytest.raises(ValueError, match="neither true/false"):
        safety.PrivateAccess.parse("intranet.example")


def test_a_slow_server_times_out(site: LoopbackSite) -> None:
    with client() as c, pytest.raises(FetchError, match="0.5 s"):
        c.get(site.url("/slow"))


def test_an_oversized_response_is_stopped(site: LoopbackSite) -> None:
    with client() as c:
        with pytest.raises(FetchError, match="over the 262,144-byte limit"):
            c.get(site.url("/huge"))
        with pytest.raises(FetchError, match="not downloaded"):
            c.get(site.url("/huge-declared"))


def test_errors_are_reported_and_429_and_5xx_retried(site: LoopbackSite) -> None:
    with client() as c:
        with pytest.raises(FetchError, match="HTTP 404") as missing:
            c.get(site.url("/articles/no-such-story.html"))
        assert missing.value.status == 404
        with pytest.raises(FetchError, match=r"HTTP 500 Internal Server Error \(tried 3 times\)"):
            c.get(site.url("/broken"))
        assert site.seen("/broken") == 3  # the first attempt and two retries
        assert c.get(site.url("/busy")).status == 200  # 429 with Retry-After: 0, then the page
    assert site.seen("/busy") == 2
    assert site.seen("/articles/no-such-story.html") == 1  # a 404 is not retried


def test_a_long_retry_after_is_not_waited_for(site: LoopbackSite) -> None:
    waits: list[float] = []
    policy = dataclasses.replace(TEST_POLICY, max_retry_wait=-1.0)
    with Client(policy, sleep=waits.append) as c, pytest.raises(FetchError, match="asked to wait"):
        c.get(site.url("/busy"))
    assert waits == []


def test_a_page_that_is_not_html_is_not_an_article(site: LoopbackSite) -> None:
    with client() as c:
        result = c.get(site.url("/report.pdf"))
    with pytest.raises(article.NotAnArticle, match="application/pdf"):
        article.read_article(result)


def test_requests_to_one_host_are_paced() -> None:
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    gate = HostGate(2.0, 2, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with gate.turn("example.org:443"):
            pass
    with gate.turn("other.org:443"):  # another host is not held up
        pass
    assert waits == [2.0, 2.0]
    gate.slow_down("example.org:443", 5.0)  # a robots.txt Crawl-delay
    with gate.turn("example.org:443"):
        pass
    with gate.turn("example.org:443"):
        pass
    assert waits[-1] == 5.0


def test_at_most_per_host_requests_run_at_once() -> None:
    gate = HostGate(0.0, 2)
    slots = []
    with gate.turn("example.org:443"), gate.turn("example.org:443"):
        slots.append(gate._slots["example.org:443"].acquire(blocking=False))  # a third waits
        with gate.turn("other.org:443"):  # another host has its own slots
            pass
    slots.append(gate._slots["example.org:443"].acquire(blocking=False))
    assert slots == [False, True]


def test_retry_after_header() -> None:
    now = dt.datetime(2024, 7, 1, 10, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Mon, 01 Jul 2024 10:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_feeds_and_sitemaps_are_read(site: LoopbackSite) -> None:
    with client() as c:
        rss = read_feed_page(c.get(site.url("/feed.xml")).body)
        atom = read_feed_page(c.get(site.url("/atom.xml")).body)
        index = read_feed_page(c.get(site.url("/sitemap-index.xml")).body)
        sitemap = read_feed_page(c.get(site.url("/sitemap.xml")).body)
    assert [i.url for i in rss.items] == [site.url("/articles/cica-summit.html"),
                                          site.url("/articles/aif-forum.html")]
    assert rss.items[0].published == "2022-10-13" and rss.items[0].title.startswith("CICA")
    assert [i.published for i in atom.items] == ["2022-09-14", "2024-01-10"]
    assert index.sitemaps == [site.url("/sitemap.xml")] and index.items == []
    assert [i.published for i in sitemap.items] == ["2022-10-13", "2020-09-23"]  # newest first
    with pytest.raises(FeedFormatError):
        read_feed_page(b"<html><body>not a feed</body></html>")


def test_feeds_file_mistakes_are_named(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feed]]\nname = "A"\noutlet = "Wire"\nurl = "https://a.example/feed"\n'
                    'kind = "sitemap"\n', encoding="utf-8")
    assert load_feeds(path)[0].kind == "sitemap"
    for text, message in (
        ('[[feed]]\nname = "A"\nurl = "https://a.example/"\n', "'outlet' is missing"),
        ('[[feed]]\nname = "A"\noutlet = "W"\nurl = "u"\n[[feed]]\nname = "a"\noutlet = "W"\n'
         'url = "v"\n', "used twice"),
        ('[[feed]]\nname = "A"\noutlet = "W"\nurl = "u"\nlink = "x"\n', "unknown key"),
        ("[[feed]\n", "not valid TOML"),
    ):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(FeedsFileError, match=message):
            load_feeds(path)
