"""Applying the corrections to a warehouse being built: records -> reviewed facts.

Records are replayed in time order (then file, then line). Each finds its fact: the article by
fingerprint, the sentence by the hash of its text, then the machine-read fact in that sentence
with the values the record names (or, if the rules now read it a little differently, the only
fact of that initiative and type in the sentence), or the fact an earlier record added. The
fact's state folds every record of it: a reject hides it, a confirm restores and vouches for
it, an edit changes its values, an add creates it. The latest record of a fact is `current`,
earlier ones `history`; a record whose fact cannot be found is `orphaned` (kept and listed,
never dropped), one that breaks a vocabulary `invalid`, one seen before `duplicate`.

The result is three tables (`corrections`, `reviewed_events`, `reviewed_memberships`) from
which the marts build `curated_events` and `curated_memberships`. Applying needs the loaded
facts and sentences of the corrected articles only, never an extraction, so a correction is
visible after a marts rebuild.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from etl.corrections.records import TARGET_FIELDS, Correction, sentence_key
from etl.limits import EARLIEST_YEAR, LATEST_YEAR
from etl.warehouse import load_table, rows_table

if TYPE_CHECKING:
    import pyarrow as pa

ANALYST_RULE = "analyst"  # the rule, date basis and year basis of a fact an analyst added
ADDED_PREFIX = "analyst-"  # the id of an added fact: this and its record's id
FACT_TABLES = {"event": "events", "membership": "memberships"}
ID_COLUMNS = {"event": "event_id", "membership": "membership_id"}
REVIEWED_TABLES = {"event": "reviewed_events", "membership": "reviewed_memberships"}
# The fields that, beside the initiative, tell two facts of one sentence apart when the rules
# now read a corrected fact with other values.
_LOOSE_FIELDS = {"event": ("initiative_id", "event_type"),
                 "membership": ("initiative_id", "kind")}


@dataclass
class FactState:
    """One fact as its records so far leave it."""

    kind: str
    row: dict[str, Any]
    machine: dict[str, Any] | None  # the machine-read values (None for an added fact)
    review: str = "confirmed"
    analyst: str = ""
    at: dt.datetime | None = None
    reason: str = ""
    records: list[int] = field(default_factory=list)  # indexes into the record list


@dataclass
class Outcome:
    """What became of one record."""

    status: str = "current"
    reason: str = ""
    fact_id: str | None = None


@dataclass
class Vocab:
    """What a value may be: the warehouse's event types, kinds and initiatives."""

    event_types: set[str]
    kinds: set[str]
    initiatives: set[str]

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection) -> Vocab:
        def column(sql: str) -> set[str]:
            return {value for (value,) in con.execute(sql).fetchall()}
        return cls(column("SELECT event_type FROM event_types"),
                   column("SELECT kind FROM membership_kinds"),
                   column("SELECT initiative_id FROM initiatives"))

    def problem(self, values: dict[str, Any]) -> str | None:
        """Why these values cannot stand, or None."""
        checks = (("event_type", self.event_types, "event type"),
                  ("kind", self.kinds, "membership kind"),
                  ("initiative_id", self.initiatives, "initiative"))
        for name, allowed, what in checks:
            if name in values and values[name] not in allowed:
                return f"unknown {what} {values[name]!r}"
        year = values.get("year")
        if year is not None and not EARLIEST_YEAR <= year <= LATEST_YEAR:
            return f"year {year} is outside {EARLIEST_YEAR}-{LATEST_YEAR}"
        month, day = values.get("month"), values.get("day")
        if month is not None and not 1 <= month <= 12:
            return f"month {month} is not 1-12"
        if day is not None:
            if month is None:
                return "a day needs a month"
            try:
                dt.date(year or 2000, month, day)
            except ValueError:
                return f"day {day} does not exist in month {month}"
        count = values.get("count")
        if count is not None and not 0 < count < 100_000:
            return f"count {count} is not a number of members"
        return None


def apply_corrections(con: duckdb.DuckDBPyConnection, records: Sequence[Correction]) -> None:
    """Replace the connection's `corrections`, `reviewed_events` and `reviewed_memberships`
    with what `records` make of the loaded facts (the marts are built from them after)."""
    order = sorted(range(len(records)),
                   key=lambda i: (records[i].at, records[i].source_file, records[i].line_no))
    context = _Context.load(con, records)
    outcomes = [Outcome() for _ in records]
    for index in order:
        outcomes[index] = context.replay(records, index)
    for state in context.states.values():
        for index in state.records[:-1]:
            if outcomes[index].status == "current":
                outcomes[index] = Outcome("history", "a later correction of the same fact "
                                          "decides it", outcomes[index].fact_id)
    for table in ("corrections", *REVIEWED_TABLES.values()):
        con.execute(f'DELETE FROM "{table}"').fetchall()  # noqa: S608 (constant names)
    load_table(con, "corrections", _corrections_table(records, outcomes))
    for kind, table in REVIEWED_TABLES.items():
        rows = [_reviewed_row(state) for state in context.states.values() if state.kind == kind]
        load_table(con, table, rows_table(table, rows))


@dataclass
class _Context:
    """The facts and sentences of the corrected articles, and the facts' states so far."""

    vocab: Vocab
    articles: set[str]
    sentences: dict[tuple[str, str], tuple[int, str]]  # (article, key) -> (number, text)
    facts: dict[tuple[str, str, int], list[dict[str, Any]]]  # (kind, article, number) -> rows
    states: dict[str, FactState] = field(default_factory=dict)  # by fact id
    seen_ids: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, records: Sequence[Correction]) -> _Context:
        import pyarrow as pa  # on use (see the top of `etl.prepare`)

        wanted = sorted({r.article_id for r in records})
        ids = pa.table({"article_id": pa.array(wanted, pa.string())})
        con.register("_corrected_articles", ids)
        try:
            articles = {a for (a,) in con.execute(
                "SELECT article_id FROM articles SEMI JOIN _corrected_articles "
                "USING (article_id)").fetchall()}
            sentences: dict[tuple[str, str], tuple[int, str]] = {}
            for article_id, number, text in con.execute(
                    "SELECT article_id, sentence_no, text FROM sentences "
                    "SEMI JOIN _corrected_articles USING (article_id) "
                    "ORDER BY article_id, sentence_no").fetchall():
                sentences.setdefault((article_id, sentence_key(text)), (number, text))
            facts: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
            for kind, table in FACT_TABLES.items():
                result = con.execute(
                    f'SELECT * FROM "{table}" SEMI JOIN _corrected_articles '  # noqa: S608
                    f"USING (article_id) ORDER BY {ID_COLUMNS[kind]}")
                names = [d[0] for d in result.description]
                for values in result.fetchall():
                    row = dict(zip(names, values, strict=True))
                    facts.setdefault((kind, row["article_id"], row["sentence_no"]),
                                     []).append(row)
        finally:
            con.unregister("_corrected_articles")
        return cls(Vocab.of(con), articles, sentences, facts)

    def replay(self, records: Sequence[Correction], index: int) -> Outcome:
        """Apply one record to its fact's state; what became of the record."""
        record = records[index]
        if record.id in self.seen_ids:
            return Outcome("duplicate", "a record with this id was read before")
        self.seen_ids.add(record.id)
        if problem := self.vocab.problem(record.fields):
            return Outcome("invalid", problem)
        if record.article_id not in self.articles:
            return Outcome("orphaned", "its article is no longer in the warehouse")
        found = self.sentences.get((record.article_id, record.sentence_key))
        if found is None:
            return Outcome("orphaned", "its sentence is no longer in the article")
        sentence_no, text = found
        if record.action == "add":
            state = self._added(record, sentence_no, text)
        else:
            located = self._locate(record, sentence_no)
            if isinstance(located, str):
                return Outcome("orphaned", located)
            state = located
        fact_id = state.row[ID_COLUMNS[state.kind]]
        if state.records and records[state.records[-1]].outcome() == record.outcome() \
                and record.action != "add":
            return Outcome("duplicate", "the same correction as the latest one of this fact",
                           fact_id)
        _fold(state, record)
        state.records.append(index)
        return Outcome("current", "", fact_id)

    def _added(self, record: Correction, sentence_no: int, text: str) -> FactState:
        """The state of a fact an add creates, in the sentence it names."""
        kind = record.fact
        row: dict[str, Any] = {
            ID_COLUMNS[kind]: ADDED_PREFIX + record.id, "article_id": record.article_id,
            "sentence_no": sentence_no, "sentence": text, "rule": ANALYST_RULE,
            "confidence": 1.0, "initiative_sentence_no": sentence_no,
        }
        if kind == "event":
            row |= {"end_year": None, "end_month": None, "end_day": None,
                    "date_basis": ANALYST_RULE, "month": None, "day": None}
        else:
            row |= {"year_basis": ANALYST_RULE, "year": None}
        row |= record.fields
        _describe(kind, row)
        state = FactState(kind, row, None, review="added")
        self.states[row[ID_COLUMNS[kind]]] = state
        return state

    def _locate(self, record: Correction, sentence_no: int) -> FactState | str:
        """The state of the fact a confirm, reject or edit names, or why it cannot be found."""
        if record.target_added:
            state = self.states.get(ADDED_PREFIX + record.target_added)
            if state is None:
                return "the fact an analyst added that it refers to is not present"
            return state
        candidates = self.facts.get((record.fact, record.article_id, sentence_no), [])
        fields = TARGET_FIELDS[record.fact]
        exact = [row for row in candidates
                 if all(row[name] == record.target.get(name) for name in fields)]
        if not exact:
            loose = _LOOSE_FIELDS[record.fact]
            exact = [row for row in candidates
                     if all(row[name] == record.target.get(name) for name in loose)]
            if len(exact) != 1:
                return "the rules no longer read this fact from its sentence"
        row = exact[0]
        fact_id = row[ID_COLUMNS[record.fact]]
        if fact_id not in self.states:
            self.states[fact_id] = FactState(record.fact, dict(row), dict(row))
        return self.states[fact_id]


def _fold(state: FactState, record: Correction) -> None:
    """Change a fact's state by one record."""
    if record.action == "reject":
        state.review = "rejected"
    elif record.action == "edit":
        state.row |= record.fields
        if record.fields.keys() & {"year", "month", "day"} and state.kind == "event":
            _end_after_start(state.row)
        _describe(state.kind, state.row)
        state.review = _changed_review(state)
    elif record.action == "confirm":
        state.review = _changed_review(state)
    _stamp(state, record)


def _stamp(state: FactState, record: Correction) -> None:
    state.analyst, state.at, state.reason = record.analyst, record.at, record.reason


def _changed_review(state: FactState) -> str:
    """'added' for an added fact, 'edited' when its values differ from the machine's reading,
    else 'confirmed'."""
    if state.machine is None:
        return "added"
    editable = ("initiative_id", "event_type", "kind", "count", "year", "month", "day")
    changed = any(state.row.get(name) != state.machine.get(name)
                  for name in editable if name in state.machine)
    return "edited" if changed else "confirmed"


def _end_after_start(row: dict[str, Any]) -> None:
    """Drop a span's end that an edited start date would put before the start."""
    if row.get("end_year") is None:
        return
    start = (row["year"], row.get("month") or 0, row.get("day") or 0)
    end = (row["end_year"], row.get("end_month") or 13, row.get("end_day") or 32)
    if end < start:
        row |= {"end_year": None, "end_month": None, "end_day": None}


def _describe(kind: str, row: dict[str, Any]) -> None:
    """The text columns of an analyst-set value: the date as written, the count as text."""
    if kind == "event" and (row.get("date_basis") == ANALYST_RULE
                            or row.get("rule") == ANALYST_RULE):
        parts = [str(row["year"])]
        if row.get("month"):
            parts.append(f"{row['month']:02d}")
            if row.get("day"):
                parts.append(f"{row['day']:02d}")
        row["date_text"] = "-".join(parts)
    if kind == "membership" and row.get("rule") == ANALYST_RULE:
        row["count_text"] = str(row["count"])


def _reviewed_row(state: FactState) -> dict[str, Any]:
    """The fact's row in `reviewed_events` / `reviewed_memberships`."""
    return {**state.row, "review": state.review, "reviewed_by": state.analyst,
            "reviewed_at": state.at, "review_reason": state.reason,
            "corrections": len(state.records)}


def _corrections_table(records: Sequence[Correction], outcomes: Sequence[Outcome]) -> pa.Table:
    def as_json(values: dict[str, Any]) -> str | None:
        return json.dumps(values, sort_keys=True) if values else None
    rows = [{
        "correction_id": r.id, "action": r.action, "fact_kind": r.fact,
        "article_id": r.article_id, "sentence_key": r.sentence_key, "sentence": r.sentence,
        "target": as_json(r.target), "target_added": r.target_added,
        "fields": as_json(r.fields), "analyst": r.analyst, "recorded_at": r.at,
        "reason": r.reason, "source_file": r.source_file, "line_no": r.line_no,
        "fact_id": o.fact_id, "status": o.status, "status_reason": o.reason,
    } for r, o in zip(records, outcomes, strict=True)]
    return rows_table("corrections", rows)
