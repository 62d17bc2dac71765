"""Timing of extraction by stage: `python -m benchmarks.extraction_timing [N]`.

Extracts every article of the shipped corpus N times (default 50) and prints milliseconds per
article and per 1,000 words, whole and by stage, so a change that slows extraction shows. The
target is about 5 ms per 1,000-word article on one core (200 articles/s on two cores including
reading, cleaning and writing).
"""

from __future__ import annotations

import sys
import time

from etl.extract import extract_article, load_gazetteer, load_themes
from etl.extract.candidates import find_candidates
from etl.extract.dates import find_dates
from etl.extract.events import find_events
from etl.extract.membership import find_memberships
from etl.extract.mentions import find_mentions
from etl.extract.references import resolve_across_sentences
from etl.extract.sentences import SentenceIndex, split_sentences
from etl.extract.text import fold, word_count
from etl.extract.themes import find_theme_hits
from etl.normalize import clean_text
from etl.settings import PROJECT_ROOT


def main(argv: list[str]) -> None:
    """Time extract_article over the corpus, then each stage."""
    rounds = int(argv[0]) if argv else 50
    reference = PROJECT_ROOT / "data" / "reference"
    articles = sorted((PROJECT_ROOT / "data" / "articles").glob("*.txt"))
    texts = [clean_text(p.read_text(encoding="utf-8")).text for p in articles]
    gazetteer, themes = load_gazetteer(reference), load_themes(reference)
    words = sum(word_count(t) for t in texts)
    best = float("inf")
    for _ in range(rounds):  # best round: other processes on the machine only add noise
        start = time.perf_counter()
        for text in texts:
            extract_article(text, None, gazetteer, themes)
        best = min(best, time.perf_counter() - start)
    per_article = best / len(texts) * 1000
    per_kword = best / (words / 1000) * 1000
    print(f"{len(texts)} articles, {words} words, best of {rounds} rounds")
    print(f"extract_article: {per_article:.2f} ms/article, {per_kword:.2f} ms per 1,000 words")
    _stages(texts, rounds, gazetteer, themes, words)  # averages, for the shares


def _stages(texts: list[str], rounds: int, gazetteer, themes, words: int) -> None:
    """Average time of each extraction stage per 1,000 words."""
    clocks: dict[str, float] = {}

    def clock(name: str, fn, *args):
        t0 = time.perf_counter()
        result = fn(*args)
        clocks[name] = clocks.get(name, 0.0) + time.perf_counter() - t0
        return result

    for _ in range(rounds):
        for text in texts:
            folded = clock("fold", fold, text)
            sentences = clock("sentences", split_sentences, text, folded)
            index = SentenceIndex(sentences)
            entities = clock("mentions", find_mentions, folded, sentences, index, gazetteer)
            spans = [(m.start, m.end, m.is_initiative) for m in entities
                     if not m.is_reference]
            dates = clock("dates", find_dates, text, folded, sentences, index, None, spans)
            entities = clock("references", resolve_across_sentences, folded, sentences,
                             entities, dates, gazetteer)
            events = clock("events", find_events, folded, sentences, entities, dates, None,
                           gazetteer)
            clock("memberships", find_memberships, folded, sentences, entities, dates, None,
                  gazetteer, events)
            clock("themes", find_theme_hits, folded, index, themes)
            clock("candidates", find_candidates, folded, sentences, [s[:2] for s in spans])
    for name, seconds in clocks.items():
        print(f"  {name:<12} {seconds / (rounds * words / 1000) * 1000:6.2f} ms per 1,000 words")


if __name__ == "__main__":
    main(sys.argv[1:])
    sys.exit(0)
