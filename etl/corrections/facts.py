"""Turning what an analyst points at (a fact id, a sentence) into a durable correction record.

The dashboard and the CLI name a fact by the id the warehouse shows (`event_id`,
`membership_id`, or `analyst-<record id>` for an added one) and a sentence by its article and
number. Ids and numbers may change with the next rebuild, so a record instead stores what
will still hold then: the article fingerprint, the sentence's text hash and the values the
rules read (`records`). This module looks those up in the live warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from etl.corrections.apply import ADDED_PREFIX, FACT_TABLES, ID_COLUMNS
from etl.corrections.records import TARGET_FIELDS, sentence_key


class FactNotFound(LookupError):
    """No fact (or sentence) with that id or number is in the warehouse."""


@dataclass(frozen=True)
class FactRef:
    """The durable name of a fact or sentence: what a record stores about its target."""

    fact: str
    article_id: str
    sentence_key: str
    sentence: str
    target: dict[str, Any]
    target_added: str | None


def find_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> FactRef:
    """The durable name of the fact with this id (machine-read or added by an analyst)."""
    for kind, table in FACT_TABLES.items():
        id_column = ID_COLUMNS[kind]
        if fact_id.startswith(ADDED_PREFIX):
            table = "reviewed_events" if kind == "event" else "reviewed_memberships"
        found = con.execute(
            f'SELECT * FROM "{table}" WHERE "{id_column}" = ?',  # noqa: S608 (constant names)
            [fact_id]).fetchall()
        if not found:
            continue
        names = [d[0] for d in con.description or []]
        row = dict(zip(names, found[0], strict=True))
        number, text = _sentence(con, row["article_id"], row["sentence_no"])
        if fact_id.startswith(ADDED_PREFIX):
            return FactRef(kind, row["article_id"], sentence_key(text), text, {},
                           fact_id.removeprefix(ADDED_PREFIX))
        target = {name: row[name] for name in TARGET_FIELDS[kind]}
        return FactRef(kind, row["article_id"], sentence_key(text), text, target, None)
    raise FactNotFound(f"no event or membership figure has the id {fact_id!r}")


def find_sentence(con: duckdb.DuckDBPyConnection, article_id: str, sentence_no: int,
                  fact: str) -> FactRef:
    """The durable name of a sentence a new fact is added to."""
    _, text = _sentence(con, article_id, sentence_no)
    return FactRef(fact, article_id, sentence_key(text), text, {}, None)


def _sentence(con: duckdb.DuckDBPyConnection, article_id: str,
              sentence_no: int) -> tuple[int, str]:
    found = con.execute("SELECT sentence_no, text FROM sentences "
                        "WHERE article_id = ? AND sentence_no = ?",
                        [article_id, sentence_no]).fetchall()
    if not found:
        raise FactNotFound(f"article {article_id!r} has no sentence {sentence_no}")
    return found[0][0], found[0][1]
