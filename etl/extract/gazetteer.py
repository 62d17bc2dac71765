"""Load the initiative gazetteer (`initiatives.toml`) and compile its matching patterns once.

The gazetteer is data an analyst extends: each entry gives an id, a canonical name, aliases (with
a small `{a|b|}` alternation syntax), case-sensitive acronyms, descriptive aliases that only count
when a context word is in the same sentence, and the common nouns ('forum', 'bank') a later
back-reference may use. Entries under `[[not_initiative]]` are organisations and venues that
look like initiatives (CIS, Munich Security Conference, Biological Weapons Convention): they are
matched too, so they take their words away from the initiatives and block back-references, but
they never produce rows.

Names are matched tolerantly by design, so that aliases need not list every spelling:

* case-insensitive; spaces and hyphens interchangeable ('Confidence-Building'), quotes and
  apostrophes folded ('Europe's'), plurals folded ('Consultative Meetings' = 'Meeting');
* the file's `[names]` table (data, not code) gives interchangeable words and phrases
  ('Organisation'/'Organization', 'Biological Safety'/'Biosafety'/'Biological Security'),
  linking prepositions that may replace each other ('Conference of' = 'Conference on') and
  determiners that may be left out after them ('Congress of the Leaders' = 'of Leaders');
* short 'X of the Y' names also match as 'Y X' ('Summit of the SCO' = 'SCO Summit'), and an
  acronym-led name 'Y X' as 'X of the Y';
* `Gazetteer.match_full_name` finds the entry a full name written in the text stands for when
  it differs from an alias only in a generic institutional noun ('... Association' for '...
  Organisation'); mentions.py uses it for in-text acronym definitions.

Acronyms are matched exactly, as whole tokens.
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.marts import MAX_MASK_BITS

from .text import first_letter_alternation, fold

GAZETTEER_FILE = "initiatives.toml"

# What an entry is; drives which events and figures it can carry (see events.py, membership.py).
KINDS = frozenset(
    {"organisation", "forum", "meeting", "process", "document", "programme", "route", "zone",
     "policy", "membership", "chairmanship", "proposal", "cooperation", "venue"}
)
# Kinds whose editions are 'held' (used when a dated mention has no event verb of its own).
MEETING_KINDS = frozenset({"forum", "meeting", "process"})
# Kinds that are a term in a chair (a dated mention, 'held', 'began' or 'ended' is the term).
CHAIR_KINDS = frozenset({"chairmanship"})
# Kinds that have member states, observers and partners.
MEMBERSHIP_KINDS = frozenset({"organisation", "forum", "document", "zone", "proposal"})
# most surfaces whose keys a gazetteer remembers (a bound on memory over a large corpus)
_KEY_CACHE_SIZE = 50_000


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
    # a chairmanship: the organisation it chairs and the years of its term (first, last)
    chair_of: str | None = None
    term: tuple[int, int] | None = None


@dataclass
class Gazetteer:
    """All entries plus the compiled patterns used by `mentions.find_mentions`."""

    initiatives: tuple[Initiative, ...]
    non_initiatives: tuple[Initiative, ...]
    by_id: dict[str, Initiative]
    name_pattern: re.Pattern[str]  # lower-case source, run on lower-cased folded text
    acronym_pattern: re.Pattern[str] | None
    # alias key -> [(entry id, context pattern or None)], context-bound candidates first
    alias_index: dict[str, list[tuple[str, re.Pattern[str] | None]]]
    acronym_index: dict[str, str]
    backref_pattern: re.Pattern[str] | None
    noun_entries: dict[str, frozenset[str]] = field(default_factory=dict)  # noun -> entry ids
    names: NameVariants = field(default_factory=lambda: NO_VARIANTS)
    # content words of every unconditional alias, with its entry (for in-text full names)
    full_names: tuple[tuple[frozenset[str], str], ...] = ()
    # surface -> alias key: the same few names recur in every article, and keying one walks
    # the synonym table word by word
    _key_cache: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @functools.cached_property
    def name_pattern_nocase(self) -> re.Pattern[str]:
        """`name_pattern` ignoring case, for the rare text whose lower-casing changes its
        length. Compiled on first use: compiling it costs about as much as `name_pattern`
        (about 0.12 s), which every process that loads the gazetteer would otherwise pay."""
        return re.compile(self.name_pattern.pattern, re.IGNORECASE)

    def chairmanship(self, organisation_id: str, year: int) -> Initiative | None:
        """The chairmanship entry of an organisation whose term covers the year, if any."""
        for entry in self.initiatives:
            if entry.chair_of == organisation_id and entry.term and \
                    entry.term[0] <= year <= entry.term[1]:
                return entry
        return None

    def get(self, entry_id: str) -> Initiative | None:
        """The entry with this id (initiative or not), or None."""
        return self.by_id.get(entry_id)

    def alias_key(self, surface: str) -> str:
        """The comparison key of a matched surface under this gazetteer's name rules."""
        key = self._key_cache.get(surface)
        if key is None:
            if len(self._key_cache) >= _KEY_CACHE_SIZE:
                self._key_cache.clear()
            key = self._key_cache[surface] = self.names.key(surface)
        return key

    def match_full_name(self, phrase: str) -> str | None:
        """The entry a full name written in the text stands for, or None when unsure.

        The phrase matches an alias when they share at least two content words, one of them
        not generic, and differ at most in one generic institutional noun on each side
        ('Islamic Food Security Association' for 'Islamic Organisation for Food Security'). A
        phrase without any generic noun names no institution ('low enriched uranium') and
        never matches. Two entries matching equally well is no match.
        """
        words = self.names.content_words(phrase)
        generic = self.names.generic_words
        if len(words) < 2 or not words & generic:
            return None
        best: dict[str, int] = {}
        for alias_words, entry_id in self.full_names:
            shared = words & alias_words
            if len(shared) < 2 or not shared - generic:
                continue
            extra, missing = words - alias_words, alias_words - words
            if len(extra) > 1 or len(missing) > 1 or not (extra | missing) <= generic:
                continue
            best[entry_id] = max(best.get(entry_id, 0), len(shared))
        if not best:
            return None
        top = max(best.values())
        winners = [e for e, n in best.items() if n == top]
        return winners[0] if len(winners) == 1 else None


# --- alias spelling -------------------------------------------------------------------------

_QUALIFIER = re.compile(r"\([^()]*\)")
_ALTERNATION = re.compile(r"\{([^{}]*)\}")
_SEPARATORS = re.compile(r"[\s\-]+")
_SEP = r"[\s\-]+"
# a word that may take a plural ending: letters only, longer than three
_PLURALISABLE = re.compile(r"[a-z]{4,}")
# Words that may not be moved when a name is reordered around 'of' ('Summit of the SCO' ->
# 'SCO Summit'), nor count as content when an in-text full name is compared with an alias.
_LINKING = frozenset({"of", "on", "for", "in", "at", "to", "with", "against", "and", "&", "the",
                      "a", "an", "by", "from", "between", "among"})


def singular(word: str) -> str:
    """A lower-case word without a plural ending ('meetings' -> 'meeting', 'bodies' -> 'body')."""
    if not _PLURALISABLE.fullmatch(word):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")) or not word.endswith("s"):
        return word
    return word[:-1]


def _word_regex(word: str) -> str:
    """Regex of one singular lower-case word that also accepts its plural."""
    if not _PLURALISABLE.fullmatch(word):
        return re.escape(word)
    if word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "(?:y|ies)"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "(?:es)?"
    return word + "s?"


def _common_prefix(options: list[str]) -> str:
    """The longest plain-letter prefix all the options share."""
    prefix = ""
    for chars in zip(*options, strict=False):
        if len(set(chars)) != 1 or not chars[0].isalpha():
            break
        prefix += chars[0]
    return prefix


def _alternation(options: list[str]) -> str:
    """One regex for several, led by their shared letters ('organi(?:sation|zation)'), so the
    trie regex can still pick its branch by the first letter."""
    options = sorted(dict.fromkeys(options), key=len, reverse=True)
    if len(options) == 1:
        return options[0]
    prefix = _common_prefix(options)
    while prefix and any(o[len(prefix):len(prefix) + 1] in ("?", "*", "+", "{") for o in options):
        prefix = prefix[:-1]  # never split a letter from its quantifier
    rest = [o[len(prefix):] for o in options]
    body = "(?:" + "|".join(r for r in rest if r) + ")" + ("?" if "" in rest else "")
    return prefix + body


def _words(surface: str) -> list[str]:
    """Lower-case words of a surface form: folded, quotes dropped, split at spaces and hyphens."""
    return [w for w in _SEPARATORS.split(fold(surface).lower().replace('"', "")) if w]


@dataclass(frozen=True)
class NameVariants:
    """How names vary, from the gazetteer's `[names]` table: what counts as the same name.

    `forms` maps each written form of a synonym (its singular words run together: 'biosafety',
    'biologicalsafety', 'cooperation' for 'co-operation') to the group's canonical key;
    `form_regex` gives, per canonical key, the regex accepting every form.
    """

    forms: dict[str, str] = field(default_factory=dict)
    form_regex: dict[str, str] = field(default_factory=dict)
    longest_form: int = 1  # words in the longest form
    prepositions: tuple[str, ...] = ()  # interchangeable; the first is the canonical one
    determiners: tuple[str, ...] = ()  # optional right after one of the prepositions
    generic_words: frozenset[str] = frozenset()  # institutional nouns ('organisation', 'agency')

    @classmethod
    def from_table(cls, table: object, where: str) -> NameVariants:
        """Read the `[names]` table (synonyms, prepositions, determiners, generic_words)."""
        if not isinstance(table, dict):
            raise GazetteerError(f"{where}: [names] must be a table")
        groups = table.get("synonyms", [])
        if not isinstance(groups, list) or not all(
                isinstance(g, list) and len(g) >= 2 and all(isinstance(w, str) for w in g)
                for g in groups):
            raise GazetteerError(
                f"{where}: [names] 'synonyms' must be a list of lists of two or more strings")
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("prepositions", "determiners", "generic_words"):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise GazetteerError(f"{where}: [names] '{key}' must be a list of strings")
            lists[key] = tuple(v.lower() for v in value)
        forms: dict[str, str] = {}
        form_regex: dict[str, str] = {}
        longest = 1
        for group in groups:
            written = [[singular(w) for w in _words(form)] for form in group]
            canonical = " ".join(written[0])
            for words in written:
                joined = "".join(words)
                if forms.get(joined, canonical) != canonical:
                    raise GazetteerError(
                        f"{where}: [names] synonym {' '.join(words)!r} is in two groups")
                forms[joined] = canonical
                longest = max(longest, len(words))
            form_regex[canonical] = _alternation(
                [_SEP.join(_word_regex(w) for w in words) for words in written])
        return cls(forms=forms, form_regex=form_regex, longest_form=longest,
                   prepositions=lists["prepositions"], determiners=lists["determiners"],
                   generic_words=frozenset(singular(w) for w in lists["generic_words"]))

    def units(self, surface: str) -> list[tuple[str, str]]:
        """A name as (key, regex) units: synonyms and prepositions folded, determiners dropped.

        Determiners are dropped only right after an interchangeable preposition, whose regex
        accepts them ('of the'); elsewhere they are words like any other.
        """
        words = [singular(w) for w in _words(surface)]
        preposition_regex = ""
        if self.prepositions:
            preposition_regex = _alternation(list(self.prepositions))
            if self.determiners:
                preposition_regex += "(?:" + _SEP + _alternation(list(self.determiners)) + ")?"
        units: list[tuple[str, str]] = []
        i, after_preposition = 0, False
        while i < len(words):
            for j in range(min(len(words), i + self.longest_form), i, -1):
                canonical = self.forms.get("".join(words[i:j]))
                if canonical is not None:
                    units.append((canonical, self.form_regex[canonical]))
                    i, after_preposition = j, False
                    break
            else:
                word = words[i]
                i += 1
                if after_preposition and word in self.determiners:
                    after_preposition = False
                    continue
                after_preposition = word in self.prepositions
                if after_preposition:
                    units.append((self.prepositions[0], preposition_regex))
                else:
                    units.append((word, _word_regex(word)))
        return units

    def key(self, surface: str) -> str:
        """Comparison key of a surface form: the canonical words of its units."""
        return " ".join(k for k, _ in self.units(surface))

    def sequence(self, alias: str) -> list[str]:
        """The regex tokens of an alias, one per unit, for `trie_regex`."""
        return [r for _, r in self.units(alias)]

    def content_words(self, phrase: str) -> frozenset[str]:
        """The words of a name that carry its meaning (no prepositions, determiners, 'and')."""
        skip = _LINKING | set(self.prepositions) | set(self.determiners)
        return frozenset(k for k, _ in self.units(phrase) if k not in skip)


NO_VARIANTS: NameVariants = NameVariants()


def word_order_variants(alias: str) -> list[str]:
    """Other word orders of a short name that mean the same: 'Summit of the SCO' <-> 'SCO Summit'.

    'X of (the) Y' with a one-word X and one to three plain words Y also reads 'Y X'; a name
    whose words but the last are acronyms ('OSCE Chairmanship') also reads 'Chairmanship of
    the OSCE'.
    """
    words = alias.split()
    variants: list[str] = []
    if len(words) >= 3 and words[1].lower() == "of" and words[0].isalpha():
        rest = words[3:] if words[2].lower() in ("the", "a", "an") else words[2:]
        if 1 <= len(rest) <= 3 and not any(w.lower() in _LINKING for w in rest):
            variants.append(" ".join([*rest, words[0]]))
    if (len(words) >= 2 and words[-1].isalpha()
            and all(len(w) >= 2 and w.isupper() and w.isalnum() for w in words[:-1])):
        variants.append(" ".join([words[-1], "of the", *words[:-1]]))
    return variants


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


def alias_key(surface: str, names: NameVariants | None = None) -> str:
    """Comparison key of a surface form: folded, lower-case, singular, single spaces.

    With a gazetteer's name rules (`Gazetteer.alias_key`) synonyms and prepositions are folded
    as well.
    """
    return (names or NO_VARIANTS).key(surface)


def alias_regex(alias: str, names: NameVariants | None = None) -> str:
    """Regex source matching one literal alias with flexible spacing, hyphens and spellings."""
    return _SEP.join((names or NO_VARIANTS).sequence(alias))


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
    chair_of, term = _chair_fields(entry, kind, where)
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
        chair_of=chair_of,
        term=term,
    )


def _chair_fields(entry: dict[str, object], kind: str, where: str
                  ) -> tuple[str | None, tuple[int, int] | None]:
    """`chair_of` and `term` of a chairmanship entry (both or neither), checked."""
    chair_of, term = entry.get("chair_of"), entry.get("term")
    if chair_of is None and term is None:
        return None, None
    if kind not in CHAIR_KINDS:
        raise GazetteerError(f"{where}: 'chair_of' and 'term' are for kind 'chairmanship'")
    if not isinstance(chair_of, str) or not isinstance(term, list) or len(term) != 2 or \
            not all(isinstance(y, int) for y in term) or term[0] > term[1]:
        raise GazetteerError(f"{where}: a chairmanship needs 'chair_of' (an entry id) and "
                             "'term' ([first year, last year])")
    return chair_of, (term[0], term[1])


def _index_aliases(entries: list[Initiative], names: NameVariants
                   ) -> tuple[dict[str, list[tuple[str, re.Pattern[str] | None]]],
                              list[list[str]], list[tuple[frozenset[str], str]]]:
    """Alias key -> readings, the regex token sequences to compile, and full-name word sets.

    An alias owned unconditionally by two entries is an error; a generated word-order variant
    that another entry already owns is dropped (the written alias wins).
    """
    alias_index: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
    unconditional_owner: dict[str, str] = {}
    sequences: list[list[str]] = []
    full_names: list[tuple[frozenset[str], str]] = []

    def add(entry: Initiative, alias: str, ctx: re.Pattern[str] | None, generated: bool) -> None:
        key = names.key(alias)
        if not key:
            return
        if ctx is None:
            owner = unconditional_owner.get(key)
            if owner is not None and owner != entry.id:
                if generated:
                    return
                raise GazetteerError(
                    f"{GAZETTEER_FILE}: alias {alias!r} of {entry.id!r} is already an alias "
                    f"of {owner!r}")
            unconditional_owner[key] = entry.id
        candidates = alias_index.setdefault(key, [])
        if (entry.id, ctx) not in candidates:
            candidates.append((entry.id, ctx))
            sequences.append(names.sequence(alias))

    for entry in entries:
        context_re = (re.compile(r"(?<!\w)(?:" + "|".join(alias_regex(c) for c in entry.context)
                                 + ")", re.IGNORECASE) if entry.context else None)
        for alias, ctx in itertools.chain(((a, None) for a in entry.aliases),
                                          ((a, context_re) for a in entry.context_aliases)):
            add(entry, alias, ctx, generated=False)
            if ctx is None:
                full_names.append((names.content_words(alias), entry.id))
    for entry in entries:  # generated variants last, so that written aliases win
        for alias in entry.aliases:
            for variant in word_order_variants(alias):
                add(entry, variant, None, generated=True)
    return alias_index, sequences, full_names


def build_gazetteer(entries: list[Initiative], names: NameVariants | None = None) -> Gazetteer:
    """Index the entries and compile one name pattern, one acronym pattern, one noun pattern."""
    names = names or NO_VARIANTS
    by_id: dict[str, Initiative] = {}
    acronym_index: dict[str, str] = {}
    for entry in entries:
        if entry.id in by_id:
            raise GazetteerError(f"{GAZETTEER_FILE}: duplicate id {entry.id!r}")
        by_id[entry.id] = entry
        for acronym in entry.acronyms:
            owner = acronym_index.get(acronym)
            if owner is not None and owner != entry.id:
                raise GazetteerError(
                    f"{GAZETTEER_FILE}: acronym {acronym!r} of {entry.id!r} is already used by "
                    f"{owner!r}")
            acronym_index[acronym] = entry.id
    for entry in entries:
        if entry.chair_of is not None and entry.chair_of not in by_id:
            raise GazetteerError(f"{GAZETTEER_FILE}: entry {entry.id!r}: 'chair_of' names no "
                                 f"entry ({entry.chair_of!r})")
    alias_index, sequences, full_names = _index_aliases(entries, names)
    for candidates in alias_index.values():
        candidates.sort(key=lambda c: c[1] is None)  # context-bound readings are tried first
    unique_sequences = list({tuple(s): s for s in sequences}.values())
    # Names are matched against lower-cased text (much faster than re.IGNORECASE); the
    # case-insensitive twin (`Gazetteer.name_pattern_nocase`, compiled on first use) is for the
    # rare text whose lower-casing changes its length.
    name_source = r"(?<![\w])" + trie_regex(unique_sequences) + r"(?![\w])"
    name_pattern = re.compile(name_source)
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
        nouns = first_letter_alternation(sorted(noun_entries, key=len, reverse=True),
                                         ignore_case=True)
        # 'the forum', 'this congress', 'The Bank', 'the just concluded inaugural forum', 'the
        # seventh summit to be convened'; not 'the initiative of Kazakhstan', 'the proposal to
        # establish' or 'the programme on strategic commodities' (those name something new),
        # not plurals, and not words inside a capitalised name.
        # Modifiers may be capitalised ('the Astana summit', 'the previous, sixth Congress');
        # mentions.py then wants the noun itself in lower case, so a capitalised name that is
        # not in the gazetteer ('the Islamic Development Bank') is no back-reference.
        # The determiner is written letter first, its word boundary checked behind that letter
        # (the same matches as '\b(?:[Tt]h(?:e|is|at)|THE|THIS)'), so the regex engine scans
        # for a 'T' or 't' instead of trying every position of the text (4 times faster).
        backref_pattern = re.compile(
            r"(?:T(?<!\wT)(?:h(?:e|is|at)|HE|HIS)|t(?<!\wt)h(?:e|is|at))\s+"
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
        acronym_pattern=acronym_pattern,
        alias_index=alias_index,
        acronym_index=acronym_index,
        backref_pattern=backref_pattern,
        noun_entries={k: frozenset(v) for k, v in noun_entries.items()},
        names=names,
        full_names=tuple(full_names),
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
    initiatives = sum(1 for e in entries if e.is_initiative)
    if initiatives > MAX_MASK_BITS:
        raise GazetteerError(
            f"{path}: {initiatives} [[initiative]] entries, but the dashboard's filters hold at "
            f"most {MAX_MASK_BITS} (one bit each of a mask, etl/marts/20_facet_initiatives.sql); "
            "merge or remove entries, or widen the masks first")
    names = NameVariants.from_table(data.get("names", {}), f"{path}")
    return build_gazetteer(entries, names)
