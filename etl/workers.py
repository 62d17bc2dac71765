"""Reading files in batches, in worker processes when it pays, so no file can stop a build.

Large folders are spread over a pool of worker processes (`forkserver`); small ones are read
in the build's own process. Either way each file is read within its budget (`etl.budget`).

What a worker pool adds:

- **A worker that dies does not stop the build.** A worker ended by the hard time limit, by
  the system (out of memory) or by a crash breaks the pool; the build then finds which file the
  worker was on from its note file, reports a file that ran out of time, reads a file that
  stopped a worker for another reason once more on its own (a second stop reports it), starts a
  new pool, and goes on with the batches that were lost. Batches still come back in file order.
- **Workers die with the build.** Each worker watches the build process (the `sentinel` of
  `multiprocessing.parent_process()`, a pipe that closes when the build ends however it ends)
  and exits when it goes, and asks the kernel to kill it if the forkserver goes
  (`PR_SET_PDEATHSIG`). The forkserver and the resource tracker exit by themselves once no
  worker holds their pipes, so a `kill -9` of a build leaves no process behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

import psutil

from etl import budget, prepare
from etl.model import Problem
from etl.prepare import Batch, FileJob
from etl.settings import Settings

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)

# Files per batch handed to a worker: small enough to keep workers evenly busy and memory flat,
# large enough that handing over a batch costs little next to extracting it.
MAX_BATCH_FILES = 200
MIN_BATCH_FILES = 10
# A batch lost with a pool that broke for no file's sake is tried again this many times with
# others before its files are read one by one.
POOL_ATTEMPTS = 2

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class WorkerPoolError(RuntimeError):
    """The worker processes could not start at all (not the fault of any one file)."""


def file_budget(settings: Settings, notes_dir: str | None = None) -> budget.FileBudget:
    """The per-file budget of a build's settings (`IM_FILE_SECONDS`, `IM_FILE_MEMORY_MB`)."""
    return budget.FileBudget(
        seconds=max(0.0, settings.file_seconds),
        memory_bytes=max(0, settings.file_memory_mb) * 1024 * 1024,
        notes_dir=notes_dir,
    )


def read_batches(
    jobs: Sequence[FileJob],
    settings: Settings,
    progress: ProgressCallback | None = None,
) -> Iterator[Batch]:
    """Batches of read, cleaned and extracted files, in file order.

    Large folders are spread over worker processes; at most two batches per worker are in
    flight, so a slow consumer (the warehouse writer) never lets results pile up in memory.
    """
    total = len(jobs)
    if not total:  # nothing to read: no worker started, no reference data compiled
        return
    workers = settings.workers or os.cpu_count() or 1
    chunks = chunk_jobs(jobs, workers)
    done = 0
    if total < settings.parallel_threshold or workers == 1:
        budget.configure(file_budget(settings))
        prepare.init_worker(str(settings.reference_dir), settings.max_file_bytes)
        batches: Iterator[Batch] = map(prepare.process_files, chunks)
    else:
        batches = _parallel(chunks, settings, workers)
    for batch in batches:
        done += len(batch.files)
        if progress:
            progress("extract", done, total)
        yield batch


def chunk_jobs(jobs: Sequence[FileJob], workers: int) -> list[list[FileJob]]:
    """`jobs` cut into batches, in order: about eight per worker, of 10 to 200 files each."""
    size = max(MIN_BATCH_FILES, min(MAX_BATCH_FILES, len(jobs) // (workers * 8) or 1))
    return [list(jobs[start : start + size]) for start in range(0, len(jobs), size)]


# --- in a worker process ---------------------------------------------------------------------


def init_worker(
    reference_dir: str, max_file_bytes: int, file_budget: budget.FileBudget
) -> None:
    """Start a worker: die with the build, arm the budgets, compile the reference data."""
    _die_with_parent()
    budget.configure(file_budget)
    signal.signal(signal.SIGTERM, _terminated)
    prepare.init_worker(reference_dir, max_file_bytes)


def _die_with_parent() -> None:
    """Exit as soon as the build process ends, even by `kill -9`."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-build", daemon=True).start()


def _terminated(signum: int, frame: object) -> None:
    """Stopped by the pool (another worker broke it): this worker's file was not the cause."""
    budget.note("")
    os._exit(0)


# --- the pool and its recovery ---------------------------------------------------------------


@dataclass
class _Work:
    """Files to read together (`alone`: in a pool of their own), or one file to report."""

    jobs: list[FileJob]
    alone: bool = False
    attempts: int = 0
    reason: str = ""  # a file that stopped its worker: reported, not read again


NOTES_PREFIX = "im-workers-"


def _parallel(chunks: list[list[FileJob]], settings: Settings, workers: int) -> Iterator[Batch]:
    """The batches of `chunks`, in order, from pools of worker processes that may break."""
    remove_orphaned_notes()
    with tempfile.TemporaryDirectory(prefix=f"{NOTES_PREFIX}{os.getpid()}-") as notes:
        queue = deque(_Work(chunk) for chunk in chunks)
        while queue:
            head = queue[0]
            if head.reason:
                queue.popleft()
                yield _reported(head.jobs[0], head.reason)
            else:
                yield from _run_pool(queue, settings, 1 if head.alone else workers, notes)


def remove_orphaned_notes() -> None:
    """Remove the notes folders of builds that were killed outright (SIGKILL leaves no chance
    to clean up): those named for a process that no longer runs."""
    for folder in Path(tempfile.gettempdir()).glob(f"{NOTES_PREFIX}*-*"):
        owner = folder.name.removeprefix(NOTES_PREFIX).split("-", 1)[0]
        if owner.isdigit() and not psutil.pid_exists(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _reported(job: FileJob, reason: str) -> Batch:
    return Batch(files=[prepare.file_state(job)], problems=[Problem(job.relative, reason)])


def _run_pool(queue: deque[_Work], settings: Settings, workers: int, notes: str) -> Iterator[Batch]:
    """Read the work at the head of `queue` (of the head's kind) in one pool, in order.

    If the pool breaks, the work it lost goes back to the head of the queue, sorted out by
    `_triage`.
    """
    alone = queue[0].alone
    in_flight = 1 if alone else workers * 2  # a file read alone is the only one in its pool
    pending: deque[tuple[_Work, Future[Batch]]] = deque()
    yielded = 0
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=init_worker,
        initargs=(str(settings.reference_dir), settings.max_file_bytes,
                  file_budget(settings, notes)),
    )
    broken = False
    try:
        while pending or (queue and _same_kind(queue[0], alone)):
            while queue and _same_kind(queue[0], alone) and len(pending) < in_flight:
                work = queue.popleft()
                pending.append((work, pool.submit(prepare.process_files, work.jobs)))
            batch = pending[0][1].result()
            pending.popleft()
            yielded += 1
            yield batch
    except BrokenProcessPool:
        broken = True
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if broken:
        stopped = read_notes(Path(notes))
        lost = [work for work, _ in pending]
        if not stopped and not yielded and not any(w.attempts or w.alone for w in lost):
            raise WorkerPoolError(
                "the extraction worker processes stopped before reading any file; check that "
                "the reference data loads (IM_REFERENCE_DIR) and that the machine has memory free"
            )
        queue.extendleft(reversed(_triage(lost, stopped, settings.file_seconds)))
    for path in Path(notes).iterdir():
        path.unlink(missing_ok=True)


def _same_kind(work: _Work, alone: bool) -> bool:
    return not work.reason and work.alone == alone


def read_notes(notes: Path) -> dict[str, str]:
    """File name -> 'timeout' or 'stopped', for each worker that died while on a file."""
    stopped: dict[str, str] = {}
    for path in notes.glob(f"*{budget.NOTE_SUFFIX}"):
        name = budget.read_note(path)
        if not name:
            continue
        timeout = path.with_suffix(budget.TIMEOUT_SUFFIX)
        fired = timeout.exists() and timeout.stat().st_size > 0
        stopped[name] = "timeout" if fired else "stopped"
    return stopped


def _triage(lost: list[_Work], stopped: dict[str, str], seconds: float) -> list[_Work]:
    """What to do with the work a broken pool lost, in the same order.

    A file whose worker ran out of time is reported. A file a worker died on for another
    reason is read again on its own, and reported if it stops its worker there too. The other
    files go back to a new pool with their batch, or one by one after `POOL_ATTEMPTS` lost
    batches (and are reported after as many lost pools of their own).
    """
    out: list[_Work] = []
    for work in lost:
        rest: list[FileJob] = []
        attempts = work.attempts + 1
        for job in work.jobs:
            how = stopped.get(job.relative)
            if how is None and not work.alone:
                rest.append(job)
                continue
            out.extend(_regroup(work, rest, attempts))
            rest = []
            if how == "timeout":
                out.append(_Work([job], reason=budget.time_reason(seconds)))
            elif work.alone and (how == "stopped" or attempts > POOL_ATTEMPTS):
                out.append(_Work([job], reason=budget.crash_reason()))
            else:
                out.append(_Work([job], alone=True, attempts=attempts))
        out.extend(_regroup(work, rest, attempts))
    return out


def _regroup(work: _Work, jobs: list[FileJob], attempts: int) -> list[_Work]:
    """Files of a lost batch that stopped no worker: a batch again, or one by one."""
    if not jobs:
        return []
    if attempts >= POOL_ATTEMPTS:
        return [_Work([job], alone=True, attempts=attempts) for job in jobs]
    return [replace(work, jobs=jobs, attempts=attempts)]
