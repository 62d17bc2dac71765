"""Is the live warehouse up to date with what a build would read?

A build's output is a function of the article folder, the reference files, the corrections
folder and the extraction code. The warehouse records a fingerprint of each when it is built
(`warehouse_info`): `input_signature` (the name, size and modification time of every file of
the article folder, its fetch area and the reference folder, and the schema), the manifest's
content hash, `extractor_signature` and `reference_signature` (`etl.incremental`), the
corrections folder's signature and the article folder's absolute path
(links resolved, so any spelling of the same folder matches).

When all of them match, a build has nothing to do: `python -m etl` says the warehouse is up to
date and writes nothing (no copy, no swap, no run row), and `--if-stale` and `make run` skip
the build. The check costs one listing of the folders with a `stat` per file (about a second
at 100,000 articles), never a read of an article.

One exception keeps this as safe as the incremental build's own comparison: a file modified
within `incremental.RACY_WINDOW_NS` of the last build's scan could have changed again in the
same clock tick without changing its stamp, so such a file is compared by content with what
that build read (its `source_files.sha256`; the manifest's hash is in `warehouse_info`).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import corrections, incremental, warehouse
from etl.fetch.store import FETCH_DIR
from etl.prepare import FileJob, file_state
from etl.settings import Settings
from etl.sources.discover import list_articles
from etl.sources.folder import FolderEntry, FolderListing, list_folder
from etl.sources.manifest import MANIFEST_NAME

MANIFEST_KEY = "manifest_sha256"  # warehouse_info: the content hash of the manifest read


@dataclass(frozen=True)
class InputStamp:
    """The fingerprint of the folders a build reads, and the article folder's entries modified
    at or after the moment given to `input_stamp` (the racy ones).

    `articles` is the article folder's listing and `states` the size and modification time of
    each of its files (by relative name) as the fingerprint saw them, so the build that follows
    reads the folder from them instead of listing it and examining every file again.
    """

    signature: str
    racy: list[FolderEntry] = field(default_factory=list)
    articles: FolderListing | None = None
    states: dict[str, tuple[int, int]] = field(default_factory=dict)


def input_stamp(settings: Settings, racy_after_ns: int | None = None) -> InputStamp:
    """A fingerprint of everything a build reads (article files, reference data, schema).

    Any added, removed or changed file changes it, the fetch area's records included. Entries
    the build skips (a link leading outside the folder, a link loop) count by name only. With
    `racy_after_ns`, the article and fetch files modified at or after it are listed too (the
    reference files are compared by content anyway).
    """
    digest = hashlib.sha256(warehouse.SCHEMA_VERSION.encode())
    digest.update(warehouse.schema_sql().encode())
    racy: list[FolderEntry] = []
    states: dict[str, tuple[int, int]] = {}
    # listed as the build lists it, so the build reads the folder from this listing
    articles = list_articles(settings.articles_dir)
    # the fetch area (hidden, so not among the articles) feeds the `feeds` and `fetched_pages`
    # tables; its files are never in `source_files`, so a racy one always counts as changed
    fetch_area = settings.articles_dir / FETCH_DIR
    for label, listing in (("articles", articles), ("fetch", list_folder(fetch_area)),
                           ("reference", list_folder(settings.reference_dir))):
        lines = [label]
        for entry in listing.entries:
            stamp, size, modified_ns = _file_stamp(entry)
            if label != "reference" and racy_after_ns is not None and modified_ns >= racy_after_ns:
                racy.append(entry)
            if label == "articles" and size >= 0:
                states[entry.relative] = (size, modified_ns)
            lines.append(f"{entry.relative}|{stamp}")
        lines.append("")
        digest.update("\n".join(lines).encode("utf-8", "surrogateescape"))
    return InputStamp(digest.hexdigest(), racy, articles, states)


def input_signature(settings: Settings) -> str:
    """The fingerprint part of `input_stamp`."""
    return input_stamp(settings).signature


def _file_stamp(entry: FolderEntry) -> tuple[str, int, int]:
    """'size|mtime' of a file the build reads, its size and mtime; why it is skipped, or '-'
    if it cannot be seen (and size -1, mtime 0)."""
    if entry.skip_reason is not None:
        return "skipped", -1, 0
    try:
        status = os.stat(entry.path)
    except OSError:
        return "-", -1, 0
    return (f"{status.st_size}|{status.st_mtime_ns}", status.st_size, status.st_mtime_ns)


def manifest_hash(articles_dir: Path) -> str:
    """The content hash of the article folder's manifest ('' when there is none)."""
    try:
        return hashlib.sha256((articles_dir / MANIFEST_NAME).read_bytes()).hexdigest()
    except OSError:
        return ""


def build_info(settings: Settings, signature: str) -> dict[str, str]:
    """What a build of `settings` records of its inputs in `warehouse_info` (less the keys
    naming the run itself); `check` compares them with the live warehouse's."""
    return {
        "input_signature": signature,
        incremental.SIGNATURE_KEY: incremental.extractor_signature(settings.reference_dir),
        incremental.ARTICLES_DIR_KEY: incremental.folder_key(settings.articles_dir),
        incremental.REFERENCE_KEY: incremental.reference_signature(settings.reference_dir),
        corrections.SIGNATURE_KEY: corrections.store.folder_signature(
            settings.corrections_folder),
        MANIFEST_KEY: manifest_hash(settings.articles_dir),
        incremental.MARTS_KEY: incremental.marts_signature(),
    }


# what `check` says when a recorded fingerprint differs from the build's
_CHANGED = {
    "input_signature": "article or reference files were added, changed or removed",
    incremental.SIGNATURE_KEY: "the extraction code or reference data changed",
    incremental.ARTICLES_DIR_KEY: "it was built from another article folder",
    incremental.REFERENCE_KEY: "the reference files changed",
    corrections.SIGNATURE_KEY: "the corrections changed",
    MANIFEST_KEY: "the manifest changed",
    incremental.MARTS_KEY: "the marts are defined differently (another version of the ETL)",
}


@dataclass(frozen=True)
class Freshness:
    """Why the live warehouse is not what a build would write ('' when it is), what a build
    records of its inputs (`build_info`), and the inputs as the check saw them (`stamp`)."""

    stale: str
    info: dict[str, str]
    stamp: InputStamp


def check(settings: Settings) -> Freshness:
    """Compare the live warehouse's record of its inputs with the inputs now.

    Article files modified within the racy window of the last build's scan are compared by
    content with what that build read (`source_files.sha256`; the manifest by its hash).
    """
    live = warehouse.read_info(settings.db_path)
    if not live:
        stamp = input_stamp(settings)
        return Freshness("there is no warehouse, or it cannot be read",
                         build_info(settings, stamp.signature), stamp)
    scanned = int(live.get(incremental.SCANNED_KEY, "0") or 0)
    stamp = input_stamp(settings, racy_after_ns=scanned - incremental.RACY_WINDOW_NS)
    wanted = build_info(settings, stamp.signature)
    for key, why in _CHANGED.items():
        if live.get(key) != wanted[key]:
            return Freshness(why, wanted, stamp)
    if stamp.racy and not _same_content(settings.db_path, stamp.racy):
        return Freshness("a file changed in the same moment the last build read it", wanted,
                         stamp)
    return Freshness("", wanted, stamp)


def _same_content(db_path: Path, entries: list[FolderEntry]) -> bool:
    """Whether each racy article file still holds the bytes the last build read (the manifest
    was compared already)."""
    files = [entry for entry in entries if entry.relative != MANIFEST_NAME]
    if not files:
        return True
    with duckdb.connect(str(db_path), read_only=True) as con:
        stored = dict(con.execute(
            "SELECT source_file, sha256 FROM source_files WHERE source_file IN "
            "(SELECT unnest($names))", {"names": [entry.relative for entry in files]}
        ).fetchall())
    return all(stored.get(entry.relative)
               == file_state(FileJob(entry.path, entry.relative, None)).sha256
               for entry in files)


def warehouse_is_stale(settings: Settings) -> bool:
    """True when the warehouse is missing or unreadable, or a build would change it (other
    articles, reference lists, corrections or extraction code)."""
    return bool(check(settings).stale)
