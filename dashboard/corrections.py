"""Recording analysts' corrections from the dashboard: run `python -m etl corrections ...` and
say what became of it in words an analyst can act on.

The dashboard never imports the ETL. The rules for what a correction may say (the vocabularies,
which fact an id names, how a record is kept and applied) live behind the
`python -m etl corrections` command (etl/corrections/, docs/corrections.md), which this module
runs as a subprocess, like `dashboard/uploads.py` runs `python -m etl add`: the interpreter of
this process, from the project root, arguments as a list (no shell), so a reason holding quotes
or a leading '-' is one value, never an option. The command appends the record (safe under
concurrency), applies it to the live warehouse and swaps in a new build: the dashboard's
caches are keyed on the build id, so the next rerun shows the correction everywhere.

No Streamlit here: the correction widgets lay out forms and call these functions, and the tests
call them directly against a real warehouse. Nothing an analyst reads carries a path on the
server or a traceback: the command's errors are rewritten without paths, and a crash's output
goes to the server log.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.settings import PROJECT_ROOT, VOCABULARY_PATH, DashboardSettings, read_vocabulary

# `python -m etl corrections` exit codes (etl/corrections/cli.py)
EXIT_OK, EXIT_NO_WAREHOUSE, EXIT_BUSY, EXIT_REFUSED = 0, 1, 3, 5
# How long the command waits for a running build before leaving the correction to the next
# build, and how long the page waits for the command (the apply itself takes seconds).
WAIT_FOR_BUILD_SECONDS = 60
TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class CorrectionFields:
    """What a correction may set (the `[corrections]` section of the shared vocabulary file,
    which the ETL's record format checks records against): per kind of fact the values an edit
    or an add may set and those an add must give, and the longest reason a record keeps."""

    editable: dict[str, tuple[str, ...]]
    required_for_add: dict[str, tuple[str, ...]]
    max_reason_chars: int


def read_correction_fields(path: Path = VOCABULARY_PATH) -> CorrectionFields:
    """What a correction may set, from the vocabulary file at `path`."""
    section = read_vocabulary(path)["corrections"]
    facts = {fact: entry for fact, entry in section.items() if isinstance(entry, dict)}
    return CorrectionFields(
        editable={fact: tuple(entry["editable"]) for fact, entry in facts.items()},
        required_for_add={fact: tuple(entry["required_for_add"]) for fact, entry in facts.items()},
        max_reason_chars=int(section["max_reason_chars"]))


_CORRECTION_FIELDS = read_correction_fields()
MAX_REASON_CHARS = _CORRECTION_FIELDS.max_reason_chars
EDITABLE_FIELDS: dict[str, tuple[str, ...]] = _CORRECTION_FIELDS.editable
REQUIRED_FOR_ADD: dict[str, tuple[str, ...]] = _CORRECTION_FIELDS.required_for_add
FACT_KINDS = tuple(EDITABLE_FIELDS)

# What the analyst reads once an action is done (the fact's new place in the charts).
DONE: dict[str, str] = {
    "confirm": "Confirmed: it is marked analyst-confirmed wherever it appears",
    "reject": "Rejected: it no longer appears in any chart, export or briefing pack",
    "edit": "Edited: every chart shows the corrected values",
    "add": "Added: it appears in every chart it belongs to",
}

_log = logging.getLogger(__name__)
_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[^\s/'\"]+/)+[^\s/'\"]*")
_MARKUP = re.compile(r"\[/?(?:red|yellow|green|bold)\]")


class CorrectionsUnavailable(Exception):
    """This deployment records no corrections; the message says why."""


@dataclass(frozen=True)
class Outcome:
    """What became of one correction: `severity` success | warning | error, and the message
    the analyst reads. `changed` is True when the warehouse holds it now (a new build)."""

    severity: str
    message: str
    changed: bool = False
    recorded: str | None = None
    build_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.severity == "success"


def unavailable_reason(settings: DashboardSettings) -> str | None:
    """Why this deployment records no corrections (switched off, no local warehouse), or None."""
    if not settings.corrections_enabled:
        return ("Corrections are switched off for this deployment (IM_CORRECTIONS_ENABLED="
                "false): the facts are shown as read and reviewed, and cannot be changed here.")
    if settings.db_path is None:
        return ("Corrections need a local warehouse file, but IM_DB_PATH is a connection string. "
                "Record corrections where the warehouse is built, with "
                "`python -m etl corrections`.")
    return None


def reason_text(text: str) -> str:
    """A free-text reason as it can travel as one argument: NUL and lone surrogates replaced,
    trimmed, cut to the record format's limit."""
    cleaned = text.replace("\0", "\ufffd").encode("utf-8", "surrogatepass")
    return cleaned.decode("utf-8", "replace").strip()[:MAX_REASON_CHARS]


def set_options(values: Mapping[str, Any], fact: str) -> list[str]:
    """`--set=name=value` for each value (None: 'none', the command's 'no value'); names
    outside what an analyst may set are refused here already."""
    allowed = EDITABLE_FIELDS[fact]
    options = []
    for name, value in values.items():
        if name not in allowed:
            raise ValueError(f"{name} cannot be set on a {fact}")
        shown = "none" if value is None else str(int(value) if isinstance(value, bool)
                                                 else value)
        options.append(f"--set={name}={shown}")
    return options


def command(action: str, options: Sequence[str], settings: DashboardSettings,
            reason: str = "", fact_id: str | None = None) -> list[str]:
    """The full command line of one correction, as a list (never through a shell); the fact
    id follows `--`, so it is read as an id whatever it starts with."""
    db_path = settings.db_path
    if db_path is None:
        raise CorrectionsUnavailable(unavailable_reason(settings) or "")
    line = [sys.executable, "-m", "etl", "corrections", action, *options, "--json",
            f"--db={db_path}", f"--articles={settings.articles_dir}",
            f"--wait={WAIT_FOR_BUILD_SECONDS}"]
    if settings.corrections_dir:
        line.append(f"--corrections={settings.corrections_dir}")
    if settings.analyst:
        line.append(f"--analyst={settings.analyst}")
    if reason_text(reason):
        line.append(f"--reason={reason_text(reason)}")
    return line if fact_id is None else [*line, "--", fact_id]


def confirm(fact_id: str, settings: DashboardSettings, reason: str = "") -> Outcome:
    """Vouch for a fact as the rules read it."""
    return run("confirm", [], settings, reason, fact_id)


def reject(fact_id: str, settings: DashboardSettings, reason: str = "") -> Outcome:
    """Remove a wrongly read fact from every chart, export and briefing pack."""
    return run("reject", [], settings, reason, fact_id)


def edit(fact_id: str, fact: str, values: Mapping[str, Any], settings: DashboardSettings,
         reason: str = "") -> Outcome:
    """Change some of a fact's values (only those given)."""
    if not values:
        return Outcome("warning", "Nothing was changed: set at least one value to edit.")
    return run("edit", set_options(values, fact), settings, reason, fact_id)


def add(article_id: str, sentence_no: int, fact: str, values: Mapping[str, Any],
        settings: DashboardSettings, reason: str = "") -> Outcome:
    """Add a fact the rules missed, read from sentence `sentence_no` of the article."""
    if fact not in FACT_KINDS:
        raise ValueError(f"a fact is one of {FACT_KINDS}, not {fact!r}")
    present = {name: value for name, value in values.items() if value is not None}
    return run("add", [f"--article={article_id}", f"--sentence={int(sentence_no)}",
                       f"--fact={fact}", *set_options(present, fact)], settings, reason)


def run(action: str, options: Sequence[str], settings: DashboardSettings,
        reason: str = "", fact_id: str | None = None) -> Outcome:
    """Run one correction to the end and say what became of it."""
    if problem := unavailable_reason(settings):
        return Outcome("error", problem)
    line = command(action, options, settings, reason, fact_id)
    try:
        done = subprocess.run(line, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        _log.warning("`python -m etl corrections %s` did not finish in %s s", action,
                     TIMEOUT_SECONDS)
        return Outcome("warning", "The correction is taking longer than expected. It may have "
                       "been recorded: reload the page in a minute to see whether it shows.")
    return outcome(action, done.returncode, done.stdout, done.stderr, settings)


def outcome(action: str, code: int, stdout: str, stderr: str,
            settings: DashboardSettings) -> Outcome:
    """The analyst's message for the command's exit code, JSON line and error output."""
    report = _json_line(stdout)
    said = analyst_text(stderr, settings)
    recorded = report.get("recorded")
    if code == EXIT_OK and report.get("applied"):
        return Outcome("success", f"{DONE[action]}.", changed=True, recorded=recorded,
                       build_id=report.get("build_id"), details=report)
    if code == EXIT_BUSY:
        return Outcome("warning", "Recorded, but the warehouse is being rebuilt just now: the "
                       "correction shows once that build finishes.", recorded=recorded,
                       details=report)
    if code == EXIT_REFUSED:
        return Outcome("error", f"Not recorded: {said or 'the fact or value was refused'}.",
                       details=report)
    if code == EXIT_NO_WAREHOUSE:
        return Outcome("error", "Recorded, but the warehouse could not be updated; the next "
                       "build applies it" + (f" ({said})" if said else "") + ".",
                       recorded=recorded, details=report)
    _log.warning("`python -m etl corrections %s` stopped with exit code %s; its output: %s | %s",
                 action, code, stdout.strip()[-2000:], stderr.strip()[-2000:])
    return Outcome("error", f"The correction stopped unexpectedly (exit code {code}); the "
                   "server's log says why. Nothing on this page changed.", recorded=recorded,
                   details=report)


def _json_line(stdout: str) -> dict[str, Any]:
    """The command's JSON outcome (its last line that is a JSON object), or {}."""
    for line in reversed(stdout.strip().splitlines()):
        try:
            found = json.loads(line)
        except ValueError:
            continue
        if isinstance(found, dict):
            return found
    return {}


def analyst_text(stderr: str, settings: DashboardSettings) -> str:
    """The command's error output as an analyst may read it: one line per message, without
    'Not recorded:' prefixes, console markup or any path on the server."""
    articles = Path(settings.articles_dir)
    named: list[tuple[Path | None, str]] = [
        (settings.db_path, settings.db_path.name if settings.db_path else ""),
        (articles, "the article folder"),
        (Path(settings.corrections_dir) if settings.corrections_dir
         else articles.parent / "corrections", "the corrections folder"),
        (PROJECT_ROOT, "the project")]
    folders = [(str(shown), name) for path, name in named if path is not None
               for shown in (path.resolve(), path)]
    lines = []
    for raw in stderr.splitlines():
        line = _MARKUP.sub("", raw).strip()
        if not line or line.startswith(("Traceback", "File ")):
            continue
        for prefix in ("Not recorded:", "Not applied yet:", "Not applied:"):
            line = line.removeprefix(prefix).strip()
        for folder, name in sorted(folders, key=lambda f: -len(f[0])):
            line = line.replace(folder, name)
        lines.append(_ABSOLUTE_PATH.sub("a file on the server", line))
    return "; ".join(lines)
