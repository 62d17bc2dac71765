"""Docs that cannot drift, and the house rules the dashboard code must keep."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboard import pages, url_state
from dashboard.filters import FILTER_PARAMS, PRESENTATION_PARAM
from dashboard.settings import settings_help
from etl.settings import PROJECT_ROOT

DASHBOARD = PROJECT_ROOT / "dashboard"
DOC = (PROJECT_ROOT / "docs" / "dashboard.md").read_text(encoding="utf-8")


def _python_files() -> list[Path]:
    return sorted(DASHBOARD.rglob("*.py"))


def test_every_setting_is_documented() -> None:
    for env_name, _default, _help in settings_help():
        assert f"`{env_name}`" in DOC, env_name


def test_every_url_parameter_is_documented() -> None:
    for param in (*FILTER_PARAMS, PRESENTATION_PARAM, *url_state.PAGE_PARAMS):
        assert re.search(rf"`{param}=", DOC), param


def test_every_page_is_documented() -> None:
    for page in (DASHBOARD / "app_pages").glob("*.py"):
        assert f"`/{page.stem}`" in DOC or page.stem == "overview", page.stem


def test_every_page_file_is_in_the_app_s_list_of_pages_once() -> None:
    files = [page.file for page in pages.PAGES]
    assert sorted(files) == sorted(p.stem for p in (DASHBOARD / "app_pages").glob("*.py"))
    assert len({page.url_path for page in pages.PAGES} | {pages.DEFAULT_URL_PATH}) \
        == len(files) + 1


def test_no_raw_html_from_articles() -> None:
    for path in _python_files():
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path


def test_all_sql_lives_in_queries_and_search_and_is_never_formatted() -> None:
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):  # f-strings must not hold SQL
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                assert not re.search(r"\bSELECT\b.*\bFROM\b", text, re.S), path
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "execute":
                assert path.parent.name in {"queries", "search"} or path.name == "data.py", path


def test_facts_are_read_from_the_curated_tables_only() -> None:
    """`events` / `memberships` are the machine's reading, rejected facts included: every
    statement reads `curated_*` or the facet marts built from them."""
    machine = re.compile(r"\b(?:FROM|JOIN)\s+(?:events|memberships)\b", re.I)
    for path in _python_files():
        assert not machine.search(path.read_text(encoding="utf-8")), path


def test_the_server_binds_to_localhost_by_default() -> None:
    config = (PROJECT_ROOT / "dashboard" / ".streamlit" / "config.toml").read_text(
        encoding="utf-8")
    assert re.search(r'^address = "127\.0\.0\.1"', config, re.M)
    assert re.search(r"^headless = true", config, re.M)
    assert re.search(r"^gatherUsageStats = false", config, re.M)
