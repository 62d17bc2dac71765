"""One Plotly template and one colour map for the whole app, registered once on import.

Colours are assigned from the *full reference lists* (every initiative and theme in the
warehouse; initiatives ranked by how often the whole corpus mentions them, so the prominent ones
never share a colour), never from what a filter left on screen, so CICA is the same blue on
every chart and in every filtered view. The palette is colour-blind safe: Okabe-Ito's colours
followed by Paul Tol's 'muted' scheme; colour is never the only carrier of meaning (every mark
is named in its hover, legend or axis).
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go
import plotly.io as pio

from dashboard.settings import read_vocabulary

TEMPLATE_NAME = "initiative_monitor"

# Okabe-Ito (without black, and with the pale yellow last), then Paul Tol's muted scheme.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#332288",  # indigo
    "#117733",  # green
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
    "#CC6677",  # rose
    "#88CCEE",  # cyan
    "#DDCC77",  # sand
    "#F0E442",  # yellow
)
NEUTRAL = "#6E6E6E"  # reference series, annotations: 'not one of the categories'
GRID = "#E3E3E3"
TEXT = "#222222"
MUTED_TEXT = "#555555"
# Heatmaps: one hue from near-white (none) to dark blue (most): monotone in lightness, so it
# reads the same to colour-blind readers and in greyscale print.
SEQUENTIAL = "Blues"

FONT_FAMILY = "Inter, 'Segoe UI', 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif"
BASE_FONT_SIZE = 14
PRESENTATION_SCALE = 1.3  # presentation mode enlarges every text by this factor

# Event types and membership kinds: labels and marker symbols from the shared vocabulary
# (data/reference/vocabulary.toml, the ETL's `event_types` and `membership_kinds` tables),
# read once, when the module loads.
_VOCABULARY = read_vocabulary()
# Founding acts are stars/diamonds, meetings circles, membership triangles, documents squares;
# open symbols mark the weaker variant of their family.
EVENT_SYMBOLS: dict[str, str] = {name: str(entry["marker"])
                                 for name, entry in _VOCABULARY["event_types"].items()}
EVENT_LABELS: dict[str, str] = {name: str(entry["label"])
                                for name, entry in _VOCABULARY["event_types"].items()}
UNKNOWN_EVENT_SYMBOL = "x"


def event_symbol(event_type: str) -> str:
    """The marker symbol of an event type (an unknown type gets a cross, never an error)."""
    return EVENT_SYMBOLS.get(event_type, UNKNOWN_EVENT_SYMBOL)


def event_type_label(event_type: str) -> str:
    """Display name of an event type: 'first_held' -> 'first held'."""
    return EVENT_LABELS.get(event_type, event_type.replace("_", " "))


# What a membership figure counts (the warehouse's `memberships.kind`), in the analyst's words
MEMBERSHIP_KIND_LABELS: dict[str, str] = {
    name: str(entry["label"]) for name, entry in _VOCABULARY["membership_kinds"].items()}


def membership_kind_label(kind: str) -> str:
    """Display name of a membership kind (an unknown kind reads as its words)."""
    return MEMBERSHIP_KIND_LABELS.get(kind, kind.replace("_", " "))


def colour_map(ids: Iterable[str], *, ranked: bool = False) -> dict[str, str]:
    """A colour for every id from the palette (cycling when longer).

    Pass the full reference list (all initiatives, all themes), not a filtered one: the map
    then never shifts when a filter hides some ids. Ids are coloured in sorted order, or, with
    `ranked`, in the order given (most prominent first), so that when there are more ids than
    colours the repeats fall on ids that are rarely on screen together.
    """
    ordered = list(dict.fromkeys(ids)) if ranked else sorted(set(ids))
    return {item: PALETTE[i % len(PALETTE)] for i, item in enumerate(ordered)}


def build_template() -> go.layout.Template:
    """The app's template: white background, light grid, legible type at a 1280x720 screenshot."""
    axis = {
        "gridcolor": GRID,
        "linecolor": "#BBBBBB",
        "zerolinecolor": GRID,
        "ticks": "outside",
        "tickcolor": "#BBBBBB",
        "title": {"standoff": 8},
        "automargin": True,
    }
    return go.layout.Template(
        layout={
            "font": {"family": FONT_FAMILY, "size": BASE_FONT_SIZE, "color": TEXT},
            "title": {"font": {"size": 20}, "x": 0, "xanchor": "left", "xref": "container",
                      "pad": {"l": 16}},
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "colorway": list(PALETTE),
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"bgcolor": "rgba(255,255,255,0.85)", "font": {"size": 13}},
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": 13}, "align": "left"},
            "margin": {"l": 16, "r": 24, "t": 96, "b": 96},
            "colorscale": {"sequential": SEQUENTIAL},
        }
    )


pio.templates[TEMPLATE_NAME] = build_template()


def use_template() -> None:
    """Make the app's template the default again if something replaced it.

    Every figure takes the default template at construction (naming it per figure costs
    ~4 ms). Importing Streamlit's Plotly element sets its own default ("streamlit", whose
    colours are placeholders its front end fills in), so a process that imports Streamlit
    after this module would draw with it; chart builders call this first."""
    if pio.templates.default != TEMPLATE_NAME:
        pio.templates.default = TEMPLATE_NAME


use_template()
