"""Find where the text names an initiative: by alias, by acronym, or by a back-reference.

One pass of the compiled name pattern and one of the acronym pattern find every gazetteer entry
(initiatives and look-alikes); overlapping matches keep the longest, so 'CICA Catalogue of
Confidence Building Measures' is the catalogue and not CICA, and 'Council of Europe Convention on
Disinformation' is the convention. Back-references are then resolved in reading order:

* a definite noun phrase ('the forum', 'this congress', 'The Bank', 'This idea', 'the just
  concluded inaugural forum', 'the Astana summit', 'the previous, sixth Congress') names the
  most salient entry, in the same or the previous two sentences, whose `nouns` list the noun;
  when none is there, the most salient one of the previous five sentences (the passage's
  topic). Capitalised modifiers need a lower-case noun: 'the Islamic Development Bank' is a
  name, not a back-reference;
* 'It', 'This' or 'Its' opening a sentence as its subject ('It has come a long way', 'This
  marks the third phase', 'Its membership has grown') and 'it' as the subject after a fronted
  phrase ('Launched in 2023 as a successor to X, it was meant ...') name the subject of the
  previous sentence, when that subject is an entry.

A back-reference that lands on a look-alike (the Munich Security Conference) yields nothing, so
'the conference' after it is never taken for CICA.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from etl.model import Mention, Sentence

from .gazetteer import Gazetteer
from .sentences import SentenceIndex
from .text import lowered_or_none, parse_ordinal, words

# How many sentences back a noun back-reference may reach; when nothing there fits, the
# most salient entry of a wider window (the passage's topic) is taken.
BACKREF_WINDOW = 2
BACKREF_WIDE_WINDOW = 5
# How a reference was resolved: to an entry just before ('the forum', 'It'), or to the topic of
# the passage when the sentence names nothing ('The first of them', see references.py).
REFERENCE_METHODS = frozenset({"coreference", "topic"})


@dataclass(frozen=True)
class EntityMention:
    """A mention of any gazetteer entry, look-alikes included (internal to extraction)."""

    sentence_no: int
    entity_id: str
    surface: str
    start: int
    end: int
    method: str  # alias | acronym | coreference | topic
    is_initiative: bool
    # for a back-reference: the sentence where the entry it resolves to is named
    antecedent_sentence_no: int | None = None

    @property
    def named_in(self) -> int:
        """The sentence that names the entry: this one, or a back-reference's antecedent's."""
        return self.sentence_no if self.antecedent_sentence_no is None \
            else self.antecedent_sentence_no

    @property
    def is_reference(self) -> bool:
        """Whether the text refers back to the entry rather than naming it."""
        return self.method in REFERENCE_METHODS

    def to_mention(self) -> Mention:
        """The public record (initiatives only are kept by the caller)."""
        return Mention(self.sentence_no, self.entity_id, self.surface, self.start, self.end,
                       self.method)


# 'It' / 'This' / 'Its' opening a sentence, and the word after it.
_PRONOUN = re.compile(r"[\"'(\[]*\s*(It|This|Its)\s+([A-Za-z']+)")
# 'it' as the subject after a fronted phrase: 'Launched in 2023 as a successor to X, it was ...'
_FRONTED_IT = re.compile(
    r"[^,;.:\"]{3,120},\s+(it)\s+(?:[a-z]+ly\s+)?(?:was|is|has|had|will|would|became|becomes|"
    r"remains|remained|has\s+been|aims|aimed|seeks|sought|brings|brought|holds|held|meets|met|"
    r"drew|draws|grew|won|took|made|gave|attracted|gathered|offered|served|applied|joined|"
    r"signed|adopted|received|hosted|launched|proposed|announced|decided|agreed)\b")
# 'It is important to ...', 'It cannot be denied that ...', 'It must be noted that ...': no referent
_EXPLETIVE = re.compile(r"(?:\S+\s+){0,4}?(?:that|to|whether|how|why)\b|'s\b", re.IGNORECASE)
# A comparison right before a noun phrase: what follows is set beside the entry, not the entry
_COMPARED_WITH = re.compile(
    r"\b(?:alongside|unlike|compared\s+(?:with|to)|in\s+contrast\s+to|as\s+opposed\s+to|"
    r"rather\s+than|instead\s+of|similar\s+to|in\s+parallel\s+(?:with|to))\s+$",
    re.IGNORECASE)
# Verbs that may follow a demonstrative pronoun 'This' used as a subject.
_THIS_VERBS = words(
    """is was has had will would can could may might must should marks marked became becomes
    remains remained represents represented shows showed demonstrates demonstrated means meant
    includes included reflects reflected underlines underlined highlights highlighted signals
    signalled signaled makes made gives gave brings brought helps helped allows allowed led
    leads continues continued builds built"""
)
# What may precede a sentence's subject: nothing, a determiner, or a fronted phrase ending in a
# comma ('In 2019, CICA ...', 'Today, CICA ...'); never a verb or another noun ('Kazakhstan
# backs CICA').
_SUBJECT_PREFIX = re.compile(
    r"[\W_]*(?:[^,;.]{0,60},\s*)?(?:(?:the|a|an|its|this)\s+)?", re.IGNORECASE)


def find_mentions(folded: str, sentences: list[Sentence], index: SentenceIndex,
                  gazetteer: Gazetteer) -> list[EntityMention]:
    """Every mention of a gazetteer entry in reading order (look-alikes included).

    `folded` is the cleaned text passed through `text.fold` (same offsets as the cleaned text).
    """
    direct = _direct_mentions(folded, index, gazetteer)
    candidates = _backref_candidates(folded, sentences, direct, gazetteer)
    return _resolve(folded, direct, candidates, index, gazetteer)


def _direct_mentions(folded: str, index: SentenceIndex,
                     gazetteer: Gazetteer) -> list[EntityMention]:
    """Alias and acronym matches, overlaps resolved in favour of the longest match."""
    found: list[tuple[int, int, str, str]] = []  # start, end, entity id, method
    lowered = lowered_or_none(folded)
    if lowered is not None:
        matches = gazetteer.name_pattern.finditer(lowered)
    else:
        matches = gazetteer.name_pattern_nocase.finditer(folded)
    for match in matches:
        sentence = index.at(match.start())
        if sentence is None:
            continue
        entity_id = _reading(gazetteer.alias_key(match.group()), sentence, folded, gazetteer)
        if entity_id:
            found.append((match.start(), match.end(), entity_id, "alias"))
    if gazetteer.acronym_pattern is not None:
        for match in gazetteer.acronym_pattern.finditer(folded):
            entity_id = gazetteer.acronym_index.get(match.group())
            if entity_id:
                found.append((match.start(), match.end(), entity_id, "acronym"))
    found.extend(_defined_acronyms(folded, found, gazetteer))
    found.extend(_undefined_acronyms(folded, found, gazetteer))
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    mentions: list[EntityMention] = []
    last_end = -1
    for start, end, entity_id, method in found:
        if start < last_end:
            continue
        sentence = index.at(start)
        if sentence is None:
            continue
        entry = gazetteer.by_id[entity_id]
        mentions.append(EntityMention(sentence.sentence_no, entity_id, folded[start:end], start,
                                      end, method, entry.is_initiative))
        last_end = end
    return mentions


# 'Full Name (ACRONYM)': an acronym of two or more capitals defined in brackets
_DEFINITION = re.compile(r"\(\s*([A-Z][A-Za-z0-9&+.\-]{1,11})\s*\)")
# the capitalised words of a full name right before the bracket, with its linking words
_FULL_NAME = re.compile(
    r"((?:[A-Z][\w'.\-]*|of|for|on|and|the|in|&)(?:\s+(?:[A-Z][\w'.\-]*|of|for|on|and|the|in|&)){1,11})"
    r"\s*$")


def _defined_acronyms(folded: str, found: list[tuple[int, int, str, str]],
                      gazetteer: Gazetteer) -> list[tuple[int, int, str, str]]:
    """Mentions through acronyms the article defines itself: '... Full Name (ACRONYM)'.

    An acronym the gazetteer does not know is bound, from its definition to the end of the
    article, to the entry whose name stands right before the bracket; when no alias matched
    there, the capitalised full name before it is looked up with `Gazetteer.match_full_name`
    ('Islamic Food Security Association (IFSA)') and becomes a mention too. The acronym must fit
    the full name's initials, so that 'a reserve of low-enriched uranium (LEU)' binds 'LEU' to
    nothing. Known acronyms keep their meaning.
    """
    definitions = [m for m in _DEFINITION.finditer(folded)
                   if m.group(1) not in gazetteer.acronym_index
                   and sum(c.isupper() for c in m.group(1)) >= 2]
    if not definitions:
        return []
    ends = {end: (start, entity_id) for start, end, entity_id, method in found
            if method == "alias"}
    added: list[tuple[int, int, str, str]] = []
    bound: dict[str, tuple[str, int]] = {}  # acronym -> (entry id, where the binding starts)
    for match in definitions:
        acronym, bracket = match.group(1), match.start()
        if acronym in bound:
            continue
        before = folded[:bracket].rstrip()
        entry = ends.get(len(before))
        if entry is not None and _initials_fit(acronym, folded[entry[0]:len(before)]):
            bound[acronym] = (entry[1], bracket)
            continue
        phrase = _full_name_before(folded, len(before), acronym)
        if phrase is None:
            continue
        entity_id = gazetteer.match_full_name(folded[phrase:len(before)])
        if entity_id is not None:
            added.append((phrase, len(before), entity_id, "alias"))
            bound[acronym] = (entity_id, bracket)
    if bound:
        pattern = re.compile(r"(?<![\w])(?:" + "|".join(
            re.escape(a) for a in sorted(bound, key=len, reverse=True)) + r")(?![\w])")
        first = min(start for _, start in bound.values())
        for use in pattern.finditer(folded, first):
            entity_id, start = bound[use.group()]
            if use.start() >= start:
                added.append((use.start(), use.end(), entity_id, "acronym"))
    return added


# up to three capitalised words right before a name
_CAPITALISED_BEFORE = re.compile(r"(?<![\w'.\-])(?:[A-Z][\w'.\-]*\s+){1,3}$")
# a bare acronym: a run of three to six capitals ('IFSA'), a word of its own and not one
# defined in brackets (`_bare_acronyms` tests the edges: a look-behind on every position of
# the text is slow)
_CAPITALS = re.compile(r"[A-Z]{3,}")
_NOT_BEFORE_ACRONYM = re.compile(r"[\w(\-]")
_NOT_AFTER_ACRONYM = re.compile(r"[\w\-]|\s*\)")


def _bare_acronyms(folded: str) -> Iterator[re.Match[str]]:
    """Runs of three to six capitals standing as a word, outside brackets."""
    for run in _CAPITALS.finditer(folded):
        start, end = run.span()
        if end - start > 6 or (start and _NOT_BEFORE_ACRONYM.match(folded, start - 1)) or \
                _NOT_AFTER_ACRONYM.match(folded, end):
            continue
        yield run


def _undefined_acronyms(folded: str, found: list[tuple[int, int, str, str]],
                        gazetteer: Gazetteer) -> list[tuple[int, int, str, str]]:
    """Mentions through an acronym the article uses without defining it.

    Outlets abbreviate a body by another wording of its name ('IFSA' after 'Islamic Food
    Security Organisation', the abbreviation of its 'Association' form). An unknown acronym is
    bound to the one initiative whose full name, as written earlier in the article, it
    abbreviates, the last institutional noun ('Organisation', 'Agency') standing for any other.
    """
    names = [(start, end, entity_id) for start, end, entity_id, method in found
             if method == "alias"]
    if not names:
        return []
    known = set(gazetteer.acronym_index) | {folded[s:e] for s, e, _, _ in found}
    bound: dict[str, str | None] = {}
    added: list[tuple[int, int, str, str]] = []
    initials = _NameInitials(folded, names, gazetteer)
    for use in _bare_acronyms(folded):
        acronym = use.group()
        if acronym in known:
            continue
        if acronym not in bound:
            fits = {entity_id for end, entity_id in initials.abbreviated_by(acronym)
                    if end <= use.start()}
            bound[acronym] = fits.pop() if len(fits) == 1 else None
        entity_id = bound[acronym]
        if entity_id is not None:
            added.append((use.start(), use.end(), entity_id, "acronym"))
    return added


class _NameInitials:
    """The article's names keyed by the initials an acronym of each length would take from them.

    `_abbreviates` of every name for every unknown acronym is quadratic in a text of many names
    and acronyms; the key of a name for acronyms of length L (the first letters of its last L-1
    capitalised words) is worked out once per L, an acronym looks its candidates up by its
    letters but the last, and only those are asked whether their last word is an institutional
    noun. Same answers as `_abbreviates`.
    """

    def __init__(self, folded: str, names: list[tuple[int, int, str]],
                 gazetteer: Gazetteer) -> None:
        self.folded, self.spans, self.gazetteer = folded, names, gazetteer
        self.last_letters = {g[0].upper() for g in gazetteer.names.generic_words}
        self.words: list[list[str]] | None = None  # capitalised words of each name
        self.institutional: dict[int, bool] = {}  # name -> its last word is generic
        self.by_length: dict[int, dict[str, list[int]]] = {}

    def _name_words(self) -> list[list[str]]:
        """Capitalised words of every name (read on first use: most articles use no unknown
        acronym)."""
        if self.words is None:
            self.words = [[w for w in re.split(r"[\s\-]+", _written_name(self.folded, s, e))
                           if w[:1].isupper()] for s, e, _ in self.spans]
        return self.words

    def _is_institutional(self, i: int) -> bool:
        """Whether name i ends in an institutional noun ('Organisation', 'Agency')."""
        if i not in self.institutional:
            names = self.gazetteer.names
            self.institutional[i] = bool(names.content_words(self._name_words()[i][-1]) &
                                         names.generic_words)
        return self.institutional[i]

    def abbreviated_by(self, acronym: str) -> list[tuple[int, str]]:
        """(end, entry id) of every name `acronym` abbreviates (`_abbreviates`)."""
        if not acronym or acronym[-1] not in self.last_letters:
            return []
        length = len(acronym)
        if length not in self.by_length:
            keyed: dict[str, list[int]] = {}
            for i, words in enumerate(self._name_words()):
                if len(words) >= length:
                    keyed.setdefault("".join(w[0] for w in words[len(words) - length:-1]),
                                     []).append(i)
            self.by_length[length] = keyed
        return [(self.spans[i][1], self.spans[i][2])
                for i in self.by_length[length].get(acronym[:-1], ())
                if self._is_institutional(i)]


def _written_name(folded: str, start: int, end: int) -> str:
    """A matched name with the capitalised words written right before it ('Islamic' before
    'Food Security Organisation')."""
    match = _CAPITALISED_BEFORE.search(folded, max(0, start - 80), start)
    return folded[start:end] if match is None else folded[match.start():end]


def _abbreviates(acronym: str, name: str, gazetteer: Gazetteer) -> bool:
    """Whether the acronym is the name's initials with its last institutional noun's letter
    free ('IFSA' for 'Islamic Food Security Organisation')."""
    words = [w for w in re.split(r"[\s\-]+", name) if w[:1].isupper()][-len(acronym):]
    generic = gazetteer.names.generic_words
    # the cheap tests first: the initials, then what the last word is
    if len(words) != len(acronym) or acronym[-1] not in {g[0].upper() for g in generic} or \
            any(w[0] != a for w, a in zip(words[:-1], acronym[:-1], strict=True)):
        return False
    return bool(gazetteer.names.content_words(words[-1]) & generic)


def _full_name_before(folded: str, end: int, acronym: str) -> int | None:
    """Where the longest capitalised name ending at `end` that the acronym abbreviates starts."""
    match = _FULL_NAME.search(folded, max(0, end - 160), end)
    if match is None:
        return None
    words = list(re.finditer(r"\S+", match.group(1)))
    for word in words:  # longest first; a name starts with a capitalised word
        if not word.group()[:1].isupper():
            continue
        start = match.start(1) + word.start()
        if _initials_fit(acronym, folded[start:end]):
            return start
    return None


def _initials_fit(acronym: str, name: str) -> bool:
    """Whether the acronym's capitals are the name's initials in order, starting with the first.

    Linking words may or may not give a letter ('IOFS' for 'Islamic Organisation for Food
    Security', 'CICA' for 'Conference on Interaction and Confidence Building Measures in
    Asia'); an acronym inside the name gives all its letters ('UNGA').
    """
    letters = [c for c, raw in zip(acronym.upper(), acronym, strict=True)
               if c.isalnum() and not raw.islower()]
    initials: list[str] = []
    for word in re.split(r"[\s\-]+", name):
        word = word.strip("'\".,")
        if not word:
            continue
        if len(word) >= 2 and word.isupper() and word.isalnum():
            initials.extend(word)
        else:
            initials.append(word[0].upper())
    if not letters or not initials or letters[0] != initials[0]:
        return False
    i = 0
    for initial in initials:
        if i < len(letters) and initial == letters[i]:
            i += 1
    return i == len(letters)


def _reading(key: str, sentence: Sentence, folded: str, gazetteer: Gazetteer) -> str | None:
    """The entry an alias names in this sentence: context-bound readings first, if satisfied."""
    sentence_text = folded[sentence.start:sentence.end]
    for entity_id, context in gazetteer.alias_index.get(key, ()):
        if context is None or context.search(sentence_text):
            return entity_id
    return None


@dataclass(frozen=True)
class _Candidate:
    """A phrase that may refer back to an entry (noun phrase or pronoun)."""

    start: int
    end: int
    sentence_no: int
    noun: str | None  # None: a sentence-opening pronoun resolved to the previous subject


def _backref_candidates(folded: str, sentences: list[Sentence], direct: list[EntityMention],
                        gazetteer: Gazetteer) -> list[_Candidate]:
    """Noun phrases and sentence-opening pronouns that may refer back to an entry."""
    spans = [(m.start, m.end) for m in direct]
    candidates: list[_Candidate] = []
    if gazetteer.backref_pattern is not None:
        starts = [s.start for s in sentences]
        for match in gazetteer.backref_pattern.finditer(folded):
            if _overlaps(spans, match.start(), match.end()):
                continue
            i = bisect.bisect_right(starts, match.start()) - 1
            if i < 0 or match.start() >= sentences[i].end:
                continue
            mods = match.group("mods")
            named_mods = bool(mods) and any(w[:1].isupper() and parse_ordinal(w.rstrip(",")) is None
                                            for w in mods.split())
            if named_mods and match.group("noun")[:1].isupper():
                continue  # 'the Islamic Development Bank': a name, not a back-reference
            if named_mods and _COMPARED_WITH.search(
                    folded, max(sentences[i].start, match.start() - 25), match.start()):
                continue  # 'alongside the Geneva peace process': another one of its kind
            candidates.append(_Candidate(match.start(), match.end(), sentences[i].sentence_no,
                                         match.group("noun").lower()))
    for sentence in sentences:
        span = subject_pronoun(folded, sentence)
        if span is not None and not _overlaps(spans, *span):
            candidates.append(_Candidate(span[0], span[1], sentence.sentence_no, None))
    candidates.sort(key=lambda c: c.start)
    return candidates


def subject_pronoun(folded: str, sentence: Sentence) -> tuple[int, int] | None:
    """The span of a pronoun subject that may name an entry ('It', 'This', 'Its', ', it was').

    'It is important to ...' and 'This year' are no such subjects.
    """
    match = _PRONOUN.match(folded, sentence.start, sentence.end)
    if not match:
        if ", it " not in folded[sentence.start:sentence.end]:
            return None
        match = _FRONTED_IT.match(folded, sentence.start, sentence.end)
        return match.span(1) if match else None
    pronoun, next_word = match.group(1), match.group(2)
    if pronoun == "It":
        rest = folded[match.end(1):sentence.end]
        if _EXPLETIVE.match(rest.lstrip()):
            return None
    elif pronoun == "This" and next_word.lower() not in _THIS_VERBS:
        return None
    return match.span(1)


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps any of the spans.

    The spans are direct mentions: sorted and disjoint, so their ends are sorted too and only
    the last span starting before `end` can reach past `start` (a bisection, not a scan).
    """
    i = bisect.bisect_left(spans, (end, -1)) - 1
    return i >= 0 and spans[i][1] > start


def _resolve(folded: str, direct: list[EntityMention], candidates: list[_Candidate],
             index: SentenceIndex, gazetteer: Gazetteer) -> list[EntityMention]:
    """Merge direct mentions and resolved back-references, in reading order."""
    resolved: list[EntityMention] = []
    totals: dict[str, int] = {}  # mentions per entry so far: the article's topic
    pending = sorted(direct, key=lambda m: m.start)
    d = 0
    for candidate in candidates:
        while d < len(pending) and pending[d].start < candidate.start:
            resolved.append(pending[d])
            totals[pending[d].entity_id] = totals.get(pending[d].entity_id, 0) + 1
            d += 1
        target = (_noun_antecedent(resolved, candidate, gazetteer, totals) if candidate.noun
                  else _subject_antecedent(folded, resolved, candidate, index))
        if target is None:
            continue
        resolved.append(EntityMention(candidate.sentence_no, target.entity_id,
                                      folded[candidate.start:candidate.end], candidate.start,
                                      candidate.end, "coreference", target.is_initiative,
                                      target.named_in))
        totals[target.entity_id] = totals.get(target.entity_id, 0) + 1
    resolved.extend(pending[d:])
    return resolved


def _noun_antecedent(resolved: list[EntityMention], candidate: _Candidate,
                     gazetteer: Gazetteer, totals: dict[str, int]) -> EntityMention | None:
    """The mention of the most salient entry the noun can name, nearest windows first.

    An entry named earlier in the same sentence comes first ('IOFS: Kazakhstan announced the
    idea ...'). Otherwise salience is the number of mentions in the window plus those in the
    article so far (the entry the passage and the article are about), ties going to the most
    recent: 'this forum ... such as the Munich Security Conference and the Astana International
    Forum. ... the forum achieved its goals' is still 'this forum', and 'the seventh summit'
    after a digression on another organisation is the summit of the body the article is about.
    """
    allowed = gazetteer.noun_entries.get(candidate.noun or "", frozenset())
    for window, topical in ((0, False), (BACKREF_WINDOW, True), (BACKREF_WIDE_WINDOW, True)):
        counts: dict[str, int] = {}
        latest: dict[str, EntityMention] = {}
        for mention in reversed(resolved):
            if mention.sentence_no < candidate.sentence_no - window:
                break
            if mention.entity_id in allowed:
                counts[mention.entity_id] = counts.get(mention.entity_id, 0) + 1
                latest.setdefault(mention.entity_id, mention)
        if counts:
            best = max(counts, key=lambda e: (counts[e] + (totals.get(e, 0) if topical else 0),
                                              latest[e].start))
            return latest[best]
    return None


def _subject_antecedent(folded: str, resolved: list[EntityMention], candidate: _Candidate,
                        index: SentenceIndex) -> EntityMention | None:
    """The previous sentence's subject, if that subject is a gazetteer entry."""
    previous_no = candidate.sentence_no - 1
    if previous_no < 1:
        return None
    first = next((m for m in resolved if m.sentence_no == previous_no), None)
    if first is None:
        return None
    previous = index.by_no(previous_no)
    prefix = folded[previous.start:first.start]
    if not _SUBJECT_PREFIX.fullmatch(prefix):
        return None
    return first
