"""`pip install .` brings everything the product imports: each third-party package `etl` and
`dashboard` import is declared in pyproject.toml (`dependencies`, or the extra that needs it),
not left to arrive as another package's dependency or from the development lock."""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from etl.settings import PROJECT_ROOT


def _imported_top_modules(folder: Path) -> set[str]:
    """The top-level module names the code under `folder` imports (absolute imports)."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _declared() -> set[str]:
    """Distributions named in `dependencies` and every extra but the development one, with
    what their own extras bring (`dask[distributed]`: distributed), by canonical name."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra, requirements in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            listed += requirements
    declared: set[str] = set()
    for requirement in map(Requirement, listed):
        declared.add(canonicalize_name(requirement.name))
        for needed in map(Requirement, importlib.metadata.requires(requirement.name) or []):
            if needed.marker and any(needed.marker.evaluate({"extra": extra})
                                     for extra in requirement.extras):
                declared.add(canonicalize_name(needed.name))
    return declared


def test_every_third_party_import_of_the_product_is_a_declared_dependency() -> None:
    imported = (_imported_top_modules(PROJECT_ROOT / "etl")
                | _imported_top_modules(PROJECT_ROOT / "dashboard"))
    third_party = imported - set(sys.stdlib_module_names) - {"etl", "dashboard", "__future__"}
    providers = importlib.metadata.packages_distributions()
    unknown = sorted(name for name in third_party if name not in providers)
    assert not unknown, f"imported but installed by no distribution: {unknown}"
    declared = _declared()
    missing = sorted(f"{name} ({', '.join(providers[name])})" for name in third_party
                     if not {canonicalize_name(d) for d in providers[name]} & declared)
    assert not missing, f"imported by the product but not declared in pyproject.toml: {missing}"
    assert len(third_party) >= 15  # the scan read the code (duckdb, pandas, streamlit, ...)
