"""The page being cleaned and the removals that depend on where a line stands.

At the top (before the first body paragraph): section labels, the byline, the headline, its
copies and variants, and what stands above it. At the end (after the last one): related-
article lists, teasers for other articles and author bios. Rules that could hit prose look
only there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from etl.normalize.authors import parse_bio, parse_byline
from etl.normalize.lines import (
    is_body_line,
    is_headline_like,
    is_section_label,
    line_key,
    word_count,
    word_set,
)


@dataclass
class Page:
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


# --- top of the page -------------------------------------------------------------------------

_BYLINE_SEARCH_LINES = 10
_STOPWORDS = word_set(
    """the and for with from into onto that this these those its his her their our your are was
    were has have had been not but yet nor who whom which what when where why how than then
    about over under after before amid among between through upon"""
)
_HEADLINE_MIN_WORDS = 4
# a top line is a variant of the headline when it shares >= 2 content words with it, making up
# at least half of the shorter line's content words
_NEAR_DUPLICATE_SHARED = 2
_NEAR_DUPLICATE_RATIO = 0.5


def header_zone(page: Page) -> list[int]:
    """Kept lines before the first body paragraph (empty when the text has no body line)."""
    zone: list[int] = []
    for i in page.kept():
        if is_body_line(page.lines[i]):
            return zone
        zone.append(i)
    return []


def remove_section_labels(page: Page, zone: list[int]) -> None:
    """Drop section labels and single-word lines ('International news', 'World') at the top."""
    for i in zone:
        line = page.lines[i]
        if is_section_label(line) or word_count(line) < 2:
            page.remove(i)


def take_byline(page: Page, zone: list[int]) -> str | None:
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


def choose_headline(page: Page, zone: list[int]) -> int | None:
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
    keys = [line_key(page.lines[i]) for i in candidates]
    counts = Counter(keys)  # one count per key, not a scan of the list per line
    repeated = [i for i, key in zip(candidates, keys, strict=True) if counts[key] > 1]
    long_enough = [i for i in candidates if word_count(page.lines[i]) >= _HEADLINE_MIN_WORDS]
    return next(iter(repeated + long_enough + candidates), None)


def remove_above_headline(page: Page, zone: list[int], headline_index: int) -> None:
    """Lines above the headline (site name, kicker, date) are page furniture, not the article."""
    page.remove(*(i for i in zone if i < headline_index))


def remove_headline_copies(page: Page, zone: list[int], headline_index: int) -> None:
    """Remove the headline, its exact copies anywhere, and headline variants at the top.

    A variant is a top line repeated there (pages often print the title in several widgets) or
    a headline-shaped top line sharing most content words with the headline or a repeated line.
    Other headings at the top (e.g. the first section heading) are kept.
    """
    headline_key = line_key(page.lines[headline_index])
    page.remove(*(i for i in page.kept() if line_key(page.lines[i]) == headline_key))
    zone_keys = [line_key(page.lines[i]) for i in zone]
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


# --- end of the page -------------------------------------------------------------------------

_ELLIPSIS_END = re.compile(r"(?:\.\.\.|…)\s*[\]\)]?$")
# Lines after which a page lists other articles (its own line is furniture too).
_RELATED_MARKER = re.compile(
    r"(?:read (?:also|more|next)|also read|see also|related(?: \w+)?|latest(?: \w+)?|"
    r"you (?:may|might) also (?:like|enjoy)|recommended(?: for you)?|more (?:from|stories)\b.*|"
    r"most (?:read|popular|viewed))\s*:?",
    re.IGNORECASE,
)
_TEASER_TITLE_MAX_WORDS = 25


def remove_related_block(page: Page) -> None:
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


def trim_tail(page: Page) -> str | None:
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
            bio_keys.add(line_key(name))
        elif line_key(line) in bio_keys:
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
