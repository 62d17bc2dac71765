"""Web pages: the article's main text and the page's own metadata."""

from __future__ import annotations

from etl.errors import EmptyFileError
from etl.limits import repair_surrogates
from etl.sources.dates import parse_published
from etl.sources.formats.base import FormatResult
from etl.sources.metadata import Fields, RecordDraft, clean_str


def read_html(text: str, relative: str) -> FormatResult:
    """A web page is one article: main text via trafilatura (BeautifulSoup as a fallback).

    Navigation, footers, cookie banners and comments are dropped. Paragraphs are separated by a
    blank line. Title, author, date, URL and site name come from the page's metadata.
    """
    import trafilatura  # on use: a fifth of a second that folders without web pages never pay

    text = repair_surrogates(text)[0]  # the HTML parsers encode the page and would fail
    document = trafilatura.bare_extraction(
        text,
        include_comments=False,
        with_metadata=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    body = _paragraphs(getattr(document, "text", None) or "") or _soup_text(text)
    if not body:
        raise EmptyFileError("is a web page with no article text in it")
    if document is None:
        document = trafilatura.extract_metadata(text)
    return FormatResult([RecordDraft(body, _html_fields(document))])


def _paragraphs(text: str) -> str:
    """One paragraph per non-empty line, separated by a blank line (what normalize expects)."""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


_SOUP_DROP_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form")


def _soup_text(html: str) -> str:
    """Visible text of the page without obvious chrome, used when trafilatura finds nothing."""
    from bs4 import BeautifulSoup  # on use, as trafilatura in `read_html`

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_SOUP_DROP_TAGS):
        tag.decompose()
    root = soup.body or soup
    return _paragraphs(root.get_text("\n"))


def _html_fields(document: object) -> Fields:
    """Title/author/date/url/site name from trafilatura's metadata, where it found them."""
    raw = {
        "title": getattr(document, "title", None),
        "author": getattr(document, "author", None),
        "url": getattr(document, "url", None),
        "outlet": getattr(document, "sitename", None),
    }
    fields: Fields = {name: text for name, value in raw.items() if (text := clean_str(value))}
    published = parse_published(getattr(document, "date", None) or "")
    if published is not None:
        fields["published"] = published
    return fields
