"""How a fact was read, in the analyst's words: the line under an evidence card (pure).

The ETL stores with every event and membership figure its `rule`, `confidence` and the sentence
naming its initiative (`initiative_sentence_no`); `evidence_scale` gives the words for each rule
and date basis. This module turns one such row into "initiative resolved from two sentences
earlier · year taken from the publication date · type from a meeting noun next to the date
(weaker) · confidence: medium (63%)", and says who stands behind it (`review_line`):
"Analyst-confirmed by ana on 6 Dec 2026: checked against the communiqué" or "Machine-read, not
yet reviewed". The lines are plain text: the card escapes them (analyst names and reasons are
free text).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.review import REVIEW_STATES, UNREVIEWED, state_label

# Confidence bands, lowest score of each (the sidebar's floor is a percentage of the same scale)
HIGH_CONFIDENCE = 0.8
MEDIUM_CONFIDENCE = 0.6
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                 "ten")


def confidence_level(confidence: float) -> str:
    """'high', 'medium' or 'low' for a confidence between 0 and 1."""
    if confidence >= HIGH_CONFIDENCE:
        return "high"
    return "medium" if confidence >= MEDIUM_CONFIDENCE else "low"


def confidence_text(confidence: object) -> str:
    """'confidence: high (92%)'; '' when the row has no confidence."""
    value = _number(confidence)
    if value is None:
        return ""
    return f"confidence: {confidence_level(value)} ({round(value * 100)}%)"


def initiative_phrase(sentence_no: object, initiative_sentence_no: object) -> str:
    """'read from this sentence', 'initiative resolved from two sentences earlier', or (a lead
    that names its meeting's owner next) 'initiative named in the next sentence'."""
    here, named = _number(sentence_no), _number(initiative_sentence_no)
    back = 0 if here is None or named is None else int(here - named)
    if back < 0:
        return "initiative named in the next sentence"
    if back == 0:
        return "read from this sentence"
    if back == 1:
        return "initiative resolved from the previous sentence"
    words = _NUMBER_WORDS[back] if back < len(_NUMBER_WORDS) else str(back)
    return f"initiative resolved from {words} sentences earlier"


def evidence_note(row: Mapping[str, Any]) -> str:
    """The whole line for one fact: where the initiative is named, how the date was read
    (only when it was not written out), what decided the type, and the confidence."""
    parts = [initiative_phrase(row.get("sentence_no"), row.get("initiative_sentence_no"))]
    date_weight = _number(row.get("date_weight"))
    date_label = _text(row.get("date_label"))
    if date_label and date_weight is not None and date_weight < 1:
        parts.append(date_label)
    rule_label = _text(row.get("rule_label"))
    if rule_label:
        parts.append(rule_label)
    confidence = confidence_text(row.get("confidence"))
    if confidence:
        parts.append(confidence)
    return " · ".join(parts)


def review_line(row: Mapping[str, Any]) -> str:
    """Who stands behind a fact: 'Analyst-edited by ana on 6 Dec 2026: <reason>', or
    'Machine-read, not yet reviewed' (also for a row without review columns)."""
    review = _text(row.get("review")) or UNREVIEWED
    if review == UNREVIEWED or review not in REVIEW_STATES:
        return "Machine-read, not yet reviewed"
    line = state_label(review).capitalize()
    analyst = _text(row.get("reviewed_by"))
    if analyst:
        line += f" by {analyst}"
    when = review_date(row.get("reviewed_at"))
    if when:
        line += f" on {when}"
    reason = " ".join(_text(row.get("review_reason")).split())
    return f"{line}: {reason}" if reason else line


def review_date(value: object) -> str:
    """'6 Dec 2026' for a review time (UTC); '' when there is none."""
    if not isinstance(value, dt.datetime | dt.date | str) or (
            isinstance(value, dt.datetime) and pd.isna(value)):
        return ""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        return ""
    return "" if pd.isna(stamp) else f"{stamp.day} {stamp:%b %Y}"


def _number(value: object) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
