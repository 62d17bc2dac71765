"""Extraction as a Dask job: the build's batches as tasks of a cluster, rows as Parquet shards.

`python -m etl --engine dask` runs the same pure function a build on one machine runs in its
worker processes (`etl.prepare.process_files`, one batch of files -> the rows of every table)
as Dask tasks. Each task writes its batch's rows as Parquet shards (`etl.shards`) and returns
only the bookkeeping; the build then loads the shards with DuckDB and finishes as usual
(repeats dropped, search index, validation, atomic swap: `etl.pipeline`).

Where it runs: a local cluster of one worker process per core (`IM_WORKERS`) on this machine
by default, started and stopped with the build; a running Dask cluster when
`DASK_SCHEDULER_ADDRESS` names its scheduler (`tcp://host:8786`). On a cluster every worker
needs this project installed (`pip install .[distributed]`) and must see the article folder
and the shard folder (`IM_SHARD_DIR`) at the same paths as the build.

The local cluster's workers are spawned processes: like any `multiprocessing` spawn they run
the calling program's main script again unless it was started with `-m` or guards its work
with `if __name__ == "__main__":` (`python -m etl` and the benchmarks do).

Dask is an optional extra: without it `--engine dask` stops with `EngineUnavailable`, naming
the install command, before anything is read or written.

Failures: a file that cannot be read is a problem of that file, as in any build (the task
reports it and goes on). A file that stops its worker (the hard time limit of `etl.budget`,
out of memory, a crash) loses its batch: the batch's files are then read one task each, and a
file that stops its worker again is reported with the reason (`budget.time_reason` when the
hard time limit ended it). A local cluster's processes end with the build, however it ends.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from etl import budget, prepare, shards, workers
from etl.model import Problem
from etl.prepare import Batch, FileJob
from etl.settings import Settings

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)

ENGINES = ("builtin", "dask")
INSTALL_COMMAND = "pip install '.[distributed]'"
ADDRESS_VARIABLE = "DASK_SCHEDULER_ADDRESS"
NOTES_FOLDER = "_notes"


class EngineUnavailable(RuntimeError):
    """The distributed engine is not installed (or its cluster cannot be reached)."""


def check_available() -> None:
    """Raise `EngineUnavailable`, naming the install command, when Dask is not installed."""
    try:
        importlib.import_module("dask")
        importlib.import_module("distributed")
    except ImportError as exc:
        raise EngineUnavailable(
            f"the dask engine is an optional extra that is not installed; install it with "
            f"`{INSTALL_COMMAND}` (or `make distributed`), or build without --engine"
        ) from exc


# --- on a worker ----------------------------------------------------------------------------

_ready: tuple[str, int, budget.FileBudget] | None = None


def extract_batch(
    batch_no: int,
    jobs: Sequence[FileJob],
    out_dir: str,
    reference_dir: str,
    max_file_bytes: int,
    file_budget: budget.FileBudget,
) -> shards.ShardedBatch:
    """Read, clean and extract one batch of files on a worker; write its rows as shards.

    The reference data is compiled once per worker process (the first task it runs).
    """
    global _ready
    key = (reference_dir, max_file_bytes, file_budget)
    if _ready != key:
        budget.configure(file_budget)
        prepare.init_worker(reference_dir, max_file_bytes)
        _ready = key
    return shards.write_shards(prepare.process_files(jobs), Path(out_dir), batch_no)


# --- in the build ---------------------------------------------------------------------------


def extract(
    jobs: Sequence[FileJob],
    settings: Settings,
    out_dir: Path,
    progress: ProgressCallback | None = None,
) -> list[shards.ShardedBatch]:
    """Extract `jobs` on Dask into shards under `out_dir`; the batches in reading order.

    Batch numbers follow reading order; a batch split after a lost worker gives one batch per
    file, numbered after every first batch.
    """
    check_available()
    notes = out_dir / NOTES_FOLDER
    notes.mkdir(parents=True, exist_ok=True)
    with _client(settings) as client:
        cores = sum(client.nthreads().values()) or 1
        run = _Run(client, out_dir, settings, workers.file_budget(settings, str(notes)))
        chunks = workers.chunk_jobs(jobs, cores)
        done: list[tuple[tuple[int, int], shards.ShardedBatch]] = []
        for order, sharded in run.batches(chunks, progress, len(jobs)):
            done.append((order, sharded))
    return [sharded for _, sharded in sorted(done, key=lambda pair: pair[0])]


class _Run:
    """Submits batches to one Dask client and settles the batches whose worker was lost."""

    def __init__(self, client: Any, out_dir: Path, settings: Settings,
                 file_budget: budget.FileBudget) -> None:
        self.client = client
        self.out_dir = out_dir
        self.settings = settings
        self.file_budget = file_budget
        self.next_no = 0

    def submit(self, jobs: Sequence[FileJob]) -> Any:
        """One task for `jobs` (retried on another worker if its worker is lost once)."""
        batch_no = self.next_no
        self.next_no += 1
        return self.client.submit(
            extract_batch, batch_no, list(jobs), str(self.out_dir),
            str(self.settings.reference_dir), self.settings.max_file_bytes, self.file_budget,
            pure=False, key=f"im-extract-{os.getpid()}-{batch_no}",
        )

    def batches(
        self, chunks: list[list[FileJob]], progress: ProgressCallback | None, total: int
    ) -> Iterator[tuple[tuple[int, int], shards.ShardedBatch]]:
        """Every batch as (reading order, batch) as it completes; files of a lost batch are
        read one task each, and a file lost twice is reported."""
        from distributed import as_completed

        order: dict[Any, tuple[int, int]] = {}
        jobs_of: dict[Any, list[FileJob]] = {}
        for index, chunk in enumerate(chunks):
            future = self.submit(chunk)
            order[future], jobs_of[future] = (index, 0), chunk
        pending = as_completed(list(order))
        done = 0
        for future in pending:
            where, jobs = order.pop(future), jobs_of.pop(future)
            try:
                results = [(where, future.result())]
            except Exception:  # noqa: BLE001 (a lost worker: settled per file below)
                results = []
                stopped = workers.read_notes(self.out_dir / NOTES_FOLDER)
                for offset, job in enumerate(jobs):
                    how = stopped.get(job.relative)
                    if how == "timeout" or len(jobs) == 1:
                        results.append(((where[0], offset), self._reported(job, how)))
                    else:  # read again alone: a file that stops its worker twice is reported
                        alone = self.submit([job])
                        order[alone], jobs_of[alone] = (where[0], offset), [job]
                        pending.add(alone)
            finally:
                future.release()
            for place, sharded in results:
                done += len(sharded.batch.files)
                if progress:
                    progress("extract", done, total)
                yield place, sharded

    def _reported(self, job: FileJob, how: str | None) -> shards.ShardedBatch:
        """A file that stopped its worker: reported with the reason, its rows left out."""
        reason = (budget.time_reason(self.settings.file_seconds) if how == "timeout"
                  else budget.crash_reason())
        batch_no = self.next_no
        self.next_no += 1
        return shards.ShardedBatch(batch_no, Batch(files=[prepare.file_state(job)],
                                                   problems=[Problem(job.relative, reason)]))


@contextlib.contextmanager
def _client(settings: Settings) -> Iterator[Any]:
    """A client of the cluster at `DASK_SCHEDULER_ADDRESS`, else of a local cluster that lives
    as long as the build (one single-threaded worker process per core, no dashboard)."""
    import dask
    from distributed import Client, LocalCluster

    address = os.environ.get(ADDRESS_VARIABLE) or dask.config.get("scheduler-address", None)
    if address:
        try:
            client = Client(address, timeout=30)
        except OSError as exc:
            raise EngineUnavailable(
                f"the Dask scheduler at {address} ({ADDRESS_VARIABLE}) cannot be reached: {exc}"
            ) from exc
        with client:
            yield client
        return
    count = settings.workers or os.cpu_count() or 1
    # a task is given up when its worker is lost (the default tries it four times); `_Run`
    # then reads its files again one by one
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.worker.daemon": True}), LocalCluster(
            n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client
