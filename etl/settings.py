"""Settings for the ETL in one place: each has a default, an environment override and help text."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_path(name: str) -> Path | None:
    """The path the variable `name` sets, or None when it is unset or empty."""
    value = os.environ.get(name)
    return Path(value) if value else None


@dataclass(frozen=True)
class Settings:
    """Paths and limits of a build; each field has an `IM_*` environment override."""

    articles_dir: Path = field(
        default_factory=lambda: Path(
            _env("IM_ARTICLES_DIR", str(PROJECT_ROOT / "data" / "articles"))
        ),
        metadata={"env": "IM_ARTICLES_DIR", "help": "Folder of article files (and manifest.csv)."},
    )
    db_path: Path = field(
        default_factory=lambda: Path(
            _env("IM_DB_PATH", str(PROJECT_ROOT / "data" / "warehouse.duckdb"))
        ),
        metadata={"env": "IM_DB_PATH", "help": "The DuckDB warehouse file the build writes."},
    )
    reference_dir: Path = field(
        default_factory=lambda: Path(
            _env("IM_REFERENCE_DIR", str(PROJECT_ROOT / "data" / "reference"))
        ),
        metadata={
            "env": "IM_REFERENCE_DIR",
            "help": "Gazetteer, theme taxonomy and reference series.",
        },
    )
    max_file_bytes: int = field(
        default_factory=lambda: int(_env("IM_MAX_FILE_BYTES", str(20 * 1024 * 1024))),
        metadata={
            "env": "IM_MAX_FILE_BYTES",
            "help": "Files larger than this are refused (default 20 MB).",
        },
    )
    file_seconds: float = field(
        default_factory=lambda: float(_env("IM_FILE_SECONDS", "120")),
        metadata={
            "env": "IM_FILE_SECONDS",
            "help": "Time budget for reading and extracting one file; a file over it is "
            "reported and skipped (0 = no limit).",
        },
    )
    file_memory_mb: int = field(
        default_factory=lambda: int(_env("IM_FILE_MEMORY_MB", "2048")),
        metadata={
            "env": "IM_FILE_MEMORY_MB",
            "help": "Memory budget (MB) for reading and extracting one file; a file over it is "
            "reported and skipped (0 = no limit).",
        },
    )
    workers: int = field(
        default_factory=lambda: int(_env("IM_WORKERS", "0")),
        metadata={"env": "IM_WORKERS", "help": "Extraction processes; 0 = one per CPU core."},
    )
    parallel_threshold: int = field(
        default_factory=lambda: int(_env("IM_PARALLEL_THRESHOLD", "200")),
        metadata={
            "env": "IM_PARALLEL_THRESHOLD",
            "help": "Below this many articles extraction runs in one process.",
        },
    )
    corrections_dir: Path | None = field(
        default_factory=lambda: _env_path("IM_CORRECTIONS_DIR"),
        metadata={
            "env": "IM_CORRECTIONS_DIR",
            "help": "Folder of analysts' corrections (*.jsonl); unset = 'corrections' beside "
                    "the article folder (data/corrections).",
        },
    )
    shard_dir: Path | None = field(
        default_factory=lambda: _env_path("IM_SHARD_DIR"),
        metadata={
            "env": "IM_SHARD_DIR",
            "help": "Where `--engine dask` tasks write their Parquet shards (on a cluster: a "
                    "folder every worker and the build see at this path); unset = beside the "
                    "warehouse file. Removed after the build.",
        },
    )

    fetch_allow_private: str = field(
        default_factory=lambda: _env("IM_FETCH_ALLOW_PRIVATE", "false"),
        metadata={
            "env": "IM_FETCH_ALLOW_PRIVATE",
            "help": "`true` lets `python -m etl fetch` reach loopback, link-local and private "
                    "network addresses (intranet sources), a list such as `10.1.0.0/16,10.2.3.4` "
                    "only those; `false`, such URLs are refused before any connection.",
        },
    )
    fetch_host_delay: float = field(
        default_factory=lambda: float(_env("IM_FETCH_HOST_DELAY", "1.0")),
        metadata={
            "env": "IM_FETCH_HOST_DELAY",
            "help": "Seconds between two requests to one host (a longer robots.txt Crawl-delay "
                    "wins).",
        },
    )
    fetch_timeout: float = field(
        default_factory=lambda: float(_env("IM_FETCH_TIMEOUT", "20")),
        metadata={
            "env": "IM_FETCH_TIMEOUT",
            "help": "Seconds to wait to connect, and between two reads, of one response.",
        },
    )
    fetch_max_bytes: int = field(
        default_factory=lambda: int(_env("IM_FETCH_MAX_BYTES", str(5 * 1024 * 1024))),
        metadata={
            "env": "IM_FETCH_MAX_BYTES",
            "help": "Largest response fetched (default 5 MB); a longer one is cut off and "
                    "reported.",
        },
    )
    fetch_user_agent: str = field(
        default_factory=lambda: _env("IM_FETCH_USER_AGENT", "InitiativeMonitor/1.0"),
        metadata={
            "env": "IM_FETCH_USER_AGENT",
            "help": "User-Agent of fetches, matched against robots.txt; add a contact address.",
        },
    )

    @property
    def corrections_folder(self) -> Path:
        """Where corrections are read and written: the setting, or beside the articles."""
        return self.corrections_dir or self.articles_dir.parent / "corrections"


def settings_help() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for docs and `--help`."""
    defaults = Settings()
    return [
        (f.metadata["env"], str(getattr(defaults, f.name)), f.metadata["help"])
        for f in fields(Settings)
    ]
