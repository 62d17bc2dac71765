"""Regenerate the README screenshots: every page of the running app at 1280x720.

    python -m tests.e2e.screenshots docs/screenshots      # what `make screenshots` runs

It serves `dashboard/app.py` with `streamlit run` over the warehouse `IM_DB_PATH` points at
(default `data/warehouse.duckdb`; `make warehouse` builds it), opens each page in headless
Debian Chromium at 1280x720 and saves:

- overview.png, timeline.png, membership.png, topics.png, articles.png: each page as it opens,
  in presentation mode (no sidebar, larger text: the view made for briefings), scrolled down
  a little where that brings its first chart in whole; the Articles page with an article
  open in the reader;
- evidence.png: the timeline with a marker clicked and its evidence panel (sentence, article,
  outlet) under it, with the sidebar shown, so the filters are in the picture too;
- review.png and curated.png (docs/corrections.md): on a copy of the warehouse with two
  corrections made through `python -m etl corrections` (one event confirmed, one added), the
  Review page, and the timeline whose reviewed marks carry their rings and legend.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.e2e import harness

DEFAULT_DB = harness.PROJECT_ROOT / "data" / "warehouse.duckdb"
# The pages shot in presentation mode (Add articles is a form, not a view for a briefing).
SHOTS = ("overview", "timeline", "membership", "topics", "articles")
# The evidence shot: the security initiatives' timeline, so the chart and the panel fit.
EVIDENCE_VIEW = "/timeline?init=CICA&init=CASCF&init=OSCE_2010_SUMMIT"

_CHARTS_DRAWN_JS = """
() => {
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = document.querySelectorAll('.stPlotlyChart');
  return Array.from(charts).every((c) => c.querySelector('.js-plotly-plot .main-svg'));
}
"""


def settle(page: Any) -> None:
    """Wait until the run is over, every chart is drawn and the fonts are in."""
    harness.wait_until_idle(page)
    page.wait_for_function(_CHARTS_DRAWN_JS, timeout=30_000)
    page.evaluate("document.fonts.ready.then(() => true)")
    page.mouse.move(1279, 719)  # no hover label in the picture
    harness.scroll_main(page, to=0)


def show_first_chart_whole(page: Any) -> None:
    """Scroll down just enough that the page's first chart is whole in the picture, when it
    fits the window but runs past its foot (its x axis would be cut off)."""
    box = page.locator(".stPlotlyChart").first.bounding_box() if page.locator(
        ".stPlotlyChart").count() else None
    viewport = page.viewport_size
    if box is None or box["height"] > viewport["height"] - 16:
        return
    overflow = box["y"] + box["height"] - viewport["height"] + 8
    if overflow > 0:
        harness.scroll_main(page, by=overflow)


def shoot(page: Any, path: Path) -> Path:
    page.screenshot(path=path, animations="disabled", caret="hide")
    print(f"  {path}")
    return path


def article_to_read(db_path: Path) -> str | None:
    """The article the Articles shot opens in the reader: the one with most initiatives named."""
    import duckdb

    if not db_path.is_file():
        return None
    with duckdb.connect(str(db_path), read_only=True) as con:
        row = con.execute("""
            SELECT a.article_id FROM articles AS a JOIN mentions AS m USING (article_id)
            WHERE a.title IS NOT NULL
            GROUP BY a.article_id, a.published
            ORDER BY count(DISTINCT m.initiative_id) DESC, a.published DESC, a.article_id
            LIMIT 1""").fetchone()
    return None if row is None else str(row[0])


def event_to_click(page: Any) -> str:
    """The marker the evidence shot clicks: the earliest event of the lowest row, which stays
    in the picture with the evidence panel under the chart."""
    points = harness.plot_points(page, "timeline_chart") or []
    if not points:
        raise RuntimeError("the timeline shows no markers to click")
    return min(points, key=lambda p: (-p["y"], p["x"]))["id"]


def corrected_copy(db_path: Path, folder: Path) -> Path:
    """A copy of the warehouse in `folder` with one event confirmed and one added by the
    corrections command (the shots of the curation workflow; the warehouse itself is left)."""
    import duckdb

    copy = folder / "warehouse.duckdb"
    shutil.copyfile(db_path, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        confirm = con.execute("SELECT event_id FROM facet_events WHERE initiative_id = 'CICA' "
                              "ORDER BY event_no LIMIT 1").fetchone()
        place = con.execute("SELECT article_id, sentence_no FROM sentences "
                            "WHERE contains(text, 'CICA') ORDER BY article_id, sentence_no "
                            "LIMIT 1").fetchone()
    base = [sys.executable, "-m", "etl", "corrections"]
    where = ["--db", str(copy), "--corrections", str(folder / "corrections"),
             "--analyst", "a.analyst", "--json"]
    steps = []
    if confirm:
        steps.append(["confirm", *where, "--reason", "checked against the communique", "--",
                      str(confirm[0])])
    if place:
        steps.append(["add", "--article", str(place[0]), "--sentence", str(place[1]),
                      "--fact", "event", "--set", "initiative_id=CICA", "--set",
                      "event_type=held", "--set", "year=2024", *where])
    for step in steps:
        done = subprocess.run([*base, *step], cwd=harness.PROJECT_ROOT, capture_output=True,
                              text=True, check=False)
        if done.returncode or not json.loads(done.stdout.splitlines()[-1]).get("applied"):
            raise RuntimeError(f"correction for the screenshots failed: {done.stderr}")
    return copy


def take_curation_screenshots(out_dir: Path, db_path: Path, browser: Any) -> list[Path]:
    """review.png and curated.png, on a corrected copy of the warehouse."""
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="im-shots-") as tmp:
        copy = corrected_copy(db_path, Path(tmp))
        with harness.run_server(copy) as server:
            context = browser.new_context(viewport=harness.VIEWPORT, device_scale_factor=1)
            page = context.new_page()
            harness.open_view(page, server.base_url, "/review")
            page.get_by_role("heading", name="Review queue", level=1).wait_for()
            harness.wait_until_idle(page)
            page.mouse.move(1279, 719)
            saved.append(shoot(page, out_dir / "review.png"))
            harness.open_view(page, server.base_url, "/timeline?present=1&init=CICA")
            settle(page)
            show_first_chart_whole(page)
            saved.append(shoot(page, out_dir / "curated.png"))
            context.close()
    return saved


def take_screenshots(out_dir: Path, db_path: Path) -> list[Path]:
    """Serve the app over `db_path` and save every screenshot into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with harness.run_server(db_path) as server, harness.launch_browser() as browser:
        context = browser.new_context(viewport=harness.VIEWPORT, device_scale_factor=1)
        page = context.new_page()
        for name in SHOTS:
            app_page = harness.PAGES[name]
            query = "?present=1"
            if name == "articles":
                article = article_to_read(db_path)
                query += f"&article={article}" if article else ""
            harness.open_view(page, server.base_url, app_page.path + query)
            page.get_by_role("heading", name=app_page.heading, level=1).wait_for()
            settle(page)
            show_first_chart_whole(page)
            saved.append(shoot(page, out_dir / f"{name}.png"))

        harness.open_view(page, server.base_url, EVIDENCE_VIEW)
        settle(page)
        harness.click_point(page, "timeline_chart", event_to_click(page))
        card = harness.element(page, "timeline_evidence").locator(".im-evidence")
        card.wait_for()
        settle(page)
        # the foot of the evidence panel at the foot of the picture
        box = card.bounding_box()
        harness.scroll_main(page, by=box["y"] + box["height"] - harness.VIEWPORT["height"] + 24)
        # and the sidebar down to the initiatives the view is filtered to
        harness.element(page, "filter_initiatives").scroll_into_view_if_needed()
        saved.append(shoot(page, out_dir / "evidence.png"))
        context.close()
        saved += take_curation_screenshots(out_dir, db_path, browser)
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path,
                        default=harness.PROJECT_ROOT / "docs" / "screenshots",
                        help="folder for the PNGs (default: docs/screenshots)")
    args = parser.parse_args(argv)
    db_path = Path(os.environ.get("IM_DB_PATH", str(DEFAULT_DB)))
    if not db_path.is_file():
        print(f"no warehouse at {db_path}: run `make warehouse` first (or set IM_DB_PATH)",
              file=sys.stderr)
        return 2
    try:
        harness.require_chromium()
    except RuntimeError as problem:
        print(problem, file=sys.stderr)
        return 2
    started = time.monotonic()
    print(f"Screenshots of the dashboard over {db_path}:")
    try:
        saved = take_screenshots(args.out_dir, db_path)
    except harness.ServerFailed as problem:
        print(problem, file=sys.stderr)
        return 1
    print(f"{len(saved)} screenshots in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
