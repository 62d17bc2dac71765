"""The filter state and its URL form: round-trips, forgiving parsing, the description line."""

from __future__ import annotations

import pytest

from dashboard.filters import FilterOptions, Filters, presentation_from_query_params, url_params

OPTIONS = FilterOptions(
    event_years=(1992, 2025), published_years=(2020, 2025),
    themes=("democracy_governance", "security"), initiatives=("AIF", "CICA"),
    event_types=("first_held", "held", "joined"), outlets=("Eurasia Review", "NNN-Bernama"),
)


@pytest.mark.parametrize("filters", [
    Filters(),
    Filters(event_years=(2002, 2023)),
    Filters(event_years=(2017, 2017), published_years=(2020, 2023)),
    Filters(themes=("security",), initiatives=("CICA", "AIF"), event_types=("held",),
            outlets=("Eurasia Review", "A & B, Ltd.")),
    Filters(confidence_floor=60),
])
def test_query_params_round_trip(filters: Filters) -> None:
    assert Filters.from_query_params(filters.to_query_params()) == filters


def test_round_trip_through_single_values_as_streamlit_gives_them() -> None:
    # st.query_params hands a parameter given once as a plain string
    params = {"ey": "2002-2023", "theme": "security", "init": ["CICA", "AIF"]}
    filters = Filters.from_query_params(params)
    assert filters == Filters(event_years=(2002, 2023), themes=("security",),
                              initiatives=("AIF", "CICA"))


def test_unset_filters_leave_no_parameters() -> None:
    assert Filters().to_query_params() == {}
    assert Filters(themes=("security",)).to_query_params() == {"theme": ["security"]}


def test_values_are_canonical_so_equal_views_are_equal_keys() -> None:
    a = Filters(themes=("security", "economy", "security"), event_years=(2023, 2002))
    b = Filters(themes=("economy", "security"), event_years=(2002, 2023))
    assert a == b
    assert hash(a) == hash(b)


@pytest.mark.parametrize("value,expected", [
    ("2002-2023", (2002, 2023)),
    ("2023-2002", (2002, 2023)),
    ("2017", (2017, 2017)),
    ("2017–2018", (2017, 2018)),
    (" 2010 - 2012 ", (2010, 2012)),
    ("abc", None),
    ("20-30", None),
    ("1500-2000", None),
    ("", None),
])
def test_year_ranges_parse_forgivingly(value: str, expected: tuple[int, int] | None) -> None:
    assert Filters.from_query_params({"ey": value}).event_years == expected


def test_unknown_parameters_and_empty_values_are_ignored() -> None:
    filters = Filters.from_query_params({"foo": "bar", "theme": ["", "  "], "py": "x"})
    assert filters == Filters()


def test_describe_says_what_is_filtered_in_words() -> None:
    labels = {"themes": {"security": "Security"}, "initiatives": {"CICA": "CICA"},
              "event_types": {"first_held": "first held"}}
    text = Filters(event_years=(2002, 2023), published_years=(2023, 2023),
                   themes=("security",), event_types=("first_held",)).describe(labels)
    assert text == "Events 2002–2023 · Published 2023 · Themes: Security · Event types: first held"
    assert Filters().describe() == "All articles and events (no filters)"


def test_describe_shortens_long_lists() -> None:
    text = Filters(outlets=("a", "b", "c", "d", "e")).describe()
    assert text == "Outlets: a, b, c +2 more"


def test_restricted_to_drops_unknown_ids_and_all_year_ranges() -> None:
    filters = Filters(event_years=(1990, 2030), published_years=(2021, 2022),
                      themes=("security", "retired_theme"), outlets=("Gone Daily",))
    restricted = filters.restricted_to(OPTIONS)
    assert restricted == Filters(published_years=(2021, 2022), themes=("security",))


def test_restricted_to_keeps_a_range_outside_the_data_so_the_page_can_say_nothing_matches() -> None:
    filters = Filters(event_years=(1950, 1960))
    assert filters.restricted_to(OPTIONS).event_years == (1950, 1960)
    assert OPTIONS.slider_range("event_years", (1950, 1960)) == (1950, 2025)
    assert OPTIONS.slider_range("event_years", None) == (1992, 2025)


def test_filters_facts_only_for_event_years_and_types() -> None:
    assert not Filters(themes=("security",), published_years=(2020, 2021)).filters_facts
    assert Filters(event_years=(2002, 2002)).filters_facts
    assert Filters(event_types=("held",)).filters_facts


def test_with_theme_replaces_the_theme_selection() -> None:
    filters = Filters(themes=("economy", "security"), initiatives=("CICA",))
    assert filters.with_theme("security") == Filters(themes=("security",), initiatives=("CICA",))


def test_presentation_mode_and_page_parameters_join_the_url() -> None:
    params = url_params(Filters(themes=("security",)), presentation=True,
                        extra={"org": "CICA", "article": ""})
    assert params == {"theme": ["security"], "present": "1", "org": "CICA"}
    assert presentation_from_query_params(params)
    assert not presentation_from_query_params({"present": "0"})
    assert not presentation_from_query_params({})


@pytest.mark.parametrize(("value", "expected"), [
    ("60", 60), ("60%", 60), ("0.6", 60), ("62", 60), ("150", 100), ("-5", 0), ("high", 0),
    ("nan", 0), ("", 0),
])
def test_confidence_floor_parses_forgivingly(value: str, expected: int) -> None:
    assert Filters.from_query_params({"conf": value}).confidence_floor == expected


def test_confidence_floor_is_left_out_of_the_url_at_zero_and_described_when_set() -> None:
    assert "conf" not in Filters(confidence_floor=0).to_query_params()
    assert Filters(confidence_floor=70).to_query_params() == {"conf": "70"}
    assert Filters(confidence_floor=70).describe() == "Confidence ≥ 70%"
    assert Filters(confidence_floor=70).restricted_to(OPTIONS).confidence_floor == 70
    assert not Filters(confidence_floor=70).is_empty
    # a floor hides weak facts; it is not a filter on which events happened
    assert not Filters(confidence_floor=70).filters_facts
