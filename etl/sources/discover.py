"""Finding the article files and reading their bytes safely.

The folder is listed by `etl.sources.folder` (links, odd names, loops); this module decides
which entries are candidate article files and refuses, with a reason, any file that is not a
readable regular file within the size limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from etl.errors import FileTooLargeError, UnreadableFileError
from etl.model import Problem
from etl.sources.folder import (
    LINK_TO_FOLDER,
    FolderEntry,
    FolderListing,
    display_name,
    list_folder,
)
from etl.sources.formats import ARTICLE_FORMATS
from etl.sources.manifest import MANIFEST_NAME

MAX_FILE_BYTES_ENV = "IM_MAX_FILE_BYTES"


def list_articles(articles_dir: Path) -> FolderListing:
    """The article folder as a build reads it: folders named like article files are listed
    too (and walked into), so reading can report them."""
    return list_folder(articles_dir, looks_like_file=tuple(ARTICLE_FORMATS))


def folder_contents(articles_dir: Path, listing: FolderListing | None = None
                    ) -> tuple[list[FolderEntry], list[Problem]]:
    """The article folder's candidate files, and a problem for every entry skipped unread;
    from `listing` (`list_articles`, made a moment ago) when given, else listed here.

    Hidden files and folders (name starting with '.') are left out silently, and so is the
    top-level manifest. Files of any extension are candidates, so that an unsupported one is
    reported rather than silently ignored; folders whose name looks like an article file
    (`x.txt/`) are candidates too, so they can be reported, and are still walked into. Links
    are checked as `etl.sources.folder` describes: one leading outside the folder is never read.
    """
    if listing is None:
        listing = list_articles(articles_dir)
    entries = [entry for entry in listing.candidates if entry.relative != MANIFEST_NAME]
    problems = [
        Problem(
            entry.relative,
            entry.skip_reason or "",
            severity="warning" if entry.skip_reason == LINK_TO_FOLDER else "error",
        )
        for entry in listing.skipped
    ]
    return entries, problems


def discover_files(articles_dir: Path) -> list[Path]:
    """Every candidate article path under `articles_dir`, sorted by relative path.

    See `folder_contents`; entries skipped unread (links leading outside the folder, link
    loops) are not among them.
    """
    return [Path(entry.path) for entry in folder_contents(articles_dir)[0]]



def read_bytes_checked(path: Path, max_file_bytes: int) -> bytes:
    """The file's bytes, after checking it is a readable regular file within the size limit."""
    if path.is_symlink() and not path.exists():
        target = display_name(os.readlink(path))
        raise UnreadableFileError(
            f"is a link to '{target}', which does not exist; restore the target or remove the link"
        )
    if path.is_dir():
        raise UnreadableFileError(
            f"is a folder, not a file, although its name ends in '{path.suffix}'; rename the "
            f"folder (files inside it are still read)"
        )
    try:
        status = path.stat()
    except OSError as exc:
        raise UnreadableFileError(f"could not be opened ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(status.st_mode):
        raise UnreadableFileError(
            "is not a regular file (a pipe, socket or device), so it cannot be read as an "
            "article; remove it from the articles folder"
        )
    check_size(status.st_size, max_file_bytes)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(
            f"could not be read ({exc.strerror or exc}); check the file's permissions"
        ) from exc


def check_size(size: int, max_file_bytes: int) -> None:
    """Refuse files over the limit before reading them (a huge file is almost never one article)."""
    if size <= max_file_bytes:
        return
    suggestion = (size // (1024 * 1024) + 1) * 1024 * 1024
    raise FileTooLargeError(
        f"is {_human_size(size)}, over the {_human_size(max_file_bytes)} limit for one file, so it "
        f"was not read; if it is genuine, raise the limit with the environment variable "
        f"{MAX_FILE_BYTES_ENV} (in bytes, e.g. {MAX_FILE_BYTES_ENV}={suggestion})"
    )


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"
