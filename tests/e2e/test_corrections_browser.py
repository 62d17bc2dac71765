"""Correcting the machine in headless Chromium, and the corrections surviving a restart and a
full rebuild.

On a private copy of the corpus and its warehouse, served by its own `streamlit run`: reject a
wrongly read event from its timeline marker's evidence (the marker disappears), add an event
the rules missed from a sentence in the article reader (its marker appears, ringed in the
analyst-added-or-edited style of the legend), then stop the
server, rebuild the warehouse from scratch with `python -m etl` (the corrections folder beside
the articles is applied by the build), serve it again and find both corrections still there.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from etl import pipeline
from tests.conftest import CORPUS_DIR, make_settings
from tests.e2e import harness

pytestmark = pytest.mark.browser

CHART = "timeline_chart"
VIEW = "/timeline?init=IABS"  # two events: proposed 2020, held 2022
WRONG = "6083f3ae98ce75b6"  # 'held' in April 2022: a conference about the proposal
KEPT = "7bef0b483352b6b0"  # 'proposed' in September 2020
ARTICLE = "3fb7a7ec71645271"
SENTENCE = 46  # the proposal at the UN General Assembly, which also announced it (Sept 2020)
ANALYST = "Browser Analyst"
CORRECTION_TIMEOUT_MS = 60_000  # record, apply to a copy of the warehouse, swap it in
REBUILD_TIMEOUT_S = 300


ANALYST_STYLE = "Analyst-added or edited"  # the legend entry of marks an analyst set
# Where the timeline draws the marker of an event (`customdata[0]`), and where it draws the
# rings of a review style (a trace named by the style's legend label, no customdata).
_POSITIONS_JS = """
([key, eventId, style]) => {
  const plots = document.querySelectorAll(
    `.st-key-${key}:not([data-stale="true"]) .js-plotly-plot`);
  if (plots.length !== 1 || !plots[0].data) return null;
  const at = [];
  const ringed = [];
  for (const trace of plots[0].data) {
    (trace.customdata || []).forEach((custom, i) => {
      if (custom && custom[0] === eventId) at.push([String(trace.x[i]), trace.y[i]]);
    });
    if (trace.name === style) {
      trace.x.forEach((x, i) => { if (x !== null) ringed.push([String(x), trace.y[i]]); });
    }
  }
  return {at: at, ringed: ringed};
}
"""


@contextlib.contextmanager
def serve(db: Path, articles: Path, log_dir: Path) -> Iterator[str]:
    """`streamlit run` over this warehouse and article folder, recording as `ANALYST`."""
    with contextlib.ExitStack() as stack:
        failure = None
        try:
            server = stack.enter_context(harness.run_server(
                db, log_dir=log_dir,
                env={"IM_ARTICLES_DIR": str(articles), "IM_ANALYST": ANALYST,
                     "IM_CORRECTIONS_ENABLED": "true"}))
        except harness.ServerFailed as problem:
            failure = str(problem)
        if failure is not None:
            pytest.fail(failure, pytrace=False)
        yield server.base_url
        assert server.process.poll() is None, f"the server died:\n{server.output()}"


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    """A copy of the corpus and a warehouse the real ETL built from it."""
    articles = tmp_path / "articles"
    shutil.copytree(CORPUS_DIR, articles)
    db = tmp_path / "warehouse.duckdb"
    assert pipeline.build_warehouse(make_settings(articles, db)).status == "ok"
    (tmp_path / "log").mkdir()
    return {"articles": articles, "db": db, "log": tmp_path / "log",
            "corrections": tmp_path / "corrections"}


@contextlib.contextmanager
def new_tab(browser: Browser, base_url: str, artifact_dir: Path, name: str) -> Iterator[Page]:
    """A tab reaching only the app; a JavaScript error fails the test, a failure leaves a
    screenshot."""
    context = browser.new_context(viewport=harness.VIEWPORT)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    except Exception:
        with contextlib.suppress(Exception):
            tab.screenshot(path=artifact_dir / f"FAILED_{name}.png")
        raise
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def choose(page: Page, label: str, typed: str, option: str | re.Pattern[str]) -> None:
    """Pick `option` in the select box `label`, typing `typed` to narrow its list first."""
    harness.pick_option(page, page.get_by_role("combobox", name=label, exact=True),
                        page.get_by_role("option", name=option), typed=typed)
    harness.wait_until_idle(page)


def added_event_id(corrections: Path) -> str:
    """The id the warehouse gives the event added in the reader: 'analyst-' + its record id."""
    adds = [json.loads(line) for path in corrections.glob("*.jsonl")
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["action"] == "add"]
    assert len(adds) == 1, adds
    assert adds[0]["analyst"] == ANALYST
    return f"analyst-{adds[0]['id']}"


def reject_from_the_timeline(page: Page, base_url: str) -> None:
    harness.open_view(page, base_url, VIEW)
    harness.wait_for_markers(page, CHART, [WRONG, KEPT])
    harness.click_point(page, CHART, WRONG)
    evidence = harness.element(page, "timeline_evidence")
    expect(evidence.locator(".im-evidence")).to_be_visible()
    page.get_by_role("textbox", name="Reason (optional)").fill(
        "a conference about the proposal, not a meeting of the agency")
    harness.element(page, f"fix_{WRONG}_reject").get_by_role("button").click()
    expect(page.get_by_text("Rejected: it no longer appears in any chart")).to_be_visible(
        timeout=CORRECTION_TIMEOUT_MS)
    harness.wait_for_markers(page, CHART, [KEPT], timeout_ms=CORRECTION_TIMEOUT_MS)


def add_from_the_reader(page: Page, base_url: str) -> None:
    harness.open_view(page, base_url, f"/articles?article={ARTICLE}")
    expect(harness.element(page, "article_reader").locator(".im-reader")).to_be_visible()
    page.get_by_text("Add a fact the rules missed").click()
    choose(page, "Sentence", f"{SENTENCE}:", re.compile(rf"^{SENTENCE}: "))
    form = page.get_by_test_id("stForm")
    choose(page, "Initiative", "IABS", re.compile(r"^IABS$"))
    choose(page, "Event type", "announced", re.compile(r"^announced$"))
    year = form.get_by_role("spinbutton", name="Year")
    year.fill("2020")
    form.get_by_role("button", name="Add").click()
    expect(page.get_by_text("Added: it appears in every chart it belongs to")).to_be_visible(
        timeout=CORRECTION_TIMEOUT_MS)
    harness.wait_until_idle(page)


def expect_analyst_style(page: Page, event_id: str) -> None:
    """The marker of `event_id` carries the ring of the analyst-added-or-edited style."""
    found = page.evaluate(_POSITIONS_JS, [CHART, event_id, ANALYST_STYLE])
    assert found is not None and len(found["at"]) == 1, found
    assert found["ringed"] == found["at"], found
    expect(page.locator(".legendtext", has_text=ANALYST_STYLE)).to_have_count(1)


def test_corrections_show_at_once_and_survive_a_restart_and_a_rebuild(
        browser: Browser, site: dict[str, Path], artifact_dir: Path) -> None:
    with serve(site["db"], site["articles"], site["log"]) as base_url, \
            new_tab(browser, base_url, artifact_dir, "corrections") as page:
        reject_from_the_timeline(page, base_url)
        add_from_the_reader(page, base_url)
        added = added_event_id(site["corrections"])
        harness.open_view(page, base_url, VIEW)
        harness.wait_for_markers(page, CHART, [KEPT, added])
        expect_analyst_style(page, added)

    # the server is stopped; the warehouse is rebuilt from scratch, corrections folder and all
    site["db"].unlink()
    rebuilt = subprocess.run(
        [sys.executable, "-m", "etl", "--articles", str(site["articles"]), "--db",
         str(site["db"]), "--quiet"], cwd=harness.PROJECT_ROOT, capture_output=True, text=True,
        timeout=REBUILD_TIMEOUT_S, check=False)
    assert rebuilt.returncode == 0, rebuilt.stderr

    with serve(site["db"], site["articles"], site["log"]) as base_url, \
            new_tab(browser, base_url, artifact_dir, "corrections_rebuilt") as page:
        harness.open_view(page, base_url, VIEW)
        harness.wait_for_markers(page, CHART, [KEPT, added])
        expect_analyst_style(page, added)
        harness.click_point(page, CHART, added)
        expect(harness.element(page, "timeline_evidence").locator(".im-evidence")
               ).to_contain_text("IABS")
