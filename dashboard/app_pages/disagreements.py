"""Disagreements between sources: facts the articles (or the reference series) give differently.

Per initiative, each fact the sources disagree on, with every side's sentences and articles
next to each other, so the analyst judges the sources instead of reading an averaged chart.
A visit sends a bounded amount whatever the warehouse holds: the facts a page at a time
(`FACTS_PER_PAGE`, `SIDES_PER_PAGE`), each side with its first sentences, and one side at a
time opened to page through all of its sentences (`side_claims`, like the evidence panels of
the charts).
What counts as a disagreement is decided in `queries.disagreement_claims` (docs/dashboard.md
has the analyst's version); this page only lays the sides out.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import components, csv_export, data, explain, theme, url_state
from dashboard.charts.labels import export_filename, source_line, text_or

SUMMARY_KEY = "disagreements_summary"
CSV_KEY = "disagreements_csv"
SIDE_KEY = "disagreements_side"  # the side opened to page through (URL parameter `side`)
SIDE_PAGE_KEY = "disagreements_side_page"  # the opened side's page (URL parameter `epage`)
FACT_PAGE_KEY = "disagreements_page"  # the page of facts (URL parameter `page`)
SIDES_PER_ROW = 3
# what a visit draws, so what it sends stays bounded whatever the warehouse holds: at most
# this many facts, and no more sides than this unless one fact alone has more
FACTS_PER_PAGE = 20
SIDES_PER_PAGE = 40
HOW_IT_WORKS = """
- **Once-only events.** An initiative is first held, founded and proposed once, so two years
  for one of them cannot both be right. Events that recur (held, chairmanship, a period, a
  scheduled meeting, an approval, an accession, ...) are never compared, and different event
  types are never compared with each other (a proposal in 1992 and a founding in 1999 are two
  events). Only years are compared: "June 2023" and "2023" agree. A sentence restating an
  earlier act ("reiterated his proposal") is not a claim about when it happened.
- **Membership counts.** Counts of the same kind for the same year that differ between
  articles, and counts that differ from the confirmed reference series. Members join during a
  year and the reference gives the count at the year's end, so a count between the previous
  confirmed year's and that year's fits the reference (and two such counts do not disagree).
  Years the reference marks unconfirmed are no evidence either way.
- Two claims disagree only when they come from different articles. The filters choose which
  disagreements are listed (those with a claim in view); the other side is always shown, marked
  when it lies outside the filters.
"""


def _kind_label(kind: str) -> str:
    return theme.membership_kind_label(kind)


Claim = dict[str, Any]  # one row of `queries.disagreement_claims`


def _value_label(first: Claim, value: int) -> str:
    """A side's value as the analyst reads it: a year, or a count of the fact's kind."""
    if first["topic"] == "event_year":
        return str(value)
    return f"{value} {_kind_label(str(first['fact']))}"


def _fact_heading(claims: list[Claim]) -> str:
    """'First held: 2008 or 2023?' / 'Member states in 2016: 24 or 26?' (26: the reference)."""
    first = claims[0]
    claimed = {int(c["value"]) for c in claims}
    if first["topic"] == "membership_count" and bool(first["reference_differs"]):
        claimed.add(int(first["reference_count"]))
    values = " or ".join(str(v) for v in sorted(claimed))
    if first["topic"] == "event_year":
        return f"{theme.event_type_label(str(first['fact'])).capitalize()}: {values}?"
    return f"{_kind_label(str(first['fact'])).capitalize()} in {int(first['fact_year'])}: {values}?"


def _verdict(first: Claim) -> str:
    """Why the fact is listed, in words (from any of its claims: they share the verdict)."""
    if first["topic"] == "event_year":
        return "Articles give different years for an event that happens once."
    reasons = []
    if bool(first["articles_differ"]):
        reasons.append("Articles give different counts for the same year.")
    if not pd.isna(first["reference_count"]):
        low, high = int(first["reference_low"]), int(first["reference_high"])
        fits = str(low) if low == high else f"{low} to {high}"
        since = ("" if pd.isna(first["reference_previous_year"]) else
                 f" ({int(first['reference_previous_count'])} at the end of "
                 f"{int(first['reference_previous_year'])}, the previous confirmed year)")
        # with a reference for the year, articles can only differ where a count misfits it
        reasons.append("Not every count fits the reference series, which confirms "
                       f"{int(first['reference_count'])} for {int(first['fact_year'])}{since}; "
                       f"a count of {fits} fits it.")
    return " ".join(reasons)


def _claim_card(claim: Claim) -> str:
    """The evidence card of one claim (HTML, escaped): its sentence, notes and article."""
    notes = [f"as written: “{claim['as_written']}”"]
    if claim["topic"] == "membership_count" and not pd.isna(claim["reference_count"]):
        notes.append("fits the reference" if bool(claim["fits_reference"])
                     else "differs from the reference")
    if not bool(claim["in_view"]):
        notes.append("outside the current filters")
    return components.evidence_card_html(f"{claim['initiative_label']}: {_value_label_of(claim)}",
                                         str(claim["sentence"]), claim, extra=" · ".join(notes),
                                         review=explain.review_line(claim))


def _value_label_of(claim: Claim) -> str:
    if claim["topic"] == "event_year":
        return f"{theme.event_type_label(str(claim['fact']))} {int(claim['value'])}"
    return f"{int(claim['value'])} {_kind_label(str(claim['fact']))} in {int(claim['fact_year'])}"


def _reference_card(claims: Claim) -> None:
    """The reference series' side: its confirmed figure, who joined, and its sources.

    The reference is our own sourced file, not article text, but it is escaped all the same.
    """
    st.html(
        components.EVIDENCE_CSS
        + '<div class="im-evidence">'
        + "<div class='im-meta'><b>Reference series</b> · data/reference, confirmed year</div>"
        + f"<blockquote>{int(claims['reference_count'])} "
        + f"{html.escape(_kind_label(str(claims['fact'])))} at the end of "
        + f"{int(claims['fact_year'])}"
        + (f". Joined, and notes: {html.escape(str(claims['reference_notes']))}"
           if isinstance(claims["reference_notes"], str) else "")
        + "</blockquote>"
        + "<div class='im-meta'>Sources: "
        + html.escape(text_or(claims["reference_source"], "not given")) + "</div></div>"
    )


def _grouped(claims: list[Claim], key: str) -> dict[Any, list[Claim]]:
    """Claims by the value of `key`, in the order they come (the query sorts them)."""
    groups: dict[Any, list[Claim]] = {}
    for claim in claims:
        groups.setdefault(claim[key], []).append(claim)
    return groups


def side_id(claim: Claim) -> str:
    """The side a claim is on, as the URL names it: 'disagreement id=value'."""
    return f"{claim['disagreement_id']}={int(claim['value'])}"


def _open_side(side: str) -> None:
    """Open `side` at its first page ('' closes the open one)."""
    st.session_state[SIDE_KEY] = side
    st.session_state[SIDE_PAGE_KEY] = 1


def _widget_key(prefix: str, side: str) -> str:
    return prefix + re.sub(r"[^A-Za-z0-9_-]", "_", side)


def _opened_side(first: Claim, side: str) -> None:
    """Every sentence of one side, a page at a time (claims in view first, then the newest)."""
    total = int(first["side_claims"])
    page = components.evidence_page(total, SIDE_PAGE_KEY)
    rows = components.records(data.side_claims(url_state.filters(), str(
        first["disagreement_id"]), int(first["value"]), page))
    if rows:
        start = page * data.settings().evidence_page_size + 1
        st.caption(f"Sentences {start:,}–{start + len(rows) - 1:,} of {total:,}, those in view "
                   "first, then the newest articles.")
        components.evidence_cards([_claim_card(claim) for claim in rows], styled=False)
    if not url_state.presentation():
        st.button("Show fewer", key=_widget_key("disagreements_close_", side),
                  on_click=_open_side, args=("",), icon=":material/unfold_less:")


def _side_preview(rows: list[Claim], side: str) -> None:
    """A side's first sentences, and how to open all of them."""
    components.evidence_cards([_claim_card(claim) for claim in rows], styled=False)
    total = int(rows[0]["side_claims"])
    if total <= len(rows):
        return
    if url_state.presentation():
        st.caption(f"and {total - len(rows):,} more sentences saying the same.")
        return
    st.button(f"All {total:,} sentences", key=_widget_key("disagreements_open_", side),
              on_click=_open_side, args=(side,), icon=":material/unfold_more:",
              help="Page through every sentence on this side (those in view first).")


def _show_sides(claims: list[Claim], opened: str) -> None:
    """One column per side (a value claimed), plus the reference series where it has a say;
    the `opened` side lists all its sentences a page at a time, the others their first."""
    first = claims[0]
    panels: list[tuple[str, list[Claim] | None]] = [
        (_value_label(first, int(value)), rows)
        for value, rows in sorted(_grouped(claims, "value").items())]
    if first["topic"] == "membership_count" and not pd.isna(first["reference_count"]):
        panels.append(("Reference series", None))
    for start in range(0, len(panels), SIDES_PER_ROW):
        row = panels[start:start + SIDES_PER_ROW]
        for column, (label, rows) in zip(st.columns(len(row)), row, strict=True):
            with column:
                if rows is None:
                    st.markdown(f"**{components.escape_markdown(label)}**")
                    _reference_card(first)
                    continue
                articles = int(rows[0]["side_articles"])
                st.markdown(f"**Says {components.escape_markdown(label)}** · {articles:,} "
                            f"{'article' if articles == 1 else 'articles'}")
                side = side_id(rows[0])
                if side == opened:
                    _opened_side(rows[0], side)
                else:
                    _side_preview(rows, side)


def _fact_order(item: tuple[Any, list[Claim]]) -> tuple[Any, ...]:
    first = item[1][0]
    return (first["topic"], first["fact"],
            -1 if pd.isna(first["fact_year"]) else first["fact_year"], item[0])


def ordered_facts(summary: pd.DataFrame, claims: pd.DataFrame) -> list[list[Claim]]:
    """Each fact's claims, initiatives in the summary's order (most disagreements first),
    then by topic, fact and year within an initiative."""
    by_initiative = _grouped(components.records(claims), "initiative_id")
    facts: list[list[Claim]] = []
    for initiative_id in summary["initiative_id"]:
        grouped = _grouped(by_initiative.get(initiative_id, []), "disagreement_id")
        facts.extend(rows for _, rows in sorted(grouped.items(), key=_fact_order))
    return facts


def fact_pages(facts: list[list[Claim]]) -> list[tuple[int, int]]:
    """Where each page of facts starts and ends: facts in order, a page full at
    `FACTS_PER_PAGE` facts or before it would pass `SIDES_PER_PAGE` sides (a fact with more
    sides than that has a page of its own)."""
    pages: list[tuple[int, int]] = []
    start, sides = 0, 0
    for index, fact in enumerate(facts):
        count = len({claim["value"] for claim in fact})
        if index > start and (index - start == FACTS_PER_PAGE or sides + count > SIDES_PER_PAGE):
            pages.append((start, index))
            start, sides = index, 0
        sides += count
    pages.append((start, len(facts)))
    return pages


def _fact_page(facts: list[list[Claim]]) -> list[list[Claim]]:
    """The facts of the page chosen (kept in the URL), with the page picker when needed."""
    pages = fact_pages(facts)
    url_state.synced_param("page", FACT_PAGE_KEY, 1, valid=list(range(1, len(pages) + 1)))
    start, end = pages[int(st.session_state[FACT_PAGE_KEY]) - 1]
    if len(pages) > 1:
        st.caption(f"Disagreements {start + 1:,}–{end:,} of {len(facts):,}, initiatives with "
                   "the most first.")
        if not url_state.presentation():
            st.number_input(f"Disagreements page (of {len(pages):,})", min_value=1,
                            max_value=len(pages), step=1, key=FACT_PAGE_KEY, width=220)
    return facts[start:end]


def _show_facts(summary: pd.DataFrame, facts: list[list[Claim]]) -> None:
    """The page's facts under their initiatives: each a question, why it is listed, its sides."""
    sides = [side_id(claim) for fact in facts for claim in fact]
    opened = url_state.synced_param("side", SIDE_KEY, "", valid=["", *sides])
    counts = dict(zip(summary["initiative_id"], summary["disagreements"], strict=True))
    st.html(components.EVIDENCE_CSS)  # once for every card below
    for initiative_id, firsts in _grouped([fact[0] for fact in facts], "initiative_id").items():
        count = int(counts[initiative_id])
        label = (f"{firsts[0]['initiative_label']} — {count} "
                 f"{'disagreement' if count == 1 else 'disagreements'}")
        opens = len(summary) == 1 or any(opened.startswith(f"{claim['disagreement_id']}=")
                                         for claim in firsts)
        with st.expander(components.escape_markdown(label), expanded=opens):
            for fact in (f for f in facts if f[0]["initiative_id"] == initiative_id):
                st.markdown(f"#### {components.escape_markdown(_fact_heading(fact))}")
                st.caption(components.escape_markdown(_verdict(fact[0])))
                _show_sides(fact, opened)


def show_disagreements() -> None:
    """The page: disagreement counts per initiative, then each initiative's facts to open."""
    filters = url_state.filters()
    st.title("Disagreements between sources")
    if not url_state.presentation():
        st.caption("Facts the sources give differently: the year of an event that happens "
                   "once, or a membership count, between articles or against the reference "
                   "series. Each side shows its sentences and articles.")
    summary = data.disagreement_summary(filters)
    if summary.empty:
        components.empty_state("The sources do not disagree on any fact under these filters.")
        return
    # the sides' first sentences only: all that the page shows before a side is opened. The
    # CSV's longer sides are read when it is downloaded, not on every visit.
    preview = data.disagreement_claims(filters, data.DISAGREEMENT_PREVIEW_PER_SIDE)
    sources = data.disagreement_sources(filters)
    cited = int(sources["articles"].sum())

    with st.container(horizontal=True, key="disagreements_figures"):
        st.metric("Disagreements", int(summary["disagreements"].sum()), border=True)
        st.metric("Initiatives", len(summary), border=True)
        st.metric("Articles cited", cited, border=True)
    st.caption(components.escape_markdown(source_line(cited, list(sources["outlet"]),
                                                      data.warehouse().built_at)))
    table = summary.rename(columns={
        "initiative_label": "Initiative", "initiative_name": "Name",
        "event_years": "Event years", "membership_counts": "Membership counts",
        "disagreements": "Disagreements"})
    components.table(table[["Initiative", "Name", "Disagreements", "Event years",
                            "Membership counts"]], hide_index=True, key=SUMMARY_KEY)

    _show_facts(summary, _fact_page(ordered_facts(summary, preview)))

    if not url_state.presentation():
        st.download_button(
            "Data (CSV)",
            data=lambda: csv_export.csv_bytes(data.disagreement_claims(filters)),
            file_name=f"{export_filename('disagreements', filters)}.csv",
            mime="text/csv", key=CSV_KEY, on_click="ignore", icon=":material/table:",
            help="Every side of every disagreement in view, up to "
                 f"{data.DISAGREEMENT_CLAIMS_PER_SIDE} sentences a side: value, sentence, "
                 "article, and the reference figure where there is one.")
        with st.expander("How disagreements are found"):
            st.markdown(HOW_IT_WORKS)


show_disagreements()
