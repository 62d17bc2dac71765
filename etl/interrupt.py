"""An interrupted command ends, and ends its processes, whatever its libraries do.

Ctrl-C (SIGINT) and `kill` (SIGTERM) both raise `KeyboardInterrupt` in the command, so every
`with` block cleans up as the stack unwinds: a build's staging file is removed, the spare's
transaction rolled back, the worker pool or the local Dask cluster stopped. Clean-up can hang
where a library waits on a process that no longer answers (a cluster closing while its
workers start, a pool joining a busy worker at exit); so the first signal also arms a timer,
and if the process is still alive `GRACE_SECONDS` later its child processes are killed and it
exits with `EXIT_INTERRUPTED`. A second signal does that at once. What a forced exit leaves
behind (a staging file) is removed by the next build (`warehouse.remove_stale_staging`).

For a command-line process only: once armed, the timer ends the process even if the caller
goes on.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

import psutil

GRACE_SECONDS = 30.0
EXIT_INTERRUPTED = 130  # the shell's code for a command ended by SIGINT
SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def bounded(grace_seconds: float = GRACE_SECONDS) -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise `KeyboardInterrupt` and bound the clean-up
    to `grace_seconds` (see the module). Outside the main thread it changes nothing: only the
    main thread can handle signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    armed = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if armed.is_set():
            force_exit(f"{signal.Signals(signum).name} again")
        armed.set()
        timer = threading.Timer(grace_seconds, force_exit,
                                args=(f"clean-up still running after {grace_seconds:g} s",))
        timer.daemon = True
        timer.start()
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, on_signal) for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def force_exit(why: str) -> None:
    """Kill every child process of this one (grandchildren included), then exit at once with
    `EXIT_INTERRUPTED`, running no more clean-up."""
    with contextlib.suppress(psutil.Error):
        children = psutil.Process().children(recursive=True)
        for child in children:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(children, timeout=5)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"Interrupted ({why}): stopped with its worker processes.\n")
        sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)
