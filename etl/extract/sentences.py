"""Rule-based sentence splitting with code-point offsets into the cleaned text.

Every line break ends a sentence (cleaned text keeps one paragraph or list item per line, and
headlines or datelines never run on into prose). Inside a line a sentence ends at '.', '!', '?' or
'…' (plus any closing quotes or brackets) when the next word starts like a sentence: a capital
letter, a digit or an opening quote. Abbreviations ('Sept.', 'Dr.', 'U.N.'), initials
('R. Ravichandran') and decimals ('19.8') do not end a sentence. Leading list markers ('1. ',
'- ', '• ') are left out of the sentence so the offsets cover the prose only.

A run of text with no sentence end for more than `MAX_SENTENCE_CHARS` characters (a file of one
long line without full stops, a table dumped as prose) is cut into pieces of at most that length,
at the last clause break (';', ',') or space in the second half of the piece, so that the
extractors, which read a sentence at a time, do bounded work per sentence. Prose never comes
close: the longest sentence of the shipped, test and generated corpora is under 700 characters.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from etl.model import Sentence

from .text import fold, words

# Abbreviations that are (almost) never the last word of a sentence.
_TITLES = words(
    """mr mrs ms messrs dr prof sr jr st gen col lt maj capt sgt cmdr adm gov sen rep pres amb
    hon rev fr mt ft no nos vol vols fig figs art sec para pp ed eds approx vs dept est inc ltd
    co corp bros univ assn"""
)
# Month abbreviations: they end a sentence only when no number follows.
_MONTH_ABBREVIATIONS = words("jan feb mar apr jun jul aug sep sept oct nov dec")
# Words that typically open a sentence: after an initialism such as 'U.S.' they mark a new
# sentence ('... the U.S. The talks ...'); other words do not ('the U.N. Security Council').
_SENTENCE_OPENERS = words(
    """the this that these those it its he she they we i our their his her a an in on at as
    but however meanwhile moreover furthermore also yet since after before when while there
    according during following for from last next some many most both each all"""
)

# Candidate ends: terminal punctuation, closing quotes/brackets, then whitespace and a word.
# (a run of '.', '!', '?' is only tried from its first character: a run read from its middle
# ends where the same run read from its start ends, and a line of dots would be quadratic; the
# test comes after the first character so that the scan still skips ahead to punctuation)
_CANDIDATE = re.compile(r"(?:[.!?](?<![.!?][.!?])[.!?]*|\u2026)[\"')\]]*(?=\s+(\S))")
_PREV_WORD = re.compile(r"([A-Za-z][A-Za-z.\-']*)\.$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.){2,}$")
_LIST_MARKER = re.compile(
    r"\s*(?:\(?\d{1,3}[.)]|\(?[a-z][.)]|[-*\u2022\u25aa\u25cf\u2013\u2014])\s+")
_NEXT_WORD = re.compile(r"\s+[\"'(\[]*([\w]+)")
# A sentence longer than this is cut into pieces (module docstring).
MAX_SENTENCE_CHARS = 2000
# where an over-long sentence is cut, best first: after a clause break, else after a space
_CUT_AFTER = ("; ", ", ", " ")


def _ends_sentence(folded: str, line_start: int, end: int) -> bool:
    """Whether the candidate boundary whose punctuation ends at `end` really ends a sentence."""
    next_match = _NEXT_WORD.match(folded, end)
    if not next_match:
        return False
    next_word = next_match.group(1)
    first = next_word[0]
    if not (first.isupper() or first.isdigit()):
        return False
    # look at the word just before a single full stop (a short window is enough)
    head = folded[max(line_start, end - 24):end].rstrip("\"')]")
    if not head.endswith(".") or head.endswith(".."):
        return True
    if _INITIALISM.search(head):
        return next_word.lower() in _SENTENCE_OPENERS
    prev = _PREV_WORD.search(head)
    if not prev:
        return True
    word = prev.group(1)
    lower = word.lower().rstrip(".")
    if lower == "no":
        return not first.isdigit()  # 'No. 5' vs 'A: No. The SCO ...'
    if lower in _TITLES:
        return False
    if lower in _MONTH_ABBREVIATIONS:
        return not first.isdigit()
    # a single capital is an initial: 'R. Ravichandran'
    return not (len(word) == 1 and word.isupper())


def split_sentences(text: str, folded: str | None = None) -> list[Sentence]:
    """The sentences of a cleaned text, numbered from 1, with code-point offsets into `text`.

    `Sentence.text` is always exactly `text[start:end]`. `folded` is `fold(text)` when the
    caller already has it.
    """
    if folded is None or len(folded) != len(text):
        folded = fold(text)
    sentences: list[Sentence] = []
    pos = 0
    length = len(text)
    while pos <= length:
        newline = text.find("\n", pos)
        line_end = length if newline == -1 else newline
        _split_line(text, folded, pos, line_end, sentences)
        if newline == -1:
            break
        pos = newline + 1
    return sentences


def _split_line(text: str, folded: str, start: int, end: int, out: list[Sentence]) -> None:
    """Append the sentences of one line (text[start:end]) to `out`."""
    marker = _LIST_MARKER.match(folded, start, end)
    # a list marker only counts when prose follows it (not '2013. ' at a line start)
    if marker and marker.end() < end:
        start = marker.end()
    sentence_start = start
    for match in _CANDIDATE.finditer(folded, start, end):
        if match.end() >= end:
            break
        if _ends_sentence(folded, start, match.end()):
            _append(text, sentence_start, match.end(), out)
            sentence_start = match.end()
    _append(text, sentence_start, end, out)


def _append(text: str, start: int, end: int, out: list[Sentence]) -> None:
    """Append text[start:end] as a sentence, trimmed of surrounding whitespace, if not empty.

    A sentence over `MAX_SENTENCE_CHARS` goes in as several pieces (`_cut`).
    """
    while start < end and text[start].isspace():
        start += 1
    while end - start > MAX_SENTENCE_CHARS:
        cut = _cut(text, start, start + MAX_SENTENCE_CHARS)
        _append(text, start, cut, out)
        start = cut
        while start < end and text[start].isspace():
            start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(sentence_no=len(out) + 1, start=start, end=end, text=text[start:end]))


def _cut(text: str, start: int, limit: int) -> int:
    """Where to cut a piece of an over-long sentence that may run from `start` to `limit`.

    After the last clause break, else the last space, in the second half of the piece; a run
    with neither is cut at `limit`. Each search looks at one piece only, so cutting a whole
    line stays linear in its length.
    """
    low = start + (limit - start) // 2
    for separator in _CUT_AFTER:
        at = text.rfind(separator, low, limit)
        if at != -1:
            return at + 1  # the separator's space, if any, starts the next piece
    return limit


class SentenceIndex:
    """Maps a character offset of the text to the sentence holding it (binary search)."""

    def __init__(self, sentences: Sequence[Sentence]) -> None:
        self.sentences = list(sentences)
        self._starts = [s.start for s in self.sentences]

    def at(self, offset: int) -> Sentence | None:
        """The sentence containing `offset`, or None when it falls between sentences."""
        i = bisect.bisect_right(self._starts, offset) - 1
        if i < 0:
            return None
        sentence = self.sentences[i]
        return sentence if offset < sentence.end else None

    def by_no(self, sentence_no: int) -> Sentence:
        """The sentence with this 1-based number."""
        return self.sentences[sentence_no - 1]
