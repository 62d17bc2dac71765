"""How a fact was read, for the evidence panels: its rule, confidence and the sentence naming
its initiative, with the words `evidence_scale` gives for its rule and date basis."""

from __future__ import annotations

# The evidence columns of an event row `e` / a figure row `m` (rl, dl: the joins below).
EVENT_EXPLAINED = """e.rule, e.confidence, e.initiative_sentence_no,
           rl.label AS rule_label, rl.weight AS rule_weight,
           dl.label AS date_label, dl.weight AS date_weight"""
FIGURE_EXPLAINED = """m.rule, m.confidence, m.initiative_sentence_no,
           rl.label AS rule_label, rl.weight AS rule_weight,
           dl.label AS date_label, dl.weight AS date_weight"""

# Joins of `evidence_scale` giving the words for an event's / a figure's rule and date basis.
EVENT_SCALE = """LEFT JOIN evidence_scale AS rl
           ON rl.aspect = 'event_rule' AND rl.value = e.rule
    LEFT JOIN evidence_scale AS dl
           ON dl.aspect = 'date_basis' AND dl.value = e.date_basis"""
FIGURE_SCALE = """LEFT JOIN evidence_scale AS rl
           ON rl.aspect = 'membership_rule' AND rl.value = m.rule
    LEFT JOIN evidence_scale AS dl
           ON dl.aspect = 'date_basis' AND dl.value = m.year_basis"""
