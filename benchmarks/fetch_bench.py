"""Fetch throughput against news sites on the loopback interface (nothing leaves the machine).

    python -m benchmarks.fetch_bench [--hosts 4] [--pages 100] [--workers 8] [--json PATH]

Starts `--hosts` small sites (127.0.0.1, 127.0.0.2, ...; each an `http.server` in a thread)
serving robots.txt, an RSS feed of `--pages` articles and the article pages, then runs what
`python -m etl fetch --feeds` runs, without the build: every feed, every page through the
polite client (robots.txt, per-host cap of two requests at once, no pacing delay so the figure
is the client's own cost), trafilatura's extraction, and the save into a temporary article
folder. Reports pages per second for the first run and the time of a second run, in which
every item is already seen. The per-host delay of a real run (IM_FETCH_HOST_DELAY, 1 s) bounds
a real run at about one page per second per host.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from etl.fetch import safety
from etl.fetch.client import Client, FetchPolicy
from etl.fetch.feeds import Feed
from etl.fetch.run import FETCHED, fetch_feeds
from etl.fetch.store import FetchStore

PARAGRAPH = ("CICA, the Asian security forum, met in "
             "Astana, where delegations discussed security, trade and the next summit. ")


def _site(host: str, pages: int) -> ThreadingHTTPServer:
    """A site serving robots.txt, /feed.xml listing `pages` articles, and the articles."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            base = f"http://{host}:{self.server.server_address[1]}"
            if self.path == "/robots.txt":
                body, kind = "User-agent: *\nDisallow: /private/\n", "text/plain"
            elif self.path == "/feed.xml":
                items = "".join(f"<item><title>Story {i}</title><link>{base}/a/{i}.html</link>"
                                f"<pubDate>Mon, 01 Jul 2024 09:00:00 +0000</pubDate></item>"
                                for i in range(pages))
                body = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{host}"
                        f"</title>{items}</channel></rss>")
                kind = "application/rss+xml"
            else:
                story = self.path.rsplit("/", 1)[-1]
                body = (f"<html><head><title>Story {story} from {host}</title></head><body><nav>"
                        f"Home</nav><article><h1>Story {story}</h1>"
                        + "".join(f"<p>{PARAGRAPH * 3} ({host} {story} {n})</p>"
                                  for n in range(6)) + "</article></body></html>")
                kind = "text/html; charset=utf-8"
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def run(hosts: int = 4, pages: int = 100, workers: int = 8) -> dict[str, Any]:
    """Fetch every page of the loopback sites twice; the figures as a dict."""
    servers = [_site(f"127.0.0.{n + 1}", pages) for n in range(hosts)]
    policy = FetchPolicy(private=safety.PrivateAccess(everything=True), host_delay=0.0)
    feeds = [Feed(f"site {n}", f"Outlet {n}",
                  f"http://127.0.0.{n + 1}:{s.server_address[1]}/feed.xml")
             for n, s in enumerate(servers)]
    try:
        with tempfile.TemporaryDirectory(prefix="im-fetch-bench-") as folder:
            store = FetchStore(Path(folder) / "articles")
            with store.locked(), Client(policy) as client:
                started = time.perf_counter()
                first = fetch_feeds(client, store, feeds, 20 * 1024 * 1024, pages, workers)
                first_s = time.perf_counter() - started
                started = time.perf_counter()
                second = fetch_feeds(client, store, feeds, 20 * 1024 * 1024, pages, workers)
                second_s = time.perf_counter() - started
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    saved = sum(o.outcome == FETCHED for o in first.urls)
    return {
        "hosts": hosts, "pages_per_host": pages, "workers": workers,
        "pages_saved": saved, "failed": first.failed,
        "first_run_ms": round(first_s * 1000), "pages_per_s": round(saved / first_s, 1),
        "refetch_ms": round(second_s * 1000), "refetch_pages_fetched": len(second.urls),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fetch_bench")
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    figures = run(args.hosts, args.pages, args.workers)
    print(f"\nFetch ({figures['hosts']} loopback hosts x {figures['pages_per_host']} pages, "
          f"{figures['workers']} workers, no pacing delay)")
    print(f"  first run: {figures['pages_saved']:,} pages saved in "
          f"{figures['first_run_ms'] / 1000:.1f} s = {figures['pages_per_s']:.1f} pages/s "
          f"({figures['failed']} failed)")
    print(f"  second run (every item already seen): {figures['refetch_ms'] / 1000:.2f} s, "
          f"{figures['refetch_pages_fetched']} pages fetched")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures["failed"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
