"""Adding articles to the corpus: vet each file, save it unchanged under a safe name, and say
afterwards what became of it.

`python -m etl add` wires these functions (and the dashboard's *Add articles* page runs that
command as a subprocess, so the rules live here once and the dashboard never imports the ETL):

1. `save_articles` copies every acceptable file, byte for byte, into the article folder before
   any build starts, so nothing is lost if the build fails. A file is refused, and not copied,
   when its type is not accepted, it is over the size limit, or the ETL could not read a single
   article from it (empty, binary, undecodable): such a file would only fail every later build.
2. The caller rebuilds the warehouse (incrementally).
3. `settle_outcomes` tells, per file, whether it was loaded, skipped as a duplicate of another
   article, or failed and why, from the build's report.

File names are sanitised (`safe_article_name`): the base name only, safe characters, no hidden
or option-like names. An existing article is never overwritten: identical bytes already in the
folder are reported as "already present", and a different file of the same name gets a numeric
suffix.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from etl import normalize
from etl.errors import SourceError
from etl.model import Problem
from etl.sources.dates import parse_published
from etl.sources.decode import decode, decode_bytes
from etl.sources.discover import folder_contents, read_bytes_checked
from etl.sources.formats import ACCEPTED_TYPES_TEXT, ARTICLE_FORMATS, FORMAT_READERS
from etl.sources.manifest import MANIFEST_NAME, read_manifest
from etl.sources.metadata import build_record

# What became of a file (`FileOutcome.outcome`).
LOADED = "loaded"  # saved, and at least one new article from it is in the warehouse
DUPLICATE = "duplicate"  # saved, but every article in it was already loaded from another file
ALREADY_PRESENT = "already_present"  # the same bytes are already in the folder; not copied again
FAILED = "failed"  # saved, but nothing could be loaded from it (or the build failed)
REFUSED = "refused"  # not saved: wrong type, too large, unreadable, bad metadata
SAVED = "saved"  # saved; the warehouse was not rebuilt yet (another build held the lock)

OUTCOME_LABELS = {
    LOADED: "loaded",
    DUPLICATE: "skipped: duplicate",
    ALREADY_PRESENT: "already present",
    FAILED: "failed",
    REFUSED: "refused",
    SAVED: "saved, not loaded yet",
}

NAME_MAX_CHARS = 120
FOLDER_LOCK_NAME = ".add.lock"  # hidden, so builds never read it
MANIFEST_COLUMNS = ("file", "title", "outlet", "author", "url", "published", "date_precision",
                    "date_note")
ONE_ARTICLE_FORMATS = frozenset({"txt", "md", "html"})
PENDING_PREFIX = ".adding-"  # a file being saved: `.adding-<pid>-<final name>`, hidden
_PENDING_NAME = re.compile(r"\.adding-\d+-(.+)\Z", re.DOTALL)

_UNSAFE_CHARS = re.compile(r"[^\w.\-]+")
_REPEATED_SEPARATORS = re.compile(r"([_.\-])\1+")


class MetadataError(ValueError):
    """Metadata given for a file cannot be used; the message says how to write it."""


@dataclass(frozen=True)
class ArticleMetadata:
    """Title, outlet and publication date given for one file; saved as its `manifest.csv` row.

    The manifest, not the file, carries them so the file is saved exactly as given, and the
    manifest outranks every other source of metadata (README, "Adding articles").
    """

    title: str | None = None
    outlet: str | None = None
    published: str | None = None

    def is_empty(self) -> bool:
        return not (self.title or self.outlet or self.published)

    def manifest_row(self, file_name: str) -> dict[str, str]:
        """The manifest row for `file_name`; raises MetadataError for a date it cannot read."""
        row = {column: "" for column in MANIFEST_COLUMNS}
        row["file"] = file_name
        row["title"] = _one_line(self.title)
        row["outlet"] = _one_line(self.outlet)
        if self.published and self.published.strip():
            date = parse_published(self.published)
            if date is None:
                raise MetadataError(
                    f"the publication date {self.published.strip()!r} is not understood; write "
                    f"it as 2024-05-02, May 2024 or 2024"
                )
            row["published"] = date.iso()
            row["date_precision"] = date.precision
            row["date_note"] = "given when the article was added"
        return row


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


@dataclass
class FileOutcome:
    """What became of one file given to `add`, in words an analyst can act on."""

    given_name: str  # the name the file came with (its file name, or the upload's name)
    outcome: str  # one of LOADED, DUPLICATE, ALREADY_PRESENT, FAILED, REFUSED, SAVED
    detail: str
    saved_as: str | None = None  # its name in the article folder
    article_ids: list[str] = field(default_factory=list)
    newly_saved: bool = False  # copied by this call (not refused, not already present)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "label": self.label}


# --- names ----------------------------------------------------------------------------------


def safe_article_name(given: str) -> str:
    """A file name that is safe to create in the article folder, from whatever name was given.

    Only the last path component counts (either slash; '../../x.txt' -> 'x.txt'), letters are
    normalised (NFKC), anything but letters, digits, '.', '-' and '_' becomes '_', and leading
    dots, dashes and underscores go (no hidden files, nothing that reads as an option). The
    extension is lower-cased; an empty stem becomes 'article'. The result may still carry a
    type that is not accepted: `vet_name` says so.
    """
    base = re.split(r"[/\\]", unicodedata.normalize("NFKC", given))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_CHARS.sub("_", base.strip())
    base = _REPEATED_SEPARATORS.sub(r"\1", base).lstrip("._-").rstrip(". ")
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = stem.rstrip("._-")[:NAME_MAX_CHARS].rstrip("._-") or "article"
    return f"{stem}.{extension.lower()}" if extension else stem


def vet_name(name: str) -> str | None:
    """Why a sanitised name cannot be added (unknown type, the manifest's name), or None."""
    suffix = Path(name).suffix.lower()
    if suffix not in ARTICLE_FORMATS:
        kind = f"'{suffix}' files are" if suffix else "files without an extension are"
        return (
            f"{kind} not accepted; accepted types are {ACCEPTED_TYPES_TEXT}. Copy the "
            f"article's text into a .txt file and add that"
        )
    if name.lower() == MANIFEST_NAME:
        return (
            f"'{MANIFEST_NAME}' is the name of the article folder's metadata file; to add "
            f"the articles in this file, rename it (for example to articles.csv)"
        )
    return None


def unusable_reason(data: bytes, name: str) -> str | None:
    """Why the ETL could not load a single article from these bytes, or None if it can.

    Runs the ETL's own reader for the file's type (decoding, records, headers) and the text
    cleaner, so a file refused here is one the build would also refuse.
    """
    file_format = ARTICLE_FORMATS[Path(name).suffix.lower()]
    try:
        decoded = decode(data)
        result = FORMAT_READERS[file_format](decoded.text, name)
    except SourceError as exc:
        return exc.reason
    except Exception as exc:  # a library failing on odd input is a refusal, not a crash
        return f"could not be read because of an unexpected error ({type(exc).__name__}: {exc})"
    problems = list(result.problems)
    for draft in result.drafts:
        record, problem = build_record(name, draft, file_format, decoded.encoding, None)
        if problem is not None:
            problems.append(problem)
        if record is not None and normalize.clean_text(record.raw_text).text.strip():
            return None
    reasons = [p.message() if p.record_no else p.reason for p in problems]
    return "; ".join(reasons) or (
        "has no article text left after removing page furniture (navigation, teasers, bios)"
    )


# --- saving ---------------------------------------------------------------------------------


@contextlib.contextmanager
def folder_lock(articles_dir: Path) -> Iterator[None]:
    """Serialise `add` calls on one folder, so two never pick the same name or race on the
    manifest (waits for the other call; saving takes milliseconds)."""
    with open(articles_dir / FOLDER_LOCK_NAME, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _FolderContents:
    """The article folder's files by size, hashed on demand, to find identical bytes."""

    def __init__(self, articles_dir: Path) -> None:
        self.articles_dir = articles_dir
        # size -> (path to open, name in the folder as shown to people)
        self.by_size: dict[int, list[tuple[Path, str]]] = {}
        for entry in folder_contents(articles_dir)[0]:
            path = Path(entry.path)
            with contextlib.suppress(OSError):
                if path.is_file():
                    self.by_size.setdefault(path.stat().st_size, []).append((path, entry.relative))
        self._digests: dict[Path, str] = {}

    def same_bytes(self, data: bytes) -> str | None:
        """The relative name of a file in the folder holding exactly `data`, if any."""
        digest = hashlib.sha256(data).hexdigest()
        for path, relative in self.by_size.get(len(data), []):
            if path not in self._digests:
                try:
                    self._digests[path] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    continue
            if self._digests[path] == digest:
                return relative
        return None

    def add(self, path: Path, data: bytes) -> None:
        self.by_size.setdefault(len(data), []).append(
            (path, path.relative_to(self.articles_dir).as_posix())
        )
        self._digests[path] = hashlib.sha256(data).hexdigest()


def _candidate_names(name: str) -> Iterator[str]:
    stem, extension = Path(name).stem, Path(name).suffix
    yield name
    n = 2
    while True:
        yield f"{stem}-{n}{extension}"
        n += 1


def _save_new_file(
    articles_dir: Path, name: str, data: bytes, taken: set[str], row: Mapping[str, str] | None
) -> str:
    """Write `data` under `name`, or the first free `stem-N.ext`; never replaces a file.

    The steps are ordered so that a kill at any moment loses neither the file nor its manifest
    row, and a build never reads half a file:

    1. the bytes go to a hidden pending file named after the final name
       (`.adding-<pid>-<name>`) and are flushed to disk;
    2. the manifest row, if any, is written (the manifest is replaced atomically);
    3. the pending file is hard-linked into place, which fails rather than overwrites if the
       name was taken meanwhile (the manifest is then put back as it was).

    Killed before step 2, nothing is visible and the next add or build removes the pending
    file; killed after it, the next add or build links the file into place
    (`complete_interrupted_adds`), so it loads with its title and date.
    """
    for candidate in _candidate_names(name):
        target = articles_dir / candidate
        if candidate.lower() in taken or target.exists() or target.is_symlink():
            continue
        pending = articles_dir / f"{PENDING_PREFIX}{os.getpid()}-{candidate}"
        try:
            pending.write_bytes(data)
            with open(pending, "rb") as handle:
                os.fsync(handle.fileno())
            before = None if row is None else append_manifest_row(
                articles_dir, {**row, "file": candidate})
            try:
                os.link(pending, target)
            except FileExistsError:
                if row is not None:
                    _put_back_manifest(articles_dir, before)
                continue
            return candidate
        finally:
            pending.unlink(missing_ok=True)
    raise AssertionError("unreachable: candidate names never run out")


def complete_interrupted_adds(articles_dir: Path) -> list[str]:
    """Finish or undo every `add` that was killed while saving; returns the names completed.

    A pending file whose manifest row was written is linked into place (unless that name was
    taken since); any other pending file, and a half-written manifest, is removed. Safe to call
    from a build: it does nothing (and writes nothing) when no add was interrupted.
    """
    if not articles_dir.is_dir() or not _leftovers(articles_dir):
        return []
    try:
        with folder_lock(articles_dir):
            return _complete_interrupted(articles_dir)
    except OSError:  # a read-only folder: nothing can have been left in it by an add
        return []


def _leftovers(articles_dir: Path) -> list[os.DirEntry[str]]:
    """Pending files and half-written manifests left by an interrupted `add`."""
    manifest_temp = f".{MANIFEST_NAME}.adding-"
    try:
        with os.scandir(articles_dir) as entries:
            return [e for e in entries
                    if e.name.startswith((PENDING_PREFIX, manifest_temp)) and e.is_file(
                        follow_symlinks=False)]
    except OSError:
        return []


def _complete_interrupted(articles_dir: Path) -> list[str]:
    """`complete_interrupted_adds` once the folder lock is held (every add is between files)."""
    completed: list[str] = []
    described = None
    for entry in _leftovers(articles_dir):
        match = _PENDING_NAME.match(entry.name)
        if match is not None:
            if described is None:
                described = {name.lower() for name in read_manifest(articles_dir)[0]}
            name = match.group(1)
            target = articles_dir / name
            if name.lower() in described and not target.exists() and not target.is_symlink():
                with contextlib.suppress(FileExistsError):
                    os.link(entry.path, target)
                    completed.append(name)
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
    return completed


def save_articles(
    files: Sequence[tuple[Path, str]],
    articles_dir: Path,
    max_file_bytes: int,
    metadata: ArticleMetadata | None = None,
) -> list[FileOutcome]:
    """Copy each (path, given name) into `articles_dir` unchanged, or say why it was not.

    `metadata`, for a single one-article file, becomes that file's `manifest.csv` row.
    Returns one outcome per file, in order: SAVED, ALREADY_PRESENT or REFUSED.
    """
    articles_dir.mkdir(parents=True, exist_ok=True)
    outcomes: list[FileOutcome] = []
    with folder_lock(articles_dir):
        _complete_interrupted(articles_dir)
        contents = _FolderContents(articles_dir)
        manifest, _problems = read_manifest(articles_dir)
        # names the manifest describes are taken: a row left behind for a removed file must
        # not give its metadata to a new file that happens to get the same name
        taken = {name.lower() for name in manifest}
        for path, given in files:
            try:
                outcome = _save_one(
                    path, given, articles_dir, max_file_bytes, metadata, contents, taken)
            except OSError as exc:  # one file that cannot be saved never fails the others
                outcome = FileOutcome(given, REFUSED, f"could not be saved ({exc.strerror or exc})")
            outcomes.append(outcome)
    return outcomes


def _save_one(
    path: Path,
    given: str,
    articles_dir: Path,
    max_file_bytes: int,
    metadata: ArticleMetadata | None,
    contents: _FolderContents,
    taken: set[str],
) -> FileOutcome:
    name = safe_article_name(given)
    if reason := vet_name(name):
        return FileOutcome(given, REFUSED, reason)
    try:
        data = read_bytes_checked(path, max_file_bytes)
    except SourceError as exc:
        return FileOutcome(given, REFUSED, exc.reason)
    if reason := unusable_reason(data, name):
        return FileOutcome(given, REFUSED, reason)
    row = None
    if metadata is not None and not metadata.is_empty():
        if ARTICLE_FORMATS[Path(name).suffix.lower()] not in ONE_ARTICLE_FORMATS:
            return FileOutcome(
                given,
                REFUSED,
                "title, outlet and date can only be given for a file holding one article "
                "(.txt, .md, .html); a .csv or .jsonl file carries them in its own columns",
            )
        try:
            row = metadata.manifest_row(name)  # validated before anything is written
        except MetadataError as exc:
            return FileOutcome(given, REFUSED, str(exc))
    if existing := contents.same_bytes(data):
        detail = f"the same file is already in the article folder as {existing}"
        if row is not None:
            detail += "; the title, outlet and date given were not applied"
        return FileOutcome(given, ALREADY_PRESENT, detail, saved_as=existing)
    saved_as = _save_new_file(articles_dir, name, data, taken, row)
    taken.add(saved_as.lower())
    contents.add(articles_dir / saved_as, data)
    detail = f"saved as {saved_as}"
    if saved_as != name:
        detail += f" (another file named {name} is already in the article folder)"
    elif name != given:
        detail += " (name made safe)"
    return FileOutcome(given, SAVED, detail, saved_as=saved_as, newly_saved=True)


def append_manifest_row(articles_dir: Path, row: Mapping[str, str]) -> bytes | None:
    """Add a row to `manifest.csv` (created if missing), replacing the file atomically.

    An existing manifest keeps its text; a header lacking one of our columns is widened and the
    rows rewritten (same values) so every row still lines up with the header. Returns the
    manifest's bytes before (None if there was none), for `_put_back_manifest`.
    """
    path = articles_dir / MANIFEST_NAME
    before = path.read_bytes() if path.exists() else None
    text = decode_bytes(before)[0] if before is not None else ""
    rows = list(csv.reader(io.StringIO(text))) if text.strip() else []
    header = rows[0] if rows else []
    columns = [c.strip().lower() for c in header]
    wanted = [c for c in MANIFEST_COLUMNS if row.get(c)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not rows:
        writer.writerow(MANIFEST_COLUMNS)
        writer.writerow([row.get(c, "") for c in MANIFEST_COLUMNS])
        new_text = out.getvalue()
    elif all(c in columns for c in wanted):
        writer.writerow([row.get(c, "") for c in columns])
        new_text = (text if text.endswith("\n") else text + "\n") + out.getvalue()
    else:
        widened = header + [c for c in MANIFEST_COLUMNS if c not in columns]
        writer.writerow(widened)
        for old in rows[1:]:
            writer.writerow(old + [""] * (len(widened) - len(old)))
        writer.writerow([row.get(c.strip().lower(), "") for c in widened])
        new_text = out.getvalue()
    _replace_manifest(articles_dir, new_text.encode("utf-8"))
    return before


def _replace_manifest(articles_dir: Path, data: bytes) -> None:
    """Replace `manifest.csv` atomically; nothing is left behind if writing fails."""
    temporary = articles_dir / f".{MANIFEST_NAME}.adding-{os.getpid()}"
    try:
        temporary.write_bytes(data)
        os.replace(temporary, articles_dir / MANIFEST_NAME)
    finally:
        temporary.unlink(missing_ok=True)


def _put_back_manifest(articles_dir: Path, before: bytes | None) -> None:
    """Undo `append_manifest_row`: the manifest as it was (or none, if there was none)."""
    if before is None:
        (articles_dir / MANIFEST_NAME).unlink(missing_ok=True)
    else:
        _replace_manifest(articles_dir, before)


# --- outcomes after the build ---------------------------------------------------------------


def articles_in_warehouse(db_path: Path) -> dict[str, str]:
    """Article id -> the file (and record) it was loaded from, in the live warehouse.

    Read before the build, so a new file holding an article the warehouse already had is
    reported as a duplicate of that article, whichever file name sorts first.
    """
    if not db_path.exists():
        return {}
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            rows = con.execute("SELECT article_id, source_file, record_no FROM articles").fetchall()
    except duckdb.Error:
        return {}
    return {aid: _label(source, record_no) for aid, source, record_no in rows}


def _label(source_file: str, record_no: int | None) -> str:
    return source_file if record_no is None else f"{source_file}#{record_no}"


def _file_of(label: str, names: Iterable[str]) -> str | None:
    for name in names:
        if label == name or label.startswith(f"{name}#"):
            return name
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def settle_outcomes(
    outcomes: Sequence[FileOutcome],
    loaded: Sequence[tuple[str, int | None, str]],
    duplicates: Sequence[tuple[str, str]],
    problems: Sequence[Problem],
    before: Mapping[str, str],
    articles_dir: Path,
) -> None:
    """Turn each file saved by this call into LOADED, DUPLICATE or FAILED, from a build's
    `loaded` articles, `duplicates` and `problems` (see `pipeline.BuildReport`).

    `before` is `articles_in_warehouse` read before the build. Saved names never contain '#',
    so a record label 'name#3' belongs to exactly one saved file.
    """
    article_of = {_label(source, record_no): aid for source, record_no, aid in loaded}

    def first_known(label: str) -> str:
        """The file the warehouse already had this article from, else `label` itself."""
        earlier = before.get(article_of.get(label, ""))
        if earlier and (articles_dir / earlier.split("#", 1)[0]).exists():
            return earlier
        return label

    for outcome in outcomes:
        if not outcome.newly_saved or outcome.saved_as is None:
            continue
        name = outcome.saved_as
        saved = outcome.detail  # 'saved as x.txt', with why the name differs if it does
        new_ids: list[str] = []
        same_as: list[str] = []
        for source_file, _record_no, article_id in loaded:
            if source_file != name:
                continue
            earlier = before.get(article_id)
            earlier_file = earlier.split("#", 1)[0] if earlier else None
            if (earlier and earlier_file is not None and earlier_file != name
                    and (articles_dir / earlier_file).exists()):
                same_as.append(earlier)
            else:
                new_ids.append(article_id)
        same_as += [first_known(original) for dup, original in duplicates
                    if _file_of(dup, [name])]
        errors = [p for p in problems if p.source_file == name and p.severity == "error"]
        warnings = [p for p in problems if p.source_file == name and p.severity == "warning"]
        parts: list[str] = []
        if new_ids:
            outcome.outcome = LOADED
            parts.append(f"{saved}; {_plural(len(new_ids), 'article')} loaded")
            if same_as:
                parts.append(f"{len(same_as)} skipped as the same article as another "
                             f"({', '.join(same_as[:3])})")
            if errors:
                parts.append(f"{_plural(len(errors), 'record')} failed: "
                             + "; ".join(p.message() for p in errors[:3]))
        elif same_as:
            outcome.outcome = DUPLICATE
            parts.append(f"{saved}, but skipped: the same article as "
                         + ", ".join(same_as[:3]) + " is already loaded")
        else:
            outcome.outcome = FAILED
            reasons = "; ".join(p.reason if p.record_no is None else p.message()
                                for p in errors[:3])
            parts.append(f"{saved}, but nothing was loaded from it: "
                         + (reasons or "the build did not read it"))
        parts += [f"note: {p.reason}" for p in warnings[:3]]
        outcome.detail = "; ".join(parts)
        outcome.article_ids = new_ids


def mark_not_built(outcomes: Sequence[FileOutcome], outcome: str, reason: str) -> None:
    """Every file saved by this call is in the folder, but the build did not run or failed."""
    for item in outcomes:
        if item.newly_saved:
            item.outcome = outcome
            item.detail = f"{item.detail}; {reason}"


# --- the machine-readable report ------------------------------------------------------------


def write_report_json(path: Path, payload: Mapping[str, object]) -> None:
    """Write the JSON report atomically (a reader polling it never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {**payload, "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
