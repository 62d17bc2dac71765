"""Add by URL: run `python -m etl fetch URL...` in the background and read back what became of
each URL.

The dashboard never imports the ETL: the fetching rules (robots.txt, pacing, size and time
limits, and the refusal of loopback, link-local and private addresses unless the operator set
`IM_FETCH_ALLOW_PRIVATE`) are the ETL's, in `etl/fetch/`. The command runs as a background
job like the uploads' `python -m etl add` (`dashboard/background_jobs.py`): a list of
arguments, never a shell, in its own session, reporting to a JSON file in a job folder under
the article folder's hidden `.incoming/`, which the page polls. Every URL is one argument after
`--`, so a line starting with '-' is a URL (and refused as one), never an option. No Streamlit
here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from dashboard import uploads
from dashboard.background_jobs import (
    REPORT_NAME,
    BackgroundJob,
    count_outcomes,
    new_job_dir,
    remove_job_folder,
    start,
    without_folders,
)
from dashboard.settings import DashboardSettings

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
class FetchJob(BackgroundJob):
    """A running `python -m etl fetch` started by the page, and where it reports."""

    LOG_NAME: ClassVar[str] = "etl-fetch.log"

    urls: list[str]


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
    job_dir = new_job_dir(articles_dir)
    arguments = ["fetch", f"--articles={articles_dir}", f"--db={db_path}",
                 f"--wait={wait_seconds}", f"--report-json={job_dir / REPORT_NAME}", "--quiet",
                 "--", *urls]
    process = start(arguments, job_dir / FetchJob.LOG_NAME)
    return FetchJob(job_dir=job_dir, process=process, urls=list(urls))


def stage(job: FetchJob) -> str | None:
    """Where the command is (`fetching`, `building`), or None once it has ended."""
    if job.process.poll() is not None:
        return None
    report = job.report()
    return str(report.get("stage", "fetching")) if report else "fetching"


def wait(job: FetchJob, timeout: float) -> FetchResult:
    """Block until the command ends (tests and scripts; the page polls `stage`)."""
    job.process.wait(timeout=timeout)
    return finish(job)


def finish(job: FetchJob) -> FetchResult:
    """The per-URL report of a finished job; removes the job folder. No server path reaches
    the page (the article folder in a detail is written as 'the article folder')."""
    code = job.process.poll()
    report = job.report()
    articles_dir = job.articles_dir
    if report is None or report.get("stage") != "done":
        _log.warning("`python -m etl fetch` stopped with exit code %s; its output is in %s",
                     code, job.log_path)
        return FetchResult([], f"The fetch stopped unexpectedly (exit code {code}); the "
                               "server's log says why.", "error")
    rows = [{"url": str(u.get("url", "")), "outcome": str(u.get("outcome", "")),
             "label": str(u.get("label", "")),
             "detail": without_folders(str(u.get("detail", "")),
                                       (articles_dir, articles_dir.resolve())),
             "saved_as": u.get("saved_as")} for u in report.get("urls", [])]
    remove_job_folder(job.job_dir)
    return FetchResult(rows, *_summary(rows, code))


def _summary(rows: list[dict[str, Any]], code: int | None) -> tuple[str, str]:
    counts = count_outcomes(rows)
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
