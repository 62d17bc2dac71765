"""`python -m etl corrections ...`: record, list, export, import and apply corrections.

    python -m etl corrections confirm|reject FACT_ID [--reason TEXT]
    python -m etl corrections edit FACT_ID --set year=2019 [--set month=5] [--reason TEXT]
    python -m etl corrections add --article ID --sentence N --fact event \\
        --set initiative_id=CICA --set event_type=held --set year=2022 [--reason TEXT]
    python -m etl corrections list [--status STATUS] | orphans | export [FILE] | import FILE
    python -m etl corrections apply

Recording appends to the corrections folder and then applies the folder to the live warehouse
(`update`); the analyst is `--analyst`, else the setting IM_ANALYST, else the login name.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from etl import warehouse
from etl.corrections import records, store, update
from etl.corrections.apply import Vocab
from etl.corrections.facts import FactNotFound, FactRef, find_fact, find_sentence
from etl.settings import Settings

EXIT_OK = 0
EXIT_NO_WAREHOUSE = 1
EXIT_BUSY = 3
EXIT_REFUSED = 5  # the fact or sentence was not found, or a value is not allowed
RECORDING = ("confirm", "reject", "edit", "add")
_INT_FIELDS = frozenset({"year", "month", "day", "count"})


def add_corrections_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], defaults: Settings
) -> None:
    """The `corrections` sub-command and its own sub-commands."""
    parser = commands.add_parser(
        "corrections", prog="python -m etl corrections",
        help="confirm, reject, edit or add facts; list, export, import and apply corrections",
        description="Analysts' corrections of the facts the rules read, kept as JSON Lines in "
        "the corrections folder (docs/corrections.md) and applied by every build.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, help_ in (
        ("confirm", "vouch for a fact as the rules read it"),
        ("reject", "remove a wrongly read fact from every chart, export and pack"),
        ("edit", "change a fact's values (--set name=value)"),
        ("add", "add a fact the rules missed, from a sentence of an article"),
        ("list", "list the corrections and what became of each in the warehouse"),
        ("orphans", "list corrections whose article, sentence or fact is gone"),
        ("export", "write every correction, oldest first, as JSON Lines (to FILE or stdout)"),
        ("import", "add the corrections of a colleague's JSON Lines file, then apply them"),
        ("apply", "apply the corrections folder to the warehouse (no re-extraction)"),
    ):
        sub = actions.add_parser(name, prog=f"python -m etl corrections {name}", help=help_,
                                 description=help_[0].upper() + help_[1:] + ".")
        _common_options(sub, defaults)
        if name in ("confirm", "reject", "edit"):
            sub.add_argument("fact_id", metavar="FACT_ID",
                             help="the event_id or membership_id the dashboard shows")
        if name == "add":
            sub.add_argument("--article", required=True, help="the article's id")
            sub.add_argument("--sentence", required=True, type=int,
                             help="the sentence's number in the article")
            sub.add_argument("--fact", required=True, choices=records.FACT_KINDS)
        if name in ("edit", "add"):
            sub.add_argument("--set", action="append", default=[], dest="values",
                             metavar="NAME=VALUE", help="a value to set (repeat); names: "
                             "initiative_id, event_type, year, month, day (events); "
                             "initiative_id, kind, count, year (membership figures)")
        if name in RECORDING:
            sub.add_argument("--reason", default="", help="why, in a few words (optional)")
            sub.add_argument("--analyst", default=None,
                             help="who (default: IM_ANALYST, else the login name)")
            sub.add_argument("--no-apply", action="store_true",
                             help="only record; the next build or `apply` applies it")
        if name == "list":
            sub.add_argument("--status", choices=("current", "history", "duplicate",
                                                  "orphaned", "invalid"))
        if name == "export":
            sub.add_argument("file", nargs="?", type=Path, metavar="FILE")
        if name == "import":
            sub.add_argument("file", type=Path, metavar="FILE")
        sub.set_defaults(run=corrections_main)


def main(argv: Sequence[str]) -> int:
    """`python -m etl corrections ...` without loading the build's code: a correction made in
    the dashboard starts this process, and every second of it is the analyst's wait."""
    parser = argparse.ArgumentParser(prog="python -m etl")
    add_corrections_command(parser.add_subparsers(dest="command", required=True), Settings())
    args = parser.parse_args(argv)
    return int(args.run(args))


def _common_options(parser: argparse.ArgumentParser, defaults: Settings) -> None:
    parser.add_argument("--articles", type=Path, default=defaults.articles_dir,
                        help="article folder (the corrections folder is beside it unless set)")
    parser.add_argument("--db", type=Path, default=defaults.db_path, help="the warehouse")
    parser.add_argument("--corrections", type=Path, default=defaults.corrections_dir,
                        help="corrections folder (default: IM_CORRECTIONS_DIR, else "
                        "'corrections' beside the article folder)")
    parser.add_argument("--wait", type=float, default=60.0, metavar="SECONDS",
                        help="wait this long for a running build before giving up "
                        "(default: %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def corrections_main(args: argparse.Namespace) -> int:
    """Run one `corrections` action."""
    settings = dataclasses.replace(Settings(), articles_dir=args.articles, db_path=args.db,
                                   corrections_dir=args.corrections)
    console = Console(quiet=args.quiet, soft_wrap=True)
    errors = Console(stderr=True, soft_wrap=True)
    try:
        if args.action in RECORDING:
            return _record(args, settings, console, errors)
        if args.action == "import":
            return _import(args, settings, console, errors)
        if args.action == "export":
            return _export(args, settings)
        if args.action == "apply":
            return _apply(args, settings, console, errors, {})
        return _list(args, settings, console)
    except FactNotFound as exc:
        errors.print(f"[red]Not recorded:[/red] {escape(str(exc))}")
        return EXIT_REFUSED
    except records.RecordError as exc:
        errors.print(f"[red]Not recorded:[/red] {escape(str(exc))}")
        return EXIT_REFUSED


def analyst_name(given: str | None) -> str:
    """Who records: the option, the IM_ANALYST setting, or the login name."""
    name = (given or os.environ.get("IM_ANALYST") or "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return name[:records.MAX_ANALYST_CHARS]


def parse_values(pairs: Sequence[str]) -> dict[str, Any]:
    """`name=value` pairs as a record's fields (numbers as numbers, 'none' as no value)."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        name, raw = name.strip(), raw.strip()
        if not sep or not name:
            raise records.RecordError(f"--set {pair!r} is not NAME=VALUE")
        if raw.lower() in ("", "none", "null"):
            values[name] = None
        elif name in _INT_FIELDS:
            try:
                values[name] = int(raw)
            except ValueError:
                raise records.RecordError(f"--set {name} must be a whole number") from None
        else:
            values[name] = raw
    return values


def _reference(args: argparse.Namespace, settings: Settings,
               values: dict[str, Any]) -> FactRef:
    """The durable name of what the command points at, looked up in the live warehouse, whose
    vocabularies the new values must also fit."""
    if not settings.db_path.exists():
        raise FactNotFound(f"there is no warehouse at {settings.db_path}")
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        if problem := Vocab.of(con).problem(values):
            raise records.RecordError(problem)
        if args.action == "add":
            return find_sentence(con, args.article, args.sentence, args.fact)
        return find_fact(con, args.fact_id)


def _record(args: argparse.Namespace, settings: Settings, console: Console,
            errors: Console) -> int:
    """Append one record (checked as any read record is), then apply the folder."""
    values = parse_values(getattr(args, "values", []))
    ref = _reference(args, settings, values)
    record = records.from_mapping({
        "id": records.new_id(), "action": args.action, "fact": ref.fact,
        "article_id": ref.article_id, "sentence_key": ref.sentence_key,
        "sentence": ref.sentence[:records.MAX_SENTENCE_CHARS], "target": ref.target,
        "target_added": ref.target_added,
        "fields": values,
        "analyst": analyst_name(args.analyst), "at": records.now(),
        "reason": args.reason[:records.MAX_REASON_CHARS],
    })
    path = store.append(settings.corrections_folder, [record])
    outcome: dict[str, Any] = {"recorded": record.id, "file": str(path)}
    if args.no_apply:
        return _done(args, console, outcome, f"Recorded {record.id} in {path}.")
    return _apply(args, settings, console, errors, outcome)


def _apply(args: argparse.Namespace, settings: Settings, console: Console, errors: Console,
           outcome: dict[str, Any]) -> int:
    """Apply the folder to the live warehouse, waiting for a running build."""
    try:
        report = warehouse.wait_for_lock(lambda: update.update_warehouse(settings), args.wait)
    except warehouse.BuildInProgress as exc:
        errors.print(f"[red]Not applied yet:[/red] {escape(str(exc))}; the next build "
                     "applies it")
        return _done(args, console, {**outcome, "applied": False}, "", EXIT_BUSY)
    except warehouse.WarehouseError as exc:
        errors.print(f"[red]Not applied:[/red] {escape(str(exc))}")
        return _done(args, console, {**outcome, "applied": False}, "", EXIT_NO_WAREHOUSE)
    for problem in report.problems:
        errors.print(f"[yellow]Skipped:[/yellow] {escape(problem.message())}")
    # `copied`: why the live file was copied rather than the spare generation used ('' for
    # the spare); `updated`: the marts of facts updated in place rather than rebuilt (the
    # facts kept their rows); both for whoever times corrections
    outcome |= {"applied": True, "build_id": report.build_id, "statuses": report.statuses,
                "seconds": round(report.seconds, 2), "copied": report.spare_note,
                "updated": report.marts_updated}
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.statuses.items()))
    return _done(args, console, outcome,
                 f"Applied the corrections to {settings.db_path} in {report.seconds:.1f} s "
                 f"({counts or 'none'}).")


def _done(args: argparse.Namespace, console: Console, outcome: dict[str, Any], text: str,
          code: int = EXIT_OK) -> int:
    if args.json:
        print(json.dumps(outcome, default=str))
    elif text:
        console.print(escape(text))
    return code


def _list(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    """The corrections the warehouse holds and their status (`orphans`: the orphaned)."""
    status = "orphaned" if args.action == "orphans" else args.status
    if not settings.db_path.exists():
        console.print(f"There is no warehouse at {escape(str(settings.db_path))}.")
        return EXIT_NO_WAREHOUSE
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        rows = con.execute("""
            SELECT correction_id, recorded_at, analyst, action, fact_kind, fact_id, status,
                   status_reason, reason, sentence
            FROM corrections WHERE $status IS NULL OR status = $status
            ORDER BY recorded_at, source_file, line_no""", {"status": status}).fetchall()
        applied = dict(con.execute("SELECT key, value FROM warehouse_info").fetchall()).get(
            "corrections_signature")
    if args.json:
        names = ("id", "at", "analyst", "action", "fact", "fact_id", "status",
                 "status_reason", "reason", "sentence")
        for row in rows:
            print(json.dumps(dict(zip(names, row, strict=True)), default=str))
        return EXIT_OK
    table = Table("id", "at (UTC)", "analyst", "action", "fact", "status", "why",
                  title="Orphaned corrections" if status == "orphaned" else "Corrections")
    for cid, at, analyst, action, fact, fact_id, state, why, reason, sentence in rows:
        table.add_row(escape(cid), str(at), escape(analyst), action,
                      escape(f"{fact} {fact_id or ''}"), state,
                      escape(why or reason or sentence[:60]))
    console.print(table)
    if applied != store.folder_signature(settings.corrections_folder):
        console.print("The corrections folder has changed since the warehouse was built: run "
                      "`python -m etl corrections apply` to apply it.")
    return EXIT_OK


def _export(args: argparse.Namespace, settings: Settings) -> int:
    """Every record of the folder, oldest first, as JSON Lines."""
    loaded = store.read_folder(settings.corrections_folder)
    lines = "".join(r.to_json() + "\n" for r in sorted(
        loaded.records, key=lambda r: (r.at, r.source_file, r.line_no)))
    if args.file is None:
        sys.stdout.write(lines)
    else:
        args.file.write_text(lines, encoding="utf-8")
    for problem in loaded.problems:
        print(f"Skipped: {problem.message()}", file=sys.stderr)
    return EXIT_OK


def _import(args: argparse.Namespace, settings: Settings, console: Console,
            errors: Console) -> int:
    """Append a file's new records to the folder (reporting repeats and conflicts), apply."""
    incoming = store.read_file(args.file, store.Loaded())
    for problem in incoming.problems:
        errors.print(f"[yellow]Skipped:[/yellow] {escape(problem.message())}")
    existing = store.read_folder(settings.corrections_folder).records
    report = merge_report(existing, incoming.records)
    for line in report.messages:
        console.print(escape(line))
    store.append(settings.corrections_folder, report.new)
    outcome = {"imported": len(report.new), "repeated": report.repeated,
               "conflicts": report.conflicts, "skipped": len(incoming.problems)}
    console.print(f"Imported {len(report.new)} corrections ({report.repeated} already present, "
                  f"{report.conflicts} conflicting, {len(incoming.problems)} unreadable).")
    if not report.new:
        return _done(args, console, outcome, "")
    return _apply(args, settings, console, errors, outcome)


@dataclasses.dataclass
class MergeReport:
    """What importing a file adds: its new records, and the repeats and conflicts found."""

    new: list[records.Correction]
    repeated: int
    conflicts: int
    messages: list[str]


def merge_report(existing: Sequence[records.Correction],
                 incoming: Sequence[records.Correction]) -> MergeReport:
    """Split `incoming` into new records and repeats; say where a new record and an earlier
    one disagree about the same fact (the later one wins; both stay in the history)."""
    ids = {r.id for r in existing}
    latest: dict[tuple[Any, ...], records.Correction] = {}
    for record in sorted(existing, key=lambda r: r.at):
        latest[_fact_of(record)] = record
    new: list[records.Correction] = []
    messages: list[str] = []
    repeated = conflicts = 0
    for record in sorted(incoming, key=lambda r: r.at):
        if record.id in ids:
            repeated += 1
            continue
        ids.add(record.id)
        earlier = latest.get(_fact_of(record))
        if earlier is not None and record.action != "add" \
                and earlier.outcome() != record.outcome():
            conflicts += 1
            winner, loser = sorted((earlier, record), key=lambda r: r.at)[::-1]
            messages.append(
                f"Conflict on {record.fact} in article {record.article_id}: {earlier.analyst} "
                f"{earlier.action} ({earlier.at:%Y-%m-%d %H:%M}) and {record.analyst} "
                f"{record.action} ({record.at:%Y-%m-%d %H:%M}); the later, {winner.analyst}'s "
                f"{winner.action}, wins and {loser.analyst}'s stays in the history.")
        if earlier is None or record.at >= earlier.at:
            latest[_fact_of(record)] = record
        new.append(record)
    return MergeReport(new, repeated, conflicts, messages)


def _fact_of(record: records.Correction) -> tuple[Any, ...]:
    """What identifies a record's fact across files (an add is a fact of its own)."""
    if record.action == "add":
        return ("added", record.id)
    if record.target_added:
        return ("added", record.target_added)
    return (record.fact, record.article_id, record.sentence_key,
            json.dumps(record.target, sort_keys=True))
