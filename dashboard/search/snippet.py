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
import numpy as np
import pandas as pd

from dashboard.queries.sql import records
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


# A page of hits is read by key in small statements (a single statement joining them spent
# most of its time being planned): its articles by id, each bound as its own constant so that
# the scan reads only the row groups holding them (the sentences are cut from the text in
# Python with the offsets their postings carried to the page: sentences are exactly
# text[start:end]); the mentions of those articles, by key, and the labels and names of the
# initiatives they mention (joining the two in one statement took the scan of the mentions
# from about 6 to 9 ms at 100,000 articles); and the words to mark: the page's sentences'
# words, and the mentioned initiatives' names, whose terms (the warehouse's own
# `search_tokens`) meet the query's wanted terms.
_PAGE_ARTICLES = """
SELECT article_id, text, title, outlet, published, published_precision, url
FROM articles
WHERE article_id IN """
_PAGE_MENTIONS = """
SELECT article_key, sentence_no, surface, initiative_id
FROM search_mentions
WHERE article_key IN """
_PAGE_INITIATIVES = """
SELECT initiative_id, coalesce(acronym, name) AS label, concat_ws(' ', name, acronym) AS name
FROM initiatives
WHERE initiative_id IN """
# `$pieces`: each sentence (split into words) and each name (whole), numbered; the numbers of
# those holding a wanted term, with the words that do (as written, sorted). Each distinct word
# is cut into terms once (the macro costs more than the split).
_PAGE_MARKS = r"""
WITH pieces AS (
    SELECT DISTINCT t.n,
           unnest(CASE WHEN t.whole THEN [t.text]
                       ELSE regexp_split_to_array(t.text, '[\p{P}\p{S}\p{Z}\p{C}]+') END)
               AS piece
    FROM (SELECT unnest($pieces::STRUCT(n INTEGER, text VARCHAR, whole BOOLEAN)[],
                        recursive := true)) AS t
),
marked AS (
    SELECT piece
    FROM (SELECT DISTINCT piece FROM pieces WHERE piece <> '')
    WHERE list_has_any(search_tokens(piece), $wanted::VARCHAR[])
)
SELECT n, list(piece ORDER BY piece) AS words
FROM pieces SEMI JOIN marked USING (piece)
GROUP BY n
"""
PAGE_COLUMNS = ("article_id", "sentence_no", "score", "terms_matched", "sentence", "title",
                "outlet", "published", "published_precision", "url", "matched_words",
                "matched_initiatives", "matched_mentions")
_PAGE_TYPES = {"sentence_no": "int32", "terms_matched": "int64", "score": "float64",
               "published": "datetime64[us]"}


def _constants(prefix: str, values: Iterable[Any], cast: str = "") -> tuple[str, dict[str, Any]]:
    """An IN list of `values`, each bound as its own named parameter (a constant to the
    planner, so a scan can skip the row groups not holding them)."""
    params = {f"{prefix}{n}": value for n, value in enumerate(dict.fromkeys(values))}
    return "(" + ", ".join(f"${name}{cast}" for name in params) + ")", params


def page_details(con: duckdb.DuckDBPyConnection, page: list[dict[str, Any]],
                 wanted: list[str]) -> pd.DataFrame:
    """The hits of `page` (`rank.ranked_page`) with their sentence, article and the words to
    mark: `matched_words` (the sentence's words the query matched, as written),
    `matched_initiatives` / `matched_mentions` (initiatives the sentence mentions whose name
    matched, and the words that mention them)."""
    if not page:
        return pd.DataFrame({c: pd.Series(dtype=_PAGE_TYPES.get(c, object))
                             for c in PAGE_COLUMNS})
    ids, id_params = _constants("a", (hit["article_id"] for hit in page))
    articles = {a["article_id"]: a for a in records(con.execute(_PAGE_ARTICLES + ids, id_params))}
    keys, key_params = _constants("k", (hit["article_key"] for hit in page), "::UBIGINT")
    sentences = {(hit["article_key"], hit["sentence_no"]) for hit in page}
    mentions = [m for m in records(con.execute(_PAGE_MENTIONS + keys, key_params))
                if (m["article_key"], m["sentence_no"]) in sentences]
    if mentions:
        chosen, chosen_params = _constants("i", (m["initiative_id"] for m in mentions))
        initiatives = {i["initiative_id"]: i for i in records(
            con.execute(_PAGE_INITIATIVES + chosen, chosen_params))}
        mentions = [{**m, **initiatives[m["initiative_id"]]} for m in mentions
                    if m["initiative_id"] in initiatives]
    hits = [hit for hit in page if hit["article_id"] in articles]
    texts = [articles[hit["article_id"]]["text"][hit["start_char"]:hit["end_char"]]
             for hit in hits]
    names = sorted({m["name"] for m in mentions})
    pieces = ([{"n": n, "text": text, "whole": False} for n, text in enumerate(texts)]
              + [{"n": len(texts) + n, "text": name, "whole": True}
                 for n, name in enumerate(names)])
    marked = {n: words for n, words in
              con.execute(_PAGE_MARKS, {"pieces": pieces, "wanted": wanted}).fetchall()}
    wanted_names = {name for n, name in enumerate(names, start=len(texts)) if n in marked}
    rows = []
    for n, (hit, text) in enumerate(zip(hits, texts, strict=True)):
        named = [m for m in mentions if m["name"] in wanted_names
                 and (m["article_key"], m["sentence_no"]) == (hit["article_key"],
                                                              hit["sentence_no"])]
        article = articles[hit["article_id"]]
        rows.append({**{c: hit[c] for c in ("article_id", "sentence_no", "score",
                                             "terms_matched")},
                     "sentence": text,
                     **{c: article[c] for c in ("title", "outlet", "published",
                                                "published_precision", "url")},
                     "matched_words": _array(marked.get(n, [])),
                     "matched_initiatives": _array(sorted({m["label"] for m in named})),
                     "matched_mentions": _array(sorted({m["surface"] for m in named}))})
    frame = pd.DataFrame(rows, columns=list(PAGE_COLUMNS))
    frame["published"] = pd.to_datetime(frame["published"])
    return frame.astype(_PAGE_TYPES)


def _array(values: list[str]) -> np.ndarray:
    """A list column's cell as DuckDB hands it to pandas: an object array."""
    return np.array(values, dtype=object)
