"""Clean an article's text: tidy whitespace and remove web-page furniture, keeping every body line.

Pure functions over strings, no I/O. `clean_text` is written for news pages in general, not for
the five corpus files: each rule targets a kind of furniture (navigation and share lines, repeated
headlines, bylines, author bios, teasers for other articles) by its shape and position, and rules
that could hit prose only look at the top of the page (before the first body paragraph) or at its
tail (after the last one). Everything removed is returned in `CleanText.removed_lines`. A text
hard-wrapped at a fixed width (plain-text newsletters, e-mail) first gets its paragraphs joined
back into one line each, so a sentence never ends at a wrapped line break.

The headline is taken out of the text and returned as `CleanText.headline`, so `text` is the body.

One module per step: `layout` (whitespace, hard-wrapped paragraphs), `lines` (line shapes
and furniture), `page` (removals at the top and the end of the page), `authors` (bylines
and bios), `dateline`.
"""

from __future__ import annotations

import hashlib
import unicodedata

from etl.model import CleanText
from etl.normalize.dateline import Dateline, parse_dateline
from etl.normalize.layout import line_widths, normalize_whitespace, unwrap_paragraphs
from etl.normalize.lines import is_body_line, is_furniture
from etl.normalize.page import (
    Page,
    choose_headline,
    header_zone,
    remove_above_headline,
    remove_headline_copies,
    remove_related_block,
    remove_section_labels,
    take_byline,
    trim_tail,
)


def clean_text(raw_text: str) -> CleanText:
    """Clean one article's raw text into body text plus headline, byline and dateline.

    Steps: whitespace normalisation; hard-wrapped paragraphs joined into one line each;
    furniture lines anywhere; at the top, section labels, byline and the headline with its
    copies and variants; at the end, related-article lists, teasers and author bios.
    Paragraphs are separated by one blank line.
    """
    page = Page(unwrap_paragraphs(normalize_whitespace(raw_text), line_widths(raw_text)))
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


def _first_dateline(page: Page) -> Dateline | None:
    """The dateline at the start of the first body paragraph, if it has one."""
    first_body = next((i for i in page.kept() if is_body_line(page.lines[i])), None)
    return parse_dateline(page.lines[first_body]) if first_body is not None else None


def content_fingerprint(text: str) -> str:
    """Stable id of an article's cleaned text: sha256 of the case- and space-folded text, 16 hex.

    Used as article_id, so the same article saved under two file names is loaded once.
    """
    folded = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:16]
