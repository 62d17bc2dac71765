"""Review states of a fact and how charts draw them: the one home of their labels and styles.

Every event and membership figure the dashboard shows is in one review state (the warehouse's
`review` column of `curated_events` / `curated_memberships`): machine-read ('unreviewed'),
analyst-confirmed, analyst-edited or analyst-added ('rejected' facts are in no chart). Charts
tell three apart (`ReviewMark`): machine-read, analyst-confirmed, analyst-added-or-edited,
each drawn as a ring ('halo') around the mark, named in the legend.

This module is the one home of their labels and styles (the review page, evidence cards,
exports and charts read them here). It is the dashboard's, not the shared vocabulary file's:
only the dashboard shows them, and data/reference/vocabulary.toml is part of the extractor's
signature, so a change of style there would re-extract every article. The state names are the
ETL's (etl/corrections, `review` in docs/schema.md; a test keeps the two lists equal). Pure:
no Streamlit, no Plotly.

A chart mark stands for every fact of its cell in view (an initiative's events of one type in
one year; the figures giving one count for one year), so its style follows a rule
(`cell_mark`): the analyst style when an analyst added or edited any of them, the confirmed
style when an analyst confirmed all of them, else machine-read.
"""

from __future__ import annotations

from dataclasses import dataclass

UNREVIEWED = "unreviewed"
REJECTED = "rejected"
# The chart styles (`REVIEW_MARKS`), from least to most analyst involvement.
MACHINE_MARK = "machine"
CONFIRMED_MARK = "confirmed"
ANALYST_MARK = "analyst"
NOT_DRAWN = "none"


@dataclass(frozen=True)
class ReviewState:
    """One value of `review`: its label, the chart style of its facts, its meaning."""

    name: str
    label: str
    mark: str
    meaning: str


@dataclass(frozen=True)
class ReviewMark:
    """A chart style: its legend label, the ring drawn around a mark (Plotly symbol, colour,
    line width; no ring when `halo` is empty), and when a mark takes it."""

    name: str
    label: str
    halo: str
    colour: str
    width: float
    meaning: str


REVIEW_STATES: dict[str, ReviewState] = {state.name: state for state in (
    ReviewState(UNREVIEWED, "machine-read", MACHINE_MARK,
                "read by the rules; no analyst has reviewed it yet"),
    ReviewState("confirmed", "analyst-confirmed", CONFIRMED_MARK,
                "an analyst checked the machine's reading and stands behind it"),
    ReviewState("edited", "analyst-edited", ANALYST_MARK,
                "an analyst corrected some of the values the rules read"),
    ReviewState("added", "analyst-added", ANALYST_MARK,
                "an analyst added it from a sentence the rules missed"),
    ReviewState(REJECTED, "analyst-rejected", NOT_DRAWN,
                "an analyst rejected it: no chart, table, export or briefing pack shows it"),
)}

# The chart styles: a ring around the mark, told apart by shape (not colour alone) and width.
REVIEW_MARKS: dict[str, ReviewMark] = {mark.name: mark for mark in (
    ReviewMark(MACHINE_MARK, "Machine-read", "", "#222222", 0.0,
               "no analyst added or edited its facts, and not all of them are confirmed"),
    ReviewMark(CONFIRMED_MARK, "Analyst-confirmed", "circle-open", "#222222", 1.5,
               "an analyst confirmed every one of its facts"),
    ReviewMark(ANALYST_MARK, "Analyst-added or edited", "square-open", "#222222", 2.5,
               "an analyst added or edited at least one of its facts"),
)}
# Review states whose facts take the analyst style: an analyst set their values.
ANALYST_REVIEWS: tuple[str, ...] = tuple(
    name for name, state in REVIEW_STATES.items() if state.mark == ANALYST_MARK)


def state_label(review: object) -> str:
    """'analyst-confirmed', 'machine-read', ...; a missing review is machine-read."""
    name = review if isinstance(review, str) and review else UNREVIEWED
    state = REVIEW_STATES.get(name)
    return state.label if state else name.replace("_", " ")


def cell_mark(facts: object, reviewed: object, analyst: object) -> str:
    """The chart style of a mark standing for `facts` facts in view, of which `reviewed` are
    analyst-reviewed (confirmed, edited or added) and `analyst` added or edited.

    Any analyst-set fact gives the analyst style (the mark shows a value an analyst chose);
    all facts confirmed give the confirmed style; anything else stays machine-read.
    """
    total, seen, set_by_analyst = (_count(facts), _count(reviewed), _count(analyst))
    if set_by_analyst > 0:
        return ANALYST_MARK
    if total > 0 and seen >= total:
        return CONFIRMED_MARK
    return MACHINE_MARK


def review_counts(facts: object, reviewed: object, noun: str = "fact") -> str:
    """'2 of 5 events analyst-reviewed' for a mark of several facts; '' when none or one."""
    total, seen = _count(facts), _count(reviewed)
    if total <= 1 or seen == 0:
        return ""
    nouns = noun if total == 1 else noun + "s"
    return f"{seen:,} of {total:,} {nouns} analyst-reviewed"


def _count(value: object) -> int:
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


def ring_rule(noun: str = "facts") -> str:
    """The rule of the rings in the analyst's words, for a chart's caption (`noun`: what a
    mark stands for, plural)."""
    confirmed, analyst = REVIEW_MARKS[CONFIRMED_MARK], REVIEW_MARKS[ANALYST_MARK]
    return (f"A round ring marks {confirmed.label.lower()} marks (an analyst confirmed all its "
            f"{noun}), a square frame {analyst.label.lower()} ones (an analyst added or "
            f"corrected at least one of its {noun}); marks without one are machine-read.")
