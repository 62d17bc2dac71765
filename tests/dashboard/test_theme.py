"""One template and one colour map: registered once, deterministic, independent of filters."""

from __future__ import annotations

import plotly.io as pio

from dashboard import theme
from dashboard.settings import read_vocabulary


def test_template_is_registered_on_import() -> None:
    template = pio.templates[theme.TEMPLATE_NAME]
    assert list(template.layout.colorway) == list(theme.PALETTE)
    assert template.layout.font.size == theme.BASE_FONT_SIZE
    assert template.layout.plot_bgcolor == "white"


def test_colour_map_follows_sorted_ids_not_their_order() -> None:
    assert theme.colour_map(["CICA", "AIF", "IOFS"]) == theme.colour_map(["IOFS", "CICA", "AIF"])
    colours = theme.colour_map(["CICA", "AIF", "IOFS"])
    assert colours["AIF"] == theme.PALETTE[0]
    assert colours["CICA"] == theme.PALETTE[1]


def test_colour_map_cycles_when_the_list_is_longer_than_the_palette() -> None:
    ids = [f"I{n:02d}" for n in range(len(theme.PALETTE) + 2)]
    colours = theme.colour_map(ids)
    assert colours["I00"] == colours[f"I{len(theme.PALETTE):02d}"]
    assert len(colours) == len(ids)


def test_palette_colours_are_distinct_hex() -> None:
    assert len(set(theme.PALETTE)) == len(theme.PALETTE)
    assert all(c.startswith("#") and len(c) == 7 for c in theme.PALETTE)


def test_every_event_type_of_the_vocabulary_has_its_own_symbol() -> None:
    vocabulary = read_vocabulary()
    types = list(vocabulary["event_types"])
    assert len(types) >= 15
    symbols = [theme.event_symbol(t) for t in types]
    assert theme.UNKNOWN_EVENT_SYMBOL not in symbols
    assert len(set(symbols)) == len(symbols)
    assert theme.event_symbol("something_new") == theme.UNKNOWN_EVENT_SYMBOL
    assert theme.event_type_label("observer_joined") == "observer joined"
    assert theme.event_type_label("something_new") == "something new"
    assert set(theme.MEMBERSHIP_KIND_LABELS) == set(vocabulary["membership_kinds"])


def test_a_chart_keeps_the_app_template_when_streamlit_has_set_its_own() -> None:
    """Importing Streamlit's Plotly element makes its placeholder-coloured template the
    default; a chart built after that still takes the app's."""
    from dashboard.charts.timeline import timeline_figure
    from tests.dashboard.test_charts import COLOURS, CTX, cells_frame

    before = pio.templates.default
    try:
        pio.templates.default = "plotly"  # what an import of streamlit.elements does
        fig = timeline_figure(cells_frame(), COLOURS, CTX)
        assert fig.layout.template.layout.colorway == tuple(theme.PALETTE)
    finally:
        pio.templates.default = before
