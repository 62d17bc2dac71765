"""Briefing packs: the charts of a view as PowerPoint slides, plus the CSVs behind them, in a ZIP.

The end product of an analyst's work is a briefing, so any filtered view can be taken away as
one file: `initiative-monitor_briefing_<filters>_<date>.zip` holding

- `<same name>.pptx`: a title slide stating the view, the filters and the build; then per chart
  a slide with its title, filter line, the chart image (kaleido, through `export`) and its
  source line, the sentences it cites in the slide notes, and a following slide listing the
  first of those sentences (charts that cite none have no such slide);
- `data/<chart>.csv`, the rows behind each chart, and `data/<chart>_sentences.csv` where a
  chart's cited sentences are not already in its rows (the theme charts);
- `README.txt`, what the pack holds and where it came from.

Pure: figures, DataFrames and metadata in, bytes out; no Streamlit. python-pptx writes the
slides (it escapes text for XML itself; we only drop the control characters XML cannot hold).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.presentation import Presentation as PresentationType
from pptx.util import Emu, Inches, Pt

from dashboard import csv_export, explain, export, theme
from dashboard.charts.framing import ChartContext
from dashboard.charts.labels import (
    date_label,
    export_filename,
    format_built_at,
    published_label,
    shorten,
    text_or,
)
from dashboard.filters import Filters
from dashboard.review import UNREVIEWED
from dashboard.settings import DashboardSettings

SLIDE_WIDTH = Inches(13.333)  # 16:9
SLIDE_HEIGHT = Inches(7.5)
MARGIN = Inches(0.4)
IMAGE_TOP = Inches(1.45)
IMAGE_BOTTOM = Inches(6.85)
TITLE_ONLY_LAYOUT = 5  # python-pptx's default template: 'Title Only'
NOTES_MAX_CITATIONS = 200  # more are in the chart's CSV; slide notes stay readable
SLIDE_MAX_CITATIONS = 6  # on the 'Cited sentences' slide that follows a chart
SLIDE_CITATION_CHARS = 240
MUTED = RGBColor(0x55, 0x55, 0x55)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

RenderPng = Callable[[go.Figure], bytes]


@dataclass(frozen=True, eq=False)
class BriefingChart:
    """One chart of a view as it goes into a pack: the figure, its rows, its framing.

    `citations` are the sentences the chart stands on, when they are not its rows' own
    `sentence` column (a theme chart aggregates keyword hits; pass example sentences). It may
    be a function giving them, called only when a pack is built (finding example sentences
    costs a query the page need not run on every rerun).
    """

    figure: go.Figure
    rows: pd.DataFrame
    context: ChartContext
    citations: pd.DataFrame | Callable[[], pd.DataFrame] | None = None

    def resolved(self) -> BriefingChart:
        """This chart with its citations as a DataFrame (calling the function, if one)."""
        if callable(self.citations):
            return dataclasses.replace(self, citations=self.citations())
        return self


@dataclass(frozen=True)
class Citation:
    """A cited sentence: what it supports on the chart, the sentence, and its article."""

    label: str  # 'CICA: proposed, Oct 1992', '28 member states (2023)', 'Security (keywords: ..)'
    sentence: str
    source: str  # 'Title (Outlet, 16 Jul 2023)'
    url: str | None


def clean_text(value: object) -> str:
    """Text made safe for the slide XML: control characters dropped, whitespace collapsed."""
    return " ".join(_XML_INVALID.sub("", text_or(value)).split())


def _citation_label(row: pd.Series) -> str:
    """What a sentence supports, read from the shape of the rows (events, figures, themes)."""
    if "event_type" in row and "initiative_label" in row:
        when = date_label(row.get("year"), row.get("month"), row.get("day"),
                                 row.get("end_year"), row.get("end_month"), row.get("end_day"))
        event = theme.event_type_label(str(row["event_type"]))
        return f"{row['initiative_label']}: {event}, {when}{_one_of(row.get('events'))}"
    if "count" in row and "kind" in row and not pd.isna(row.get("count")):
        year = "year unknown" if pd.isna(row.get("year")) else str(int(row["year"]))
        return (f"{int(row['count'])} {str(row['kind']).replace('_', ' ')} ({year})"
                f"{_one_of(row.get('reports'))}")
    if "keywords" in row and "label" in row:
        return f"{row['label']} (keywords: {row['keywords']})"
    return ""


def _reviewed(row: pd.Series) -> str:
    """' · Analyst-confirmed by ana on 6 Dec 2026: <reason>' for a fact an analyst reviewed;
    '' for a machine-read one, a mark of several facts, or rows without review columns."""
    review = row.get("review")
    if not isinstance(review, str) or review == UNREVIEWED:
        return ""
    return " · " + explain.review_line(row)


def _one_of(count: object) -> str:
    """'; one of 20,000 reports' when a chart mark stands for several sentences, else ''."""
    if count is None or pd.isna(count) or int(count) <= 1:  # type: ignore[call-overload]
        return ""
    return f"; one of {int(count):,} reports"  # type: ignore[call-overload]


def citations_of(chart: BriefingChart) -> list[Citation]:
    """The sentences a chart cites, in the order of its rows, each once."""
    chart = chart.resolved()
    frame = chart.citations if isinstance(chart.citations, pd.DataFrame) else chart.rows
    if "sentence" not in frame.columns:
        return []
    cited: dict[tuple[str, str, str], Citation] = {}
    for _, row in frame.iterrows():
        sentence = clean_text(row.get("sentence"))
        if not sentence:
            continue
        published = published_label(row.get("published"), row.get("published_precision"))
        source = (f"{text_or(row.get('title'), 'Untitled article')} "
                  f"({text_or(row.get('outlet'), 'unknown outlet')}, {published})")
        citation = Citation(label=clean_text(_citation_label(row) + _reviewed(row)),
                            sentence=sentence,
                            source=clean_text(source),
                            url=_web_address(row.get("url")))
        cited.setdefault((citation.label, citation.sentence, citation.source), citation)
    return list(cited.values())


def _web_address(url: object) -> str | None:
    text = text_or(url)
    return clean_text(text) if text.lower().startswith(("http://", "https://")) else None


def pack_filename(filters: Filters, today: dt.date) -> str:
    """'initiative-monitor_briefing_2002-2023_security_2026-11-23.zip': the filters and the date."""
    stem = export_filename("briefing", filters)
    stem = stem if stem != "briefing" else "briefing_unfiltered"
    return f"initiative-monitor_{stem}_{today.isoformat()}.zip"


def slide_figure(figure: go.Figure) -> go.Figure:
    """A copy of the figure without its own title, filter line and source line.

    On a slide they are the slide's own text (editable, and read by screen readers and the
    outline view), so the image would only repeat them.
    """
    copy = go.Figure(figure)
    layout = copy.layout
    top = layout.margin.t if layout.margin.t is not None else 96
    # assigned, not passed to update_layout, which would merge the annotation list by index
    layout.annotations = [a for a in layout.annotations if a.name != "source"]
    layout.title.text = ""
    layout.title.subtitle.text = ""
    layout.margin.t = max(int(top) - 64, 24)
    return copy


def _png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def _text_box(slide: object, text: str, top: int, height: int, size: int, *,
              colour: RGBColor | None = None, bold: bool = False) -> None:
    box = slide.shapes.add_textbox(MARGIN, top, SLIDE_WIDTH - 2 * MARGIN, height)  # type: ignore[attr-defined]
    frame = box.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    paragraph.text = clean_text(text)
    paragraph.font.size = Pt(size)
    paragraph.font.bold = bold
    if colour is not None:
        paragraph.font.color.rgb = colour


def _titled_slide(presentation: PresentationType, title: str) -> object:
    slide = presentation.slides.add_slide(presentation.slide_layouts[TITLE_ONLY_LAYOUT])
    heading = slide.shapes.title
    heading.left, heading.top = MARGIN, Inches(0.25)
    heading.width, heading.height = SLIDE_WIDTH - 2 * MARGIN, Inches(0.75)
    heading.text = clean_text(title)
    paragraph = heading.text_frame.paragraphs[0]
    paragraph.font.size = Pt(28)
    paragraph.font.bold = True
    heading.text_frame.word_wrap = True
    return slide


def _notes_text(ctx: ChartContext, cited: Sequence[Citation], csv_name: str) -> str:
    lines = [clean_text(ctx.title), f"Filters: {clean_text(ctx.subtitle)}", clean_text(ctx.source),
             ""]
    if not cited:
        lines.append(f"This chart cites no sentences; its data is in {csv_name}.")
    else:
        lines.append(f"Cited sentences ({len(cited)}):")
        for number, citation in enumerate(cited[:NOTES_MAX_CITATIONS], start=1):
            label = f"[{citation.label}] " if citation.label else ""
            link = f" {citation.url}" if citation.url else ""
            lines.append(f"{number}. {label}“{citation.sentence}” — {citation.source}{link}")
        if len(cited) > NOTES_MAX_CITATIONS:
            lines.append(f"… and {len(cited) - NOTES_MAX_CITATIONS} more in {csv_name}.")
    return "\n".join(lines)


def _chart_slide(presentation: PresentationType, chart: BriefingChart, png: bytes,
                 cited: Sequence[Citation], csv_name: str) -> None:
    ctx = chart.context
    slide = _titled_slide(presentation, ctx.title)
    _text_box(slide, ctx.subtitle, Inches(0.95), Inches(0.4), 14, colour=MUTED)
    width_px, height_px = _png_size(png)
    box_width, box_height = SLIDE_WIDTH - 2 * MARGIN, IMAGE_BOTTOM - IMAGE_TOP
    scale = min(box_width / width_px, box_height / height_px)
    width, height = Emu(int(width_px * scale)), Emu(int(height_px * scale))
    slide.shapes.add_picture(io.BytesIO(png), Emu(int((SLIDE_WIDTH - width) / 2)), IMAGE_TOP,  # type: ignore[attr-defined]
                             width, height)
    _text_box(slide, ctx.source, IMAGE_BOTTOM + Inches(0.05), Inches(0.45), 11, colour=MUTED)
    slide.notes_slide.notes_text_frame.text = _notes_text(ctx, cited, csv_name)  # type: ignore[attr-defined]


def _citations_slide(presentation: PresentationType, chart: BriefingChart,
                     cited: Sequence[Citation], csv_name: str) -> None:
    slide = _titled_slide(presentation, f"Cited sentences: {chart.context.title}")
    _text_box(slide, chart.context.subtitle, Inches(0.95), Inches(0.4), 14, colour=MUTED)
    box = slide.shapes.add_textbox(MARGIN, Inches(1.5), SLIDE_WIDTH - 2 * MARGIN,  # type: ignore[attr-defined]
                                   Inches(5.6))
    frame = box.text_frame
    frame.word_wrap = True
    shown = cited[:SLIDE_MAX_CITATIONS]
    for index, citation in enumerate(shown):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(8)
        if citation.label:
            label = paragraph.add_run()
            label.text = f"{citation.label}: "
            label.font.bold = True
            label.font.size = Pt(14)
        quote = paragraph.add_run()
        quote.text = f"“{shorten(citation.sentence, SLIDE_CITATION_CHARS)}” "
        quote.font.size = Pt(14)
        origin = paragraph.add_run()
        origin.text = f"— {citation.source}"
        origin.font.size = Pt(12)
        origin.font.color.rgb = MUTED
    if len(cited) > len(shown):
        more = frame.add_paragraph()
        more.text = (f"{len(cited) - len(shown)} more in the notes of the previous slide and "
                     f"in {csv_name}.")
        more.font.size = Pt(12)
        more.font.italic = True
    slide.notes_slide.notes_text_frame.text = _notes_text(chart.context, cited, csv_name)  # type: ignore[attr-defined]


def _title_slide(presentation: PresentationType, view: str, filter_line: str, built_at: str | None,
                 today: dt.date, chart_titles: Sequence[str]) -> None:
    slide = _titled_slide(presentation, f"Initiative Monitor briefing: {view}")
    _text_box(slide, f"Filters: {filter_line}", Inches(1.2), Inches(0.5), 18)
    _text_box(slide, f"Prepared {today.isoformat()} from the warehouse built "
                     f"{format_built_at(built_at)}.", Inches(1.75), Inches(0.5), 14,
              colour=MUTED)
    _text_box(slide, "Charts: " + "; ".join(chart_titles), Inches(2.4), Inches(1.5), 14)
    slide.notes_slide.notes_text_frame.text = (  # type: ignore[attr-defined]
        f"View: {clean_text(view)}\nFilters: {clean_text(filter_line)}\n"
        "Each chart slide states its filters and sources; its notes list the sentences it "
        "cites. The data behind every chart is in the data/ folder of this pack.")


def build_presentation(charts_in_view: Sequence[BriefingChart], images: Sequence[bytes], *,
                       view: str, filter_line: str, built_at: str | None, today: dt.date,
                       csv_names: Sequence[str]) -> bytes:
    """The .pptx: a title slide, then per chart its slide and its cited-sentences slide."""
    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    presentation.core_properties.title = clean_text(f"Initiative Monitor briefing: {view}")
    presentation.core_properties.subject = clean_text(filter_line)
    _title_slide(presentation, view, filter_line, built_at, today,
                 [clean_text(c.context.title) for c in charts_in_view])
    for chart, png, csv_name in zip(charts_in_view, images, csv_names, strict=True):
        cited = citations_of(chart)
        _chart_slide(presentation, chart, png, cited, csv_name)
        if cited:
            _citations_slide(presentation, chart, cited, csv_name)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _unique_names(stems: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for stem in stems:
        seen[stem] = seen.get(stem, 0) + 1
        names.append(stem if seen[stem] == 1 else f"{stem}-{seen[stem]}")
    return names


def build_briefing_pack(charts_in_view: Sequence[BriefingChart], *, view: str, filter_line: str,
                        filters: Filters, built_at: str | None, today: dt.date,
                        settings: DashboardSettings | None = None,
                        render_png: RenderPng | None = None) -> bytes:
    """The ZIP of a view's briefing pack (see the module docstring for its contents).

    `render_png` turns a figure into PNG bytes; by default kaleido through `export`, which
    raises `export.ExportUnavailable` when there is no browser to render with.
    """
    if not charts_in_view:
        raise ValueError("a briefing pack needs at least one chart")
    charts_in_view = [chart.resolved() for chart in charts_in_view]
    if render_png is None:
        def render_png(figure: go.Figure) -> bytes:
            return export.render_image(figure, "png", settings)
    images = [render_png(slide_figure(chart.figure)) for chart in charts_in_view]
    stems = _unique_names([chart.context.filename for chart in charts_in_view])
    csv_names = [f"data/{stem}.csv" for stem in stems]
    name = pack_filename(filters, today).removesuffix(".zip")
    slides = build_presentation(charts_in_view, images, view=view, filter_line=filter_line,
                                built_at=built_at, today=today, csv_names=csv_names)
    files: list[tuple[str, bytes]] = [(f"{name}.pptx", slides)]
    contents = [f"- {name}.pptx: a slide per chart (title, filters, chart, source line), the "
                "sentences it cites in its notes and on the slide that follows."]
    for chart, stem, csv_name in zip(charts_in_view, stems, csv_names, strict=True):
        files.append((csv_name, csv_export.csv_bytes(chart.rows)))
        contents.append(f"- {csv_name}: the rows behind '{chart.context.title}'.")
        if isinstance(chart.citations, pd.DataFrame):
            files.append((f"data/{stem}_sentences.csv",
                          csv_export.csv_bytes(chart.citations)))
            contents.append(f"- data/{stem}_sentences.csv: the sentences "
                            f"'{chart.context.title}' cites.")
    readme = [f"Initiative Monitor briefing: {view}", f"Filters: {filter_line}",
              f"Prepared {today.isoformat()} from the warehouse built "
              f"{format_built_at(built_at)}.", "", "Contents:", *contents]
    files.append(("README.txt", ("\n".join(clean_text(line) for line in readme)
                                 + "\n").encode("utf-8")))
    stamp = (today.year, today.month, today.day, 0, 0, 0)  # the same input gives the same bytes
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            archive.writestr(zipfile.ZipInfo(path, date_time=stamp), content,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
