"""Add articles: upload files, rebuild the warehouse in the background, report per file.

The page only lays out widgets and follows the job; `dashboard/uploads.py` saves the uploads and
runs `python -m etl add` (the ETL's rules for names, types and duplicates) as a subprocess. The
app keeps serving the previous warehouse until the new build is swapped in, and every page picks
the new build up at its next rerun (the caches are keyed on the build id).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from dashboard import components, data, fetches, uploads
from dashboard.settings import DashboardSettings

UPLOADER_KEY = "add_articles_files"
UPLOADER_LABEL = "Article files"
SUBMIT_KEY = "add_articles_submit"
TITLE_KEY = "add_articles_title"
OUTLET_KEY = "add_articles_outlet"
PUBLISHED_KEY = "add_articles_published"
RESULTS_KEY = "add_articles_results"
JOB_STATE = "add_articles_job"
RESULT_STATE = "add_articles_result"
URLS_KEY = "add_by_url_urls"
URLS_SUBMIT_KEY = "add_by_url_submit"
URLS_RESULTS_KEY = "add_by_url_results"
FETCH_JOB_STATE = "add_by_url_job"
FETCH_RESULT_STATE = "add_by_url_result"
FETCH_STAGE_TEXT = {"fetching": "Fetching the pages…",
                    "building": "Pages fetched; rebuilding the warehouse…"}
POLL_SECONDS = 1.0
# Longest title, outlet and date the form takes (the ETL caps stored fields itself)
MAX_TITLE_CHARS, MAX_OUTLET_CHARS, MAX_DATE_CHARS = 500, 200, 40

_log = logging.getLogger(__name__)
Job = TypeVar("Job", uploads.AddJob, fetches.FetchJob)

STAGE_TEXT = {
    "starting": "Starting the rebuild…",
    "saving": "Saving the files into the article folder…",
    "saved": "Files saved; rebuilding the warehouse…",
    "waiting": "Another build of the warehouse is running. Your files are saved and will be "
               "loaded as soon as it finishes.",
    "building": "Rebuilding the warehouse (only new and changed articles are extracted)…",
}


def _uploader(settings: DashboardSettings, disabled: bool) -> list | None:
    """The file uploader and the files chosen in it.

    It takes any file: the accepted types are checked by `uploads.check_uploads`, which refuses
    another type file by file, with the reason. Giving Streamlit the types (`type=`) would
    only add a filter in the browser, and a server-side check of the names that raises, before
    the page runs, when a request arrives with a name changed on its way (`evil.sh`, a NUL):
    the visitor would get an error instead of a message.
    """
    return st.file_uploader(
        UPLOADER_LABEL, accept_multiple_files=True, key=UPLOADER_KEY,
        max_upload_size=uploads.uploader_max_megabytes(settings), disabled=disabled,
        help="Text, Markdown (front matter is read), web pages, or CSV / JSON Lines files with "
             "one article per row: "
             f"{', '.join('.' + e for e in uploads.ACCEPTED_EXTENSIONS)}.",
    )


def _show_refusals_ahead(chosen: list[uploads.Upload]) -> None:
    """Say at once which chosen files will be refused, and why (the rest can still be added)."""
    _accepted, refused, _problem = uploads.check_uploads(chosen, data.settings())
    if refused:
        st.warning("\n".join(f"- {components.escape_markdown(row['file'])}: "
                             f"{components.escape_markdown(row['detail'])}"
                             for row in refused), icon=":material/block:")


def _chosen_uploads(files: list | None) -> list[uploads.Upload]:
    return [uploads.Upload(f.name, f.getvalue()) for f in files or []]


def _start(chosen: list[uploads.Upload], metadata: uploads.UploadMetadata) -> None:
    """Apply the page's limits, save the rest and start the background rebuild."""
    settings = data.settings()
    accepted, refused, problem = uploads.check_uploads(chosen, settings)
    if problem:
        st.error(problem, icon=":material/block:")
        return
    if not accepted:
        st.session_state[RESULT_STATE] = uploads.AddResult(
            rows=refused, summary=f"{len(refused)} refused.", severity="error")
        return
    job = _started(lambda: uploads.start_add(accepted, settings, metadata,
                                             refused_here=refused),
                   "The files could not be saved into the article folder",
                   "Ask whoever runs this server to check the folder; nothing was added.")
    if job is not None:
        st.session_state.pop(RESULT_STATE, None)
        st.session_state[JOB_STATE] = job


def _started(start: Callable[[], Job], failed: str, advice: str) -> Job | None:
    """The background job `start` started, or None when it could not start: the visitor reads
    why (never where: no server path), and the server log has the whole error."""
    try:
        return start()
    except uploads.UploadsUnavailable as exc:
        st.error(components.escape_markdown(str(exc)), icon=":material/lock:")
    except OSError as exc:
        _log.warning("%s: %s", failed, exc)
        st.error(f"{failed} ({components.escape_markdown(exc.strerror or type(exc).__name__)})"
                 f". {advice}", icon=":material/error:")
    return None


@st.fragment(run_every=POLL_SECONDS)
def _follow(job: uploads.AddJob) -> None:
    """Poll the background rebuild; when it ends, rerun the whole app on the new warehouse."""
    status = uploads.read_status(job)
    if status.finished:
        st.session_state[RESULT_STATE] = uploads.finish(job, status)
        st.session_state.pop(JOB_STATE, None)
        st.rerun()  # the whole app: sidebar options and every page read the new build
    text = STAGE_TEXT.get(status.stage, status.message or "Working…")
    if status.progress and status.stage == "building":
        step, done, total = status.progress
        st.progress(done / total if total else 0.0,
                    text=f"{text} {step.capitalize()}: {done} of {total}")
    elif status.stage == "waiting":
        st.warning(text, icon=":material/hourglass_top:")
    else:
        st.info(text, icon=":material/sync:")
    st.caption("You can keep using the other pages; they show the previous warehouse until "
               "the new one is ready.")


def _show_result(result: uploads.AddResult) -> None:
    show = {"success": st.success, "warning": st.warning, "error": st.error}[result.severity]
    show(components.escape_markdown(result.summary))
    if result.build:
        build = result.build
        st.caption(f"Warehouse rebuilt (build {build['build_id']}): "
                   f"{build['articles_loaded']} articles, {build['articles_extracted']} "
                   f"extracted, {build['articles_reused']} unchanged and reused.")
    table = pd.DataFrame(result.rows, columns=["file", "label", "detail", "saved_as"])
    table.columns = ["File", "Result", "Details", "Saved as"]
    components.table(table, hide_index=True, key=RESULTS_KEY, width="stretch")


def _start_fetch(text: str) -> None:
    """Check the addresses given and start `python -m etl fetch` on them in the background."""
    settings = data.settings()
    urls, problem = fetches.parse_urls(text, settings.upload_max_files)
    if problem:
        st.error(problem, icon=":material/block:")
        return
    job = _started(lambda: fetches.start_fetch(urls, settings), "The fetch could not be started",
                   "Ask whoever runs this server to check the article folder.")
    if job is not None:
        st.session_state.pop(FETCH_RESULT_STATE, None)
        st.session_state[FETCH_JOB_STATE] = job


@st.fragment(run_every=POLL_SECONDS)
def _follow_fetch(job: fetches.FetchJob) -> None:
    """Poll the background fetch; when it ends, rerun the whole app on the new warehouse."""
    stage = fetches.stage(job)
    if stage is None:
        st.session_state[FETCH_RESULT_STATE] = fetches.finish(job)
        st.session_state.pop(FETCH_JOB_STATE, None)
        st.rerun()
    st.info(FETCH_STAGE_TEXT.get(str(stage), "Working…"), icon=":material/sync:")


def _show_fetch_result(result: fetches.FetchResult) -> None:
    show = {"success": st.success, "warning": st.warning, "error": st.error}[result.severity]
    show(components.escape_markdown(result.summary))
    if result.rows:
        table = pd.DataFrame(result.rows, columns=["url", "label", "detail", "saved_as"])
        table.columns = ["URL", "Result", "Details", "Saved as"]
        components.table(table, hide_index=True, key=URLS_RESULTS_KEY, width="stretch")


def show_add_by_url() -> None:
    """Web addresses to fetch, the fetch's progress, and the per-URL report."""
    st.subheader("Add by URL", anchor=False)
    st.caption("One web address per line. Each page's article text and metadata are read and "
               "saved into the article folder, then the warehouse is rebuilt. The site's "
               "robots.txt is honoured, and addresses on this server's own network (loopback, "
               "private or link-local) are refused unless the operator allows them.")
    job: fetches.FetchJob | None = st.session_state.get(FETCH_JOB_STATE)
    text = st.text_area("Web addresses", key=URLS_KEY, disabled=job is not None,
                        placeholder="https://example.org/news/cica-summit.html")
    if st.button("Fetch and add", key=URLS_SUBMIT_KEY, type="primary",
                 disabled=job is not None or not text.strip()):
        _start_fetch(text)
        job = st.session_state.get(FETCH_JOB_STATE)
    if job is not None:
        _follow_fetch(job)
    elif (result := st.session_state.get(FETCH_RESULT_STATE)) is not None:
        _show_fetch_result(result)


def show_add_articles() -> None:
    """The page: uploader, optional metadata for one file, progress, and the per-file report."""
    st.title("Add articles")
    settings = data.settings()
    if reason := uploads.uploads_unavailable_reason(settings):
        st.info(components.escape_markdown(reason), icon=":material/lock:")
        return
    st.caption(
        f"Accepted: {', '.join('.' + e for e in uploads.ACCEPTED_EXTENSIONS)}; up to "
        f"{settings.upload_max_files} files of at most "
        f"{uploads.human_size(settings.upload_max_bytes)} each. Each file is saved unchanged "
        "into the article folder, then the warehouse is rebuilt in the background; the "
        "other pages keep showing the current data until the new build is ready."
    )
    job: uploads.AddJob | None = st.session_state.get(JOB_STATE)
    chosen = _chosen_uploads(_uploader(settings, disabled=job is not None))
    if job is None:
        _show_refusals_ahead(chosen)
    metadata = uploads.UploadMetadata()
    if uploads.takes_metadata(chosen):
        st.caption("Optional: what the file does not say about itself (saved in the article "
                   "folder's manifest.csv, which takes precedence; the file stays unchanged).")
        title_column, outlet_column, date_column = st.columns([3, 2, 1])
        metadata = uploads.UploadMetadata(
            title=title_column.text_input("Title", key=TITLE_KEY, max_chars=MAX_TITLE_CHARS),
            outlet=outlet_column.text_input("Outlet", key=OUTLET_KEY,
                                            max_chars=MAX_OUTLET_CHARS),
            published=date_column.text_input("Published", key=PUBLISHED_KEY,
                                             max_chars=MAX_DATE_CHARS,
                                             placeholder="2024-05-02",
                                             help="2024-05-02, May 2024 or 2024"),
        )
    elif len(chosen) == 1:
        st.caption("A .csv or .jsonl file carries title, outlet and date in its own columns.")
    if st.button("Add to the warehouse", key=SUBMIT_KEY, type="primary",
                 disabled=job is not None or not chosen):
        _start(chosen, metadata)
        job = st.session_state.get(JOB_STATE)
    if job is not None:
        _follow(job)
    elif (result := st.session_state.get(RESULT_STATE)) is not None:
        _show_result(result)
    show_add_by_url()


show_add_articles()
