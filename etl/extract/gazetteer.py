"""Load the initiative gazetteer (`initiatives.toml`) and compile its matching patterns once.

The gazetteer is data an analyst extends: each entry gives an id, a canonical name, aliases (with
a small `{a|b|}` alternation syntax), case-sensitive acronyms, descriptive aliases that only count
when a context word is in the same sentence, and the common nouns ('forum', 'bank') a later
back-reference may use. Entries under `[[not_initiative]]` are organisations and venues that
look like initiatives (CIS, Munich Security Conference, Biological Weapons Convention): they are
matched too, so they take their words away from the initiatives and block back-references, but
they never produce rows.

Matching is case-insensitive for names and exact for acronyms; spaces and hyphens are
interchangeable ('Confidence-Building' = 'Confidence Building'), quotes and apostrophes are
folded ('Europe’s' = "Europe's"), and common British/American spellings are equivalent
('Organisation'/'Organization', 'Programme'/'Program', 'Neighbourhood'/'Neighborhood').
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .text import fold

GAZETTEER_FILE = "initiatives.toml"

# What an entry is; drives which events and figures it can carry (see events.py, membership.py).
KINDS = frozenset(
    {"organisation", "forum", "meeting", "process", "document", "programme", "route", "zone",
     "policy", "membership", "proposal", "cooperation", "venue"}
)
# Kinds whose editions are 'held' (used when a dated mention has no event verb of its own).
MEETING_KINDS = frozenset({"forum", "meeting", "process"})
# Kinds that have member states, observers and partners.
MEMBERSHIP_KINDS = frozenset({"organisation", "forum", "document", "zone", "proposal"})


class GazetteerError(ValueError):
    """The gazetteer file is malformed (the message names the entry and the problem)."""


@dataclass(frozen=True)
class Initiative:
    """One gazetteer entry (an initiative, or a look-alike listed under `not_initiative`)."""

    id: str
    name: str
    category: str
    description: str
    kind: str
    acronym: str | None = None
    aliases: tuple[str, ...] = ()  # every literal surface form (expanded), the name first
    acronyms: tuple[str, ...] = ()  # case-sensitive whole-token forms
    context_aliases: tuple[str, ...] = ()  # count only with a `context` word in the sentence
    context: tuple[str, ...] = ()
    nouns: tuple[str, ...] = ()  # common nouns a back-reference may use ('the forum')
    is_initiative: bool = True
    note: str = ""


@dataclass
class Gazetteer:
    """All entries plus the compiled patterns used by `mentions.find_mentions`."""

    initiatives: tuple[Initiative, ...]
    non_initiatives: tuple[Initiative, ...]
    by_id: dict[str, Initiative]
    name_pattern: re.Pattern[str]  # lower-case source, run on lower-cased folded text
    name_pattern_nocase: re.Pattern[str]
    acronym_pattern: re.Pattern[str] | None
    # alias key -> [(entry id, context pattern or None)], context-bound candidates first
    alias_index: dict[str, list[tuple[str, re.Pattern[str] | None]]]
    acronym_index: dict[str, str]
    backref_pattern: re.Pattern[str] | None
    noun_entries: dict[str, frozenset[str]] = field(default_factory=dict)  # noun -> entry ids

    def get(self, entry_id: str) -> Initiative | None:
        """The entry with this id (initiative or not), or None."""
        return self.by_id.get(entry_id)


# --- alias spelling -------------------------------------------------------------------------

_QUALIFIER = re.compile(r"\([^()]*\)")
_ALTERNATION = re.compile(r"\{([^{}]*)\}")
_SEPARATORS = re.compile(r"[\s\-]+")
# canonical spelling -> pattern accepting the variants (applied to canonical lower-case words)
_SPELLING_PATTERNS = (
    ("organisation", "organi[sz]ation"),
    ("programme", "program(?:me)?"),
    ("neighbourhood", "neighbou?rhood"),
    ("catalogue", "catalog(?:ue)?"),
    ("centre", "cent(?:re|er)"),
    ("cooperation", "co-?operation"),
    ("defence", "defen[cs]e"),
    ("specialised", "speciali[sz]ed"),
)
_CANONICAL_SUBS = (
    (re.compile(r"organiz"), "organis"),
    (re.compile(r"\bprogram\b"), "programme"),
    (re.compile(r"\bprograms\b"), "programmes"),
    (re.compile(r"neighborhood"), "neighbourhood"),
    (re.compile(r"\bcatalog\b"), "catalogue"),
    (re.compile(r"\bcenter"), "centre"),
    (re.compile(r"\bco operation"), "cooperation"),
    (re.compile(r"\bdefense"), "defence"),
    (re.compile(r"specializ"), "specialis"),
)


def expand_alias(alias: str) -> list[str]:
    """All literal forms of an alias written with `{a|b|}` alternations (empty = optional)."""
    match = _ALTERNATION.search(alias)
    if not match:
        return [" ".join(alias.split())]
    head, tail = alias[: match.start()], alias[match.end():]
    forms: list[str] = []
    for option in match.group(1).split("|"):
        forms.extend(expand_alias(head + option + tail))
    return list(dict.fromkeys(f for f in forms if f))


def alias_key(surface: str) -> str:
    """Comparison key of a surface form: folded, lower-case, one spelling, single spaces."""
    key = _SEPARATORS.sub(" ", fold(surface).lower().replace('"', "")).strip()
    for pattern, repl in _CANONICAL_SUBS:
        key = pattern.sub(repl, key)
    return key


def alias_regex(alias: str) -> str:
    """Regex source matching one literal alias with flexible spacing, hyphens and spellings."""
    words = alias_key(alias).split(" ")
    pieces = []
    for word in words:
        piece = re.escape(word)
        for canonical, variant in _SPELLING_PATTERNS:
            piece = piece.replace(canonical, variant)
        pieces.append(piece)
    return r"[\s\-]+".join(pieces)


def trie_regex(sequences: list[list[str]]) -> str:
    """One regex matching any of the token sequences, prefixes shared (longest match first).

    Tokens are regex sources (one per word); sequences sharing leading tokens share one branch,
    and the branches of a node are grouped by their first letter, so the regex engine tries only
    the few branches that can start with the letter at hand (this is what keeps a few hundred
    aliases or keywords fast).
    """
    trie: dict[str, dict] = {}
    end = ""  # marker key: a sequence ends here
    for seq in sequences:
        node = trie
        for token in seq:
            node = node.setdefault(token, {})
        node[end] = {}

    def branch(token: str, child: dict[str, dict]) -> str:
        if end in child and len(child) > 1:
            return token + r"(?:[\s\-]+" + emit(child) + ")?"
        if end in child:
            return token
        return token + r"[\s\-]+" + emit(child)

    def emit(node: dict[str, dict]) -> str:
        groups: dict[str, list[str]] = {}
        for token, child in sorted(node.items()):
            if token == end:
                continue
            first = token[0] if token[0].isalnum() else ""
            groups.setdefault(first, []).append(branch(token, child))
        alternatives = []
        for first, branches in groups.items():
            if not first or len(branches) == 1:
                alternatives.extend(branches)
            else:
                alternatives.append(first + "(?:" + "|".join(b[1:] for b in branches) + ")")
        return alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"

    return emit(trie)


# --- loading --------------------------------------------------------------------------------


def _strings(entry: dict[str, object], key: str, where: str) -> tuple[str, ...]:
    """A list-of-strings field of an entry (empty when absent), checked."""
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise GazetteerError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _parse_entry(entry: dict[str, object], is_initiative: bool) -> Initiative:
    """One [[initiative]] / [[not_initiative]] table -> Initiative, checked."""
    where = f"{GAZETTEER_FILE}: entry {entry.get('id', '?')!r}"
    for required in ("id", "name"):
        if not isinstance(entry.get(required), str) or not entry[required]:
            raise GazetteerError(f"{where}: missing '{required}'")
    kind = str(entry.get("kind", "venue" if not is_initiative else "organisation"))
    if kind not in KINDS:
        raise GazetteerError(f"{where}: unknown kind {kind!r} (one of {sorted(KINDS)})")
    if is_initiative:
        for required in ("category", "description"):
            if not isinstance(entry.get(required), str) or not entry[required]:
                raise GazetteerError(f"{where}: missing '{required}'")
    acronym = entry.get("acronym")
    if acronym is not None and not isinstance(acronym, str):
        raise GazetteerError(f"{where}: 'acronym' must be a string")
    acronyms = tuple(dict.fromkeys(([acronym] if acronym else []) +
                                   list(_strings(entry, "acronyms", where))))
    # the name is an alias too, without a parenthesised qualifier: 'EXPO 2017 (Astana)'
    aliases = [" ".join(_QUALIFIER.sub(" ", str(entry["name"])).split())]
    for alias in _strings(entry, "aliases", where):
        aliases.extend(expand_alias(alias))
    context_aliases: list[str] = []
    for alias in _strings(entry, "context_aliases", where):
        context_aliases.extend(expand_alias(alias))
    context = _strings(entry, "context", where)
    if context_aliases and not context:
        raise GazetteerError(f"{where}: 'context_aliases' need a 'context' list")
    return Initiative(
        id=str(entry["id"]),
        name=str(entry["name"]),
        category=str(entry.get("category", "not an initiative")),
        description=str(entry.get("description", entry.get("note", ""))),
        kind=kind,
        acronym=acronym or None,
        aliases=tuple(dict.fromkeys(aliases)),
        acronyms=acronyms,
        context_aliases=tuple(dict.fromkeys(context_aliases)),
        context=context,
        nouns=tuple(n.lower() for n in _strings(entry, "nouns", where)),
        is_initiative=is_initiative,
        note=str(entry.get("note", "")),
    )


def build_gazetteer(entries: list[Initiative]) -> Gazetteer:
    """Index the entries and compile one name pattern, one acronym pattern, one noun pattern."""
    by_id: dict[str, Initiative] = {}
    alias_index: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
    acronym_index: dict[str, str] = {}
    unconditional_owner: dict[str, str] = {}
    sequences: list[list[str]] = []
    for entry in entries:
        if entry.id in by_id:
            raise GazetteerError(f"{GAZETTEER_FILE}: duplicate id {entry.id!r}")
        by_id[entry.id] = entry
        context_re = (re.compile(r"(?<!\w)(?:" + "|".join(alias_regex(c) for c in entry.context)
                                 + ")", re.IGNORECASE) if entry.context else None)
        for alias, ctx in itertools.chain(((a, None) for a in entry.aliases),
                                          ((a, context_re) for a in entry.context_aliases)):
            key = alias_key(alias)
            if not key:
                continue
            if ctx is None:
                owner = unconditional_owner.get(key)
                if owner is not None and owner != entry.id:
                    raise GazetteerError(
                        f"{GAZETTEER_FILE}: alias {alias!r} of {entry.id!r} is already an alias "
                        f"of {owner!r}")
                unconditional_owner[key] = entry.id
            candidates = alias_index.setdefault(key, [])
            if (entry.id, ctx) not in candidates:
                candidates.append((entry.id, ctx))
                sequences.append([alias_regex(w) for w in key.split(" ")])
        for acronym in entry.acronyms:
            owner = acronym_index.get(acronym)
            if owner is not None and owner != entry.id:
                raise GazetteerError(
                    f"{GAZETTEER_FILE}: acronym {acronym!r} of {entry.id!r} is already used by "
                    f"{owner!r}")
            acronym_index[acronym] = entry.id
    for candidates in alias_index.values():
        candidates.sort(key=lambda c: c[1] is None)  # context-bound readings are tried first
    unique_sequences = list({tuple(s): s for s in sequences}.values())
    # Names are matched against lower-cased text (much faster than re.IGNORECASE); the
    # case-insensitive twin is for the rare text whose lower-casing changes its length.
    name_source = r"(?<![\w])" + trie_regex(unique_sequences) + r"(?![\w])"
    name_pattern = re.compile(name_source)
    name_pattern_nocase = re.compile(name_source, re.IGNORECASE)
    acronym_pattern = (
        re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in
                                              sorted(acronym_index, key=len, reverse=True))
                   + r")(?![\w])")
        if acronym_index else None
    )
    noun_entries: dict[str, set[str]] = {}
    for entry in entries:
        for noun in entry.nouns:
            noun_entries.setdefault(noun, set()).add(entry.id)
    backref_pattern = None
    if noun_entries:
        nouns = "|".join(re.escape(n) for n in sorted(noun_entries, key=len, reverse=True))
        # 'the forum', 'this congress', 'The Bank', 'the just concluded inaugural forum', 'the
        # seventh summit to be convened'; not 'the initiative of Kazakhstan', 'the proposal to
        # establish' or 'the programme on strategic commodities' (those name something new),
        # not plurals, and not words inside a capitalised name.
        # Modifiers may be capitalised ('the Astana summit', 'the previous, sixth Congress');
        # mentions.py then wants the noun itself in lower case, so a capitalised name that is
        # not in the gazetteer ('the Islamic Development Bank') is no back-reference.
        backref_pattern = re.compile(
            r"\b(?:[Tt]h(?:e|is|at)|THE|THIS)\s+"
            r"(?P<mods>(?:(?!(?i:the|a|an|this|that|these|those|of|and|or|in|on|to|for|with|by|at|"
            r"from|its|their|his|her|our|is|was|are|were)\b)[A-Za-z][a-z\-]*,?\s+){0,3}?)"
            rf"(?P<noun>(?i:{nouns}))(?![\w\-])(?!\s+(?:of|on|about|against|for)\b)"
            r"(?!\s+to\b(?!\s+be\b))"
        )
    return Gazetteer(
        initiatives=tuple(e for e in entries if e.is_initiative),
        non_initiatives=tuple(e for e in entries if not e.is_initiative),
        by_id=by_id,
        name_pattern=name_pattern,
        name_pattern_nocase=name_pattern_nocase,
        acronym_pattern=acronym_pattern,
        alias_index=alias_index,
        acronym_index=acronym_index,
        backref_pattern=backref_pattern,
        noun_entries={k: frozenset(v) for k, v in noun_entries.items()},
    )


def load_gazetteer(reference_dir: Path) -> Gazetteer:
    """Read `<reference_dir>/initiatives.toml` and compile it (raises GazetteerError if bad)."""
    path = Path(reference_dir) / GAZETTEER_FILE
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise GazetteerError(f"{path}: not valid TOML ({exc})") from exc
    entries = [_parse_entry(e, True) for e in data.get("initiative", [])]
    entries += [_parse_entry(e, False) for e in data.get("not_initiative", [])]
    if not entries:
        raise GazetteerError(f"{path}: no [[initiative]] entries")
    return build_gazetteer(entries)
