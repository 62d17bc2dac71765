"""Reading a search query into clauses, and saying what the search did; pure functions.

A query is read into clauses here (quotes, `AND`, `OR`, `NOT`, `-`, `+`, `*`), but never cut
into index terms: the warehouse's `search_tokens` macro does that inside the search statement
(`dashboard.search.rank`), so the query and the index are tokenised by one definition. Reading
never raises: a stray quote is closed, a lone operator ignored, an over-long query cut, and
what was done is said in `SearchQuery.notes`.

Query syntax (docs/search.md has the analyst's version):

| typed | means |
|---|---|
| `biological safety` | sentences with either word, those with both first (BM25) |
| `"biological safety"` | the words next to each other, in this order |
| `+iabs summit`, `iabs AND summit` | `iabs` (both, for AND) must be in the sentence |
| `-weapons`, `NOT weapons` | no sentence with `weapons` |
| `summit*` | words starting with `summit` |
| `OR` | the default; accepted and ignored |
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500  # a longer query is cut here (and the page says so)
MAX_CLAUSES = 60  # each clause is a bit of a 64-bit mask in the search statement
MIN_PREFIX_CHARS = 2  # 'a*' would expand to half the vocabulary

_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»「」″"})
_ITEM = re.compile(r'(?P<sign>[-+−]?)(?:"(?P<phrase>[^"]*)(?P<closed>"?)|(?P<word>[^\s"]+))')
_OPERATORS = {"AND": "AND", "&&": "AND", "OR": "OR", "||": "OR", "NOT": "NOT"}
# A letter or digit in any script (the warehouse splits words on everything else).
WORD_CHAR = r"[^\W_]"

@dataclass(frozen=True)
class Clause:
    """One part of a query: words that are searched together.

    `text` is as typed (a word, or a quoted phrase without its quotes); the warehouse cuts it
    into terms. Several terms in one clause (a phrase, or 'covid-19') must stand next to each
    other in the sentence. `prefix` clauses match every indexed term starting with `text`.
    """

    text: str
    required: bool = False
    negated: bool = False
    prefix: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """A query as the analyst typed it (`text`, cut to MAX_QUERY_CHARS) and as it was read."""

    text: str
    clauses: tuple[Clause, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def is_blank(self) -> bool:
        """True when nothing searchable was typed (no clause that asks for words)."""
        return not any(not c.negated for c in self.clauses)

    def as_parameters(self) -> list[dict[str, object]]:
        """The clauses as the search statement binds them (a list of structs, numbered from 1)."""
        return [{"clause_no": n, "text": c.text, "required": c.required, "negated": c.negated,
                 "prefix": c.prefix} for n, c in enumerate(self.clauses, start=1)]


def parse_query(typed: object) -> SearchQuery:
    """Read what the analyst typed into clauses; never raises, whatever the input.

    Bare words are optional (a sentence needs one of them, more rank higher); `+word`, a word
    next to `AND`, and a quoted phrase are required; `-word` or `NOT word` excludes; `word*`
    is a prefix. Operators count only in capitals (`and` is an ordinary, unindexed word).
    """
    text = typed if isinstance(typed, str) else ""
    notes: list[str] = []
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rstrip()
        notes.append(f"The query was cut to its first {MAX_QUERY_CHARS} characters.")
    items: list[Clause | str] = []  # clauses and operator names, in order
    unclosed = False
    for match in _ITEM.finditer(text.translate(_QUOTES)):
        sign, phrase, word = match["sign"], match["phrase"], match["word"]
        if phrase is not None:
            unclosed = unclosed or not match["closed"]
            if phrase.strip():
                negated = sign in ("-", "−")
                items.append(Clause(phrase.strip(), required=not negated, negated=negated,
                                    quoted=True))
            continue
        if not sign and word in _OPERATORS:
            items.append(_OPERATORS[word])
            continue
        if not word:
            continue
        prefix = word.endswith("*")
        body = word.rstrip("*")
        if prefix and len(_letters(body)) < MIN_PREFIX_CHARS:
            if _letters(body):
                notes.append(f"“{word}” was ignored: a prefix needs at least "
                             f"{MIN_PREFIX_CHARS} letters.")
            continue
        if not _letters(body):
            continue  # punctuation only: '-', '*', '&'
        items.append(Clause(body, required=sign == "+", negated=sign in ("-", "−"),
                            prefix=prefix))
    if unclosed:
        notes.append("A quotation mark was not closed; the phrase runs to the end of the query.")
    clauses = _apply_operators(items)
    if len(clauses) > MAX_CLAUSES:
        clauses = clauses[:MAX_CLAUSES]
        notes.append(f"Only the first {MAX_CLAUSES} words and phrases were searched.")
    return SearchQuery(text=text, clauses=clauses, notes=tuple(notes))


def _letters(text: str) -> str:
    return "".join(re.findall(WORD_CHAR, text))


def _apply_operators(items: Sequence[Clause | str]) -> tuple[Clause, ...]:
    """Resolve AND (both neighbours required), NOT (the next clause excluded) and OR (no-op)."""
    clauses: list[Clause] = []
    pending_and = pending_not = False
    for item in items:
        if isinstance(item, str):
            if item == "AND" and clauses:
                clauses[-1] = _with(clauses[-1], required=not clauses[-1].negated)
                pending_and = True
            elif item == "NOT":
                pending_not = True
            continue
        clause = item
        if pending_not:
            clause = _with(clause, negated=True, required=False)
        elif pending_and and not clause.negated:
            clause = _with(clause, required=True)
        clauses.append(clause)
        pending_and = pending_not = False
    return tuple(dict.fromkeys(clauses))  # the same clause twice counts once


def _with(clause: Clause, **changes: bool) -> Clause:
    values = {"text": clause.text, "required": clause.required, "negated": clause.negated,
              "prefix": clause.prefix, "quoted": clause.quoted, **changes}
    return Clause(**values)  # type: ignore[arg-type]


# --- what the search did ----------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseReading:
    """How the warehouse read one clause: its index terms and in how many sentences each is."""

    clause: Clause
    terms: tuple[str, ...]
    sentences: tuple[int, ...]


def blank_query_message(query: SearchQuery) -> str:
    """What to tell the analyst when a query has nothing to search for (before any lookup)."""
    if query.clauses:  # only exclusions
        return ("Add a word to search for: a query of exclusions only (-word, NOT word) would "
                "match almost every sentence.")
    if query.text:
        return ("Nothing to search for in “" + query.text + "”: type a word or a quoted phrase "
                "(operators and punctuation alone search nothing).")
    return ("Type a word, a name or a quoted phrase, e.g. biological safety, \"Astana "
            "Process\" or summit*.")


def unsearchable_message(query: SearchQuery, readings: Sequence[ClauseReading]) -> str | None:
    """Why a query cannot find anything, or None when it has terms to look up.

    A query of common words only ('the of and') has no index terms: those words are not
    indexed, because nearly every sentence has them.
    """
    positive = [r for r in readings if not r.clause.negated]
    if any(r.terms for r in positive):
        return None
    words = ", ".join(f"“{r.clause.text}”" for r in positive) or f"“{query.text}”"
    if any(r.clause.prefix for r in positive):
        return (f"No indexed word starts with {words}. Try a shorter prefix or the whole word.")
    return (f"Only very common words ({words}): they are not indexed because almost every "
            "sentence has them. Add a more specific word, such as a name or a topic.")


def reading_summary(readings: Iterable[ClauseReading], max_terms: int = 6) -> str:
    """One line on what was searched: 'biological (4 sentences) · "astana process" · -weapon'."""
    parts = []
    for r in readings:
        if not r.terms:
            continue
        if r.clause.prefix:
            shown = ", ".join(r.terms[:max_terms]) + (" …" if len(r.terms) > max_terms else "")
            part = f"{r.clause.text}* ({shown})"
        elif len(r.terms) > 1:
            part = "“" + " ".join(r.terms) + "”"
        else:
            noun = "sentence" if r.sentences[0] == 1 else "sentences"
            part = f"{r.terms[0]} ({r.sentences[0]} {noun})"
        if r.clause.negated:
            part = "not " + part
        elif r.clause.required:
            part = "must have " + part
        parts.append(part)
    return " · ".join(parts)
