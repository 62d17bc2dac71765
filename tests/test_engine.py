"""`--engine dask`: extraction as a Dask job on a local cluster gives the warehouse a build on
one machine gives, table by table; without the extra it stops with the install command; a
build stopped with Ctrl-C leaves no process and no warehouse behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from benchmarks import corpus
from etl import cli, spare
from etl.interrupt import EXIT_INTERRUPTED
from etl.settings import PROJECT_ROOT
from tests.conftest import REFERENCE_DIR
from tests.hostile.test_process import big_prose

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)

pytest.importorskip("distributed", reason="the Dask engine is not installed (make distributed)")

# Columns that say when and as which run a build ran: the only ones that may differ.
RUN_COLUMNS = {
    "etl_runs": ("run_id", "started_at", "finished_at"),
    "load_problems": ("run_id",),
}
RUN_INFO_KEYS = ("build_id", "built_at", "files_scanned_ns", spare.ARTICLES_BUILD_KEY)

# Enough slots for several batches per worker, with repeats and bad files among them.
OPTIONS = corpus.Options(40, 3, dup_rate=0.15, bad_rate=0.1, oversized_rate=0.0)


# A file far over its time budget: a build on one machine stops it with the soft limit; a Dask
# task runs off its worker's main thread, so there the hard limit (the budget plus 5 s) ends the
# worker and the build reports the file with the same reason. The budget leaves an ordinary
# article a wide margin on a loaded machine; the heavy file takes several times the hard limit
# on a quiet one (3 MB took between 4 and 9 s), so neither build can finish it in time.
FILE_SECONDS = 4.0
HEAVY = "heavy.txt"
HEAVY_MB = 12


@pytest.fixture(scope="session")
def engine_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("engine-corpus")
    corpus.generate(OPTIONS, out, workers=1)
    big_prose(out / "articles" / HEAVY, HEAVY_MB)
    return out / "articles"


@pytest.fixture(scope="session")
def both_builds(engine_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same corpus built on one machine and by the Dask engine on two local workers (by the
    command line, as an operator runs it: the engine's worker processes start from a clean
    interpreter whatever the test process has imported)."""
    out = tmp_path_factory.mktemp("engine-builds")
    env = {**os.environ, "IM_WORKERS": "2", "IM_FILE_SECONDS": str(FILE_SECONDS),
           "IM_REFERENCE_DIR": str(REFERENCE_DIR)}
    # the build on one machine runs in a child process too: in this one, a library's
    # garbage-collection callback (hypothesis installs one) could swallow the time limit's
    # signal and let the heavy file finish
    local, on_dask = out / "local.duckdb", out / "dask.duckdb"
    for db, engine in ((local, []), (on_dask, ["--engine", "dask"])):
        result = subprocess.run(
            [sys.executable, "-m", "etl", "--articles", str(engine_corpus), "--db", str(db),
             *engine, "--quiet"],
            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, env=env)
        assert result.returncode == 0, result.stderr
    return local, on_dask


def _relations(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [name for (name,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? "
        "AND table_schema = 'main' ORDER BY table_name", [catalog]).fetchall()]


def test_the_dask_build_equals_the_local_build_table_by_table(
    both_builds: tuple[Path, Path],
) -> None:
    """Every table and view, row by row (`etl_runs` holds each build's messages: every problem
    and every repeat, in order)."""
    local, on_dask = both_builds
    con = duckdb.connect()
    con.execute("ATTACH ? AS a (READ_ONLY)", [str(local)])
    con.execute("ATTACH ? AS b (READ_ONLY)", [str(on_dask)])
    names = _relations(con, "a")
    assert names == _relations(con, "b")
    assert {"articles", "sentences", "events", "memberships"} <= set(names)
    for name in names:
        excluded = RUN_COLUMNS.get(name)
        columns = f"* EXCLUDE ({', '.join(excluded)})" if excluded else "*"
        where = ("WHERE key NOT IN (" + ", ".join(f"'{k}'" for k in RUN_INFO_KEYS) + ")"
                 if name == "warehouse_info" else "")
        rows = [con.execute(f'SELECT {columns} FROM {side}."{name}" {where}').fetchall()
                for side in ("a", "b")]
        assert sorted(map(repr, rows[0])) == sorted(map(repr, rows[1])), name
    loaded = con.execute("SELECT count(*) FROM b.articles").fetchall()[0][0]
    assert loaded > 25
    con.close()


def test_the_dask_build_reports_bad_files_and_repeats_as_a_local_build_does(
    both_builds: tuple[Path, Path],
) -> None:
    local, on_dask = both_builds
    query = ("SELECT files_failed, duplicates, messages FROM etl_runs "
             "ORDER BY finished_at DESC LIMIT 1")
    runs = []
    for path in (local, on_dask):
        with duckdb.connect(str(path), read_only=True) as con:
            runs.append(con.execute(query).fetchall()[0])
            reasons = dict(con.execute("SELECT source_file, reason FROM load_problems").fetchall())
        assert "time budget of 4 s" in reasons[HEAVY]
    assert runs[0] == runs[1]
    files_failed, duplicates, _ = runs[1]
    assert files_failed > 1 and duplicates > 0
    assert not list(on_dask.parent.glob("*.building-*"))  # shards and staging removed


def test_without_the_extra_the_engine_names_the_install_command(
    engine_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    db = tmp_path / "w.duckdb"
    code = cli.main(["--articles", str(engine_corpus), "--db", str(db), "--engine", "dask"])
    assert code == cli.EXIT_NO_ENGINE
    assert "pip install '.[distributed]'" in " ".join(capsys.readouterr().err.split())
    assert not db.exists()


def test_ctrl_c_leaves_no_worker_and_no_warehouse(engine_corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    build = subprocess.Popen(
        [sys.executable, "-m", "etl", "--articles", str(engine_corpus), "--db", str(db),
         "--engine", "dask", "--quiet"],
        cwd=PROJECT_ROOT, env={**os.environ, "IM_WORKERS": "2"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    parent = psutil.Process(build.pid)
    deadline = time.monotonic() + 60
    children: list[psutil.Process] = []
    while len(children) < 2 and build.poll() is None:  # the nannies are up
        assert time.monotonic() < deadline, "no Dask worker started"
        children = parent.children(recursive=True)
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before it could be interrupted"
    build.send_signal(signal.SIGINT)
    _, err = build.communicate(timeout=60)
    assert build.returncode == EXIT_INTERRUPTED, err
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    assert not db.exists()
    assert not list(tmp_path.glob("*.building-*"))
