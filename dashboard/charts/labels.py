"""Text on charts and pages: labels of dates and sources, shortened and escaped article text.

Text from articles goes into hover labels, which Plotly renders as a small HTML subset, so it
is escaped first (`escape`). Pages use the same labels, so a date or an outlet reads the same
in a chart, a table and a briefing pack.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import math
import re
import textwrap
from collections import namedtuple
from collections.abc import Sequence
from typing import Any, SupportsInt

import pandas as pd

from dashboard.filters import Filters

HOVER_SENTENCE_CHARS = 180  # a hover shows the sentence shortened to this many characters
HOVER_LINE_CHARS = 70  # and wrapped at this width, so a hover stays narrower than the chart
# Month labels ("Jan" ... "Dec"): the calendar the ETL reads month names from (etl.months)
MONTHS = tuple(calendar.month_abbr[1:])


def text_or(value: object, default: str = "") -> str:
    """A text cell as str; a missing value (None, NaN, NA) becomes `default`."""
    return default if is_missing(value) or value == "" else str(value)


def shorten(text: object, limit: int = HOVER_SENTENCE_CHARS) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis if cut."""
    text = " ".join(text_or(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—- ")
    return cut + "…"


def wrap_label(text: object, width: int = 26, max_lines: int = 2) -> str:
    """An axis label wrapped onto at most `max_lines` lines ('<br>'), escaped, '…' if cut.

    Initiative names run to 60 characters; unwrapped they would squeeze the plot area.
    """
    lines = textwrap.wrap(text_or(text), width) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        if len(last) > width - 1:
            last = last[: width - 1].rsplit(" ", 1)[0]
        lines[-1] = last.rstrip(",;:—- ") + "…"
    return "<br>".join(escape(line) for line in lines)


def escape(text: object) -> str:
    """Article text made safe for Plotly's HTML-subset labels ('<b>' shows as text)."""
    return html.escape(text_or(text), quote=False)


def hover_text(text: object, limit: int = HOVER_SENTENCE_CHARS) -> str:
    """A sentence for a hover label: shortened, escaped and wrapped into short lines."""
    lines = textwrap.wrap(shorten(text, limit), HOVER_LINE_CHARS) or [""]
    return "<br>".join(escape(line) for line in lines)


def row_tuples(frame: pd.DataFrame) -> list[Any]:
    """The frame's rows as named tuples, fast: pandas' own itertuples is slow on wide frames."""
    columns = [str(c) for c in frame.columns]
    row = namedtuple("Row", columns, rename=True)  # type: ignore[misc]
    return [row(*values) for values in zip(*(frame[c].tolist() for c in frame.columns),
                                           strict=True)]


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def source_of(title: object, outlet: object, published: object, precision: object) -> str:
    """'Title (Outlet, 16 Jul 2023)' for a hover label, shortened and escaped."""
    return escape(shorten(f"{text_or(title, 'Untitled')} ({text_or(outlet, 'unknown outlet')}"
                           f", {published_label(published, precision)})", 110))


def int_or_none(value: object) -> int | None:
    return None if is_missing(value) else cell_int(value)


def cell_int(value: object) -> int:
    """A table cell holding a number (Python or numpy) as an int; TypeError for anything else.

    Cells come out of pandas untyped; checking for `__int__` (or a numeric string) says so
    once, here, instead of asserting a type at every call.
    """
    if isinstance(value, SupportsInt | str):
        return int(value)
    raise TypeError(f"not a number: {value!r}")


def _part_label(year: int, month: int | None, day: int | None) -> str:
    if month is None or not 1 <= month <= 12:
        return str(year)
    if day is None:
        return f"{MONTHS[month - 1]} {year}"
    return f"{day} {MONTHS[month - 1]} {year}"


def date_label(year: object, month: object = None, day: object = None, end_year: object = None,
               end_month: object = None, end_day: object = None) -> str:
    """A date at the precision the text gives: '2017', 'Jun 2023', '14 Jul 2023', '2017–2018'."""
    start_year = int_or_none(year)
    if start_year is None:
        return "undated"
    start = _part_label(start_year, int_or_none(month), int_or_none(day))
    last_year = int_or_none(end_year)
    if last_year is None:
        return start
    end = _part_label(last_year, int_or_none(end_month), int_or_none(end_day))
    return start if end == start else f"{start}–{end}"


def published_label(published: object, precision: object) -> str:
    """A publication date at its known precision ('16 Jul 2023', 'Jun 2025', '2020')."""
    if is_missing(published):
        return "date unknown"
    day = pd.Timestamp(published)
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def source_line(articles: int, outlets: Sequence[str], built_at: str | None,
                max_outlets: int = 4) -> str:
    """The line under every chart: 'Source: 5 articles from A, B and 2 more; built ...'."""
    noun = "article" if articles == 1 else "articles"
    named = list(dict.fromkeys(outlets))
    if not named:
        origin = ""
    elif len(named) <= max_outlets:
        origin = " from " + (named[0] if len(named) == 1
                             else ", ".join(named[:-1]) + " and " + named[-1])
    else:
        origin = " from " + ", ".join(named[:max_outlets]) + f" and {len(named) - max_outlets} more"
    built = f"; warehouse built {format_built_at(built_at)}" if built_at else ""
    return f"Source: {articles} {noun}{origin}{built}."


def format_built_at(built_at: str | None) -> str:
    """The build time as '23 Nov 2026, 01:20 UTC' (the warehouse stores ISO text in UTC)."""
    if not built_at:
        return "unknown"
    try:
        when = dt.datetime.fromisoformat(built_at.replace("Z", "+00:00"))
    except ValueError:
        return built_at
    return f"{when.day} {MONTHS[when.month - 1]} {when.year}, {when:%H:%M} UTC"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def export_filename(chart: str, filters: Filters, max_chars: int = 120) -> str:
    """A download name that says what the chart shows: 'initiative-timeline_2002-2023_security'."""
    parts = [_slug(chart)]
    if filters.event_years:
        low, high = filters.event_years
        parts.append(str(low) if low == high else f"{low}-{high}")
    if filters.published_years:
        low, high = filters.published_years
        parts.append("published-" + (str(low) if low == high else f"{low}-{high}"))
    for values in (filters.themes, filters.initiatives, filters.event_types, filters.outlets):
        if values:
            parts.append("-".join(_slug(v) for v in values))
    return "_".join(p for p in parts if p)[:max_chars].rstrip("-_")


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")
