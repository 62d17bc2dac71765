"""Background jobs of the Add articles page (`dashboard/background_jobs.py`): a job that cannot
start says why on the page, names no folder of the server, and leaves no job behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import background_jobs
from tests.dashboard.test_add_articles import open_page
from tests.dashboard.test_add_by_url import JOB_STATE


def test_a_fetch_that_cannot_start_says_why_without_a_path(
        deployment: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the article folder should be\n", encoding="utf-8")
    monkeypatch.setenv("IM_ARTICLES_DIR", str(blocked))
    at = open_page()
    at.text_area(key="add_by_url_urls").input("https://a.example/news.html").run()
    at.button(key="add_by_url_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [e.value for e in at.error]
    assert any(message.startswith("The fetch could not be started (Not a directory). Ask "
                                  "whoever runs this server") for message in shown), shown
    assert not any(str(tmp_path) in message for message in shown), shown
    assert JOB_STATE not in at.session_state


def test_paths_inside_the_job_s_folders_are_written_without_the_server_s_part(
        tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    text = f"saved as {articles}/a.txt; {articles} is full"
    assert background_jobs.without_folders(text, [articles]) == (
        "saved as a.txt; the article folder is full")
    assert background_jobs.count_outcomes(
        [{"outcome": "loaded"}, {"outcome": "failed"}, {"outcome": "loaded"}]) == {
        "loaded": 2, "failed": 1}
