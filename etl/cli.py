"""Command line: `python -m etl` builds the warehouse and prints a summary;
`python -m etl add FILE...` copies files into the article folder and rebuilds incrementally."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from etl import cluster, freshness, intake, interrupt, pipeline, warehouse
from etl.corrections.cli import add_corrections_command
from etl.fetch.cli import add_fetch_command
from etl.settings import Settings, settings_help

PROGRESS_MIN_FILES = 5  # below this a progress bar is noise

EXIT_OK = 0
EXIT_NO_WAREHOUSE = 1
EXIT_BUSY = 3
EXIT_NOTHING_ADDED = 4  # `add`: every file was refused
EXIT_NO_ENGINE = 7  # `--engine dask` without the optional extra installed (or no scheduler)
EXIT_INTERRUPTED = interrupt.EXIT_INTERRUPTED  # Ctrl-C or SIGTERM


def make_parser() -> argparse.ArgumentParser:
    """`python -m etl [options]` builds the warehouse; its sub-command `add` adds files first."""
    defaults = Settings()
    env_lines = "\n".join(
        f"  {name:<24} {help_} (default: {default})" for name, default, help_ in settings_help()
    )
    parser = argparse.ArgumentParser(
        prog="python -m etl",
        usage="%(prog)s [options]\n       %(prog)s add [options] [--] FILE [FILE ...]\n"
              "       %(prog)s corrections ACTION [options]\n"
              "       %(prog)s fetch [options] URL... | --feeds FILE",
        description="Build the Initiative Monitor warehouse (DuckDB) from a folder of articles.",
        epilog=(
            "To add files to the article folder and rebuild: python -m etl add FILE... "
            f"(see python -m etl add --help)\n\nEnvironment variables:\n{env_lines}"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _folder_options(
        parser,
        defaults,
        articles_help="folder of article files and manifest.csv (default: %(default)s)",
        db_help="warehouse file to write (default: %(default)s)",
    )
    parser.add_argument(
        "--if-stale",
        action="store_true",
        help="build only when the warehouse is missing or its input changed",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="extract every article again instead of reusing the facts of unchanged ones",
    )
    parser.add_argument(
        "--engine",
        choices=cluster.ENGINES,
        default="builtin",
        help="where extraction runs: 'builtin', this machine's worker processes; 'dask', a "
        "Dask cluster (a local one unless DASK_SCHEDULER_ADDRESS names a scheduler) writing "
        "Parquet shards the build loads; every file is extracted (needs "
        f"{cluster.INSTALL_COMMAND}) (default: %(default)s)",
    )
    parser.set_defaults(run=build_main)
    commands = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    add_add_command(commands, defaults)
    add_corrections_command(commands, defaults)
    add_fetch_command(commands, defaults, _folder_options)
    return parser


def _folder_options(
    parser: argparse.ArgumentParser, defaults: Settings, articles_help: str, db_help: str
) -> None:
    """--articles, --db, --corrections and --quiet, which every command takes."""
    parser.add_argument(
        "--articles", type=Path, default=defaults.articles_dir, help=articles_help
    )
    parser.add_argument("--db", type=Path, default=defaults.db_path, help=db_help)
    parser.add_argument(
        "--corrections", type=Path, default=defaults.corrections_dir, metavar="DIR",
        help="analysts' corrections to apply (default: IM_CORRECTIONS_DIR, else 'corrections' "
        "beside the article folder)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m etl` and the `initiative-etl` console script."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = make_parser()
    args = parser.parse_args(join_option_values(arguments, ADD_VALUE_OPTIONS))
    if args.command is not None and arguments[:1] != [args.command]:
        parser.error(f"put the options of {args.command} after it: python -m etl "
                     f"{args.command} [options] ...")
    try:
        with interrupt.bounded():
            return int(args.run(args))
    except KeyboardInterrupt:
        Console(stderr=True).print(
            "[red]Interrupted.[/red] A build that was running wrote nothing: the previous "
            "warehouse, if any, is unchanged.", soft_wrap=True)
        return EXIT_INTERRUPTED


def build_main(args: argparse.Namespace) -> int:
    """`python -m etl`: build the warehouse (or say it is up to date) and print a summary."""
    settings = dataclasses.replace(Settings(), articles_dir=args.articles, db_path=args.db,
                                   corrections_dir=args.corrections)
    console = Console(stderr=False, quiet=args.quiet)
    errors = Console(stderr=True)
    if args.if_stale and not freshness.warehouse_is_stale(settings):
        console.print(f"Warehouse {settings.db_path} is up to date with {settings.articles_dir}.")
        return EXIT_OK
    try:
        if args.quiet or not _has_files(settings, PROGRESS_MIN_FILES):
            report = pipeline.build_warehouse(settings, reuse=not args.full, engine=args.engine)
        else:
            report = _build_with_progress(settings, console, reuse=not args.full,
                                          engine=args.engine)
    except cluster.EngineUnavailable as exc:
        errors.print(f"[red]Not built:[/red] {escape(str(exc))}", soft_wrap=True)
        return EXIT_NO_ENGINE
    except warehouse.BuildInProgress as exc:
        errors.print(f"[red]Not built:[/red] {escape(str(exc))}", soft_wrap=True)
        return EXIT_BUSY
    except warehouse.WarehouseError as exc:
        errors.print(f"[red]No warehouse was built:[/red] {escape(str(exc))}", soft_wrap=True)
        errors.print("The previous warehouse, if any, is unchanged.")
        return EXIT_NO_WAREHOUSE
    print_summary(report, console)
    return EXIT_OK


def _has_files(settings: Settings, count: int) -> bool:
    """Whether the article folder's top level has at least `count` visible entries (enough
    for a progress bar to be worth drawing); stops listing once it has seen them."""
    try:
        with os.scandir(settings.articles_dir) as entries:
            seen = 0
            for entry in entries:
                seen += not entry.name.startswith(".")
                if seen >= count:
                    return True
    except OSError:
        return False
    return False


def _build_with_progress(
    settings: Settings,
    console: Console,
    reuse: bool = True,
    also: pipeline.ProgressCallback | None = None,
    engine: str = "builtin",
) -> pipeline.BuildReport:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage.capitalize(), total=total)
            progress.update(tasks[stage], completed=done, total=total)
            if also:
                also(stage, done, total)

        return pipeline.build_warehouse(settings, progress=update, reuse=reuse, engine=engine)


def print_summary(report: pipeline.BuildReport, console: Console) -> None:
    """The closing summary: what was seen, loaded, skipped and extracted, and every problem.

    Nothing is rendered for a quiet console: rich lays out every line before it finds it has
    nowhere to print it, about 0.6 ms a line, and a warehouse with a thousand repeated files
    has a thousand lines."""
    if console.quiet:
        return
    if report.up_to_date:
        console.print(
            f"Warehouse {escape(str(report.db_path))} is up to date: no article, manifest, "
            f"reference, correction or extraction code changed since build {report.run_id}, "
            f"so nothing was rebuilt (--full re-extracts every article).", soft_wrap=True)
    table = Table(title=f"Warehouse {report.db_path}", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files seen", str(report.files_seen))
    table.add_row("articles loaded", str(report.articles_loaded))
    table.add_row("  reused (unchanged)", str(report.articles_reused))
    table.add_row("  extracted", str(report.articles_extracted))
    table.add_row("skipped as duplicates", str(len(report.duplicates)))
    table.add_row("files failed", str(report.files_failed))
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    if report.reuse_note and report.articles_loaded:
        console.print(
            f"  Every article was extracted: {escape(report.reuse_note)}.", soft_wrap=True
        )
    if report.spare_note:
        console.print(f"  The live warehouse was copied to apply the change: "
                      f"{escape(report.spare_note)}.", soft_wrap=True)
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


# --- python -m etl add ----------------------------------------------------------------------


# `add` options that take a value: the value is always the next argument, even when it starts
# with '-' (a file named '-draft.txt'), as with POSIX getopt
ADD_VALUE_OPTIONS = ("--name", "--title", "--outlet", "--published", "--articles", "--db",
                     "--max-bytes", "--wait", "--report-json", "--feeds")
ADD_TEXT_OPTIONS = ("names", "title", "outlet", "published")


def join_option_values(argv: Sequence[str], options: Sequence[str]) -> list[str]:
    """`--opt VALUE` as `--opt=VALUE` for each of `options` before `--`, so that argparse takes
    a VALUE starting with '-' as the value it is, not as another option."""
    out: list[str] = []
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            return [*out, arg, *rest]
        if arg in options and rest:
            arg = f"{arg}={rest.pop(0)}"
        out.append(arg)
    return out


def not_utf8(value: str) -> bool:
    """True for text holding bytes that are not UTF-8 (passed through as surrogate escapes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def shown_name(name: str) -> str:
    """A name as it can be printed and written to JSON: bytes that are not UTF-8 become '�'."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def add_add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], defaults: Settings
) -> None:
    """The `add` sub-command and its options."""
    parser = commands.add_parser(
        "add",
        prog="python -m etl add",
        usage="%(prog)s [options] [--] FILE [FILE ...]",
        help="copy files into the article folder and rebuild the warehouse incrementally",
        epilog="Put the files after -- when a name may start with '-' (python -m etl add "
        "--title 'Summit' -- -draft.txt). An option's value is always the next argument, so "
        "--name -draft.txt names a file '-draft.txt'.",
        description=(
            "Copy article files unchanged into the article folder, rebuild the warehouse "
            "incrementally, and say per file whether it was loaded, skipped as a duplicate, "
            "or failed and why. Names are made safe; an existing file is never overwritten "
            "(identical bytes are 'already present', a different file of the same name gets "
            "a numeric suffix). Files of other types, over the size limit, or holding no "
            "readable article are refused and not copied."
        ),
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="files to add")
    _folder_options(
        parser,
        defaults,
        articles_help="article folder to copy into (default: %(default)s)",
        db_help="warehouse to rebuild (default: %(default)s)",
    )
    parser.add_argument(
        "--name",
        action="append",
        dest="names",
        metavar="NAME",
        help="name to give a FILE instead of its own (repeat once per FILE, in order); it is "
        "sanitised like any other name",
    )
    parser.add_argument("--title", help="the article's title (one file only)")
    parser.add_argument("--outlet", help="the outlet that published it (one file only)")
    parser.add_argument(
        "--published", metavar="DATE", help="publication date: 2024-05-02, May 2024 or 2024 "
        "(one file only)"
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=defaults.max_file_bytes,
        help="refuse files larger than this (default and ceiling: IM_MAX_FILE_BYTES, %(default)s)",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="if another build is running, wait up to this long for it before giving up "
        "(exit code 3; the files stay saved) (default: %(default)s)",
    )
    parser.add_argument(
        "--report-json",
        type=Path,
        metavar="PATH",
        help="write progress and per-file outcomes as JSON to PATH (rewritten as the command "
        "goes: stage 'saving', 'waiting', 'building', then 'done')",
    )
    parser.set_defaults(run=add_main, command_parser=parser)


def check_add_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse, as a usage error (exit code 2), what argparse alone cannot see is wrong."""
    for option in ADD_TEXT_OPTIONS:
        values = getattr(args, option)
        for value in values if isinstance(values, list) else [values]:
            if value is not None and not_utf8(value):
                flag = "--name" if option == "names" else f"--{option}"
                parser.error(
                    f"{flag} {shown_name(value)!r} holds bytes that are not UTF-8 text; give it "
                    f"as UTF-8 (nothing was saved)"
                )
    if args.names is not None and len(args.names) != len(args.files):
        parser.error(
            f"give --name once per FILE ({len(args.files)} files, {len(args.names)} names)"
        )
    if (args.title or args.outlet or args.published) and len(args.files) != 1:
        parser.error("--title, --outlet and --published describe one file; add files one by one")
    if args.max_bytes <= 0:
        parser.error("--max-bytes must be positive")


class _AddProgress:
    """Keeps the `--report-json` file current: stage, message, build progress, outcomes."""

    def __init__(self, path: Path | None, outcomes: list[intake.FileOutcome]) -> None:
        self.path = path
        self.outcomes = outcomes
        self.stage = "saving"
        self.message = "saving the files into the article folder"
        self.build: dict[str, object] | None = None
        self.exit_code: int | None = None
        self._last_progress = 0.0

    def update(
        self, stage: str, message: str, progress: tuple[str, int, int] | None = None
    ) -> None:
        self.stage, self.message = stage, message
        self.write(progress)

    def on_build_progress(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last_progress >= 0.25 or done == total:
            self._last_progress = now
            self.write((step, done, total))

    def write(self, progress: tuple[str, int, int] | None = None) -> None:
        if self.path is None:
            return
        intake.write_report_json(
            self.path,
            {
                "stage": self.stage,
                "message": self.message,
                "progress": None
                if progress is None
                else {"step": progress[0], "done": progress[1], "total": progress[2]},
                "exit_code": self.exit_code,
                "files": [o.as_json() for o in self.outcomes],
                "build": self.build,
            },
        )


def add_main(args: argparse.Namespace) -> int:
    """`python -m etl add FILE...`: save the files, rebuild incrementally, report per file."""
    check_add_args(args.command_parser, args)
    settings = dataclasses.replace(Settings(), articles_dir=args.articles, db_path=args.db,
                                   corrections_dir=args.corrections)
    console = Console(stderr=False, quiet=args.quiet)
    errors = Console(stderr=True)
    given = args.names or [shown_name(path.name) for path in args.files]
    metadata = intake.ArticleMetadata(args.title, args.outlet, args.published)
    outcomes: list[intake.FileOutcome] = []
    status = _AddProgress(args.report_json, outcomes)
    status.write()
    outcomes += intake.save_articles(
        list(zip(args.files, given, strict=True)),
        settings.articles_dir,
        min(args.max_bytes, settings.max_file_bytes),
        metadata,
    )
    code = _rebuild_after_add(args, settings, outcomes, status, console, errors)
    status.exit_code = code
    status.update("done", _closing_message(code, outcomes))
    print_add_outcomes(outcomes, console)
    return code


def _rebuild_after_add(
    args: argparse.Namespace,
    settings: Settings,
    outcomes: list[intake.FileOutcome],
    status: _AddProgress,
    console: Console,
    errors: Console,
    always: bool = False,
) -> int:
    """Rebuild when a file was saved (or the warehouse is stale, or `always`), waiting for a
    running build."""
    if not always and not any(o.newly_saved for o in outcomes):
        if outcomes and all(o.outcome == intake.REFUSED for o in outcomes):
            return EXIT_NOTHING_ADDED
        if not freshness.warehouse_is_stale(settings):
            return EXIT_OK
    status.update("saved", "files saved; rebuilding the warehouse")
    before = intake.articles_in_warehouse(settings.db_path)

    def build() -> pipeline.BuildReport:
        status.update("building", "rebuilding the warehouse")
        if args.quiet or not _has_files(settings, PROGRESS_MIN_FILES):
            return pipeline.build_warehouse(settings, progress=status.on_build_progress)
        return _build_with_progress(settings, console, also=status.on_build_progress)

    def waiting() -> None:
        status.update(
            "waiting",
            "another build of the warehouse is running; the files are saved and will be "
            "loaded as soon as it finishes",
        )

    try:
        report = warehouse.wait_for_lock(build, args.wait, on_wait=waiting)
    except warehouse.BuildInProgress as exc:
        errors.print(f"[red]Not built:[/red] {escape(str(exc))}", soft_wrap=True)
        intake.mark_not_built(
            outcomes,
            intake.SAVED,
            "another build of the warehouse is running, so it is not loaded yet; it "
            "will be loaded by the next build (run `make etl`, or add again)",
        )
        return EXIT_BUSY
    except warehouse.WarehouseError as exc:
        errors.print(f"[red]No warehouse was built:[/red] {escape(str(exc))}", soft_wrap=True)
        errors.print("The previous warehouse, if any, is unchanged.")
        intake.mark_not_built(
            outcomes, intake.FAILED, f"but the warehouse could not be rebuilt: {exc}"
        )
        return EXIT_NO_WAREHOUSE
    intake.settle_outcomes(
        outcomes, report.loaded, report.duplicates, report.problems, before, settings.articles_dir
    )
    status.build = {
        "build_id": report.run_id,
        "articles_loaded": report.articles_loaded,
        "articles_reused": report.articles_reused,
        "articles_extracted": report.articles_extracted,
        "duplicates": len(report.duplicates),
        "files_failed": report.files_failed,
    }
    print_summary(report, console)
    return EXIT_OK


def rebuild_after_saving(
    args: argparse.Namespace,
    settings: Settings,
    outcomes: list[intake.FileOutcome],
    console: Console,
    errors: Console,
    always: bool = False,
) -> int:
    """Rebuild as `add` does after another command (`fetch`) saved `outcomes`' files: waits up
    to `args.wait` for a running build and settles each file's outcome from the build.
    `always` rebuilds even when no file is new (a feed's fetch state changed)."""
    return _rebuild_after_add(args, settings, outcomes, _AddProgress(None, outcomes), console,
                              errors, always)


def _closing_message(code: int, outcomes: Sequence[intake.FileOutcome]) -> str:
    counts = {label: sum(o.outcome == key for o in outcomes) for key, label in
              intake.OUTCOME_LABELS.items()}
    summary = ", ".join(f"{n} {label}" for label, n in counts.items() if n)
    return {
        EXIT_OK: f"done: {summary}",
        EXIT_BUSY: f"not rebuilt, another build is running: {summary}",
        EXIT_NO_WAREHOUSE: f"the warehouse could not be rebuilt: {summary}",
        EXIT_NOTHING_ADDED: f"nothing was added: {summary}",
    }.get(code, summary)


def print_add_outcomes(outcomes: Sequence[intake.FileOutcome], console: Console) -> None:
    """One line per file given to `add`: what became of it and why."""
    colours = {
        intake.LOADED: "green",
        intake.DUPLICATE: "yellow",
        intake.ALREADY_PRESENT: "yellow",
        intake.SAVED: "yellow",
        intake.FAILED: "red",
        intake.REFUSED: "red",
    }
    console.print("Added files:")
    for item in outcomes:
        colour = colours[item.outcome]
        console.print(
            f"  [{colour}]{item.label}[/{colour}] {escape(item.given_name)}: {escape(item.detail)}",
            highlight=False,
            soft_wrap=True,
        )


if __name__ == "__main__":
    sys.exit(main())
