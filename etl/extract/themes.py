"""Themes: keyword hits per sentence from `themes.toml`, and per-article theme scores.

Keywords are matched case-insensitively on word boundaries, spaces and hyphens alike, the last
word also in the plural, a trailing '*' for any ending, and all-capital keywords ('AI', 'GDP')
exactly. All keywords go into one prefix-sharing pattern (plus one for the exact-case ones);
where keywords overlap the longest match wins, so 'food security' is not also 'security'.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from etl.marts import MAX_MASK_BITS
from etl.model import Mention, ThemeHit

from .gazetteer import trie_regex
from .sentences import SentenceIndex
from .text import fold, lowered_or_none

THEMES_FILE = "themes.toml"
_SEPARATORS = re.compile(r"[\s\-]+")


class ThemeError(ValueError):
    """The theme file is malformed (the message names the theme and the problem)."""


@dataclass(frozen=True)
class Theme:
    """One theme of the taxonomy as written in themes.toml."""

    name: str
    label: str
    description: str
    keywords: tuple[str, ...]


@dataclass
class ThemeTaxonomy:
    """The themes in file order, plus the compiled keyword patterns."""

    themes: tuple[Theme, ...]
    pattern: re.Pattern[str] | None  # lower-case keywords, run on lower-cased folded text
    pattern_nocase: re.Pattern[str] | None  # the same, for text whose lower-casing changes length
    exact_pattern: re.Pattern[str] | None  # all-capital keywords, run on folded text
    exact: dict[str, tuple[str, str]]  # normalised keyword -> (theme, keyword as written)
    stems: tuple[tuple[str, str, str], ...]  # (normalised stem, theme, keyword), longest first
    _seen: dict[str, tuple[str, str] | None] = field(default_factory=dict, repr=False)

    def keyword_of(self, surface: str) -> tuple[str, str] | None:
        """(theme, keyword as written) for a matched surface form (memoised per surface)."""
        if surface not in self._seen:
            self._seen[surface] = self._lookup(surface)
        return self._seen[surface]

    def _lookup(self, surface: str) -> tuple[str, str] | None:
        """Exact keyword, its plural, or the longest stem matching a surface."""
        key = _normalise(surface)
        if key in self.exact:
            return self.exact[key]
        for suffix in ("es", "s"):
            if key.endswith(suffix) and key[: -len(suffix)] in self.exact:
                return self.exact[key[: -len(suffix)]]
        for stem, theme, keyword in self.stems:
            if key.startswith(stem):
                return theme, keyword
        return None


def _normalise(text: str) -> str:
    """Lower-case, folded, single spaces for spaces and hyphens."""
    return _SEPARATORS.sub(" ", fold(text).lower()).strip()


def _is_exact_case(keyword: str) -> bool:
    """Keywords written in capitals ('AI', 'GDP') match case-sensitively."""
    letters = keyword.rstrip("*").replace(" ", "")
    return letters.isupper() and letters.isalpha() and len(letters) <= 6


def _keyword_tokens(keyword: str) -> list[str]:
    """Regex tokens of a keyword; the last one takes a plural or, with '*', any ending."""
    stem = keyword.endswith("*")
    words = _normalise(keyword.rstrip("*")).split(" ")
    tokens = [re.escape(w) for w in words]
    tokens[-1] += r"\w*" if stem else "(?:s|es)?"
    return tokens


def build_taxonomy(themes: list[Theme]) -> ThemeTaxonomy:
    """Index the keywords and compile the two keyword patterns."""
    exact: dict[str, tuple[str, str]] = {}
    stems: list[tuple[str, str, str]] = []
    sequences: list[list[str]] = []
    capitals: list[str] = []
    owner: dict[str, str] = {}
    for theme in themes:
        for keyword in theme.keywords:
            key = _normalise(keyword)
            if key in owner and owner[key] != theme.name:
                raise ThemeError(f"{THEMES_FILE}: keyword {keyword!r} of {theme.name!r} is "
                                 f"already a keyword of {owner[key]!r}")
            owner[key] = theme.name
            if _is_exact_case(keyword):
                capitals.append(keyword)
                continue
            if keyword.endswith("*"):
                stems.append((key.rstrip("*").strip(), theme.name, keyword))
            else:
                exact[key] = (theme.name, keyword)
            sequences.append(_keyword_tokens(keyword))
    for keyword in capitals:  # matched exactly; looked up by their own spelling
        exact.setdefault(_normalise(keyword), (owner[_normalise(keyword)], keyword))
    stems.sort(key=lambda s: len(s[0]), reverse=True)
    pattern = (re.compile(r"(?<![\w])" + trie_regex(sequences) + r"(?![\w])")
               if sequences else None)
    exact_pattern = (
        re.compile(r"(?<![\w])(?:" + "|".join(re.escape(k.rstrip("*")) for k in
                                              sorted(capitals, key=len, reverse=True))
                   + r")s?(?![\w])")
        if capitals else None
    )
    pattern_nocase = re.compile(pattern.pattern, re.IGNORECASE) if pattern else None
    return ThemeTaxonomy(tuple(themes), pattern, pattern_nocase, exact_pattern, exact,
                         tuple(stems))


def load_themes(reference_dir: Path) -> ThemeTaxonomy:
    """Read `<reference_dir>/themes.toml` and compile it (raises ThemeError if malformed)."""
    path = Path(reference_dir) / THEMES_FILE
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: not valid TOML ({exc})") from exc
    themes: list[Theme] = []
    for entry in data.get("theme", []):
        where = f"{THEMES_FILE}: theme {entry.get('name', '?')!r}"
        for required in ("name", "label", "description"):
            if not isinstance(entry.get(required), str) or not entry[required]:
                raise ThemeError(f"{where}: missing '{required}'")
        keywords = entry.get("keywords", [])
        if not isinstance(keywords, list) or not keywords or \
                not all(isinstance(k, str) and k.strip() for k in keywords):
            raise ThemeError(f"{where}: 'keywords' must be a non-empty list of strings")
        themes.append(Theme(entry["name"], entry["label"], entry["description"],
                            tuple(k.strip() for k in keywords)))
    if not themes:
        raise ThemeError(f"{path}: no [[theme]] entries")
    if len({t.name for t in themes}) != len(themes):
        raise ThemeError(f"{path}: duplicate theme names")
    if len(themes) > MAX_MASK_BITS:
        raise ThemeError(
            f"{path}: {len(themes)} [[theme]] entries, but the dashboard's filters hold at most "
            f"{MAX_MASK_BITS} (one bit each of a mask, etl/marts/10_facet_themes.sql); merge or "
            "remove themes, or widen the masks first")
    return build_taxonomy(themes)


def find_theme_hits(folded: str, index: SentenceIndex, taxonomy: ThemeTaxonomy) -> list[ThemeHit]:
    """One ThemeHit per keyword occurrence, in reading order (longest keyword wins overlaps)."""
    found: list[tuple[int, int, str]] = []  # start, end, surface
    if taxonomy.pattern is not None and taxonomy.pattern_nocase is not None:
        lowered = lowered_or_none(folded)
        matches = (taxonomy.pattern.finditer(lowered) if lowered is not None
                   else taxonomy.pattern_nocase.finditer(folded))
        found += [(m.start(), m.end(), m.group()) for m in matches]
    if taxonomy.exact_pattern is not None:
        found += [(m.start(), m.end(), m.group()) for m in taxonomy.exact_pattern.finditer(folded)]
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    hits: list[ThemeHit] = []
    last_end = -1
    for start, end, surface in found:
        if start < last_end:
            continue
        sentence = index.at(start)
        if sentence is None:
            continue
        resolved = taxonomy.keyword_of(surface)
        if resolved is None and surface.endswith("s"):
            resolved = taxonomy.keyword_of(surface[:-1])
        if resolved is None:
            continue
        last_end = end
        hits.append(ThemeHit(sentence.sentence_no, resolved[0], resolved[1]))
    return hits


# Example sentences kept per article and theme (`theme_examples`): a theme chart cites the few
# sentences matching most of its keywords among its newest articles, and the best few of all
# those articles are always among the best few of each.
EXAMPLES_PER_THEME = 3


def theme_examples(hits: Sequence[ThemeHit]) -> dict[str, list[tuple[int, list[str]]]]:
    """Per theme, its best example sentences in one article: (sentence number, the distinct
    keywords it matched, sorted), those matching most keywords first, then in reading order;
    at most `EXAMPLES_PER_THEME`."""
    keywords: dict[str, dict[int, set[str]]] = {}
    for hit in hits:
        keywords.setdefault(hit.theme, {}).setdefault(hit.sentence_no, set()).add(hit.keyword)
    return {
        theme: [(sentence_no, sorted(found)) for sentence_no, found in sorted(
            by_sentence.items(), key=lambda item: (-len(item[1]), item[0]))[:EXAMPLES_PER_THEME]]
        for theme, by_sentence in keywords.items()
    }


def initiative_theme_sentences(mentions: Sequence[Mention], hits: Sequence[ThemeHit]
                                ) -> list[tuple[str, str, int]]:
    """(initiative, theme, sentences) for every initiative and theme one sentence of an article
    both names and carries: how many of its sentences do. Counted once per article when it is
    extracted, so no build joins every mention with every keyword hit of the warehouse."""
    themes_of: dict[int, set[str]] = {}
    for hit in hits:
        themes_of.setdefault(hit.sentence_no, set()).add(hit.theme)
    named = {(m.sentence_no, m.initiative_id) for m in mentions}
    counts = Counter((initiative, theme) for sentence_no, initiative in named
                     for theme in themes_of.get(sentence_no, ()))
    return sorted((initiative, theme, n) for (initiative, theme), n in counts.items())


def article_theme_scores(hits: Sequence[ThemeHit], word_count: int
                         ) -> list[tuple[str, int, float, int]]:
    """(theme, hits, hits per 1,000 words, rank) per theme with hits, most frequent first.

    Ties keep the order of first appearance in the article; rank 1 is the dominant theme.
    """
    counts: dict[str, int] = {}
    for hit in hits:
        counts[hit.theme] = counts.get(hit.theme, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: -kv[1])
    words = max(word_count, 1)
    return [(theme, n, round(n * 1000.0 / words, 3), rank)
            for rank, (theme, n) in enumerate(ordered, start=1)]

