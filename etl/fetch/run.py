"""Fetching many URLs and feeds: one outcome per URL, and a failure never stops the rest.

A run fetches the pages in a thread pool (the client paces and caps each host), then, in this
thread, saves every article read into the article folder through `etl.intake.save_articles`
(the rules of `python -m etl add`: safe names, nothing overwritten, identical files noticed) and
keeps each page's raw response and record in the fetch area (`etl.fetch.store`). The caller
rebuilds the warehouse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from etl import intake
from etl.fetch import article as articles
from etl.fetch.client import Client, FetchError, FetchResult
from etl.fetch.feeds import Feed, FeedFormatError, FeedItem, read_feed_page
from etl.fetch.store import FeedState, FetchStore, PageRecord, seen_key

MAX_SITEMAPS = 20  # child sitemaps read from one sitemap index
# HTTP statuses after which a URL is not tried again by later runs (it will not get better)
PERMANENT_STATUSES = frozenset({404, 410})

# What became of a URL (`UrlOutcome.outcome`), before the build settles saved files.
FETCHED = "fetched"  # saved into the article folder (the build says whether it loaded)
UNCHANGED = "unchanged"  # the same article is already in the folder
FAILED = "failed"


@dataclass
class UrlOutcome:
    """What became of one URL: fetched and saved, unchanged, or failed and why."""

    url: str
    outcome: str
    detail: str
    feed: str | None = None
    file: intake.FileOutcome | None = None  # the saved file's outcome, settled by the build

    @property
    def label(self) -> str:
        if self.file is not None and self.outcome == FETCHED:
            return self.file.label
        return {UNCHANGED: "unchanged", FAILED: "failed"}.get(self.outcome, self.outcome)

    def as_json(self) -> dict[str, object]:
        return {"url": self.url, "outcome": self.file.outcome if self.file and self.outcome
                == FETCHED else self.outcome, "label": self.label, "detail": self.shown_detail,
                "feed": self.feed, "saved_as": self.file.saved_as if self.file else None}

    @property
    def shown_detail(self) -> str:
        return self.file.detail if self.file is not None else self.detail


@dataclass
class FeedReport:
    """One feed's fetch: items listed, how many were new, and its state afterwards."""

    feed: Feed
    state: FeedState
    items_listed: int = 0
    new_items: int = 0
    skipped_over_limit: int = 0
    error: str | None = None
    items: list[FeedItem] = field(default_factory=list)  # the feed's article links


@dataclass
class FetchRun:
    """Every URL's outcome and every feed's report of one `fetch`."""

    urls: list[UrlOutcome] = field(default_factory=list)
    feeds: list[FeedReport] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(o.outcome == FAILED for o in self.urls) + sum(
            f.error is not None for f in self.feeds)


@dataclass
class _Task:
    url: str
    outlet: str | None
    item: FeedItem | None = None
    feed: str | None = None


@dataclass
class _Fetched:
    task: _Task
    result: FetchResult | None = None
    article: articles.FetchedArticle | None = None
    error: str | None = None
    permanent: bool = False  # a failure later runs need not try again


def fetch_urls(
    client: Client,
    store: FetchStore,
    urls: Sequence[str],
    outlet: str | None,
    max_file_bytes: int,
    workers: int = 4,
) -> FetchRun:
    """Fetch each URL given and save the articles read from them."""
    run = FetchRun()
    tasks = [_Task(url.strip(), outlet) for url in urls]
    run.urls = _fetch_and_save(client, store, tasks, max_file_bytes, workers)
    return run


def fetch_feeds(
    client: Client,
    store: FetchStore,
    feeds: Sequence[Feed],
    max_file_bytes: int,
    max_items: int = 100,
    workers: int = 4,
) -> FetchRun:
    """Fetch each feed, then its items not seen before (up to `max_items` per feed, newest
    first), save the articles, and record each feed's state."""
    run = FetchRun()
    states = store.feed_states()
    seen = store.seen()
    tasks: list[_Task] = []
    for feed in feeds:
        report = _read_feed(client, feed, states.get(feed.name))
        run.feeds.append(report)
        if report.error is not None or report.items_listed == 0:
            continue
        fresh = [_Task(item.url, feed.outlet, item, feed.name) for item in report.items
                 if seen_key(item.url) not in seen]
        for task in fresh:
            seen.add(seen_key(task.url))  # an item listed by two feeds is fetched once
        report.new_items = len(fresh)
        report.skipped_over_limit = max(0, len(fresh) - max_items)
        tasks += fresh[:max_items]
    run.urls = _fetch_and_save(client, store, tasks, max_file_bytes, workers)
    _count_new(run)
    store.save_feed_states({**states, **{r.feed.name: r.state for r in run.feeds}})
    return run


def _read_feed(client: Client, feed: Feed, state: FeedState | None) -> FeedReport:
    """Fetch a feed (conditionally, when its last answer had an ETag or Last-Modified)."""
    now = _now()
    if state is None or state.url != feed.url:
        state = FeedState(feed.url, feed.outlet)  # a feed moved to a new URL starts afresh
    state.outlet = feed.outlet
    state.last_fetched = now
    report = FeedReport(feed, state)
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        result = client.get(feed.url, headers)
        if result.status == 304:
            state.last_status, state.last_error, state.new_articles = "not modified", None, 0
            return report
        page = read_feed_page(result.body, feed.kind)
        items = list(page.items)
        for sitemap_url in page.sitemaps[:MAX_SITEMAPS]:
            items += read_feed_page(client.get(sitemap_url).body, "sitemap").items
    except (FetchError, FeedFormatError) as exc:
        reason = exc.reason if isinstance(exc, FetchError) else f"the feed {exc}"
        state.last_status, state.last_error = "failed", reason
        report.error = reason
        return report
    state.etag = result.headers.get("etag")
    state.last_modified = result.headers.get("last-modified")
    state.last_status, state.last_error = "ok", None
    unique: dict[str, FeedItem] = {}
    for item in items:  # a relative link is relative to the feed
        absolute = dataclasses.replace(item, url=urljoin(result.final_url, item.url))
        unique.setdefault(seen_key(absolute.url), absolute)
    report.items_listed = state.items_listed = len(unique)
    report.items = list(unique.values())
    return report


def _count_new(run: FetchRun) -> None:
    """Each feed's count of new articles this run, into its state."""
    for report in run.feeds:
        if report.error is not None:
            continue
        new = sum(1 for o in run.urls if o.feed == report.feed.name and o.outcome == FETCHED)
        report.state.new_articles = new
        report.state.total_articles += new
        if new:
            report.state.last_new_at = report.state.last_fetched


def _fetch_and_save(
    client: Client, store: FetchStore, tasks: list[_Task], max_file_bytes: int, workers: int
) -> list[UrlOutcome]:
    """Fetch every task's page in parallel, then save the articles in the tasks' order."""
    if not tasks:
        return []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        fetched = list(pool.map(lambda task: _fetch_one(client, task), tasks))
    outcomes = [UrlOutcome(f.task.url, FAILED, f.error or "", f.task.feed) for f in fetched]
    good = [(i, f) for i, f in enumerate(fetched) if f.article is not None]
    for (i, _f), file_outcome in zip(good, _save(store, good, max_file_bytes), strict=True):
        outcomes[i].file = file_outcome
        if file_outcome.outcome == intake.REFUSED:
            outcomes[i].outcome = FAILED
            outcomes[i].detail = f"was fetched but could not be saved: {file_outcome.detail}"
            outcomes[i].file = None
        elif file_outcome.outcome == intake.ALREADY_PRESENT:
            outcomes[i].outcome = UNCHANGED
        else:
            outcomes[i].outcome = FETCHED
    store.add_seen([f.task.url for f in fetched if f.article is not None or f.permanent]
                   + [f.result.final_url for f in fetched if f.result is not None
                      and f.article is not None])
    return outcomes


def _fetch_one(client: Client, task: _Task) -> _Fetched:
    """Fetch one page and read its article; any failure becomes the outcome's reason."""
    try:
        result = client.get(task.url)
    except FetchError as exc:
        return _Fetched(task, error=exc.reason, permanent=exc.status in PERMANENT_STATUSES)
    except Exception as exc:  # one URL's unexpected failure never stops the others
        return _Fetched(task, error=f"failed unexpectedly ({type(exc).__name__}: {exc})")
    try:
        article = articles.read_article(result, task.outlet, task.item)
    except articles.NotAnArticle as exc:
        return _Fetched(task, result, error=str(exc), permanent=True)
    except Exception as exc:
        return _Fetched(task, result, error=f"the page could not be read "
                                            f"({type(exc).__name__}: {exc})")
    return _Fetched(task, result, article)


def _save(
    store: FetchStore, fetched: list[tuple[int, _Fetched]], max_file_bytes: int
) -> list[intake.FileOutcome]:
    """Save the articles through the rules of `add`, and each page beside its article."""
    with tempfile.TemporaryDirectory(prefix="im-fetch-") as folder:
        files: list[tuple[Path, str]] = []
        for i, f in fetched:
            assert f.article is not None
            path = Path(folder) / f"{i}.md"
            path.write_bytes(articles.markdown_bytes(f.article))
            files.append((path, articles.file_name(f.article.url)))
        outcomes = intake.save_articles(files, store.articles_dir, max_file_bytes)
    for (_i, f), outcome in zip(fetched, outcomes, strict=True):
        if outcome.newly_saved and outcome.saved_as and f.result is not None:
            result = f.result
            store.save_page(PageRecord(
                source_file=outcome.saved_as, url=f.task.url, final_url=result.final_url,
                http_status=result.status, content_type=result.content_type,
                fetched_at=result.fetched_at, raw_file="", raw_bytes=0, feed=f.task.feed,
            ), result.body)
        outcome.given_name = f.task.url
    return outcomes


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
