"""Incremental rebuilds: keep the stored facts of articles whose extraction input is unchanged.

An article's extracted facts (its rows in the tables extraction writes: `sentences`,
`mentions`, `date_mentions`, `events`, `memberships`, `sentence_themes`, `article_themes`) are a
pure function of four things: the article's exact cleaned text, its publication date (relative
dates such as "last year" resolve against it), the extraction code, and the reference files the
extractors compile (`data/reference/*.toml`). Tables the warehouse derives from those rows in SQL
at every build (the search index: `search_documents`, `search_postings`, and the corpus-wide
`search_terms` and `search_stats`) are not reused: they are rebuilt from the combined rows, which
costs little and keeps corpus-wide statistics right.

The warehouse records a fingerprint of the last two as `extractor_signature` in
`warehouse_info`. When the live warehouse carries the same fingerprint as this build would, an
article whose stored text and publication date equal the new ones keeps its stored rows, and only
the other articles are extracted. The article id alone is not a safe key: it is a hash of the
case- and space-folded text (so two spellings of one article load once), and a changed date in
the manifest changes the facts without changing the id.

The result must equal a full build of the same folder; `tests/test_incremental.py` compares every
content table of the two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from etl import warehouse
from etl.model import PublicationDate

ETL_PACKAGE_DIR = Path(__file__).resolve().parent
SIGNATURE_KEY = "extractor_signature"



def extraction_code_files(package_dir: Path = ETL_PACKAGE_DIR) -> list[Path]:
    """The code whose output is stored per article: every module of the `etl` package and its
    schema.

    A deliberate superset of `etl/extract/*.py` and `etl/normalize.py`: the rows also take their
    shape from `etl/model.py`, `etl/pipeline.py` (`fact_tables`) and `etl/schema.sql`, and a
    module added later (a search index, say) is covered without anyone remembering to list it.
    A code change costs one full extraction; a stale fact would cost a wrong chart.
    """
    files = [*package_dir.rglob("*.py"), *package_dir.rglob("*.sql")]
    return sorted(
        (p for p in files if "__pycache__" not in p.parts),
        key=lambda p: p.relative_to(package_dir).as_posix(),
    )


def extractor_signature(reference_dir: Path, package_dir: Path = ETL_PACKAGE_DIR) -> str:
    """Fingerprint of what extraction reads besides the article: reference TOML files and code.

    Content hashes, not modification times, so a fresh checkout of the same code and data keeps
    the stored facts. The reference CSV series are left out: they become `membership_reference`,
    which every build rebuilds, and no extractor reads them.
    """
    digest = hashlib.sha256(f"schema {warehouse.SCHEMA_VERSION}\n".encode())
    for label, root, paths in (
        ("reference", Path(reference_dir), sorted(Path(reference_dir).glob("*.toml"))),
        ("code", package_dir, extraction_code_files(package_dir)),
    ):
        for path in paths:
            digest.update(f"{label} {path.relative_to(root).as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def extraction_key(text: str, published: PublicationDate | None) -> str:
    """What extraction reads from one article: its exact cleaned text and publication date."""
    date = f"{published.iso()}|{published.precision}" if published else "undated"
    return hashlib.sha256(f"{date}\n{text}".encode()).hexdigest()


def _stored_published(day: object, precision: object) -> PublicationDate | None:
    """The `PublicationDate` a stored (`published`, `published_precision`) pair stands for."""
    if day is None or precision is None:
        return None
    return PublicationDate(
        day.year,  # type: ignore[attr-defined]
        day.month if precision in ("month", "day") else None,  # type: ignore[attr-defined]
        day.day if precision == "day" else None,  # type: ignore[attr-defined]
    )


@dataclass
class Reused:
    """Articles whose stored facts this build keeps, their rows, and why no more were kept."""

    article_ids: frozenset[str] = frozenset()
    tables: dict[str, pa.Table] = field(default_factory=dict)
    reason: str = ""  # empty when every unchanged article was reused


def reusable_facts(
    db_path: Path, signature: str, keys: Mapping[str, str], tables: Sequence[str]
) -> Reused:
    """Stored rows, in `tables`, of the articles in `keys` (article id -> `extraction_key`)
    whose extraction input is unchanged.

    `tables` are the tables extraction writes, each with an `article_id` column. The articles'
    own rows (`articles`, `article_raw`) are not among them: metadata such as the title or the
    duplicate files can change while the text stays the same, and they cost nothing to rebuild.

    Returns nothing to reuse, with the reason, when there is no live warehouse, it was built by
    other extraction code or reference data, or it cannot be read: a full extraction is always
    correct.
    """
    if not db_path.exists():
        return Reused(reason="no previous warehouse")
    try:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return _reusable_from(con, signature, keys, tables)
    except duckdb.Error as exc:
        return Reused(reason=f"the previous warehouse could not be read ({exc})")


def _reusable_from(
    con: duckdb.DuckDBPyConnection, signature: str, keys: Mapping[str, str], tables: Sequence[str]
) -> Reused:
    info = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall())
    if info.get(SIGNATURE_KEY) != signature:
        return Reused(reason="the extraction code or reference data differ from the last build's")
    stored = con.execute(
        "SELECT article_id, text, published, published_precision FROM articles"
    ).fetchall()
    unchanged = frozenset(
        article_id
        for article_id, text, day, precision in stored
        if article_id in keys
        and keys[article_id] == extraction_key(text, _stored_published(day, precision))
    )
    if not unchanged:
        return Reused(reason="no article is unchanged")
    con.register("_reused_ids", pa.table({"article_id": sorted(unchanged)}))
    try:
        rows = {
            # rowid keeps each article's rows in the order they were written
            name: con.sql(
                f'SELECT t.* FROM "{name}" AS t SEMI JOIN _reused_ids USING (article_id) '  # noqa: S608
                "ORDER BY t.rowid"
            ).to_arrow_table()
            for name in tables
        }
    finally:
        con.unregister("_reused_ids")
    return Reused(article_ids=unchanged, tables=rows)


def combine(
    fresh: Mapping[str, pa.Table],
    reused: Mapping[str, pa.Table],
    article_order: Sequence[str],
) -> dict[str, pa.Table]:
    """Each fact table as the union of fresh and reused rows, in the order a full build writes.

    Rows follow `article_order` (the build's article order), keeping each article's own row
    order, so an incremental build writes the same rows in the same order as a full one. Reused
    columns are cast to the fresh table's types (Arrow from DuckDB may differ in width).
    """
    position = {article_id: n for n, article_id in enumerate(article_order)}
    combined: dict[str, pa.Table] = {}
    for name in {*fresh, *reused}:
        new = fresh.get(name)
        old = reused.get(name)
        if old is None or old.num_rows == 0:
            combined[name] = new if new is not None else old  # type: ignore[assignment]
            continue
        if new is None or new.num_rows == 0 or not new.column_names:
            table = old
        else:
            table = pa.concat_tables([new, old.select(new.column_names).cast(new.schema)])
        order = pa.array([position[a] for a in table.column("article_id").to_pylist()])
        combined[name] = table.take(pc.sort_indices(order))  # a stable sort
    return combined
