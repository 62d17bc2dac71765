"""Every CSV the dashboard hands out, made safe to open in a spreadsheet.

Article text, titles and outlets are whatever the sources wrote, so a cell may start with `=`,
`+`, `-` or `@`; Excel, LibreOffice and Google Sheets then read it as a formula
(`=HYPERLINK(...)` becomes a link, `+cmd|...` a command). Following OWASP's advice on CSV
injection, a text cell that would start a formula is prefixed with a single quote, which
spreadsheets read as "this cell is text" and show without the quote. Numbers stay numbers:
numeric columns are never touched, and a text cell that is a plain number (`-12`, `+3.5`) is
left as it is, since a spreadsheet reads it as that number and nothing else.

All exports (chart data, disagreements, the CSVs inside a briefing pack) go through
`csv_bytes`; a test keeps `DataFrame.to_csv` out of every other dashboard module. Written here
rather than with `defusedcsv`: that library wraps the `csv` module's writer, not pandas, quotes
both ends of a cell and rewrites pipes, and leaves tab and carriage return alone.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_numeric_dtype

# Characters that make a spreadsheet read a cell as a formula (OWASP: =, +, -, @, tab, carriage
# return), and their full-width forms, which East Asian input methods type and some
# spreadsheets accept as the same operators.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TEXT_MARK = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def formula_safe(value: Any) -> Any:
    """`value` as a spreadsheet will read it as text: a text that would start a formula gets a
    leading single quote; anything else (numbers, dates, empty cells, other text) is unchanged.
    """
    if (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return TEXT_MARK + value
    return value


def formula_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text cells and column names are `formula_safe`."""
    safe = frame.copy()
    safe.columns = [formula_safe(str(column)) for column in frame.columns]
    for position, dtype in enumerate(frame.dtypes):
        if not (is_numeric_dtype(dtype) or is_datetime64_any_dtype(dtype)):
            safe.isetitem(position, frame.iloc[:, position].map(formula_safe))
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The rows of `frame` as a UTF-8 CSV (no index column), safe to open in a spreadsheet.

    Rows end in CRLF (RFC 4180), which also makes the writer quote any cell holding a carriage
    return: unquoted, a spreadsheet would start a new row there, and the text after it could
    start a formula of its own.
    """
    return formula_safe_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
