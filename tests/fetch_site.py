"""A news site on the loopback interface for the fetch tests: nothing leaves the machine.

`LoopbackSite` runs `http.server` in a thread, bound to an address on 127.0.0.0/8 and port 0
(the system picks a free port), records every request it sees, and is shut down by the test
fixture. It serves article pages, an RSS feed (with ETag and Last-Modified, for conditional
requests), an Atom feed, a sitemap and a sitemap index, robots.txt with a disallowed path,
redirects (one to another address, one in a loop), a slow page, oversized pages, 404, 429 then
success, 500, a PDF, and a "rolling" feed whose items partly repeat on each fetch.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ARTICLES = {
    "cica-summit": ("CICA holds its sixth summit in Astana", "2022-10-13",
                    "CICA, the Asian security forum, "
                    "held its sixth summit in Astana in October 2022. Leaders of the member "
                    "states adopted a statement on the transformation of CICA into a full "
                    "international organisation."),
    "aif-forum": ("Astana International Forum opens", "2023-06-08",
                  "The Astana International Forum was first held in 2023 in Astana. The forum "
                  "brought together diplomats, experts and business leaders to discuss "
                  "security, climate and economic cooperation."),
    "religions-congress": ("Congress of religious leaders meets", "2022-09-14",
                           "The Congress of Leaders of World and Traditional Religions met in "
                           "Astana in September 2022. The congress was first held in 2003 and "
                           "meets every three years."),
    "food-security": ("Food security organisation meets", "2024-01-10",
                      "The Islamic Organisation for Food Security was founded in 2013 and has "
                      "its headquarters in Astana. Its general assembly met in January 2024."),
    "biosafety-agency": ("Biosafety agency proposed", "2020-09-23",
                         "Kazakhstan proposed the International Agency for Biological Safety at "
                         "the United Nations General Assembly in 2020."),
    "nuclear-zone": ("Nuclear-weapon-free zone marks anniversary", "2021-09-08",
                     "The treaty on a Nuclear-Weapon-Free Zone in Central Asia was signed in "
                     "Semipalatinsk in 2006 and entered into force in 2009."),
}
FEED_ETAG = '"feed-v1"'
FEED_MODIFIED = "Mon, 01 Jul 2024 10:00:00 GMT"
ROLLING = [["cica-summit", "aif-forum"], ["aif-forum", "nuclear-zone"]]


def article_page(slug: str) -> str:
    """An article page as news sites write them: navigation, metadata, the story, a footer."""
    title, date, text = ARTICLES[slug]
    filler = (" Officials said the meeting would continue the work of earlier years, and "
              "observers noted the growing role of Astana as a venue for dialogue.")
    paragraphs = "".join(f"<p>{sentence}{filler}</p>" for sentence in (text, text + " More."))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} | Loopback "
        f"News</title><meta property='og:title' content='{title}'>"
        f"<meta property='og:site_name' content='Loopback News'>"
        f"<meta property='article:published_time' content='{date}T09:00:00+05:00'></head>"
        f"<body><nav><a href='/'>Home</a> | <a href='/news'>News</a></nav><article>"
        f"<h1>{title}</h1>{paragraphs}</article><footer>Copyright Loopback News</footer>"
        f"</body></html>"
    )


class LoopbackSite:
    """The site; `url(path)` gives a page's address, `requests` every path requested."""

    def __init__(self, host: str = "127.0.0.1", other: LoopbackSite | None = None) -> None:
        self.requests: list[str] = []
        self.counts: Counter[str] = Counter()
        self.release = threading.Event()  # ends the slow page's wait at shutdown
        self.other = other
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                with site._lock:
                    site.requests.append(self.path)
                    site.counts[self.path] += 1
                    count = site.counts[self.path]
                site.handle(self, count)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.host, self.port = host, self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    def start(self) -> LoopbackSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def seen(self, path: str) -> int:
        with self._lock:
            return self.counts[path]

    # --- the pages ---------------------------------------------------------------------------

    def handle(self, h: BaseHTTPRequestHandler, count: int) -> None:
        path = h.path.split("?", 1)[0]
        if path == "/robots.txt":
            return _send(h, 200, "User-agent: *\nDisallow: /private/\n", "text/plain")
        if path.startswith(("/articles/", "/private/")):
            slug = path.rsplit("/", 1)[-1].removesuffix(".html")
            if slug in ARTICLES:
                return _send(h, 200, article_page(slug), "text/html; charset=utf-8")
            return _send(h, 404, "not found", "text/plain")
        if path == "/feed.xml":
            if h.headers.get("If-None-Match") == FEED_ETAG:
                return _send(h, 304, "", None)
            return _send(h, 200, self.rss(["cica-summit", "aif-forum"]), "application/rss+xml",
                         {"ETag": FEED_ETAG, "Last-Modified": FEED_MODIFIED})
        if path == "/rolling.xml":
            return _send(h, 200, self.rss(ROLLING[min(count, len(ROLLING)) - 1]),
                         "application/rss+xml")
        if path == "/atom.xml":
            return _send(h, 200, self.atom(["religions-congress", "food-security"]),
                         "application/atom+xml")
        if path == "/sitemap.xml":
            return _send(h, 200, self.sitemap(["biosafety-agency", "cica-summit"]),
                         "application/xml")
        if path == "/sitemap-index.xml":
            body = ("<?xml version='1.0'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/"
                    f"sitemap/0.9'><sitemap><loc>{self.url('/sitemap.xml')}</loc></sitemap>"
                    "</sitemapindex>")
            return _send(h, 200, body, "application/xml")
        if path == "/redirect":
            return _redirect(h, "/articles/aif-forum.html")
        if path == "/loop":
            return _redirect(h, "/loop")
        if path == "/redirect-other":  # to the other loopback address
            assert self.other is not None
            return _redirect(h, self.other.url("/articles/food-security.html"))
        if path == "/redirect-metadata":  # the classic cloud metadata address
            return _redirect(h, "http://169.254.169.254/latest/meta-data/")
        if path == "/slow":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()
            h.wfile.write(b"<html><body><p>Starting")
            h.wfile.flush()
            self.release.wait(30)  # never finishes within the client's read timeout
            return None
        if path == "/huge":  # no Content-Length: the client must stop reading by itself
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.end_headers()
            chunk = b"<p>" + b"x" * 8189 + b"</p>"
            for _ in range(200):  # 1.6 MB
                try:
                    h.wfile.write(chunk)
                except OSError:
                    return None
            return None
        if path == "/huge-declared":
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Content-Length", str(50 * 1024 * 1024))
            h.end_headers()
            return None
        if path == "/busy":  # 429 once, then the article
            if count == 1:
                return _send(h, 429, "slow down", "text/plain", {"Retry-After": "0"})
            return _send(h, 200, article_page("religions-congress"), "text/html")
        if path == "/broken":
            return _send(h, 500, "internal error", "text/plain")
        if path == "/report.pdf":
            return _send(h, 200, "%PDF-1.4 not an article", "application/pdf")
        return _send(h, 404, "not found", "text/plain")

    def rss(self, slugs: list[str]) -> str:
        items = "".join(
            f"<item><title>{ARTICLES[s][0]}</title><link>{self.url(f'/articles/{s}.html')}"
            f"</link><pubDate>{_rfc822(ARTICLES[s][1])}</pubDate></item>" for s in slugs)
        return ("<?xml version='1.0'?><rss version='2.0'><channel><title>Loopback News</title>"
                f"<link>{self.url('/')}</link><description>News</description>{items}"
                "</channel></rss>")

    def atom(self, slugs: list[str]) -> str:
        """An Atom feed whose links are relative (resolved against the feed's URL)."""
        entries = "".join(
            f"<entry><title>{ARTICLES[s][0]}</title><id>urn:{s}</id>"
            f"<link href='/articles/{s}.html'/>"
            f"<updated>{ARTICLES[s][1]}T09:00:00Z</updated></entry>" for s in slugs)
        return ("<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/"
                "Atom'><title>Loopback Atom</title><id>urn:feed</id>"
                f"<updated>2024-01-10T00:00:00Z</updated>{entries}</feed>")

    def sitemap(self, slugs: list[str]) -> str:
        urls = "".join(
            f"<url><loc>{self.url(f'/articles/{s}.html')}</loc>"
            f"<lastmod>{ARTICLES[s][1]}</lastmod></url>" for s in slugs)
        return ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/"
                f"0.9'>{urls}</urlset>")


def _send(h: BaseHTTPRequestHandler, status: int, body: str, kind: str | None,
          headers: dict[str, str] | None = None) -> None:
    data = body.encode()
    h.send_response(status)
    if kind:
        h.send_header("Content-Type", kind)
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    if status != 304:
        h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    if status != 304:
        h.wfile.write(data)


def _redirect(h: BaseHTTPRequestHandler, location: str) -> None:
    h.send_response(302)
    h.send_header("Location", location)
    h.send_header("Content-Length", "0")
    h.end_headers()


def _rfc822(date: str) -> str:
    import datetime as dt

    return dt.date.fromisoformat(date).strftime("%a, %d %b %Y 09:00:00 +0000")
