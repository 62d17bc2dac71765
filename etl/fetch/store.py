"""The article folder's hidden fetch area, `.fetch/`: what was fetched, seen, and when.

Hidden, so the build never reads it as articles; kept inside the article folder so it travels
with the articles it describes. Its files (docs/fetch.md):

- `pages/<article file>.json`: for each article saved by a fetch, the URL asked for, the final
  URL after redirects, the HTTP status, the content type, when it was fetched and by which feed;
- `pages/<article file>.gz`: the page as the server sent it (decoded from the transfer
  encoding), gzip-compressed;
- `seen.txt`: every article URL already fetched (or known not to be an article), one a line, so
  a feed fetched again fetches only its new items;
- `feeds.json`: per feed (by name): its URL and outlet, the ETag and Last-Modified of its last
  answer (sent back as a conditional request), when it was last fetched, its status, how many
  items it listed and how many new articles it brought, and the last error;
- `.lock`: held by a running fetch, so two never write these files at once.

Every file is replaced atomically (written aside, then renamed).
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

FETCH_DIR = ".fetch"
PAGES_DIR = "pages"
SEEN_FILE = "seen.txt"
FEEDS_FILE = "feeds.json"
LOCK_FILE = ".lock"


class FetchBusy(RuntimeError):
    """Another fetch is writing to this article folder."""


@dataclass
class PageRecord:
    """How an article file came from the web (`pages/<file>.json`)."""

    source_file: str  # the article file, relative to the article folder
    url: str  # as asked for (given, or listed by the feed)
    final_url: str  # after redirects
    http_status: int
    content_type: str
    fetched_at: str  # UTC, ISO 8601
    raw_file: str  # the compressed response, relative to the article folder
    raw_bytes: int  # its size before compression
    feed: str | None = None  # the feed that listed it; None for a URL given on the command line


@dataclass
class FeedState:
    """What the last fetch of a feed found (`feeds.json`, by feed name)."""

    url: str
    outlet: str
    last_fetched: str | None = None  # UTC, ISO 8601, of the last attempt
    last_status: str = ""  # 'ok', 'not modified' or 'failed'
    last_error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    items_listed: int = 0  # article links in the feed at the last fetch
    new_articles: int = 0  # articles the last fetch saved that were not in the folder before
    total_articles: int = 0  # articles saved from this feed over all fetches
    last_new_at: str | None = None  # when a fetch last brought a new article


def seen_key(url: str) -> str:
    """The form of a URL in the seen list: scheme and host lower-cased, no fragment."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/",
                       parts.query, ""))


class FetchStore:
    """The `.fetch/` area of one article folder."""

    def __init__(self, articles_dir: Path) -> None:
        self.articles_dir = articles_dir
        self.root = articles_dir / FETCH_DIR

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the fetch lock of this folder; raises FetchBusy if another fetch holds it."""
        (self.root / PAGES_DIR).mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK_FILE, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise FetchBusy(f"another fetch into {self.articles_dir} is running; try again "
                                f"when it has finished") from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- seen URLs ---------------------------------------------------------------------------

    def seen(self) -> set[str]:
        """The article URLs already fetched (in `seen_key` form)."""
        try:
            text = (self.root / SEEN_FILE).read_text(encoding="utf-8")
        except FileNotFoundError:
            return set()
        return {line for line in text.splitlines() if line}

    def add_seen(self, urls: list[str]) -> None:
        """Add article URLs to the seen list."""
        known = self.seen()
        new = [key for url in urls if (key := seen_key(url)) not in known]
        if not new:
            return
        merged = sorted(known | set(new))
        self._replace(self.root / SEEN_FILE, ("\n".join(merged) + "\n").encode())

    # --- pages -------------------------------------------------------------------------------

    def save_page(self, record: PageRecord, body: bytes) -> None:
        """Keep the raw response and its record beside the article file it became."""
        pages = self.root / PAGES_DIR
        pages.mkdir(parents=True, exist_ok=True)
        flat = record.source_file.replace("/", "__")
        self._replace(pages / f"{flat}.gz", gzip.compress(body, mtime=0))
        record.raw_file = f"{FETCH_DIR}/{PAGES_DIR}/{flat}.gz"
        record.raw_bytes = len(body)
        self._replace(pages / f"{flat}.json",
                      json.dumps(asdict(record), indent=2, ensure_ascii=False).encode())

    def pages(self) -> list[PageRecord]:
        """Every page record, by article file (records that cannot be read are skipped)."""
        records: list[PageRecord] = []
        pages = self.root / PAGES_DIR
        if not pages.is_dir():
            return records
        for path in sorted(pages.glob("*.json")):
            with contextlib.suppress(OSError, ValueError, TypeError):
                records.append(PageRecord(**json.loads(path.read_text(encoding="utf-8"))))
        return records

    # --- feeds -------------------------------------------------------------------------------

    def feed_states(self) -> dict[str, FeedState]:
        """Each feed's state by name ({} before the first fetch of a feed)."""
        try:
            data: Any = json.loads((self.root / FEEDS_FILE).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        states: dict[str, FeedState] = {}
        for name, values in (data.get("feeds", {}) if isinstance(data, dict) else {}).items():
            with contextlib.suppress(TypeError):
                states[name] = FeedState(**values)
        return states

    def save_feed_states(self, states: dict[str, FeedState]) -> None:
        body = {"feeds": {name: asdict(state) for name, state in sorted(states.items())}}
        self._replace(self.root / FEEDS_FILE,
                      json.dumps(body, indent=2, ensure_ascii=False).encode())

    # --- writing -----------------------------------------------------------------------------

    @staticmethod
    def _replace(path: Path, data: bytes) -> None:
        """Write `path` atomically: a reader sees the old file or the new, never half of one."""
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
