"""Membership figures: how many member states, observers and partners an initiative has.

A figure is a number (digits or words up to 'a hundred') directly in front of a kind of member:
'28 member states', 'five observer organisations', 'ten observer states and organisations',
'six partner organisations', 'CICA's 27 members', 'it now has 19 permanent members', '30 states
have ratified', 'ratified by only 23', 'signed by 70 states'; in front of the organisation ('the
18 member Conference ...', 'the 57-country Organisation ...', 'an 18-member organisation'); an
ordinal that fixes the size ('became the 28th member', 'as its 12th full member', 'became the
26th State Party'); and 'bringing its membership to 24', 'the number of member countries grew
to 31', 'its membership has grown from 16 countries', 'membership now stands at 38 countries',
'Membership: 28 states', 'now comprises 28 countries', 'a security dialogue of 19 countries',
'an organisation that includes 56 countries', 'four states made up its founding membership', '31
states have already joined the union', 'nine states and five organisations have observer
status' and 'observers: nine states and five organisations'. Not figures: approximations ('more
than 50 member states'), negations ('isn't a member'), attendance ('attended by 26 member
countries', 'delegations from 50 countries'), thresholds ('must be ratified by 50 states'),
newcomers ('two new members', 'two observer states - A in 2021 and B in 2023'), and anything
that counts something else (16 strategic programmes, nine members of parliament).

The organisation is the antecedent of a relative clause holding the figure ('The OIC, which
unites 57 states'), the one named after 'observer status with/in', an initiative named right
after ('... of the IOFS', unless a having verb follows its subject: 'the IOFS is uniting 38
member states of OIC'), else the nearest mention before the figure in its clause (a
back-reference such as 'It' counts), else the nearest after it. A look-alike there (the OIC's 57
member states) means the figure is not an initiative's. A sentence naming nothing takes the
initiative its paragraph opens with ('Conference ... (CICA): ... Membership: 28 states'); a
sentence that refers back to one ('it now has ...', 'the Treaty', 'there were 15 member states')
takes the nearest initiative of a fitting kind named in the sentences before it (a treaty for
parties and signatories, an organisation or forum otherwise).

The year is the nearest date between this figure and its neighbours ('16 member states ... at
the first Summit in 2002 and today having 28 member states' -> 2002 and the publication year);
a figure listed right after another shares its year ('28 member states, five observer
organisations and six partner organisations'); a figure in the present tense without a date is
of the publication year ('CICA has 28 Member States', 'Membership: 28 states', 'Kuwait was
admitted as the 28th member'); a count at the founding ('At first, four states made up its
founding membership') takes the year the article gives for the founding; a past count without a date
('it had nine members then', 'Ahead of the summit, the roster of 21 member states ...') takes
the year of the nearest earlier sentence of its paragraph about the same initiative that has a
date (with a back-reference to a meeting, 'the summit', of the few sentences before, across
paragraphs); otherwise the year is unknown.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from etl.model import DateMention, Event, MembershipFigure, PublicationDate, Sentence

from .figure_context import ArticleContext, Figure
from .gazetteer import MEMBERSHIP_KINDS, Gazetteer
from .membership_years import copula_tense, year_for, year_from_context
from .mentions import EntityMention
from .text import (
    NUMBER_PATTERN,
    by_sentence,
    clause_bounds,
    clause_index,
    lowered_same_length,
    parse_number,
    parse_ordinal,
)

# cheap test that a (lower-cased) sentence may hold a figure at all, run once over the text;
# grouped by first letter and without word-boundary tests, which keeps the scan fast
_ANCHOR = re.compile(r"m(?:ember)|o(?:bserver)|p(?:artner)|r(?:atif)|"
                     r"c(?:ompris|onsist|ount(?:s|ed))|u(?:nit(?:es|ing|e\b))|t(?:ogether)|"
                     r"n(?:umber(?:s|ed))")
# the rarer cues, kept apart so that common words ('country', 'signed') do not send every
# sentence through the patterns: '57-country', 'State Party', 'signed by', 'have joined',
# 'a dialogue of 22 countries'
# (each a pattern of its own with a literal start, which the regex engine scans for quickly)
_RARE_ANCHORS = (
    re.compile(r"state\s+part|signed\s+by|signator"),
    re.compile(r"-(?:country|nation|state)\b"),
    re.compile(r"ha(?:ve|s|d)\s+(?:already\s+|now\s+|so\s+far\s+|to\s+date\s+)?"
               r"(?:joined|acceded|become\s+m)"),
)
# '... of 22 countries', '... that includes 56 states': read back from the counted noun
_COUNTED_AFTER = (" countries", " states", " nations")
_GROUP_OF_BEFORE = re.compile(r"(?:of|includes|included|including|with|comprising)\s+"
                              r"(?:(?:now|currently|some)\s+)?[\w\-]+$")
# where a kind of member is named ('28 member states', 'five observer organisations')
_KIND_ANCHOR = re.compile(r"member|observer|partner")
_KIND_AT = re.compile(
    r"(?:(?P<member_states>member[\s\-]+(?:states?|countries|nations)|members)"
    r"|(?P<observer_states_and_organisations>observer[\s\-]+(?:states|countries|nations)\s+"
    r"(?:and|&)\s+(?:international\s+)?organi[sz]ations)"
    r"|(?P<observer_states>observer[\s\-]+(?:states|countries|nations))"
    r"|(?P<observer_organisations>observer[\s\-]+organi[sz]ations)"
    r"|(?P<partner_organisations>partner[\s\-]+organi[sz]ations|partners))"
    r"(?![\w\-])"
)
# the number, optionally an adjective or the organisation's name ('28 CICA member states')
_NUMBER_BEFORE = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})[\s\-]+(?:(?:full|founding|official|permanent|other|"
    r"asian|european|regular)[\s\-]+)?(?:(?P<name>[a-z][\w\-]*)\s+)?$"
)
_ORGANISATIONS_AS_OBSERVERS = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:international\s+)?organi[sz]ations\s+"
    r"(?:as|with)\s+(?:an?\s+)?observers?(?:\s+status)?"
)
_RATIFIED = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:member\s+)?(?:states|countries|nations)\s+"
    r"(?:have|had|has)\s+(?:already\s+|now\s+|so\s+far\s+)?ratified"
    rf"|ratified\s+by\s+(?:only\s+|just\s+|so\s+far\s+)?(?P<num2>{NUMBER_PATTERN})"
    r"(?:\s+(?:member\s+)?(?:states|countries|nations))?(?![\w\-%])"
    r"(?!\s*(?:votes|per\s*cent|percent|of\b|deputies|senators|members|mps|lawmakers))"
)
_SIGNED = re.compile(
    rf"signed\s+by\s+(?:only\s+|just\s+|so\s+far\s+)?(?P<num>{NUMBER_PATTERN})\s+(?:member\s+)?"
    r"(?:states|countries|nations)(?![\w\-])"
    rf"|(?<![\w.,])(?P<num2>{NUMBER_PATTERN})\s+(?:member\s+)?(?:states|countries|nations)\s+"
    r"(?:have|had|has)\s+(?:already\s+|now\s+|so\s+far\s+)?signed\b"
)
# 'must be ratified by 50 states', 'once 50 states have ratified': a threshold, not a count
_THRESHOLD_BEFORE = re.compile(
    r"(?:(?:must|needs?\s+to|has\s+to|have\s+to|should|is\s+to|are\s+to)\s+be|"
    r"(?:once|until|unless|when|if|after|before|requires?|required|needs?|needed)"
    r"(?:\s+[\w\-]+){0,3})\s+$"
)
_THRESHOLD_AFTER = re.compile(
    r"^[^.;]{0,20}?\b(?:is|are|were|was)\s+(?:required|needed|necessary)|"
    r"^\s*(?:before|for)\s+(?:it|the\s+\w+)\s+(?:can|could|to|will)\s+(?:enter|come|take)"
)
# an ordinal that fixes the size: 'became the 4th member', 'as its 12th full member', 'became
# the SCO's 9th full member', 'has become the 31st State Party'
_ORDINAL_MEMBER = re.compile(
    r"(?:became|become|becomes|becoming|as|was|is|be)\s+(?:the|its|[\w\-]+'s)\s+"
    r"(?P<ord>\d{1,3}(?:st|nd|rd|th)|[a-z]+)\s+(?:(?:full|new|official|fully[\s\-]fledged)\s+)?"
    r"(?P<what>member(?:\s+(?:state|country|nation))?|state\s+party|party\s+to\b|"
    r"signatory(?:\s+state)?)(?![\w\-])"
)
_FUTURE_BEFORE = re.compile(
    r"\b(?:will|shall|would|could|may|might|(?:set|expected|due|poised|likely|about|going|hopes?|"
    r"aims?|plans?|wants?|seeks?|bids?|bidding|intends?|(?:is|are)|bound)\s+to)\s+(?:\w+\s+)?$")
# 'the 18 member Conference ...', 'the 57-country Organisation ...', 'an 18-member organisation':
# the count stands before the organisation (its name, or a noun naming an organisation)
_PRENOMINAL = re.compile(
    r"[\s\-](?P<what>member|country|nation|state)[\s\-]+(?P<next>[a-z][\w\-]*)")
_NUMBER_RIGHT_BEFORE = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})$")
_ORG_NOUNS = frozenset({
    "organisation", "organization", "bloc", "grouping", "group", "union", "alliance",
    "community", "association", "club", "forum", "conference", "body", "platform", "dialogue",
    "commonwealth", "treaty", "zone", "structure"})
# 'a 40-nation conference' is as often the attendance of one meeting as a membership
_MEETING_NOUNS = frozenset({"forum", "conference"})
# 'a security dialogue of 19 countries', 'an organisation that includes 56 countries'
_ORG_NOUN_COUNT = re.compile(
    r"(?:organi[sz]ation|dialogue|platform|grouping|group|bloc|union|alliance|community|"
    r"association|club|mechanism)\s+(?:(?:that|which)\s+(?:now\s+|currently\s+)?(?:includes|included|"
    r"unites|united|comprises|comprised|brings\s+together|brought\s+together|numbers|counts)|of|"
    r"comprising|including|bringing\s+together|with)\s+(?:(?:now|currently|some)\s+)?"
    rf"(?P<num>{NUMBER_PATTERN})\s+(?:(?:sovereign|independent|member)\s+)?"
    r"(?:states|countries|nations)(?![\w\-])"
)
# 'four states made up its founding membership'
_MADE_UP = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:member\s+)?(?:states|countries|nations)\s+"
    r"(?:made|make|makes|formed|form|forms)\s+up\s+(?:its|the|their|[\w\-]+'s)\s+"
    r"(?:(?:founding|original|initial|first)\s+)?membership"
)
# 'Already 19 states have joined the union', '31 states - among ... - have already joined
# the union': a total only with a word that says so (not 'Five countries have joined since 2020')
_JOINED_VERB = re.compile(
    r"\b(?P<verb>have|has|had)\s+(?:already\s+|now\s+|so\s+far\s+|to\s+date\s+)?"
    r"(?:joined|acceded\s+to|become\s+members\s+of)\b"
)
# the count before the verb, read back from it
_JOINED_COUNT = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:(?:member|other)\s+)?(?:states|countries|nations)\b"
    r"[^.;:]{0,90}$"
)
_CUMULATIVE = re.compile(r"\b(?:already|so\s+far|to\s+date|thus\s+far|in\s+total|altogether|"
                         r"by\s+now|now)\b")
_NEWCOMER_WORDS = frozenset({"new", "more", "additional", "further", "fresh", "newly"})
_INCREMENTAL = re.compile(r"\b(?:since|this\s+year|last\s+year|recently|new|newly|another|more)\b")
# 'the number of member countries grew to 31', 'the number of its members reached 38'
_NUMBER_OF_MEMBERS = re.compile(
    r"number\s+of\s+(?:its\s+|the\s+|[\w\-]+'s\s+)?(?:[a-z][\w\-]*\s+)?(?P<what>member\s+(?:states|countries|nations)|members|"
    r"states\s+parties|parties)\s+(?:(?:has|had|have)\s+)?(?:(?:now\s+|currently\s+)?"
    r"(?:(?:rose|risen|grew|grown|increased|expanded|climbed)\s+(?:from\s+[^;]{1,80}?\s+)?to|"
    r"reached|stands\s+at|stood\s+at|is|was|totals|totalled))\s+"
    rf"(?P<num>{NUMBER_PATTERN})(?![\w\-])"
)
# 'two observer states - A in 2021 and B in 2023': the count of those who came, listed with
# their own years, not the size of the membership
_ARRIVALS_LIST = re.compile(r"\s*(?:[:\u2014\-]|,?\s*(?:namely|including|among\s+them)\b)")
_LISTED_YEAR = re.compile(r"\b(?:in|since)\s+((?:19|20)\d\d)\b")
_MEMBERSHIP_TO = re.compile(
    r"(?:(?:bringing|brought|taking|took|raising|raised|increasing|increased|expanding|expanded)\s+"
    r"(?:the\s+|its\s+|[\w\-]+'s\s+)?(?:total\s+)?(?:membership|number\s+of\s+(?:its\s+)?(?:member\s+states|"
    r"members))|membership\s+(?:has\s+|had\s+)?(?:grew|grown|rose|risen|increased|expanded|reached))\s+"
    r"(?:from\s+[^;]{1,80}?\s+)?"
    rf"to\s+(?P<num>{NUMBER_PATTERN})(?:\s+(?:member\s+)?(?:states|countries|nations|members))?"
)
_STATES = r"(?:member\s+)?(?:states|countries|nations|members)"
# 'whose membership has grown from 16 countries': the count it started from
_MEMBERSHIP_FROM = re.compile(
    r"membership\s+(?:has\s+|had\s+)?(?:grew|grown|rose|risen|increased|expanded)\s+from\s+"
    rf"(?P<num>{NUMBER_PATTERN})(?:\s+{_STATES})?"
)
# 'its membership now stands at 38 countries', 'membership totals 28', 'Membership: 28 states'
_MEMBERSHIP_LEVEL = re.compile(
    r"membership\s*(?::|(?:now\s+|currently\s+|today\s+)?(?:stands\s+at|stood\s+at|totals|"
    r"totalled|totaled|numbers|is\s+at|is))\s*"
    rf"(?P<num>{NUMBER_PATTERN})(?:\s+{_STATES})?(?![\w\-])"
)
# 'now comprises 28 countries', 'unites 38 states', 'brings together 27 nations'
_MEMBERSHIP_VERB = re.compile(
    r"(?<![\w\-])(?:compris(?:es|ed|ing)|comprise|unit(?:es|ed|ing)|unite|"
    r"(?:brings|bring|brought|bringing)\s+together|consists?\s+of|consisted\s+of|counts|counted|"
    r"numbers|numbered)\s+(?:(?:now|currently|today|some)\s+)?"
    rf"(?P<num>{NUMBER_PATTERN})\s+(?:(?:full|sovereign|independent|asian|european|"
    r"participating)\s+)?(?:member\s+)?(?:states|countries|nations)(?![\w\-])"
)
# 'Nine states ... as well as five international organizations ... have observer status';
# the counts are read back from 'observer status' to the start of its clause
_OBSERVER_STATUS = re.compile(
    r"(?P<verb>have|has|had|hold|holds|held|enjoy|enjoys|enjoyed|were\s+granted|was\s+granted|"
    r"been\s+granted|received|obtained|gained|with)\s+(?:the\s+)?(?:status\s+of\s+observers?|"
    r"observer\s+status)"
)
_OBSERVERS_LABEL = re.compile(r"observers?\s*:\s*")
_OBSERVER_COUNT = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER_PATTERN})\s+(?:(?:other|international|regional|asian|european|"
    r"intergovernmental)\s+)?(?P<what>states|countries|nations|organi[sz]ations|bodies)(?![\w\-])"
)
# words without which a pattern cannot match (cheap tests that skip its regex)
_MEMBERSHIP_WORDS = re.compile(r"membership|number of")
_GROUPING_VERBS = re.compile(r"compris|unit|together|consist|count|number")
_COUNTED_NOUNS = re.compile(r"states|countries|nations")
_ORDINAL_NOUNS = re.compile(r"member|part|signator")
_PRESENT_VERB = frozenset({"have", "has", "hold", "holds", "enjoy", "enjoys", "with"})
# the start of the stretch an 'observer status' counts belong to
_COUNT_STRETCH_START = re.compile(r";|:|\bwhile\b|\bwhereas\b|\bbut\b")
_APPROXIMATE = re.compile(
    r"(?:more\s+than|over|nearly|almost|about|around|some|up\s+to|at\s+least|roughly|"
    r"approximately|close\s+to|fewer\s+than|less\s+than|dozens\s+of|hundreds\s+of)\s+$"
)
_NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bno\s+longer|\bnon)\b")
_ATTENDANCE_BEFORE = re.compile(r"attended\s+by\s+(?:\w+\s+){0,2}$")
_ATTENDANCE_AFTER = re.compile(r"^\s*(?:\w+\s+){0,2}(?:attended|took\s+part|taking\s+part|"
                               r"were\s+present|participated\s+in\s+the\s+(?:meeting|session|"
                               r"summit)|sent\s+delegations)")
_OF_FOLLOWS = re.compile(r"\s*(?:of|in|within)\s+(?:the\s+)?$")
# a verb of having or uniting right before a figure: its subject is the owner, even when the
# figure goes on 'of OIC' ('Today the IOFS is uniting 38 member states of OIC')
_HAVING_BEFORE = re.compile(
    r"\b(?:has|have|had|unites|uniting|united|comprises|comprising|comprised|brings\s+together|"
    r"bringing\s+together|brought\s+together|counts|numbers|includes|included|consists\s+of)\s+"
    r"(?:(?:now|currently|today|some)\s+)?$"
)
_RELATIVE_START = re.compile(r"(?:which|whose|who)\b")
_STATUS_OWNER = re.compile(r"\s+(?:with|in|at|of|to|within)\s+(?:the\s+)?")
_TOPIC_PREFIX = re.compile(r"[\W_]*(?:(?:the|a|an)\s+)?", re.IGNORECASE)
# the owner's name right after 'joined', 'the 18 member ...'
_OWNER_GAP = re.compile(r"\s*(?:the\s+)?")
# bare 'members' after a having verb whose subject is a pronoun: 'and it now has 11 members'
_PRONOUN_HAS = re.compile(r"\b(?:it|which|that)\s+(?:(?:now|currently|today|already|then|still|"
                          r"also)\s+)?"
                          r"(?:has|had|have|counts|numbers|includes|included)\s+$")
# a sentence that refers back to an initiative without naming it
_REFERRING = re.compile(r"\b(?P<pronoun>it|its)\b|\b(?P<there>there)\s+(?:is|are|was|were)\b|"
                        r"\b(?:the|this|that)\s+(?P<noun>(?:[a-z\-]+\s+){0,2}[a-z]+)")
# how many sentences back such a reference may reach
SALIENT_WINDOW = 8
# kinds of figures only a treaty (or a treaty zone) has
TREATY_FIGURES = frozenset({"member_states_ratified", "signatory_states"})
TREATY_KINDS = frozenset({"document", "zone"})


# the rule name (etl/extract/evidence.py) of each figure pattern
_PATTERN_RULES = {
    _ORGANISATIONS_AS_OBSERVERS: "status_holders", _RATIFIED: "ratified", _SIGNED: "signed",
    _MEMBERSHIP_TO: "membership_change", _MEMBERSHIP_FROM: "membership_change",
    _MEMBERSHIP_LEVEL: "membership_level", _MEMBERSHIP_VERB: "membership_verb",
    _MADE_UP: "membership_verb", _NUMBER_OF_MEMBERS: "membership_level",
    _ORG_NOUN_COUNT: "group_count",
}


def find_memberships(folded: str, sentences: Sequence[Sentence],
                     mentions: Sequence[EntityMention], dates: Sequence[DateMention],
                     published: PublicationDate | None, gazetteer: Gazetteer,
                     events: Sequence[Event] = ()) -> list[MembershipFigure]:
    """Every membership figure of an article, in reading order, without repeats.

    `events` (the article's events) give the founding year of a count taken at the founding.
    """
    lowered = lowered_same_length(folded)
    context = ArticleContext(folded, sentences, by_sentence(mentions), by_sentence(dates),
                              events, gazetteer)
    result: list[MembershipFigure] = []
    seen: set[tuple[object, ...]] = set()
    starts = [s.start for s in sentences]
    cues = itertools.chain(_ANCHOR.finditer(lowered),
                           *(pattern.finditer(lowered) for pattern in _RARE_ANCHORS))
    positions = [m.start() for m in cues] + _group_counts(lowered)
    anchored = sorted({bisect.bisect_right(starts, p) - 1 for p in positions} - {-1})
    for sentence in (sentences[i] for i in anchored):
        text = lowered[sentence.start:sentence.end]
        sentence_mentions = context.mentions.get(sentence.sentence_no, [])
        figures = _figures(text)
        if not figures:
            continue
        if not any(m.is_initiative for m in sentence_mentions):
            if sentence_mentions:
                continue  # only a look-alike is named: 'The OIC unites 57 states'
            topic = (_paragraph_topic(folded, sentence, sentences, context.mentions)
                     or _salient_initiative(text, sentence, figures, context))
            if topic is None:
                continue
            sentence_mentions = [topic]
        clauses = clause_bounds(folded[sentence.start:sentence.end])  # cased: names in lists
        # unresolved dates count too: 'today having 28 member states' without a publication
        # date has no year, rather than the year of another figure further away
        sentence_dates = [d for d in context.dates.get(sentence.sentence_no, [])
                          if d.role in ("event", "background", "unresolved")]
        previous: tuple[Figure, int | None, str] | None = None
        for i, figure in enumerate(figures):
            owner = _owner(figure, text, sentence, clauses, sentence_mentions)
            year, basis = year_for(figure, i, figures, text, sentence, sentence_dates, previous,
                                    published)
            if basis == "unresolved" and owner is not None and year is None and \
                    not any(d.year is None for d in sentence_dates):
                year, basis = year_from_context(figure, text, sentence, owner.entity_id,
                                                 context)
            previous = (figure, year, basis)
            if owner is None or not owner.is_initiative:
                continue
            owner_kind = gazetteer.by_id[owner.entity_id].kind
            if owner_kind not in MEMBERSHIP_KINDS:
                continue
            if figure.kind == "signatory_states" and owner_kind not in TREATY_KINDS:
                continue  # 'a declaration signed by 20 states at the CICA summit'
            key = (owner.entity_id, figure.kind, figure.count, year)
            if key in seen:
                continue
            seen.add(key)
            result.append(MembershipFigure(
                initiative_id=owner.entity_id, kind=figure.kind, count=figure.count, year=year,
                sentence_no=sentence.sentence_no, sentence=sentence.text,
                count_text=sentence.text[figure.start:figure.end], year_basis=basis,
                rule=figure.rule, initiative_sentence_no=owner.named_in,
            ))
    return result


def _group_counts(lowered: str) -> list[int]:
    """Where a group is counted ('a dialogue of 22 countries'), found with plain string search."""
    found: list[int] = []
    for noun in _COUNTED_AFTER:
        at = lowered.find(noun)
        while at != -1:
            if _GROUP_OF_BEFORE.search(lowered, max(0, at - 40), at):
                found.append(at)
            at = lowered.find(noun, at + 1)
    return found


def _figures(text: str) -> list[Figure]:
    """Counted figures in a lower-cased sentence, in order."""
    figures: list[Figure] = []
    for anchor in _KIND_ANCHOR.finditer(text):
        kind = _KIND_AT.match(text, anchor.start())
        if not kind or (anchor.start() and text[anchor.start() - 1].isalnum()):
            continue
        number = _NUMBER_BEFORE.search(text, max(0, anchor.start() - 30), anchor.start())
        if not number or number.group("name") in _NEWCOMER_WORDS:
            continue  # 'two new member states' counts the newcomers
        figure = _figure(text, number.start("num"), kind.end(), number.group("num"),
                         kind.lastgroup or "")
        if figure is not None and figure.kind == "member_states" and kind.group() == "members":
            # bare 'members' counts only next to the organisation ('CICA's 27 members')
            figure.kind = "members"
        if figure is not None:
            figures.append(figure)
    for pattern, kind_name, current, needs in (
            (_ORGANISATIONS_AS_OBSERVERS, "observer_organisations", None, "observer"),
            (_RATIFIED, "member_states_ratified", None, "ratif"),
            (_SIGNED, "signatory_states", None, "signed"),
            (_MEMBERSHIP_TO, "member_states", None, _MEMBERSHIP_WORDS),
            (_MEMBERSHIP_FROM, "member_states", None, "membership"),
            (_MEMBERSHIP_LEVEL, "member_states", True, "membership"),
            (_MEMBERSHIP_VERB, "member_states", None, _GROUPING_VERBS),
            (_MADE_UP, "member_states", None, "membership"),
            (_NUMBER_OF_MEMBERS, "member_states", None, "number of"),
            (_ORG_NOUN_COUNT, "member_states", None, _COUNTED_NOUNS)):
        if (needs not in text) if isinstance(needs, str) else not needs.search(text):
            continue  # the pattern's key words are missing: skip the regex
        for match in pattern.finditer(text):
            group = "num" if match.group("num") else "num2"
            if kind_name in TREATY_FIGURES and _is_threshold(text, match.start(), match.end()):
                continue
            figure = _figure(text, match.start(group), match.end(), match.group(group), kind_name)
            if figure is None:
                continue
            figure.current = current
            figure.rule = _PATTERN_RULES[pattern]
            if pattern is _NUMBER_OF_MEMBERS and "part" in match.group("what"):
                figure.kind = "member_states_ratified"  # 'the number of States Parties'
            if pattern is _ORG_NOUN_COUNT:
                figure.current = copula_tense(text, match.start())
            figures.append(figure)
    if "join" in text or "acceded" in text:
        figures += _joined_figures(text)
    if "observer" in text:
        figures += _observer_figures(text)
    figures += _prenominal_figures(text)
    if _ORDINAL_NOUNS.search(text):
        figures += _ordinal_figures(text)
    figures.sort(key=lambda f: (f.start, -f.end))
    unique: list[Figure] = []
    for figure in figures:
        if unique and figure.start < unique[-1].end:
            continue
        unique.append(figure)
    return unique


def _ordinal_figures(text: str) -> list[Figure]:
    """Ordinals that fix the size: 'became the 4th member', 'became the 26th State Party'."""
    found: list[Figure] = []
    for match in _ORDINAL_MEMBER.finditer(text):
        count = parse_ordinal(match.group("ord"))
        if not count or _FUTURE_BEFORE.search(text, max(0, match.start() - 40), match.start()):
            continue  # 'is set to become the ninth member': a size still to come
        what = match.group("what")
        kind = ("member_states_ratified" if "part" in what
                else "signatory_states" if what.startswith("signator") else "member_states")
        found.append(Figure(match.start(), match.end(), count, kind,
                             text[match.start():match.end()], current=True, rule="ordinal"))
    return found


def _prenominal_figures(text: str) -> list[Figure]:
    """Counts before the organisation: 'the 18 member Conference ...', 'the 57-country bloc'.

    When the next word is not a noun naming an organisation, the figure stands only if an
    initiative's name starts there (checked by `_owner`): 'a 15-member delegation' is no figure.
    """
    found: list[Figure] = []
    for match in _PRENOMINAL.finditer(text):
        following = match.group("next")
        if following.rstrip("s") in ("member", "state", "countrie", "countrie", "nation"):
            continue  # '28 member states' is read by _KIND_AT
        number = _NUMBER_RIGHT_BEFORE.search(text, max(0, match.start() - 20), match.start())
        if not number:
            continue
        is_noun = following in _ORG_NOUNS
        if is_noun and following in _MEETING_NOUNS and match.group("what") != "member":
            continue  # 'a 40-nation conference': attendance as often as membership
        figure = _figure(text, number.start("num"), match.start("next") - 1, number.group("num"),
                         "member_states")
        if figure is None:
            continue
        figure.owner_from = match.start("next")
        figure.owner_required = not is_noun
        figure.current = True  # 'the 57-member OIC' describes it as of the sentence's date
        figure.rule = "prenominal_count"
        found.append(figure)
    return found


def _joined_figures(text: str) -> list[Figure]:
    """'Already 19 states have joined the union': the owner is named right after 'joined'."""
    found: list[Figure] = []
    for verb in _JOINED_VERB.finditer(text):
        match = _JOINED_COUNT.search(text, max(0, verb.start() - 130), verb.start())
        if match is None:
            continue
        head = text[:verb.end()]
        if not _CUMULATIVE.search(head) or _INCREMENTAL.search(head):
            continue
        figure = _figure(text, match.start("num"), verb.end(), match.group("num"),
                         "member_states")
        if figure is None:
            continue
        figure.current = verb.group("verb") != "had" or None
        figure.owner_from = verb.end()
        figure.owner_required = True
        figure.rule = "joined_count"
        found.append(figure)
    return found


def _is_threshold(text: str, start: int, end: int) -> bool:
    """Whether a count of parties or signatories is a condition ('must be ratified by 50')."""
    return bool(_THRESHOLD_BEFORE.search(text[max(0, start - 40):start])
                or _THRESHOLD_AFTER.search(text[end:end + 60]))


def _observer_figures(text: str) -> list[Figure]:
    """Counts of observers: 'N states ... and M organisations have observer status', 'observers:
    nine states and five organisations'."""
    found: list[Figure] = []
    stretches: list[tuple[int, int, bool | None, int | None]] = []
    for match in _OBSERVER_STATUS.finditer(text):
        begin = 0
        for boundary in _COUNT_STRETCH_START.finditer(text, 0, match.start()):
            begin = boundary.end()
        verb = " ".join(match.group("verb").split())
        stretches.append((begin, match.start(), verb in _PRESENT_VERB or None, match.end()))
    for match in _OBSERVERS_LABEL.finditer(text):
        stop = min((i for i in (text.find(";", match.end()), text.find(".", match.end()))
                    if i != -1), default=len(text))
        stretches.append((match.end(), stop, True, None))
    for begin, stop, current, status_end in stretches:
        for count in _OBSERVER_COUNT.finditer(text, begin, stop):
            kind = ("observer_organisations" if count.group("what").startswith(("organi", "bod"))
                    else "observer_states")
            figure = _figure(text, count.start("num"), count.end(), count.group("num"), kind)
            if figure is not None:
                figure.current = current
                figure.owner_from = status_end
                figure.rule = "status_holders"
                found.append(figure)
    return found


def _paragraph_topic(folded: str, sentence: Sentence, sentences: Sequence[Sentence],
                     mentions_by_sentence: dict[int, list[EntityMention]]) -> EntityMention | None:
    """The initiative a paragraph is about, for a figure whose sentence names none.

    'Conference on ... (CICA): proposed in 1992. ... Membership: 28 states.' The paragraph's
    first sentence must open with the initiative (after a list marker or a determiner), and no
    other entry may be named between it and the figure's sentence.
    """
    topic: EntityMention | None = None
    for number in range(sentence.sentence_no - 1, 0, -1):
        earlier = sentences[number - 1]
        if "\n" in folded[earlier.end:sentences[number].start]:
            return None  # the paragraph began after this sentence
        named = [m for m in mentions_by_sentence.get(number, []) if m.is_initiative]
        if any(m.entity_id != (topic or named[0]).entity_id for m in named):
            return None  # the paragraph names another initiative on the way
        if named:
            topic = named[0]
        first = number == 1 or "\n" in folded[sentences[number - 2].end:earlier.start]
        if first:
            if topic is None or topic.sentence_no != number:
                return None
            prefix = folded[earlier.start:topic.start]
            return topic if _TOPIC_PREFIX.fullmatch(prefix) else None
    return None


def _figure(text: str, start: int, end: int, number: str, kind: str) -> Figure | None:
    """A Figure, unless the number is approximate, negated or counts attendance."""
    count = parse_number(number)
    if count is None or count <= 0:
        return None
    before = text[max(0, start - 40):start]
    if _APPROXIMATE.search(before) or _ATTENDANCE_BEFORE.search(before):
        return None
    if _NEGATED.search(text, max(0, start - 25), start):
        return None
    if _ATTENDANCE_AFTER.match(text[end:end + 40]):
        return None
    if _ARRIVALS_LIST.match(text, end):
        stop = text.find(";", end)
        listed = {m.group(1) for m in _LISTED_YEAR.finditer(text, end, stop if stop != -1
                                                              else len(text))}
        if len(listed) > 1:
            return None  # 'two observer states - A in 2021 and B in 2023': the newcomers
    return Figure(start, end, count, kind, text[start:end])


def _owner(figure: Figure, text: str, sentence: Sentence, clauses: list[tuple[int, int]],
           mentions: Sequence[EntityMention]) -> EntityMention | None:
    """The organisation a figure counts the members of (see the module docstring)."""
    relative = [(m.start - sentence.start, m.end - sentence.start, m) for m in mentions]
    if figure.owner_from is not None:
        gap = _OWNER_GAP if figure.owner_required else _STATUS_OWNER
        for start, _, mention in relative:  # '... have observer status with the grouping'
            if start >= figure.owner_from and gap.fullmatch(text[figure.owner_from:start]):
                return mention
        if figure.owner_required:
            return None  # 'a 15-member delegation', 'have joined a coalition'
    for start, end, mention in relative:
        if figure.start <= start and end <= figure.end:
            return mention  # '28 CICA member states'
    clause = clause_index(clauses, figure.start)
    clause_start = clauses[clause][0]
    if _RELATIVE_START.match(text, clause_start):
        # 'The OIC, which unites 57 states, ...': the relative pronoun's antecedent
        for _, end, mention in relative:
            if clause_start - 4 <= end <= clause_start:
                return mention
    before = [(s, e, m) for s, e, m in relative if e <= figure.start]
    after = [(s, e, m) for s, e, m in relative if s >= figure.end]
    same_before = [x for x in before if clause_index(clauses, x[0]) == clause]
    same_after = [x for x in after if clause_index(clauses, x[0]) == clause]
    having = same_before and _HAVING_BEFORE.search(text, max(0, figure.start - 40), figure.start)
    for start, _, mention in relative:
        if start >= figure.end and _OF_FOLLOWS.fullmatch(text[figure.end:start] + " ") and \
                not having:
            return mention
    if figure.kind == "members":
        # bare 'members': the organisation must be right there ('CICA's 27 members',
        # 'CICA has 27 members', '27 members of CICA'), or be the subject of a pronoun
        # right before ('... joined the bloc and it now has 11 members')
        near = [x for x in same_before if figure.start - x[1] <= 12]
        figure.kind = "member_states"
        if not near and before and _PRONOUN_HAS.search(text, max(0, figure.start - 40),
                                                       figure.start):
            near = before
        return near[-1][2] if near else None
    if same_before:
        return _outside_apposition(same_before, text, figure)
    if same_after:
        return same_after[0][2]
    return before[-1][2] if before else None


def _outside_apposition(before: list[tuple[int, int, EntityMention]], text: str,
                        figure: Figure) -> EntityMention:
    """The nearest mention before a figure, skipping one inside an apposition.

    'The OIC, parent of the IOFS, has 57 member states': the IOFS sits between two commas
    before the verb, so the figure is the OIC's.
    """
    start, end, mention = before[-1]
    comma_after = text.find(",", end, figure.start)
    comma_before = text.rfind(",", 0, start)
    if comma_after != -1 and comma_before != -1:
        earlier = [x for x in before if x[1] <= comma_before]
        if earlier:
            return earlier[-1][2]
    return mention


def _salient_initiative(text: str, sentence: Sentence, figures: list[Figure],
                        context: ArticleContext) -> EntityMention | None:
    """The initiative a sentence naming none refers back to, for its figures.

    The sentence must refer back ('it', 'its', 'there were', or 'the <noun>' where the noun is
    one an initiative goes by: 'the Treaty', 'the bloc'); the referent is the nearest earlier
    initiative of a fitting kind within SALIENT_WINDOW sentences: one the noun names, a treaty
    for parties and signatories, an organisation or forum otherwise.
    """
    nouns: set[str] = set()
    pronoun = False
    for match in _REFERRING.finditer(text):
        if match.group("noun"):
            nouns.update(w for w in match.group("noun").split()
                         if w in context.gazetteer.noun_entries)
        else:
            pronoun = True
    if not nouns and not pronoun:
        return None
    named = set().union(*(context.gazetteer.noun_entries[n] for n in nouns)) if nouns else None
    treaty = any(f.kind in TREATY_FIGURES for f in figures)
    for number in range(sentence.sentence_no - 1,
                        max(0, sentence.sentence_no - 1 - SALIENT_WINDOW), -1):
        for mention in reversed(context.mentions.get(number, [])):
            if not mention.is_initiative:
                continue
            kind = context.gazetteer.by_id[mention.entity_id].kind
            if kind not in MEMBERSHIP_KINDS or (treaty and kind not in TREATY_KINDS):
                continue
            if named is not None and mention.entity_id not in named and not pronoun:
                continue
            return mention
    return None


