"""The import contracts of pyproject.toml (`[tool.importlinter]`) hold on the code as it is.

import-linter builds the real import graph (direct and indirect imports, whatever the import
syntax), so a rule cannot be dodged by a lazy import inside a function or a chain through a
third module, as a search of the source text could be.
"""

from __future__ import annotations

import pytest
from importlinter import cli
from importlinter.api import read_configuration

from etl.settings import PROJECT_ROOT

CONFIG = str(PROJECT_ROOT / "pyproject.toml")


def _contracts() -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in read_configuration(CONFIG)["contracts_options"]}


def test_the_contracts_cover_the_house_rules() -> None:
    """The rules themselves cannot be loosened by accident: each names what it forbids."""
    contracts = _contracts()
    assert contracts["dashboard-reads-no-etl"]["source_modules"] == ["dashboard"]
    assert contracts["dashboard-reads-no-etl"]["forbidden_modules"] == ["etl"]
    assert contracts["etl-knows-no-dashboard"]["forbidden_modules"] == ["dashboard", "streamlit"]
    pure = contracts["pure-dashboard-modules"]
    assert {"dashboard.queries", "dashboard.search", "dashboard.charts", "dashboard.filters",
            "dashboard.briefing"} <= set(pure["source_modules"])
    assert pure["forbidden_modules"] == ["streamlit"]
    assert all(c["type"] == "forbidden" and "allow_indirect_imports" not in c
               for c in contracts.values())


@pytest.mark.parametrize("contract", ["dashboard-reads-no-etl", "etl-knows-no-dashboard",
                                      "pure-dashboard-modules"])
def test_import_contract_is_kept(contract: str, capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.lint_imports(config_filename=CONFIG, limit_to_contracts=(contract,),
                              no_cache=True, no_logo=True)
    assert status == cli.EXIT_STATUS_SUCCESS, capsys.readouterr().out
