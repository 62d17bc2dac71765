"""Add by URL: run `python -m etl fetch URL...` in the background and read back what became of
each URL.

The dashboard never imports the ETL: the fetching rules (robots.txt, pacing, size and time
limits, and the refusal of loopback, link-local and private addresses unless the operator set
`IM_FETCH_ALLOW_PRIVATE`) are the ETL's, in `etl/fetch/`. The command runs like the uploads'
`python -m etl add` (`dashboard/uploads.py`): a list of arguments, never a shell, in its own
session, reporting to a JSON file in a job folder under the article folder's hidden
`.incoming/`, which the page polls. Every URL is one argument after `--`, so a line starting
with '-' is a URL (and refused as one), never an option. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dashboard import uploads
from dashboard.settings import PROJECT_ROOT, DashboardSettings

LOG_NAME = "etl-fetch.log"
# `python -m etl fetch` exit codes (etl/fetch/cli.py)
EXIT_OK, EXIT_NO_WAREHOUSE, EXIT_BUSY, EXIT_NOTHING_FETCHED, EXIT_SOME_FAILED = 0, 1, 3, 4, 6
OUTCOME_WORDS = {"loaded": "loaded", "unchanged": "already present",
                 "duplicate": "skipped as duplicates", "saved": "saved but not loaded yet",
                 "failed": "failed"}

_log = logging.getLogger(__name__)


def parse_urls(text: str, limit: int) -> tuple[list[str], str | None]:
    """The URLs of a text area, one per line (blank lines and repeats dropped), and a message
    when there are none or more than `limit`."""
    urls = list(dict.fromkeys(uploads.argument_text(line.strip())
                              for line in text.splitlines() if line.strip()))
    if not urls:
        return [], "Paste one or more web addresses, one per line."
    if len(urls) > limit:
        return [], (f"{len(urls)} addresses were given, but at most {limit} can be fetched at "
                    "once (IM_UPLOAD_MAX_FILES). Remove some and fetch them in a second go.")
    return urls, None


@dataclass
class FetchJob:
    """A running `python -m etl fetch` started by the page, and where it reports."""

    job_dir: Path
    process: subprocess.Popen[bytes]
    urls: list[str]

    @property
    def report_path(self) -> Path:
        return self.job_dir / uploads.REPORT_NAME


@dataclass(frozen=True)
class FetchResult:
    """The finished fetch: one row per URL (url, label, detail, saved_as) and a summary."""

    rows: list[dict[str, Any]]
    summary: str
    severity: str  # success | warning | error
    finished: bool = True


def start_fetch(urls: list[str], settings: DashboardSettings,
                wait_seconds: float = uploads.WAIT_FOR_OTHER_BUILD_SECONDS) -> FetchJob:
    """Start `python -m etl fetch` on `urls` in the background; returns at once.

    Raises UploadsUnavailable when the deployment takes no new articles, OSError when the
    article folder cannot be written.
    """
    if reason := uploads.uploads_unavailable_reason(settings):
        raise uploads.UploadsUnavailable(reason)
    db_path = settings.db_path
    assert db_path is not None  # uploads_unavailable_reason refuses a connection string
    articles_dir = Path(settings.articles_dir)
    uploads.sweep_finished_jobs(articles_dir)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    job_dir = articles_dir / uploads.INCOMING_DIR_NAME / f"{stamp}-{uuid.uuid4().hex[:8]}"
    job_dir.mkdir(parents=True)
    command = [
        sys.executable, "-m", "etl", "fetch", f"--articles={articles_dir}", f"--db={db_path}",
        f"--wait={wait_seconds}", f"--report-json={job_dir / uploads.REPORT_NAME}", "--quiet",
        "--", *urls,
    ]
    with open(job_dir / LOG_NAME, "wb") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
    return FetchJob(job_dir=job_dir, process=process, urls=list(urls))


def _report(job: FetchJob) -> dict[str, Any] | None:
    try:
        return json.loads(job.report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # not written yet (written atomically, so never half-written)


def stage(job: FetchJob) -> str | None:
    """Where the command is (`fetching`, `building`), or None once it has ended."""
    if job.process.poll() is not None:
        return None
    report = _report(job)
    return str(report.get("stage", "fetching")) if report else "fetching"


def wait(job: FetchJob, timeout: float) -> FetchResult:
    """Block until the command ends (tests and scripts; the page polls `stage`)."""
    job.process.wait(timeout=timeout)
    return finish(job)


def finish(job: FetchJob) -> FetchResult:
    """The per-URL report of a finished job; removes the job folder. No server path reaches
    the page (the article folder in a detail is written as 'the article folder')."""
    code = job.process.poll()
    report = _report(job)
    articles_dir = job.job_dir.parent.parent
    if report is None or report.get("stage") != "done":
        _log.warning("`python -m etl fetch` stopped with exit code %s; its output is in %s",
                     code, job.job_dir / LOG_NAME)
        return FetchResult([], f"The fetch stopped unexpectedly (exit code {code}); the "
                               "server's log says why.", "error")
    rows = [{"url": str(u.get("url", "")), "outcome": str(u.get("outcome", "")),
             "label": str(u.get("label", "")),
             "detail": _without_paths(str(u.get("detail", "")), articles_dir),
             "saved_as": u.get("saved_as")} for u in report.get("urls", [])]
    _remove(job.job_dir)
    return FetchResult(rows, *_summary(rows, code))


def _without_paths(text: str, articles_dir: Path) -> str:
    for folder in (articles_dir, articles_dir.resolve()):
        text = text.replace(f"{folder}{os.sep}", "").replace(str(folder), "the article folder")
    return text


def _remove(job_dir: Path) -> None:
    with contextlib.suppress(OSError):
        for path in job_dir.iterdir():
            path.unlink(missing_ok=True)
        job_dir.rmdir()
    with contextlib.suppress(OSError):  # another job may still be using it
        job_dir.parent.rmdir()


def _summary(rows: list[dict[str, Any]], code: int | None) -> tuple[str, str]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    line = ", ".join(f"{n} {OUTCOME_WORDS.get(outcome, outcome)}"
                     for outcome, n in counts.items()) or "nothing fetched"
    if code == EXIT_BUSY:
        return (f"{line}. Another fetch or build kept running; try again in a minute.",
                "warning")
    if code == EXIT_NO_WAREHOUSE:
        return (f"{line}. The warehouse could not be rebuilt; the app keeps showing the "
                "previous one.", "error")
    if counts.get("loaded"):
        return (f"{line}. The new articles are in every page now.",
                "success" if code == EXIT_OK else "warning")
    return f"{line}.", "error" if code == EXIT_NOTHING_FETCHED else "warning"
