"""AppTests of analysts' reviews as the reader sees them, on `curated_warehouse` (a warehouse
built by the real ETL and corrected through its CLI): rings on reviewed marks, the review line
of every evidence card (escaped), and the briefing-safe filter in the sidebar and the link."""

from __future__ import annotations

import duckdb
import pytest

from tests.dashboard.conftest import CuratedWarehouse
from tests.dashboard.test_app import charts, html_text, marks, open_app, plain, trace

TIMELINE = "Timeline of Kazakhstan's initiatives"


@pytest.fixture(autouse=True)
def _curated(curated_warehouse: CuratedWarehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every AppTest here reads the corrected warehouse."""
    monkeypatch.setenv("IM_DB_PATH", str(curated_warehouse.db))


def _ring_points(figure: object, name: str) -> int:
    return sum(x is not None for x in trace(figure, name).x)


def test_the_timeline_rings_reviewed_marks_and_names_them_in_the_legend() -> None:
    figure = charts(open_app("timeline"))[TIMELINE]
    # CICA held 2022: both events confirmed; IOFS founded 2012 (edited), held 2023 (added)
    assert _ring_points(figure, "Analyst-confirmed") == 1
    assert _ring_points(figure, "Analyst-added or edited") == 2
    assert trace(figure, "Analyst-added or edited").marker.symbol == "square-open"
    assert trace(figure, "Machine-read").showlegend
    assert len(marks(figure)) == 5  # AIF 2022, CICA 2022, IOFS founded 2011 and 2012, held 2023


def test_the_briefing_safe_toggle_keeps_reviewed_facts_and_stays_in_the_link() -> None:
    at = open_app("timeline")
    assert at.toggle(key="filter_reviewed").value is False
    at.toggle(key="filter_reviewed").set_value(True).run()
    assert at.query_params["reviewed"] == "1"
    assert "Only analyst-reviewed facts" in plain(" ".join(c.value for c in at.sidebar.caption))
    figure = charts(at)[TIMELINE]
    assert figure.layout.title.subtitle.text == "Only analyst-reviewed facts"
    assert len(marks(figure)) == 3
    linked = open_app("membership", reviewed="1")
    assert linked.toggle(key="filter_reviewed").value is True
    assert [list(t.y) for t in charts(linked)[next(iter(charts(linked)))].data
            if t.name == "Reported in articles"] == [[27]]
    disagreements = open_app("disagreements", reviewed="1")
    assert disagreements.query_params["reviewed"] == "1"
    at.button(key="reset_filters").click().run()
    assert "reviewed" not in at.query_params and at.toggle(key="filter_reviewed").value is False


def test_evidence_says_who_reviewed_a_fact_and_shows_their_words_as_text(
        curated_warehouse: CuratedWarehouse) -> None:
    confirmed = html_text(open_app("timeline", event=curated_warehouse.confirmed_events[0]))
    assert "Analyst-confirmed by ana on " in confirmed
    assert "&lt;script&gt;alert(&#x27;reason&#x27;)&lt;/script&gt;" in confirmed
    assert "<script>alert('reason')" not in confirmed
    edited = html_text(open_app("timeline", event=curated_warehouse.edited_event))
    assert "Analyst-edited by ana on " in edited and "charter signed in September 2012" in edited
    added = html_text(open_app("timeline", event=curated_warehouse.added_event))
    assert "Analyst-added by cy on " in added
    figure = html_text(open_app("membership", org="CICA",
                                figure=curated_warehouse.edited_figure))
    assert "Analyst-edited by ana on " in figure
    with duckdb.connect(str(curated_warehouse.db), read_only=True) as con:
        machine = con.execute("SELECT event_id FROM curated_events WHERE review = 'unreviewed' "
                              "LIMIT 1").fetchone()[0]
    assert "Machine-read, not yet reviewed" in html_text(open_app("timeline", event=machine))
    # a cell of several events lists each with its review
    cell = html_text(open_app("timeline", event="CICA.held.2022"))
    assert cell.count("Analyst-confirmed by ana on ") == 2


def test_a_rejected_fact_opens_no_evidence(curated_warehouse: CuratedWarehouse) -> None:
    at = open_app("timeline", event=curated_warehouse.rejected_event)
    assert "not in view" in " ".join(w.value for w in at.warning)
    assert "first held in 2023" not in html_text(at)
