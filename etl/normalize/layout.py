"""Whitespace and line layout: tidy spaces and line ends, and join hard-wrapped paragraphs.

A text hard-wrapped at a fixed width (plain-text newsletters, e-mail) or broken at uneven
widths (a copy of a PDF) gets its paragraphs joined back into one line each, so a sentence
never ends at a wrapped line break. Nothing else of the wording changes.
"""

from __future__ import annotations

import re
import unicodedata

# NBSP, Ogham space, en/em/thin/hair spaces, narrow NBSP, math space, ideographic space, tab ...
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\f\v]")
# Invisible characters that only get in the way of matching: zero-width space, word joiner,
# byte-order mark, soft hyphen. (ZWJ/ZWNJ are kept: some scripts need them.)
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_SPACE_RUNS = re.compile(" {2,}")


def normalize_whitespace(raw_text: str) -> list[str]:
    """NFC, LF line ends, odd spaces -> ' ', runs of spaces collapsed; one stripped line per item.

    Quotes, dashes and every other character are left as written.
    """
    text = unicodedata.normalize("NFC", raw_text)
    text = _LINE_BREAKS.sub("\n", text)
    text = _INVISIBLE.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    return [_SPACE_RUNS.sub(" ", line).strip() for line in text.split("\n")]


# A line that starts a list item: '- ', '* ', '• ', '1. ', '(a) ', 'b) '.
_LIST_ITEM_START = re.compile(
    r"(?:[-*\u2022\u00b7\u25aa\u25cf\u2013\u2014]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s+\S")
# A wrap width is between these (e-mail and plain-text newsletters wrap at 60-80 characters);
# a page whose stacked lines are longer keeps one paragraph per line and is not unwrapped.
_WRAP_MIN_WIDTH = 40
_WRAP_MAX_WIDTH = 100
# A text is hard-wrapped when at least this many lines (and this share of the lines followed by
# another line) reach close to the widest such line.
_WRAP_MIN_FULL_LINES = 3
_WRAP_MIN_FULL_SHARE = 0.4
_WRAP_FULL = 0.85
# A text broken at uneven widths (`_ragged_wrap`): lines of at least this length, at least this
# many (and this share) of them stopping in mid-sentence
_RAGGED_MIN_LINE = 40
_RAGGED_MIN_LINES = 5
_RAGGED_MIN_SHARE = 0.6
_SENTENCE_END = re.compile(r"[.!?:;\u2026][\"'\u201d\u2019)\]]*$|\[\d+\]$")


def line_widths(raw_text: str) -> list[int]:
    """Width of every line of the raw text as printed (indentation counted, line ends dropped).

    The lines correspond one-to-one to those of `normalize_whitespace(raw_text)`.
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", raw_text))
    text = _INVISIBLE.sub("", text)
    return [len(line.rstrip().expandtabs(8)) for line in text.split("\n")]


def wrap_width(lines: list[str], widths: list[int]) -> int | None:
    """The column a hard-wrapped text was wrapped at, or None when the text is not hard-wrapped.

    Only lines followed by another non-blank line count (a paragraph's last line is short). The
    text is hard-wrapped when the widest of them is 40-100 characters and at least three of them
    (and 40% of them) come within 85% of it: wrapped prose fills its lines, while stacked page
    furniture (menus, teaser titles) does not.
    """
    inner = [widths[i] for i in range(len(lines) - 1) if lines[i] and lines[i + 1]]
    if len(inner) < _WRAP_MIN_FULL_LINES:
        return None
    width = max(inner)
    if not _WRAP_MIN_WIDTH <= width <= _WRAP_MAX_WIDTH:
        return None
    full = sum(1 for w in inner if w >= _WRAP_FULL * width)
    if full < _WRAP_MIN_FULL_LINES or full < _WRAP_MIN_FULL_SHARE * len(inner):
        return None
    return width


def unwrap_paragraphs(lines: list[str], widths: list[int]) -> list[str]:
    """Join the lines of hard-wrapped paragraphs, so that one paragraph is one line again.

    A line is joined to the one before it when the text is hard-wrapped (`wrap_width`), the line
    before was full (its first word would not have fitted on it, or it ends inside a hyphenated
    word) and the line does not start a list item. Headings, short lines of a header block and
    list items keep their own lines; a list item's indented continuation joins its item. A break
    inside a hyphenated word ('de-' / 'escalation') is joined without a space. A prose-length line
    that stops in mid-sentence also continues below, and a text broken at uneven widths
    (`_ragged_wrap`) is joined that way alone. Nothing else of the wording changes.
    """
    width = wrap_width(lines, widths)
    if width is None:
        return _unwrap_ragged(lines) if _ragged_wrap(lines) else lines
    out: list[list[str]] = []  # the pieces of each joined line (joined once, at the end)
    # the end of the last joined line: its last physical line and two characters before it,
    # all that `_continues` reads of it (re-reading a whole paragraph per line is quadratic)
    tail = ""
    previous_width = 0  # printed width of the last physical line in out[-1]
    for line, line_width in zip(lines, widths, strict=True):
        if out and tail and line and _continues(tail, previous_width, line, width):
            hyphen_break = tail.endswith("-") and tail[-2:-1].isalpha() and line[0].isalpha()
            joint = "" if hyphen_break else " "
            out[-1].append(joint + line)
            tail = tail[-2:] + joint + line
        else:
            out.append([line])
            tail = line
        previous_width = line_width
    return ["".join(pieces) for pieces in out]


def _ragged_wrap(lines: list[str]) -> bool:
    """Whether a text was broken at uneven widths inside its sentences (a copy of a PDF or of a
    narrow column): most lines followed by another line stop in mid-sentence.

    One paragraph per line ends in sentence punctuation; a headline, dateline or menu item that
    does not is short. Here at least five prose-length lines, and 60% of them, run on.
    """
    inner = [lines[i] for i in range(len(lines) - 1)
             if len(lines[i]) >= _RAGGED_MIN_LINE and lines[i + 1]]
    open_ended = [line for line in inner if _runs_on(line)]
    return len(open_ended) >= _RAGGED_MIN_LINES and \
        len(open_ended) >= _RAGGED_MIN_SHARE * len(inner)


def _runs_on(line: str) -> bool:
    """Whether a line stops without sentence punctuation (its sentence continues below)."""
    return not _SENTENCE_END.search(line)


def _unwrap_ragged(lines: list[str]) -> list[str]:
    """Join each prose-length line that runs on with the non-blank line after it."""
    out: list[list[str]] = []  # the pieces of each joined line (joined once, at the end)
    previous = ""  # the last physical line in out[-1]
    for line in lines:
        if out and line and len(previous) >= _RAGGED_MIN_LINE and _runs_on(previous) and \
                not _LIST_ITEM_START.match(line):
            out[-1].append(" " + line)
        else:
            out.append([line])
        previous = line
    return ["".join(pieces) for pieces in out]


def _continues(before: str, before_width: int, line: str, width: int) -> bool:
    """Whether `line` continues the wrapped paragraph whose last physical line was `before`."""
    if _LIST_ITEM_START.match(line):
        return False
    first_word = line.split(" ", 1)[0]
    if before_width + 1 + len(first_word) > width:
        return True  # the word did not fit, so the line was broken there
    if before_width >= _RAGGED_MIN_LINE and _runs_on(before):
        return True  # a prose line that stops in mid-sentence (a copy broken unevenly)
    return before.endswith("-") and before[-2:-1].isalpha() and before_width >= 0.7 * width
