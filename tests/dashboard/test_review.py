"""Review states and their styles (pure): labels, the rule of a mark standing for several
facts, the review line of an evidence card, the rings charts draw, the filter's link form, and
a briefing pack's citations."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import pytest

from dashboard import briefing, explain, review
from dashboard.charts.framing import HALO_PAD, mark_size
from dashboard.charts.membership import membership_figure
from dashboard.charts.timeline import timeline_figure
from dashboard.components import evidence_card_html
from dashboard.filters import REVIEWED_ONLY_LINE, Filters
from etl.settings import PROJECT_ROOT
from tests.dashboard.conftest import CuratedWarehouse
from tests.dashboard.test_charts import COLOURS, CTX, cells_frame, membership_frames

CONFIRMED, ANALYST = "Analyst-confirmed", "Analyst-added or edited"


def test_review_states_are_the_warehouse_s() -> None:
    schema = (PROJECT_ROOT / "etl" / "schema.sql").read_text(encoding="utf-8")
    written = re.search(r"review\s+VARCHAR NOT NULL,\s+-- ([a-z |]+)", schema)
    assert written is not None
    assert {s.strip() for s in written.group(1).split("|")} | {review.UNREVIEWED} == set(
        review.REVIEW_STATES)
    assert review.ANALYST_REVIEWS == ("edited", "added")
    assert [m.label for m in review.REVIEW_MARKS.values()] == ["Machine-read", CONFIRMED, ANALYST]
    # told apart by shape, not colour alone
    assert len({m.halo for m in review.REVIEW_MARKS.values()}) == 3


def test_the_warehouse_writes_only_known_states(curated_warehouse: CuratedWarehouse) -> None:
    with duckdb.connect(str(curated_warehouse.db), read_only=True) as con:
        seen = {r for (r,) in con.execute(
            "SELECT review FROM curated_events UNION SELECT review FROM reviewed_events "
            "UNION SELECT review FROM curated_memberships").fetchall()}
    assert seen == set(review.REVIEW_STATES)


@pytest.mark.parametrize("facts, reviewed, analyst, mark", [
    (1, 0, 0, "machine"), (3, 2, 0, "machine"), (3, 3, 0, "confirmed"), (1, 1, 0, "confirmed"),
    (3, 1, 1, "analyst"), (1, 1, 1, "analyst"), (5, 5, 1, "analyst"), (0, 0, 0, "machine"),
    (2, None, float("nan"), "machine"),
])
def test_a_mark_takes_the_analyst_style_for_any_analyst_set_fact_and_confirmed_for_all(
        facts: object, reviewed: object, analyst: object, mark: str) -> None:
    assert review.cell_mark(facts, reviewed, analyst) == mark


def test_state_labels_and_review_counts() -> None:
    assert review.state_label("confirmed") == "analyst-confirmed"
    assert review.state_label(None) == review.state_label("unreviewed") == "machine-read"
    assert review.review_counts(5, 2, "event") == "2 of 5 events analyst-reviewed"
    assert review.review_counts(1, 1) == review.review_counts(4, 0) == ""
    assert "round ring" in review.ring_rule("events") and "square frame" in review.ring_rule()


def test_the_review_line_says_who_when_and_why() -> None:
    when = pd.Timestamp("2026-12-06 14:03:00")
    assert explain.review_line({"review": "confirmed", "reviewed_by": "ana",
                                "reviewed_at": when, "review_reason": " checked \n twice"}) == (
        "Analyst-confirmed by ana on 6 Dec 2026: checked twice")
    assert explain.review_line({"review": "edited", "reviewed_by": "ana",
                                "reviewed_at": when, "review_reason": None}) == (
        "Analyst-edited by ana on 6 Dec 2026")
    assert explain.review_line({"review": "added", "reviewed_by": "cy",
                                "reviewed_at": pd.NaT}) == "Analyst-added by cy"
    for row in ({"review": "unreviewed"}, {}, {"review": None}, {"review": float("nan")}):
        assert explain.review_line(row) == "Machine-read, not yet reviewed"
    assert explain.review_date(dt.datetime(2026, 1, 2, 3, 4)) == "2 Jan 2026"


def test_an_evidence_card_escapes_the_analyst_s_words() -> None:
    row = {"title": "T", "outlet": "O", "url": None, "published": None,
           "published_precision": None, "sentence_no": 3, "review": "confirmed",
           "reviewed_by": "<b>ana</b>", "reviewed_at": pd.Timestamp("2026-12-06"),
           "review_reason": "<script>alert(1)</script>"}
    card = evidence_card_html("Heading", "A sentence.", row, review=explain.review_line(row))
    assert "<script" not in card and "<b>ana" not in card
    assert ("<div class='im-meta im-review'>Analyst-confirmed by &lt;b&gt;ana&lt;/b&gt; on "
            "6 Dec 2026: &lt;script&gt;alert(1)&lt;/script&gt;</div>") in card
    assert "im-review" not in evidence_card_html("Heading", "A sentence.", row)


def _reviewed_cells() -> pd.DataFrame:
    """`cells_frame` with review counts: CICA proposed 1992 confirmed, CICA held 2002 (three
    events) two confirmed and one edited, AIF 2023 (20,000 events) partly confirmed."""
    return cells_frame().assign(reviewed=[1, 0, 3, 0, 19_999], analyst_set=[0, 0, 1, 0, 0])


def test_timeline_rings_reviewed_marks_with_one_trace_per_style() -> None:
    fig = timeline_figure(_reviewed_cells(), COLOURS, CTX)
    rings = {t.name: t for t in fig.data if t.legendgroup == "review"}
    assert list(rings) == ["Machine-read", CONFIRMED, ANALYST]
    confirmed, analyst = rings[CONFIRMED], rings[ANALYST]
    assert confirmed.marker.symbol == "circle-open" and analyst.marker.symbol == "square-open"
    assert list(confirmed.x) == [pd.Timestamp("1992-10-05")]  # CICA proposed, confirmed
    assert list(analyst.x) == [pd.Timestamp("2002-07-01")]  # CICA held: one event edited
    assert list(analyst.marker.size) == [mark_size(3) + HALO_PAD]
    assert analyst.marker.line.width > confirmed.marker.line.width
    assert list(rings["Machine-read"].x) == [None]  # a legend entry only
    # rings neither hover nor take clicks; they carry no id
    assert all(t.hoverinfo == "skip" and t.customdata is None for t in rings.values())
    assert rings[ANALYST].meta == {"review_mark": "analyst"}


def test_timeline_hover_says_who_reviewed_an_event_and_how_many_of_a_mark_were() -> None:
    cells = _reviewed_cells().assign(
        review=["confirmed", "unreviewed", None, "unreviewed", None],
        reviewed_by=["ana", None, None, None, None],
        reviewed_at=[dt.datetime(2026, 12, 6, 9, 30), None, None, None, None],
        review_reason=["<b>checked</b> the minutes", None, None, None, None])
    fig = timeline_figure(cells, COLOURS, CTX)
    hovers = {c[0]: c[5] for t in fig.data if t.customdata is not None
              for c in t.customdata}
    assert hovers["e1"].endswith(
        "<br>Analyst-confirmed by ana on 6 Dec 2026: &lt;b&gt;checked&lt;/b&gt; the minutes")
    assert "analyst" not in hovers["e2"].lower()  # machine-read: the source line alone
    held = next(v for k, v in hovers.items() if str(k).startswith("CICA") and "held" in str(k))
    assert held.endswith("Click to read their sentences<br>3 of 3 events analyst-reviewed")


def test_timeline_without_reviews_draws_no_rings_and_no_review_legend() -> None:
    for frame in (cells_frame(), cells_frame().assign(reviewed=0, analyst_set=0)):
        fig = timeline_figure(frame, COLOURS, CTX)
        assert not [t for t in fig.data if t.legendgroup == "review"]


def test_membership_rings_reviewed_points_and_milestones() -> None:
    reported, reference, milestones = membership_frames()
    reported = reported.assign(reviewed=[1, 2], analyst_set=[1, 0])
    milestones = milestones.assign(reviewed=[2, 0], analyst_set=[0, 0])
    fig = membership_figure(reported, reference, milestones, organisation="CICA",
                            kind_label="member states", colour=COLOURS["CICA"], ctx=CTX)
    rings = {t.name: t for t in fig.data if t.legendgroup == "review"}
    assert list(rings[ANALYST].x) == [2002] and list(rings[ANALYST].y) == [16]
    confirmed = list(zip(rings[CONFIRMED].x, rings[CONFIRMED].y, strict=True))
    assert confirmed[0] == (2023, 28)  # both reports confirmed
    assert len(confirmed) == 2 and confirmed[1][0] == pytest.approx(2002.42, abs=0.01)


def test_the_briefing_safe_filter_round_trips_through_the_link() -> None:
    safe = Filters(reviewed_only=True, event_years=(2002, 2023))
    assert safe.to_query_params() == {"ey": "2002-2023", "reviewed": "1"}
    assert Filters.from_query_params(safe.to_query_params()) == safe
    assert Filters.from_query_params({"reviewed": "yes"}).reviewed_only
    assert not Filters.from_query_params({"reviewed": "0"}).reviewed_only
    assert not Filters.from_query_params({"reviewed": "<x>"}).reviewed_only
    assert safe.describe() == f"Events 2002–2023 · {REVIEWED_ONLY_LINE}"
    assert not Filters(reviewed_only=True).is_empty
    assert not Filters(reviewed_only=True).filters_facts  # like the floor: no article filter


def test_a_briefing_pack_cites_who_reviewed_a_fact() -> None:
    rows = _reviewed_cells().iloc[[0, 1]].assign(
        review=["confirmed", "unreviewed"], reviewed_by=["ana", None],
        reviewed_at=[pd.Timestamp("2026-12-06"), pd.NaT], review_reason=["=HYPERLINK()", None])
    chart = briefing.BriefingChart(timeline_figure(rows, COLOURS, CTX), rows, CTX)
    labels = [c.label for c in briefing.citations_of(chart)]
    assert labels[0].endswith(" · Analyst-confirmed by ana on 6 Dec 2026: =HYPERLINK()")
    assert "Analyst" not in labels[1]
    csv = briefing.csv_export.csv_bytes(rows).decode("utf-8")
    assert "review,reviewed_by,reviewed_at,review_reason" in csv
    assert ",'=HYPERLINK()" in csv  # never a formula
