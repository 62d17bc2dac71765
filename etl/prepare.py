"""One batch of article files -> cleaned articles and their extracted facts, as Arrow tables.

This is the work a build spreads over worker processes: read each file (`sources`), clean the
text and settle its metadata (`normalize`), extract the facts (`extract`), and turn the result
into rows of the warehouse tables. A batch knows nothing of other batches: an article repeated
in another batch is dropped by the build when it meets it (`etl.pipeline`), and the list of
files holding each article is filled in once every batch is in.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from etl import budget, normalize, warehouse
from etl.model import ArticleExtraction, CleanText, Problem, PublicationDate, SourceRecord
from etl.normalize.lines import word_count
from etl.sources import read_file
from etl.sources.manifest import ManifestEntry

if TYPE_CHECKING:
    import pyarrow as pa

    from etl import extract

# `etl.extract` (its patterns compile when imported, about 0.25 s), Arrow and NumPy (about
# 0.2 s; `etl.stories` and the functions that make or load tables) are imported where they are
# used, not at the top of the modules on every command's path: every `python -m etl` command
# imports this module, and one that extracts nothing (an up-to-date build, a correction, a
# fetch) should not pay for them. `tests/test_freshness.py` checks that an up-to-date build
# imports none of them.

# The tables extraction writes, one group of rows per article (`fact_tables`).
EXTRACTED_TABLES = (
    "sentences",
    "mentions",
    "date_mentions",
    "events",
    "memberships",
    "sentence_themes",
    "article_themes",
    "initiative_themes",
    "candidate_initiatives",
)

# Every table a batch fills, one group of rows per article.
ARTICLE_TABLES = ("articles", "article_raw", "article_signatures", *EXTRACTED_TABLES)


@dataclass
class PreparedArticle:
    """An article ready for extraction: cleaned text, metadata and where each came from."""

    article_id: str
    record: SourceRecord
    clean: CleanText
    title: str | None
    outlet: str | None
    author: str | None
    url: str | None
    published: PublicationDate | None
    metadata_sources: dict[str, str]
    word_count: int
    duplicate_files: list[str] = field(default_factory=list)


# --- metadata ------------------------------------------------------------------------------


def resolve_metadata(
    record: SourceRecord, clean: CleanText
) -> tuple[dict[str, object], dict[str, str]]:
    """Final metadata values and their source: what the record carries, else what the text shows.

    The record already applies manifest > front matter/record fields > header; the text can
    only fill gaps ('inferred'), and a field nobody knows is 'unknown'.
    """
    from etl import extract  # on first use: see the note at the top
    inferred: dict[str, object] = {"title": clean.headline, "author": clean.byline}
    if record.published is None:
        # the page furniture the cleaning removed (a 'May 16, 2024' line above the headline)
        # and the article's address often carry the date the body leaves out
        inferred["published"] = extract.infer_publication_date(
            clean.text, url=record.url, header_lines=clean.removed_lines
        )
    refined: dict[str, object] = {}
    if record.published is not None and record.published.day is None:
        # a manifest that knows only the month (or year) is made finer by a dateline or a
        # masthead date of the same month (year) in the article
        refined["published"] = extract.refine_publication_date(
            record.published, clean.text, url=record.url, header_lines=clean.removed_lines
        )
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for name in ("title", "outlet", "author", "url", "published"):
        value = refined.get(name) or getattr(record, name)
        if value:
            values[name] = value
            origin[name] = record.metadata_sources.get(name, "record")
        elif inferred.get(name):
            values[name] = inferred[name]
            origin[name] = "inferred"
        else:
            values[name] = None
            origin[name] = "unknown"
    return values, origin


@dataclass(frozen=True)
class FileJob:
    """One file to read: its path, its name relative to the article folder, its manifest row."""

    path: str
    relative: str
    manifest: ManifestEntry | None = None


@dataclass(frozen=True)
class FileState:
    """What a file was when it was read, so a later build can tell it is unchanged unread.

    `size_bytes` is -1 when the file could not even be examined (a broken link); such a file
    is read again by every build.
    """

    source_file: str
    size_bytes: int
    modified_ns: int
    sha256: str
    manifest_row: str  # fingerprint of its manifest.csv row, '' for none


@dataclass
class Batch:
    """What one batch of files gave: file states, problems, article holders and table rows."""

    files: list[FileState] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # (source file, record number, article id) of every record that held an article, in order
    holders: list[tuple[str, int | None, str]] = field(default_factory=list)
    # rows of each article once, from its first holder in the batch
    tables: dict[str, pa.Table] = field(default_factory=dict)


def manifest_fingerprint(entry: ManifestEntry | None) -> str:
    """A short fingerprint of a file's manifest row: a changed row means a changed article.

    What the row says, not where it is: a row added or removed above it moves it to another
    line without changing its article (the line number only names the row in messages)."""
    if entry is None:
        return ""
    fields = sorted((name, repr(value)) for name, value in entry.fields.items())
    return hashlib.sha1(repr(fields).encode()).hexdigest()[:16]


def file_state(job: FileJob) -> FileState:
    """Size, modification time and content hash of a file (size -1 if it cannot be examined)."""
    fingerprint = manifest_fingerprint(job.manifest)
    try:
        stat = os.stat(job.path)
        digest = hashlib.sha256()
        if os.path.isfile(job.path):
            with open(job.path, "rb") as handle:
                digest.update(handle.read())
        return FileState(job.relative, stat.st_size, stat.st_mtime_ns, digest.hexdigest(),
                         fingerprint)
    except OSError:
        return FileState(job.relative, -1, 0, "", fingerprint)


def prepare_articles(
    records: Sequence[SourceRecord],
    known: Container[str] = (),
) -> tuple[list[PreparedArticle], list[tuple[str, int | None, str]], list[Problem]]:
    """Clean every record, fill metadata, and keep the first record of each article.

    Returns the articles (none of the ids in `known`, prepared before), every record that held
    an article as (file, record number, article id) in input order (repeats included), and
    records that had no article text left after cleaning.
    """
    prepared: dict[str, PreparedArticle] = {}
    holders: list[tuple[str, int | None, str]] = []
    problems: list[Problem] = []
    for record in records:
        clean = normalize.clean_text(record.raw_text)
        if not clean.text.strip():
            problems.append(
                Problem(
                    record.source_file,
                    "no article text left after removing page "
                    "furniture (navigation, teasers, bios)",
                    record.record_no,
                )
            )
            continue
        article_id = normalize.content_fingerprint(clean.text)
        holders.append((record.source_file, record.record_no, article_id))
        if article_id in prepared or article_id in known:
            continue
        values, origin = resolve_metadata(record, clean)
        prepared[article_id] = PreparedArticle(
            article_id=article_id,
            record=record,
            clean=clean,
            title=values["title"],  # type: ignore[arg-type]
            outlet=values["outlet"],  # type: ignore[arg-type]
            author=values["author"],  # type: ignore[arg-type]
            url=values["url"],  # type: ignore[arg-type]
            published=values["published"],  # type: ignore[arg-type]
            metadata_sources=origin,
            word_count=word_count(clean.text),
        )
    return list(prepared.values()), holders, problems


# --- the work of one batch, in a worker process or in the build's own ------------------------

_reference: tuple[extract.Gazetteer, extract.ThemeTaxonomy] | None = None
_max_file_bytes: int = 0


def init_worker(reference_dir: str, max_file_bytes: int) -> None:
    """Compile the reference data once per process (it is the slow part of starting)."""
    global _reference, _max_file_bytes
    _reference = reference_data(Path(reference_dir))
    _max_file_bytes = max_file_bytes


def reference_data(reference_dir: Path) -> tuple[extract.Gazetteer, extract.ThemeTaxonomy]:
    """The compiled gazetteer and theme taxonomy of `reference_dir`.

    Compiling the gazetteer's patterns is the slow part of a small build, and a build needs
    them twice (to extract, and to load the reference tables): they are compiled once per
    process for the same file contents. A changed file is compiled afresh; a file that cannot
    be read raises from the loaders, as it did before.
    """
    from etl import extract  # on first use: see the note at the top
    try:
        contents = tuple((reference_dir / name).read_bytes()
                         for name in (extract.GAZETTEER_FILE, extract.THEMES_FILE))
    except OSError:
        return extract.load_gazetteer(reference_dir), extract.load_themes(reference_dir)
    return _compiled_reference(str(reference_dir), contents)


@functools.lru_cache(maxsize=4)
def _compiled_reference(reference_dir: str, contents: tuple[bytes, ...]
                        ) -> tuple[extract.Gazetteer, extract.ThemeTaxonomy]:
    """`reference_data`, memoised by folder and file contents (the key only)."""
    from etl import extract  # on first use: see the note at the top
    del contents  # part of the cache key: the loaders read the same files
    return extract.load_gazetteer(Path(reference_dir)), extract.load_themes(Path(reference_dir))


def process_files(jobs: Sequence[FileJob]) -> Batch:
    """Read, clean and extract one batch of files (after `init_worker` in this process).

    Each file is read and extracted within this process's budget (`etl.budget`): a file over
    budget, or one that fails in a way no reader foresaw, becomes a problem of that file and
    the batch goes on with the next.
    """
    assert _reference is not None, "init_worker was not called in this process"
    batch = Batch()
    articles: list[PreparedArticle] = []
    extractions: list[ArticleExtraction] = []
    known: set[str] = set()
    try:
        for job in jobs:
            batch.files.append(file_state(job))
            try:
                with budget.limit(job.relative):
                    found = _process_one(job, known)
            except budget.OverBudget as exc:
                batch.problems.append(Problem(job.relative, exc.reason))
                continue
            except Exception as exc:  # noqa: BLE001 (one file's failure is that file's problem)
                batch.problems.append(Problem(job.relative, unexpected_reason(exc)))
                continue
            file_articles, holders, problems, file_extractions = found
            articles += file_articles
            extractions += file_extractions
            batch.holders += holders
            batch.problems += problems
            known.update(a.article_id for a in file_articles)
    finally:
        budget.release()
    batch.tables = {**article_tables(articles), **fact_tables(articles, extractions)}
    return batch


def _process_one(
    job: FileJob, known: Container[str]
) -> tuple[
    list[PreparedArticle], list[tuple[str, int | None, str]], list[Problem],
    list[ArticleExtraction],
]:
    """One file's new articles, its holders and problems, and each new article's facts."""
    from etl import extract  # on first use: see the note at the top
    assert _reference is not None
    gazetteer, themes = _reference
    manifest = {job.relative: job.manifest} if job.manifest is not None else None
    records, problems = read_file(Path(job.path), job.relative, _max_file_bytes, manifest)
    articles, holders, clean_problems = prepare_articles(records, known)
    extractions = [
        extract.extract_article(a.clean.text, a.published, gazetteer, themes) for a in articles
    ]
    return articles, holders, problems + clean_problems, extractions


def unexpected_reason(exc: BaseException) -> str:
    """Why a file failed in a way no reader foresaw, and what to do about it."""
    detail = str(exc)[:200]
    return (
        f"could not be read because of an unexpected error ({type(exc).__name__}: {detail}); "
        f"the other files were loaded. Check the file, and report the error if it looks like "
        f"an ordinary article"
    )


# --- rows -----------------------------------------------------------------------------------


def _stable_id(*parts: object) -> str:
    return hashlib.sha1("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[
        :16
    ]


def article_tables(articles: Sequence[PreparedArticle]) -> dict[str, pa.Table]:
    """The `articles`, `article_raw` and `article_signatures` tables."""
    from etl import stories  # NumPy, on use (see the top of this module)

    rows: list[dict[str, object]] = []
    raw_rows: list[dict[str, object]] = []
    signature_rows: list[dict[str, object]] = []
    for a in articles:
        rows.append(
            {
                "article_id": a.article_id,
                "source_file": a.record.source_file,
                "record_no": a.record.record_no,
                "file_format": a.record.file_format,
                "title": a.title,
                "outlet": a.outlet,
                "author": a.author,
                "url": a.url,
                "published": a.published.first_day() if a.published else None,
                "published_precision": a.published.precision if a.published else None,
                "date_source": a.metadata_sources["published"],
                "title_source": a.metadata_sources["title"],
                "outlet_source": a.metadata_sources["outlet"],
                "author_source": a.metadata_sources["author"],
                "url_source": a.metadata_sources["url"],
                "encoding": a.record.encoding,
                "word_count": a.word_count,
                "text": a.clean.text,
                "duplicate_files": [],  # filled in once every file is read
            }
        )
        raw_rows.append(
            {
                "article_id": a.article_id,
                "raw_text": a.record.raw_text,
                "removed_lines": a.clean.removed_lines,
            }
        )
        signature_rows.append(
            {"article_id": a.article_id, "minhash": stories.signature(a.clean.text)})
    return {
        "articles": warehouse.rows_table("articles", rows),
        "article_raw": warehouse.rows_table("article_raw", raw_rows),
        "article_signatures": warehouse.rows_table("article_signatures", signature_rows),
    }


def fact_tables(
    articles: Sequence[PreparedArticle], extractions: Sequence[ArticleExtraction]
) -> dict[str, pa.Table]:
    """Sentences, mentions, dates, events, memberships and themes of every article."""
    from etl import extract  # on first use: see the note at the top
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in EXTRACTED_TABLES}
    for article, found in zip(articles, extractions, strict=True):
        aid = article.article_id
        rows["sentences"] += [
            {
                "article_id": aid,
                "sentence_no": s.sentence_no,
                "start_char": s.start,
                "end_char": s.end,
                "text": s.text,
            }
            for s in found.sentences
        ]
        rows["mentions"] += [
            {
                "article_id": aid,
                "sentence_no": m.sentence_no,
                "initiative_id": m.initiative_id,
                "surface": m.surface,
                "start_char": m.start,
                "end_char": m.end,
                "method": m.method,
            }
            for m in found.mentions
        ]
        rows["date_mentions"] += [
            {
                "article_id": aid,
                "sentence_no": d.sentence_no,
                "expression": d.expression,
                "start_char": d.start,
                "end_char": d.end,
                "year": d.year,
                "month": d.month,
                "day": d.day,
                "end_year": d.end_year,
                "end_month": d.end_month,
                "end_day": d.end_day,
                "basis": d.basis,
                "role": d.role,
            }
            for d in found.dates
        ]
        seen_events: set[str] = set()
        for e in found.events:
            event_id = _stable_id(
                aid,
                e.sentence_no,
                e.initiative_id,
                e.event_type,
                e.year,
                e.month,
                e.day,
                e.end_year,
                e.end_month,
                e.end_day,
            )
            if event_id in seen_events:
                continue
            seen_events.add(event_id)
            rows["events"].append(
                {
                    "event_id": event_id,
                    "initiative_id": e.initiative_id,
                    "event_type": e.event_type,
                    "year": e.year,
                    "month": e.month,
                    "day": e.day,
                    "end_year": e.end_year,
                    "end_month": e.end_month,
                    "end_day": e.end_day,
                    "date_text": e.date_text,
                    "date_basis": e.date_basis,
                    "article_id": aid,
                    "sentence_no": e.sentence_no,
                    "sentence": e.sentence,
                    "rule": e.rule,
                    "confidence": e.confidence,
                    "initiative_sentence_no": e.initiative_sentence_no,
                }
            )
        seen_members: set[str] = set()
        for m in found.memberships:
            membership_id = _stable_id(aid, m.sentence_no, m.initiative_id, m.kind, m.count, m.year)
            if membership_id in seen_members:
                continue
            seen_members.add(membership_id)
            rows["memberships"].append(
                {
                    "membership_id": membership_id,
                    "initiative_id": m.initiative_id,
                    "kind": m.kind,
                    "count": m.count,
                    "year": m.year,
                    "year_basis": m.year_basis,
                    "count_text": m.count_text,
                    "article_id": aid,
                    "sentence_no": m.sentence_no,
                    "sentence": m.sentence,
                    "rule": m.rule,
                    "confidence": m.confidence,
                    "initiative_sentence_no": m.initiative_sentence_no,
                }
            )
        rows["sentence_themes"] += [
            {
                "article_id": aid,
                "sentence_no": h.sentence_no,
                "theme": h.theme,
                "keyword": h.keyword,
            }
            for h in found.theme_hits
        ]
        spans = {s.sentence_no: (s.start, s.end) for s in found.sentences}
        examples = extract.theme_examples(found.theme_hits)
        rows["article_themes"] += [
            {
                "article_id": aid,
                "theme": theme,
                "hits": hits,
                "per_1000_words": per_1000,
                "rank": rank,
                "examples": [
                    {"sentence_no": sentence_no, "keyword_count": len(keywords),
                     "keywords": ", ".join(keywords), "start_char": spans[sentence_no][0],
                     "end_char": spans[sentence_no][1]}
                    for sentence_no, keywords in examples[theme]
                ],
            }
            for theme, hits, per_1000, rank in extract.article_theme_scores(
                found.theme_hits, article.word_count
            )
        ]
        rows["initiative_themes"] += [
            {"article_id": aid, "initiative_id": initiative, "theme": theme, "sentences": n}
            for initiative, theme, n in extract.initiative_theme_sentences(
                found.mentions, found.theme_hits)
        ]
        rows["candidate_initiatives"] += [
            {
                "article_id": aid,
                "sentence_no": c.sentence_no,
                "surface": c.surface,
                "name_key": c.name_key,
                "relation": c.relation,
                "start_char": c.start,
                "end_char": c.end,
            }
            for c in found.candidates
        ]
    return {name: warehouse.rows_table(name, table_rows) for name, table_rows in rows.items()}
