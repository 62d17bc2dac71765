"""Settings of the dashboard in one place: each has a default, an environment override and help.

The dashboard reads two things: the warehouse the ETL builds (`IM_DB_PATH`, a file path or a
DuckDB connection string) and the reference folder. Everything tunable about caching, paging and
image export is here too, so a deployment changes behaviour through the environment alone.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The shared vocabulary (event types, membership kinds, what a correction may set), which the
# ETL reads too: the dashboard's labels, markers and correction forms come from it.
VOCABULARY_PATH = PROJECT_ROOT / "data" / "reference" / "vocabulary.toml"


def read_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, Any]:
    """The vocabulary file at `path` as TOML tables (the dashboard reads it when its modules
    load: the theme's labels and markers, the correction forms' fields)."""
    with open(path, "rb") as handle:
        return tomllib.load(handle)


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_flag(name: str, default: bool) -> bool:
    """A yes/no setting: 'false', '0', 'no' or 'off' (any case) turn it off."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() not in {"false", "0", "no", "off"}


@dataclass(frozen=True)
class DashboardSettings:
    """What the dashboard reads and how it caches; each field has an `IM_*` environment override."""

    db_location: str = field(
        default_factory=lambda: _env("IM_DB_PATH", str(PROJECT_ROOT / "data" / "warehouse.duckdb")),
        metadata={
            "env": "IM_DB_PATH",
            "help": "The warehouse: a DuckDB file path, or a connection string DuckDB can ATTACH "
                    "(e.g. 'md:initiatives'). Always opened read-only.",
        },
    )
    cache_ttl_seconds: int = field(
        default_factory=lambda: int(_env("IM_CACHE_TTL_SECONDS", "3600")),
        metadata={"env": "IM_CACHE_TTL_SECONDS",
                  "help": "How long a query result stays cached (a rebuild is picked up at once "
                          "regardless: results are keyed on the build id)."},
    )
    cache_max_entries: int = field(
        default_factory=lambda: int(_env("IM_CACHE_MAX_ENTRIES", "128")),
        metadata={"env": "IM_CACHE_MAX_ENTRIES",
                  "help": "Cached results kept per query function (filter combinations)."},
    )
    page_size: int = field(
        default_factory=lambda: int(_env("IM_PAGE_SIZE", "50")),
        metadata={"env": "IM_PAGE_SIZE", "help": "Rows per page of the article table."},
    )
    evidence_page_size: int = field(
        default_factory=lambda: int(_env("IM_EVIDENCE_PAGE_SIZE", "10")),
        metadata={"env": "IM_EVIDENCE_PAGE_SIZE",
                  "help": "Sentences per page of an evidence panel (a chart mark that stands for "
                          "many events or figures lists their sentences a page at a time)."},
    )
    chromium_path: str = field(
        default_factory=lambda: _env("IM_CHROMIUM_PATH", "/usr/bin/chromium"),
        metadata={"env": "IM_CHROMIUM_PATH",
                  "help": "Browser kaleido drives to render PNG/SVG downloads on the server."},
    )
    export_scale: int = field(
        default_factory=lambda: int(_env("IM_EXPORT_SCALE", "3")),
        metadata={"env": "IM_EXPORT_SCALE",
                  "help": "Pixel scale of PNG downloads (3 = 3840x2160 for a 1280x720 chart)."},
    )

    uploads_enabled: bool = field(
        default_factory=lambda: _env_flag("IM_UPLOADS_ENABLED", True),
        metadata={"env": "IM_UPLOADS_ENABLED",
                  "help": "Whether the Add articles page accepts uploads; 'false' for a read-only "
                          "deployment (the page then says uploads are off)."},
    )
    upload_max_bytes: int = field(
        default_factory=lambda: int(_env("IM_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024))),
        metadata={"env": "IM_UPLOAD_MAX_BYTES",
                  "help": "Largest file the Add articles page accepts, in bytes (default 10 MB; "
                          "the ETL's own IM_MAX_FILE_BYTES still applies)."},
    )
    upload_max_files: int = field(
        default_factory=lambda: int(_env("IM_UPLOAD_MAX_FILES", "20")),
        metadata={"env": "IM_UPLOAD_MAX_FILES",
                  "help": "Most files added in one upload."},
    )
    articles_dir: str = field(
        default_factory=lambda: _env("IM_ARTICLES_DIR", str(PROJECT_ROOT / "data" / "articles")),
        metadata={"env": "IM_ARTICLES_DIR",
                  "help": "The article folder uploads are saved into (the ETL reads the same "
                          "variable)."},
    )

    corrections_enabled: bool = field(
        default_factory=lambda: _env_flag("IM_CORRECTIONS_ENABLED", True),
        metadata={"env": "IM_CORRECTIONS_ENABLED",
                  "help": "Whether analysts may confirm, reject, edit and add facts from the "
                          "dashboard; 'false' for a read-only deployment (no correction "
                          "controls anywhere; the Review page says corrections are off)."},
    )
    analyst: str = field(
        default_factory=lambda: _env("IM_ANALYST", "").strip(),
        metadata={"env": "IM_ANALYST",
                  "help": "The name the dashboard records with each correction (unset: the "
                          "server's login name). Attribution on a trusted deployment, not "
                          "authentication: whoever can reach the app corrects under this name."},
    )
    corrections_dir: str = field(
        default_factory=lambda: _env("IM_CORRECTIONS_DIR", ""),
        metadata={"env": "IM_CORRECTIONS_DIR",
                  "help": "The corrections folder the dashboard records into (the ETL reads the "
                          "same variable); unset: 'corrections' beside the article folder."},
    )

    @property
    def db_path(self) -> Path | None:
        """The warehouse as a local file, or None when `db_location` is a connection string."""
        location = self.db_location
        if ":" in location.split("/", 1)[0] and not Path(location).exists():
            return None  # 'md:...', 's3://...': a scheme, not a file
        return Path(location)


def settings_help() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for the docs and their test."""
    defaults = DashboardSettings()
    return [(f.metadata["env"], str(getattr(defaults, f.name)), f.metadata["help"])
            for f in fields(DashboardSettings)]
