"""Docs that cannot drift: every warehouse column is documented, README commands exist."""

from __future__ import annotations

import re

import duckdb

from dashboard.settings import settings_help as dashboard_settings_help
from etl import marts, warehouse
from etl.settings import PROJECT_ROOT, settings_help


def test_every_table_and_column_is_in_schema_doc() -> None:
    doc = (PROJECT_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    with duckdb.connect(":memory:") as con:
        warehouse.apply_schema(con)
        marts.build_marts(con)  # the marts too, on the empty schema
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
            ).fetchall()
        ]
        for table in tables:
            assert f"`{table}`" in doc, f"table {table} is not documented"
            for (column,) in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]
            ).fetchall():
                assert f"`{column}`" in doc, f"{table}.{column} is not documented"


def test_readme_commands_exist_in_makefile() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.MULTILINE))
    for target in re.findall(r"`make (\w+)`", readme) + re.findall(r"^make (\w+)", readme, re.M):
        assert target in targets, f"README mentions make {target}, which the Makefile lacks"


def test_every_setting_is_in_readme() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for env_name, _default, _help in [*settings_help(), *dashboard_settings_help()]:
        assert env_name in readme, env_name
