"""Running a `python -m etl` command in the background for a page, and reading what it reports.

The Add articles page starts two such commands: `python -m etl add` on uploaded files
(`dashboard/uploads.py`) and `python -m etl fetch` on pasted URLs (`dashboard/fetches.py`).
Each runs as a job: a folder in the article folder's hidden job area
(`<articles>/.incoming/<job>/`; builds skip hidden folders) that holds the command's output log
and the JSON report it keeps up to date, which the page polls. The command is the interpreter of
this process, run from the project root with its arguments as a list (never a shell), in its own
session, so a rerun, a closed tab or a stopped server does not interrupt a build half-way.

No Streamlit here: the page polls, the tests call these functions directly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from dashboard.settings import PROJECT_ROOT

INCOMING_DIR_NAME = ".incoming"
REPORT_NAME = "report.json"


@dataclass
class BackgroundJob:
    """A running `python -m etl` command started by a page: its job folder and process."""

    LOG_NAME: ClassVar[str] = "etl.log"

    job_dir: Path
    process: subprocess.Popen[bytes]

    @property
    def report_path(self) -> Path:
        return self.job_dir / REPORT_NAME

    @property
    def log_path(self) -> Path:
        return self.job_dir / self.LOG_NAME

    @property
    def articles_dir(self) -> Path:
        return self.job_dir.parent.parent  # <articles>/.incoming/<job>

    def report(self) -> dict[str, Any] | None:
        """The command's JSON report, or None while it has written none."""
        return read_report(self.report_path)


def new_job_dir(articles_dir: Path) -> Path:
    """A new, empty job folder in the article folder's job area (named by the time it was made
    and a random part, so two jobs never share one)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    job_dir = articles_dir / INCOMING_DIR_NAME / f"{stamp}-{uuid.uuid4().hex[:8]}"
    job_dir.mkdir(parents=True)
    return job_dir


def start(arguments: Sequence[str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `python -m etl <arguments>` in its own session, its output into `log_path`;
    returns at once."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "etl", *arguments], cwd=PROJECT_ROOT,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)


def read_report(path: Path) -> dict[str, Any] | None:
    """A job's JSON report, or None when it is not written yet (the command replaces it
    atomically, so it is never read half-written)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remove_job_folder(job_dir: Path) -> None:
    """Delete a finished job's folder (already gone is fine; one that cannot be removed is
    left for the operator rather than failing the page), and the job area once empty."""
    with contextlib.suppress(OSError):
        for path in job_dir.iterdir():
            path.unlink(missing_ok=True)
        job_dir.rmdir()
    with contextlib.suppress(OSError):  # another job may still be using it
        job_dir.parent.rmdir()


def without_folders(text: str, folders: Iterable[Path]) -> str:
    """`text` with paths inside `folders` written relative to them, and each folder itself
    written as 'the article folder': no path on the server reaches the page."""
    for folder in folders:
        text = text.replace(f"{folder}{os.sep}", "").replace(str(folder), "the article folder")
    return text


def count_outcomes(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How many rows of a job's report have each outcome, in the order first seen."""
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    return counts
