"""The app's pages, in sidebar order: the one list the navigation is built from.

`dashboard/app.py` builds its navigation from `PAGES`, and the browser tests open every page
of it, so a new page is a file in `app_pages/`, its queries module, one entry here and its test.
The first page is the default one, served at `/` (and at its own path, for old links). No
Streamlit here: the tests read the list without starting the app.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page: its file in `app_pages/` (without `.py`), its title in the sidebar, its
    icon and the path of its URL."""

    file: str
    title: str
    icon: str
    url_path: str

    @property
    def script(self) -> str:
        return f"{self.file}.py"


PAGES: tuple[Page, ...] = (
    Page("overview", "Overview", ":material/dashboard:", "overview"),
    Page("timeline", "Timeline of initiatives", ":material/timeline:", "timeline"),
    Page("membership", "Membership growth", ":material/groups:", "membership"),
    Page("topics", "Topics", ":material/category:", "topics"),
    Page("attention", "Attention over time", ":material/show_chart:", "attention"),
    Page("disagreements", "Disagreements", ":material/compare_arrows:", "disagreements"),
    Page("articles", "Articles", ":material/article:", "articles"),
    Page("search", "Search", ":material/search:", "search"),
    Page("review", "Review queue", ":material/fact_check:", "review"),
    Page("add_articles", "Add articles", ":material/upload_file:", "add"),
)
DEFAULT_PAGE = PAGES[0]
# The default page's path at `/`: Streamlit serves the default page there, under this name.
DEFAULT_URL_PATH = "home"
