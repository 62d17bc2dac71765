"""Adding analysts' files from the dashboard: save the uploads, rebuild in the background with
`python -m etl add`, and read back what became of each file.

The dashboard never imports the ETL. The rules for names, types, sizes and duplicates live in
`etl/intake.py` behind the `python -m etl add` command, which this module starts as a
background job (`dashboard/background_jobs.py`: a subprocess in its own session, so a rerun, a
closed tab or a stopped server does not interrupt a build half-way). The command writes its
progress and per-file outcomes to a JSON report that the page polls. No Streamlit here: the Add
articles page lays out widgets and calls these functions, and the tests call them directly with
real files and a real warehouse.

Where the bytes go, in order:
1. `start_add` writes each upload, unchanged, into a hidden job folder inside the article folder
   (`<articles>/.incoming/<job>/`; builds skip hidden folders), so the upload is on disk in the
   article folder the moment the analyst presses the button.
2. `python -m etl add` copies each acceptable file under its sanitised name into the article
   folder, then rebuilds the warehouse incrementally, waiting (up to
   `WAIT_FOR_OTHER_BUILD_SECONDS`) if another build holds the lock.
3. `finish` removes the job folder once the command has saved every file; if the command died
   before that, the folder is kept for the operator (the server log says where) and the page
   says the upload did not finish. A job whose tab was closed before it finished is never
   read by `finish`; the next upload removes its folder (`sweep_finished_jobs`).

Every name and value from the browser reaches the command as `--option=value` (a file named
`-draft.txt` is a name, never an option), and the numbered files follow `--`. Nothing the page
shows carries a path on the server: the command's details are shown with the job folder and
the article folder written as plain file names, and a crash's output goes to the server log.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from dashboard.background_jobs import (
    INCOMING_DIR_NAME,
    REPORT_NAME,
    BackgroundJob,
    count_outcomes,
    new_job_dir,
    read_report,
    remove_job_folder,
    start,
    without_folders,
)
from dashboard.settings import DashboardSettings

# The ETL's article formats (etl/sources/formats ARTICLE_FORMATS; a test keeps the two in step).
ACCEPTED_EXTENSIONS = ("txt", "md", "html", "htm", "csv", "jsonl")
# Formats holding one article, for which a title, outlet and date can be given.
ONE_ARTICLE_EXTENSIONS = frozenset({"txt", "md", "html", "htm"})
WAIT_FOR_OTHER_BUILD_SECONDS = 600
# Longest name or value passed on to `python -m etl add` (a file name is at most 255 bytes on
# common filesystems; a title longer than this is a paste gone wrong).
MAX_ARGUMENT_CHARS = 1000
# A finished job's folder left this long unread (its tab was closed) is removed by the next
# upload; a page following its job reads the report within a second.
ABANDONED_JOB_SECONDS = 600

_log = logging.getLogger(__name__)

# `python -m etl add` exit codes (etl/cli.py)
EXIT_OK, EXIT_NO_WAREHOUSE, EXIT_BUSY, EXIT_NOTHING_ADDED = 0, 1, 3, 4


class UploadsUnavailable(Exception):
    """This deployment cannot take uploads; the message says why and what to do."""


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the browser gave and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UploadMetadata:
    """Optional title, outlet and publication date for a single one-article upload."""

    title: str = ""
    outlet: str = ""
    published: str = ""

    def options(self) -> list[str]:
        """The `python -m etl add` options carrying these values (empty ones left out), each
        as one `--option=value` argument so a value starting with '-' stays a value."""
        pairs = (("--title", self.title), ("--outlet", self.outlet),
                 ("--published", self.published))
        return [f"{option}={argument_text(value.strip())}" for option, value in pairs
                if value.strip()]


def argument_text(text: str) -> str:
    """`text` as it can travel as one command-line argument: NUL and characters that are not
    Unicode scalar values (lone surrogates) become U+FFFD, and it is cut to
    `MAX_ARGUMENT_CHARS`. The ETL applies its own rules for names and fields afterwards."""
    cleaned = text.replace("\0", "\ufffd")
    cleaned = cleaned.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return cleaned[:MAX_ARGUMENT_CHARS]


def extension(name: str) -> str:
    """The file type as the uploader sees it: 'txt' for 'Report.TXT', '' for none."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


def takes_metadata(uploads: Sequence[Upload]) -> bool:
    """True when title, outlet and date may be given: exactly one file, of a one-article type."""
    return len(uploads) == 1 and extension(uploads[0].name) in ONE_ARTICLE_EXTENSIONS


def uploader_max_megabytes(settings: DashboardSettings) -> int:
    """The size limit in whole megabytes, for the browser's own check before uploading."""
    return max(1, math.ceil(settings.upload_max_bytes / (1024 * 1024)))


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def result_row(file: str, outcome: str, label: str, detail: str,
               saved_as: str | None = None) -> dict[str, Any]:
    """One line of the per-file report the page shows."""
    return {"file": file, "outcome": outcome, "label": label, "detail": detail,
            "saved_as": saved_as}


def check_uploads(
    uploads: Sequence[Upload], settings: DashboardSettings
) -> tuple[list[Upload], list[dict[str, Any]], str | None]:
    """Apply the page's own limits before anything is written.

    Returns the uploads to send to `python -m etl add`, a refusal row for each file over the
    size limit or of a type that is not accepted, and a message when the whole upload is refused
    (too many files: `IM_UPLOAD_MAX_FILES`).
    """
    if not uploads:
        return [], [], "Choose one or more files first."
    if len(uploads) > settings.upload_max_files:
        return [], [], (
            f"{len(uploads)} files were chosen, but at most {settings.upload_max_files} can be "
            f"added at once (IM_UPLOAD_MAX_FILES). Remove some and add them in a second upload."
        )
    accepted: list[Upload] = []
    refused: list[dict[str, Any]] = []
    for upload in uploads:
        kind = extension(upload.name)
        if kind not in ACCEPTED_EXTENSIONS:
            what = f"'.{kind}' files are" if kind else "files without an extension are"
            refused.append(result_row(
                upload.name, "refused", "refused",
                f"{what} not accepted; accepted types are "
                f"{', '.join('.' + e for e in ACCEPTED_EXTENSIONS)}. Copy the article's text "
                f"into a .txt file and add that"))
        elif len(upload.data) > settings.upload_max_bytes:
            refused.append(result_row(
                upload.name, "refused", "refused",
                f"is {human_size(len(upload.data))}, over the "
                f"{human_size(settings.upload_max_bytes)} limit for one upload "
                f"(IM_UPLOAD_MAX_BYTES); split it, or ask for the limit to be raised"))
        else:
            accepted.append(upload)
    return accepted, refused, None


@dataclass
class AddJob(BackgroundJob):
    """A running `python -m etl add` started by the page, and where it reports."""

    LOG_NAME: ClassVar[str] = "etl-add.log"

    names: list[str]
    refused_here: list[dict[str, Any]] = field(default_factory=list)
    started_at: float = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).timestamp())


@dataclass(frozen=True)
class JobStatus:
    """What the background command has done so far, from its JSON report."""

    finished: bool
    stage: str  # starting | saving | saved | waiting | building | done | crashed
    message: str
    progress: tuple[str, int, int] | None = None  # (step, done, total)
    exit_code: int | None = None
    files: tuple[dict[str, Any], ...] = ()
    build: dict[str, Any] | None = None


@dataclass(frozen=True)
class AddResult:
    """The finished upload: one row per file, a summary sentence, and the new build."""

    rows: list[dict[str, Any]]
    summary: str
    severity: str  # success | warning | error
    build: dict[str, Any] | None = None
    kept_in: str | None = None  # job folder kept because the command did not finish saving


def _warehouse_file(settings: DashboardSettings) -> Path:
    db_path = settings.db_path
    if db_path is None:
        raise UploadsUnavailable(
            "Uploads need a local warehouse file, but IM_DB_PATH is a connection string "
            "(not shown here: it may hold credentials). Add articles where the warehouse is "
            "built, with `python -m etl add FILE...`."
        )
    return db_path


def uploads_unavailable_reason(settings: DashboardSettings) -> str | None:
    """Why this deployment takes no uploads (switched off, no local warehouse), or None."""
    if not settings.uploads_enabled:
        return (
            "Uploads are turned off for this deployment (IM_UPLOADS_ENABLED=false), so its "
            "warehouse is read-only. To add articles, ask whoever runs it, or run "
            "`python -m etl add FILE...` where the warehouse is built."
        )
    try:
        _warehouse_file(settings)
    except UploadsUnavailable as exc:
        return str(exc)
    return None


def start_add(
    uploads: Sequence[Upload],
    settings: DashboardSettings,
    metadata: UploadMetadata | None = None,
    refused_here: Sequence[dict[str, Any]] = (),
    wait_seconds: float = WAIT_FOR_OTHER_BUILD_SECONDS,
) -> AddJob:
    """Save the uploads unchanged into the article folder's job area and start
    `python -m etl add` on them in the background; returns at once.

    Raises UploadsUnavailable when the deployment takes no uploads, OSError when the article
    folder cannot be written.
    """
    if reason := uploads_unavailable_reason(settings):
        raise UploadsUnavailable(reason)
    db_path = _warehouse_file(settings)
    articles_dir = Path(settings.articles_dir)
    sweep_finished_jobs(articles_dir)
    job_dir = new_job_dir(articles_dir)
    paths = []
    for number, upload in enumerate(uploads, start=1):
        # numbered, not named: the browser's name is untrusted and is only passed as --name
        path = job_dir / f"{number:03d}.upload"
        with open(path, "xb") as handle:
            handle.write(upload.data)
            handle.flush()
            os.fsync(handle.fileno())
        paths.append(str(path))
    arguments = [
        "add", f"--articles={articles_dir}", f"--db={db_path}",
        f"--max-bytes={settings.upload_max_bytes}", f"--wait={wait_seconds}",
        f"--report-json={job_dir / REPORT_NAME}", "--quiet",
        *[f"--name={argument_text(upload.name)}" for upload in uploads],
        *(metadata.options() if metadata is not None and takes_metadata(uploads) else []),
        "--", *paths,
    ]
    process = start(arguments, job_dir / AddJob.LOG_NAME)
    return AddJob(job_dir=job_dir, process=process, names=[u.name for u in uploads],
                  refused_here=list(refused_here))


def read_status(job: AddJob) -> JobStatus:
    """Where the background command is; cheap enough to call every second."""
    exit_code = job.process.poll()
    report = job.report()
    if report is None:
        if exit_code is None:
            return JobStatus(False, "starting", "starting the rebuild")
        return JobStatus(True, "crashed", _crash_message(job, exit_code), exit_code=exit_code)
    progress = report.get("progress")
    status = JobStatus(
        finished=exit_code is not None,
        stage=str(report.get("stage", "starting")),
        message=str(report.get("message", "")),
        progress=(str(progress["step"]), int(progress["done"]), int(progress["total"]))
        if progress else None,
        exit_code=exit_code,
        files=tuple(report.get("files", ())),
        build=report.get("build"),
    )
    if status.finished and status.stage != "done":
        return JobStatus(True, "crashed", _crash_message(job, exit_code), exit_code=exit_code,
                         files=status.files, build=status.build)
    return status


def _crash_message(job: AddJob, exit_code: int | None) -> str:
    """What the visitor reads when the command died; its output goes to the server log only
    (it may hold paths and tracebacks)."""
    try:
        lines = job.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        lines = []
    _log.warning("`python -m etl add` for upload job %s stopped with exit code %s; files kept "
                 "in %s; its last output: %s", job.job_dir.name, exit_code, job.job_dir,
                 " | ".join(lines[-20:]) or "none")
    return (f"the rebuild stopped unexpectedly (exit code {exit_code}). The uploaded files are "
            f"kept on the server (upload {job.job_dir.name}), and the server's log says why.")


def _without_server_paths(text: str, job: AddJob, articles_dir: Path) -> str:
    """`text` with the job folder's numbered files written as the names they were uploaded as,
    and any other path into the job or article folder written relative to that folder."""
    for number, name in enumerate(job.names, start=1):
        text = text.replace(str(job.job_dir / f"{number:03d}.upload"), name)
    return without_folders(text, (job.job_dir, articles_dir, articles_dir.resolve()))


def wait(job: AddJob, timeout: float) -> JobStatus:
    """Block until the command finishes (for tests and scripts; the page polls instead)."""
    job.process.wait(timeout=timeout)
    return read_status(job)


def finish(job: AddJob, status: JobStatus) -> AddResult:
    """The per-file report of a finished job; removes the job folder once every file was
    either saved into the article folder or refused (keeps it otherwise).

    No server path reaches the report: details naming the job's files or the article folder
    are rewritten as plain names.
    """
    rows = list(job.refused_here) + [
        result_row(str(f.get("given_name", "")), str(f.get("outcome", "")),
                   str(f.get("label", f.get("outcome", ""))),
                   _without_server_paths(str(f.get("detail", "")), job, job.articles_dir),
                   f.get("saved_as"))
        for f in status.files
    ]
    saved_everything = status.stage == "done" and len(status.files) == len(job.names)
    kept_in = None
    if saved_everything:
        remove_job_folder(job.job_dir)
    else:
        kept_in = str(job.job_dir)
    summary, severity = _summary(rows, status, kept_in)
    return AddResult(rows=rows, summary=summary, severity=severity, build=status.build,
                     kept_in=kept_in)


def sweep_finished_jobs(articles_dir: Path,
                        older_than_seconds: float = ABANDONED_JOB_SECONDS) -> list[str]:
    """Remove the folders of jobs that finished at least `older_than_seconds` ago with every
    file saved or refused, but whose page never read the report (the tab was closed). Running
    jobs, and jobs whose command died before saving every file, are left alone. Returns the
    names of the folders removed."""
    incoming = articles_dir / INCOMING_DIR_NAME
    try:
        job_dirs = [path for path in incoming.iterdir() if path.is_dir()]
    except OSError:
        return []
    removed = []
    now = dt.datetime.now(dt.UTC).timestamp()
    for job_dir in job_dirs:
        report_path = job_dir / REPORT_NAME
        report = read_report(report_path)
        try:
            age = now - report_path.stat().st_mtime
        except OSError:
            continue
        uploads_in_job = len(list(job_dir.glob("*.upload")))
        if (report is not None and report.get("stage") == "done"
                and len(report.get("files", ())) == uploads_in_job
                and age >= older_than_seconds):
            remove_job_folder(job_dir)
            removed.append(job_dir.name)
    return removed


def _summary(rows: Sequence[dict[str, Any]], status: JobStatus,
             kept_in: str | None) -> tuple[str, str]:
    counts = count_outcomes(rows)
    words = {"loaded": "loaded", "duplicate": "skipped as duplicates",
             "already_present": "already present", "saved": "saved but not loaded yet",
             "failed": "failed", "refused": "refused"}
    parts = [f"{counts[key]} {label}" for key, label in words.items() if counts.get(key)]
    line = ", ".join(parts) or "nothing to add"
    if status.stage == "crashed":
        return f"The rebuild did not finish: {status.message}", "error"
    if status.exit_code == EXIT_BUSY:
        return (f"{line}. Another build of the warehouse kept running, so the saved files are "
                "not loaded yet; they load with the next build (add them again, or run "
                "`make etl`).", "warning")
    if status.exit_code == EXIT_NO_WAREHOUSE:
        return (f"{line}. The warehouse could not be rebuilt; the app keeps showing the "
                "previous one.", "error")
    if kept_in:
        return (f"{line}. Not every file was saved; the uploads are kept on the server "
                f"(upload {Path(kept_in).name}). Add the files again.", "warning")
    loaded = counts.get("loaded", 0)
    if loaded and loaded == len(rows):
        return f"{line}. The new articles are in every page now.", "success"
    if loaded:
        return f"{line}. The new articles are in every page now.", "warning"
    return f"{line}.", "warning" if counts.get("refused", 0) < len(rows) else "error"
