"""Server-side PNG/SVG export through kaleido and the Debian Chromium, title and all."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import export
from dashboard.charts.framing import ChartContext
from dashboard.charts.topics import theme_frequency_figure
from dashboard.settings import DashboardSettings

pytestmark = pytest.mark.skipif(not export.browser_available(DashboardSettings()),
                                reason="no Chromium to render with")


def test_png_and_svg_carry_the_title_filter_line_and_source_line() -> None:
    ctx = ChartContext(title="Top themes", subtitle="Events 2002–2023", filename="top-themes",
                       source="Source: 5 articles from NNN-Bernama; warehouse built today.")
    frame = pd.DataFrame({"theme": ["security"], "label": ["Security"], "articles": [5],
                          "hits": [40], "per_1000_words": [8.0]})
    figure = theme_frequency_figure(frame, "articles", {"security": "#0072B2"}, ctx)
    png = export.render_image(figure, "png")
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert width == export.EXPORT_WIDTH * DashboardSettings().export_scale
    svg = export.render_image(figure, "svg").decode("utf-8")
    for text in ("Top themes", "Events 2002–2023", "Source: 5 articles from NNN-Bernama"):
        assert text in svg
    with pytest.raises(ValueError, match="png"):
        export.render_image(figure, "gif")
