"""Clean an article's text: tidy whitespace and remove web-page furniture, keeping every body line.

Pure functions over strings, no I/O. `clean_text` is written for news pages in general, not for
the five corpus files: each rule targets a kind of furniture (navigation and share lines, repeated
headlines, bylines, author bios, teasers for other articles) by its shape and position, and rules
that could hit prose only look at the top of the page (before the first body paragraph) or at its
tail (after the last one). Everything removed is returned in `CleanText.removed_lines`. A text
hard-wrapped at a fixed width (plain-text newsletters, e-mail) first gets its paragraphs joined
back into one line each, so a sentence never ends at a wrapped line break.

The headline is taken out of the text and returned as `CleanText.headline`, so `text` is the body.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from etl.model import CleanText
from etl.months import MONTH_ALTERNATION, MONTHS

# --------------------------------------------------------------------------------------------
# Whitespace
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Hard-wrapped paragraphs
# --------------------------------------------------------------------------------------------

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


def _word_set(words: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list (keeps long vocabularies readable)."""
    return frozenset(words.split())


# --------------------------------------------------------------------------------------------
# Line shapes
# --------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*[\]\)]?$")
_NO_HEADLINE_END = (".", ",", ";", ":", "…")
_CLOSING_MARKS = "\"'’”»)] "


def word_count(text: str) -> int:
    """Number of words: runs of letters/digits, keeping apostrophes and hyphens inside a word."""
    return len(_WORD.findall(text))


def is_headline_like(line: str) -> bool:
    """A short line with no sentence-ending punctuation: a headline, heading or teaser title."""
    words = word_count(line)
    ending = line.rstrip(_CLOSING_MARKS)
    return 2 <= words <= 25 and len(line) <= 220 and not ending.endswith(_NO_HEADLINE_END)


def is_body_line(line: str) -> bool:
    """A line of prose: long, or a sentence with its closing punctuation."""
    return word_count(line) >= 6 and not is_headline_like(line)


_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _line_key(line: str) -> str:
    """Comparison key for 'the same line': case, spacing and quote styles ignored."""
    straightened = line.translate(_QUOTE_FOLD)
    return " ".join(straightened.casefold().split())


# --------------------------------------------------------------------------------------------
# Furniture patterns
# --------------------------------------------------------------------------------------------

# A line that is only a date, maybe with a time and a 'Published'/'Updated' label.
_DATE_ONLY = (
    r"(?:(?:published|updated|last updated|posted)(?: on| at)?:?\s*)?"
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:" + MONTH_ALTERNATION + r")\.?,?\s+\d{4}"
    r"|(?:" + MONTH_ALTERNATION + r")\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{4})"
    r"(?:[,\s]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4}(?:[+-]\d{1,2})?)?)?"
)

# Lines that are page furniture wherever they appear. Each pattern must match the WHOLE line
# (case-insensitive) and only lines of up to _FURNITURE_MAX_WORDS words are tried, so a sentence
# that merely starts with one of these words is never touched.
_FURNITURE_PATTERNS: tuple[str, ...] = (
    # navigation and utility
    r"skip to (?:the )?(?:main )?(?:content|navigation|menu)",
    r"jump to (?:main )?content",
    r"(?:main |mobile )?menu|toggle (?:navigation|menu)|navigation",
    r"home|search(?: for)?:?|close|open|loading\.*",
    r"back to top|scroll to top|go to top",
    r"post navigation|(?:previous|next|older|newer) (?:article|post|story|page)s?",
    # "read also" and related-content blocks
    r"(?:read|see) (?:also|more|next)(?:\s*[:»>].*)?|also read(?:\s*:.*)?",
    r"latest(?: news| posts| articles| stories| updates)?:?",
    r"most (?:read|popular|viewed|shared)|trending(?: now| stories)?|popular(?: posts| stories)?",
    r"related(?: articles?| posts?| stories| news| content| topics| reading)?:?",
    r"you (?:may|might) also (?:like|enjoy|be interested in):?|recommended(?: for you)?:?",
    r"more (?:from|on|in|stories|news)\b.{0,40}",
    r"(?:tags?|topics?|filed under|categories|category|posted in)\s*:.*(?<!\.)",
    # comments
    r"leave a (?:reply|comment)|cancel reply|post a comment|add (?:a )?comment|comments?:?",
    r"\d+ comments?|no comments?(?: yet)?\.?|be the first to comment\.?",
    r"comments are closed\.?|you must be logged in to post a comment\.?",
    r"your email address will not be published\..*|required fields are marked \*?",
    r"save my name, email,? and website in this browser.*",
    # sharing and subscribing
    r"share(?: this| it)?(?: article| post| story| page)?(?: on \w+| via \w+)?:?",
    r"(?:tweet|print|email|e-mail|whatsapp|facebook|twitter|linkedin|telegram|reddit|copy link)",
    r"subscribe(?: now| today| here)?(?: to (?:our|the) .{0,60})?!?",
    r"sign up (?:for|to) .{0,60}newsletter.*|(?:get|receive) our newsletter.*",
    r"follow us(?: on .{0,60})?|join (?:us|our) .{0,40}(?:telegram|channel|newsletter).*",
    r"(?:(?:facebook|twitter|x|linkedin|whatsapp|telegram|email|e-mail|print|reddit|pinterest|"
    r"vk|copy link)[\s,|·•]*){2,}",
    r"(?:email|e-mail) (?:this|to a friend).{0,30}|like this:?",
    r"click here\b.{0,80}",
    # dates, reading time, view counts, sources and credits of the page
    _DATE_ONLY,
    # a newsletter's or magazine's issue line: 'Issue 87 -- 23 June 2023', 'Vol. 3, No. 12'
    r"(?:(?:issue|vol(?:ume)?\.?|no\.|number|edition)\s*#?\s*\d+[\s,|\u00b7\u2022:\u2013\u2014\-]*)+"
    r"(?:" + _DATE_ONLY + r"|(?:" + MONTH_ALTERNATION + r")\.?,?\s+\d{4})?",
    r"\d+\s*min(?:ute)?s?\.?\s*read|reading time:?.{0,20}",
    r"(?:views?|reads?):?\s*\d[\d,]*|\d[\d,]*\s+(?:views|reads)",
    r"posted (?:by|on|in)\b.{0,80}",
    r"source:\s*\S.{0,80}(?<!\.)",
    r"(?:reporting|additional reporting|writing|editing|compiled|translated) by\b.*",
    # advertising
    r"advertisement|advertising|sponsored(?: content| post)?|ad|ads|promoted",
    # legal and cookies
    r"©.{0,160}|copyright\s*(?:©|\(c\)|\d{4}).{0,160}|\(c\)\s*\d{4}.{0,160}",
    r"all rights reserved\.?.{0,120}",
    r"we use cookies.*|(?:accept|allow|reject)(?: all)? cookies|cookie (?:policy|settings)",
    r"privacy policy|terms (?:of (?:use|service)|and conditions)",
    # picture credits and captions
    r"(?:photos?|photo credit|image|picture|illustration|file photo|photograph|credit|caption)"
    r"\s*(?::|by\b|courtesy\b|credit\b|source\b).*",
    r"\[(?:image|photo|picture|illustration|credit|source)\b[^\]]*\]",
    r"\((?:image|photo|picture|illustration)\b[^)]*\)",
    r".{0,200}[\s(](?:photo|image|picture)s?(?: credit| courtesy)?\s*:\s*[^.:]{1,60}\)?",
    # author notes
    r"about the author:?",
    r"the (?:views|opinions)(?: and opinions| and views)? expressed (?:in this (?:article|piece|"
    r"op-?ed|column) )?are (?:solely )?(?:those|the author'?s|the authors'?|the writer'?s).*",
    r"the (?:views|opinions) expressed .{0,80}do not necessarily reflect .*",
    # an empty byline
    r"by:?",
)
_FURNITURE = re.compile(
    "(?:" + "|".join(f"(?:{pattern})" for pattern in _FURNITURE_PATTERNS) + ")", re.IGNORECASE
)
_FURNITURE_MAX_WORDS = 40

# Lines after which a page lists other articles (its own line is furniture too).
_RELATED_MARKER = re.compile(
    r"(?:read (?:also|more|next)|also read|see also|related(?: \w+)?|latest(?: \w+)?|"
    r"you (?:may|might) also (?:like|enjoy)|recommended(?: for you)?|more (?:from|stories)\b.*|"
    r"most (?:read|popular|viewed))\s*:?",
    re.IGNORECASE,
)

# Words of generic section labels ('International news', 'World', 'Op-Ed', 'Central Asia').
_SECTION_WORDS = _word_set(
    """news international world politics political opinion opinions op-ed oped op-eds analysis
    business economy economics finance markets asia europe africa americas america middle east
    central eurasia region regions regional national local latest breaking top stories story
    features feature commentary commentaries editorial editorials diplomacy society culture
    sport sports technology tech science health environment energy security defence defense
    global affairs foreign current press release releases blog blogs column columns interview
    interviews home and the of in & en english lifestyle video videos photos gallery
    special report reports insight insights perspective perspectives viewpoint"""
)
_BREADCRUMB_SEPARATORS = re.compile(r"\s[›»>/|]\s")


def is_furniture(line: str) -> bool:
    """A navigation/utility/legal/credit line that is never article prose."""
    if word_count(line) > _FURNITURE_MAX_WORDS:
        return False
    return _FURNITURE.fullmatch(line.strip(" *•·-–—|")) is not None


def is_section_label(line: str) -> bool:
    """A generic section/category label or breadcrumb ('International news', 'Home › World')."""
    if _BREADCRUMB_SEPARATORS.search(line) and word_count(line) <= 10:
        return True
    words = [word.casefold() for word in re.findall(r"[^\W\d_][\w&'’\-]*|&", line)]
    return 0 < len(words) <= 4 and all(word in _SECTION_WORDS for word in words)


# --------------------------------------------------------------------------------------------
# The working document
# --------------------------------------------------------------------------------------------


@dataclass
class _Page:
    """The article's lines ('' for a blank line) and which of them have been removed."""

    lines: list[str]
    removed: set[int] = field(default_factory=set)

    def kept(self) -> list[int]:
        """Indices of the non-blank lines still in the text, in order."""
        return [i for i, line in enumerate(self.lines) if line and i not in self.removed]

    def remove(self, *indices: int) -> None:
        self.removed.update(indices)

    def removed_lines(self) -> list[str]:
        return [self.lines[i] for i in sorted(self.removed) if self.lines[i]]

    def text(self) -> str:
        """Kept lines; lines of one paragraph joined by '\\n', paragraphs by one blank line."""
        paragraphs: list[list[str]] = [[]]
        for i, line in enumerate(self.lines):
            if not line:
                paragraphs.append([])
            elif i not in self.removed:
                paragraphs[-1].append(line)
        return "\n\n".join("\n".join(lines) for lines in paragraphs if lines)


# --------------------------------------------------------------------------------------------
# Top of the page: section labels, headline and its copies, byline
# --------------------------------------------------------------------------------------------

_BYLINE = re.compile(r"(?:by|written by|author|words by)\s*:?\s+(?P<name>.+)", re.IGNORECASE)
# what may follow the name on a byline line: ' | June 8, 2023', ' - Reuters', ' • 5 min read'
_BYLINE_TAIL = re.compile(r"\s+[|•·–—-]\s+")
_BYLINE_SEARCH_LINES = 10
_LOOSE_BYLINE_MAX_WORDS = 15
_NAME_TOKEN = re.compile(r"(?:[^\W\d_][\w'’.\-]*|de|da|di|van|von|der|den|del|la|le|al|el|bin|ibn)")
_NAME_PARTICLES = _word_set("de da di van von der den del la le al el bin ibn")
_STOPWORDS = _word_set(
    """the and for with from into onto that this these those its his her their our your are was
    were has have had been not but yet nor who whom which what when where why how than then
    about over under after before amid among between through upon"""
)
_HEADLINE_MIN_WORDS = 4
# a top line is a variant of the headline when it shares >= 2 content words with it, making up
# at least half of the shorter line's content words
_NEAR_DUPLICATE_SHARED = 2
_NEAR_DUPLICATE_RATIO = 0.5


def header_zone(page: _Page) -> list[int]:
    """Kept lines before the first body paragraph (empty when the text has no body line)."""
    zone: list[int] = []
    for i in page.kept():
        if is_body_line(page.lines[i]):
            return zone
        zone.append(i)
    return []


def remove_section_labels(page: _Page, zone: list[int]) -> None:
    """Drop section labels and single-word lines ('International news', 'World') at the top."""
    for i in zone:
        line = page.lines[i]
        if is_section_label(line) or word_count(line) < 2:
            page.remove(i)


def take_byline(page: _Page, zone: list[int]) -> str | None:
    """Remove byline lines near the top and return the first name found.

    In the header zone a byline may carry extras ('By Jane Doe in Nation on 24 September 2020');
    just after it (e.g. below a standfirst) only a bare 'By <names>' line counts.
    """
    byline: str | None = None
    in_zone = set(zone)
    for i in page.kept()[:_BYLINE_SEARCH_LINES]:
        name = parse_byline(page.lines[i], strict=i not in in_zone)
        if name is not None:
            page.remove(i)
            byline = byline or name
    return byline


def parse_byline(line: str, strict: bool = True) -> str | None:
    """'By R. Ravichandran' -> 'R. Ravichandran'; None when the line is not a byline.

    strict=False also accepts names followed by other words ('By Jane Doe in Nation on ...'),
    keeping only the names.
    """
    match = _BYLINE.fullmatch(line)
    if match is None:
        return None
    rest = _BYLINE_TAIL.split(match.group("name"), maxsplit=1)[0].strip(" ,;|")
    if _looks_like_names(rest):
        return rest
    if strict or word_count(line) > _LOOSE_BYLINE_MAX_WORDS:
        return None
    names = _leading_names(rest)
    return names if names and _looks_like_names(names) else None


def _leading_names(text: str) -> str:
    """The run of name-like words at the start of `text` ('Jane Doe in Nation' -> 'Jane Doe')."""
    taken: list[str] = []
    for token in text.split():
        bare = token.rstrip(",")
        if bare in ("and", "&") or (_NAME_TOKEN.fullmatch(bare) and bare[:1].isupper()):
            taken.append(token)
            if bare != token:
                break
        elif bare in _NAME_PARTICLES:
            taken.append(token)
        else:
            break
    while taken and taken[-1].rstrip(",") in ("and", "&", *_NAME_PARTICLES):
        taken.pop()
    return " ".join(taken).rstrip(",")


def _looks_like_names(text: str) -> bool:
    """One or a few personal names ('R. Ravichandran', 'Jane Doe and John Roe, Reuters')."""
    parts = [part.strip() for part in re.split(r",|\band\b|&", text) if part.strip()]
    return 0 < len(parts) <= 4 and all(_is_name(part) for part in parts)


def _is_name(text: str) -> bool:
    """1-5 capitalised words (particles such as 'de', 'van' allowed), e.g. 'Pierre-Olivier X'."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5 or not tokens[0][:1].isupper():
        return False
    return all(
        _NAME_TOKEN.fullmatch(token) and (token[0].isupper() or token in _NAME_PARTICLES)
        for token in tokens
    )


def choose_headline(page: _Page, zone: list[int]) -> int | None:
    """Index of the headline among the headline-shaped, non-label lines at the top.

    A line printed more than once there wins (pages repeat their title); otherwise the first
    line of four words or more (site names and kickers are shorter); otherwise the first one.
    """
    candidates = [
        i
        for i in zone
        if i not in page.removed
        and is_headline_like(page.lines[i])
        and not is_section_label(page.lines[i])
    ]
    keys = [_line_key(page.lines[i]) for i in candidates]
    counts = Counter(keys)  # one count per key, not a scan of the list per line
    repeated = [i for i, key in zip(candidates, keys, strict=True) if counts[key] > 1]
    long_enough = [i for i in candidates if word_count(page.lines[i]) >= _HEADLINE_MIN_WORDS]
    return next(iter(repeated + long_enough + candidates), None)


def remove_above_headline(page: _Page, zone: list[int], headline_index: int) -> None:
    """Lines above the headline (site name, kicker, date) are page furniture, not the article."""
    page.remove(*(i for i in zone if i < headline_index))


def remove_headline_copies(page: _Page, zone: list[int], headline_index: int) -> None:
    """Remove the headline, its exact copies anywhere, and headline variants at the top.

    A variant is a top line repeated there (pages often print the title in several widgets) or
    a headline-shaped top line sharing most content words with the headline or a repeated line.
    Other headings at the top (e.g. the first section heading) are kept.
    """
    headline_key = _line_key(page.lines[headline_index])
    page.remove(*(i for i in page.kept() if _line_key(page.lines[i]) == headline_key))
    zone_keys = [_line_key(page.lines[i]) for i in zone]
    repeated = {key for key, n in Counter(zone_keys).items() if n > 1}
    page.remove(*(i for i, key in zip(zone, zone_keys, strict=True) if key in repeated))
    model_lines = [headline_index] + [i for i, key in zip(zone, zone_keys, strict=True)
                                      if key in repeated]
    # a line repeated many times is one model, compared once
    models = list(dict.fromkeys(frozenset(_content_tokens(page.lines[i])) for i in model_lines))
    for i in zone:
        line = page.lines[i]
        if i not in page.removed and is_headline_like(line):
            tokens = _content_tokens(line)
            if any(_near_duplicate(tokens, model) for model in models):
                page.remove(i)


def _content_tokens(line: str) -> set[str]:
    """Content words, crudely stemmed to 7 letters ('democratic' ~ 'democracy').

    Run-together words from bad HTML are split first ('inDemocracy' -> 'in Democracy').
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", line)
    words = re.findall(r"[^\W\d_]+", spaced.casefold())
    return {word[:7] for word in words if len(word) > 2 and word not in _STOPWORDS}


def _near_duplicate(tokens: AbstractSet[str], model: AbstractSet[str]) -> bool:
    shared = len(tokens & model)
    smaller = min(len(tokens), len(model)) or 1
    return shared >= _NEAR_DUPLICATE_SHARED and shared / smaller >= _NEAR_DUPLICATE_RATIO


# --------------------------------------------------------------------------------------------
# End of the page: related-article blocks, teasers, author bios
# --------------------------------------------------------------------------------------------

_BIO_VERB = r"(?:is|was|has been|serves as|works as|is currently|is now|is also)"
_BIO = re.compile(
    r"[*_—–\-\s]*(?:about the authors?\s*:?\s*)?"
    r"(?P<name>[^\W\d_][\w'’.\-]*(?:\s+[\w'’.\-]+){1,4}?),?\s+" + _BIO_VERB + r"\s+"
    r"(?P<role>.{0,120})",
    re.DOTALL | re.IGNORECASE,
)
_ROLE_WORDS = _word_set(
    """lecturer professor academic researcher research fellow journalist analyst writer author
    editor correspondent contributor columnist student scholar expert consultant director
    founder co-founder economist historian scientist diplomat freelance freelancer phd
    doctoral candidate retired commentator reporter specialist adviser advisor lawyer attorney
    teacher practitioner entrepreneur blogger observer associate assistant visiting emeritus
    graduate alumnus alumna postdoctoral post-doctoral intern member lead senior
    editor-in-chief co-author"""
)
_ROLE_WINDOW = 8
_TEASER_TITLE_MAX_WORDS = 25


def remove_related_block(page: _Page) -> None:
    """Drop a 'Read also' / 'Related Articles' marker near the end and the list that follows it.

    Applies only when everything after the marker is headline-shaped or a teaser blurb, so a
    marker followed by more prose is left alone (its own line is still removed as furniture).
    """
    kept = [i for i, line in enumerate(page.lines) if line]
    for position in range(len(kept) - 1, -1, -1):
        i = kept[position]
        if _RELATED_MARKER.fullmatch(page.lines[i].strip(" *•·-–—|")):
            after = [j for j in kept[position + 1 :] if j not in page.removed]
            if all(_is_teaser_part(page.lines[j]) for j in after):
                page.remove(i, *after)
            return


def _is_teaser_part(line: str) -> bool:
    return is_headline_like(line) or _ELLIPSIS_END.search(line) is not None


def trim_tail(page: _Page) -> str | None:
    """Remove teasers, author bios and lone author-name lines from the end of the text.

    Works backwards from the last line and stops at the first line of article prose. Returns
    the author named in a bio, if any.
    """
    bio_names: list[str] = []
    bio_keys: set[str] = set()
    kept = page.kept()  # read once; lines come off its end as they are removed
    while kept:
        last = kept[-1]
        line = page.lines[last]
        if len(kept) >= 2 and _is_teaser(page.lines[kept[-2]], line):
            page.remove(kept.pop(-2), kept.pop())
        elif (name := parse_bio(line)) is not None:
            page.remove(kept.pop())
            bio_names.append(name)
            bio_keys.add(_line_key(name))
        elif _line_key(line) in bio_keys:
            page.remove(kept.pop())
        else:
            break
    return bio_names[-1] if bio_names else None


def _is_teaser(title: str, blurb: str) -> bool:
    """Another article's headline followed by a cut-off blurb ('... has ignited a firestorm...')."""
    return (
        _ELLIPSIS_END.search(blurb) is not None
        and is_headline_like(title)
        and word_count(title) <= _TEASER_TITLE_MAX_WORDS
    )


def parse_bio(line: str) -> str | None:
    """The person's name when `line` is an author bio ('X is a lecturer at ...'), else None."""
    match = _BIO.match(line)
    if match is None or not _is_name(match.group("name")):
        return None
    role_words = {word.casefold() for word in _WORD.findall(match.group("role"))[:_ROLE_WINDOW]}
    return match.group("name") if role_words & _ROLE_WORDS else None


# --------------------------------------------------------------------------------------------
# Dateline
# --------------------------------------------------------------------------------------------

_DATELINE = re.compile(
    r"(?P<head>[^\W\d_][^()\n—–]{0,60}?)\s*(?:\((?P<agency>[^()\n]{1,40})\))?\s*"
    r"(?:[—–]+|\s-{1,2}|-{2})\s*(?=\S)"
)
_DATELINE_DATE = re.compile(
    r"[,\s]+(?:(?P<month>" + MONTH_ALTERNATION + r")\.?\s+(?P<day>\d{1,2})"
    r"|(?P<day2>\d{1,2})\s+(?P<month2>" + MONTH_ALTERNATION + r")\.?)(?:,?\s+\d{4})?$",
    re.IGNORECASE,
)


# 'ASTANA. KAZINFORM' -> 'ASTANA': an all-caps agency name after the place and a full stop
_AGENCY_AFTER_PLACE = re.compile(r"\.\s+[A-Z][A-Z\-]+$")


@dataclass(frozen=True)
class Dateline:
    """Where (and on which day of which month) a story was filed, as its first words say."""

    place: str
    month: int | None = None
    day: int | None = None


def parse_dateline(paragraph: str) -> Dateline | None:
    """Place, month and day of a dateline at the start of a paragraph, or None.

    'KUALA LUMPUR July 16 (NNN-Bernama) — ...' -> place, month 7, day 16; 'Astanā - ...' -> place.

    The place must be one to four capitalised words and be followed by a dash; a place with no
    date needs a spaced dash and a capital letter after it, so ordinary sentences do not match.
    """
    match = _DATELINE.match(paragraph)
    if match is None:
        return None
    head = match.group("head").strip()
    month = day = None
    date = _DATELINE_DATE.search(head)
    if date is not None:
        month = MONTHS[(date.group("month") or date.group("month2")).casefold()]
        day = int(date.group("day") or date.group("day2"))
        head = head[: date.start()]
    place = _AGENCY_AFTER_PLACE.sub("", head).strip(" ,")
    if not _is_place(place):
        return None
    after = paragraph[match.end() : match.end() + 1]
    if date is None and match.group("agency") is None and not after.isupper():
        return None
    return Dateline(place, month, day if day and 1 <= day <= 31 else None)


def _is_place(text: str) -> bool:
    """'KUALA LUMPUR', 'Astanā', 'Almaty, Kazakhstan': 1-4 capitalised words, commas allowed."""
    tokens = text.replace(",", " ").split()
    return 1 <= len(tokens) <= 4 and all(
        token[:1].isupper() and re.fullmatch(r"[^\W\d_][\w'’.\-]*", token) for token in tokens
    )


# --------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------


def clean_text(raw_text: str) -> CleanText:
    """Clean one article's raw text into body text plus headline, byline and dateline.

    Steps: whitespace normalisation; hard-wrapped paragraphs joined into one line each;
    furniture lines anywhere; at the top, section labels, byline and the headline with its
    copies and variants; at the end, related-article lists, teasers and author bios.
    Paragraphs are separated by one blank line.
    """
    page = _Page(unwrap_paragraphs(normalize_whitespace(raw_text), line_widths(raw_text)))
    page.remove(*(i for i in page.kept() if is_furniture(page.lines[i])))
    zone = header_zone(page)
    remove_section_labels(page, zone)
    byline = take_byline(page, zone)
    headline_index = choose_headline(page, zone)
    headline = page.lines[headline_index] if headline_index is not None else None
    if headline_index is not None:
        remove_above_headline(page, zone, headline_index)
        remove_headline_copies(page, zone, headline_index)
    remove_related_block(page)
    bio_name = trim_tail(page)
    dateline = _first_dateline(page)
    return CleanText(
        text=page.text(),
        headline=headline,
        byline=byline or bio_name,
        dateline_place=dateline.place if dateline else None,
        dateline_month=dateline.month if dateline else None,
        dateline_day=dateline.day if dateline else None,
        removed_lines=page.removed_lines(),
    )


def _first_dateline(page: _Page) -> Dateline | None:
    """The dateline at the start of the first body paragraph, if it has one."""
    first_body = next((i for i in page.kept() if is_body_line(page.lines[i])), None)
    return parse_dateline(page.lines[first_body]) if first_body is not None else None


def content_fingerprint(text: str) -> str:
    """Stable id of an article's cleaned text: sha256 of the case- and space-folded text, 16 hex.

    Used as article_id, so the same article saved under two file names is loaded once.
    """
    folded = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]
