"""Review queue: the facts in view an analyst should look at first, one at a time.

The queue (`queries.review_next`) holds every event and membership figure in view that no
analyst has reviewed: those feeding a disagreement first, then the weakest (lowest confidence).
Confirm, Reject or Edit records a correction and the fact leaves the queue, so the next one
takes its place; Skip moves past it for this session. Keys: Y confirm, X reject, N next,
P previous.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import components, correction_widgets, corrections, data, explain, url_state
from dashboard.charts.labels import date_label

POSITION_KEY = "review_position"  # how many facts of the queue were skipped this session
SKIP_KEY = "review_skip"
PREVIOUS_KEY = "review_previous"
KEYS_LINE = ("Keys: **Y** confirm · **X** reject · **N** next (skip) · **P** previous. "
             "Edit opens a form; Save changes records it.")


def _move(step: int) -> None:
    st.session_state[POSITION_KEY] = max(0, int(st.session_state.get(POSITION_KEY, 0)) + step)


def progress_line(progress: pd.Series) -> str:
    """'312 of 4,810 facts in view reviewed'."""
    facts, reviewed = int(progress["facts"]), int(progress["reviewed"])
    return f"{reviewed:,} of {facts:,} {'fact' if facts == 1 else 'facts'} in view reviewed"


def _progress(progress: pd.Series) -> None:
    facts, reviewed = int(progress["facts"]), int(progress["reviewed"])
    st.progress(reviewed / facts if facts else 1.0, text=progress_line(progress))


def _why(pick: dict[str, Any]) -> str:
    """Why this fact is where it is in the queue."""
    confidence = explain.confidence_text(pick["confidence"]) or "confidence unknown"
    if bool(pick["disputed"]):
        return f"First because it feeds a disagreement between sources · {confidence}"
    return f"Among the weakest read facts in view · {confidence}"


def _card(fact: str, row: dict[str, Any], pick: dict[str, Any]) -> str:
    """The fact's evidence card: what was read, its sentence, its article, how it was read."""
    merged = {**row, **{k: pick[k] for k in ("title", "outlet", "url", "published",
                                             "published_precision")}}
    if fact == "event":
        when = date_label(row["year"], row["month"], row["day"], row["end_year"],
                          row["end_month"], row["end_day"])
        heading = (f"{row['initiative_name']}: {str(row['event_type']).replace('_', ' ')}, "
                   f"{when}")
        extra = f"date as written: “{row['date_text']}”"
    else:
        year = "year unknown" if pd.isna(row["year"]) else str(int(row["year"]))
        heading = (f"{row['initiative_name']}: {int(row['count'])} "
                   f"{str(row['kind']).replace('_', ' ')} ({year})")
        extra = f"as written: “{row['count_text']}”"
    return components.evidence_card_html(heading, str(row["sentence"]), merged, extra=extra,
                                         note=explain.evidence_note(row))


def _queue_head(filters: Any) -> pd.DataFrame:
    """The fact at the session's position; back to the first when skipped past the end."""
    position = int(st.session_state.setdefault(POSITION_KEY, 0))
    pick = data.review_next(filters, position)
    if pick.empty and position:
        st.session_state[POSITION_KEY] = 0
        st.caption("Skipped past the last fact in the queue: back to the first.")
        pick = data.review_next(filters, 0)
    return pick


def show_review() -> None:
    """The page: progress, the fact to look at next, and the actions on it."""
    filters = url_state.filters()
    st.title("Review queue")
    progress = data.review_progress(filters)
    if not url_state.presentation():
        st.caption("The facts in view to look at first, one at a time: those feeding a "
                   "disagreement between sources, then the weakest read (lowest confidence). "
                   "A fact leaves the queue once confirmed, rejected or edited. The sidebar's "
                   "filters choose what is in view.")
    _progress(progress)
    if reason := corrections.unavailable_reason(data.settings()):
        st.info(reason, icon=":material/edit_off:")
        return
    if int(progress["facts"]) == 0:
        components.empty_state("No events or membership figures match these filters.")
        return
    head = _queue_head(filters)
    if head.empty:
        st.success("Every fact in view is reviewed.", icon=":material/task_alt:")
        return
    pick = components.records(head)[0]
    fact, fact_id = str(pick["fact"]), str(pick["fact_id"])
    found = data.review_fact(fact, fact_id)
    if found.empty:  # the queue and the fact come from one build; a race with a rebuild
        st.warning("That fact has just changed; reload the page.", icon=":material/sync:")
        return
    row = components.records(found)[0]
    position = int(st.session_state[POSITION_KEY])
    waiting = int(progress["facts"]) - int(progress["reviewed"])
    st.subheader(f"{'Event' if fact == 'event' else 'Membership figure'} "
                 f"{position + 1:,} of {waiting:,} waiting", anchor=False)
    st.caption(_why(pick))
    components.evidence_cards([_card(fact, row, pick)])
    correction_widgets.fact_actions(fact, row, key=f"review_{fact_id}", keyboard=True)
    with st.container(horizontal=True, key="review_moves"):
        st.button("Previous", key=PREVIOUS_KEY, icon=":material/arrow_back:",
                  on_click=_move, args=(-1,), disabled=position == 0, shortcut="P")
        st.button("Skip (next)", key=SKIP_KEY, icon=":material/arrow_forward:",
                  on_click=_move, args=(1,), shortcut="N", type="primary")
    st.caption(KEYS_LINE)


show_review()
