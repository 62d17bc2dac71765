"""An interrupted command ends with its processes, and a build interrupted writes nothing
(`etl.interrupt`): real builds and real processes, signalled as a terminal or `kill` would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from benchmarks import corpus
from etl.interrupt import EXIT_INTERRUPTED
from etl.settings import PROJECT_ROOT
from tests.conftest import REFERENCE_DIR

OPTIONS = corpus.Options(60, 11, dup_rate=0.0, bad_rate=0.0, oversized_rate=0.0)


def _children_once(
    parent: psutil.Process, count: int, deadline_s: float = 60
) -> list[psutil.Process]:
    """The process tree of `parent` once it has at least `count` processes."""
    deadline = time.monotonic() + deadline_s
    while True:
        children = parent.children(recursive=True)
        if len(children) >= count:
            return children
        assert parent.is_running() and parent.status() != psutil.STATUS_ZOMBIE, "it ended"
        assert time.monotonic() < deadline, f"{len(children)} child processes, not {count}"
        time.sleep(0.05)


def _line_once(stream: object, text: str, deadline_s: float = 60) -> None:
    """Read `stream` (a child's stdout) until a line holding `text` arrives."""
    deadline = time.monotonic() + deadline_s
    for line in stream:  # type: ignore[attr-defined]
        if text in line:
            return
        assert time.monotonic() < deadline, f"no line with {text!r}"
    raise AssertionError(f"the output ended before a line with {text!r}")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_build_interrupted_while_its_workers_read_writes_nothing_and_leaves_no_worker(
    signum: int, tmp_path: Path
) -> None:
    corpus.generate(OPTIONS, tmp_path / "corpus", workers=1)
    db = tmp_path / "w.duckdb"
    build = subprocess.Popen(
        [sys.executable, "-m", "etl", "--articles", str(tmp_path / "corpus" / "articles"),
         "--db", str(db), "--quiet"],
        cwd=PROJECT_ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "IM_WORKERS": "2", "IM_PARALLEL_THRESHOLD": "10",
             "IM_REFERENCE_DIR": str(REFERENCE_DIR)},
    )
    # the forkserver and two workers
    children = _children_once(psutil.Process(build.pid), 3)
    build.send_signal(signum)
    _, err = build.communicate(timeout=60)
    assert build.returncode == EXIT_INTERRUPTED, err
    assert "Interrupted." in err and "unchanged" in err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    assert not db.exists()
    assert not list(tmp_path.glob("w.duckdb.building-*"))


HANGING = textwrap.dedent("""
    import subprocess, sys, time
    from etl import interrupt
    with interrupt.bounded(grace_seconds=float(sys.argv[1])):
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            print("child", child.pid, flush=True)  # signalled from here on
            time.sleep(600)
        finally:
            print("cleaning up", flush=True)
            time.sleep(600)  # a clean-up that never ends
""")


def _hanging(grace_s: float) -> tuple[subprocess.Popen[str], psutil.Process]:
    """A process whose clean-up hangs, with a child process; once both are running."""
    proc = subprocess.Popen([sys.executable, "-c", HANGING, str(grace_s)], cwd=PROJECT_ROOT,
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("child "), first + proc.stderr.read()  # type: ignore[union-attr]
    return proc, psutil.Process(int(first.split()[1]))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_clean_up_that_hangs_is_ended_after_the_grace_with_its_children(signum: int) -> None:
    proc, child = _hanging(1.0)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED
    assert "clean-up still running after 1 s" in err
    gone, _ = psutil.wait_procs([child], timeout=30)
    assert gone


def test_a_second_signal_ends_a_hanging_clean_up_at_once() -> None:
    proc, child = _hanging(600.0)  # the grace alone would outlast the test
    proc.send_signal(signal.SIGINT)
    assert proc.stdout is not None
    _line_once(proc.stdout, "cleaning up")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT_INTERRUPTED
    assert "SIGINT again" in err
    gone, _ = psutil.wait_procs([child], timeout=30)
    assert gone
