"""The article reader's highlighting, as a pure function from text and spans to safe HTML.

Article text is untrusted: it may hold markup or a `<script>`. Every character of it goes
through `html.escape` before it is placed inside markup this module builds itself, so the
reader shows such text as text. Spans may overlap (a date inside an initiative's name, 'EXPO
2017'): the text is cut at every span boundary and each piece is marked with every kind that
covers it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

READER_CSS = """
<style>
.im-reader { white-space: pre-wrap; line-height: 1.65; font-size: 1.02rem; max-width: 52rem; }
.im-reader mark { padding: 0 0.1em; border-radius: 0.2em; color: inherit; }
.im-reader mark.mention { background: #CFE3F7; border-bottom: 2px solid #0072B2; }
.im-reader mark.date { background: #FBE3C0; border-bottom: 2px dotted #D55E00; }
.im-reader mark.mention.date { background: #E6D9EE; }
.im-reader mark.hit { background: #FFF1B8; }
.im-legend mark { padding: 0 0.3em; border-radius: 0.2em; }
.im-legend mark.mention { background: #CFE3F7; border-bottom: 2px solid #0072B2; }
.im-legend mark.date { background: #FBE3C0; border-bottom: 2px dotted #D55E00; }
</style>
"""

LEGEND_HTML = ('<div class="im-legend"><mark class="mention">initiative mention</mark> '
               '<mark class="date">dated phrase</mark> (hover a mark for what was read)</div>')


@dataclass(frozen=True)
class Span:
    """A highlighted stretch of an article: code-point offsets, end exclusive."""

    start: int
    end: int
    kind: str  # 'mention' | 'date' | 'hit' (a search hit's sentence)
    label: str


def highlight_html(text: str, spans: Iterable[Span]) -> str:
    """The article as escaped HTML with `<mark>` around every span (title = what was read).

    Spans outside the text or empty are ignored, so a stale offset never breaks the reader.
    """
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        piece = html.escape(text[left:right])
        covering = [s for s in valid if s.start <= left and right <= s.end]
        if not covering:
            pieces.append(piece)
            continue
        kinds = " ".join(sorted({s.kind for s in covering}))
        title = html.escape("; ".join(dict.fromkeys(s.label for s in covering)), quote=True)
        pieces.append(f'<mark class="{kinds}" title="{title}">{piece}</mark>')
    return READER_CSS + '<div class="im-reader">' + "".join(pieces) + "</div>"
