"""`etl/schema.sql` is the only place a warehouse column is declared.

Rows bound for the warehouse are typed from the tables DuckDB creates out of `schema.sql`
(`warehouse.rows_table`) and inserted by column name (`warehouse.load_table`), so a column
added to `schema.sql` needs no Arrow schema or column list anywhere else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from etl import incremental, warehouse
from tests.conftest import CORPUS_DIR, REFERENCE_DIR


def test_rows_are_typed_as_schema_sql_declares_them() -> None:
    rows = [{"run_id": "r1", "started_at": dt.datetime(2024, 5, 2, 10), "files_seen": 3,
             "messages": ["one"], "status": "ok"}]
    table = warehouse.rows_table("etl_runs", rows)
    assert table.schema == pa.schema([
        ("run_id", pa.string()),
        ("started_at", pa.timestamp("us")),
        ("files_seen", pa.int32()),
        ("messages", pa.list_(pa.field("l", pa.string()))),
        ("status", pa.string()),
    ])
    with duckdb.connect() as con:
        warehouse.apply_schema(con)
        declared = con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'articles' "
            "ORDER BY column_index"
        ).fetchall()
    assert warehouse.declared_columns()["articles"].names == [name for (name,) in declared]


def test_a_row_key_that_is_no_column_is_refused() -> None:
    with pytest.raises(ValueError, match="source_records has no column colour; declare it"):
        warehouse.rows_table("source_records", [{"source_file": "a.txt", "colour": "red"}])


def test_no_rows_give_an_empty_table_with_every_declared_column() -> None:
    table = warehouse.rows_table("sentences", [])
    assert table.num_rows == 0
    assert table.schema == warehouse.declared_columns()["sentences"]


def test_a_column_added_to_schema_sql_needs_no_other_declaration(tmp_path: Path) -> None:
    """A copy of the ETL whose schema.sql alone gains columns builds, and has them."""
    code = tmp_path / "code"
    shutil.copytree(incremental.ETL_PACKAGE_DIR, code / "etl",
                    ignore=shutil.ignore_patterns("__pycache__"))
    schema = code / "etl" / "schema.sql"
    text = schema.read_text(encoding="utf-8")
    for table, column in (("articles", "reviewed_by VARCHAR"), ("sentences", "tone INTEGER")):
        text, count = re.subn(rf"(CREATE TABLE IF NOT EXISTS {table} \()",
                              rf"\1\n    {column},", text)
        assert count == 1
    schema.write_text(text, encoding="utf-8")
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in sorted(CORPUS_DIR.glob("*.txt"))[:2]:
        shutil.copy(path, articles / path.name)
    db = tmp_path / "warehouse.duckdb"
    env = {**os.environ, "PYTHONPATH": str(code), "IM_REFERENCE_DIR": str(REFERENCE_DIR)}
    result = subprocess.run(
        [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db), "--quiet"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT count(*), count(reviewed_by) FROM articles").fetchone() == (2, 0)
        sentences, tones = con.execute("SELECT count(*), count(tone) FROM sentences").fetchone()
        assert sentences > 0 and tones == 0
