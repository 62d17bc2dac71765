"""Search hits as HTML: the sentence with its matched words marked, in a card; pure functions.

Snippets are built from untrusted article text: the sentence is cut into pieces around the
matched words and every piece goes through `html.escape` before the `<mark>` tags are added,
so markup in a sentence (even a `<script>`) is shown as text. Which words matched is decided
by the search statement (`dashboard.search.rank.SEARCH_DETAILS`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

import duckdb
import pandas as pd

from dashboard.search.parse import WORD_CHAR

SNIPPET_CHARS = 320  # a longer sentence is shown as a window around its first match

SNIPPET_CSS = """
<style>
.im-hit { border-left: 4px solid #0072B2; padding: 0.35rem 0.9rem; margin: 0.1rem 0 0.1rem 0;
          background: #F5F8FB; }
.im-hit blockquote { margin: 0 0 0.3rem 0; font-size: 1.04rem; line-height: 1.55; }
.im-hit mark { background: #FFE08A; color: inherit; padding: 0 0.1em; border-radius: 0.2em; }
.im-hit .im-meta { color: #555; font-size: 0.9rem; }
</style>
"""



def marked_snippet(sentence: str, words: Iterable[str], max_chars: int = SNIPPET_CHARS) -> str:
    """The sentence as escaped HTML with each of `words` marked where it stands as a whole word.

    `words` are surface forms found in this sentence by the search statement (so they match
    exactly, case included). A sentence longer than `max_chars` is cut to the window holding
    the most marks, with '…' where it was cut. The text is escaped piece by piece before any markup
    is added: markup in the sentence shows as text.
    """
    sentence = str(sentence)
    spans = _word_spans(sentence, words)
    start, end = _window(sentence, spans, max_chars)
    pieces = ["…"] if start > 0 else []
    position = start
    for left, right in spans:
        if left < start or right > end:
            continue
        pieces.append(html.escape(sentence[position:left]))
        pieces.append(f"<mark>{html.escape(sentence[left:right])}</mark>")
        position = right
    pieces.append(html.escape(sentence[position:end]))
    if end < len(sentence):
        pieces.append("…")
    return "".join(pieces)


def _word_spans(sentence: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) of every whole-word occurrence of `words`, in order."""
    wanted = sorted({w for w in words if isinstance(w, str) and w.strip()}, key=len,
                    reverse=True)
    if not wanted:
        return []
    pattern = re.compile(rf"(?<!{WORD_CHAR})(?:{'|'.join(map(re.escape, wanted))})"
                         rf"(?!{WORD_CHAR})")
    return [m.span() for m in pattern.finditer(sentence)]


def _window(sentence: str, spans: Sequence[tuple[int, int]], max_chars: int
            ) -> tuple[int, int]:
    """The stretch of a long sentence to show: the one holding the most marks.

    Each mark is tried as the window's first (with a little context before it, from a word
    boundary); the window keeping the most marks whole wins, the earliest on a tie.
    """
    if len(sentence) <= max_chars:
        return 0, len(sentence)
    best: tuple[int, int, int] | None = None  # (marks inside, start, end)
    for first, _ in spans or [(0, 0)]:
        start = max(0, first - max_chars // 4)
        if start > 0:
            space = sentence.rfind(" ", 0, start)
            start = space + 1 if space >= 0 else start
        end = min(len(sentence), start + max_chars)
        if end < len(sentence):
            space = sentence.rfind(" ", start, end)
            end = space if space > first else end
        inside = sum(1 for left, right in spans if start <= left and right <= end)
        if best is None or inside > best[0]:
            best = (inside, start, end)
    assert best is not None  # the loop runs at least once
    return best[1], best[2]


def hit_card_html(snippet: str, heading: str, meta: str) -> str:
    """One search hit: a marked snippet (already escaped) with its rank line and source line.

    `heading` and `meta` are plain text and are escaped here.
    """
    return (f'<div class="im-hit"><div class="im-meta">{html.escape(heading)}</div>'
            f"<blockquote>{snippet}</blockquote>"
            f'<div class="im-meta">{html.escape(meta)}</div></div>')


# The words of a page of hits to mark, and their sentences and articles, read by key: the
# sentence is cut from its article's text with the offsets its postings carried to the page
# (sentences are exactly text[start:end]), the articles and the mentions are read by the
# page's own keys (bound one by one as constants, so each scan reads only the row groups
# holding them); the words to mark are the sentence's words whose terms meet the query's wanted
# terms.
_DETAILS_DOCUMENTS = r"""
WITH page AS (
    SELECT unnest($page::STRUCT(article_id VARCHAR, article_key UBIGINT, sentence_no INTEGER,
                                score DOUBLE, terms_matched BIGINT, start_char INTEGER,
                                end_char INTEGER, rank INTEGER)[],
                  recursive := true)
),
texts AS (
    SELECT p.* EXCLUDE (start_char, end_char),
           substring(a.text, p.start_char + 1, p.end_char - p.start_char) AS sentence,
           a.title, a.outlet, a.published, a.published_precision, a.url
    FROM page AS p
    JOIN (SELECT article_id, text, title, outlet, published, published_precision, url
          FROM articles WHERE article_id IN """
_DETAILS_MENTIONS = r""") AS a USING (article_id)
),
mentioned AS (
    -- the page's sentences' mentions: the keys' row groups (zone maps), then those sentences
    -- only (a join with the page) before anything else is joined to them
    SELECT m.article_key, m.sentence_no, m.surface, coalesce(i.acronym, i.name) AS label,
           concat_ws(' ', i.name, i.acronym) AS name
    FROM (SELECT m.article_key, m.sentence_no, m.initiative_id, m.surface
          FROM search_mentions AS m
          JOIN page AS p USING (article_key, sentence_no)
          WHERE m.article_key IN """
_DETAILS_MARKS = r"""
    ) AS m
    JOIN initiatives AS i USING (initiative_id)
),
words AS (
    -- the words of the page's sentences, as written
    SELECT DISTINCT t.article_key, t.sentence_no, w.word
    FROM texts AS t,
         unnest(regexp_split_to_array(t.sentence, '[\p{P}\p{S}\p{Z}\p{C}]+')) AS w(word)
    WHERE w.word <> ''
),
pieces AS (
    -- each word, and each mentioned initiative's name, cut into terms: does it hold a wanted one?
    SELECT piece, list_has_any(search_tokens(piece), $wanted::VARCHAR[]) AS wanted
    FROM (SELECT word AS piece FROM words UNION SELECT name FROM mentioned)
),
marked AS (
    SELECT w.article_key, w.sentence_no, list(w.word ORDER BY w.word) AS words
    FROM words AS w JOIN pieces AS p ON p.piece = w.word
    WHERE p.wanted
    GROUP BY w.article_key, w.sentence_no
),
named AS (
    SELECT m.article_key, m.sentence_no, list(DISTINCT m.label ORDER BY m.label) AS initiatives,
           list(DISTINCT m.surface ORDER BY m.surface) AS surfaces
    FROM mentioned AS m JOIN pieces AS p ON p.piece = m.name
    WHERE p.wanted
    GROUP BY m.article_key, m.sentence_no
)
SELECT t.article_id, t.sentence_no, t.score, t.terms_matched, t.sentence, t.title, t.outlet,
       t.published, t.published_precision, t.url,
       coalesce(k.words, []) AS matched_words,
       coalesce(n.initiatives, []) AS matched_initiatives,
       coalesce(n.surfaces, []) AS matched_mentions
FROM texts AS t
LEFT JOIN marked AS k USING (article_key, sentence_no)
LEFT JOIN named AS n USING (article_key, sentence_no)
ORDER BY t.rank
"""
PAGE_COLUMNS = ("article_id", "sentence_no", "score", "terms_matched", "sentence", "title",
                "outlet", "published", "published_precision", "url", "matched_words",
                "matched_initiatives", "matched_mentions")


def page_details(con: duckdb.DuckDBPyConnection, page: list[dict[str, Any]],
                 wanted: list[str]) -> pd.DataFrame:
    """The hits of `page` (`rank.ranked_page`) with their sentence, article and the words to
    mark: `matched_words` (the sentence's words the query matched, as written),
    `matched_initiatives` / `matched_mentions` (initiatives the sentence mentions whose name
    matched, and the words that mention them)."""
    keys = {f"k{n}": p["article_key"] for n, p in enumerate(page)}
    ids = {f"a{n}": p["article_id"] for n, p in enumerate(page)}
    key_list = "(" + (", ".join(f"${k}::UBIGINT" for k in keys) or "NULL") + ")"
    id_list = "(" + (", ".join(f"${k}" for k in ids) or "NULL") + ")"
    statement = _DETAILS_DOCUMENTS + id_list + _DETAILS_MENTIONS + key_list + _DETAILS_MARKS
    details = con.execute(statement, {"page": page, "wanted": wanted, **keys, **ids}).df()
    return details[list(PAGE_COLUMNS)]
