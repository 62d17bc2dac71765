"""Start the dashboard with `streamlit run` and drive it in headless Debian Chromium.

Shared by the browser tests (`tests/e2e/conftest.py`) and the README screenshots
(`python -m tests.e2e.screenshots`). Playwright only drives the browser: it is launched from
the Debian package's `/usr/bin/chromium` (`playwright install` cannot download here).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from dashboard.pages import DEFAULT_PAGE
from dashboard.pages import PAGES as APP_PAGES

PROJECT_ROOT = Path(__file__).resolve().parents[2]
APP_SCRIPT = "dashboard/app.py"
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]
# The browser reaches nothing but this machine's loopback address: host names do not resolve
# and anything else goes to a proxy port nobody listens on (Chromium never sends loopback
# requests to a proxy), so a request leaving the app fails at once instead of waiting on a
# network that may not exist. Kept in the browser rather than by Playwright's request routing,
# which turns the HTTP cache off: a new tab then takes the app's scripts from the cache, as in
# an analyst's browser, instead of fetching and compiling megabytes again. The app requests
# nothing outside its server (`test_hostile_browser` records every request).
OFFLINE_ARGS = ("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9")
VIEWPORT = {"width": 1280, "height": 720}
STARTUP_TIMEOUT_S = 60.0
# Playwright's auto-waiting assertions (the first run of a page imports and renders Plotly).
EXPECT_TIMEOUT_MS = 20_000
MISSING_CHROMIUM = (f"{CHROMIUM_PATH} is missing: install the Debian package `chromium` "
                    "(apt-get install chromium; .ci/run installs it). The browser tests and "
                    "`make screenshots` drive it through Playwright; `playwright install` "
                    "is not used.")

@dataclass(frozen=True)
class AppPage:
    """A page of the app: its URL path, its link in the sidebar and its heading."""

    path: str
    nav: str
    heading: str


# A page's heading where it is not its title in the sidebar.
HEADINGS = {"disagreements": "Disagreements between sources"}
# Every page of the app, by file stem, from the app's own list (dashboard/pages.py): a test
# checks the sidebar shows exactly these, and every one gets the browser tour.
PAGES = {
    page.file: AppPage("/" if page == DEFAULT_PAGE else f"/{page.url_path}", page.title,
                       HEADINGS.get(page.file, page.title))
    for page in APP_PAGES
}


class ServerFailed(RuntimeError):
    """The dashboard did not come up (or died); the message carries its output."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A running `streamlit run` of the dashboard."""

    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def output(self, tail: int = 6000) -> str:
        """The server's stdout and stderr so far (the last `tail` characters)."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no output)"
        return text[-tail:] or "(no output)"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and everything it started: its whole process group, TERM then KILL."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def run_server(db_path: Path | str, *, log_dir: Path | None = None,
               timeout: float = STARTUP_TIMEOUT_S,
               env: dict[str, str] | None = None, script: Path | str = APP_SCRIPT,
               cwd: Path = PROJECT_ROOT, config_defaults: bool = False) -> Iterator[Server]:
    """Serve the dashboard on a free port over warehouse `db_path`; yields once it is healthy.

    `env` adds (or overrides) environment variables of the server, e.g. `IM_ARTICLES_DIR`.
    `script` and `cwd` start another script, or from another directory; with `config_defaults`
    only the port is passed on the command line, and the address and the rest come from the
    config file Streamlit finds (the app's own, beside `dashboard/app.py`).

    The server runs in its own process group, which is killed on exit, so nothing is left
    running. A server that exits or is not healthy within `timeout` seconds raises
    `ServerFailed` with its output.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    owned_dir = None
    if log_dir is None:
        owned_dir = tempfile.TemporaryDirectory(prefix="im-e2e-")
        log_dir = Path(owned_dir.name)
    log_path = Path(log_dir) / f"streamlit-{port}.log"
    env = {**os.environ, "IM_DB_PATH": str(db_path), "PYTHONUNBUFFERED": "1",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    explicit = [] if config_defaults else ["--server.address", "127.0.0.1",
                                           "--server.headless", "true"]
    command = [sys.executable, "-m", "streamlit", "run", str(script), *explicit,
               "--server.port", str(port), "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    server = Server(process, base_url, log_path)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(f"{base_url}/_stcore/health"):
            if process.poll() is not None:
                raise ServerFailed(f"`streamlit run {script}` exited with code "
                                   f"{process.returncode}"
                                   f" before serving {base_url}. Its output:\n{server.output()}")
            if time.monotonic() > deadline:
                raise ServerFailed(f"`streamlit run {script}` was not healthy at "
                                   f"{base_url}/_stcore/health within {timeout:.0f} s. "
                                   f"Its output:\n{server.output()}")
            time.sleep(0.2)
        yield server
    finally:
        _stop(process)
        if owned_dir is not None:
            owned_dir.cleanup()


def require_chromium() -> str:
    """The Debian Chromium's path; raises with how to install it when it is missing."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        raise RuntimeError(MISSING_CHROMIUM)
    return CHROMIUM_PATH


@contextlib.contextmanager
def launch_browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright's sync API, reaching only this machine
    (`OFFLINE_ARGS`); yields the `Browser`."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=[*CHROMIUM_ARGS, *OFFLINE_ARGS],
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def launch_profile(browser_type: Any, **options: Any) -> Iterator[Any]:
    """Headless Debian Chromium with a browser profile of its own (a new folder, removed
    after), reaching only this machine, started by `browser_type` (a running browser's
    `browser_type`: one Playwright driver serves both); yields its `BrowserContext` (1280x720
    unless `options` say otherwise).

    An analyst's browser keeps a profile on disk with its caches: the scripts, and the code
    compiled from them (its `Code Cache` folder). `Browser.new_context` opens a private window,
    which keeps nothing on disk, and its new tabs were slower: at 100,000 articles a new tab
    drew the Timeline's first chart in 4.7 s in a private window and 4.0 s in a profile, the
    Overview's in 4.4 and 4.2 s (medians of 4, alternating); on a small warehouse the browser
    spent 6.4-7.1 s of CPU per Timeline visit in a private window, 4.5-4.7 s in a profile.
    """
    with tempfile.TemporaryDirectory(prefix="im-profile-") as folder:
        context = browser_type.launch_persistent_context(
            folder, executable_path=require_chromium(), args=[*CHROMIUM_ARGS, *OFFLINE_ARGS],
            headless=True, **{"viewport": VIEWPORT, **options})
        try:
            yield context
        finally:
            context.close()


# --- driving the app -------------------------------------------------------------------------

APP_ROOT = '[data-testid="stApp"]'


def wait_until_idle(page: Any, timeout_ms: float = 30_000) -> None:
    """Wait until the app is connected and no script run is in progress."""
    from playwright.sync_api import expect

    app = page.locator(APP_ROOT)
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout_ms)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout_ms)


def pick_option(page: Any, combobox: Any, option: Any, *, typed: str = "",
                attempts: int = 4, timeout_ms: float = 5_000) -> None:
    """Open the select box `combobox`, optionally type `typed`, and click the list entry
    `option` (a locator, or a name matched exactly).

    A list opened while a rerun redraws the sidebar closes unchosen, so the box is opened
    again (after the run ends) until the entry can be clicked.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    entry = (page.get_by_role("option", name=option, exact=True) if isinstance(option, str)
             else option)
    for attempt in range(attempts):
        wait_until_idle(page)
        try:
            combobox.click(timeout=timeout_ms)
            if typed:
                combobox.fill(typed, timeout=timeout_ms)
            entry.first.click(timeout=timeout_ms)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise


def open_view(page: Any, base_url: str, path: str, timeout_ms: float = 30_000) -> None:
    """Open `path` (a page with its query string) and wait for the first run to finish."""
    page.goto(base_url.rstrip("/") + path)
    wait_until_idle(page, timeout_ms)


def scroll_main(page: Any, *, to: float | None = None, by: float = 0) -> None:
    """Scroll the app's main area (Streamlit scrolls it, not the window): to `to`, or `by`."""
    page.evaluate("([to, by]) => { const main = document.querySelector('.stMain');"
                  " if (to !== null) main.scrollTop = to; else main.scrollTop += by; }",
                  [to, by])


def element(page: Any, key: str) -> Any:
    """The element drawn with widget key `key`, as of the current run: while the app reruns,
    Streamlit keeps the previous one (marked stale) on the page until the new one is drawn.
    """
    return page.locator(f'.st-key-{key}:not([data-stale="true"])')


def chart(page: Any, key: str) -> Any:
    """The Plotly graph div of the chart drawn with widget key `key` (see `element`)."""
    return element(page, key).locator(".js-plotly-plot")


_POINTS_JS = """
([key, scroll]) => {
  const plots = document.querySelectorAll(
    `.st-key-${key}:not([data-stale="true"]) .js-plotly-plot`);
  if (plots.length !== 1) return null;  // not drawn yet
  const found = [];
  plots[0].querySelectorAll('g.trace.scatter').forEach((group) => {
    const trace = group.__data__ && group.__data__[0] && group.__data__[0].trace;
    if (!trace || !trace.customdata) return;
    group.querySelectorAll('g.points path.point').forEach((path) => {
      const custom = trace.customdata[path.__data__.i];
      if (!custom) return;
      if (scroll === custom[0]) {
        path.scrollIntoView({block: 'center', inline: 'center', behavior: 'instant'});
      }
      const box = path.getBoundingClientRect();
      found.push({id: custom[0], x: box.x + box.width / 2, y: box.y + box.height / 2,
                  width: box.width, height: box.height, trace: trace.name, custom: custom});
    });
  });
  return found;
}
"""


def plot_points(page: Any, key: str) -> list[dict[str, Any]] | None:
    """Every marker Plotly drew in chart `key` that carries an id (`customdata[0]`), with the
    centre of the marker in viewport pixels: what a click on the chart hands back to the app.
    None while the chart is not (or twice) on the page.
    """
    return page.evaluate(_POINTS_JS, [key, None])


def wait_for_markers(page: Any, key: str, ids: Iterable[str], timeout_ms: float = 20_000
                     ) -> None:
    """Wait until chart `key` shows exactly the markers of `ids`; fail saying what it shows."""
    wanted = sorted(set(ids))
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        points = plot_points(page, key)
        shown = None if points is None else sorted({p["id"] for p in points})
        if shown == wanted:
            return
        if time.monotonic() > deadline:
            missing = sorted(set(wanted) - set(shown or []))
            extra = sorted(set(shown or []) - set(wanted))
            raise AssertionError(f"chart {key!r}: expected {len(wanted)} markers, it shows "
                                 f"{'no chart' if shown is None else len(shown)}; missing "
                                 f"{missing[:10]}, unexpected {extra[:10]}")
        page.wait_for_timeout(100)


def click_point(page: Any, key: str, point_id: str) -> None:
    """Scroll the marker of `point_id` in chart `key` into view and click its centre."""
    points = [p for p in page.evaluate(_POINTS_JS, [key, point_id]) or []
              if p["id"] == point_id]
    if not points:
        raise AssertionError(f"no marker with id {point_id!r} in chart {key!r}")
    point = points[0]
    page.mouse.move(point["x"], point["y"])
    page.mouse.click(point["x"], point["y"])


def select_point(page: Any, key: str, point_id: str, param: str, *, attempts: int = 3,
                 timeout_ms: float = 10_000) -> None:
    """Click the marker of `point_id` in chart `key` until the page's address names it as
    `param` (the app records a chosen point there).

    A click that lands while a rerun redraws the chart hits the old drawing and is lost, so
    the marker is found and clicked again once the run has ended; a click the app took is
    never repeated (a second one could clear the choice).
    """
    from playwright.sync_api import expect

    chosen = re.compile(rf"[?&]{re.escape(param)}={re.escape(quote(point_id))}(&|$)")
    for attempt in range(attempts):
        wait_until_idle(page)
        if attempt and chosen.search(page.url):
            return
        click_point(page, key, point_id)
        try:
            expect(page).to_have_url(chosen, timeout=timeout_ms)
            return
        except AssertionError:
            if attempt == attempts - 1:
                raise
