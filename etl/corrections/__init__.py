"""Analysts' corrections: confirm, reject, edit and add facts, kept apart from the warehouse.

Corrections are data: JSON Lines files under the corrections folder (`records` is the format,
`store` reads and appends them safely). Every build applies them after loading the articles
(`apply`), so the warehouse is always articles + reference lists + corrections, and deleting
it loses nothing; `update` applies them to the live warehouse alone, without extracting, so a
correction made in the dashboard shows within seconds. docs/corrections.md is the guide.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from etl.corrections import store
from etl.corrections.apply import ANALYST_RULE, apply_corrections
from etl.model import Problem

# warehouse_info key: the fingerprint of the corrections files the warehouse was last given
SIGNATURE_KEY = "corrections_signature"

# The words of the evidence scale for a fact an analyst set (etl/extract/evidence.py has the
# machine's): added facts carry this rule and date basis.
SCALE_ROWS: list[dict[str, object]] = [
    {"aspect": aspect, "value": ANALYST_RULE, "weight": 1.0, "label": label}
    for aspect, label in (("event_rule", "type set by an analyst"),
                          ("membership_rule", "figure set by an analyst"),
                          ("date_basis", "date set by an analyst"))
]


def apply_folder(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Problem]:
    """Apply every correction in `folder` to the build on `con`; the lines that could not be
    read, as warnings (they never stop a build)."""
    loaded = store.read_folder(folder)
    apply_corrections(con, loaded.records)
    return [Problem(p.source_file, p.reason, p.record_no, severity="warning")
            for p in loaded.problems]


__all__ = ["SCALE_ROWS", "SIGNATURE_KEY", "apply_folder", "store"]
