"""The corrections folder: JSON Lines files that only ever grow, safe to write concurrently.

Every `*.jsonl` file in the folder is read (a team may keep one per analyst, or a colleague's
export beside its own); the dashboard and the CLI append to `corrections.jsonl`. A record is
appended as one `write` of one line under an exclusive `flock` on the file, so two analysts
saving at the same moment both land, whole, one after the other. A line that cannot be read is
reported with its file, line and reason and the rest still load; nothing is ever rewritten or
dropped.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from etl.corrections.records import Correction, RecordError, parse_record
from etl.model import Problem

WRITE_FILE = "corrections.jsonl"
SUFFIX = ".jsonl"
# A corrections file larger than this is refused whole (a year of a busy team is a few MB).
MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass
class Loaded:
    """Every record read from a folder, in file then line order, and the lines refused."""

    records: list[Correction] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def corrections_files(folder: Path) -> list[Path]:
    """The folder's `*.jsonl` files, by name (none when the folder does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir()
                  if p.suffix == SUFFIX and p.is_file() and not p.name.startswith("."))


def read_folder(folder: Path) -> Loaded:
    """Every record of every corrections file in `folder`."""
    loaded = Loaded()
    for path in corrections_files(folder):
        read_file(path, loaded, name=path.name)
    return loaded


def read_file(path: Path, loaded: Loaded, name: str | None = None) -> Loaded:
    """Add the records of one file to `loaded`; a file or line that cannot be read is a problem
    naming it, never an exception."""
    shown = name or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            loaded.problems.append(Problem(shown, f"is larger than {MAX_FILE_BYTES // 2**20} MB, "
                                                  "so none of its corrections were read"))
            return loaded
        data = path.read_bytes()
    except OSError as exc:
        loaded.problems.append(Problem(shown, f"could not be read ({exc.strerror or exc})"))
        return loaded
    for line_no, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            loaded.problems.append(Problem(shown, "is not UTF-8 text, so it was skipped",
                                           record_no=line_no))
            continue
        try:
            loaded.records.append(parse_record(text, shown, line_no))
        except RecordError as exc:
            loaded.problems.append(Problem(shown, f"{exc}, so it was skipped", record_no=line_no))
    return loaded


@contextmanager
def _locked(path: Path) -> Iterator[int]:
    """The file opened for appending under an exclusive lock (released when the block ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def append(folder: Path, records: Iterable[Correction], file_name: str = WRITE_FILE) -> Path:
    """Append `records` to the folder's write file, whole lines, durably; returns the file."""
    path = folder / file_name
    payload = "".join(record.to_json() + "\n" for record in records).encode("utf-8")
    if not payload:
        return path
    with _locked(path) as fd:
        # a previous writer killed mid-line must not glue its fragment to this record
        size = os.fstat(fd).st_size
        if size and _last_byte(path) != b"\n":
            payload = b"\n" + payload
        view = memoryview(payload)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    return path


def _last_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1)


def folder_signature(folder: Path) -> str:
    """A fingerprint of the folder's corrections files (names, sizes, times): it changes when
    a record is added, so a stale check knows the corrections must be applied again."""
    digest = hashlib.sha256()
    for path in corrections_files(folder):
        try:
            status = path.stat()
        except OSError:
            continue
        digest.update(f"{path.name}|{status.st_size}|{status.st_mtime_ns}\n".encode())
    return digest.hexdigest()
