"""What a line is by its shape alone: its words, headline- or prose-shaped, page furniture
(navigation, sharing, comments, credits, a date on its own), a section label.

Furniture patterns match a whole short line, so a sentence that merely starts with one of
their words is never touched.
"""

from __future__ import annotations

import itertools
import re

from etl.months import MONTH_ALTERNATION


def word_set(words: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list (keeps long vocabularies readable)."""
    return frozenset(words.split())


WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_NO_HEADLINE_END = (".", ",", ";", ":", "…")
_CLOSING_MARKS = "\"'’”»)] "


def word_count(text: str) -> int:
    """Number of words: runs of letters/digits, keeping apostrophes and hyphens inside a word."""
    return len(WORD.findall(text))


def has_more_words(text: str, limit: int) -> bool:
    """Whether `text` has more than `limit` words (`word_count(text) > limit`), reading only
    as far as the word after the limit: a long paragraph is not counted to its end to learn
    it is not a short line."""
    return next(itertools.islice(WORD.finditer(text), limit, None), None) is not None


def is_headline_like(line: str) -> bool:
    """A short line with no sentence-ending punctuation: a headline, heading or teaser title."""
    words = word_count(line)
    ending = line.rstrip(_CLOSING_MARKS)
    return 2 <= words <= 25 and len(line) <= 220 and not ending.endswith(_NO_HEADLINE_END)


def is_body_line(line: str) -> bool:
    """A line of prose: long, or a sentence with its closing punctuation."""
    return word_count(line) >= 6 and not is_headline_like(line)


_QUOTE_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def line_key(line: str) -> str:
    """Comparison key for 'the same line': case, spacing and quote styles ignored."""
    straightened = line.translate(_QUOTE_FOLD)
    return " ".join(straightened.casefold().split())


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
# Words of generic section labels ('International news', 'World', 'Op-Ed', 'Central Asia').
_SECTION_WORDS = word_set(
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
    if has_more_words(line, _FURNITURE_MAX_WORDS):
        return False
    return _FURNITURE.fullmatch(line.strip(" *•·-–—|")) is not None


def is_section_label(line: str) -> bool:
    """A generic section/category label or breadcrumb ('International news', 'Home › World')."""
    if _BREADCRUMB_SEPARATORS.search(line) and not has_more_words(line, 10):
        return True
    words = [word.casefold() for word in re.findall(r"[^\W\d_][\w&'’\-]*|&", line)]
    return 0 < len(words) <= 4 and all(word in _SECTION_WORDS for word in words)
