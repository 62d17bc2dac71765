"""Limits on what an article file may put into the warehouse, defined once.

Whatever a file holds, what reaches the warehouse stays within these bounds; a file beyond one
is reported (file, record, what was done) and the rest of it still loads. The README and
docs/schema.md describe them for analysts.

* `YEARS_HELD`: the years the warehouse holds. An event, membership figure or publication date
  outside them ('first held in 1850') is left out with a problem line naming the file.
* `FIELD_MAX_CHARS`: the longest title, outlet, author and URL kept; a longer value is cut
  there (with '…') and reported.
* `FRONT_MATTER_MAX_CHARS`, `YAML_MAX_ALIASES`, `YAML_MAX_NODES`, `YAML_MAX_DEPTH`: how large,
  self-referential and deep a Markdown file's YAML front matter may be before it is ignored (the
  text still loads), so a few hundred bytes of aliases can never expand into gigabytes.
"""

from __future__ import annotations

import re

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
YEARS_HELD = range(EARLIEST_YEAR, LATEST_YEAR + 1)
YEARS_HELD_TEXT = f"{EARLIEST_YEAR}-{LATEST_YEAR}"

# Longest value kept per metadata field, in characters. Real titles run to ~200 characters,
# outlets to ~60, author lists to ~150, and browsers stop at ~2,000-character addresses.
FIELD_MAX_CHARS: dict[str, int] = {
    "title": 500,
    "outlet": 200,
    "author": 300,
    "url": 2048,
}
# A publication date written out is never longer than this ('Sunday, 16th of July 2023 ...').
DATE_TEXT_MAX_CHARS = 100

FRONT_MATTER_MAX_CHARS = 64 * 1024
YAML_MAX_ALIASES = 32
YAML_MAX_NODES = 10_000  # values in the front matter, counting each alias as what it copies
YAML_MAX_DEPTH = 20  # lists or mappings inside one another

_ELLIPSIS = "…"
_SURROGATES = re.compile("[\ud800-\udfff]")


def cap_field(name: str, value: str) -> tuple[str, bool]:
    """`value` cut to `FIELD_MAX_CHARS[name]` (ending in '…'), and whether it was cut."""
    limit = FIELD_MAX_CHARS.get(name)
    if limit is None or len(value) <= limit:
        return value, False
    return value[: limit - 1].rstrip() + _ELLIPSIS, True


def year_held(year: int | None) -> bool:
    """True for a year the warehouse holds (None, an unknown year, is not one)."""
    return year is not None and year in YEARS_HELD


def repair_surrogates(text: str) -> tuple[str, int]:
    """`text` with every lone surrogate replaced by U+FFFD, and how many were replaced.

    A JSON escape such as "\\ud800" (or YAML's) decodes to a lone surrogate, which is not a
    character: encoding it (to hash it, or to store it in DuckDB or Arrow) fails. A high and a
    low surrogate that stand side by side are joined into the character they encode.
    """
    if _SURROGATES.search(text) is None:
        return text, 0
    repaired = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return repaired, repaired.count("\ufffd") - text.count("\ufffd")
