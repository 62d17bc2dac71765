"""End to end in headless Chromium: `streamlit run` over a warehouse the real ETL built.

Every page opens and draws its charts without an error; a filter picked in the sidebar
narrows the view and lands in the URL; a shared link sets the widgets and survives moving to
another page; a click on a timeline marker opens its evidence (one event's sentence, or the
sentences behind a marker of several, a page at a time); presentation mode hides the sidebar.
Each page is saved as a 1280x720 screenshot (see `artifact_dir` in conftest.py).

What the pages should show is read from the same warehouse through `dashboard.queries`, so the
tests follow the corpus (and the ETL) instead of hard-coding counts.
"""

from __future__ import annotations

import re
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import duckdb
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from dashboard import queries
from dashboard.filters import Filters
from dashboard.marks import EventCell
from dashboard.settings import DashboardSettings
from tests.e2e import harness

pytestmark = pytest.mark.browser



def mark_ids(cells: pd.DataFrame) -> frozenset[str]:
    """The ids the timeline's marks carry: an event's id for a mark of one event, else the
    key of its cell (initiative, event type, year)."""
    return frozenset(str(r.event_id) if r.events == 1 else
                     EventCell(r.initiative_id, r.event_type, int(r.year)).key
                     for r in cells.itertuples())


@dataclass(frozen=True)
class Facts:
    """What the warehouse says the pages must show, for the views the tests open."""

    articles: int
    disagreements: int
    event_ids: frozenset[str]  # the ids of the timeline's marks (events, or cells of several)
    events: int
    themes: int  # themes with keyword hits (bars of the frequency chart)
    initiative_labels: dict[str, str]
    theme_labels: dict[str, str]
    event_years: tuple[int, int]
    # (b) a theme picked in the sidebar, and the articles left
    theme: str
    theme_articles: int
    # (b) the event-year slider's start moved one year on, and the events left
    later_start: int
    later_event_ids: frozenset[str]
    # (c) a shared link: two initiatives and a year range, and the events in that view
    shared: Filters
    shared_event_ids: frozenset[str]
    shared_dated_events: int
    # (d) the event whose marker is clicked
    event_id: str
    sentence: str
    title: str
    outlet: str
    # (d) a marker of several events, and their sentences
    cell_key: str
    cell_events: int
    cell_sentences: frozenset[str]


@pytest.fixture(scope="session")
def facts(built_warehouse: Path) -> Facts:
    with duckdb.connect(str(built_warehouse), read_only=True) as con:
        everything = Filters()
        cells = queries.timeline_cells(con, everything)
        frequency = queries.theme_frequency(con, everything)
        headline = queries.headline_figures(con, everything).iloc[0]
        initiatives = queries.initiative_list(con)
        themes = queries.theme_list(con)
        bounds = queries.year_bounds(con).iloc[0]
        articles = int(headline["articles"])
        disagreements = int(queries.disagreement_summary(con, everything)["disagreements"].sum())

        # the theme carried by the fewest articles (but some), so picking it narrows the view
        narrowing = frequency[(frequency["articles"] > 0) & (frequency["articles"] < articles)]
        assert not narrowing.empty, "the corpus needs a theme some articles lack"
        theme = narrowing.sort_values(["articles", "theme"]).iloc[0]["theme"]
        theme_articles = int(queries.headline_figures(con, Filters(themes=(theme,)))
                             .iloc[0]["articles"])

        event_years = (int(bounds["event_min"]), int(bounds["event_max"]))
        later_start = event_years[0] + 1  # one step of the slider drops the first year
        later = queries.timeline_cells(
            con, Filters(event_years=(int(later_start), event_years[1])))

        # a shared link: the two initiatives with most events, from their second year on
        top = (cells.groupby("initiative_id")["events"].sum().reset_index(name="n")
               .sort_values(["n", "initiative_id"], ascending=[False, True])
               .head(2)["initiative_id"].tolist())
        years = sorted({int(y) for y in cells.loc[cells["initiative_id"].isin(top), "year"]})
        shared = Filters(event_years=(years[1], event_years[1]), initiatives=tuple(top))
        shared_cells = queries.timeline_cells(con, shared)
        shared_dated = int(queries.headline_figures(con, shared).iloc[0]["events"])

        # the marker to click: of one event, the longest sentence (its hover is shortened,
        # the panel is not)
        sourced = cells[(cells["events"] == 1) & cells["title"].notna()
                        & cells["outlet"].notna()].copy()
        sourced["length"] = sourced["sentence"].str.len()
        chosen = sourced.sort_values(["length", "event_id"], ascending=[False, True]).iloc[0]
        # and the marker of most events
        fullest = cells.sort_values(["events", "initiative_id", "event_type", "year"],
                                    ascending=[False, True, True, True]).iloc[0]
        assert fullest["events"] > 1, "the corpus needs a marker of several events"
        behind = queries.cell_events(con, everything, fullest["initiative_id"],
                                     fullest["event_type"], int(fullest["year"]), 1000)

    everything_in_top = cells[cells["initiative_id"].isin(top)]
    assert 0 < shared_cells["events"].sum() < everything_in_top["events"].sum()
    assert 0 < later["events"].sum() < cells["events"].sum()
    return Facts(
        articles=articles,
        disagreements=disagreements,
        event_ids=mark_ids(cells),
        events=int(cells["events"].sum()),
        themes=len(frequency),
        initiative_labels=dict(zip(initiatives["initiative_id"], initiatives["label"],
                                   strict=True)),
        theme_labels=dict(zip(themes["theme"], themes["label"], strict=True)),
        event_years=event_years,
        theme=str(theme),
        theme_articles=theme_articles,
        later_start=int(later_start),
        later_event_ids=mark_ids(later),
        shared=shared,
        shared_event_ids=mark_ids(shared_cells),
        shared_dated_events=shared_dated,
        event_id=str(chosen["event_id"]),
        sentence=str(chosen["sentence"]),
        title=str(chosen["title"]),
        outlet=str(chosen["outlet"]),
        cell_key=EventCell(str(fullest["initiative_id"]), str(fullest["event_type"]),
                           int(fullest["year"])).key,
        cell_events=int(fullest["events"]),
        cell_sentences=frozenset(behind["sentence"]),
    )


# --- helpers ---------------------------------------------------------------------------------


def query(page: Page) -> dict[str, list[str]]:
    """The page URL's query parameters."""
    return parse_qs(urlsplit(page.url).query)


def assert_no_error(page: Page) -> None:
    """No Streamlit exception element, no error box, no traceback text on the page."""
    harness.wait_until_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
    expect(page.locator(harness.APP_ROOT)).not_to_contain_text(
        re.compile(r"Traceback|Exception|Error:"))


def metric(page: Page, label: str):
    """The value element of the headline figure called `label`."""
    return (page.get_by_test_id("stMetric").filter(has_text=label)
            .get_by_test_id("stMetricValue"))


def sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def chips(page: Page, key: str):
    """The selected values shown in the multiselect with widget key `key`."""
    return harness.element(page, key).locator("[data-tag]")


def expect_markers(page: Page, key: str, wanted: frozenset[str]) -> None:
    """Wait until chart `key` draws exactly the markers of `wanted` (by id)."""
    harness.wait_for_markers(page, key, wanted, timeout_ms=harness.EXPECT_TIMEOUT_MS)


def chart_box(page: Page, key: str):
    """The element holding chart `key` in the current run (title, subtitle, source line)."""
    return harness.element(page, key)


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


# --- (a) every page renders, (f) and is saved as a screenshot ---------------------------------


def check_overview(page: Page, facts: Facts) -> None:
    expect(metric(page, "Articles")).to_have_text(str(facts.articles))
    expect(metric(page, "Dated events")).to_have_text(str(facts.events))
    for key in ("overview_events_chart", "overview_themes_chart"):
        expect(harness.chart(page, key).locator("g.barlayer path").first).to_be_visible()
    bars = harness.chart(page, "overview_themes_chart").locator("g.barlayer g.point")
    expect(bars).to_have_count(min(8, facts.themes))


def check_timeline(page: Page, facts: Facts) -> None:
    expect_markers(page, "timeline_chart", facts.event_ids)
    expect(page.get_by_text("Click a marker to read the sentences it stands for.")
           ).to_be_visible()


def check_membership(page: Page, facts: Facts) -> None:
    expect(chart_box(page, "membership_chart")).to_contain_text("member states over time")
    figure = harness.chart(page, "membership_chart")
    expect(figure.locator("g.legend")).to_contain_text("Reported in articles")
    expect(figure.locator("g.points path.point").first).to_be_visible()
    expect(page.get_by_role("combobox", name="Organisation")).to_be_visible()


def check_topics(page: Page, facts: Facts) -> None:
    bars = harness.chart(page, "topics_frequency_chart").locator("g.barlayer g.point")
    expect(bars).to_have_count(facts.themes)
    for key in ("topics_by_year_chart", "topics_by_initiative_chart"):
        expect(harness.chart(page, key).locator("g.heatmaplayer image")).to_have_count(1)


def check_articles(page: Page, facts: Facts) -> None:
    expect(page.get_by_text(f"{facts.articles} articles, newest first")).to_be_visible()
    expect(harness.element(page, "articles_table").get_by_test_id("stDataFrame")).to_be_visible()
    # open the article of the clicked event in the reader: mentions and dates highlighted
    harness.pick_option(page, page.get_by_role("combobox", name="Read article"), facts.title)
    reader = harness.element(page, "article_reader")
    expect(reader.get_by_role("heading", name=facts.title)).to_be_visible()
    expect(reader.locator(".im-reader mark.mention").first).to_be_visible()
    expect(reader.locator(".im-reader mark.date").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]article="))
    page.mouse.move(0, 0)
    harness.scroll_main(page, to=0)


def check_disagreements(page: Page, facts: Facts) -> None:
    if facts.disagreements:
        expect(metric(page, "Disagreements")).to_have_text(str(facts.disagreements))
        expect(page.get_by_test_id("stExpander").first).to_be_visible()
    else:
        expect(page.get_by_text("The sources do not disagree")).to_be_visible()


def check_search(page: Page, facts: Facts) -> None:
    expect(page.get_by_role("textbox", name="Search the sentences of the articles in view")
           ).to_be_visible()


def check_add_articles(page: Page, facts: Facts) -> None:
    expect(page.get_by_test_id("stFileUploader")).to_be_visible()


def check_review(page: Page, facts: Facts) -> None:
    expect(page.get_by_test_id("stProgress")).to_contain_text("facts in view reviewed")
    expect(page.get_by_role("button", name="Skip (next)")).to_be_visible()


CHECKS = {"overview": check_overview, "timeline": check_timeline,
          "membership": check_membership, "topics": check_topics,
          "disagreements": check_disagreements, "articles": check_articles,
          "search": check_search, "add_articles": check_add_articles,
          "review": check_review}


def test_the_sidebar_lists_every_page_the_tests_open(tour: Page) -> None:
    """The sidebar shows exactly the app's list of pages (dashboard/pages.py), which the
    tour below opens one by one: no page is drawn that the tests do not open."""
    links = sidebar(tour).get_by_test_id("stSidebarNav").get_by_role("link")
    expect(links.first).to_be_visible()
    # a link's text is its icon's name (a font ligature), then its title
    shown = {(links.nth(i).inner_text().split("\n")[-1].strip(),
              urlsplit(links.nth(i).get_attribute("href") or "").path)
             for i in range(links.count())}
    covered = {(p.nav, p.path) for p in harness.PAGES.values()}
    assert shown == covered, (f"pages in the sidebar without a browser test: "
                              f"{sorted(shown - covered)}; tested pages not in the sidebar: "
                              f"{sorted(covered - shown)} (dashboard/pages.py, harness.HEADINGS)")
    assert set(CHECKS) <= set(harness.PAGES)  # a page without checks of its own gets the tour's


def go_to(tab: Page, app_page: harness.AppPage) -> None:
    """Open `app_page` through its link in the sidebar (unless the tab is already there)."""
    if urlsplit(tab.url).path != app_page.path:
        sidebar(tab).get_by_test_id("stSidebarNav").get_by_role(
            "link", name=app_page.nav, exact=True).click()
    expect(tab).to_have_url(re.compile(rf"^[a-z]+://[^/]+{re.escape(app_page.path)}(\?|$)"))
    harness.wait_until_idle(tab)


@pytest.mark.parametrize("name", list(harness.PAGES))
def test_every_page_renders_without_error(tour: Page, facts: Facts, artifact_dir: Path,
                                          name: str) -> None:
    app_page = harness.PAGES[name]
    go_to(tour, app_page)
    expect(tour.get_by_role("heading", name=app_page.heading, level=1)).to_be_visible()
    expect(sidebar(tour).get_by_text("Filters", exact=True)).to_be_visible()
    # a page without checks of its own is still opened, its heading and filters checked, its
    # errors looked for and its screenshot taken
    CHECKS.get(name, lambda _page, _facts: None)(tour, facts)
    assert_no_error(tour)

    shot = artifact_dir / f"{name}.png"
    tour.screenshot(path=shot)
    assert png_size(shot) == (1280, 720)


# --- (b) a filter applied in the sidebar ---------------------------------------------------


def test_a_theme_picked_in_the_sidebar_filters_the_page_and_the_url(
        page: Page, dashboard_url: str, facts: Facts) -> None:
    harness.open_view(page, dashboard_url, "/")
    expect(metric(page, "Articles")).to_have_text(str(facts.articles))
    label = facts.theme_labels[facts.theme]
    harness.wait_until_idle(page)
    # (no Escape to close the list: pressed while the app reruns, it stops the run)
    for attempt in range(3):  # a list opened while a rerun redraws the sidebar closes unchosen
        harness.pick_option(page, page.get_by_role("combobox", name="Themes"), label)
        try:
            expect(chips(page, "filter_themes")).to_have_count(1, timeout=5_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
            harness.wait_until_idle(page)
    expect(chips(page, "filter_themes")).to_have_text([label])

    expect(metric(page, "Articles")).to_have_text(str(facts.theme_articles))
    expect(chips(page, "filter_themes")).to_have_text([label])
    expect(sidebar(page)).to_contain_text(f"Themes: {label}")
    expect(chart_box(page, "overview_themes_chart")).to_contain_text(f"Themes: {label}")
    expect(harness.chart(page, "overview_themes_chart").locator("g.barlayer g.point")
           ).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]theme="))
    assert query(page) == {"theme": [facts.theme]}
    assert_no_error(page)


def test_the_event_year_slider_narrows_the_timeline_and_the_url(
        page: Page, dashboard_url: str, facts: Facts) -> None:
    harness.open_view(page, dashboard_url, "/timeline")
    expect_markers(page, "timeline_chart", facts.event_ids)
    start = page.get_by_role("slider", name="Event years — start")
    expect(start).to_have_value(str(facts.event_years[0]))

    start.focus()
    for _ in range(facts.later_start - facts.event_years[0]):
        page.keyboard.press("ArrowRight")

    wanted = f"{facts.later_start}-{facts.event_years[1]}"
    expect(page).to_have_url(re.compile(rf"[?&]ey={wanted}(&|$)"))
    harness.wait_until_idle(page)
    expect(chart_box(page, "timeline_chart")).to_contain_text(
        f"Events {facts.later_start}–{facts.event_years[1]}")
    expect_markers(page, "timeline_chart", facts.later_event_ids)
    assert query(page) == {"ey": [wanted]}
    assert_no_error(page)


# --- (c) a shared link -----------------------------------------------------------------------


def expect_shared_filters(page: Page, facts: Facts) -> None:
    """The sidebar widgets show the shared link's filters."""
    low, high = facts.shared.event_years or facts.event_years
    expect(chips(page, "filter_initiatives")).to_have_text(
        [facts.initiative_labels[i] for i in facts.shared.initiatives])
    expect(page.get_by_role("slider", name="Event years — start")).to_have_value(str(low))
    expect(page.get_by_role("slider", name="Event years — end")).to_have_value(str(high))
    expect(chips(page, "filter_themes")).to_have_count(0)


def shared_query(facts: Facts) -> dict[str, list[str]]:
    low, high = facts.shared.event_years or facts.event_years
    return {"ey": [f"{low}-{high}"], "init": list(facts.shared.initiatives)}


def test_a_shared_link_sets_the_filters_and_they_survive_a_page_switch(
        page: Page, dashboard_url: str, facts: Facts) -> None:
    wanted = shared_query(facts)
    link = "/timeline?" + urlencode(wanted, doseq=True)
    harness.open_view(page, dashboard_url, link)

    expect_shared_filters(page, facts)
    expect_markers(page, "timeline_chart", facts.shared_event_ids)
    assert query(page) == wanted

    sidebar(page).get_by_test_id("stSidebarNav").get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"^[^?]*/\?"))
    harness.wait_until_idle(page)
    expect_shared_filters(page, facts)
    expect(metric(page, "Dated events")).to_have_text(str(facts.shared_dated_events))
    assert query(page) == wanted

    sidebar(page).get_by_test_id("stSidebarNav").get_by_role(
        "link", name="Timeline of initiatives").click()
    expect(page).to_have_url(re.compile(r"/timeline\?"))
    harness.wait_until_idle(page)
    expect_markers(page, "timeline_chart", facts.shared_event_ids)
    assert query(page) == wanted
    assert_no_error(page)


# --- (d) a click on a timeline marker opens its evidence ----------------------------------


def test_clicking_a_timeline_marker_shows_its_evidence(
        page: Page, dashboard_url: str, facts: Facts, artifact_dir: Path) -> None:
    harness.open_view(page, dashboard_url, "/timeline")
    expect_markers(page, "timeline_chart", facts.event_ids)

    harness.click_point(page, "timeline_chart", facts.event_id)

    card = harness.element(page, "timeline_evidence").locator(".im-evidence")
    expect(card).to_be_visible()
    expect(card.locator("blockquote")).to_have_text(f"“{facts.sentence}”")
    expect(card).to_contain_text(facts.title)
    expect(card).to_contain_text(facts.outlet)
    expect(page).to_have_url(re.compile(rf"[?&]event={facts.event_id}(&|$)"))
    assert_no_error(page)
    page.screenshot(path=artifact_dir / "evidence.png")

    page.get_by_role("button", name="Close evidence").click()
    expect(card).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"[?&]event="))


def test_clicking_a_marker_of_several_events_lists_their_sentences(
        page: Page, dashboard_url: str, facts: Facts) -> None:
    harness.open_view(page, dashboard_url, "/timeline")
    expect_markers(page, "timeline_chart", facts.event_ids)

    harness.click_point(page, "timeline_chart", facts.cell_key)

    cards = harness.element(page, "timeline_evidence").locator(".im-evidence")
    shown = min(facts.cell_events, DashboardSettings().evidence_page_size)
    expect(cards).to_have_count(shown)
    expect(harness.element(page, "timeline_evidence")).to_contain_text(
        f"{facts.cell_events} events")
    expect(page).to_have_url(re.compile(rf"[?&]event={re.escape(facts.cell_key)}(&|$)"))
    quotes = {q.strip("“”") for q in cards.locator("blockquote").all_inner_texts()}
    assert quotes <= facts.cell_sentences and len(quotes) >= 1
    assert_no_error(page)


def test_clicking_an_attention_point_lists_the_articles_of_its_period(
        page: Page, dashboard_url: str) -> None:
    harness.open_view(page, dashboard_url, "/attention")
    deadline = time.monotonic() + 20
    while not (points := harness.plot_points(page, "attention_chart")):
        assert time.monotonic() < deadline, "the attention chart drew no point"
        page.wait_for_timeout(100)
    # the point of most articles (customdata: key, period, articles, all articles): it stands
    # above the zero line, so a click on it cannot land on a neighbouring period
    # (the event marks above the plot carry no key)
    busiest = max((p for p in points if p["id"]), key=lambda p: (p["custom"][2], p["id"]))
    count = int(busiest["custom"][2])
    assert count > 0
    harness.select_point(page, "attention_chart", busiest["id"], "point")

    listing = harness.element(page, "attention_articles")
    cards = listing.locator(".im-evidence")
    expect(cards).to_have_count(min(count, DashboardSettings().evidence_page_size))
    expect(listing).to_contain_text(f"{count} {'article' if count == 1 else 'articles'}")
    expect(page).to_have_url(re.compile(rf"[?&]point={re.escape(quote(busiest['id']))}(&|$)"))
    assert query(page)["point"] == [busiest["id"]]
    assert_no_error(page)

    page.get_by_role("button", name="Close articles").click()
    expect(cards).to_have_count(0)
    expect(page).not_to_have_url(re.compile(r"[?&]point="))


# --- (e) presentation mode -----------------------------------------------------------------


def test_presentation_mode_from_the_url_hides_the_sidebar(
        page: Page, dashboard_url: str, facts: Facts) -> None:
    harness.open_view(page, dashboard_url, "/timeline?present=1")
    expect(page.get_by_role("heading", name="Timeline of initiatives", level=1)).to_be_visible()
    expect_markers(page, "timeline_chart", facts.event_ids)
    expect(sidebar(page)).to_be_hidden()
    expect(page.get_by_role("button", name="Data (CSV)")).to_have_count(0)
    leave = page.get_by_role("button", name="Leave presentation mode")
    expect(leave).to_be_visible()
    assert query(page) == {"present": ["1"]}
    assert_no_error(page)

    leave.click()
    expect(sidebar(page)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"present="))

    # the article table is content, not a control: presentation mode keeps it
    harness.open_view(page, dashboard_url, "/articles?present=1")
    expect(sidebar(page)).to_be_hidden()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    assert_no_error(page)


def test_a_link_to_any_pages_own_address_opens_that_page(
        page: Page, dashboard_url: str, facts: Facts) -> None:
    """`/overview` too, though the Overview is served at `/`: its filters come along."""
    wanted = shared_query(facts)
    harness.open_view(page, dashboard_url, "/overview?" + urlencode(wanted, doseq=True))
    expect(page.get_by_role("heading", name="Overview", level=1)).to_be_visible()
    expect(page.get_by_text("Page not found")).to_have_count(0)
    harness.wait_until_idle(page)
    expect_shared_filters(page, facts)
    assert query(page) == wanted
    for app_page in harness.PAGES.values():
        harness.open_view(page, dashboard_url, app_page.path)
        expect(page.get_by_role("heading", name=app_page.heading, level=1)).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
    assert_no_error(page)


def test_the_browser_benchmark_takes_a_chart_or_an_empty_state_for_the_page_drawn(
        page: Page) -> None:
    """`make bench` times a page to its first chart (a table on pages without one) or to its
    empty state; a warning or a note above the chart is not the page drawn (the Membership
    page's note on reports that differ from the reference once stood for its chart)."""
    from benchmarks import browser_bench

    def drawn(body: str) -> bool:
        page.set_content('<div data-testid="stApp" data-test-script-state="notRunning">'
                         f"{body}</div>")
        return page.evaluate(browser_bench._DRAWN_JS, [browser_bench.CHART, -1,
                                                       browser_bench.EMPTY_ICON]) is not None

    alert = ('<div data-testid="stAlert"><span data-testid="stAlertDynamicIcon">{}</span>'
             "<p>Reported figures differ from the reference series.</p></div>")
    assert not drawn(alert.format("compare_arrows"))
    assert drawn(alert.format(browser_bench.EMPTY_ICON))
    assert not drawn(f'<div data-stale="true">{alert.format(browser_bench.EMPTY_ICON)}</div>')
    assert drawn('<div class="js-plotly-plot"><svg class="main-svg"></svg></div>')
    assert browser_bench.EMPTY_ICON == "search_off"  # what Streamlit writes for the icon
