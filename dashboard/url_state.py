"""Keeps the view state (filters, presentation mode, page choices) in the URL and the session.

The URL is what an analyst copies, so it always reflects the view; the session holds the same
state because Streamlit drops query parameters when the analyst moves to another page. Each
run therefore decides where the state comes from:

- the first run of a session, or a URL changed from outside (a pasted link, browser
  back/forward): the URL wins, and the widgets are set from it;
- a URL stripped by a page switch (none of our parameters left): the session wins;
- otherwise the widgets hold the state (the analyst just changed one).

At the end of every run `finish_run` writes the state back, so the URL shows it on every page.
Parsing and serialising are pure and live in `dashboard.filters`; this module is the part that
touches `st.session_state` and `st.query_params`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboard.filters import (
    BY_ARTICLE,
    BY_STORY,
    FILTER_PARAMS,
    MAX_PARAM_CHARS,
    PRESENTATION_PARAM,
    FilterOptions,
    Filters,
    presentation_from_query_params,
    readable_params,
    url_params,
)

# Session keys of the canonical state (plain keys, not widgets: they survive hidden widgets).
FILTERS_KEY = "im_filters"
PRESENTATION_KEY = "im_presentation"
_WRITTEN_KEY = "im_url_written"  # the parameters the last run wrote
_SEED_KEY = "im_url_seed"  # this run's URL when it is to seed the widgets, else None
_PAGE_PARAMS_KEY = "im_page_params"  # param -> (session key, default) registered this run
_UNREADABLE_KEY = "im_url_unreadable"  # parameters of this run's URL too long to read

# Widget keys of the sidebar filters (stable, so browser tests can find them).
EVENT_YEARS_WIDGET = "filter_event_years"
PUBLISHED_YEARS_WIDGET = "filter_published_years"
THEMES_WIDGET = "filter_themes"
INITIATIVES_WIDGET = "filter_initiatives"
EVENT_TYPES_WIDGET = "filter_event_types"
OUTLETS_WIDGET = "filter_outlets"
CONFIDENCE_WIDGET = "filter_confidence"
REVIEWED_WIDGET = "filter_reviewed"
COUNT_WIDGET = "filter_count"  # "story" (the default) or "article"
PRESENTATION_WIDGET = "presentation_mode"

# Page-specific parameters; with FILTER_PARAMS and PRESENTATION_PARAM these are all ours.
PAGE_PARAMS = ("org", "kind", "metric", "measure", "event", "figure", "epage", "article",
               "page", "q", "sent", "compare", "series", "grain", "count", "point", "side")
OWN_PARAMS = frozenset((*FILTER_PARAMS, PRESENTATION_PARAM, *PAGE_PARAMS))


def _current_params() -> dict[str, list[str]]:
    return {key: list(st.query_params.get_all(key)) for key in st.query_params}


def _normalise(params: dict[str, Any]) -> dict[str, list[str]]:
    return {key: [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            for key, value in params.items() if key in OWN_PARAMS}


def start_run(options: FilterOptions) -> None:
    """Decide this run's filters and presentation mode, from the URL or from the session."""
    state = st.session_state
    url = {k: v for k, v in _current_params().items() if k in OWN_PARAMS}
    written = state.get(_WRITTEN_KEY)
    stripped_by_page_switch = written is not None and not url and bool(written)
    from_url = written is None or (url != written and not stripped_by_page_switch)
    readable, state[_UNREADABLE_KEY] = readable_params(url) if from_url else ({}, [])
    state[_SEED_KEY] = readable if from_url else None
    state[_PAGE_PARAMS_KEY] = {}
    if from_url:
        filters = Filters.from_query_params(readable).restricted_to(options)
        state[PRESENTATION_KEY] = presentation_from_query_params(readable)
        state[PRESENTATION_WIDGET] = state[PRESENTATION_KEY]
        set_filters(filters, options)
        # The URL is applied now: if the user changes a widget before this run reaches
        # finish_run (a click during the first run), the rerun must keep that change rather
        # than apply the same URL over it again.
        state[_WRITTEN_KEY] = url
    else:
        # A rebuild may have removed an option the session still holds.
        state[FILTERS_KEY] = state.get(FILTERS_KEY, Filters()).restricted_to(options)


def unreadable_link_message() -> str | None:
    """What to tell the analyst when this run's link held parameters too long to read (they
    were ignored, and `finish_run` writes the link without them), else None."""
    names = st.session_state.get(_UNREADABLE_KEY) or []
    if not names:
        return None
    return (f"Part of this link could not be read: {', '.join(names)} "
            f"{'was' if len(names) == 1 else 'were'} longer than {MAX_PARAM_CHARS:,} "
            "characters, so the page ignores "
            f"{'it' if len(names) == 1 else 'them'} and shows its defaults there. Choose the "
            "filters in the sidebar, or ask whoever sent the link for a fresh copy.")


def filters() -> Filters:
    """The filters of this run."""
    return st.session_state.get(FILTERS_KEY, Filters())


def presentation() -> bool:
    """Whether this run is in presentation mode."""
    return bool(st.session_state.get(PRESENTATION_KEY, False))


def set_presentation(on: bool) -> None:
    """Enter or leave presentation mode (call from a callback or before the toggle renders)."""
    st.session_state[PRESENTATION_KEY] = on
    st.session_state[PRESENTATION_WIDGET] = on


def set_filters(new: Filters, options: FilterOptions) -> None:
    """Make `new` the filters and set every sidebar widget to show them.

    Call it before the sidebar renders in this run, or from a widget callback (a theme clicked
    on a chart, the reset button): Streamlit refuses changes to a widget already drawn.
    """
    state = st.session_state
    state[FILTERS_KEY] = new
    for key, value in widget_values(new, options).items():
        state[key] = value


def widget_values(current: Filters, options: FilterOptions) -> dict[str, Any]:
    """What each sidebar widget shows for `current` (a full slider for 'no year filter')."""
    values: dict[str, Any] = {
        THEMES_WIDGET: list(current.themes),
        INITIATIVES_WIDGET: list(current.initiatives),
        EVENT_TYPES_WIDGET: list(current.event_types),
        OUTLETS_WIDGET: list(current.outlets),
        CONFIDENCE_WIDGET: current.confidence_floor,
        REVIEWED_WIDGET: current.reviewed_only,
        COUNT_WIDGET: BY_ARTICLE if current.by_article else BY_STORY,
    }
    if options.event_years is not None:
        values[EVENT_YEARS_WIDGET] = current.event_years or options.event_years
    if options.published_years is not None:
        values[PUBLISHED_YEARS_WIDGET] = current.published_years or options.published_years
    return values


def synced_param(param: str, key: str, default: Any, valid: Sequence[Any] | None = None) -> Any:
    """Tie session key `key` (usually a page widget's key) to URL parameter `param`.

    Call it before drawing the widget. On a run seeded from the URL the parameter's value is
    taken if valid; a missing or invalid value becomes `default`. The value is written back
    to the URL at the end of the run (left out when it equals the default). Returns it.
    """
    state = st.session_state
    seed = state.get(_SEED_KEY)
    if seed is not None and param in seed and seed[param]:
        candidate = _coerce(seed[param][-1], default)
        if valid is None or candidate in valid:
            state[key] = candidate
    if key not in state or (valid is not None and state[key] not in valid):
        state[key] = default
    state.setdefault(_PAGE_PARAMS_KEY, {})[param] = (key, default)
    return state[key]


def _coerce(text: str, default: Any) -> Any:
    if isinstance(default, bool):
        return text in {"1", "true"}
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            return default
    return text


def finish_run() -> None:
    """Write this run's state to the URL (only when it changed, so history stays clean)."""
    state = st.session_state
    extra = {}
    for param, (key, default) in state.get(_PAGE_PARAMS_KEY, {}).items():
        value = state.get(key)
        if value is not None and value != default:
            extra[param] = str(value)
    desired = _normalise(url_params(filters(), presentation=presentation(), extra=extra))
    current = {k: v for k, v in _current_params().items() if k in OWN_PARAMS}
    if desired != current:
        others = {k: v for k, v in _current_params().items() if k not in OWN_PARAMS}
        st.query_params.from_dict({**others, **desired})
    state[_WRITTEN_KEY] = desired
