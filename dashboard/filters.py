"""The analyst's filter state and its form in the URL, as pure functions (no Streamlit).

A copied link must reopen the same view, so the whole filter state round-trips through query
parameters: `Filters.from_query_params(Filters(...).to_query_params())` is the identity. Parsing
is forgiving (a hand-edited or stale link never raises: what cannot be read is ignored), and
the values are canonical (sorted, deduplicated) so equal selections give equal cache keys.

URL parameters (lists repeat the parameter: `?theme=security&theme=economy`):

| parameter | filter | example |
|---|---|---|
| `ey` | event-year range | `ey=2002-2023` (`ey=2017` is one year) |
| `py` | publication-year range | `py=2020-2025` |
| `theme` | themes | `theme=security` |
| `init` | initiatives | `init=CICA` |
| `etype` | event types | `etype=held` |
| `outlet` | outlets | `outlet=Eurasia Review` |
| `conf` | confidence floor, percent | `conf=60` (events and figures scoring at least 0.6) |
| `reviewed` | only analyst-reviewed facts ("briefing-safe") | `reviewed=1` |
| `count` | count by article instead of by story (the default) | `count=article` |
| `present` | presentation mode | `present=1` |
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

YearRange = tuple[int, int]
QueryParams = Mapping[str, str | Sequence[str]]

EVENT_YEARS_PARAM = "ey"
PUBLISHED_YEARS_PARAM = "py"
THEMES_PARAM = "theme"
INITIATIVES_PARAM = "init"
EVENT_TYPES_PARAM = "etype"
OUTLETS_PARAM = "outlet"
CONFIDENCE_PARAM = "conf"
REVIEWED_PARAM = "reviewed"
COUNT_PARAM = "count"
PRESENTATION_PARAM = "present"

FILTER_PARAMS = (EVENT_YEARS_PARAM, PUBLISHED_YEARS_PARAM, THEMES_PARAM, INITIATIVES_PARAM,
                 EVENT_TYPES_PARAM, OUTLETS_PARAM, CONFIDENCE_PARAM, REVIEWED_PARAM,
                 COUNT_PARAM)

# Years outside this window are typos in a hand-edited link, not data.
_EARLIEST_YEAR, _LATEST_YEAR = 1900, 2100
_YEAR_RANGE = re.compile(r"^\s*(\d{4})\s*(?:[-–:]\s*(\d{4})\s*)?$")
# A describe() list longer than this is cut to its first items and "+N more".
_DESCRIBE_MAX_ITEMS = 3
# The confidence floor is a whole percentage (a short, readable link); 0 shows every fact.
CONFIDENCE_STEP = 5
# How the filter line names the briefing-safe filter (sidebar, chart subtitles, packs).
REVIEWED_ONLY_LINE = "Only analyst-reviewed facts"
# How the filter line names counting by article (by story, the default, is not named).
BY_ARTICLE_LINE = "Counted by article (reprints included)"
# The values of `count`: by article, or by story (the default, left out of links).
BY_ARTICLE = "article"
BY_STORY = "story"
# How the filter bar names the two ways of counting.
COUNT_LABELS = {BY_STORY: "Stories", BY_ARTICLE: "Articles"}
# Longest value a link parameter may hold (all its repeats together). The app's own links stay
# far below it (ids, years, a search phrase); anything longer is a damaged or hostile link and
# is ignored whole, with a message, rather than parsed.
MAX_PARAM_CHARS = 1000


@dataclass(frozen=True)
class Filters:
    """What the analyst narrowed the view to. Empty tuples and None mean 'no filter'.

    Article filters (`published_years`, `outlets`, `themes`, `initiatives`) choose articles;
    fact filters (`event_years`, `event_types`, `initiatives`) choose dated events and membership
    figures, and `confidence_floor` (a percentage) hides events and figures whose evidence
    scores below it (`events.confidence`); it does not narrow the articles. `reviewed_only`
    ("briefing-safe") keeps only the events and figures an analyst confirmed, edited or added
    (`facet_events.reviewed`); like the floor, it does not narrow the articles. See
    docs/dashboard.md for how each page applies them.

    `by_article` counts every article: by default (False) a story republished by several
    outlets counts once, through its canonical article (`facet_articles.is_canonical`), and
    its reprints' facts are left out of the counts (the evidence names their outlets).
    """

    event_years: YearRange | None = None
    published_years: YearRange | None = None
    themes: tuple[str, ...] = field(default=())
    initiatives: tuple[str, ...] = field(default=())
    event_types: tuple[str, ...] = field(default=())
    outlets: tuple[str, ...] = field(default=())
    confidence_floor: int = 0
    reviewed_only: bool = False
    by_article: bool = False

    def __post_init__(self) -> None:
        # Canonical form: ranges ordered, lists sorted and unique, so equal views are equal keys.
        for name in ("event_years", "published_years"):
            value = getattr(self, name)
            if value is not None:
                low, high = sorted((int(value[0]), int(value[1])))
                object.__setattr__(self, name, (low, high))
        for name in ("themes", "initiatives", "event_types", "outlets"):
            values = getattr(self, name)
            if isinstance(values, str):
                values = (values,)
            object.__setattr__(self, name, tuple(sorted({str(v) for v in values if str(v)})))
        object.__setattr__(self, "confidence_floor", _clamp_percent(self.confidence_floor))
        object.__setattr__(self, "reviewed_only", bool(self.reviewed_only))
        object.__setattr__(self, "by_article", bool(self.by_article))

    @classmethod
    def from_query_params(cls, params: QueryParams) -> Filters:
        """Read filters from URL query parameters; anything unreadable is ignored, never raised."""
        return cls(
            event_years=_parse_year_range(_last(params.get(EVENT_YEARS_PARAM))),
            published_years=_parse_year_range(_last(params.get(PUBLISHED_YEARS_PARAM))),
            themes=tuple(_all(params.get(THEMES_PARAM))),
            initiatives=tuple(_all(params.get(INITIATIVES_PARAM))),
            event_types=tuple(_all(params.get(EVENT_TYPES_PARAM))),
            outlets=tuple(_all(params.get(OUTLETS_PARAM))),
            confidence_floor=_parse_percent(_last(params.get(CONFIDENCE_PARAM))),
            reviewed_only=_parse_flag(_last(params.get(REVIEWED_PARAM))),
            by_article=(_last(params.get(COUNT_PARAM)) or "").strip().lower() == BY_ARTICLE,
        )

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The URL query parameters of these filters; a filter that is not set is left out."""
        params: dict[str, str | list[str]] = {}
        if self.event_years is not None:
            params[EVENT_YEARS_PARAM] = _format_year_range(self.event_years)
        if self.published_years is not None:
            params[PUBLISHED_YEARS_PARAM] = _format_year_range(self.published_years)
        for name, values in ((THEMES_PARAM, self.themes), (INITIATIVES_PARAM, self.initiatives),
                             (EVENT_TYPES_PARAM, self.event_types), (OUTLETS_PARAM, self.outlets)):
            if values:
                params[name] = list(values)
        if self.confidence_floor:
            params[CONFIDENCE_PARAM] = str(self.confidence_floor)
        if self.reviewed_only:
            params[REVIEWED_PARAM] = "1"
        if self.by_article:
            params[COUNT_PARAM] = BY_ARTICLE
        return params

    @property
    def is_empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    @property
    def narrows(self) -> bool:
        """True when a filter other than the counting mode is set."""
        return replace(self, by_article=False) != Filters()

    @property
    def filters_facts(self) -> bool:
        """True when a filter applies to the events themselves (event years or event types)."""
        return self.event_years is not None or bool(self.event_types)

    def restricted_to(self, options: FilterOptions) -> Filters:
        """These filters without ids the warehouse does not have, and without all-year ranges.

        An id from a stale link (a theme since renamed) is dropped rather than failing the page.
        A year range covering all the data's years means 'all years' and is stored as no
        filter, which keeps the URL short and a link valid after a rebuild widens the data. A
        range outside the data is kept: the page then says that nothing matches.
        """
        return replace(
            self,
            event_years=_drop_full_range(self.event_years, options.event_years),
            published_years=_drop_full_range(self.published_years, options.published_years),
            themes=tuple(v for v in self.themes if v in options.themes),
            initiatives=tuple(v for v in self.initiatives if v in options.initiatives),
            event_types=tuple(v for v in self.event_types if v in options.event_types),
            outlets=tuple(v for v in self.outlets if v in options.outlets),
        )

    def with_theme(self, theme: str) -> Filters:
        """These filters narrowed to one theme (what clicking a theme on a chart does)."""
        return replace(self, themes=(theme,))

    def describe(self, labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
        """One line stating what is filtered, for the sidebar and every chart's subtitle.

        `labels` maps a field name ('themes', 'initiatives', 'event_types') to display names by
        id; ids without a label are shown as they are.
        """
        labels = labels or {}
        parts = []
        if self.event_years is not None:
            parts.append(f"Events {_format_year_span(self.event_years)}")
        if self.published_years is not None:
            parts.append(f"Published {_format_year_span(self.published_years)}")
        for name, title in (("themes", "Themes"), ("initiatives", "Initiatives"),
                            ("event_types", "Event types"), ("outlets", "Outlets")):
            values = getattr(self, name)
            if values:
                names = [labels.get(name, {}).get(v, v) for v in values]
                parts.append(f"{title}: {_short_list(names)}")
        if self.confidence_floor:
            parts.append(f"Confidence ≥ {self.confidence_floor}%")
        if self.reviewed_only:
            parts.append(REVIEWED_ONLY_LINE)
        if self.by_article:
            parts.append(BY_ARTICLE_LINE)
        return " · ".join(parts) if parts else "All articles and events (no filters)"


@dataclass(frozen=True)
class FilterOptions:
    """What the warehouse offers to filter on: year ranges of its data and the ids it knows."""

    event_years: YearRange | None = None
    published_years: YearRange | None = None
    themes: tuple[str, ...] = ()
    initiatives: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()

    def slider_range(self, name: str, current: YearRange | None) -> YearRange | None:
        """The bounds of a year slider: the data's years, widened to show `current` if outside."""
        bounds: YearRange | None = getattr(self, name)
        if bounds is None:
            return current
        if current is None:
            return bounds
        return min(bounds[0], current[0]), max(bounds[1], current[1])


def readable_params(params: Mapping[str, Sequence[str]]
                    ) -> tuple[dict[str, list[str]], list[str]]:
    """The link's parameters split into those short enough to read and the names of those
    that are not (over `MAX_PARAM_CHARS` together), which the page reports and ignores."""
    readable: dict[str, list[str]] = {}
    too_long: list[str] = []
    for name, values in params.items():
        if sum(len(value) for value in values) > MAX_PARAM_CHARS:
            too_long.append(name)
        else:
            readable[name] = list(values)
    return readable, too_long


def presentation_from_query_params(params: QueryParams) -> bool:
    """Whether the URL asks for presentation mode (`present=1`)."""
    return _last(params.get(PRESENTATION_PARAM)) in {"1", "true", "yes", "on"}


def url_params(filters: Filters, *, presentation: bool = False,
               extra: Mapping[str, str | list[str]] | None = None) -> dict[str, str | list[str]]:
    """Every query parameter of a view: its filters, presentation mode and page-specific state."""
    params = filters.to_query_params()
    if presentation:
        params[PRESENTATION_PARAM] = "1"
    params.update({k: v for k, v in (extra or {}).items() if v not in ("", [], None)})
    return params


def _last(value: str | Sequence[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value[-1] if len(value) else None


def _all(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()]


def _parse_year_range(text: str | None) -> YearRange | None:
    if not text:
        return None
    match = _YEAR_RANGE.match(text)
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2) or low)
    low, high = sorted((low, high))
    if low < _EARLIEST_YEAR or high > _LATEST_YEAR:
        return None
    return low, high


def _clamp_percent(value: object) -> int:
    """A whole percentage in 0-100; anything unreadable is 0 (no floor)."""
    try:
        number = int(float(str(value)))
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(0, min(100, number))


def _parse_flag(text: str | None) -> bool:
    """`reviewed=1` (or true/yes/on) -> True; anything else, or nothing, -> False."""
    return (text or "").strip().lower() in {"1", "true", "yes", "on"}


def _parse_percent(text: str | None) -> int:
    """`conf=60` or `conf=60%` -> 60; a fraction (`conf=0.6`) is read as its percentage."""
    if not text:
        return 0
    text = text.strip().rstrip("%")
    try:
        number = float(text)
    except ValueError:
        return 0
    if number != number:  # NaN
        return 0
    if 0 < number < 1:
        number *= 100
    return _clamp_percent(round(number / CONFIDENCE_STEP) * CONFIDENCE_STEP)


def _format_year_range(years: YearRange) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def _format_year_span(years: YearRange) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}–{years[1]}"


def _drop_full_range(years: YearRange | None, bounds: YearRange | None) -> YearRange | None:
    if years is None or bounds is None:
        return years
    if years[0] <= bounds[0] and years[1] >= bounds[1]:
        return None
    return years


def _short_list(names: Sequence[str]) -> str:
    if len(names) <= _DESCRIBE_MAX_ITEMS:
        return ", ".join(names)
    shown = ", ".join(names[:_DESCRIBE_MAX_ITEMS])
    return f"{shown} +{len(names) - _DESCRIBE_MAX_ITEMS} more"


def filter_parameters(filters: Filters) -> dict[str, Any]:
    """Every filter as the named parameter a statement binds it to (`$themes`, `$event_from`
    ...; an unset range is NULL, an unset list empty)."""
    event_years = filters.event_years or (None, None)
    published_years = filters.published_years or (None, None)
    return {
        "event_from": event_years[0],
        "event_to": event_years[1],
        "published_from": published_years[0],
        "published_to": published_years[1],
        "themes": list(filters.themes),
        "initiatives": list(filters.initiatives),
        "event_types": list(filters.event_types),
        "outlets": list(filters.outlets),
        "filters_facts": filters.filters_facts,
        "confidence_floor": filters.confidence_floor / 100,
        "reviewed_only": filters.reviewed_only,
    }
