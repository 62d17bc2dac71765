"""A batch's rows as Parquet shards, and the shards loaded into the warehouse by DuckDB.

A build on a cluster (`etl.cluster`) does not send rows back to the build process: each task
writes the tables of its batch as Parquet files, one folder per table
(`<shard dir>/<table>/<batch number>.parquet`), and returns only what the build needs to decide
which rows to keep: the files it read, their problems and which record held which article
(`ShardedBatch`). The build then decides, in reading order, which batch loads each article (the
first record holding it wins, as in a build on one machine, `etl.pipeline.Loader`) and inserts
every table with one `INSERT ... SELECT` from `read_parquet`, keeping only those rows.

Nothing here knows which engine ran the tasks: any engine that calls `write_shards` on the
workers and `load_shards` in the build gives the same warehouse.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.prepare import ARTICLE_TABLES, Batch
from etl.settings import Settings

SHARD_SUFFIX = ".parquet"


@dataclass
class ShardedBatch:
    """One batch whose rows are in Parquet shards: its bookkeeping (`batch`, without tables)
    and the shard of each table that has rows."""

    batch_no: int
    batch: Batch
    paths: dict[str, str] = field(default_factory=dict)  # table -> shard file


@contextlib.contextmanager
def shard_folder(settings: Settings) -> Iterator[Path]:
    """A new, empty folder for one build's shards, removed when the build ends however it ends.

    By default it sits beside the warehouse, named like the build's staging file
    (`<db>.building-shards-<pid>`), so a build killed outright has it removed by the next one
    (`warehouse.remove_stale_staging`); `IM_SHARD_DIR` puts it in a folder of its own.
    """
    parent = settings.shard_dir or settings.db_path.parent
    parent.mkdir(parents=True, exist_ok=True)
    prefix = f"{settings.db_path.name}.building-shards-"
    out_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}.", dir=parent))
    try:
        yield out_dir
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def shard_path(out_dir: Path, table: str, batch_no: int) -> Path:
    """Where batch `batch_no` writes the rows of `table`."""
    return out_dir / table / f"{batch_no:07d}{SHARD_SUFFIX}"


def write_shards(batch: Batch, out_dir: Path, batch_no: int) -> ShardedBatch:
    """Write each table of `batch` that has rows as a Parquet shard; return the bookkeeping.

    A shard is written under a temporary name and renamed, so a shard that exists is whole
    (a task run twice after a lost worker writes the same rows again).
    """
    import pyarrow.parquet as pq  # on use (see the top of `etl.prepare`)

    paths: dict[str, str] = {}
    for name, table in batch.tables.items():
        if table.num_rows == 0:
            continue
        path = shard_path(out_dir, name, batch_no)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        pq.write_table(table, partial)
        os.replace(partial, path)
        paths[name] = str(path)
    bookkeeping = Batch(files=batch.files, problems=batch.problems, holders=batch.holders)
    return ShardedBatch(batch_no, bookkeeping, paths)


def load_shards(
    con: duckdb.DuckDBPyConnection, loads: Sequence[tuple[ShardedBatch, Sequence[str]]]
) -> None:
    """Insert the rows of each batch's articles listed with it, one statement per table.

    `loads` pairs each batch with the articles it loads (those whose first holder it has);
    rows of its other articles (repeats of an article an earlier batch loads) are left out.
    """
    for name in ARTICLE_TABLES:
        keep = [(sharded.paths[name], article_id)
                for sharded, article_ids in loads if name in sharded.paths
                for article_id in article_ids]
        if keep:
            _insert_shards(con, name, keep)


def _insert_shards(
    con: duckdb.DuckDBPyConnection, table: str, keep: Sequence[tuple[str, str]]
) -> None:
    """Insert the rows of `table` whose (shard file, article id) is in `keep`."""
    import pyarrow as pa  # on use (see the top of `etl.prepare`)
    import pyarrow.parquet as pq

    files = list(dict.fromkeys(path for path, _ in keep))
    columns = ", ".join(f'"{name}"' for name in pq.read_schema(files[0]).names)
    con.register("_keep", pa.table({"filename": [path for path, _ in keep],
                                    "article_id": [article_id for _, article_id in keep]}))
    try:
        con.execute(
            f'INSERT INTO "{table}" ({columns}) SELECT {columns} '  # noqa: S608 (names from
            "FROM read_parquet(?, filename = true, union_by_name = true) "  # the schema)
            "WHERE (filename, article_id) IN (SELECT filename, article_id FROM _keep)",
            [files],
        ).fetchall()
    finally:
        con.unregister("_keep")
