"""Browser fixtures: the real app (`streamlit run`) over a warehouse the real ETL built, and
headless Debian Chromium driven by Playwright.

- `dashboard_url` (session): serves `dashboard/app.py` on a free port over `built_warehouse`
  (tests/conftest.py); the server's process group is killed at the end of the session.
- `browser` (session): Chromium from `/usr/bin/chromium`; missing, the tests fail and say how
  to install it (they are never skipped silently).
- `browser_context` (session): 1280x720, reaching only the app.
- `page` (per test): a new tab, i.e. a new Streamlit session; a JavaScript error on the page
  fails the test, and a failing test leaves a screenshot in the artifact folder.
- `tour` (per test, one tab per module): a tab that stays open from test to test, for tests
  that move between pages through the sidebar.
- `artifact_dir` (session): where screenshots go: `$IM_E2E_ARTIFACTS` if set, else a pytest
  temporary folder.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e import harness

expect.set_options(timeout=harness.EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def artifact_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder for the screenshots the tests save (IM_E2E_ARTIFACTS, else a temp folder)."""
    configured = os.environ.get("IM_E2E_ARTIFACTS")
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("e2e-screenshots")


@pytest.fixture(scope="session")
def dashboard_url(built_warehouse: Path, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[str]:
    """Base URL of the dashboard served by `streamlit run` over the session's warehouse."""
    with contextlib.ExitStack() as stack:
        failure = None
        try:
            server = stack.enter_context(harness.run_server(
                built_warehouse, log_dir=tmp_path_factory.mktemp("streamlit-log")))
        except harness.ServerFailed as problem:
            failure = str(problem)
        if failure is not None:
            pytest.fail(failure, pytrace=False)
        yield server.base_url
        assert server.process.poll() is None, (
            f"the dashboard server died during the tests:\n{server.output()}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (the Debian package) for the whole session."""
    if not os.access(harness.CHROMIUM_PATH, os.X_OK):
        pytest.fail(harness.MISSING_CHROMIUM, pytrace=False)
    with harness.launch_browser() as launched:
        yield launched


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):
    """Keep each phase's report on the test item, so fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_context(browser: Browser, dashboard_url: str) -> Iterator[BrowserContext]:
    """One context for the session: 1280x720, only the app reachable. Its tabs share the HTTP
    and code cache (Plotly's 4.7 MB bundle is parsed once), but each tab is its own Streamlit
    session, so tests do not share state.
    """
    context = browser.new_context(viewport=harness.VIEWPORT)
    yield context
    context.close()


def _open_tab(context: BrowserContext) -> tuple[Page, list[str]]:
    """A new tab (a new Streamlit session) and the list its JavaScript errors go to."""
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    return tab, errors


def _check_tab(tab: Page, errors: list[str], request: pytest.FixtureRequest,
               artifact_dir: Path) -> None:
    """After a test: keep a screenshot when it failed; fail it on a JavaScript error."""
    call = getattr(request.node, "report_call", None)
    if call is not None and call.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        with contextlib.suppress(Exception):
            tab.screenshot(path=artifact_dir / f"FAILED_{name}.png")
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser_context: BrowserContext, artifact_dir: Path,
         request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new tab (a new Streamlit session) at 1280x720; a JavaScript error fails the test."""
    tab, errors = _open_tab(browser_context)
    try:
        yield tab
        _check_tab(tab, errors, request, artifact_dir)
    finally:
        tab.close()


@pytest.fixture(scope="module")
def _tour_tab(browser_context: BrowserContext, dashboard_url: str
              ) -> Iterator[tuple[Page, list[str]]]:
    tab, errors = _open_tab(browser_context)
    harness.open_view(tab, dashboard_url, "/")
    yield tab, errors
    tab.close()


@pytest.fixture
def tour(_tour_tab: tuple[Page, list[str]], artifact_dir: Path,
         request: pytest.FixtureRequest) -> Iterator[Page]:
    """One tab shared by a module's tests that walks from page to page through the sidebar,
    as an analyst does: the app is loaded once, each page is a click (and a second faster).
    """
    tab, errors = _tour_tab
    errors.clear()
    yield tab
    _check_tab(tab, errors, request, artifact_dir)
