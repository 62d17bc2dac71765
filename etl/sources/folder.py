"""Listing the article folder safely: which files a build reads, and which it skips and why.

Builds, `etl add` and the staleness check (`--if-stale`) all see the folder through
`list_folder`, so they agree on what is in it, and no name or link in it can stop them:

* A link is followed only when it leads to a file inside the article folder. A link leading
  outside it is skipped with a reason that never says whether its target exists; a broken link
  and a link loop (`ln -s self.txt self.txt`) are skipped with their reason too.
* Links to folders are never walked into, and a folder reached twice (a bind mount) is walked
  once, so the walk always ends.
* Any file name works, bytes that are not UTF-8 included. The file is opened by its real name;
  people see (and the warehouse stores, as `source_file`) its `display_name`, where a byte that
  is not UTF-8 is written `\\xff` and a character that does not print as itself (a control or
  bidi character) `\\u202e`, so a name can neither break a line of output nor reorder the text
  around it.

The manifest can only describe files inside the folder: `manifest_path_problem` refuses an
absolute path or one climbing out with `..`, without ever looking at the file it names.
"""

from __future__ import annotations

import errno
import os
import posixpath
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

LINK_OUTSIDE = (
    "is a link to a file outside the article folder, so it was not read (links are only "
    "followed inside the folder); copy the article into the folder instead of linking to it"
)
LINK_LOOP = (
    "is a link that leads back to itself (a loop of links), so there is nothing to read; "
    "remove the link"
)
LINK_TO_FOLDER = (
    "is a link to a folder; links to folders are not followed, so the files in it were not "
    "read; move or copy them into the article folder"
)


def display_name(name: str) -> str:
    """`name` as people see it and the warehouse stores it: always valid, printable Unicode.

    Bytes that are not UTF-8 (which Python keeps as surrogate escapes) become `\\xff`; every
    character that does not print as itself (controls, bidi marks and overrides, line
    separators, private-use and unassigned code points) becomes `\\x0a` / `\\u202e`. An
    ordinary name, in any script, is returned unchanged.
    """
    if name.isprintable():
        return name
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(char if char.isprintable() else _escaped(char) for char in text)


def _escaped(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


@dataclass(frozen=True)
class FolderEntry:
    """One name in the article folder: where to open it and how to call it.

    `path` is the real path to open (for a link inside the folder, the file it leads to);
    `relative` is the display name of its path relative to the folder, with '/' separators;
    `skip_reason` says why it is not read (None: it is a candidate article).
    """

    path: str
    relative: str
    skip_reason: str | None = None


@dataclass
class FolderListing:
    """Everything `list_folder` found, sorted by relative name. Hidden names are left out."""

    entries: list[FolderEntry] = field(default_factory=list)

    @property
    def candidates(self) -> list[FolderEntry]:
        """Entries to read (files, and odd entries such as sockets that reading reports)."""
        return [entry for entry in self.entries if entry.skip_reason is None]

    @property
    def skipped(self) -> list[FolderEntry]:
        """Entries not read, each with its reason."""
        return [entry for entry in self.entries if entry.skip_reason is not None]


def is_hidden(name: str) -> bool:
    """Names starting with '.' (editor backups, `.git`, the build's own lock files) are skipped."""
    return name.startswith(".")


def list_folder(root: Path | str, looks_like_file: tuple[str, ...] = ()) -> FolderListing:
    """Every non-hidden entry under `root`, sub-folders included, with links checked.

    Folders are walked into, not listed, except a folder whose name ends in one of
    `looks_like_file` (say '.txt'): that one is also listed, so reading can report it.
    A sub-folder that cannot be listed is a skipped entry with the reason.
    """
    root_path = os.fspath(root)
    root_real = os.path.realpath(root_path)
    listing = FolderListing()
    seen_folders: set[tuple[int, int]] = set()
    pending = [("", root_path)]
    while pending:
        prefix, folder = pending.pop()
        try:
            folder_status = os.stat(folder)
            with os.scandir(folder) as scan:
                names = list(scan)
        except OSError as exc:
            if prefix:
                reason = f"is a folder that could not be listed ({_why(exc)}), so it was not read"
                listing.entries.append(FolderEntry(folder, display_name(prefix[:-1]), reason))
            continue
        if (folder_status.st_dev, folder_status.st_ino) in seen_folders:
            continue
        seen_folders.add((folder_status.st_dev, folder_status.st_ino))
        for entry in names:
            if is_hidden(entry.name):
                continue
            relative = f"{prefix}{entry.name}"
            if _is_link(entry):
                listing.entries.append(_link_entry(entry.path, relative, root_real))
            elif _is_folder(entry):
                pending.append((f"{relative}/", entry.path))
                if entry.name.lower().endswith(looks_like_file):
                    listing.entries.append(FolderEntry(entry.path, display_name(relative)))
            else:
                listing.entries.append(FolderEntry(entry.path, display_name(relative)))
    listing.entries.sort(key=lambda entry: entry.relative)
    return listing


def _is_link(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _link_entry(path: str, relative: str, root_real: str) -> FolderEntry:
    """A link is read only when it leads to a regular file inside the folder."""
    shown = display_name(relative)
    target = os.path.realpath(path)
    if not is_inside(target, root_real):
        # decided before looking at the target, so the reason cannot tell whether it exists
        return FolderEntry(path, shown, LINK_OUTSIDE)
    try:
        status = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return FolderEntry(path, shown, LINK_LOOP)
        # a broken link: reading reports it with the name of the missing target
        return FolderEntry(path, shown)
    if stat.S_ISDIR(status.st_mode):
        return FolderEntry(path, shown, LINK_TO_FOLDER)
    return FolderEntry(target, shown)


def is_inside(path: str, root_real: str) -> bool:
    """True when the resolved `path` is `root_real` itself or somewhere below it."""
    return path == root_real or path.startswith(root_real.rstrip(os.sep) + os.sep)


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def manifest_path_problem(name: str) -> str | None:
    """Why a manifest 'file' cell cannot name an article, or None when it can.

    Only the text of the cell is judged, never the file system, so the answer cannot reveal
    whether a file outside the folder exists.
    """
    if "\x00" in name:
        return "holds a NUL character, which no file name can"
    if name.startswith("/") or re.match(r"^[A-Za-z]:/", name):
        return "is an absolute path; manifest rows name files inside the article folder only"
    parts = posixpath.normpath(name).split("/")
    if ".." in parts:
        return "climbs out of the article folder ('..'); manifest rows name files inside it only"
    return None
