"""Month names as articles and metadata write them: the one table every date reader uses.

`MONTHS` maps each English month name and abbreviation, lower-cased, to its number
('july' -> 7, 'jul' -> 7, 'sept' -> 9). The names come from the standard library's English
calendar (Python never switches it to another locale unless asked), the same source the
dashboard uses for its 'Jul 2023' labels.
"""

from __future__ import annotations

import calendar

MONTHS: dict[str, int] = {
    name.casefold(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}

# Every key of MONTHS as a regex alternation, longest first so 'september' wins over 'sep'.
MONTH_ALTERNATION = "|".join(sorted(MONTHS, key=len, reverse=True))
