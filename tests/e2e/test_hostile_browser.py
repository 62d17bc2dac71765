"""Hostile input in headless Chromium (issue rows 7, 8, 10, 11 and 15), on real servers.

- Row 7: over a warehouse built from articles whose text, titles and outlets start with `=`,
  `+`, `-` and `@`, every **Data (CSV)** and **Briefing pack** download of every page is
  clicked, saved and opened, and every cell of every CSV (those inside the packs too) is read
  as a spreadsheet would.
- Row 8: a file named `-draft.txt` is uploaded through the real uploader and added.
- Row 10: an upload whose multipart file name is changed to `evil.sh` on its way to the server.
- Row 11: a link whose every filter parameter is 10,000 characters long.
- Row 15: `streamlit run <project>/dashboard/app.py` started from another directory with no
  flags but a port: it listens on 127.0.0.1 only, the page requests nothing outside its
  server, and an exception shows visitors no message or traceback.

The upload tests change their warehouse, so this module serves its own (never the session's).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import psutil
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from dashboard.filters import FILTER_PARAMS
from etl.settings import PROJECT_ROOT
from tests.e2e import harness
from tests.hostile.test_dashboard import build_formula_warehouse, formula_cells

pytestmark = pytest.mark.browser

DOWNLOAD_TIMEOUT_MS = 60_000  # a briefing pack renders each chart with kaleido
UPLOAD_TIMEOUT_MS = 90_000
# Every page with downloads, and where to open it (the Search page charts a query's hits).
EXPORT_VIEWS = ["/", "/timeline", "/membership", "/topics", "/disagreements", "/search?q=CICA"]
DOWNLOAD_BUTTONS = re.compile(r"^(Data \(CSV\)|Briefing pack \(slides \+ CSV\))$")
PACK_BUTTON = "Briefing pack (slides + CSV)"
PACK_VIEWS = {"/timeline", "/membership", "/topics"}  # the pages that offer a briefing pack
ARTICLE = ("Astana, 2 May 2024. The International Agency for Biological Safety, proposed by "
           "Kazakhstan, was discussed again at the United Nations in 2024.\n")


@contextlib.contextmanager
def _serving(db_path: Path, log_dir: Path, **options: object) -> Iterator[harness.Server]:
    """`harness.run_server`, failing the test (not erroring) when the server does not start."""
    with contextlib.ExitStack() as stack:
        failure = None
        try:
            server = stack.enter_context(harness.run_server(db_path, log_dir=log_dir,
                                                            **options))  # type: ignore[arg-type]
        except harness.ServerFailed as problem:
            failure = str(problem)
        if failure is not None:
            pytest.fail(failure, pytrace=False)
        yield server


@pytest.fixture(scope="module")
def formula_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app over a warehouse of formula-starting articles, uploads into its own folder;
    yields the base URL and the folder that holds the articles and the warehouse."""
    root = tmp_path_factory.mktemp("formula-app")
    db_path = build_formula_warehouse(root)
    with _serving(db_path, root, env={"IM_ARTICLES_DIR": str(root / "articles"),
                                      "IM_UPLOADS_ENABLED": "true"}) as server:
        yield server.base_url, root
        assert server.process.poll() is None, f"the server died:\n{server.output()}"


@pytest.fixture
def hostile_tab(browser: Browser, artifact_dir: Path, request: pytest.FixtureRequest
                ) -> Iterator[tuple[BrowserContext, Page]]:
    """A tab in a fresh context (downloads allowed, its own connections); a JavaScript error
    fails the test and a failed test leaves a screenshot."""
    context = browser.new_context(viewport=harness.VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield context, tab
        call = getattr(request.node, "report_call", None)
        if call is not None and call.failed:
            with contextlib.suppress(Exception):
                tab.screenshot(path=artifact_dir / f"FAILED_{request.node.name}.png")
        assert not errors, f"JavaScript errors on the page: {errors}"
    finally:
        context.close()


def _no_exception_box(page: Page) -> None:
    harness.wait_until_idle(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def _csvs_of(name: str, content: bytes) -> dict[str, bytes]:
    """The CSV files of a download: itself, or those inside a briefing pack."""
    if name.endswith(".csv"):
        return {name: content}
    with zipfile.ZipFile(io.BytesIO(content)) as pack:
        return {f"{name}/{inner}": pack.read(inner) for inner in pack.namelist()
                if inner.endswith(".csv")}


def test_row7_every_csv_download_is_formula_safe(
        formula_app: tuple[str, Path], hostile_tab: tuple[BrowserContext, Page],
        tmp_path: Path) -> None:
    base_url, _root = formula_app
    context, page = hostile_tab
    tables: dict[str, bytes] = {}
    packs = 0
    for view in EXPORT_VIEWS:
        harness.open_view(page, base_url, view)
        _no_exception_box(page)
        buttons = page.get_by_role("button", name=DOWNLOAD_BUTTONS)
        expect(buttons.first).to_be_visible()  # charts come after the page's first elements
        if view in PACK_VIEWS:  # the pack's button comes after the charts it packs
            expect(page.get_by_role("button", name=PACK_BUTTON)).to_be_visible()
        harness.wait_until_idle(page)
        count = buttons.count()
        view_packs = 0

        def download(button: Any, view: str = view) -> bool:
            """Click a download button; whether it gave a briefing pack."""
            expect(button).to_be_enabled()
            with page.expect_download(timeout=DOWNLOAD_TIMEOUT_MS) as download_info:
                button.click()
            got = download_info.value
            assert got.failure() is None, (view, got.failure())
            saved = tmp_path / got.suggested_filename
            got.save_as(saved)
            tables.update(_csvs_of(f"{view} {got.suggested_filename}", saved.read_bytes()))
            return got.suggested_filename.endswith(".zip")

        for index in range(count):
            harness.wait_until_idle(page)  # a click may rerun the page and redraw its buttons
            view_packs += download(buttons.nth(index))
        if view in PACK_VIEWS and not view_packs:  # redrawn past the index it stood at
            harness.wait_until_idle(page)
            view_packs += download(page.get_by_role("button", name=PACK_BUTTON))
        packs += view_packs
    assert packs == 3 and len(tables) >= 12, sorted(tables)
    neutralised = 0
    for name, content in tables.items():
        dangerous, marked = formula_cells(content)
        assert not dangerous, (name, dangerous[:5])
        neutralised += marked
    assert neutralised >= 20, neutralised  # the hostile titles, outlets and sentences are there


def _choose_files(page: Page, key: str, name: str, data: bytes) -> None:
    uploader = harness.element(page, key)
    uploader.locator('input[type="file"]').set_input_files(
        {"name": name, "mimeType": "text/plain", "buffer": data})
    expect(uploader).to_contain_text(name)
    harness.wait_until_idle(page)


def test_row8_a_file_named_dash_draft_is_added(
        formula_app: tuple[str, Path], hostile_tab: tuple[BrowserContext, Page]) -> None:
    base_url, root = formula_app
    context, page = hostile_tab
    harness.open_view(page, base_url, "/add")
    _choose_files(page, "add_articles_files", "-draft.txt", ARTICLE.encode())
    page.get_by_role("textbox", name="Title", exact=True).fill("-Draft notes")
    page.get_by_role("textbox", name="Title", exact=True).press("Enter")
    harness.wait_until_idle(page)
    page.get_by_role("button", name="Add to the warehouse").click()
    result = page.get_by_test_id("stAlertContentSuccess")
    expect(result).to_contain_text("1 loaded", timeout=UPLOAD_TIMEOUT_MS)
    report = page.get_by_test_id("stDataFrame")
    expect(report).to_be_visible()
    _no_exception_box(page)
    saved = [path.name for path in (root / "articles").iterdir()
             if path.is_file() and path.read_bytes() == ARTICLE.encode()]
    assert len(saved) == 1 and saved[0].endswith("draft.txt"), saved  # under its safe name
    assert str(root) not in page.locator("body").inner_text()
    assert not (root / "articles" / ".incoming").exists()


def test_row10_a_tampered_upload_name_gets_a_message(
        formula_app: tuple[str, Path], hostile_tab: tuple[BrowserContext, Page]) -> None:
    """The browser sends `innocent.txt`; the request reaches the server naming `evil.sh`."""
    base_url, root = formula_app
    context, page = hostile_tab

    def tamper(route: Route) -> None:
        body = route.request.post_data_buffer or b""
        route.continue_(post_data=body.replace(b'filename="innocent.txt"',
                                               b'filename="evil.sh"'))
    page.route(re.compile(r".*/_stcore/upload_file/.*"), tamper)
    harness.open_view(page, base_url, "/add")
    harness.element(page, "add_articles_files").locator('input[type="file"]').set_input_files(
        {"name": "innocent.txt", "mimeType": "text/plain", "buffer": ARTICLE.encode()})
    notice = page.get_by_test_id("stAlertContentWarning")
    expect(notice).to_contain_text("evil.sh")
    expect(notice).to_contain_text("'.sh' files are not accepted")
    _no_exception_box(page)
    page.get_by_role("button", name="Add to the warehouse").click()
    expect(page.get_by_test_id("stAlertContentError")).to_contain_text("1 refused")
    _no_exception_box(page)
    assert not list((root / "articles").glob("evil*"))


def test_row11_every_filter_parameter_10000_characters_long(
        formula_app: tuple[str, Path], hostile_tab: tuple[BrowserContext, Page]) -> None:
    base_url, _root = formula_app
    context, page = hostile_tab
    query = urlencode({name: "x" * 10_000 for name in FILTER_PARAMS})
    harness.open_view(page, base_url, f"/timeline?{query}")
    expect(page.get_by_role("heading", name="Timeline of initiatives", level=1)).to_be_visible()
    warning = page.get_by_test_id("stAlertContentWarning").filter(has_text="could not be read")
    expect(warning).to_be_visible()
    for name in FILTER_PARAMS:
        expect(warning).to_contain_text(name)
    _no_exception_box(page)
    expect(harness.chart(page, "timeline_chart")).to_be_visible()  # drawn with the defaults
    assert len(page.url) < 1000, "the link was not written back without the long parameters"


# --- row 15: the server started from another directory ------------------------------------

RAISING_SCRIPT = """
import streamlit as st
st.title("About to fail")
raise RuntimeError("secret detail: /srv/private/warehouse.duckdb")
"""


def _listening_addresses(pid: int) -> set[str]:
    sockets = psutil.Process(pid).net_connections(kind="inet")
    return {s.laddr.ip for s in sockets if s.status == psutil.CONN_LISTEN}


def test_row15_started_from_another_directory_the_app_keeps_its_safe_defaults(
        built_warehouse: Path, browser: Browser, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with _serving(built_warehouse, tmp_path, cwd=elsewhere, config_defaults=True,
                  script=PROJECT_ROOT / "dashboard" / "app.py") as server:
        assert _listening_addresses(server.process.pid) == {"127.0.0.1"}, server.output()
        context = browser.new_context(viewport=harness.VIEWPORT)
        outside: list[str] = []
        context.on("request", lambda r: outside.append(r.url)
                   if r.url.startswith(("http:", "https:", "ws:", "wss:"))
                   and not r.url.startswith(server.base_url) else None)
        page = context.new_page()
        try:
            # the frame with Plotly charts, and the uploader
            for name in ("overview", "add_articles"):
                view = harness.PAGES[name]
                harness.open_view(page, server.base_url, view.path)
                expect(page.get_by_role("heading", name=view.heading, level=1)).to_be_visible()
        finally:
            context.close()
        assert not outside, f"the app fetched from outside its server: {outside}"


def test_row15_an_exception_shows_visitors_no_details(
        built_warehouse: Path, browser: Browser, tmp_path: Path) -> None:
    """A script beside the app's own config (linked, so it is the very same file) that raises:
    the visitor sees that something failed, never the message or the traceback."""
    beside = tmp_path / "beside"
    beside.mkdir()
    (beside / ".streamlit").symlink_to(PROJECT_ROOT / "dashboard" / ".streamlit")
    (beside / "raises.py").write_text(RAISING_SCRIPT, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with _serving(built_warehouse, tmp_path, cwd=elsewhere, config_defaults=True,
                  script=beside / "raises.py") as server:
        assert _listening_addresses(server.process.pid) == {"127.0.0.1"}, server.output()
        context = browser.new_context(viewport=harness.VIEWPORT)
        page = context.new_page()
        try:
            harness.open_view(page, server.base_url, "/")
            expect(page.get_by_role("heading", name="About to fail")).to_be_visible()
            expect(page.locator('[data-testid="stException"]')).to_have_count(1)
            shown = page.locator("body").inner_text()
        finally:
            context.close()
        for secret in ("secret detail", "/srv/private", "RuntimeError", "Traceback",
                       "raises.py"):
            assert secret not in shown, (secret, shown)
        assert "secret detail" in server.output()  # the operator still has it, in the log
