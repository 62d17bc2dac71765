"""Who wrote the article: byline lines ('By Jane Doe') and author bios ('X is a lecturer at
...'), read as one to four personal names."""

from __future__ import annotations

import re

from etl.normalize.lines import WORD, word_count, word_set

_BYLINE = re.compile(r"(?:by|written by|author|words by)\s*:?\s+(?P<name>.+)", re.IGNORECASE)
# what may follow the name on a byline line: ' | June 8, 2023', ' - Reuters', ' • 5 min read'
_BYLINE_TAIL = re.compile(r"\s+[|•·–—-]\s+")
_LOOSE_BYLINE_MAX_WORDS = 15
_NAME_TOKEN = re.compile(r"(?:[^\W\d_][\w'’.\-]*|de|da|di|van|von|der|den|del|la|le|al|el|bin|ibn)")
_NAME_PARTICLES = word_set("de da di van von der den del la le al el bin ibn")
_BIO_VERB = r"(?:is|was|has been|serves as|works as|is currently|is now|is also)"
_BIO = re.compile(
    r"[*_—–\-\s]*(?:about the authors?\s*:?\s*)?"
    r"(?P<name>[^\W\d_][\w'’.\-]*(?:\s+[\w'’.\-]+){1,4}?),?\s+" + _BIO_VERB + r"\s+"
    r"(?P<role>.{0,120})",
    re.DOTALL | re.IGNORECASE,
)
_ROLE_WORDS = word_set(
    """lecturer professor academic researcher research fellow journalist analyst writer author
    editor correspondent contributor columnist student scholar expert consultant director
    founder co-founder economist historian scientist diplomat freelance freelancer phd
    doctoral candidate retired commentator reporter specialist adviser advisor lawyer attorney
    teacher practitioner entrepreneur blogger observer associate assistant visiting emeritus
    graduate alumnus alumna postdoctoral post-doctoral intern member lead senior
    editor-in-chief co-author"""
)
_ROLE_WINDOW = 8


def parse_byline(line: str, strict: bool = True) -> str | None:
    """'By R. Ravichandran' -> 'R. Ravichandran'; None when the line is not a byline.

    strict=False also accepts names followed by other words ('By Jane Doe in Nation on ...'),
    keeping only the names.
    """
    match = _BYLINE.fullmatch(line)
    if match is None:
        return None
    rest = _BYLINE_TAIL.split(match.group("name"), maxsplit=1)[0].strip(" ,;|")
    if _looks_like_names(rest):
        return rest
    if strict or word_count(line) > _LOOSE_BYLINE_MAX_WORDS:
        return None
    names = _leading_names(rest)
    return names if names and _looks_like_names(names) else None


def _leading_names(text: str) -> str:
    """The run of name-like words at the start of `text` ('Jane Doe in Nation' -> 'Jane Doe')."""
    taken: list[str] = []
    for token in text.split():
        bare = token.rstrip(",")
        if bare in ("and", "&") or (_NAME_TOKEN.fullmatch(bare) and bare[:1].isupper()):
            taken.append(token)
            if bare != token:
                break
        elif bare in _NAME_PARTICLES:
            taken.append(token)
        else:
            break
    while taken and taken[-1].rstrip(",") in ("and", "&", *_NAME_PARTICLES):
        taken.pop()
    return " ".join(taken).rstrip(",")


def _looks_like_names(text: str) -> bool:
    """One or a few personal names ('R. Ravichandran', 'Jane Doe and John Roe, Reuters')."""
    parts = [part.strip() for part in re.split(r",|\band\b|&", text) if part.strip()]
    return 0 < len(parts) <= 4 and all(_is_name(part) for part in parts)


def _is_name(text: str) -> bool:
    """1-5 capitalised words (particles such as 'de', 'van' allowed), e.g. 'Pierre-Olivier X'."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5 or not tokens[0][:1].isupper():
        return False
    return all(
        _NAME_TOKEN.fullmatch(token) and (token[0].isupper() or token in _NAME_PARTICLES)
        for token in tokens
    )


def parse_bio(line: str) -> str | None:
    """The person's name when `line` is an author bio ('X is a lecturer at ...'), else None."""
    match = _BIO.match(line)
    if match is None or not _is_name(match.group("name")):
        return None
    role_words = {word.casefold() for word in WORD.findall(match.group("role"))[:_ROLE_WINDOW]}
    return match.group("name") if role_words & _ROLE_WORDS else None
