"""robots.txt, read once per site and honoured for every URL fetched there.

`urllib.robotparser` parses the rules; this module fetches the file through the same safe
client and applies RFC 9309 to what came back:

- 2xx: the file's rules (and its Crawl-delay, which slows the client down for that site);
- 401/403: the site forbids robots, so nothing is fetched there;
- any other 4xx (usually 404): no rules, everything may be fetched;
- 5xx, a timeout or a refused connection: the site is unreachable, so nothing is fetched there
  in this run (better to wait than to crawl a site whose rules are unknown).
"""

from __future__ import annotations

import threading
import urllib.robotparser
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from etl.fetch.client import Client

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 asks crawlers to read at least 500 KiB


class RobotsRules:
    """The robots.txt rules of each site the client visits, fetched on first use."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._sites: dict[str, _Site] = {}

    def check(self, url: str) -> None:
        """Raise FetchError when robots.txt does not let this client fetch `url`."""
        from etl.fetch.client import FetchError, host_key

        site = self._site(url)
        with site.lock:
            if site.parser is None and site.refusal is None:
                site.parser, site.refusal = self._read(site.robots_url)
                delay = site.parser.crawl_delay(self.client.policy.user_agent) if site.parser \
                    else None
                if delay:
                    self.client.gate.slow_down(host_key(url), float(delay))
        if site.refusal is not None:
            raise FetchError(site.refusal)
        assert site.parser is not None
        if not site.parser.can_fetch(self.client.policy.user_agent, url):
            raise FetchError(f"the site's robots.txt ({site.robots_url}) does not allow fetching "
                             f"this page; not fetched")

    def _site(self, url: str) -> _Site:
        parts = urlsplit(url)
        origin = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))
        with self._lock:
            if origin not in self._sites:
                self._sites[origin] = _Site(f"{origin}/robots.txt")
            return self._sites[origin]

    def _read(
        self, robots_url: str
    ) -> tuple[urllib.robotparser.RobotFileParser | None, str | None]:
        """(rules, None), or (None, why nothing may be fetched from the site)."""
        from etl.fetch.client import FetchError

        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            result = self.client.get(robots_url, check_robots=False)
        except FetchError as exc:
            status = exc.status
            if status in (401, 403):
                return None, (f"the site's robots.txt ({robots_url}) is forbidden to robots "
                              f"(HTTP {status}), so nothing is fetched from the site")
            if status is not None and 400 <= status < 500:
                parser.parse([])  # no robots.txt: everything is allowed
                return parser, None
            return None, (f"the site's robots.txt ({robots_url}) could not be read ({exc.reason}), "
                          f"so nothing is fetched from the site in this run")
        text = result.body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
        parser.parse(text.splitlines())
        return parser, None


class _Site:
    def __init__(self, robots_url: str) -> None:
        self.robots_url = robots_url
        self.lock = threading.Lock()
        self.parser: urllib.robotparser.RobotFileParser | None = None
        self.refusal: str | None = None
