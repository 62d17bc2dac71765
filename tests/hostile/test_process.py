"""Hostile tests of how a build runs: per-file budgets, workers that die, killed builds and
killed adds, and `etl add` arguments no option parser expects (issue rows 8, 9, 13, 14, and
the per-file budgets)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import psutil
import pytest

from tests.conftest import CORPUS_DIR, REFERENCE_DIR

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)

ARTICLE = (
    "Astana, 2 May 2024. CICA, Asia's security forum, held its sixth summit in Astana in "
    "October 2022. CICA has 28 member states.\n"
)
DEADLINE_SECONDS = 120


def run_etl(*args: str | bytes | Path, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """`python -m etl ...` in a new process, as an operator runs it."""
    command = [sys.executable, "-m", "etl", *(a if isinstance(a, bytes) else str(a)
                                              for a in args)]
    full_env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), "COLUMNS": "250",
                **(env or {})}
    return subprocess.run(command, capture_output=True, text=True, env=full_env,
                          timeout=timeout, errors="replace")


def poll(condition: Callable[[], object], what: str, seconds: float = DEADLINE_SECONDS) -> object:
    """Wait for `condition()` to be truthy, failing with `what` after the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def big_prose(path: Path, megabytes: float) -> Path:
    """A long article of distinct paragraphs: legitimate text, just far too much of it."""
    paragraphs, size, n = [], 0, 0
    while size < megabytes * 1024 * 1024:
        n += 1
        paragraph = f"Paragraph {n}. {ARTICLE.replace('28 member', f'{n % 90} member')}"
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    path.write_text("\n".join(paragraphs), encoding="utf-8")
    return path


def loaded(db: Path) -> dict[str, tuple[object, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_file, title, published FROM articles").fetchall()
    return {row[0]: row[1:] for row in rows}


def problems(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT source_file, reason FROM load_problems WHERE run_id = "
            "(SELECT run_id FROM etl_runs ORDER BY finished_at DESC LIMIT 1)").fetchall()
    return dict(rows)


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """A private copy of the five shipped articles and their manifest."""
    target = tmp_path / "articles"
    shutil.copytree(CORPUS_DIR, target)
    return target


SHIPPED = sorted(p.name for p in CORPUS_DIR.glob("*.txt"))
PARALLEL = {"IM_PARALLEL_THRESHOLD": "2", "IM_WORKERS": "2"}


# --- budgets per file -----------------------------------------------------------------------


def test_budgets_a_file_over_its_memory_budget_is_reported_and_the_others_load(
    articles: Path, tmp_path: Path
) -> None:
    """Budgets per file: a tiny memory budget and a file that needs more, in the build's own
    process (as for a small folder or an `etl add`)."""
    big_prose(articles / "huge.txt", 4)
    db = tmp_path / "w.duckdb"
    result = run_etl("--articles", articles, "--db", db, env={
        "IM_FILE_MEMORY_MB": "25", "IM_FILE_SECONDS": "300"})
    assert result.returncode == 0, result.stderr
    assert "huge.txt" in result.stdout and "memory budget of 25 MB" in result.stdout
    assert "IM_FILE_MEMORY_MB" in problems(db)["huge.txt"]
    assert sorted(loaded(db)) == SHIPPED


def test_budgets_a_file_over_its_time_budget_is_reported_and_the_others_load(
    articles: Path, tmp_path: Path
) -> None:
    """Budgets per file: a one-second time budget and a file that needs far longer, in a
    worker process."""
    big_prose(articles / "long.txt", 4)
    db = tmp_path / "w.duckdb"
    result = run_etl("--articles", articles, "--db", db, env={"IM_FILE_SECONDS": "1",
                                                                **PARALLEL})
    assert result.returncode == 0, result.stderr
    assert "long.txt" in result.stdout and "time budget of 1 s" in result.stdout
    assert "IM_FILE_SECONDS" in problems(db)["long.txt"]
    assert sorted(loaded(db)) == SHIPPED


def _worker_on(build: psutil.Process, name: str) -> psutil.Process | None:
    """The worker process of `build` whose note says it is reading `name`, if any."""
    for child in build.children(recursive=True):
        try:
            notes = [f.path for f in child.open_files() if f.path.endswith(".file")]
        except psutil.Error:
            continue
        for note in notes:
            try:
                if Path(note).read_text(encoding="utf-8", errors="replace") == name:
                    return child
            except OSError:
                continue
    return None


def test_budgets_a_worker_killed_on_a_file_does_not_stop_the_build(
    articles: Path, tmp_path: Path
) -> None:
    """Budgets per file: a worker dies (kill -9, as the kernel's out-of-memory killer does)
    while reading a file, twice; the build reports the file, loads the others and exits 0."""
    big_prose(articles / "heavy.txt", 4)
    for n in range(12):  # enough files that the pool has batches besides the heavy file's
        (articles / f"extra{n:02}.txt").write_text(
            ARTICLE.replace("sixth", f"number {n}"), encoding="utf-8")
    db = tmp_path / "w.duckdb"
    command = [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db),
               "--quiet"]
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), **PARALLEL,
           "IM_FILE_SECONDS": "600"}
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as process:
        build = psutil.Process(process.pid)
        for _ in range(2):  # once among the others, once when it is read again on its own
            worker = poll(lambda: _worker_on(build, "heavy.txt"), "a worker on heavy.txt")
            worker.kill()  # type: ignore[union-attr]
            poll(lambda w=worker: not w.is_running() or w.status() == psutil.STATUS_ZOMBIE,
                 "the killed worker to end")
        out, err = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0, err
    assert "heavy.txt" in problems(db)
    assert "stopped the process reading it twice" in problems(db)["heavy.txt"]
    assert sorted(loaded(db)) == sorted([*SHIPPED, *(f"extra{n:02}.txt" for n in range(12))])


STUCK_WORKER = """
import signal, sys
from etl import budget
budget.configure(budget.FileBudget(seconds=0.1, notes_dir=sys.argv[1]))
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as code that never yields does
with budget.limit("stuck.txt"):
    while True:
        pass
"""


def test_budgets_the_hard_time_limit_ends_a_stuck_worker_and_names_its_file(
    tmp_path: Path
) -> None:
    """Budgets per file: work the soft time limit cannot interrupt is ended by the hard limit,
    and the worker's notes tell the build which file ran out of time."""
    from etl import workers

    result = subprocess.run([sys.executable, "-c", STUCK_WORKER, str(tmp_path)],
                            capture_output=True, timeout=DEADLINE_SECONDS)
    assert result.returncode == 1
    assert workers.read_notes(tmp_path) == {"stuck.txt": "timeout"}


# --- row 13: no orphans ---------------------------------------------------------------------


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_row13_a_killed_parallel_build_leaves_no_process_behind(tmp_path: Path) -> None:
    """Row 13: kill -9 of a parallel full build; its workers, forkserver and resource tracker
    all end."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shipped = [p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))]
    for n in range(300):
        text = f"{shipped[n % len(shipped)]}\n\nUpdate {n}: CICA met again in {1995 + n % 30}.\n"
        (folder / f"a{n:03}.txt").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "etl", "--articles", str(folder), "--db",
               str(tmp_path / "w.duckdb"), "--full", "--quiet"]
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR), "IM_PARALLEL_THRESHOLD": "10",
           "IM_WORKERS": "2"}
    process = subprocess.Popen(command, env=env)
    family: list[psutil.Process] = []
    try:
        build = psutil.Process(process.pid)

        def working() -> list[psutil.Process]:
            family = build.children(recursive=True)
            workers = [p for p in family if p.ppid() != build.pid]  # forked by the forkserver
            busy = [w for w in workers if sum(w.cpu_times()[:2]) > 1.0]
            return family if len(workers) >= 2 and busy else []

        family = poll(working, "two workers extracting")  # type: ignore[assignment]
        assert process.poll() is None, "the build finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        process.wait()
        poll(lambda: all(_gone(p) for p in family), "every process of the build to end", 30)
    finally:
        process.kill()
        process.wait()
        for survivor in family:  # leave no process behind even when the test fails
            if not _gone(survivor):
                survivor.kill()


def test_row13_the_next_build_removes_the_notes_a_killed_build_left(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build killed outright cannot remove its workers' notes folder; the next parallel
    build removes every such folder whose process is gone, and leaves a running one's."""
    import tempfile

    from etl import workers

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    left = tmp_path / f"{workers.NOTES_PREFIX}{gone.stdout.strip()}-abc"
    running = tmp_path / f"{workers.NOTES_PREFIX}{os.getpid()}-def"
    unrelated = tmp_path / f"{workers.NOTES_PREFIX}old"
    for folder in (left, running, unrelated):
        folder.mkdir()
        (folder / "1.file").touch()
    workers.remove_orphaned_notes()
    assert not left.exists()
    assert running.exists() and unrelated.exists()


# --- row 8 (command line) and row 9: names and arguments -----------------------------------


def test_row8_names_starting_with_a_dash_and_odd_names_are_added(
    articles: Path, tmp_path: Path
) -> None:
    """Row 8: '-draft.txt' after '--', '--name -draft.txt', a name that is not UTF-8, and bad
    files in the same batch: each file gets its own outcome and the good ones load."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "-draft.txt").write_text(ARTICLE, encoding="utf-8")
    odd = os.fsencode(incoming) + b"/odd\xffname.txt"
    with open(odd, "w", encoding="utf-8") as handle:
        handle.write(ARTICLE.replace("sixth", "seventh"))
    (incoming / "folder.txt").mkdir()
    upload = incoming / "job-1.txt"
    upload.write_text(ARTICLE.replace("sixth", "eighth"), encoding="utf-8")
    db, report = tmp_path / "w.duckdb", tmp_path / "report.json"
    result = run_etl("add", "--articles", articles, "--db", db, "--report-json", report,
                     "--", incoming / "-draft.txt", odd, incoming / "folder.txt",
                     incoming / "missing.txt")
    assert result.returncode == 0, result.stderr
    body = json.loads(report.read_text(encoding="utf-8"))
    outcomes = {f["given_name"]: f["outcome"] for f in body["files"]}
    assert outcomes == {"-draft.txt": "loaded", "odd\ufffdname.txt": "loaded",
                        "folder.txt": "refused", "missing.txt": "refused"}
    assert str(tmp_path) not in json.dumps(body["files"])  # no server path in what is shown
    named = run_etl("add", "--articles", articles, "--db", db, "--name", "-upload.txt",
                    "--title", "-Summit", "--", upload)
    assert named.returncode == 0, named.stderr
    assert loaded(db)["upload.txt"][0] == "-Summit"
    assert {"draft.txt", "odd_name.txt", "upload.txt"} <= set(loaded(db))


def test_row9_a_title_that_is_not_utf8_is_refused_clearly_and_leaves_nothing(
    articles: Path, tmp_path: Path
) -> None:
    """Row 9: `etl add --title` with a byte that is not UTF-8."""
    (tmp_path / "summit.txt").write_text(ARTICLE, encoding="utf-8")
    before = sorted(os.listdir(articles))
    result = run_etl("add", "--articles", articles, "--db", tmp_path / "w.duckdb",
                     "--title", b"Summit \xff", "--", tmp_path / "summit.txt")
    assert result.returncode == 2
    assert "--title" in result.stderr and "not UTF-8" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(os.listdir(articles)) == before
    assert not (tmp_path / "w.duckdb").exists()


# --- row 14: a kill between saving the file and writing its manifest row -------------------

KILL_AT = """
import os, signal, sys
from etl import cli, intake
step = sys.argv[1]
if step == "link":  # the manifest row is written; the file is about to become visible
    real_link = os.link
    def link(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    os.link = link
else:  # the file's bytes are on disk, hidden; the manifest row is about to be written
    def append(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    intake.append_manifest_row = append
sys.exit(cli.main(sys.argv[2:]))
"""


def _add_killed_at(step: str, articles: Path, db: Path, source: Path) -> None:
    command = [sys.executable, "-c", KILL_AT, step, "add", "--articles", str(articles), "--db",
               str(db), "--title", "Summit in Astana", "--published", "2024-05-02", "--",
               str(source)]
    env = {**os.environ, "IM_REFERENCE_DIR": str(REFERENCE_DIR)}
    result = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert result.returncode == -signal.SIGKILL


def test_row14_a_kill_after_the_manifest_row_is_finished_by_the_next_build(
    articles: Path, tmp_path: Path
) -> None:
    """Row 14: kill -9 of `etl add` between writing the manifest row and placing the file; the
    next build places it and loads it with its title and date."""
    source = tmp_path / "summit.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    _add_killed_at("link", articles, db, source)
    assert not (articles / "summit.txt").exists()
    assert [p.name for p in articles.glob(".adding-*")], "the saved bytes are kept"
    result = run_etl("--articles", articles, "--db", db)
    assert result.returncode == 0, result.stderr
    title, published = loaded(db)["summit.txt"]
    assert (title, str(published)) == ("Summit in Astana", "2024-05-02")
    assert (articles / "summit.txt").read_bytes() == source.read_bytes()
    assert not list(articles.glob(".adding-*")) and not list(articles.glob(".manifest*"))


def test_row14_a_kill_before_the_manifest_row_leaves_nothing_and_adding_again_works(
    articles: Path, tmp_path: Path
) -> None:
    """Row 14: kill -9 of `etl add` before the manifest row is written; the file never became
    visible, and adding it again applies the title and date (not 'already present')."""
    source = tmp_path / "summit.txt"
    source.write_text(ARTICLE, encoding="utf-8")
    db, report = tmp_path / "w.duckdb", tmp_path / "report.json"
    _add_killed_at("manifest", articles, db, source)
    assert not (articles / "summit.txt").exists()
    result = run_etl("add", "--articles", articles, "--db", db, "--title", "Summit in Astana",
                     "--published", "2024-05-02", "--report-json", report, "--", source)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(report.read_text(encoding="utf-8"))["files"][0]
    assert outcome["outcome"] == "loaded", outcome
    title, published = loaded(db)["summit.txt"]
    assert (title, str(published)) == ("Summit in Astana", "2024-05-02")
    assert not list(articles.glob(".adding-*"))
