"""The polite, safe HTTP client every fetch goes through.

requests (with urllib3 under it) does the HTTP; this module adds the rules of docs/fetch.md:

- only http(s), and no loopback, link-local or private addresses unless allowed (`safety`):
  checked before each request, on each redirect hop, and on the connected socket;
- robots.txt is honoured for every URL requested, redirect targets included (`robots`);
- per host, at most `per_host` requests at a time and `host_delay` seconds (or the site's
  longer Crawl-delay) between the starts of two requests (`HostGate`);
- 429 and 5xx answers, and failed connections, are retried with exponential backoff, waiting
  as long as a `Retry-After` header asks (up to `max_retry_wait`);
- connect and read timeouts, and a deadline for the whole response;
- the body is streamed and reading stops past `max_bytes` (after decompression, so a small
  gzip bomb is stopped too);
- redirects are followed by hand, at most `max_redirects`, each hop checked as a new URL.

Environment proxies are ignored (`trust_env = False`): a proxy would hide where a request goes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import http
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from etl.fetch import safety
from etl.settings import Settings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024


class FetchError(Exception):
    """A URL could not be fetched; `reason` says why in an operator's words."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class FetchPolicy:
    """The limits of a fetch run (from Settings; tests shorten the waits)."""

    user_agent: str = "InitiativeMonitor/1.0"
    private: safety.PrivateAccess = safety.PrivateAccess()
    host_delay: float = 1.0
    per_host: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    response_seconds: float = 120.0  # the whole response, however slowly it trickles
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3  # further attempts after a 429, a 5xx or a failed connection
    backoff: float = 1.0  # the first wait between attempts; doubles each time
    max_retry_wait: float = 120.0  # a longer Retry-After is not waited for

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> FetchPolicy:
        """The policy the settings (IM_FETCH_*) give, with `overrides`."""
        values: dict[str, Any] = {
            "user_agent": settings.fetch_user_agent,
            "private": safety.PrivateAccess.parse(settings.fetch_allow_private),
            "host_delay": max(0.0, settings.fetch_host_delay),
            "connect_timeout": min(10.0, settings.fetch_timeout),
            "read_timeout": settings.fetch_timeout,
            "max_bytes": settings.fetch_max_bytes,
        }
        return cls(**{**values, **overrides})


@dataclass
class FetchResult:
    """One URL fetched: where it ended up, the answer's status and headers, and its body."""

    url: str  # as requested
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes  # decoded from Content-Encoding; empty for a 304
    fetched_at: str  # UTC, ISO 8601
    redirects: list[str] = field(default_factory=list)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def host_key(url: str) -> str:
    """'host:port' of a URL, the unit of pacing and of the concurrency cap."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


class HostGate:
    """Per host: at most `per_host` requests at once, and `delay` seconds between two starts."""

    def __init__(
        self,
        delay: float,
        per_host: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.delay = delay
        self.per_host = max(1, per_host)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def slow_down(self, host: str, delay: float) -> None:
        """Space requests to `host` at least `delay` seconds apart (a robots.txt Crawl-delay)."""
        with self._lock:
            self._delays[host] = max(delay, self._delays.get(host, 0.0))

    @contextlib.contextmanager
    def turn(self, host: str) -> Iterator[None]:
        """Hold one of the host's slots, starting no sooner than its pacing allows."""
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.per_host))
        with slot:
            with self._lock:
                now = self.clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + max(self.delay, self._delays.get(host, 0.0))
            if start > now:
                self.sleep(start - now)
            yield


def guarded_adapter(access: safety.PrivateAccess) -> HTTPAdapter:
    """An adapter whose connections check the connected peer's address (`safety.check_peer`)
    before a byte is sent."""

    class Guarded:
        """Checks the connected peer before the connection is used."""

        def _new_conn(self) -> Any:
            sock = super()._new_conn()  # type: ignore[misc]
            try:
                safety.check_peer(sock, access)
            except safety.UnsafeURL:
                sock.close()
                raise
            return sock

    class GuardedHTTPConnection(Guarded, HTTPConnection):
        pass

    class GuardedHTTPSConnection(Guarded, HTTPSConnection):
        pass

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {
                "http": GuardedHTTPPool, "https": GuardedHTTPSPool,
            }

    return GuardedAdapter(max_retries=0)


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds a `Retry-After` header asks to wait (a number, or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Client:
    """Fetches URLs under a `FetchPolicy`; safe to share between threads."""

    def __init__(
        self,
        policy: FetchPolicy,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from etl.fetch.robots import RobotsRules  # robots fetches robots.txt through this client

        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.gate = HostGate(policy.host_delay, policy.per_host, clock, sleep)
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.headers.update({
            "User-Agent": policy.user_agent,
            "Accept-Encoding": "gzip, deflate",
        })
        adapter = guarded_adapter(policy.private)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.robots = RobotsRules(self)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self, url: str, headers: Mapping[str, str] | None = None, check_robots: bool = True
    ) -> FetchResult:
        """Fetch `url`, following redirects; raises FetchError with the reason it failed.

        Answers 2xx and 304 are returned; any other status (after retries) is a FetchError.
        """
        current = url
        redirects: list[str] = []
        while True:
            self._check(current, check_robots, redirected=current != url)
            answer = self._with_retries(current, headers or {})
            if answer.status in REDIRECT_STATUSES and answer.headers.get("location"):
                if len(redirects) >= self.policy.max_redirects:
                    raise FetchError(
                        f"redirected more than {self.policy.max_redirects} times; not followed "
                        f"further", answer.status)
                redirects.append(current)
                current = urljoin(current, answer.headers["location"])
                continue
            if answer.status == 304 or 200 <= answer.status < 300:
                return FetchResult(url, current, answer.status, answer.headers, answer.body,
                                   dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                                   redirects)
            raise FetchError(_status_reason(answer.status, current, url), answer.status)

    def _check(self, url: str, check_robots: bool, redirected: bool) -> None:
        """Refuse, before any connection, a URL that is not safe or that robots.txt forbids."""
        try:
            safety.check_destination(url, self.policy.private)
            if check_robots:
                self.robots.check(url)
        except (safety.UnsafeURL, FetchError) as exc:
            reason = str(exc)
            if redirected:
                reason = f"redirected to {_shown(url)}, which is refused: {reason}"
            raise FetchError(reason, getattr(exc, "status", None)) from exc

    def _with_retries(self, url: str, headers: Mapping[str, str]) -> _Answer:
        """One request, retried on 429/5xx and failed connections with backoff."""
        attempt = 0
        while True:
            try:
                answer = self._exchange(url, headers)
            except _Retryable as exc:
                if attempt >= self.policy.retries:
                    raise FetchError(f"{exc} (tried {attempt + 1} times)") from exc
                self.sleep(self._backoff(attempt))
                attempt += 1
                continue
            if answer.status not in RETRY_STATUSES:
                return answer
            wait = retry_after_seconds(answer.headers.get("retry-after"))
            if attempt >= self.policy.retries:
                raise FetchError(f"{_status_reason(answer.status, url, url)} (tried "
                                 f"{attempt + 1} times)", answer.status)
            if wait is not None and wait > self.policy.max_retry_wait:
                raise FetchError(
                    f"the server answered {answer.status} and asked to wait {wait:.0f} s before "
                    f"trying again, longer than the {self.policy.max_retry_wait:.0f} s waited "
                    f"for; try again later", answer.status)
            self.sleep(wait if wait is not None else self._backoff(attempt))
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: backoff * 2^attempt, +-25%."""
        base = self.policy.backoff * (2 ** attempt)
        return min(self.policy.max_retry_wait, base * random.uniform(0.75, 1.25))

    def _exchange(self, url: str, headers: Mapping[str, str]) -> _Answer:
        """One request and, for a 2xx answer, its body, within the host's turn."""
        with self.gate.turn(host_key(url)):
            try:
                response = self.session.get(
                    url, headers=dict(headers), stream=True, allow_redirects=False,
                    timeout=(self.policy.connect_timeout, self.policy.read_timeout))
            except safety.UnsafeURL as exc:
                raise FetchError(str(exc)) from exc
            except requests.Timeout as exc:
                if isinstance(exc, requests.ConnectTimeout):
                    raise _Retryable(f"connecting timed out after "
                                     f"{self.policy.connect_timeout:g} s") from exc
                raise FetchError(f"the server did not answer within "
                                 f"{self.policy.read_timeout:g} s") from exc
            except requests.ConnectionError as exc:
                raise _Retryable(f"could not connect ({_root_cause(exc)})") from exc
            except requests.RequestException as exc:
                raise FetchError(f"the request failed ({_root_cause(exc)})") from exc
            with response:
                answer_headers = {k.lower(): v for k, v in response.headers.items()}
                body = b""
                if 200 <= response.status_code < 300:
                    body = self._read_body(response)
                return _Answer(response.status_code, answer_headers, body)

    def _read_body(self, response: requests.Response) -> bytes:
        """The body, streamed: stopped past `max_bytes`, a read timeout or the deadline."""
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(f"the response is {int(declared):,} bytes, over the {limit:,}-byte "
                             f"limit (IM_FETCH_MAX_BYTES); not downloaded")
        deadline = self.clock() + self.policy.response_seconds
        chunks: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                total += len(chunk)
                if total > limit:
                    raise FetchError(f"the response is over the {limit:,}-byte limit "
                                     f"(IM_FETCH_MAX_BYTES); download stopped")
                if self.clock() > deadline:
                    raise FetchError(f"the response took longer than "
                                     f"{self.policy.response_seconds:g} s; download stopped")
                chunks.append(chunk)
        except requests.RequestException as exc:
            if "timed out" in str(exc).lower():
                raise FetchError(f"the server stopped sending for more than "
                                 f"{self.policy.read_timeout:g} s; download stopped") from exc
            raise FetchError(f"the download failed ({_root_cause(exc)})") from exc
        return b"".join(chunks)


class _Retryable(Exception):
    """A failure worth another attempt (a connection refused or reset)."""


def _status_reason(status: int, final_url: str, url: str) -> str:
    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    where = "" if final_url == url else f" (at {final_url}, after redirects)"
    text = f"the server answered HTTP {status}" + (f" {phrase}" if phrase else "")
    return text + where


def _shown(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "…"


def _root_cause(exc: BaseException) -> str:
    """The innermost exception's message: 'Connection refused' rather than urllib3's wrapping."""
    seen: set[int] = set()
    while True:
        inner = exc.__cause__ or exc.__context__
        if inner is None and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        reason = getattr(exc, "reason", None)
        if inner is None and isinstance(reason, BaseException):
            inner = reason
        if inner is None or id(inner) in seen:
            break
        seen.add(id(exc))
        exc = inner
    text = str(exc)
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text
