"""Initiative Monitor's entry point: the frame every page shares.

`streamlit run dashboard/app.py` (or `make run`). It opens the warehouse, draws the shared
filters in the sidebar, runs the page the analyst chose, and writes the view state back to the
URL so any view can be shared as a link. Pages live in `dashboard/app_pages/`, listed in
`dashboard/pages.py`.
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

from dashboard import components, correction_widgets, data, pages, url_state  # noqa: E402

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
        # The default page, which Streamlit serves at `/`; a link to its own path (as a shared
        # link or a bookmark has it, `/overview`) opens the same page through a hidden entry.
        st.Page(PAGES_DIR / pages.DEFAULT_PAGE.script, title=pages.DEFAULT_PAGE.title,
                icon=pages.DEFAULT_PAGE.icon, url_path=pages.DEFAULT_URL_PATH, default=True),
        st.Page(PAGES_DIR / pages.DEFAULT_PAGE.script, title=pages.DEFAULT_PAGE.title,
                icon=pages.DEFAULT_PAGE.icon, url_path=pages.DEFAULT_PAGE.url_path,
                visibility="hidden"),
        *[st.Page(PAGES_DIR / p.script, title=p.title, icon=p.icon, url_path=p.url_path)
          for p in pages.PAGES if p != pages.DEFAULT_PAGE],
    ],
    position="hidden" if url_state.presentation() else "sidebar",
)
correction_widgets.show_notice()
page.run()

if url_state.presentation():
    components.leave_presentation_button()
url_state.finish_run()
