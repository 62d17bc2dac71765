"""Command line: `python -m etl` builds the warehouse and prints a summary."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from etl import pipeline, warehouse
from etl.settings import Settings, settings_help

PROGRESS_MIN_FILES = 5  # below this a progress bar is noise

EXIT_OK = 0
EXIT_NO_WAREHOUSE = 1
EXIT_BUSY = 3


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    defaults = Settings()
    env_lines = "\n".join(
        f"  {name:<24} {help_} (default: {default})" for name, default, help_ in settings_help()
    )
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        description="Build the Initiative Monitor warehouse (DuckDB) from a folder of articles.",
        epilog=f"Environment variables:\n{env_lines}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--articles",
        type=Path,
        default=defaults.articles_dir,
        help="folder of article files and manifest.csv (default: %(default)s)",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=defaults.db_path,
        help="warehouse file to write (default: %(default)s)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument(
        "--if-stale",
        action="store_true",
        help="build only when the warehouse is missing or its input changed",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m etl` and the `initiative-etl` console script."""
    args = parse_args(argv)
    settings = dataclasses.replace(Settings(), articles_dir=args.articles, db_path=args.db)
    console = Console(stderr=False, quiet=args.quiet)
    errors = Console(stderr=True)
    if args.if_stale and not pipeline.warehouse_is_stale(settings):
        console.print(f"Warehouse {settings.db_path} is up to date with {settings.articles_dir}.")
        return EXIT_OK
    try:
        if args.quiet or _count_files(settings) < PROGRESS_MIN_FILES:
            report = pipeline.build_warehouse(settings)
        else:
            report = _build_with_progress(settings, console)
    except warehouse.BuildInProgress as exc:
        errors.print(f"[red]Not built:[/red] {escape(str(exc))}", soft_wrap=True)
        return EXIT_BUSY
    except warehouse.WarehouseError as exc:
        errors.print(f"[red]No warehouse was built:[/red] {escape(str(exc))}", soft_wrap=True)
        errors.print("The previous warehouse, if any, is unchanged.")
        return EXIT_NO_WAREHOUSE
    print_summary(report, console)
    return EXIT_OK


def _count_files(settings: Settings) -> int:
    from etl import sources

    return (
        len(sources.discover_files(settings.articles_dir)) if settings.articles_dir.is_dir() else 0
    )


def _build_with_progress(settings: Settings, console: Console) -> pipeline.BuildReport:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage.capitalize(), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        return pipeline.build_warehouse(settings, progress=update)


def print_summary(report: pipeline.BuildReport, console: Console) -> None:
    """The closing summary: what was seen, loaded, skipped and extracted, and every problem."""
    table = Table(title=f"Warehouse {report.db_path}", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files seen", str(report.files_seen))
    table.add_row("articles loaded", str(report.articles_loaded))
    table.add_row("skipped as duplicates", str(len(report.duplicates)))
    table.add_row("files failed", str(report.files_failed))
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    for dup, original in report.duplicates:
        console.print(
            f"  [yellow]duplicate[/yellow] {escape(dup)}: same article as {escape(original)}",
            soft_wrap=True,
        )
    for problem in report.problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(
            f"  [{colour}]{problem.severity}[/{colour}] {escape(problem.message())}",
            highlight=False,
            soft_wrap=True,
        )


if __name__ == "__main__":
    sys.exit(main())
