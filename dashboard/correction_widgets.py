"""The controls an analyst corrects facts with: Confirm, Reject and Edit under a fact's
evidence, and "Add a fact" under a sentence of the article reader.

Each control runs its correction in its callback (`dashboard.corrections`: the
`python -m etl corrections` command, which records it, applies it and swaps in a new build), so
the rerun that follows already reads the new build: the query caches are keyed on the build id
(`data.run_query`) and the warehouse handle reopens when the file changes (`data.warehouse`),
so every chart, count and queue refreshes without clearing anyone else's cached results. The
outcome is kept in the session and shown once, as a toast, by `show_notice` (app.py calls it
on every page), so it survives the fact leaving the page it was corrected on.

Nothing is drawn when the deployment records no corrections (IM_CORRECTIONS_ENABLED=false or
a warehouse that is not a local file). The analyst's name is the IM_ANALYST setting, never a
form field. Widget keys start with the caller's `key` (e.g. `fix_<event id>_confirm`), so
browser tests can target them.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import corrections, data, theme, url_state
from dashboard.charts.labels import shorten

NOTICE_KEY = "correction_notice"
FIRST_YEAR, LAST_YEAR = 1900, 2100  # what the warehouse holds (etl/limits.py)
_ICONS = {"success": ":material/task_alt:", "warning": ":material/schedule:",
          "error": ":material/error:"}
_NO_VALUE = "not known"


def enabled() -> bool:
    """Whether correction controls are drawn: the deployment records corrections and the page
    is not in presentation mode (which shows no controls)."""
    return (corrections.unavailable_reason(data.settings()) is None
            and not url_state.presentation())


def show_notice() -> None:
    """Show the outcome of the last correction once (a toast; an error stays on the page)."""
    notice = st.session_state.pop(NOTICE_KEY, None)
    if not notice:
        return
    severity, message = notice
    st.toast(message, icon=_ICONS.get(severity))
    if severity == "error":
        st.error(message, icon=_ICONS["error"])


def _remember(outcome: corrections.Outcome) -> None:
    st.session_state[NOTICE_KEY] = (outcome.severity, outcome.message)


def _value(row: Mapping[str, Any], name: str) -> Any:
    """A row's value as a plain Python value (None for a missing one, int for a number)."""
    value = row.get(name)
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return int(value) if name in ("year", "month", "day", "count") else str(value)


# --- confirm, reject, edit one fact ---------------------------------------------------------


def fact_actions(fact: str, row: Mapping[str, Any], key: str, keyboard: bool = False,
                 on_done: Callable[[str], None] | None = None) -> None:
    """Confirm / Reject buttons, a reason and an Edit form for one event (`fact` 'event') or
    membership figure ('membership'); `row` has its id and current values.

    `keyboard`: Confirm and Reject answer to the keys Y and X (the Review page). `on_done` is
    called with the action once a correction has been applied.
    """
    if not enabled():
        return
    fact_id = str(row["event_id" if fact == "event" else "membership_id"])
    original = {name: _value(row, name) for name in corrections.EDITABLE_FIELDS[fact]}
    with st.container(key=key):
        st.text_input("Reason (optional)", key=f"{key}_reason",
                      max_chars=corrections.MAX_REASON_CHARS,
                      placeholder="why, in a few words: kept with the correction")
        with st.container(horizontal=True, key=f"{key}_buttons"):
            st.button("Confirm", key=f"{key}_confirm", icon=":material/check:",
                      on_click=_record, args=("confirm", fact, fact_id, key, original, on_done),
                      shortcut="Y" if keyboard else None,
                      help="Vouch for it as read: it is marked analyst-confirmed.")
            st.button("Reject", key=f"{key}_reject", icon=":material/close:",
                      on_click=_record, args=("reject", fact, fact_id, key, original, on_done),
                      shortcut="X" if keyboard else None,
                      help="It is wrongly read: it leaves every chart, export and pack.")
        with (st.expander("Edit its values", icon=":material/edit:"),
              st.form(f"{key}_edit", border=False, enter_to_submit=False)):
            _value_inputs(fact, original, f"{key}_edit")
            st.form_submit_button("Save changes", on_click=_record,
                                  args=("edit", fact, fact_id, key, original, on_done))


def _record(action: str, fact: str, fact_id: str, key: str, original: Mapping[str, Any],
            on_done: Callable[[str], None] | None) -> None:
    """A button's callback: run the correction, keep its outcome for `show_notice`."""
    settings = data.settings()
    reason = str(st.session_state.get(f"{key}_reason") or "")
    if action == "edit":
        chosen = _chosen_values(fact, f"{key}_edit")
        changed = {name: value for name, value in chosen.items() if value != original.get(name)}
        outcome = corrections.edit(fact_id, fact, changed, settings, reason)
    elif action == "confirm":
        outcome = corrections.confirm(fact_id, settings, reason)
    else:
        outcome = corrections.reject(fact_id, settings, reason)
    _remember(outcome)
    if outcome.changed:
        st.session_state[f"{key}_reason"] = ""
        if on_done is not None:
            on_done(action)


def _choices(field: str) -> list[str]:
    vocabulary = data.correction_vocabulary()
    return list(vocabulary.loc[vocabulary["field"] == field, "value"])


def _with(options: list[Any], current: Any) -> list[Any]:
    """`options`, plus the current value if it is not among them (so it stays selectable)."""
    return options if current is None or current in options else [current, *options]


def _index(options: list[Any], current: Any) -> int | None:
    """Where the current value is among the options (None: nothing chosen yet)."""
    return None if current is None else options.index(current)


def _value_inputs(fact: str, current: Mapping[str, Any], key: str) -> None:
    """The inputs of an edit or add form, holding `current` (keys `<key>_<field>`)."""
    initiatives = data.labels()["initiatives"]
    with st.container(horizontal=True):
        ids = _with(sorted(initiatives, key=lambda i: initiatives[i].lower()),
                    current.get("initiative_id"))
        st.selectbox("Initiative", ids, index=_index(ids, current.get("initiative_id")),
                     key=f"{key}_initiative_id", placeholder="choose the initiative",
                     format_func=lambda i: initiatives.get(i, i))
        if fact == "event":
            types = _with(_choices("event_type"), current.get("event_type"))
            st.selectbox("Event type", types, key=f"{key}_event_type",
                         index=_index(types, current.get("event_type")),
                         placeholder="choose the type", format_func=theme.event_type_label)
        else:
            kinds = _with(_choices("kind"), current.get("kind"))
            st.selectbox("Kind", kinds, key=f"{key}_kind",
                         index=_index(kinds, current.get("kind")),
                         placeholder="what the figure counts",
                         format_func=lambda k: theme.MEMBERSHIP_KIND_LABELS.get(
                             k, str(k).replace("_", " ")))
            st.number_input("Count", min_value=1, max_value=99_999, step=1,
                            value=current.get("count"), key=f"{key}_count")
    with st.container(horizontal=True):
        st.number_input("Year", min_value=FIRST_YEAR, max_value=LAST_YEAR, step=1,
                        value=current.get("year"), key=f"{key}_year",
                        placeholder="" if fact == "event" else "year unknown")
        if fact == "event":
            months = [None, *range(1, 13)]
            st.selectbox("Month", months, index=months.index(current.get("month")),
                         key=f"{key}_month",
                         format_func=lambda m: _NO_VALUE if m is None else calendar.month_name[m])
            days = [None, *range(1, 32)]
            st.selectbox("Day", days, index=days.index(current.get("day")), key=f"{key}_day",
                         format_func=lambda d: _NO_VALUE if d is None else str(d))


def _chosen_values(fact: str, key: str) -> dict[str, Any]:
    """What the form's inputs hold (whole numbers as int, nothing chosen as None)."""
    values = {}
    for name in corrections.EDITABLE_FIELDS[fact]:
        value = st.session_state.get(f"{key}_{name}")
        values[name] = int(value) if isinstance(value, int | float) else value
    return values


def choose_and_correct(fact: str, rows: pd.DataFrame, key: str) -> None:
    """Under a page of several sentences: pick one of them and correct its fact."""
    if not enabled() or rows.empty:
        return
    id_column = "event_id" if fact == "event" else "membership_id"
    by_id = {str(r[id_column]): r for r in rows.to_dict("records")}
    chosen = st.selectbox("Correct one of these", [None, *by_id], key=f"{key}_pick",
                          placeholder="choose a sentence to confirm, reject or edit its fact",
                          format_func=lambda i: "choose a sentence" if i is None else
                          f"sentence {int(by_id[i]['sentence_no'])}: "
                          f"“{shorten(str(by_id[i]['sentence']), 90)}”")
    if chosen is not None:
        fact_actions(fact, by_id[chosen], key=f"fix_{chosen}")


# --- add a fact the rules missed --------------------------------------------------------------


def add_fact_form(article_id: str, key: str = "reader_add") -> None:
    """In the reader: choose a sentence of the article and add the event or figure it reports."""
    if not enabled():
        return
    sentences = data.article_sentences(article_id)
    if sentences.empty:
        return
    texts = dict(zip(sentences["sentence_no"].tolist(), sentences["text"].tolist(),
                     strict=True))
    with st.expander("Add a fact the rules missed", icon=":material/add_circle:"):
        st.selectbox("Sentence", list(texts), key=f"{key}_sentence", index=None,
                     placeholder="choose the sentence reporting it",
                     format_func=lambda n: f"{n}: {shorten(str(texts[n]), 110)}")
        fact = st.radio("It reports", ["event", "membership"], key=f"{key}_fact",
                        horizontal=True, format_func=lambda f: "an event" if f == "event"
                        else "a membership figure")
        with st.form(f"{key}_form", border=False, enter_to_submit=False):
            _value_inputs(fact, {}, f"{key}_{fact}")
            st.text_input("Reason (optional)", key=f"{key}_reason",
                          max_chars=corrections.MAX_REASON_CHARS,
                          placeholder="why, in a few words: kept with the correction")
            st.form_submit_button("Add", icon=":material/add:", on_click=_add,
                                  args=(article_id, fact, key))


def _add(article_id: str, fact: str, key: str) -> None:
    """The add form's callback: record the new fact for the chosen sentence."""
    sentence_no = st.session_state.get(f"{key}_sentence")
    if sentence_no is None:
        _remember(corrections.Outcome("error", "Choose the sentence that reports the fact "
                                      "first."))
        return
    values = _chosen_values(fact, f"{key}_{fact}")
    missing = [name.replace("_id", "").replace("_", " ")
               for name in corrections.REQUIRED_FOR_ADD[fact] if values.get(name) is None]
    if missing:
        _remember(corrections.Outcome("error", f"Give the {', '.join(missing)} of the new "
                                      f"{'event' if fact == 'event' else 'figure'} first."))
        return
    outcome = corrections.add(article_id, int(sentence_no), fact, values, data.settings(),
                              str(st.session_state.get(f"{key}_reason") or ""))
    _remember(outcome)
