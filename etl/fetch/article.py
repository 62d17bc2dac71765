"""A fetched page as an article: its text and metadata (trafilatura), and the file saved.

The article is saved as Markdown with YAML front matter (title, outlet, url, published,
author), which the build's own Markdown reader loads; the page itself is kept, compressed, in
the article folder's hidden fetch area (`etl.fetch.store`).

Metadata precedence: the outlet named for the feed (or `--outlet`), else the page's site name,
else its host; the page's title and date, else the feed item's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import trafilatura
import yaml

from etl.fetch.client import FetchResult
from etl.fetch.feeds import FeedItem
from etl.limits import cap_field, repair_surrogates
from etl.sources.dates import parse_published
from etl.sources.decode import decode

PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SLUG_MAX_CHARS = 90


class NotAnArticle(ValueError):
    """The page holds no article the build could load; the message says why."""


@dataclass(frozen=True)
class FetchedArticle:
    """An article read from a fetched page."""

    url: str
    title: str | None
    outlet: str
    published: str | None  # ISO at its precision: '2024-05-02', '2024-05' or '2024'
    author: str | None
    text: str


def read_article(
    result: FetchResult, outlet: str | None = None, item: FeedItem | None = None
) -> FetchedArticle:
    """The article in a fetched page; raises NotAnArticle for a page with none."""
    kind = result.content_type
    if kind and kind not in PAGE_TYPES:
        raise NotAnArticle(f"not a web page (its content type is {kind}); only HTML pages "
                           f"are read as articles")
    try:
        html = repair_surrogates(decode(result.body).text)[0]
    except Exception as exc:  # binary or undecodable bytes served as HTML
        raise NotAnArticle(f"the page could not be read as text ({exc})") from exc
    document = trafilatura.bare_extraction(
        html, url=result.final_url, include_comments=False, with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True})
    text = _paragraphs(getattr(document, "text", None) or "")
    if not text:
        raise NotAnArticle("no article text was found in the page (an index page, a login "
                           "wall, or a page built by JavaScript?)")
    title = _clean(getattr(document, "title", None)) or (item.title if item else None)
    date = parse_published(getattr(document, "date", None) or "") or (
        parse_published(item.published) if item and item.published else None)
    site = _clean(getattr(document, "sitename", None))
    host = urlsplit(result.final_url).hostname or ""
    return FetchedArticle(
        url=result.final_url,
        title=cap_field("title", title)[0] if title else None,
        outlet=cap_field("outlet", outlet or site or host)[0],
        published=date.iso() if date else None,
        author=_clean(getattr(document, "author", None)),
        text=text,
    )


def _clean(value: object) -> str | None:
    text = " ".join(str(value or "").split())
    return text or None


def _paragraphs(text: str) -> str:
    """One paragraph per non-empty line, separated by a blank line (what the build expects)."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


def markdown_bytes(article: FetchedArticle) -> bytes:
    """The article as the Markdown file saved: front matter, then the text."""
    fields = {
        "title": article.title,
        "outlet": article.outlet,
        "url": cap_field("url", article.url)[0],
        "published": article.published,
        "author": cap_field("author", article.author)[0] if article.author else None,
    }
    front = yaml.safe_dump({k: v for k, v in fields.items() if v}, sort_keys=False,
                           allow_unicode=True, width=1_000_000)
    return f"---\n{front}---\n\n{article.text}\n".encode()


def file_name(url: str) -> str:
    """A readable file name for the article at `url`: host and the path's last words, '.md'.

    'https://www.example.org/news/2024/05/cica-summit.html' -> 'example.org-cica-summit.md'.
    The name is made safe again when saved (`etl.intake.safe_article_name`).
    """
    parts = urlsplit(url)
    host = (parts.hostname or "page").removeprefix("www.")
    words = [w for w in re.split(r"[/]+", parts.path) if w and not w.isdigit()]
    last = re.sub(r"\.(s?html?|php|aspx?)$", "", words[-1], flags=re.I) if words else ""
    slug = unicodedata.normalize("NFKC", last)
    slug = re.sub(r"[^\w\-]+", "-", slug).strip("-_")[:SLUG_MAX_CHARS].strip("-_")
    return f"{host}-{slug}.md" if slug else f"{host}.md"
