"""Disagreements between sources: facts the articles (or the reference series) give differently.

Per initiative, each fact the sources disagree on, with every side's sentences and articles
next to each other, so the analyst judges the sources instead of reading an averaged chart.
What counts as a disagreement is decided in `queries.disagreement_claims` (docs/dashboard.md
has the analyst's version); this page only lays the sides out.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import components, csv_export, data, explain, theme, url_state
from dashboard.charts.labels import export_filename, text_or

SUMMARY_KEY = "disagreements_summary"
CSV_KEY = "disagreements_csv"
SIDES_PER_ROW = 3
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


def _show_sides(claims: list[Claim]) -> None:
    """One column per side (a value claimed), plus the reference series where it has a say."""
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
                st.markdown(f"**Says {components.escape_markdown(label)}** · {articles} "
                            f"{'article' if articles == 1 else 'articles'}")
                components.evidence_cards([_claim_card(claim) for claim in rows])
                hidden = int(rows[0]["side_claims"]) - len(rows)
                if hidden > 0:
                    st.caption(f"and {hidden} more sentences saying the same; narrow the "
                               "filters to see others.")


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
    claims = data.disagreement_claims(filters)

    with st.container(horizontal=True, key="disagreements_figures"):
        st.metric("Disagreements", int(summary["disagreements"].sum()), border=True)
        st.metric("Initiatives", len(summary), border=True)
        st.metric("Articles cited", int(claims["article_id"].nunique()), border=True)
    table = summary.rename(columns={
        "initiative_label": "Initiative", "initiative_name": "Name",
        "event_years": "Event years", "membership_counts": "Membership counts",
        "disagreements": "Disagreements"})
    components.table(table[["Initiative", "Name", "Disagreements", "Event years",
                            "Membership counts"]], hide_index=True, key=SUMMARY_KEY)

    # plain records, grouped in Python: pandas' row access costs more than the cards
    by_initiative = _grouped(components.records(claims), "initiative_id")
    for initiative in summary.itertuples(index=False):
        count = int(initiative.disagreements)
        label = (f"{initiative.initiative_label} — {count} "
                 f"{'disagreement' if count == 1 else 'disagreements'}")
        with st.expander(components.escape_markdown(label), expanded=len(summary) == 1):
            facts = _grouped(by_initiative.get(initiative.initiative_id, []), "disagreement_id")
            for _, fact in sorted(facts.items(), key=lambda item: (
                    item[1][0]["topic"], item[1][0]["fact"],
                    -1 if pd.isna(item[1][0]["fact_year"]) else item[1][0]["fact_year"],
                    item[0])):
                st.markdown(f"#### {components.escape_markdown(_fact_heading(fact))}")
                st.caption(components.escape_markdown(_verdict(fact[0])))
                _show_sides(fact)

    if not url_state.presentation():
        st.download_button(
            "Data (CSV)", data=lambda: csv_export.csv_bytes(claims),
            file_name=f"{export_filename('disagreements', filters)}.csv",
            mime="text/csv", key=CSV_KEY, on_click="ignore", icon=":material/table:",
            help="Every side of every disagreement listed: value, sentence, article, and the "
                 "reference figure where there is one.")
        with st.expander("How disagreements are found"):
            st.markdown(HOW_IT_WORKS)


show_disagreements()
