"""Constructed articles for the syndicated-copy tests: one wire story, its reprints, and
different reports on the same topics (which must stay separate stories).

Every text here was written for these tests. The reprints change what outlets change when they
republish wire copy: the headline, the byline, boilerplate lines, a word here and there, one
paragraph rewritten or added. The different stories share the names a summit report shares.
"""

from __future__ import annotations

_WIRE_BODY = [
    "ASTANA, 13 October. Leaders and senior officials of twenty-seven states gathered in the "
    "capital on Thursday for the sixth summit of CICA, the Asian security "
    "club, the forum Kazakhstan proposed three decades ago.",
    "Opening the meeting, President Kassym-Jomart Tokayev told delegations that the "
    "organisation had matured from a loose dialogue into a body able to take decisions, and "
    "invited members to approve a statement on its transformation into a full international "
    "organisation with a permanent secretariat in Astana.",
    "The adopted declaration commits members to expand cooperation on food security, water "
    "management and the safety of transport corridors linking Central Asia with the ports of "
    "the Caspian and the Persian Gulf. Diplomats said the text had been negotiated over "
    "eleven rounds of consultations since the spring.",
    "Kuwait was admitted as a new member state, bringing the membership to twenty-eight, "
    "while Turkmenistan took part for the first time as an observer. Azerbaijan handed the "
    "rotating chairmanship to Kazakhstan for the period until 2024.",
    "Officials said a ministerial meeting would follow next year to agree the budget of the "
    "secretariat and a plan of confidence-building measures in economic, environmental and "
    "humanitarian areas, with the next summit expected in 2026.",
]

WIRE = "\n\n".join(_WIRE_BODY)

# Same body, other furniture: a headline, a byline and the outlet's boilerplate lines.
REPRINT_FURNITURE = "\n\n".join([
    "Asian security forum marks thirty years with a new status",
    "By Staff Reporter",
    *_WIRE_BODY,
    "Follow our channel for the latest regional news. Subscribe to the morning newsletter.",
])

# Light edits throughout and the last paragraph dropped, a local paragraph added.
REPRINT_EDITED = "\n\n".join([
    "ASTANA, 13 October. Leaders and senior officials from twenty-seven countries gathered in "
    "the capital on Thursday for the sixth summit of CICA, the Asian security "
    "club, a forum Kazakhstan proposed three decades ago.",
    _WIRE_BODY[1],
    "The adopted declaration commits members to widen cooperation on food security, water "
    "management and the safety of transport corridors linking Central Asia with the ports of "
    "the Caspian and the Persian Gulf. Diplomats said the text was negotiated over eleven "
    "rounds of consultations since spring.",
    _WIRE_BODY[3],
    "Our correspondent in the capital reports that traffic in the city centre was closed for "
    "most of the day while the delegations moved between the venues.",
])

# One paragraph rewritten by the outlet, the rest as sent.
REPRINT_PARAGRAPH = "\n\n".join([
    _WIRE_BODY[0],
    "In his opening speech the head of state argued that the forum was ready to become a "
    "regional organisation in its own right, and proposed that it be given a standing "
    "secretariat based in the Kazakh capital.",
    *_WIRE_BODY[2:],
])

REPRINTS = (REPRINT_FURNITURE, REPRINT_EDITED, REPRINT_PARAGRAPH)

# A different report of the same summit: same names, places and figures, written apart.
SAME_SUMMIT = "\n\n".join([
    "CICA, the Asian security club, ended its sixth "
    "summit in Astana on Thursday with a decision to begin turning the forum into an "
    "international organisation, a step President Kassym-Jomart Tokayev has pressed for since "
    "Kazakhstan took the chair.",
    "Kuwait joined as the twenty-eighth member. Analysts in the region noted that the "
    "declaration adopted in Astana said little about the disputes between several members "
    "and focused on trade, water and food security instead.",
    "A regional security researcher said the real test would come when the secretariat in "
    "Astana has to agree a budget, since members have long disagreed about how to share the "
    "costs of the forum's work between large and small states.",
    "The summit was the first held in person since the pandemic, and delegations used the "
    "margins for bilateral meetings on energy supplies and transit routes to Europe.",
])

# The same summit from a guest's side: a foreign ministry's statement.
GUEST_STATEMENT = "\n\n".join([
    "The foreign minister of Kuwait thanked Kazakhstan for hosting the sixth summit of the "
    "Asian security club CICA and welcomed his "
    "country's admission as a member state.",
    "In a statement released after the summit in Astana, the ministry said Kuwait would take "
    "part in the working groups on energy and on the safety of transport corridors, and "
    "would send an expert to the secretariat once it is set up.",
    "The minister also met President Kassym-Jomart Tokayev and discussed direct flights and "
    "investment in food processing, the statement said.",
])

# Another initiative, told in the same wire style.
OTHER_FORUM = "\n\n".join([
    "ASTANA, 8 June. The Astana International Forum opened on Thursday with panels on "
    "climate finance, food security and the reform of multilateral institutions, drawing "
    "ministers, bankers and researchers from more than fifty countries.",
    "President Kassym-Jomart Tokayev told participants that the world needed a new culture of "
    "dialogue and that middle powers could help rebuild trust between the major economies.",
    "Organisers said the forum would become an annual event held in the capital each spring, "
    "replacing the economic forum that had been held in Astana for more than a decade.",
])

DIFFERENT = (SAME_SUMMIT, GUEST_STATEMENT, OTHER_FORUM)
