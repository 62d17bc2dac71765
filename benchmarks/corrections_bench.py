"""How long an analyst's correction takes to reach the charts, on a large warehouse.

    python -m benchmarks.corrections_bench --db PATH [--rounds 3] [--json PATH]

On a copy of the warehouse at PATH (the original is left as it is) each round confirms one
machine-read event the way the dashboard does it, `python -m etl corrections confirm ID --json`
in a new process (the record appended, then applied to the live file: replay, the marts of
facts rebuilt or refreshed, validation, atomic swap), then opens the Timeline page in a new
session of the app (Streamlit's AppTest, the script runner the server uses; its results are
cached by build id, so the new build is read) and reads the event's review state from the same
warehouse. `confirm_to_chart_ms` is the time from the click to the page drawn on the corrected
warehouse with the event shown as confirmed. Target: under 5 s at 100,000 articles.

The warehouse's spare generation is copied with it when there is one (`etl.spare`), so the
first round is the first correction after the warehouse's last build: after an incremental
build that only added articles the spare (the generation before it) is brought level with
them; after one that changed or removed older articles the live file is copied, as it is with
no spare; after a full build the spare is a copy of the live file. The later rounds write
into the spare the round before left, as an analyst's next corrections do. Both are reported,
with how the first round found its spare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "dashboard" / "app.py"
TARGET_MS = 5000.0


def _events_to_confirm(db: Path, rounds: int) -> list[str]:
    """Machine-read events nobody reviewed, spread over the warehouse."""
    with duckdb.connect(str(db), read_only=True) as con:
        total = con.execute("SELECT count(*) FROM facet_events WHERE NOT reviewed").fetchone()
        step = max(1, int(total[0] if total else 1) // (rounds + 1))
        return [row[0] for row in con.execute(
            "SELECT event_id FROM facet_events WHERE NOT reviewed AND event_no % $step = 0 "
            "ORDER BY event_no LIMIT $rounds", {"step": step, "rounds": rounds}).fetchall()]


def _timeline_drawn() -> float:
    """Milliseconds of the Timeline page's run in a new session of the app."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=600)
    at.switch_page("app_pages/timeline.py")
    started = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(f"timeline failed: {at.exception[0].value}")
    return (time.perf_counter() - started) * 1000


def _review(db: Path, event_id: str) -> str | None:
    with duckdb.connect(str(db), read_only=True) as con:
        found = con.execute("SELECT review FROM facet_events WHERE event_id = ?",
                            [event_id]).fetchone()
    return None if found is None else str(found[0])


def run(db_path: Path, rounds: int = 3, log: Any = print) -> dict[str, Any]:
    """Measure `rounds` confirmations on a copy of `db_path`; the figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="im-corrections-bench-") as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(db_path, copy)
        spare = Path(f"{db_path}.spare")
        if spare.exists():
            shutil.copyfile(spare, f"{copy}.spare")
        os.environ["IM_DB_PATH"] = str(copy)
        _timeline_drawn()  # imports and the app's own first run, not the correction's cost
        samples: list[dict[str, float]] = []
        for event_id in _events_to_confirm(copy, rounds):
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "etl", "corrections", "confirm", event_id, "--db",
                 str(copy), "--corrections", str(Path(tmp) / "corrections"), "--analyst",
                 "bench", "--reason", "benchmark", "--json"],
                cwd=PROJECT_ROOT, capture_output=True, text=True, check=False)
            if done.returncode:
                raise RuntimeError(f"confirming {event_id} failed: {done.stderr.strip()}")
            recorded = (time.perf_counter() - started) * 1000
            outcome = json.loads(done.stdout.strip().splitlines()[-1])
            drawn = _timeline_drawn()
            state = _review(copy, event_id)
            total = (time.perf_counter() - started) * 1000
            if state != "confirmed" or not outcome.get("applied"):
                raise RuntimeError(f"the confirmation of {event_id} did not show: {state}")
            samples.append({"record_and_apply_ms": recorded, "apply_ms":
                            float(outcome["seconds"]) * 1000, "page_ms": drawn,
                            "confirm_to_chart_ms": total,
                            "on_spare": not outcome.get("copied"),
                            "copied": str(outcome.get("copied") or "")})
    result: dict[str, Any] = {"rounds": len(samples), "target_ms": TARGET_MS}
    for name in ("record_and_apply_ms", "apply_ms", "page_ms", "confirm_to_chart_ms"):
        values = [s[name] for s in samples]
        result[f"{name.removesuffix('_ms')}_p50_ms"] = round(statistics.median(values), 1)
        result[f"{name.removesuffix('_ms')}_max_ms"] = round(max(values), 1)
    # the first round finds the spare the warehouse's last build left (or none: a copy of the
    # live file); the later ones write into the spare the round before left, as an analyst's
    # next corrections do
    result["rounds_on_spare"] = sum(bool(s["on_spare"]) for s in samples)
    result["first_confirm_to_chart_ms"] = round(samples[0]["confirm_to_chart_ms"], 1)
    result["first_copied"] = samples[0]["copied"]  # why the live file was copied ('': not)
    later = [s["confirm_to_chart_ms"] for s in samples[1:]]
    if later:
        result["later_confirm_to_chart_p50_ms"] = round(statistics.median(later), 1)
    worst = result["confirm_to_chart_max_ms"]
    result["verdict"] = "ok" if worst < TARGET_MS else f"MISS by {worst / TARGET_MS - 1:.0%}"
    log(f"Confirm to chart: p50 {result['confirm_to_chart_p50_ms']:.0f} ms, max {worst:.0f} ms "
        f"(record+apply p50 {result['record_and_apply_p50_ms']:.0f} ms, of which applying "
        f"{result['apply_p50_ms']:.0f} ms; page {result['page_p50_ms']:.0f} ms); first "
        f"({'a copy of the live file' if result['first_copied'] else 'on the spare'}) "
        f"{result['first_confirm_to_chart_ms']:.0f} ms, later "
        f"(the spare, {result['rounds_on_spare']} rounds) p50 "
        f"{result.get('later_confirm_to_chart_p50_ms', float('nan')):.0f} ms; "
        f"target < {TARGET_MS / 1000:.0f} s: {result['verdict']}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corrections_bench",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the warehouse (left unchanged)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))
    result = run(args.db, args.rounds)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
