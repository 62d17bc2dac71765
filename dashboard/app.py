"""Initiative Monitor's entry point: the frame every page shares.

`streamlit run dashboard/app.py` (or `make run`). It opens the warehouse, draws the shared
filters in the sidebar, runs the page the analyst chose, and writes the view state back to the
URL so any view can be shared as a link. Pages live in `dashboard/app_pages/`.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

# `streamlit run dashboard/app.py` puts dashboard/ on the path, not the project; without an
# installed package the `dashboard` imports below need the project root.
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)

import streamlit as st  # noqa: E402

from dashboard import components, correction_widgets, data, url_state  # noqa: E402

PAGES_DIR = Path(__file__).parent / "app_pages"

# An emoji icon is drawn by the browser itself; a `:material/...:` icon would be fetched from
# a font server on every visit, and the app makes no request outside its own server.
st.set_page_config(page_title="Initiative Monitor", page_icon="🌐", layout="wide")

try:
    options = data.filter_options()
except (data.WarehouseMissing, data.WarehouseUnreadable) as problem:
    # the message names no server path; the log has the full story for the operator
    logging.getLogger("dashboard.app").warning("warehouse unavailable: %s", problem,
                                               exc_info=problem.__cause__)
    st.title("Initiative Monitor")
    st.error(str(problem), icon=":material/database:")
    st.stop()

url_state.start_run(options)
if link_problem := url_state.unreadable_link_message():
    st.warning(components.escape_markdown(link_problem), icon=":material/link_off:")
if url_state.presentation():
    components.presentation_frame()
else:
    components.filter_sidebar(options)

page = st.navigation(
    [
        # The Overview is the default page, which Streamlit serves at `/`; a link to `/overview`
        # (as a shared link or a bookmark has it) opens the same page through a hidden entry.
        st.Page(PAGES_DIR / "overview.py", title="Overview", icon=":material/dashboard:",
                url_path="home", default=True),
        st.Page(PAGES_DIR / "overview.py", title="Overview", icon=":material/dashboard:",
                url_path="overview", visibility="hidden"),
        st.Page(PAGES_DIR / "timeline.py", title="Timeline of initiatives",
                icon=":material/timeline:", url_path="timeline"),
        st.Page(PAGES_DIR / "membership.py", title="Membership growth",
                icon=":material/groups:", url_path="membership"),
        st.Page(PAGES_DIR / "topics.py", title="Topics", icon=":material/category:",
                url_path="topics"),
        st.Page(PAGES_DIR / "attention.py", title="Attention over time",
                icon=":material/show_chart:", url_path="attention"),
        st.Page(PAGES_DIR / "disagreements.py", title="Disagreements",
                icon=":material/compare_arrows:", url_path="disagreements"),
        st.Page(PAGES_DIR / "articles.py", title="Articles", icon=":material/article:",
                url_path="articles"),
        st.Page(PAGES_DIR / "search.py", title="Search", icon=":material/search:",
                url_path="search"),
        st.Page(PAGES_DIR / "review.py", title="Review queue", icon=":material/fact_check:",
                url_path="review"),
        st.Page(PAGES_DIR / "add_articles.py", title="Add articles",
                icon=":material/upload_file:", url_path="add"),
    ],
    position="hidden" if url_state.presentation() else "sidebar",
)
correction_widgets.show_notice()
page.run()

if url_state.presentation():
    components.leave_presentation_button()
url_state.finish_run()
