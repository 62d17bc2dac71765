"""Time and memory budgets for reading and extracting one file.

A file is the unit of failure: whatever one file holds, the work on it may take at most
`seconds` of wall-clock time and `memory_bytes` more address space than the process held when it
started on the file. A file over budget raises `OverBudget`; the caller reports the file (name,
reason, what to do) and goes on with the next one.

Three layers, each catching what the one before cannot:

1. A soft time limit: a SIGALRM timer whose handler raises `OverBudget` in the main thread. The
   interpreter, the `re` engine and blocking reads all stop for it.
2. A memory limit: the soft `RLIMIT_AS` is lowered to the address space in use plus the budget,
   so an allocation past it fails with `MemoryError` (turned into `OverBudget`) instead of
   exhausting the machine.
3. In worker processes only, a hard time limit: `faulthandler`'s watchdog is a C thread that
   needs no interpreter lock, so it ends the worker (`_exit`) after a grace period even when code
   never returns to the interpreter. Before each file the worker notes the file's name in its
   note file (`notes_dir/<pid>.file`), and the watchdog writes into `notes_dir/<pid>.timeout`
   when it fires, so the build can tell which file stopped a worker and why (`etl.workers`).
   It stays armed from file to file and is disarmed by `release` once a batch is done.

The limits are armed per file and restored afterwards; in a process that is not the main thread
the soft time limit is left out (signals reach only the main thread).
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType

import psutil

NOTE_SUFFIX = ".file"  # the file a worker is on ('' between files)
TIMEOUT_SUFFIX = ".timeout"  # written by the hard time limit as it ends the worker
MIN_GRACE_SECONDS = 5.0


class OverBudget(BaseException):  # noqa: N818 (a signal to stop, like KeyboardInterrupt)
    """The current file went over its time or memory budget.

    A `BaseException`, like `KeyboardInterrupt`, so that no `except Exception` in a reader or an
    extractor can swallow it and carry on with the file.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FileBudget:
    """The limits for one file, and whether this process is a worker of the build.

    0 for `seconds` or `memory_bytes` means no limit of that kind.
    """

    seconds: float = 0.0
    memory_bytes: int = 0
    notes_dir: str | None = None  # set in worker processes: note files and the hard limit

    @property
    def hard_seconds(self) -> float:
        """When the hard limit ends a worker: the budget plus a grace period for cleaning up."""
        return self.seconds + max(MIN_GRACE_SECONDS, self.seconds / 2)


def time_reason(seconds: float) -> str:
    return (
        f"took longer than the time budget of {seconds:g} s for one file, so it was skipped; "
        f"split it into smaller files, or raise IM_FILE_SECONDS if it is an ordinary article"
    )


def memory_reason(memory_bytes: int) -> str:
    return (
        f"needed more than the memory budget of {memory_bytes // (1024 * 1024)} MB for one "
        f"file, so it was skipped; split it into smaller files, or raise IM_FILE_MEMORY_MB if "
        f"it is an ordinary article"
    )


def crash_reason() -> str:
    return (
        "stopped the process reading it twice (most likely it needed more memory than the "
        "machine could give), so it was skipped; split it into smaller files or check that it "
        "is an ordinary article"
    )


# --- this process's budget -------------------------------------------------------------------

_budget = FileBudget()
_process: psutil.Process | None = None
_hard_armed_at: float | None = None  # when the hard limit was last armed (monotonic seconds)
_note_fd: int | None = None
_timeout_file: object | None = None  # kept open: faulthandler writes into it when it fires


def configure(budget: FileBudget) -> None:
    """Set the budget of every file this process reads from now on (see `limit`)."""
    global _budget, _note_fd, _timeout_file
    _budget = budget
    if budget.notes_dir is not None and _note_fd is None:
        stem = Path(budget.notes_dir) / str(os.getpid())
        _note_fd = os.open(f"{stem}{NOTE_SUFFIX}", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        _timeout_file = open(f"{stem}{TIMEOUT_SUFFIX}", "w")  # noqa: SIM115 (lives with us)


def note(name: str) -> None:
    """Write the name of the file this worker is on into its note file ('' when idle)."""
    if _note_fd is None:
        return
    data = name.encode("utf-8", "surrogateescape")
    os.ftruncate(_note_fd, 0)
    os.pwrite(_note_fd, data, 0)


def read_note(path: Path) -> str:
    """The file name a worker's note file holds ('' for none)."""
    try:
        return path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return ""


class limit:  # noqa: N801 (used as `with budget.limit(name):`)
    """Context manager: the work on file `name` runs within this process's budget."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.budget = _budget
        self._armed = False
        self._timer = False
        self._previous_handler: object = None
        self._previous_memory: tuple[int, int] | None = None

    def __enter__(self) -> limit:
        note(self.name)
        budget = self.budget
        if budget.seconds > 0 and threading.current_thread() is threading.main_thread():
            self._previous_handler = signal.signal(signal.SIGALRM, self._time_up)
            self._timer = self._armed = True
            signal.setitimer(signal.ITIMER_REAL, budget.seconds)
        if budget.memory_bytes > 0:
            self._limit_memory(budget.memory_bytes)
        if budget.notes_dir is not None and budget.seconds > 0:
            _arm_hard_limit(budget)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._armed = False
        finally:
            self._restore()
        if exc_type is not None and issubclass(exc_type, MemoryError):
            raise OverBudget(memory_reason(self.budget.memory_bytes)) from None

    def _time_up(self, signum: int, frame: FrameType | None) -> None:
        if self._armed:
            self._armed = False
            raise OverBudget(time_reason(self.budget.seconds))

    def _limit_memory(self, memory_bytes: int) -> None:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        wanted = _this_process().memory_info().vms + memory_bytes
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        if soft == resource.RLIM_INFINITY or wanted < soft:
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
            self._previous_memory = (soft, hard)

    def _restore(self) -> None:
        """Undo every limit this file armed (each step runs even if one before it fails)."""
        try:
            if self._timer:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM,
                              self._previous_handler or signal.SIG_DFL)  # type: ignore[arg-type]
        finally:
            try:
                if self._previous_memory is not None:
                    resource.setrlimit(resource.RLIMIT_AS, self._previous_memory)
            finally:
                note("")


def _this_process() -> psutil.Process:
    global _process
    if _process is None or _process.pid != os.getpid():
        _process = psutil.Process()
    return _process


def _arm_hard_limit(budget: FileBudget) -> None:
    """(Re)arm the hard limit for the file starting now.

    Arming starts a watchdog thread (about 0.1 ms), so it is re-armed only once half the grace
    period has passed since the last time: a file is then ended no sooner than its budget plus
    half the grace period. `release` disarms it when the worker runs out of files.
    """
    global _hard_armed_at
    now = time.monotonic()
    grace = budget.hard_seconds - budget.seconds
    if _hard_armed_at is not None and now - _hard_armed_at < grace / 2:
        return
    faulthandler.dump_traceback_later(
        budget.hard_seconds, exit=True, file=_timeout_file  # type: ignore[arg-type]
    )
    _hard_armed_at = now


def release() -> None:
    """Disarm the hard limit: this process has no file to read until the next `limit`."""
    global _hard_armed_at
    if _hard_armed_at is not None:
        faulthandler.cancel_dump_traceback_later()
        _hard_armed_at = None
