"""Small text helpers shared by the extraction modules.

Everything here keeps string lengths unchanged (`fold`) or works on plain words, so offsets found
in folded text are offsets into the cleaned text the warehouse stores.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Protocol, TypeVar

# One-for-one character replacements: typographic variants that should match their plain form.
# Every replacement is a single code point, so folded text has the same offsets as the original.
_FOLD_MAP = {
    # spaces
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2002": " ",
    "\u2003": " ", "\t": " ",
    # apostrophes and single quotes
    "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'", "`": "'",
    # double quotes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    # hyphens and dashes used inside names and ranges ('Kazakhstan–Turkmenistan', '2024–2027');
    # the em dash stays: it separates clauses.
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-",
    # Cyrillic letters that look like Latin ones (homoglyphs in copied names)
    "\u0456": "i", "\u0406": "I", "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p",
    "\u0441": "c", "\u0443": "y", "\u0445": "x", "\u0410": "A", "\u0412": "B", "\u0415": "E",
    "\u041a": "K", "\u041c": "M", "\u041d": "H", "\u041e": "O", "\u0420": "P", "\u0421": "C",
    "\u0422": "T", "\u0425": "X",
}
_FOLD_RE = re.compile("[" + "".join(re.escape(c) for c in _FOLD_MAP) + "]")



class _HasSentence(Protocol):
    @property
    def sentence_no(self) -> int: ...


_WithSentence = TypeVar("_WithSentence", bound=_HasSentence)

def _fold_char(match: re.Match[str]) -> str:
    return _FOLD_MAP[match.group()]


def fold(text: str) -> str:
    """Text with typographic variants replaced one-for-one (same length, same offsets).

    Curly quotes become straight ones, odd spaces become ' ', en dashes and non-breaking hyphens
    become '-', and Cyrillic look-alike letters become Latin, so one pattern matches every
    spelling a web copy may carry.
    """
    return _FOLD_RE.sub(_fold_char, text)  # much faster than str.translate with a dict


def first_letter_alternation(words: list[str], ignore_case: bool = False) -> str:
    """An alternation of `words` with those sharing a first letter behind that letter once:
    'c(?:onference|ongress)|forum'. The same matches as the words in that order (no two groups
    can match at one place, and each group keeps their order), but the regex engine tries one
    group per position instead of every word, and scans ahead for the first letters. With
    `ignore_case` (for use inside '(?i:...)') a letter's two cases make one group.
    """
    groups: dict[str, list[str]] = {}
    for word in words:
        first = word[:1].lower() if ignore_case else word[:1]
        groups.setdefault(first if first.isalpha() else word, []).append(word)
    alternatives = []
    for members in groups.values():
        if len(members) == 1:
            alternatives.append(re.escape(members[0]))
        else:
            alternatives.append(re.escape(members[0][0]) + "(?:" + "|".join(
                re.escape(m[1:]) for m in members) + ")")
    return "|".join(alternatives)


# --- numbers written as words ----------------------------------------------------------------

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}

_UNIT_ALT = "|".join(sorted(_UNITS, key=len, reverse=True))
_TENS_ALT = "|".join(_TENS)
# 'five', 'twenty-eight', 'twenty eight', 'a hundred', 'one hundred', '28'
NUMBER_PATTERN = (
    r"(?:\d{1,3}(?![\d.,]\d)"
    rf"|(?:(?:a|one)\s+hundred)"
    rf"|(?:(?:{_TENS_ALT})(?:[\s-](?:{_UNIT_ALT}))?)"
    rf"|(?:{_UNIT_ALT}))"
)


def parse_number(words: str) -> int | None:
    """Integer value of '28', 'five', 'twenty-eight', 'a hundred'; None if it is not a number."""
    token = " ".join(words.lower().replace("-", " ").split())
    if token.isdigit():
        return int(token)
    if token in ("a hundred", "one hundred"):
        return 100
    parts = token.split(" ")
    if len(parts) == 1:
        return _UNITS.get(parts[0], _TENS.get(parts[0]))
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _UNITS and _UNITS[parts[1]] < 10:
        return _TENS[parts[0]] + _UNITS[parts[1]]
    return None


def parse_ordinal(word: str) -> int | None:
    """Integer value of '47th', '3rd', 'third'; None otherwise."""
    lower = word.lower()
    match = re.fullmatch(r"(\d{1,3})(?:st|nd|rd|th)", lower)
    if match:
        return int(match.group(1))
    return _ORDINAL_WORDS.get(lower)


# --- clauses -----------------------------------------------------------------------------------

# Where one clause of a sentence ends and the next begins. Plain commas are not boundaries
# (fronted phrases such as 'In 2013, Almaty hosted ...' belong to the clause that follows);
# semicolons, em dashes and a comma before a coordinating or relative word are.
CLAUSE_BOUNDARY_RE = re.compile(
    r";|\s\u2014\s|,\s+(?=(?:and|but|while|whereas|which|who|whose|where|although|though|"
    r"yet|as well as|whilst)\b)",
    re.IGNORECASE,
)
_RELATIVE_WORD = re.compile(r"(?:which|who|whose|where)\b", re.IGNORECASE)
# ', and Uzbekistan' closing a list of names ('Kazakhstan, Kyrgyzstan, and Uzbekistan convened')
# is no clause boundary: the item before it is a name standing alone between commas
_LAST_OF_A_LIST = re.compile(r",\s+(?:and|or)\s+[A-Z]")
_LIST_ITEM_BEFORE = re.compile(r",\s+[A-Z][\w\-']*(?:\s+[A-Z][\w\-']*){0,2}$")
# The comma that closes an embedded relative clause: the main clause's verb follows it
# ('The forum, which the AIF replaced, was held ...', 'CICA, whose secretariat sits in Astana,
# now counts ...', 'Azerbaijan, which signed ... in 1999, will host ...').
_RELATIVE_CLOSE = re.compile(
    r",\s+(?=(?:(?:also|then|now|later|still|recently|currently|already|soon|officially|"
    r"formally|eventually|finally|subsequently|today|itself)\s+)?"
    r"(?:was|were|is|are|has|have|had|will|would|shall|should|can|could|may|might|must|did|does|"
    r"do|became|becomes|become|remains|remained|says|said|counts|comprises|includes|brings|"
    r"unites|holds|hosts|plans|planned|expects|expected|took|takes|made|makes|marks|marked|"
    r"helped|helps|led|leads|continues|continued|joined|proposed|launched|signed|adopted|"
    r"hosted|held|chaired)\b)",
    re.IGNORECASE,
)


class Clauses(list[tuple[int, int]]):
    """The (start, end) bounds `clause_bounds` returns: a list that also answers `clause_index`
    in logarithmic time once it has more than a few clauses.

    The lookup table is built on the first query; the list must not change after that.
    """

    __slots__ = ("_segments",)

    def __init__(self) -> None:
        super().__init__()
        self._segments: _ClauseSegments | None = None

    def index_of(self, offset: int) -> int:
        """`clause_index(self, offset)`, by binary search over precomputed segments."""
        if self._segments is None:
            self._segments = _ClauseSegments(self)
        return self._segments.index_of(offset)


class _ClauseSegments:
    """Innermost clause of every stretch between two clause edges, found by one sweep.

    Between two consecutive edges (starts and ends of clauses) the clauses holding an offset do
    not change, so the innermost one (shortest, then first) is computed once per stretch with a
    heap; an offset no clause holds goes to the first clause ending after it.
    """

    def __init__(self, bounds: list[tuple[int, int]]) -> None:
        self.edges = sorted({edge for bound in bounds for edge in bound})
        by_start = sorted(range(len(bounds)), key=lambda i: bounds[i][0])
        heap: list[tuple[int, int, int]] = []  # (length, index, end) of clauses begun
        self.innermost: list[int] = []
        k = 0
        for edge in self.edges:
            while k < len(by_start) and bounds[by_start[k]][0] <= edge:
                i = by_start[k]
                heapq.heappush(heap, (bounds[i][1] - bounds[i][0], i, bounds[i][1]))
                k += 1
            while heap and heap[0][2] <= edge:
                heapq.heappop(heap)
            self.innermost.append(heap[0][1] if heap else -1)
        by_end = sorted(range(len(bounds)), key=lambda i: bounds[i][1])
        self.ends = [bounds[i][1] for i in by_end]
        # first_after[j]: the lowest index among the clauses by_end[j:]
        self.first_after = [len(bounds) - 1] * (len(bounds) + 1)
        for j in range(len(bounds) - 1, -1, -1):
            self.first_after[j] = min(by_end[j], self.first_after[j + 1]) \
                if j + 1 < len(bounds) else by_end[j]

    def index_of(self, offset: int) -> int:
        k = bisect.bisect_right(self.edges, offset) - 1
        if 0 <= k < len(self.edges) - 1 and self.innermost[k] >= 0:
            return self.innermost[k]
        return self.first_after[bisect.bisect_right(self.ends, offset)]


# a clause list this long answers `clause_index` through its lookup table
_CLAUSES_TO_INDEX = 8


def clause_bounds(sentence: str) -> Clauses:
    """(start, end) offsets of the clauses of a sentence, in order of their start.

    Clauses follow each other without gaps except at their boundaries, with one exception: an
    embedded relative clause ('X, which ..., was held in 2010') is its own clause nested inside
    the clause around it, which resumes after the relative clause's closing comma and so covers
    it. `clause_index` gives the innermost clause of an offset.
    """
    bounds = Clauses()
    outer = -1  # index in `bounds` of the last clause that is not nested
    start = 0
    relative = False
    for match in (*(m for m in CLAUSE_BOUNDARY_RE.finditer(sentence)
                    if not _LAST_OF_A_LIST.match(sentence, m.start())
                    or not _LIST_ITEM_BEFORE.search(sentence, 0, m.start())), None):
        end = match.start() if match else len(sentence)
        close = (_RELATIVE_CLOSE.search(sentence, start, end)
                 if relative and outer >= 0 else None)
        if close is not None:
            bounds[outer] = (bounds[outer][0], end)
            bounds.append((start, close.start()))
        else:
            bounds.append((start, end))
            outer = len(bounds) - 1
        if match is None:
            break
        start = match.end()
        relative = match.group().startswith(",") and \
            _RELATIVE_WORD.match(sentence, match.end()) is not None
    return bounds


def clause_index(bounds: list[tuple[int, int]], offset: int) -> int:
    """Index of the innermost clause (from `clause_bounds`) holding a sentence-relative offset.

    An offset on a boundary (the ', ' before 'which') belongs to the clause that follows it.
    A long `Clauses` list answers from its lookup table (a sentence of many clauses is read
    in time proportional to its length, not to its length times its clauses).
    """
    if isinstance(bounds, Clauses) and len(bounds) > _CLAUSES_TO_INDEX:
        return bounds.index_of(offset)
    best = -1
    for i, (start, end) in enumerate(bounds):
        if start <= offset < end and (best < 0 or end - start < bounds[best][1] - bounds[best][0]):
            best = i
    if best >= 0:
        return best
    for i, (_, end) in enumerate(bounds):
        if offset < end:
            return i
    return len(bounds) - 1


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a string, as a set (for word lists in the code)."""
    return frozenset(text.split())


WORD_RE = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")


def word_count(text: str) -> int:
    """Number of words (letters/digits, keeping inner apostrophes and hyphens)."""
    return len(WORD_RE.findall(fold(text)))


@lru_cache(maxsize=2)
def lowered_or_none(folded: str) -> str | None:
    """`folded` lower-cased, or None when lower-casing would shift offsets (e.g. 'İ').

    Cached for the article at hand: mentions, events, figures and themes each need it.
    """
    lowered = folded.lower()
    return lowered if len(lowered) == len(folded) else None


def lowered_same_length(folded: str) -> str:
    """`folded` lower-cased, or unchanged when lower-casing would shift offsets (e.g. 'İ')."""
    lowered = lowered_or_none(folded)
    return folded if lowered is None else lowered


def by_sentence(items: Iterable[_WithSentence]) -> dict[int, list[_WithSentence]]:
    """Mentions or dates grouped by their sentence number, in reading order."""
    grouped: dict[int, list[_WithSentence]] = {}
    for item in items:
        grouped.setdefault(item.sentence_no, []).append(item)
    return grouped
