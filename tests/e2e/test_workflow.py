"""An analyst's whole workflow in headless Chromium, on a private server and warehouse.

Upload an article through the Add articles page (the real `st.file_uploader`, the real
background `python -m etl add`), then find what it says on the Timeline (its dated event) and
on the Search page (its distinctive word, highlighted), and download the Timeline's briefing
pack (a ZIP holding a .pptx rendered with kaleido and the CSVs behind it).

The upload changes the warehouse and the article folder, so this test builds its own copy of
both and serves them with its own `streamlit run`: the session warehouse the other browser
tests read is never touched.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pptx import Presentation

from etl import pipeline
from tests.conftest import CORPUS_DIR, make_settings
from tests.e2e import harness

pytestmark = pytest.mark.browser

UPLOAD_NAME = "cica-baku-summit.txt"
UPLOAD_TITLE = "CICA holds its seventh summit in Baku"
UPLOAD_PUBLISHED = "2026-11-01"
EVENT_SENTENCE = ("CICA, the Asian security forum, held its seventh summit in Baku in "
                  "October 2026.")
SEARCH_WORD = "zeolite"
SEARCH_SENTENCE = ("Delegates also discussed a regional plan for zeolite water filters in arid "
                   "districts.")
UPLOAD_TEXT = f"{UPLOAD_TITLE}\n\n{EVENT_SENTENCE} {SEARCH_SENTENCE}\n"

UPLOAD_TIMEOUT_MS = 90_000  # save, incremental ETL run, swap in the new build
PACK_TIMEOUT_MS = 60_000  # kaleido renders the chart for the slide

# The timeline's markers as Plotly holds them: customdata is
# [event_id, initiative, event type, date label, sentence (hover), source].
_TIMELINE_POINTS_JS = """
(key) => {
  const plots = document.querySelectorAll(
    `.st-key-${key}:not([data-stale="true"]) .js-plotly-plot`);
  if (plots.length !== 1 || !plots[0].data) return null;
  const rows = [];
  for (const trace of plots[0].data) {
    if (!trace.customdata) continue;
    trace.customdata.forEach((custom, i) => rows.push({
      id: custom[0], date: String(custom[3]), sentence: String(custom[4]),
      x: String(trace.x[i])}));
  }
  const title = plots[0].querySelector('.gtitle');
  return {rows: rows, title: title ? title.textContent : null};
}
"""


@pytest.fixture
def private_app(tmp_path: Path) -> Iterator[str]:
    """A copy of the corpus, a warehouse the real ETL built from it, and `streamlit run` over
    them (uploads go into the copy); yields the base URL, kills the server's group after."""
    articles = tmp_path / "articles"
    shutil.copytree(CORPUS_DIR, articles)
    db_path = tmp_path / "warehouse.duckdb"
    report = pipeline.build_warehouse(make_settings(articles, db_path))
    assert report.status == "ok"
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    with contextlib.ExitStack() as stack:
        failure = None
        try:
            server = stack.enter_context(harness.run_server(
                db_path, log_dir=log_dir,
                env={"IM_ARTICLES_DIR": str(articles), "IM_UPLOADS_ENABLED": "true"}))
        except harness.ServerFailed as problem:
            failure = str(problem)
        if failure is not None:
            pytest.fail(failure, pytrace=False)
        yield server.base_url
        assert server.process.poll() is None, (
            f"the dashboard server died during the workflow:\n{server.output()}")
    assert server.process.poll() is not None, "the server outlived the test"


@pytest.fixture
def workflow_page(browser: Browser, private_app: str, artifact_dir: Path,
                  request: pytest.FixtureRequest) -> Iterator[Page]:
    """A tab in a context of its own (downloads allowed, only the private app reachable);
    a JavaScript error fails the test and a failed test leaves a screenshot."""
    context = browser.new_context(viewport=harness.VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
        call = getattr(request.node, "report_call", None)
        if call is not None and call.failed:
            with contextlib.suppress(Exception):
                tab.screenshot(path=artifact_dir / "FAILED_workflow.png")
        assert not errors, f"JavaScript errors on the page: {errors}"
    finally:
        context.close()


def assert_no_error(page: Page) -> None:
    harness.wait_until_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


def fill_text_input(page: Page, label: str, value: str) -> None:
    """Type into a text input and commit it with Enter (a rerun), then wait for the run."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(value)
    box.press("Enter")
    expect(box).to_have_value(value)
    harness.wait_until_idle(page)


def timeline_points(page: Page, timeout_ms: float = harness.EXPECT_TIMEOUT_MS
                    ) -> dict[str, Any]:
    """The timeline chart's markers (from Plotly's data) and its title, once it is drawn."""
    deadline_left = timeout_ms
    while True:
        found = page.evaluate(_TIMELINE_POINTS_JS, "timeline_chart")
        if found is not None and found["rows"]:
            return found
        if deadline_left <= 0:
            raise AssertionError("the timeline chart was not drawn")
        page.wait_for_timeout(100)
        deadline_left -= 100


def test_an_uploaded_article_reaches_the_timeline_search_and_briefing_pack(
        workflow_page: Page, private_app: str, tmp_path: Path) -> None:
    page = workflow_page

    # (0) before the upload: the word is nowhere, the event is not on the CICA timeline
    harness.open_view(page, private_app, f"/search?q={SEARCH_WORD}")
    expect(page.get_by_text(f"No sentence matches “{SEARCH_WORD}”.")).to_be_visible()
    harness.open_view(page, private_app, "/timeline?init=CICA")
    before = timeline_points(page)
    assert not [r for r in before["rows"] if "Baku" in r["sentence"]], before["rows"]

    # (1) upload the article through the real uploader, with a title and a date
    harness.open_view(page, private_app, "/add")
    expect(page.get_by_role("heading", name="Add articles", level=1)).to_be_visible()
    uploader = harness.element(page, "add_articles_files")
    uploader.locator('input[type="file"]').set_input_files(
        {"name": UPLOAD_NAME, "mimeType": "text/plain", "buffer": UPLOAD_TEXT.encode()})
    expect(uploader).to_contain_text(UPLOAD_NAME)
    harness.wait_until_idle(page)
    fill_text_input(page, "Title", UPLOAD_TITLE)
    fill_text_input(page, "Published", UPLOAD_PUBLISHED)
    submit = page.get_by_role("button", name="Add to the warehouse")
    expect(submit).to_be_enabled()
    submit.click()
    result = page.get_by_test_id("stAlertContentSuccess")
    expect(result).to_contain_text("1 loaded", timeout=UPLOAD_TIMEOUT_MS)
    expect(result).to_contain_text("The new articles are in every page now.")
    expect(page.get_by_text(re.compile(r"Warehouse rebuilt \(build .+\): \d+ articles"))
           ).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()  # the per-file report
    assert_no_error(page)

    # (2) the Timeline, filtered to CICA, carries the new dated event
    harness.open_view(page, private_app, "/timeline?init=CICA")
    expect(page.get_by_role("heading", name="Timeline of initiatives", level=1)).to_be_visible()
    after = timeline_points(page)
    new = [r for r in after["rows"] if "Baku" in r["sentence"]]
    assert len(new) == 1, f"expected the Baku summit on the CICA timeline, got {after['rows']}"
    assert "2026" in new[0]["date"] and new[0]["x"].startswith("2026-10"), new[0]
    assert "seventh summit in Baku" in new[0]["sentence"], new[0]
    assert len(after["rows"]) == len(before["rows"]) + 1
    harness.click_point(page, "timeline_chart", new[0]["id"])
    card = harness.element(page, "timeline_evidence").locator(".im-evidence")
    expect(card.locator("blockquote")).to_have_text(f"“{EVENT_SENTENCE}”")
    expect(card).to_contain_text(UPLOAD_TITLE)
    assert_no_error(page)

    # (3) the Search page finds the distinctive word in the new sentence, highlighted
    harness.open_view(page, private_app, f"/search?q={SEARCH_WORD}")
    expect(page.get_by_text(re.compile(r"^1 sentence in 1 article"))).to_be_visible()
    hit = page.locator(".im-hit").first
    expect(hit.locator("blockquote")).to_contain_text(SEARCH_SENTENCE)
    expect(hit.locator("blockquote mark")).to_have_text([SEARCH_WORD])
    expect(hit).to_contain_text(UPLOAD_TITLE)
    assert_no_error(page)

    # (4) the Timeline's briefing pack: a ZIP with the slides and the CSVs behind them
    harness.open_view(page, private_app, "/timeline?init=CICA")
    chart_title = timeline_points(page)["title"]
    assert chart_title, "the timeline chart has no title"
    button = page.get_by_role("button", name="Briefing pack (slides + CSV)")
    expect(button).to_be_enabled()
    with page.expect_download(timeout=PACK_TIMEOUT_MS) as download_info:
        button.click()
    download = download_info.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".zip"), download.suggested_filename
    pack_path = tmp_path / download.suggested_filename
    download.save_as(pack_path)

    with zipfile.ZipFile(pack_path) as pack:
        names = pack.namelist()
        slides = [n for n in names if n.endswith(".pptx")]
        tables = [n for n in names if n.endswith(".csv")]
        assert len(slides) == 1, names
        assert tables, names
        rows_csv = pack.read(next(n for n in tables if not n.endswith("_sentences.csv")))
        deck = Presentation(io.BytesIO(pack.read(slides[0])))
    assert b"seventh summit in Baku" in rows_csv
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides
              if slide.shapes.title is not None]
    assert chart_title in titles, f"no slide titled {chart_title!r}: {titles}"
    assert_no_error(page)
