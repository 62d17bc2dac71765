"""How directly the text supports an extracted fact: the rule vocabulary and one confidence scale.

Every event and membership figure records the `rule` that produced it (a short stable name,
listed in `EVENT_RULES` and `MEMBERSHIP_RULES`) and a `confidence` between 0 and 1 computed by
`confidence`, the one scale every extractor shares. Confidence is the product of three weights,
each 1.0 for the most direct evidence:

* the trigger: the rule's weight (an event verb in the date's clause 1.0, a meeting noun next
  to the date 0.7, only the kind of initiative 0.6; a count in front of 'member states' 1.0);
* the initiative: named in the fact's own sentence 1.0, resolved from the previous sentence
  0.85, from further back 0.75 (a back-reference such as 'It' or 'the forum', or the
  paragraph's topic);
* the date: an explicit date 1.0, a year read from a name 0.9, a date taken from the
  publication date ('last year', 'on June 8', the present tense) 0.8 or less.

So 'CICA held its summit in Astana in 2022' scores 1.0, and 'The forum ... this year' two
sentences after the forum was named, typed only by the forum's kind, scores 0.6 x 0.75 x 0.8
= 0.36. The weights and their descriptions in the analyst's words are written to the warehouse
(`evidence_scale`), so the dashboard explains a fact without importing this module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import TypeVar

from etl.model import Event, MembershipFigure

# rule -> (weight, what it means in the analyst's words). One entry per way an event's type
# is decided (etl/extract/events.py).
EVENT_RULES: dict[str, tuple[float, str]] = {
    "verb_in_clause": (1.0, "type from an event verb in the date's clause"),
    "local_words": (1.0, "type from the words right before the date"),
    "year_range": (0.95, "a span of years (a term or a plan period)"),
    "list_item": (0.9, "one dated item of a list sharing the sentence's event verb"),
    "name_year": (0.85, "year and type read from a name ('the 2002 Act', 'EXPO 2017')"),
    "edition_noun": (0.85, "type from a numbered edition ('its seventh summit in ...')"),
    "recurrence": (0.85, "'held since ...': the first of a recurring event"),
    "earlier_sentence": (0.7, "type from what an earlier sentence said about the initiative "
                              "(weaker)"),
    "meeting_noun": (0.7, "type from a meeting noun next to the date (weaker)"),
    "kind_default": (0.6, "type from the kind of initiative only (weaker)"),
    "current_news": (0.7, "an undated milestone reported as today's news, dated at "
                          "publication (weaker)"),
    "since_ongoing": (0.6, "'since ...' of an ongoing programme read as its start (weaker)"),
}
# rule -> (weight, meaning): which pattern found a membership figure
# (etl/extract/membership.py).
MEMBERSHIP_RULES: dict[str, tuple[float, str]] = {
    "count_noun": (1.0, "a number in front of 'member states', 'observers' or 'partners'"),
    "membership_level": (1.0, "'membership stands at ...'"),
    "status_holders": (0.95, "counts of states or organisations with observer status"),
    "membership_change": (0.9, "'bringing its membership to ...', 'grown from ...'"),
    "membership_verb": (0.9, "'unites', 'comprises' or 'brings together' a number of states"),
    "ratified": (0.9, "states that have ratified"),
    "ordinal": (0.9, "'became its 28th member'"),
    "joined_count": (0.9, "'24 countries have joined'"),
    "signed": (0.9, "states that have signed"),
    "prenominal_count": (0.85, "a count before the organisation ('the 18-member Conference')"),
    "group_count": (0.8, "a count of a group ('a dialogue of 22 countries')"),
}
# A rule not listed above (a path added without updating this table) is neither strong nor
# weak until someone rates it.
UNRATED_RULE = "unrated"
_UNRATED_WEIGHT = 0.7

# date basis (DateMention.basis, MembershipFigure.year_basis) -> (weight, meaning)
DATE_BASES: dict[str, tuple[float, str]] = {
    "explicit": (1.0, "date written out in the sentence"),
    "range": (1.0, "date range written out in the sentence"),
    "from_name": (0.9, "year read from a name"),
    "recurrence": (0.9, "first year of a recurring event"),
    "year_from_context": (0.8, "year taken from the publication date"),
    "relative_to_publication": (0.8, "date counted from the publication date"),
    "publication_year": (0.75, "year taken from the publication date (present tense)"),
    "from_context": (0.8, "year taken from another sentence of the article"),
    "unresolved": (0.9, "no year given"),
}
_OTHER_DATE_WEIGHT = 0.8  # a basis added later: inferred, not written out

# sentences between the fact and the initiative's name -> weight
_NAMED_HERE, _PREVIOUS_SENTENCE, _FURTHER_BACK = 1.0, 0.85, 0.75


def rule_weight(rule: str) -> float:
    """The weight of a rule's trigger (see the module docstring)."""
    entry = EVENT_RULES.get(rule) or MEMBERSHIP_RULES.get(rule)
    return entry[0] if entry else _UNRATED_WEIGHT


def date_weight(basis: str) -> float:
    """The weight of how the date or year was read."""
    entry = DATE_BASES.get(basis)
    return entry[0] if entry else _OTHER_DATE_WEIGHT


def initiative_weight(sentences_back: int) -> float:
    """The weight of where the initiative is named: 0 sentences back is the fact's own."""
    if sentences_back <= 0:
        return _NAMED_HERE
    return _PREVIOUS_SENTENCE if sentences_back == 1 else _FURTHER_BACK


def confidence(rule: str, date_basis: str, sentences_back: int) -> float:
    """How directly the text supports a fact, from 0 to 1 (two decimals).

    `rule` names the trigger, `date_basis` how its date was read, `sentences_back` how many
    sentences before the fact's own the initiative is named (0: in the same sentence).
    """
    score = rule_weight(rule) * date_weight(date_basis) * initiative_weight(sentences_back)
    return round(min(1.0, max(0.0, score)), 2)


def _sentences_back(sentence_no: int, initiative_sentence_no: int | None) -> int:
    if initiative_sentence_no is None:
        return 0
    return abs(sentence_no - initiative_sentence_no)  # a lead names its meeting's owner next


Fact = TypeVar("Fact", Event, MembershipFigure)


def with_confidence(facts: Sequence[Fact]) -> list[Fact]:
    """The facts with `confidence` set from their rule, date basis and initiative distance.

    A fact without an initiative sentence is taken as named in its own sentence; a rule left
    empty becomes `UNRATED_RULE`.
    """
    return list(_scored(facts))


def _scored(facts: Sequence[Fact]) -> Iterator[Fact]:
    for fact in facts:
        rule = fact.rule or UNRATED_RULE
        basis = fact.date_basis if isinstance(fact, Event) else fact.year_basis
        back = _sentences_back(fact.sentence_no, fact.initiative_sentence_no)
        score = confidence(rule, basis, back)
        named = fact.sentence_no if fact.initiative_sentence_no is None \
            else fact.initiative_sentence_no
        if (rule, score, named) == (fact.rule, fact.confidence, fact.initiative_sentence_no):
            yield fact  # already scored where it was made (a copy costs more than the check)
        else:
            yield dataclasses.replace(fact, rule=rule, confidence=score,
                                      initiative_sentence_no=named)


def scale_rows() -> list[dict[str, object]]:
    """The scale as rows of the `evidence_scale` table: aspect, value, weight, label."""
    rows: list[dict[str, object]] = []
    for aspect, table in (("event_rule", EVENT_RULES), ("membership_rule", MEMBERSHIP_RULES),
                          ("date_basis", DATE_BASES)):
        rows += [{"aspect": aspect, "value": value, "weight": weight, "label": label}
                 for value, (weight, label) in table.items()]
    rows.append({"aspect": "event_rule", "value": UNRATED_RULE, "weight": _UNRATED_WEIGHT,
                 "label": "type from a rule not yet rated"})
    rows.append({"aspect": "membership_rule", "value": UNRATED_RULE, "weight": _UNRATED_WEIGHT,
                 "label": "figure from a rule not yet rated"})
    for back, weight in ((0, _NAMED_HERE), (1, _PREVIOUS_SENTENCE), (2, _FURTHER_BACK)):
        label = ("initiative named in this sentence", "initiative resolved from the previous "
                 "sentence", "initiative resolved from two or more sentences earlier")[back]
        rows.append({"aspect": "sentences_back", "value": str(back), "weight": weight,
                     "label": label})
    return rows
