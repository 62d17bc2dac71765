"""Pieces every page shares: the filter sidebar, a chart with its downloads, evidence cards,
empty states and presentation mode. Pages compose these with `data` and `charts`.

Widget keys are stable and labels plain, so browser tests and screenshots can target them.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import briefing, correction_widgets, csv_export, data, explain, export, url_state
from dashboard.charts.framing import ChartContext, selected_ids
from dashboard.charts.labels import (
    date_label,
    export_filename,
    published_label,
    source_line,
    text_or,
)
from dashboard.filters import (
    BY_ARTICLE,
    BY_STORY,
    CONFIDENCE_STEP,
    COUNT_LABELS,
    REVIEWED_ONLY_LINE,
    FilterOptions,
    Filters,
)
from dashboard.marks import EventCell, FigurePoint

PRESENTATION_CSS = """
<style>
html { font-size: 19px; }
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; max-width: 100%; }
</style>
"""

EVIDENCE_CSS = """
<style>
.im-evidence { border-left: 4px solid #0072B2; padding: 0.4rem 0.9rem; margin: 0.2rem 0 0.6rem 0;
               background: #F5F8FB; }
.im-evidence blockquote { margin: 0 0 0.5rem 0; font-size: 1.05rem; line-height: 1.55; }
.im-evidence .im-meta { color: #555; font-size: 0.92rem; }
</style>
"""

CHART_CONFIG_BASE: dict[str, Any] = {
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
}


# --- the sidebar -----------------------------------------------------------------------------


def _reset(options: FilterOptions) -> None:
    url_state.set_filters(Filters(), options)


def _presentation_toggled() -> None:
    url_state.set_presentation(bool(st.session_state[url_state.PRESENTATION_WIDGET]))


def _prepare_widgets(options: FilterOptions) -> None:
    """Give every filter widget a valid value before it is drawn.

    A widget not drawn last run (presentation mode) takes the current filters; a value a
    rebuild made invalid (an outlet no longer present, a year outside the new range) is reset.
    """
    state = st.session_state
    current = url_state.filters()
    wanted = url_state.widget_values(current, options)
    for key, value in wanted.items():
        held = state.get(key)
        if held is None:
            state[key] = value
        elif key in (url_state.EVENT_YEARS_WIDGET, url_state.PUBLISHED_YEARS_WIDGET):
            name = "event_years" if key == url_state.EVENT_YEARS_WIDGET else "published_years"
            bounds = options.slider_range(name, getattr(current, name))
            if bounds is None or not (bounds[0] <= held[0] <= held[1] <= bounds[1]):
                state[key] = value
        elif key == url_state.CONFIDENCE_WIDGET:
            if not isinstance(held, int) or not 0 <= held <= 100:
                state[key] = value
        elif key == url_state.REVIEWED_WIDGET:
            if not isinstance(held, bool):
                state[key] = value
        elif key == url_state.COUNT_WIDGET:
            if held not in COUNT_LABELS:
                state[key] = value
        else:
            allowed = set(getattr(options, key.removeprefix("filter_")))
            if not set(held) <= allowed:
                state[key] = [v for v in held if v in allowed]
    if url_state.PRESENTATION_WIDGET not in state:
        state[url_state.PRESENTATION_WIDGET] = url_state.presentation()


def filter_sidebar(options: FilterOptions) -> Filters:
    """Draw the shared filters in the sidebar and return what they select.

    Each filter is explained in its help text; the caption under them states the view in words.
    """
    _prepare_widgets(options)
    names = data.labels()
    current = url_state.filters()
    with st.sidebar:
        st.header("Filters")
        event_years = _year_slider(
            "Event years", url_state.EVENT_YEARS_WIDGET,
            options.slider_range("event_years", current.event_years),
            "Dated events whose year, or span, falls in this range; articles and themes are "
            "narrowed to articles reporting such an event.")
        published_years = _year_slider(
            "Publication years", url_state.PUBLISHED_YEARS_WIDGET,
            options.slider_range("published_years", current.published_years),
            "Articles published in these years (articles without a date drop out).")
        themes = st.multiselect(
            "Themes", options.themes, key=url_state.THEMES_WIDGET, placeholder="All themes",
            format_func=lambda t: names["themes"].get(t, t),
            help="Articles carrying any of these themes; theme charts show only these themes.")
        initiatives = st.multiselect(
            "Initiatives", options.initiatives, key=url_state.INITIATIVES_WIDGET,
            placeholder="All initiatives", format_func=lambda i: names["initiatives"].get(i, i),
            help="Events and figures of these initiatives; articles that name any of them.")
        event_types = st.multiselect(
            "Event types", options.event_types, key=url_state.EVENT_TYPES_WIDGET,
            placeholder="All event types",
            format_func=lambda t: names["event_types"].get(t, t),
            help="Events of these types; articles are narrowed to those reporting one.")
        outlets = st.multiselect(
            "Outlets", options.outlets, key=url_state.OUTLETS_WIDGET,
            placeholder="All outlets", help="Articles from these outlets.")
        confidence_floor = st.slider(
            "Confidence floor", min_value=0, max_value=100, step=CONFIDENCE_STEP,
            key=url_state.CONFIDENCE_WIDGET, format="%d%%",
            help="Hide events and membership figures whose evidence is weaker than this, on "
                 "every page. A fact read from one sentence with an event verb and a date "
                 "written out scores 100%; one whose initiative, date or type had to be "
                 "inferred (from an earlier sentence, the publication date, a meeting noun) "
                 "scores less. 0% shows everything. Articles are not hidden.")
        reviewed_only = st.toggle(
            REVIEWED_ONLY_LINE, key=url_state.REVIEWED_WIDGET,
            help="Briefing-safe: show only the events and membership figures an analyst "
                 "confirmed, edited or added, on every page, chart, download and briefing "
                 "pack (a disagreement is listed when one of its claims is). Machine-read "
                 "facts nobody has reviewed are hidden; articles are not. The link keeps it "
                 "(`reviewed=1`).")
        count = st.radio(
            "Count", [BY_STORY, BY_ARTICLE], key=url_state.COUNT_WIDGET, horizontal=True,
            format_func=COUNT_LABELS.__getitem__,
            help="Stories: a story republished by several outlets (wire copy, light edits, "
                 "another headline) counts once, through its earliest article, on every page; "
                 "its evidence names the other outlets. Articles: every article counts, "
                 "reprints included (`count=article` in the link).")
        selected = Filters(
            event_years=event_years, published_years=published_years, themes=tuple(themes),
            initiatives=tuple(initiatives), event_types=tuple(event_types),
            outlets=tuple(outlets), confidence_floor=int(confidence_floor),
            reviewed_only=bool(reviewed_only), by_article=count == BY_ARTICLE,
        ).restricted_to(options)
        st.session_state[url_state.FILTERS_KEY] = selected
        st.caption(f"**Showing:** {escape_markdown(selected.describe(names))}",
                   help="This line is also the subtitle of every chart and of its downloads.")
        st.button("Reset filters", key="reset_filters", on_click=_reset, args=(options,),
                  disabled=selected.is_empty, icon=":material/filter_alt_off:")
        st.divider()
        st.toggle("Presentation mode", key=url_state.PRESENTATION_WIDGET,
                  on_change=_presentation_toggled,
                  help="Hides the sidebar and controls and enlarges text, for screenshots. "
                       "The link keeps it (`present=1`).")
    return selected


def _year_slider(label: str, key: str, bounds: tuple[int, int] | None,
                 help_text: str) -> tuple[int, int] | None:
    if bounds is None:
        st.caption(f"{label}: no dated data.")
        return None
    if bounds[0] == bounds[1]:
        st.caption(f"{label}: {bounds[0]} only.")
        return None
    # a range slider: the value kept under `key` (seeded from the URL) is a (start, end) pair,
    # which the overloads of st.slider cannot see without a `value` argument
    chosen: Any = st.slider(label, min_value=bounds[0], max_value=bounds[1], key=key, step=1,
                            help=help_text)
    low, high = chosen
    return int(low), int(high)


def presentation_frame() -> None:
    """In presentation mode: enlarge text, hide chrome, and offer the way back (at the foot)."""
    st.html(PRESENTATION_CSS)


def leave_presentation_button() -> None:
    """The one control presentation mode keeps, at the foot of the page."""
    st.button("Leave presentation mode", key="leave_presentation", type="tertiary",
              on_click=url_state.set_presentation, args=(False,))


# --- text ------------------------------------------------------------------------------------


_MARKDOWN_SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:=")


def escape_markdown(text: str) -> str:
    """`text` with every Markdown (and Streamlit directive) special backslash-escaped."""
    return "".join("\\" + c if c in _MARKDOWN_SPECIALS else c for c in text)


def safe_link(url: object) -> str | None:
    """An article's URL if it is a plain web address, else None (no `javascript:` links)."""
    if not isinstance(url, str):
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


# --- charts ----------------------------------------------------------------------------------


def chart_context(title: str, chart: str, source: str) -> ChartContext:
    """Title, the active filters as subtitle, the source line and the download name."""
    current = url_state.filters()
    return ChartContext(title=title, subtitle=current.describe(data.labels()), source=source,
                        filename=export_filename(chart, current),
                        presentation=url_state.presentation())


def source_of_view() -> str:
    """The source line for charts aggregated over the articles in view."""
    return source_of_outlets(data.source_summary(url_state.filters()))


def source_of_outlets(outlets: pd.DataFrame) -> str:
    """The source line for a chart drawn from these articles (`outlet`, `articles` per row)."""
    built_at = data.warehouse().built_at
    return source_line(int(outlets["articles"].sum()), list(outlets["outlet"]), built_at)


def chart_block(fig: go.Figure, rows: pd.DataFrame, ctx: ChartContext, key: str,
                on_select: Callable[[], None] | None = None) -> None:
    """Draw a chart with its download row: the data as CSV, the chart as PNG and SVG.

    The modebar camera saves a 3x PNG named after the view. PNG and SVG below are rendered on
    the server (with title, filter line and source line) only when clicked.
    """
    config = {**CHART_CONFIG_BASE,
              "toImageButtonOptions": {"format": "png", "filename": ctx.filename,
                                       "scale": data.settings().export_scale}}
    st.plotly_chart(fig, key=key, theme=None, config=config, width="stretch",
                    on_select=on_select or "ignore", selection_mode="points")
    if url_state.presentation():
        return
    export_ok = export.browser_available(data.settings())
    with st.container(horizontal=True, key=f"{key}_downloads"):
        st.download_button(
            "Data (CSV)", data=lambda: csv_export.csv_bytes(rows),
            file_name=f"{ctx.filename}.csv", mime="text/csv", key=f"{key}_csv",
            on_click="ignore", icon=":material/table:",
            help="The rows behind this chart, with their source sentences where it has them.")
        for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
            st.download_button(
                f"Chart ({fmt.upper()})", data=_renderer(fig, fmt),
                file_name=f"{ctx.filename}.{fmt}", mime=mime, key=f"{key}_{fmt}",
                on_click="ignore", icon=":material/image:", disabled=not export_ok,
                help=("Rendered on the server with title, filters and source line; the first "
                      "image takes a few seconds." if export_ok else
                      "No browser on the server to render images; use the chart's camera "
                      "button instead."))


def table(frame: pd.DataFrame, **options: Any) -> Any:
    """`st.dataframe` for every table of the app, with text cells `formula_safe`.

    The table's own toolbar offers "Download as CSV", written by the browser from the cells
    shown, so the cells are made safe here, the same way as every other CSV: a text that would
    start a spreadsheet formula shows (and downloads) with a leading quote.
    """
    return st.dataframe(csv_export.formula_safe_frame(frame), **options)


def _renderer(fig: go.Figure, fmt: str) -> Callable[[], bytes]:
    def render() -> bytes:
        return export.render_image(fig, fmt, data.settings())
    return render


def briefing_pack_button(view: str, charts_in_view: Sequence[briefing.BriefingChart],
                         key: str) -> None:
    """A download of the view's charts as a briefing pack: slides and their CSVs in one ZIP.

    The pack is built only when clicked (kaleido renders each chart, 0.3-3 s apiece), from the
    figures and rows this run already holds, so it shows exactly the view on screen. The file
    name states the filters and today's date.
    """
    if url_state.presentation() or not charts_in_view:
        return
    settings = data.settings()
    current = url_state.filters()
    filter_line = current.describe(data.labels())
    built_at = data.warehouse().built_at
    today = dt.date.today()
    pack = tuple(charts_in_view)

    def build() -> bytes:
        return briefing.build_briefing_pack(pack, view=view, filter_line=filter_line,
                                            filters=current, built_at=built_at, today=today,
                                            settings=settings)

    export_ok = export.browser_available(settings)
    st.download_button(
        "Briefing pack (slides + CSV)", data=build,
        file_name=briefing.pack_filename(current, today), mime="application/zip", key=key,
        on_click="ignore", icon=":material/slideshow:", disabled=not export_ok,
        help=(f"A PowerPoint slide per chart of this page ({len(pack)}) with its title, filters, "
              "source line and cited sentences, plus the CSVs behind the charts, in one ZIP. "
              "Built when clicked: a few seconds." if export_ok else
              "No browser on the server to render the charts; use the chart's camera button."))


def filter_to_clicked_theme(chart_key: str) -> Callable[[], None]:
    """A chart's click handler that narrows every page to the clicked theme (customdata[0])."""
    def handle_click() -> None:
        ids = selected_ids(st.session_state.get(chart_key))
        if ids:
            url_state.set_filters(url_state.filters().with_theme(ids[0]), data.filter_options())
    return handle_click


# The icon of an empty state, and only of it: nothing matches, or nothing to search for (the
# browser benchmark tells a page with nothing to draw from one with a warning or a note by it).
EMPTY_STATE_ICON = ":material/search_off:"


def empty_state(what: str) -> None:
    """Say plainly that nothing matches, what is filtered, and how to widen the view."""
    described = url_state.filters().describe(data.labels())
    st.info(f"**{escape_markdown(what)}**  \nFilters: {escape_markdown(described)}.  \n"
            "Widen the year ranges or remove a filter in the sidebar (or press "
            "**Reset filters**).", icon=EMPTY_STATE_ICON)


# --- evidence --------------------------------------------------------------------------------


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as plain dicts, fast: pandas' own row access (`iterrows`, `to_dict`)
    costs more per row than an evidence card does on Arrow-backed columns."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, values, strict=True))
            for values in zip(*(frame[c].tolist() for c in frame.columns), strict=True)]


def evidence_card_html(heading: str, sentence: str, row: pd.Series | dict[str, Any],
                       extra: str = "", note: str = "", review: str = "") -> str:
    """The HTML of an evidence card: a sentence and its article, all escaped (article text is
    untrusted, and so are analysts' names and reasons; links only for http(s) addresses).
    `row` has title, outlet, url, published, published_precision and sentence_no; `note` says
    how the fact was read (`explain.evidence_note`), `review` who stands behind it
    (`explain.review_line`)."""
    title = html.escape(text_or(row.get("title"), "Untitled article"))
    outlet = html.escape(text_or(row.get("outlet"), "unknown outlet"))
    when = html.escape(published_label(row.get("published"),
                                              row.get("published_precision")))
    link = safe_link(row.get("url"))
    title_html = (f'<a href="{html.escape(link, quote=True)}" target="_blank" '
                  f'rel="noopener noreferrer">{title}</a>' if link else title)
    return ('<div class="im-evidence">'
            + f"<div class='im-meta'><b>{html.escape(heading)}</b>"
            + (f" · {html.escape(extra)}" if extra else "") + "</div>"
            + f"<blockquote>“{html.escape(sentence)}”</blockquote>"
            + f"<div class='im-meta'>{title_html} — {outlet}, {when}"
            + f" (sentence {int(row.get('sentence_no') or 0)})</div>"
            + _also_in_html(row.get("also_in"))
            + (f"<div class='im-meta im-how'>How it was read: {html.escape(note)}</div>"
               if note else "")
            + (f"<div class='im-meta im-review'>{html.escape(review)}</div>" if review else "")
            + "</div>")


def _also_in_html(outlets: object) -> str:
    """The line naming the other outlets that ran the same story (its reprints), or ''."""
    names = [str(o) for o in (list(outlets) if outlets is not None  # type: ignore[call-overload]
                              and not isinstance(outlets, str) else [])]
    if not names:
        return ""
    return f"<div class='im-meta im-also'>Also in: {html.escape(', '.join(names))}</div>"


def evidence_card(heading: str, sentence: str, row: pd.Series, extra: str = "",
                  note: str = "", review: str = "") -> None:
    """A sentence and the article it came from, all escaped (article text is untrusted)."""
    evidence_cards([evidence_card_html(heading, sentence, row, extra, note, review)])


def evidence_cards(cards: Sequence[str], styled: bool = True) -> None:
    """Several evidence cards (`evidence_card_html`) in one element: a page of twenty cards
    costs one element, not twenty. `styled=False` leaves out their style, for a page that
    draws `EVIDENCE_CSS` once above many groups of cards."""
    if cards:
        st.html((EVIDENCE_CSS if styled else "") + "".join(cards))


def article_card_html(row: pd.Series | dict[str, Any]) -> str:
    """The HTML of an article's card in a list of articles: its title (linked for an http(s)
    address), outlet, date and the initiatives it names, all escaped (article text is
    untrusted)."""
    title = html.escape(text_or(row.get("title"), "Untitled article"))
    outlet = html.escape(text_or(row.get("outlet"), "unknown outlet"))
    when = html.escape(published_label(row.get("published"), row.get("published_precision")))
    link = safe_link(row.get("url"))
    title_html = (f'<a href="{html.escape(link, quote=True)}" target="_blank" '
                  f'rel="noopener noreferrer">{title}</a>' if link else title)
    named = row.get("initiatives")
    names = ", ".join(str(n) for n in list(named)[:6]) if named is not None else ""
    return ('<div class="im-evidence im-article">'
            + f"<div><b>{title_html}</b></div>"
            + f"<div class='im-meta'>{outlet}, {when}</div>"
            + (f"<div class='im-meta'>Names: {html.escape(names)}</div>" if names else "")
            + "</div>")


def _event_card_html(row: pd.Series | dict[str, Any]) -> str:
    """The evidence card of one event: its sentence, date as written, and article."""
    when = date_label(row["year"], row["month"], row["day"], row["end_year"],
                             row["end_month"], row["end_day"])
    return evidence_card_html(
        f"{row['initiative_name']}: {row['event_type'].replace('_', ' ')}, {when}",
        str(row["sentence"]), row, extra=f"date as written: “{row['date_text']}”",
        note=explain.evidence_note(row), review=explain.review_line(row))


def event_evidence(event_id: str | None) -> bool:
    """Show the evidence of a dated event; False when the id is unknown (a stale link)."""
    if not event_id:
        return False
    found = data.event_evidence(event_id)
    if found.empty:
        return False
    evidence_cards([_event_card_html(found.iloc[0])])
    correction_widgets.fact_actions("event", found.iloc[0], key=f"fix_{event_id}")
    return True


def membership_evidence(membership_id: str | None) -> bool:
    """Show the evidence of a reported membership figure; False when the id is unknown."""
    if not membership_id:
        return False
    found = data.membership_evidence(membership_id)
    if found.empty:
        return False
    row = found.iloc[0]
    year = "year unknown" if pd.isna(row["year"]) else str(int(row["year"]))
    evidence_card(f"{row['initiative_name']}: {int(row['count'])} "
                  f"{row['kind'].replace('_', ' ')} ({year})", str(row["sentence"]), row,
                  extra=f"as written: “{row['count_text']}”", note=explain.evidence_note(row),
                  review=explain.review_line(row))
    correction_widgets.fact_actions("membership", row, key=f"fix_{membership_id}")
    return True


def evidence_page(total: int, key: str, param: str = "epage") -> int:
    """The page (from 0) of a paged evidence list of `total` sentences, kept in the URL.

    Draws the page picker (widget `key`) when there is more than one page and not in
    presentation mode; a page beyond the last (a stale link) falls back to the first.
    """
    size = data.settings().evidence_page_size
    pages = max(1, math.ceil(total / size))
    url_state.synced_param(param, key, 1, valid=list(range(1, pages + 1)))
    if pages > 1 and not url_state.presentation():
        st.number_input(f"Evidence page (of {pages:,})", min_value=1, max_value=pages, step=1,
                        key=key, width=200)
    return int(st.session_state[key]) - 1


def _paged_caption(page: int, shown: int, total: int, noun: str) -> None:
    size = data.settings().evidence_page_size
    first = page * size + 1
    st.caption(f"{noun} {first:,}–{first + shown - 1:,} of {total:,}, newest articles first.")


def cell_evidence(cell: EventCell, heading: str, page_key: str) -> bool:
    """Show, a page at a time, the sentences behind a timeline cell (events in view).

    False when no event in view belongs to the cell (a stale link, or the filters changed).
    """
    filters = url_state.filters()
    first = data.cell_events(filters, cell.initiative_id, cell.event_type, cell.year, 0)
    if first.empty:
        return False
    total = int(first["total"].iloc[0])
    st.markdown(f"**{escape_markdown(heading)}** · {total:,} "
                f"{'event' if total == 1 else 'events'}")
    page = evidence_page(total, page_key)
    rows = first if page == 0 else data.cell_events(filters, cell.initiative_id,
                                                    cell.event_type, cell.year, page)
    _paged_caption(page, len(rows), total, "Sentences")
    evidence_cards([_event_card_html(row) for row in records(rows)])
    correction_widgets.choose_and_correct("event", rows, key=page_key)
    return True


def point_evidence(point: FigurePoint, heading: str, page_key: str) -> bool:
    """Show, a page at a time, the sentences behind a membership point (figures in view).

    False when no figure in view gives that count for that year.
    """
    filters = url_state.filters()
    first = data.point_reports(filters, point.initiative_id, point.kind, point.year,
                               point.count, 0)
    if first.empty:
        return False
    total = int(first["total"].iloc[0])
    st.markdown(f"**{escape_markdown(heading)}** · {total:,} "
                f"{'report' if total == 1 else 'reports'}")
    page = evidence_page(total, page_key)
    rows = first if page == 0 else data.point_reports(
        filters, point.initiative_id, point.kind, point.year, point.count, page)
    _paged_caption(page, len(rows), total, "Sentences")
    evidence_cards([evidence_card_html(
        f"{int(row['count'])} {str(row['kind']).replace('_', ' ')} ({int(row['year'])})",
        str(row["sentence"]), row, extra=f"as written: “{row['count_text']}”",
        note=explain.evidence_note(row), review=explain.review_line(row))
        for row in records(rows)])
    correction_widgets.choose_and_correct("membership", rows, key=page_key)
    return True
