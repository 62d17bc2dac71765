"""Composing a statement from named fragments, each carrying the values of its parameters.

A fragment (`Sql`) is constant SQL text written in this package plus the values of the named
parameters it uses (`$themes`, `$limit`, ...). Fragments are joined into conditions
(`all_of`), common table expressions (`Cte`) and statements (`statement`); the parameters of
the whole are the union of its fragments' (a name bound twice must have one value). Values are
never formatted into the text, and DuckDB receives exactly the parameters the text names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

Connection = duckdb.DuckDBPyConnection


def _merged(*parts: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of several fragments; a name bound twice must have one value."""
    merged: dict[str, Any] = {}
    for part in parts:
        for name, value in part.items():
            if name in merged and merged[name] != value:
                raise ValueError(f"parameter ${name} is bound to two values")
            merged[name] = value
    return merged


@dataclass(frozen=True)
class Sql:
    """A fragment of SQL text and the values of the named parameters it uses."""

    text: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __add__(self, other: Sql | str) -> Sql:
        if isinstance(other, str):
            return Sql(self.text + other, self.params)
        return Sql(self.text + other.text, _merged(self.params, other.params))

    def __radd__(self, other: str) -> Sql:
        return Sql(other + self.text, self.params)


def sql(text: str, **params: Any) -> Sql:
    """A fragment: `text` with the values of the parameters it names."""
    return Sql(text, params)


def join(pieces: Iterable[Sql | str], separator: str) -> Sql:
    """The pieces one after the other, `separator` between them."""
    result = Sql("")
    for n, piece in enumerate(pieces):
        result = result + (separator if n else "") + piece
    return result


def all_of(conditions: Sequence[Sql]) -> Sql:
    """Every condition (each parenthesised), or `true` when there is none."""
    if not conditions:
        return Sql("true")
    return join((Sql("(") + c + ")" for c in conditions), " AND ")


@dataclass(frozen=True)
class Cte:
    """A common table expression: its name, its SELECT, whether DuckDB must materialise it
    (None: DuckDB decides)."""

    name: str
    body: Sql
    materialized: bool | None = None

    def definition(self) -> Sql:
        keyword = {None: "", True: "MATERIALIZED ", False: "NOT MATERIALIZED "}[self.materialized]
        return self.name + " AS " + keyword + "(" + self.body + ")"


def statement(ctes: Sequence[Cte], select: Sql | str) -> Sql:
    """`WITH` the CTEs (in order: each reads only those before it), then `select`."""
    select = Sql(select) if isinstance(select, str) else select
    if not ctes:
        return select
    return "WITH " + join((c.definition() for c in ctes), ",\n") + "\n" + select


def frame(con: Connection, query: Sql | str) -> pd.DataFrame:
    """Run one statement with its parameters; its result as a DataFrame."""
    query = Sql(query) if isinstance(query, str) else query
    return con.execute(query.text, dict(query.params)).df()


def records(cursor: Connection) -> list[dict[str, Any]]:
    """The rows of an executed statement as dictionaries, for small results read without a
    DataFrame on the way."""
    names = [column[0] for column in cursor.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
