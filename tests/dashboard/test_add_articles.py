"""The Add articles page: it renders (or says uploads are off), and its save / rebuild / report
functions work on real files, a real warehouse and the real `python -m etl add` subprocess.

AppTest cannot drive `st.file_uploader`, so the upload itself is left to the browser test; here
the page's functions are called directly, and AppTest follows a real background job.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import uploads
from dashboard.settings import DashboardSettings
from etl import pipeline, warehouse
from etl.settings import PROJECT_ROOT
from etl.sources.formats import ARTICLE_FORMATS
from tests.conftest import make_settings

pytestmark = pytest.mark.heavy  # long builds: workers start this file first (tests/conftest.py)

APP_PATH = str(PROJECT_ROOT / "dashboard" / "app.py")
TIMEOUT = 60
JOB_TIMEOUT = 120
# the page's widget keys and session entries (stable: the browser test targets them)
UPLOADER_KEY = "add_articles_files"
SUBMIT_KEY = "add_articles_submit"
RESULT_COLUMNS = ["File", "Result", "Details", "Saved as"]
JOB_STATE = "add_articles_job"

NEW_ARTICLE = (
    "Astana, 2 May 2024. The International Agency for Biological Safety, proposed by "
    "Kazakhstan, was discussed again at the United Nations in 2024.\n"
)


def open_page() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    at.run()  # a page with its own url_path is found only once navigation has run
    at.switch_page("app_pages/add_articles.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def articles_metric(at: AppTest) -> str:
    at.switch_page("app_pages/overview.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return {m.label: m.value for m in at.metric}["Articles"]


def stored_files(db: Path) -> dict[str, str | None]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT source_file, title FROM articles").fetchall())


def run_to_end(chosen: list[uploads.Upload], **options: object) -> uploads.AddResult:
    settings = DashboardSettings()
    accepted, refused, problem = uploads.check_uploads(chosen, settings)
    assert problem is None
    job = uploads.start_add(accepted, settings, refused_here=refused, **options)
    return uploads.finish(job, uploads.wait(job, JOB_TIMEOUT))


def by_file(result: uploads.AddResult) -> dict[str, dict[str, object]]:
    return {row["file"]: row for row in result.rows}


# --- the page -------------------------------------------------------------------------------


def test_the_page_renders_an_uploader_easy_to_target(deployment: tuple[Path, Path]) -> None:
    at = open_page()
    assert [t.value for t in at.title] == ["Add articles"]
    (uploader,) = at.get("file_uploader")
    assert uploader.proto.id.endswith(UPLOADER_KEY)
    assert uploader.proto.label == "Article files"
    # no `type=`: the page checks types itself and refuses per file with the reason, so a
    # name changed on its way to the server gets a message, not Streamlit's exception
    assert not list(uploader.proto.type)
    assert all(f".{e}" in uploader.proto.help for e in uploads.ACCEPTED_EXTENSIONS)
    assert uploader.proto.multiple_files
    assert uploader.proto.max_upload_size_mb == 10
    submit = at.button(key=SUBMIT_KEY)
    assert submit.disabled  # nothing chosen yet
    assert "up to 20 files of at most 10.0 MB each" in " ".join(c.value for c in at.caption)


def test_the_limits_come_from_the_settings(deployment: tuple[Path, Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IM_UPLOAD_MAX_BYTES", str(3 * 1024 * 1024))
    monkeypatch.setenv("IM_UPLOAD_MAX_FILES", "4")
    at = open_page()
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 3
    assert "up to 4 files of at most 3.0 MB each" in " ".join(c.value for c in at.caption)


@pytest.mark.parametrize("value", ["false", "0", "off", "No"])
def test_uploads_turned_off_by_setting_say_so(deployment: tuple[Path, Path],
                                              monkeypatch: pytest.MonkeyPatch,
                                              value: str) -> None:
    monkeypatch.setenv("IM_UPLOADS_ENABLED", value)
    at = open_page()
    assert "Uploads are turned off for this deployment" in " ".join(i.value for i in at.info)
    assert not at.get("file_uploader")
    assert not [b for b in at.button if b.key == SUBMIT_KEY]
    with pytest.raises(uploads.UploadsUnavailable, match="turned off"):
        uploads.start_add([uploads.Upload("a.txt", NEW_ARTICLE.encode())], DashboardSettings())


def test_a_warehouse_behind_a_connection_string_takes_no_uploads() -> None:
    settings = DashboardSettings(db_location="md:initiatives")
    reason = uploads.uploads_unavailable_reason(settings)
    assert reason is not None and "connection string" in reason


def test_the_accepted_types_are_the_etls() -> None:
    assert {f".{e}" for e in uploads.ACCEPTED_EXTENSIONS} == set(ARTICLE_FORMATS)
    assert {f".{e}" for e in uploads.ONE_ARTICLE_EXTENSIONS} == {
        suffix for suffix, kind in ARTICLE_FORMATS.items() if kind in {"txt", "md",
                                                                               "html"}}


def test_the_page_checks_count_size_and_type_before_saving() -> None:
    settings = DashboardSettings(upload_max_files=2, upload_max_bytes=100)
    too_many = [uploads.Upload(f"{n}.txt", b"text") for n in range(3)]
    accepted, refused, problem = uploads.check_uploads(too_many, settings)
    assert (accepted, refused) == ([], [])
    assert problem is not None and "at most 2" in problem and "IM_UPLOAD_MAX_FILES" in problem
    chosen = [uploads.Upload("big.txt", b"x" * 101), uploads.Upload("deck.pptx", b"PK")]
    accepted, refused, problem = uploads.check_uploads(chosen, settings)
    assert problem is None and accepted == []
    reasons = {row["file"]: row["detail"] for row in refused}
    assert "IM_UPLOAD_MAX_BYTES" in reasons["big.txt"]
    assert "'.pptx' files are not accepted" in reasons["deck.pptx"]
    assert uploads.check_uploads([], settings)[2] == "Choose one or more files first."


# --- save, rebuild, report ------------------------------------------------------------------


def test_an_upload_is_saved_rebuilt_and_reported_per_file(deployment: tuple[Path, Path]) -> None:
    articles, db = deployment
    # rebuilt here, not at the start of the session, so it carries the extractor signature of
    # the code on disk now (the reuse counts below depend on it)
    pipeline.build_warehouse(make_settings(articles, db))
    at = AppTest.from_file(APP_PATH, default_timeout=TIMEOUT)
    # every article counted: the two uploads below are near copies, one story
    at.query_params["count"] = "article"
    at.run()
    assert articles_metric(at) == "5"  # the app serves the warehouse before the upload
    existing = sorted(articles.glob("00*.txt"))[0]
    result = run_to_end([
        uploads.Upload("biosafety.txt", NEW_ARTICLE.encode()),
        uploads.Upload("../../outside.txt", NEW_ARTICLE.replace("2024", "2025").encode()),
        uploads.Upload("copy.txt", b"\n" + existing.read_bytes()),  # same article
        uploads.Upload("again.txt", existing.read_bytes()),  # same bytes
        uploads.Upload("empty.txt", b""),
        uploads.Upload("photo.png", b"\x89PNG\r\n\x1a\n"),
    ])
    rows = by_file(result)
    assert {name: row["outcome"] for name, row in rows.items()} == {
        "biosafety.txt": "loaded", "../../outside.txt": "loaded", "copy.txt": "duplicate",
        "again.txt": "already_present", "empty.txt": "refused", "photo.png": "refused"}
    assert existing.name in str(rows["copy.txt"]["detail"])
    assert "is empty" in str(rows["empty.txt"]["detail"])
    assert rows["../../outside.txt"]["saved_as"] == "outside.txt"
    assert (articles / "biosafety.txt").read_bytes() == NEW_ARTICLE.encode()  # unchanged
    assert not (articles.parent / "outside.txt").exists()
    assert not (articles / uploads.INCOMING_DIR_NAME).exists()  # the job folder is removed
    assert result.severity == "warning" and result.summary.startswith("2 loaded")
    assert result.build is not None
    assert (result.build["articles_reused"], result.build["articles_extracted"]) == (5, 2)
    assert {"biosafety.txt", "outside.txt"} <= set(stored_files(db))
    assert "copy.txt" not in stored_files(db)
    # the running app picks the new build up at its next rerun, without a restart
    assert articles_metric(at) == "7"
    at.radio(key="filter_count").set_value("story").run()
    assert articles_metric(at) == "6"  # by story the two uploads count once


def test_title_outlet_and_date_for_a_single_upload(deployment: tuple[Path, Path]) -> None:
    _articles, db = deployment
    chosen = [uploads.Upload("note.txt", NEW_ARTICLE.encode())]
    assert uploads.takes_metadata(chosen)
    assert not uploads.takes_metadata(chosen * 2)
    assert not uploads.takes_metadata([uploads.Upload("rows.csv", b"text\nx\n")])
    result = run_to_end(chosen, metadata=uploads.UploadMetadata(
        title="Biosafety agency back at the UN", outlet="Test Wire", published="May 2024"))
    assert by_file(result)["note.txt"]["outcome"] == "loaded"
    assert stored_files(db)["note.txt"] == "Biosafety agency back at the UN"


def test_an_upload_while_another_build_runs_waits_and_says_so(
    deployment: tuple[Path, Path]
) -> None:
    articles, db = deployment
    settings = DashboardSettings()
    with warehouse.build_lock(db):
        job = uploads.start_add([uploads.Upload("queued.txt", NEW_ARTICLE.encode())], settings,
                                wait_seconds=60)
        status = uploads.read_status(job)
        deadline = time.monotonic() + JOB_TIMEOUT
        while status.stage != "waiting" and time.monotonic() < deadline:
            time.sleep(0.05)
            status = uploads.read_status(job)
        assert status.stage == "waiting" and not status.finished
        assert "another build" in status.message
        assert (articles / "queued.txt").exists()  # saved while it waits
    result = uploads.finish(job, uploads.wait(job, JOB_TIMEOUT))
    assert by_file(result)["queued.txt"]["outcome"] == "loaded"
    assert "queued.txt" in stored_files(db)


def test_an_upload_that_cannot_wait_long_enough_is_kept_and_says_so(
    deployment: tuple[Path, Path]
) -> None:
    articles, db = deployment
    with warehouse.build_lock(db):
        result = run_to_end([uploads.Upload("later.txt", NEW_ARTICLE.encode())],
                            wait_seconds=0)
    assert by_file(result)["later.txt"]["outcome"] == "saved"
    assert result.severity == "warning" and "Another build" in result.summary
    assert (articles / "later.txt").read_bytes() == NEW_ARTICLE.encode()
    assert "later.txt" not in stored_files(db)


def test_a_rebuild_that_dies_keeps_the_uploaded_files(deployment: tuple[Path, Path]) -> None:
    job = uploads.start_add([uploads.Upload("kept.txt", NEW_ARTICLE.encode())],
                            DashboardSettings())
    job.process.kill()  # before the interpreter has even started the command
    result = uploads.finish(job, uploads.wait(job, JOB_TIMEOUT))
    assert result.severity == "error" and "did not finish" in result.summary
    assert result.kept_in == str(job.job_dir)
    assert (job.job_dir / "001.upload").read_bytes() == NEW_ARTICLE.encode()


def test_the_page_follows_a_background_job_and_then_reports(
    deployment: tuple[Path, Path]
) -> None:
    _articles, db = deployment
    at = open_page()
    with warehouse.build_lock(db):
        job = uploads.start_add([uploads.Upload("followed.txt", NEW_ARTICLE.encode())],
                                DashboardSettings(), wait_seconds=60)
        at.session_state[JOB_STATE] = job
        deadline = time.monotonic() + JOB_TIMEOUT
        while uploads.read_status(job).stage != "waiting" and time.monotonic() < deadline:
            time.sleep(0.05)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert "Another build of the warehouse is running" in " ".join(
            w.value for w in at.warning)
        assert at.button(key=SUBMIT_KEY).disabled  # one job at a time per session
    uploads.wait(job, JOB_TIMEOUT)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert JOB_STATE not in at.session_state
    (shown,) = [d.value for d in at.dataframe if list(d.value.columns) == RESULT_COLUMNS]
    assert list(shown["File"]) == ["followed.txt"] and list(shown["Result"]) == ["loaded"]
    assert "1 loaded" in " ".join(s.value for s in at.success)
