"""`python -m etl fetch`: fetch pages or feeds into the article folder, then rebuild.

    python -m etl fetch [--outlet NAME] URL...
    python -m etl fetch --feeds data/feeds.toml [--max-items N]

Every URL gets one line saying what became of it (loaded, unchanged, skipped as a duplicate,
failed and why); every feed one line with how many items it listed and how many were new.
Exit codes: 0 all fetched; 6 some URL or feed failed (the rest were saved and built); 4 every
URL given failed; 3 another fetch or build was running; 1 the warehouse could not be rebuilt;
2 a usage error (a feeds file that cannot be read, no URL given).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from etl import freshness, intake
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.fetch.run import FetchRun

EXIT_OK = 0
EXIT_BUSY = 3
EXIT_NOTHING_FETCHED = 4
EXIT_SOME_FAILED = 6
DEFAULT_FEEDS = Path("data/feeds.toml")


def add_fetch_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    defaults: Settings,
    folder_options: Callable[..., None],
) -> None:
    """The `fetch` sub-command; `folder_options` adds --articles, --db, --corrections, --quiet
    as every command of `python -m etl` has them."""
    parser = commands.add_parser(
        "fetch", prog="python -m etl fetch",
        usage="%(prog)s [options] URL [URL ...]\n       %(prog)s --feeds FILE [options]",
        help="fetch web pages, or the new items of feeds and sitemaps, into the article "
        "folder and rebuild the warehouse incrementally",
        description="Fetch article pages (or the new items of the RSS/Atom feeds and sitemaps "
        "of a feeds file), save each article into the article folder as Markdown with its "
        "title, outlet, URL and date, keep the raw response beside it, and rebuild the "
        "warehouse incrementally. robots.txt is honoured; each host is paced; private "
        "network addresses are refused unless IM_FETCH_ALLOW_PRIVATE=true. See docs/fetch.md.",
        epilog="Exit codes: 0 done; 6 some URL or feed failed (the others were saved); 4 every "
        "URL failed; 3 another fetch or build is running; 1 the warehouse could not be rebuilt.",
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="article pages to fetch")
    folder_options(
        parser, defaults,
        articles_help="article folder to save into (default: %(default)s)",
        db_help="warehouse to rebuild (default: %(default)s)",
    )
    parser.add_argument("--feeds", type=Path, metavar="FILE",
                        help=f"fetch the new items of the feeds listed in FILE (TOML, e.g. "
                        f"{DEFAULT_FEEDS})")
    parser.add_argument("--outlet", help="the outlet of the URLs given (default: the site's "
                        "own name, else its host)")
    parser.add_argument("--max-items", type=int, default=100, metavar="N",
                        help="fetch at most N new items per feed in one run, newest first; the "
                        "rest wait for the next run (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=4, metavar="N",
                        help="pages fetched at once across hosts (each host is still paced "
                        "and capped) (default: %(default)s)")
    parser.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                        help="if another build is running, wait up to this long for it "
                        "(default: %(default)s)")
    parser.add_argument("--report-json", type=Path, metavar="PATH",
                        help="write every URL's and feed's outcome as JSON to PATH")
    parser.set_defaults(run=fetch_main, command_parser=parser)


def fetch_main(args: argparse.Namespace) -> int:
    """`python -m etl fetch`: fetch, save, rebuild, and report per URL and per feed."""
    from etl import cli  # the build's command line, loaded by now (it registered this one)

    # the client, the feed reader and the page extractor (requests, feedparser, trafilatura)
    # load here, not with the module: every `python -m etl` command registers this one
    from etl.fetch.client import Client, FetchPolicy
    from etl.fetch.feeds import FeedsFileError, load_feeds
    from etl.fetch.run import FAILED, fetch_feeds, fetch_urls
    from etl.fetch.store import FetchBusy, FetchStore

    parser: argparse.ArgumentParser = args.command_parser
    if bool(args.urls) == bool(args.feeds):
        parser.error("give either URLs or --feeds FILE")
    if args.feeds and args.outlet:
        parser.error("--outlet is for URLs given on the command line; a feed's outlet is in "
                     "the feeds file")
    if args.max_items <= 0 or args.workers <= 0:
        parser.error("--max-items and --workers must be positive")
    feeds = []
    if args.feeds is not None:
        try:
            feeds = load_feeds(args.feeds)
        except FeedsFileError as exc:
            parser.error(str(exc))
        if not feeds:
            parser.error(f"{args.feeds} lists no feed; add a [[feed]] table with name, outlet "
                         f"and url (docs/fetch.md)")
    settings = dataclasses.replace(Settings(), articles_dir=args.articles, db_path=args.db,
                                   corrections_dir=args.corrections)
    try:
        policy = FetchPolicy.from_settings(settings)
    except ValueError as exc:
        parser.error(str(exc))
    console = Console(stderr=False, quiet=args.quiet)
    errors = Console(stderr=True)
    store = FetchStore(settings.articles_dir)
    _write_report(args, "fetching", None)
    try:
        with store.locked(), Client(policy) as client:
            if feeds:
                run = fetch_feeds(client, store, feeds, settings.max_file_bytes,
                                  args.max_items, args.workers)
            else:
                run = fetch_urls(client, store, args.urls, args.outlet,
                                 settings.max_file_bytes, args.workers)
    except FetchBusy as exc:
        errors.print(f"[red]Not fetched:[/red] {escape(str(exc))}", soft_wrap=True)
        _write_report(args, "done", None, EXIT_BUSY)
        return EXIT_BUSY
    saved = [o.file for o in run.urls if o.file is not None]
    code = EXIT_OK
    # after feeds, an existing warehouse is rebuilt even with nothing new, so its `feeds` table
    # says when each feed was last fetched
    refresh = bool(feeds) and settings.db_path.exists()
    if refresh or any(o.newly_saved for o in saved) or (
            settings.db_path.exists() and freshness.warehouse_is_stale(settings)):
        _write_report(args, "building", run)
        code = cli.rebuild_after_saving(args, settings, saved, console, errors, always=refresh)
    if code == EXIT_OK and run.failed:
        everything_failed = bool(run.urls) and all(o.outcome == FAILED for o in run.urls)
        code = EXIT_NOTHING_FETCHED if everything_failed and not feeds else EXIT_SOME_FAILED
    print_fetch_outcomes(run, console)
    _write_report(args, "done", run, code)
    return code


def print_fetch_outcomes(run: FetchRun, console: Console) -> None:
    """One line per feed, then one per URL fetched: what became of it and why."""
    from etl.fetch.run import FAILED, UNCHANGED  # on use, as in `fetch_main`

    for report in run.feeds:
        name = escape(report.feed.name)
        if report.error is not None:
            console.print(f"  [red]feed failed[/red] {name}: {escape(report.error)}",
                          highlight=False, soft_wrap=True)
            continue
        if report.state.last_status == "not modified":
            console.print(f"  feed {name}: not modified since the last fetch", highlight=False)
            continue
        line = (f"  feed {name}: {report.items_listed} items listed, {report.new_items} new, "
                f"{report.state.new_articles} new articles saved")
        if report.skipped_over_limit:
            line += f" ({report.skipped_over_limit} left for the next run: --max-items)"
        console.print(line, highlight=False, soft_wrap=True)
    if not run.urls:
        return
    console.print("Fetched URLs:")
    colours = {intake.LOADED: "green", FAILED: "red", intake.FAILED: "red"}
    for outcome in run.urls:
        key = outcome.file.outcome if outcome.file and outcome.outcome not in (
            FAILED, UNCHANGED) else outcome.outcome
        colour = colours.get(key, "yellow")
        console.print(
            f"  [{colour}]{outcome.label}[/{colour}] {escape(outcome.url)}: "
            f"{escape(outcome.shown_detail)}", highlight=False, soft_wrap=True)


def _write_report(
    args: argparse.Namespace, stage: str, run: FetchRun | None, code: int | None = None
) -> None:
    if args.report_json is None:
        return
    body: dict[str, Any] = {"stage": stage, "exit_code": code, "urls": [], "feeds": []}
    if run is not None:
        body["urls"] = [o.as_json() for o in run.urls]
        body["feeds"] = [{"name": r.feed.name, "items_listed": r.items_listed,
                          "new_items": r.new_items, "error": r.error,
                          **dataclasses.asdict(r.state)} for r in run.feeds]
    intake.write_report_json(args.report_json, body)
