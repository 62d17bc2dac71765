"""One build: read the article folder, clean, extract in parallel, and write the warehouse.

This module wires the stages together; each stage lives in its own module and knows nothing of
the others: `sources` (files -> records), `normalize` (text -> clean text), `extract` (clean text
-> facts), `warehouse` (tables -> DuckDB file).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from etl import extract, incremental, normalize, sources, warehouse
from etl.model import ArticleExtraction, CleanText, Problem, PublicationDate, SourceRecord
from etl.settings import Settings

ProgressCallback = Callable[[str, int, int], None]  # (stage, done, total)

# The tables extraction writes, one group of rows per article (`fact_tables`); an incremental
# build reuses the stored rows of unchanged articles in exactly these.
EXTRACTED_TABLES = (
    "sentences",
    "mentions",
    "date_mentions",
    "events",
    "memberships",
    "sentence_themes",
    "article_themes",
)


class NothingToBuild(warehouse.WarehouseError):
    """No article could be loaded, so the previous warehouse is kept."""


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


@dataclass
class BuildReport:
    """What a build did, for the CLI summary and the `etl_runs` table."""

    run_id: str
    db_path: Path
    started_at: dt.datetime
    finished_at: dt.datetime | None = None
    files_seen: int = 0
    articles_loaded: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, same article as file)
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    status: str = "running"
    # incremental builds: articles whose stored facts were kept, articles extracted afresh, and
    # why the others could not be reused ('' when every unchanged article was)
    articles_reused: int = 0
    articles_extracted: int = 0
    reuse_note: str = ""
    # every loaded article as (source file, record number or None, article id), in build order
    loaded: list[tuple[str, int | None, str]] = field(default_factory=list)

    @property
    def files_failed(self) -> int:
        return len({p.source_file for p in self.problems if p.severity == "error"})

    def messages(self) -> list[str]:
        return [p.message() for p in self.problems] + [
            f"{dup}: skipped, same article as {original}" for dup, original in self.duplicates
        ]


# --- metadata ------------------------------------------------------------------------------


def resolve_metadata(
    record: SourceRecord, clean: CleanText
) -> tuple[dict[str, object], dict[str, str]]:
    """Final metadata values and their source: what the record carries, else what the text shows.

    The record already applies manifest > front matter/record fields > header; the text can
    only fill gaps ('inferred'), and a field nobody knows is 'unknown'.
    """
    inferred: dict[str, object] = {"title": clean.headline, "author": clean.byline}
    if record.published is None:
        # the page furniture the cleaning removed (a 'May 16, 2024' line above the headline)
        # and the article's address often carry the date the body leaves out
        inferred["published"] = extract.infer_publication_date(
            clean.text, url=record.url, header_lines=clean.removed_lines
        )
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    for name in ("title", "outlet", "author", "url", "published"):
        value = getattr(record, name)
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


def prepare_articles(
    records: Sequence[SourceRecord],
) -> tuple[list[PreparedArticle], list[tuple[str, str]], list[Problem]]:
    """Clean every record, fill metadata, and drop repeats of an article already seen.

    Returns the articles, the duplicates as (file, original file), and records that had no
    article text left after cleaning.
    """
    prepared: dict[str, PreparedArticle] = {}
    duplicates: list[tuple[str, str]] = []
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
        label = _record_label(record)
        if article_id in prepared:
            original = prepared[article_id]
            original.duplicate_files.append(label)
            duplicates.append((label, _record_label(original.record)))
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
            word_count=normalize.word_count(clean.text),
        )
    return list(prepared.values()), duplicates, problems


def _record_label(record: SourceRecord) -> str:
    return (
        record.source_file
        if record.record_no is None
        else f"{record.source_file}#{record.record_no}"
    )


# --- extraction, in parallel when it pays ---------------------------------------------------

_worker_reference: tuple[extract.Gazetteer, extract.ThemeTaxonomy] | None = None


def _init_worker(reference_dir: str) -> None:
    global _worker_reference
    _worker_reference = (
        extract.load_gazetteer(Path(reference_dir)),
        extract.load_themes(Path(reference_dir)),
    )


def _extract_one(job: tuple[str, PublicationDate | None]) -> ArticleExtraction:
    assert _worker_reference is not None, "worker not initialised"
    text, published = job
    gazetteer, themes = _worker_reference
    return extract.extract_article(text, published, gazetteer, themes)


def extract_all(
    articles: Sequence[PreparedArticle],
    reference_dir: Path,
    workers: int,
    parallel_threshold: int,
    progress: ProgressCallback | None = None,
) -> list[ArticleExtraction]:
    """Run extraction over every article, in worker processes for large corpora, in input order."""
    jobs = [(a.clean.text, a.published) for a in articles]
    total = len(jobs)
    if not jobs:  # an incremental build with nothing new: skip compiling the reference data
        return []
    results: list[ArticleExtraction] = []
    n_workers = workers or os.cpu_count() or 1
    if total < parallel_threshold or n_workers == 1:
        _init_worker(str(reference_dir))
        for job in jobs:
            results.append(_extract_one(job))
            if progress:
                progress("extract", len(results), total)
        return results
    context = multiprocessing.get_context("forkserver")
    chunk = max(1, min(64, total // (n_workers * 8)))
    with ProcessPoolExecutor(
        n_workers, mp_context=context, initializer=_init_worker, initargs=(str(reference_dir),)
    ) as pool:
        for result in pool.map(_extract_one, jobs, chunksize=chunk):
            results.append(result)
            if progress and (len(results) % 50 == 0 or len(results) == total):
                progress("extract", len(results), total)
    return results


# --- tables ---------------------------------------------------------------------------------


def _stable_id(*parts: object) -> str:
    return hashlib.sha1("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[
        :16
    ]


def article_tables(articles: Sequence[PreparedArticle]) -> dict[str, pa.Table]:
    """The `articles` and `article_raw` tables."""
    rows = []
    raw_rows = []
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
                "duplicate_files": a.duplicate_files,
            }
        )
        raw_rows.append(
            {
                "article_id": a.article_id,
                "raw_text": a.record.raw_text,
                "removed_lines": a.clean.removed_lines,
            }
        )
    schema = pa.schema(
        [
            ("article_id", pa.string()),
            ("source_file", pa.string()),
            ("record_no", pa.int32()),
            ("file_format", pa.string()),
            ("title", pa.string()),
            ("outlet", pa.string()),
            ("author", pa.string()),
            ("url", pa.string()),
            ("published", pa.date32()),
            ("published_precision", pa.string()),
            ("date_source", pa.string()),
            ("title_source", pa.string()),
            ("outlet_source", pa.string()),
            ("author_source", pa.string()),
            ("url_source", pa.string()),
            ("encoding", pa.string()),
            ("word_count", pa.int32()),
            ("text", pa.string()),
            ("duplicate_files", pa.list_(pa.string())),
        ]
    )
    raw_schema = pa.schema(
        [
            ("article_id", pa.string()),
            ("raw_text", pa.string()),
            ("removed_lines", pa.list_(pa.string())),
        ]
    )
    return {
        "articles": pa.Table.from_pylist(rows, schema=schema),
        "article_raw": pa.Table.from_pylist(raw_rows, schema=raw_schema),
    }


def fact_tables(
    articles: Sequence[PreparedArticle], extractions: Sequence[ArticleExtraction]
) -> dict[str, pa.Table]:
    """Sentences, mentions, dates, events, memberships and themes of every article."""
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
        rows["article_themes"] += [
            {
                "article_id": aid,
                "theme": theme,
                "hits": hits,
                "per_1000_words": per_1000,
                "rank": rank,
            }
            for theme, hits, per_1000, rank in extract.article_theme_scores(
                found.theme_hits, article.word_count
            )
        ]
    int_cols = {
        "sentence_no",
        "start_char",
        "end_char",
        "year",
        "month",
        "day",
        "end_year",
        "end_month",
        "end_day",
        "count",
        "hits",
        "rank",
    }
    tables = {}
    for name, table_rows in rows.items():
        tables[name] = _arrow_from_rows(table_rows, int_cols)
    return tables


def _arrow_from_rows(rows: list[dict[str, object]], int_cols: set[str]) -> pa.Table:
    if not rows:
        return pa.table({})
    columns = list(rows[0].keys())
    arrays = {}
    for col in columns:
        values = [r[col] for r in rows]
        if col in int_cols:
            arrays[col] = pa.array(values, type=pa.int32())
        elif col == "per_1000_words":
            arrays[col] = pa.array(values, type=pa.float64())
        else:
            arrays[col] = pa.array(values, type=pa.string())
    return pa.table(arrays)


def reference_tables(
    gazetteer: extract.Gazetteer, themes: extract.ThemeTaxonomy, reference_dir: Path
) -> dict[str, pa.Table]:
    """Initiatives, themes and `<initiative>_membership.csv` series from the reference files."""
    initiatives = pa.Table.from_pylist(
        [
            {
                "initiative_id": i.id,
                "name": i.name,
                "acronym": i.acronym,
                "category": i.category,
                "description": i.description,
                "aliases": list(i.aliases),
            }
            for i in gazetteer.initiatives
        ],
        schema=pa.schema(
            [
                ("initiative_id", pa.string()),
                ("name", pa.string()),
                ("acronym", pa.string()),
                ("category", pa.string()),
                ("description", pa.string()),
                ("aliases", pa.list_(pa.string())),
            ]
        ),
    )
    theme_table = pa.Table.from_pylist(
        [{"theme": t.name, "label": t.label, "description": t.description} for t in themes.themes]
    )
    return {
        "initiatives": initiatives,
        "themes": theme_table,
        "membership_reference": membership_reference_table(reference_dir),
    }


def membership_reference_table(reference_dir: Path) -> pa.Table:
    """Sourced membership series shipped as `<initiative id>_membership.csv`.

    Years marked 'unconfirmed' stay NULL: a reference series is never filled in by carrying a
    neighbouring year forward.
    """
    rows = []
    for path in sorted(reference_dir.glob("*_membership.csv")):
        initiative_id = path.name.removesuffix("_membership.csv").upper()
        with open(path, newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                count_text = (row.get("member_count") or "").strip()
                confirmed = count_text.isdigit()
                rows.append(
                    {
                        "initiative_id": initiative_id,
                        "year": int(row["year"]),
                        "member_count": int(count_text) if confirmed else None,
                        "confirmed": confirmed,
                        "new_members": row.get("new_members") or None,
                        "source": row.get("source") or None,
                    }
                )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("initiative_id", pa.string()),
                ("year", pa.int32()),
                ("member_count", pa.int32()),
                ("confirmed", pa.bool_()),
                ("new_members", pa.string()),
                ("source", pa.string()),
            ]
        ),
    )


def run_tables(report: BuildReport) -> dict[str, pa.Table]:
    """This build's row in `etl_runs` and its problems in `load_problems`."""
    runs = pa.Table.from_pylist(
        [
            {
                "run_id": report.run_id,
                "started_at": report.started_at,
                "finished_at": report.finished_at,
                "files_seen": report.files_seen,
                "articles_loaded": report.articles_loaded,
                "duplicates": len(report.duplicates),
                "files_failed": report.files_failed,
                "messages": report.messages(),
                "status": report.status,
            }
        ],
        schema=pa.schema(
            [
                ("run_id", pa.string()),
                ("started_at", pa.timestamp("us")),
                ("finished_at", pa.timestamp("us")),
                ("files_seen", pa.int32()),
                ("articles_loaded", pa.int32()),
                ("duplicates", pa.int32()),
                ("files_failed", pa.int32()),
                ("messages", pa.list_(pa.string())),
                ("status", pa.string()),
            ]
        ),
    )
    problems = pa.Table.from_pylist(
        [
            {
                "run_id": report.run_id,
                "source_file": p.source_file,
                "record_no": p.record_no,
                "severity": p.severity,
                "reason": p.reason,
            }
            for p in report.problems
        ],
        schema=pa.schema(
            [
                ("run_id", pa.string()),
                ("source_file", pa.string()),
                ("record_no", pa.int32()),
                ("severity", pa.string()),
                ("reason", pa.string()),
            ]
        ),
    )
    return {"etl_runs": runs, "load_problems": problems}


# --- staleness ------------------------------------------------------------------------------


def input_signature(settings: Settings) -> str:
    """A fingerprint of everything a build reads (article files, reference data, schema).

    Any added, removed or changed file changes it, so `--if-stale` rebuilds exactly when needed.
    """
    digest = hashlib.sha256(warehouse.SCHEMA_VERSION.encode())
    digest.update(warehouse.schema_sql().encode())
    for root in (settings.articles_dir, settings.reference_dir):
        for path in sorted(_walk(root)):
            stat = path.stat()
            digest.update(f"{path.relative_to(root)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def _walk(root: Path) -> Iterable[Path]:
    if not root.exists():
        return []
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    ]


def warehouse_is_stale(settings: Settings) -> bool:
    """True when the warehouse is missing, unreadable, or was built from different input."""
    info = warehouse.read_info(settings.db_path)
    return info.get("input_signature") != input_signature(settings)


# --- the build ------------------------------------------------------------------------------


def build_warehouse(
    settings: Settings, progress: ProgressCallback | None = None, reuse: bool = True
) -> BuildReport:
    """Build the warehouse from `settings.articles_dir` into `settings.db_path`, atomically.

    Files that cannot be read are reported and skipped. With `reuse` (the default) articles
    unchanged since the live warehouse keep their stored facts and only the others are extracted
    (`etl.incremental`); the result is the same as a full build. Raises `NothingToBuild` when no
    article loads (the previous warehouse is kept) and `WarehouseError` when the result fails
    validation.
    """
    if not settings.articles_dir.is_dir():
        raise NothingToBuild(f"the article folder {settings.articles_dir} does not exist")
    report = BuildReport(
        run_id=uuid.uuid4().hex[:12],
        db_path=settings.db_path,
        started_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
    )
    with warehouse.build_lock(settings.db_path):
        warehouse.remove_stale_staging(settings.db_path)
        signature = input_signature(settings)
        report.files_seen = len(sources.discover_files(settings.articles_dir))
        if progress:
            progress("read", 0, report.files_seen)
        records, read_problems = sources.read_corpus(settings.articles_dir, settings.max_file_bytes)
        report.problems.extend(read_problems)
        articles, report.duplicates, clean_problems = prepare_articles(records)
        report.problems.extend(clean_problems)
        if not articles:
            report.status = "failed"
            reasons = "; ".join(report.messages()[:5]) or "the folder holds no article files"
            raise NothingToBuild(
                f"no article could be loaded from {settings.articles_dir} ({reasons})"
            )
        gazetteer = extract.load_gazetteer(settings.reference_dir)
        themes = extract.load_themes(settings.reference_dir)
        extractor_signature = incremental.extractor_signature(settings.reference_dir)
        reused = (
            incremental.reusable_facts(
                settings.db_path,
                extractor_signature,
                {a.article_id: incremental.extraction_key(a.clean.text, a.published)
                 for a in articles},
                EXTRACTED_TABLES,
            )
            if reuse
            else incremental.Reused(reason="a full build was asked for")
        )
        to_extract = [a for a in articles if a.article_id not in reused.article_ids]
        extractions = extract_all(
            to_extract,
            settings.reference_dir,
            settings.workers,
            settings.parallel_threshold,
            progress,
        )
        tables = {
            **reference_tables(gazetteer, themes, settings.reference_dir),
            **article_tables(articles),
            **incremental.combine(
                fact_tables(to_extract, extractions),
                reused.tables,
                [a.article_id for a in articles],
            ),
        }
        report.articles_loaded = len(articles)
        report.articles_reused = len(reused.article_ids)
        report.articles_extracted = len(to_extract)
        report.reuse_note = reused.reason
        report.loaded = [(a.record.source_file, a.record.record_no, a.article_id) for a in articles]
        report.counts = {
            name: tables[name].num_rows
            for name in ("sentences", "mentions", "events", "memberships", "article_themes")
        }
        report.status = "ok"
        report.finished_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if progress:
            progress("write", 0, 1)
        warehouse.write_warehouse(
            settings.db_path,
            {**tables, **run_tables(report)},
            info={
                "build_id": report.run_id,
                "built_at": report.finished_at.isoformat(timespec="seconds"),
                "input_signature": signature,
                incremental.SIGNATURE_KEY: extractor_signature,
                "articles_dir": str(settings.articles_dir),
            },
            carry_over=warehouse.previous_runs(settings.db_path),
        )
    return report
