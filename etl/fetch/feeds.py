"""The feeds file, and the article links of RSS/Atom feeds and sitemaps.

feeds.toml lists the sources to follow, each with a name and an outlet (docs/fetch.md):

    [[feed]]
    name = "Astana Times: diplomacy"
    outlet = "The Astana Times"
    url = "https://example.org/category/diplomacy/feed/"

feedparser reads RSS and Atom (it copes with the malformed feeds real sites serve); sitemaps
(`<urlset>`, and `<sitemapindex>` pointing at more of them) are read with lxml, with entities,
DTDs and network access switched off, as any XML from the web should be.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

FEED_KINDS = ("auto", "feed", "sitemap")
NAME_MAX_CHARS = 200


class FeedsFileError(ValueError):
    """The feeds file cannot be used; the message says where and how to fix it."""


class FeedFormatError(ValueError):
    """A feed's body is neither an RSS/Atom feed nor a sitemap."""


@dataclass(frozen=True)
class Feed:
    """One source to follow: a feed or sitemap URL, its name, and the outlet it publishes."""

    name: str
    outlet: str
    url: str
    kind: str = "auto"  # auto | feed (RSS/Atom) | sitemap


@dataclass(frozen=True)
class FeedItem:
    """One article link found in a feed, with what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when the feed gives one


@dataclass
class FeedPage:
    """What one feed body held: article links, and (a sitemap index) more sitemaps to read."""

    items: list[FeedItem] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def load_feeds(path: Path) -> list[Feed]:
    """The feeds of a feeds.toml file; raises FeedsFileError saying what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FeedsFileError(f"{path} could not be read ({exc.strerror or exc})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedsFileError(f"{path} is not valid TOML ({exc})") from exc
    entries = data.get("feed", [])
    if not isinstance(entries, list):
        raise FeedsFileError(f"{path}: write each feed as a [[feed]] table")
    feeds: list[Feed] = []
    names: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        feed = _feed(entry, f"{path}: feed {number}")
        if feed.name.lower() in names:
            raise FeedsFileError(f"{path}: feed {number}: the name {feed.name!r} is used twice; "
                                 f"each feed needs its own name (its state is kept by name)")
        names.add(feed.name.lower())
        feeds.append(feed)
    return feeds


def _feed(entry: object, where: str) -> Feed:
    if not isinstance(entry, dict):
        raise FeedsFileError(f"{where}: write it as a [[feed]] table")
    values: dict[str, str] = {}
    for key in ("name", "outlet", "url"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise FeedsFileError(f"{where}: '{key}' is missing (give name, outlet and url)")
        values[key] = " ".join(value.split())[:NAME_MAX_CHARS] if key != "url" else value.strip()
    kind = entry.get("kind", "auto")
    if kind not in FEED_KINDS:
        raise FeedsFileError(f"{where}: kind {kind!r} is not one of {', '.join(FEED_KINDS)}")
    unknown = sorted(set(entry) - {"name", "outlet", "url", "kind"})
    if unknown:
        raise FeedsFileError(f"{where}: unknown key(s) {', '.join(unknown)}; a feed has name, "
                             f"outlet, url and optionally kind")
    return Feed(values["name"], values["outlet"], values["url"], kind)


def read_feed_page(body: bytes, kind: str = "auto") -> FeedPage:
    """The article links of a feed or sitemap body; raises FeedFormatError if it is neither."""
    if kind == "sitemap" or (kind == "auto" and _root_name(body) in ("urlset", "sitemapindex")):
        return _read_sitemap(body)
    return _read_feed(body)


def _root_name(body: bytes) -> str | None:
    """The local name of the XML document's root element, or None when it is not XML."""
    try:
        events = etree.iterparse(io.BytesIO(body), events=("start",), resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False)
        for _event, element in events:
            return etree.QName(element).localname
    except etree.LxmlError:
        return None
    return None


def _read_feed(body: bytes) -> FeedPage:
    import feedparser  # on use: every `python -m etl` command would load it for nothing

    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise FeedFormatError("is neither an RSS or Atom feed nor a sitemap"
                              + (f" ({parsed.bozo_exception})" if parsed.bozo else ""))
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (ln.get("href") for ln in entry.get("links", []) if ln.get("href")), None)
        if not link:
            continue
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        published = time.strftime("%Y-%m-%d", when) if when else None
        title = " ".join(str(entry.get("title") or "").split()) or None
        items.append(FeedItem(link.strip(), title, published))
    return FeedPage(items)


def _read_sitemap(body: bytes) -> FeedPage:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.LxmlError as exc:
        raise FeedFormatError(f"is not a readable sitemap ({exc})") from exc
    page = FeedPage()
    if etree.QName(root).localname == "sitemapindex":
        page.sitemaps = [loc for child in root if (loc := _child_text(child, "loc"))]
        return page
    for child in root:
        loc = _child_text(child, "loc")
        if not loc:
            continue
        published = _child_text(child, "publication_date") or _child_text(child, "lastmod")
        page.items.append(FeedItem(loc, _child_text(child, "title"), _iso_date(published)))
    page.items.sort(key=lambda item: item.published or "", reverse=True)  # newest first
    return page


def _child_text(element: etree._Element, name: str) -> str | None:
    """The text of the first descendant named `name` (any namespace), stripped."""
    for node in element.iter():
        if isinstance(node.tag, str) and etree.QName(node).localname == name:
            text = " ".join((node.text or "").split())
            return text or None
    return None


def _iso_date(value: str | None) -> str | None:
    """YYYY-MM-DD of a W3C datetime ('2024-05-02', '2024-05-02T10:00:00+05:00'), else None."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None

