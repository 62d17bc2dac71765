"""Large generated texts for the extraction scaling benchmark and the hostile-input tests.

Every generator is deterministic (a seed in, the same text out) and returns about `size`
characters, cut at a word boundary:

* `prose`        news prose: synthetic articles of `benchmarks.corpus` (initiatives, dated
                 events, membership figures, furniture) one after another, one paragraph a line
* `dense_dates`  sentences packed with every shape of date the extractor reads (full dates,
                 ranges, ISO, weekdays, relative phrases, years after prepositions)
* `one_line`     any text with its line breaks turned into spaces (a file of one long line)
* `one_sentence` any text with its line breaks and sentence ends removed (no sentence break
                 at all, the worst case for anything that works per sentence)

Nothing here is copied from the shipped articles or the fixtures.
"""

from __future__ import annotations

import random
import re

_DATE_SHAPES = (
    "on {d} {M} {y}", "{M} {d}, {y}", "{M} {d}-{d2}, {y}", "{d}-{d2} {M} {y}", "in {M} {y}",
    "({y}-{y2})", "from {y} to {y2}", "between {y} and {y2}", "{y}-{m:02d}-{d:02d}",
    "by {y2}", "since {y}", "back in {y}", "on {W}", "last {W}", "on {W} and {W2}", "{n} years ago",
    "two years later", "the next day", "the following year", "this week", "in {M}",
    "on {M} {d}", "{M} {y}-{y2}", "every three years since {y}", "{d} {M} to {d2} {M2} {y}",
    "Sept. {d} through {d2}", "the {y} Summit", "Vision {y2}", "yesterday", "earlier this year",
)
_VERBS = ("was held", "was signed", "met", "convened", "was launched", "was adopted",
          "will be held", "was proposed", "joined", "hosted the forum")
_SUBJECTS = ("The conference", "CICA", "The summit", "The Astana International Forum",
             "The SCO", "The ministers", "Kazakhstan", "The council", "The delegation")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def _cut(text: str, size: int) -> str:
    """`text` cut to about `size` characters at a space (never mid-word)."""
    if len(text) <= size:
        return text
    space = text.rfind(" ", 0, size)
    return text[:space if space > size // 2 else size]


def prose(size: int, seed: int = 7) -> str:
    """About `size` characters of synthetic news articles, one paragraph a line."""
    from benchmarks.corpus import Options, compose, context, render
    from etl.normalize import clean_text

    ctx = context()
    options = Options(articles=1, seed=seed)
    parts: list[str] = []
    total = 0
    index = 0
    while total < size:
        cleaned = clean_text(render(compose(options, index, ctx))).text
        parts.append(cleaned)
        total += len(cleaned) + 1
        index += 1
    return _cut("\n".join(parts), size)


def dense_dates(size: int, seed: int = 7) -> str:
    """About `size` characters of short sentences, each holding two or three dates."""
    rng = random.Random(f"dense:{seed}")
    lines: list[str] = []
    total = 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 8)):
            dates = [_date(rng) for _ in range(rng.randint(2, 3))]
            sentence = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {dates[0]}"
            sentence += "".join(f", and again {d}" for d in dates[1:]) + "."
            sentences.append(sentence)
        line = " ".join(sentences)
        lines.append(line)
        total += len(line) + 1
    return _cut("\n".join(lines), size)


def _date(rng: random.Random) -> str:
    """One date expression of a random shape."""
    year = rng.randint(1990, 2030)
    return rng.choice(_DATE_SHAPES).format(
        d=rng.randint(1, 14), d2=rng.randint(15, 28), m=rng.randint(1, 12),
        M=rng.choice(_MONTHS), M2=rng.choice(_MONTHS), y=year, y2=year + rng.randint(1, 9),
        W=rng.choice(_WEEKDAYS), W2=rng.choice(_WEEKDAYS), n=rng.randint(2, 30))


def one_line(text: str) -> str:
    """The text as one line: every line break becomes a space."""
    return text.replace("\n", " ")


_SENTENCE_END = re.compile(r"[.!?\u2026]+(?=[\"')\]]*\s)")


def one_sentence(text: str) -> str:
    """The text as one line without a single sentence end (no '.', '!' or '?' before a space)."""
    return _SENTENCE_END.sub("", one_line(text))


GENERATORS = {"prose": prose, "dense_dates": dense_dates}
