"""The fetch area as warehouse tables: `fetched_pages` and `feeds` (docs/schema.md).

Every build reloads both from the article folder's `.fetch/` area (`etl.fetch.store`), so the
dashboard can show where an article came from and when each feed was last fetched without
reading any file itself. A page record whose article file is gone is left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb

from etl import warehouse
from etl.fetch.store import FetchStore

FETCH_TABLES = ("fetched_pages", "feeds")


def load_fetch_tables(con: duckdb.DuckDBPyConnection, articles_dir: Path) -> None:
    """Replace the rows of `fetched_pages` and `feeds` with the fetch area's records."""
    store = FetchStore(articles_dir)
    pages = [
        {**dataclasses.asdict(page), "fetched_at": _utc(page.fetched_at)}
        for page in store.pages()
        if (articles_dir / page.source_file).is_file() and _utc(page.fetched_at) is not None
    ]
    feeds = [
        {"feed": name, "url": state.url, "outlet": state.outlet,
         "last_fetched": _utc(state.last_fetched), "last_status": state.last_status,
         "last_error": state.last_error, "items_listed": state.items_listed,
         "new_articles": state.new_articles, "total_articles": state.total_articles,
         "last_new_at": _utc(state.last_new_at)}
        for name, state in store.feed_states().items()
    ]
    for table, rows in (("fetched_pages", pages), ("feeds", feeds)):
        con.execute(f'DELETE FROM "{table}"').fetchall()  # noqa: S608 (constant names)
        warehouse.load_table(con, table, warehouse.rows_table(table, rows))


def _utc(text: str | None) -> dt.datetime | None:
    """An ISO 8601 time as naive UTC (how the warehouse keeps times), or None."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when
