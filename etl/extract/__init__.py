"""Extraction: cleaned article text -> sentences, mentions, dates, events, memberships, themes.

The public entry points are `load_gazetteer`, `load_themes` (read the reference data once),
`extract_article` (everything for one article), `infer_publication_date` (a date from the text,
and, when the caller passes them, from the article's URL and the header lines cleaning removed)
and `refine_publication_date` (a month- or year-precise date made finer by the same evidence).
Each concern lives in its own module:

* `sentences`  rule-based sentence splitting with code-point offsets
* `gazetteer`  the initiative gazetteer (`data/reference/initiatives.toml`) and its patterns
* `mentions`   alias / acronym matches and back-references ('the forum', 'It')
* `references` what a dated sentence naming no initiative refers to (the passage's topic)
* `dates`      date expressions, relative dates, roles
* `publication` the publication date an article states itself (dateline, masthead, URL)
* `events`     (initiative, event type, date) from mentions, dates and event words
* `membership` member / observer / partner counts
* `themes`     keyword hits per sentence and per-article theme scores
* `evidence`   the rule names and the confidence scale of events and membership figures
* `candidates` bodies Kazakhstan proposed, founded, hosts or chairs that the gazetteer lacks

Nothing here does I/O beyond reading the two reference files, and nothing imports streamlit.
"""

from __future__ import annotations

from etl.model import ArticleExtraction, PublicationDate

from .candidates import find_candidates
from .dates import find_dates
from .events import find_events
from .evidence import scale_rows as evidence_scale_rows
from .evidence import with_confidence
from .gazetteer import GAZETTEER_FILE, Gazetteer, GazetteerError, Initiative, load_gazetteer
from .membership import find_memberships
from .mentions import find_mentions
from .publication import infer_publication_date, refine_publication_date
from .references import resolve_across_sentences
from .sentences import SentenceIndex, split_sentences
from .text import fold
from .themes import (
    EXAMPLES_PER_THEME,
    THEMES_FILE,
    Theme,
    ThemeError,
    ThemeTaxonomy,
    article_theme_scores,
    find_theme_hits,
    initiative_theme_sentences,
    load_themes,
    theme_examples,
)

__all__ = [
    "GAZETTEER_FILE",
    "THEMES_FILE",
    "Gazetteer",
    "GazetteerError",
    "Initiative",
    "Theme",
    "ThemeError",
    "ThemeTaxonomy",
    "EXAMPLES_PER_THEME",
    "article_theme_scores",
    "initiative_theme_sentences",
    "theme_examples",
    "evidence_scale_rows",
    "extract_article",
    "infer_publication_date",
    "load_gazetteer",
    "load_themes",
    "refine_publication_date",
    "split_sentences",
]


def extract_article(text: str, published: PublicationDate | None, gazetteer: Gazetteer,
                    themes: ThemeTaxonomy) -> ArticleExtraction:
    """Everything extracted from one article's cleaned text.

    `published` resolves relative dates ('this week', 'on June 8', 'Twenty-nine years ago');
    without it they stay unresolved and produce no events. Every record keeps its sentence
    number, and offsets are code points into `text`.
    """
    folded = fold(text)
    sentences = split_sentences(text, folded)
    index = SentenceIndex(sentences)
    entities = find_mentions(folded, sentences, index, gazetteer)
    direct_spans = [(m.start, m.end, m.is_initiative) for m in entities
                    if not m.is_reference]
    dates = find_dates(text, folded, sentences, index, published, direct_spans)
    entities = resolve_across_sentences(folded, sentences, entities, dates, gazetteer)
    # every fact gets its confidence on the one scale of `evidence`
    events = with_confidence(find_events(folded, sentences, entities, dates, published,
                                         gazetteer))
    memberships = with_confidence(find_memberships(folded, sentences, entities, dates,
                                                   published, gazetteer, events))
    return ArticleExtraction(
        sentences=sentences,
        mentions=[m.to_mention() for m in entities if m.is_initiative],
        dates=dates,
        events=events,
        memberships=memberships,
        theme_hits=find_theme_hits(folded, index, themes),
        candidates=find_candidates(folded, sentences, [(s, e) for s, e, _ in direct_spans]),
    )
