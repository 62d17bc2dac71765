"""`python -m etl` as an analyst runs it: exit codes, the closing summary, --if-stale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_DIR

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)


def run_etl(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_build_prints_summary_and_succeeds(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    result = run_etl("--articles", str(corpus_copy), "--db", str(db))
    assert result.returncode == 0, result.stderr
    for label in (
        "files seen",
        "articles loaded",
        "skipped as duplicates",
        "files failed",
        "mentions",
        "events",
        "memberships",
    ):
        assert label in result.stdout
    assert db.exists()


def test_if_stale_skips_an_up_to_date_warehouse(corpus_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    assert run_etl("--articles", str(corpus_copy), "--db", str(db), "--if-stale").returncode == 0
    second = run_etl("--articles", str(corpus_copy), "--db", str(db), "--if-stale")
    assert second.returncode == 0 and "up to date" in second.stdout


def test_quiet_prints_nothing(corpus_copy: Path, tmp_path: Path) -> None:
    result = run_etl("--articles", str(corpus_copy), "--db", str(tmp_path / "w.duckdb"), "--quiet")
    assert result.returncode == 0 and result.stdout == ""


def test_failed_files_are_named_but_exit_code_is_zero(corpus_copy: Path, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for source in corpus_copy.iterdir():
        (articles / source.name).write_bytes(source.read_bytes())
    (articles / "broken.jsonl").write_text('{"text": "ok text about CICA"}\n{not json\n')
    result = run_etl("--articles", str(articles), "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode == 0, result.stderr
    assert "broken.jsonl" in result.stdout


def test_no_warehouse_gives_non_zero_exit(tmp_path: Path) -> None:
    result = run_etl("--articles", str(tmp_path / "missing"), "--db", str(tmp_path / "w.duckdb"))
    assert result.returncode != 0
    assert "does not exist" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_starting_the_command_loads_no_extraction_code_and_no_optional_library() -> None:
    """Every `python -m etl` command imports the CLI; one that extracts nothing (an up-to-date
    build, a correction, a fetch) must not pay for compiling the extraction patterns or for
    loading the libraries only some steps need."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, etl.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent).stdout.split()
    for heavy in ("etl.extract", "datasketch", "scipy", "trafilatura", "feedparser"):
        assert heavy not in loaded, heavy
    assert "etl.prepare" in loaded  # the check looks at a module the CLI does load
