"""`pip install .` brings everything the product imports: each third-party package `etl` and
`dashboard` import is declared in pyproject.toml (`dependencies`, or the extra that needs it),
not left to arrive as another package's dependency or from the development lock."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

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


def _canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    """Distributions named in `dependencies` and every extra but the development one."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra, listed in project.get("optional-dependencies", {}).items():
        if extra != "dev":
            requirements += listed
    declared: set[str] = set()
    for requirement in requirements:
        match = re.match(r"\s*([A-Za-z0-9._-]+)\s*(?:\[([^\]]*)\])?", requirement)
        assert match, requirement
        name, extras = match.group(1), (match.group(2) or "").split(",")
        declared.add(_canonical(name))
        declared |= _brought_by_extras(name, {extra.strip() for extra in extras if extra.strip()})
    return declared


def _brought_by_extras(name: str, extras: set[str]) -> set[str]:
    """What `name[extras]` installs beyond `name` (e.g. `dask[distributed]`: distributed)."""
    if not extras:
        return set()
    brought = set()
    for requirement in importlib.metadata.requires(name) or []:
        marker = requirement.partition(";")[2]
        if any(re.search(rf"extra\s*==\s*[\"']{re.escape(extra)}[\"']", marker)
               for extra in extras):
            brought.add(_canonical(re.split(r"[\s\[<>=!~;(]", requirement, maxsplit=1)[0]))
    return brought


def test_every_third_party_import_of_the_product_is_a_declared_dependency() -> None:
    imported = (_imported_top_modules(PROJECT_ROOT / "etl")
                | _imported_top_modules(PROJECT_ROOT / "dashboard"))
    third_party = imported - set(sys.stdlib_module_names) - {"etl", "dashboard", "__future__"}
    providers = importlib.metadata.packages_distributions()
    unknown = sorted(name for name in third_party if name not in providers)
    assert not unknown, f"imported but installed by no distribution: {unknown}"
    declared = _declared()
    missing = sorted(f"{name} ({', '.join(providers[name])})" for name in third_party
                     if not {_canonical(d) for d in providers[name]} & declared)
    assert not missing, f"imported by the product but not declared in pyproject.toml: {missing}"
    assert len(third_party) >= 15  # the scan read the code (duckdb, pandas, streamlit, ...)
