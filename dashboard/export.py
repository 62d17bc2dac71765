"""Server-side rendering of a chart to PNG or SVG for download (kaleido driving Chromium).

Rendering costs about a second, so pages call it only when the analyst asks ('Prepare PNG and
SVG'). The first render starts one headless browser for the process (several seconds); later
renders reuse it. kaleido finds the browser through `BROWSER_PATH`; we point it at the Debian
Chromium (`IM_CHROMIUM_PATH`) rather than let it look for a browser download of its own.
"""

from __future__ import annotations

import atexit
import os
import threading

import kaleido
import plotly.graph_objects as go

from dashboard.settings import DashboardSettings

EXPORT_WIDTH = 1280  # a presentation slide; the height is the chart's own
DEFAULT_HEIGHT = 720


class ExportUnavailable(Exception):
    """The chart could not be rendered on the server (no browser); the message says what to do."""


_lock = threading.Lock()
_started = False


def browser_available(settings: DashboardSettings) -> bool:
    """Whether the browser kaleido needs is there (a cheap check, no browser started)."""
    return os.path.exists(settings.chromium_path)


def _ensure_browser(settings: DashboardSettings) -> None:
    global _started
    if _started:
        return
    if not browser_available(settings):
        raise ExportUnavailable(
            f"No browser at {settings.chromium_path} to render images. Install Chromium "
            "(`apt-get install chromium`) or set IM_CHROMIUM_PATH; the chart's camera button "
            "still downloads a PNG from your browser."
        )
    os.environ.setdefault("BROWSER_PATH", settings.chromium_path)
    kaleido.start_sync_server(path=settings.chromium_path, silence_warnings=True)
    atexit.register(kaleido.stop_sync_server, silence_warnings=True)
    _started = True


def render_image(fig: go.Figure, fmt: str, settings: DashboardSettings | None = None) -> bytes:
    """The figure as PNG (at `IM_EXPORT_SCALE`, 1280 px wide) or SVG bytes, title and all."""
    if fmt not in {"png", "svg"}:
        raise ValueError(f"cannot export {fmt!r}; use 'png' or 'svg'")
    settings = settings or DashboardSettings()
    height = int(fig.layout.height or DEFAULT_HEIGHT)
    options = {"format": fmt, "width": EXPORT_WIDTH, "height": height,
               "scale": settings.export_scale if fmt == "png" else 1}
    with _lock:
        _ensure_browser(settings)
        try:
            return bytes(kaleido.calc_fig_sync(fig, opts=options))
        except Exception as exc:  # kaleido raises several unrelated types for browser trouble
            raise ExportUnavailable(f"The chart could not be rendered ({exc}).") from exc
