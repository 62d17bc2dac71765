"""Every SQL statement of the dashboard: named functions of a connection (and `Filters`).

Each function runs one parameterised statement against the read-only warehouse and returns a
DataFrame. Statements are composed from named fragments of constant SQL text, each carrying
the values of the parameters it names (`sql.py`); the fragments are chosen by which filters
are set, so an unset filter costs nothing. One module per page, plus the shared filter SQL
(`in_view.py`) and the reference lists (`reference.py`); the search engine is
`dashboard.search`.

Scale (100,000 articles, millions of sentences) shapes the statements:
- They read the *marts* the ETL builds with every build (`facet_*` tables, etl/marts/,
  docs/schema.md): narrow tables with an integer article number (`article_no`, 1 = the
  newest article) and the article's filter attributes copied onto every fact row, so a
  filter is a scan of one narrow table, not a join on text ids.
- Charts get aggregates (one row per initiative, event type and year; per year and count),
  and the sentences behind an aggregate come a page at a time (`LIMIT`/`OFFSET`).
- Article text and sentences are joined only for the rows a page shows.

Every query function is registered (`QUERIES`, registry.py): the cache layer, the tests and
the benchmark iterate that one list.
"""

import importlib
import pkgutil

from dashboard.filters import filter_parameters
from dashboard.queries.articles import (
    article_count,
    article_highlights,
    article_table,
    article_text,
    sentence_location,
)
from dashboard.queries.disagreements import (
    disagreement_claims,
    disagreement_sources,
    disagreement_summary,
    side_claims,
)
from dashboard.queries.membership import (
    MILESTONE_EVENT_TYPES,
    figure_sources,
    membership_evidence,
    membership_milestones,
    membership_organisations,
    membership_points,
    membership_reference_series,
    point_reports,
)
from dashboard.queries.overview import (
    candidate_initiatives,
    events_per_year,
    headline_figures,
    source_summary,
)
from dashboard.queries.reference import (
    build_summary,
    event_type_list,
    initiative_colour_order,
    initiative_list,
    missing_marts,
    outlet_list,
    theme_list,
    warehouse_info,
    year_bounds,
)
from dashboard.queries.registry import QUERIES, RegisteredQuery, Samples
from dashboard.queries.search import (
    has_search_index,
    search_hits_per_year,
    search_query_terms,
    search_sentences,
)
from dashboard.queries.timeline import cell_events, event_evidence, event_sources, timeline_cells
from dashboard.queries.topics import (
    THEME_SENTENCE_ARTICLES,
    theme_by_year,
    theme_frequency,
    theme_sentences,
    themes_by_initiative,
)

# Every module of the package is imported, so a page's new queries module registers its
# queries (`@register`) without an entry here; the names above are the ones other modules use.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "MILESTONE_EVENT_TYPES", "QUERIES", "THEME_SENTENCE_ARTICLES", "RegisteredQuery", "Samples",
    "article_count", "article_highlights", "article_table", "article_text", "build_summary",
    "candidate_initiatives", "cell_events", "disagreement_claims", "disagreement_sources",
    "disagreement_summary", "event_evidence", "event_sources", "event_type_list",
    "events_per_year", "figure_sources", "filter_parameters", "has_search_index",
    "headline_figures", "initiative_colour_order", "initiative_list", "membership_evidence",
    "membership_milestones", "membership_organisations", "membership_points",
    "membership_reference_series", "missing_marts", "outlet_list", "point_reports",
    "search_hits_per_year", "search_query_terms", "search_sentences", "sentence_location",
    "side_claims", "source_summary", "theme_by_year", "theme_frequency", "theme_list",
    "theme_sentences", "themes_by_initiative", "timeline_cells", "warehouse_info", "year_bounds",
]
