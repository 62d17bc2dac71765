"""ETL benchmark: a full build, then incremental builds of a generated corpus, measured.

    python -m benchmarks.etl_bench --articles 10000 [--seed 7] [--workdir DIR]

The corpus comes from `benchmarks.corpus` (N articles plus twice 1% more, generated once and kept
in the work folder). The full build reads the first N into a fresh warehouse; then four
incremental builds follow: +1% new articles; nothing new (a no-op); the next 1% after every
file of the folder was rewritten with the same bytes and a new modification time (what an unzip,
a checkout or a copy without kept times does), so every file is hashed; and 1% of the older
plain-text files edited (a line appended), spread over the folder, whose rows lie all over the
warehouse's tables (its summary is kept: it must say nothing about reading every article again
or copying the live file). Each build runs the real CLI
(`python -m etl`) as a separate process, as an analyst would, while this process samples the
resident memory of its whole process tree (the build and its worker processes) every 50 ms.
Accuracy against the generated ground truth is scored from the warehouse the build wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INCREMENT_SHARE = 0.01


@dataclass
class Measured:
    """Wall time and peak memory of one command's process tree."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    output: str
    # user + system CPU of the process tree, as last sampled per process (a process's last
    # 50 ms before it exits can be missed)
    cpu_seconds: float = 0.0


def run_measured(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command`, sampling the summed RSS of it and its children until it exits."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, **(env or {})}, cwd=PROJECT_ROOT)
    peak = 0
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not stop.is_set():
            total = 0
            try:
                for member in [root, *root.children(recursive=True)]:
                    try:
                        total += member.memory_info().rss
                        times = member.cpu_times()
                        cpu[member.pid] = times.user + times.system
                    except psutil.NoSuchProcess:
                        continue
            except psutil.NoSuchProcess:
                return
            peak = max(peak, total)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    stop.set()
    sampler.join()
    return Measured(time.perf_counter() - started, peak, process.returncode, output,
                    sum(cpu.values()))


def generate(total: int, seed: int, target: Path) -> dict[str, object]:
    """Generate `total` articles into `target` once; an earlier run of the same size, seed and
    generator version is reused."""
    from benchmarks.corpus import GENERATOR_VERSION

    summary_path = target / "corpus.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        if (summary.get("articles"), summary.get("seed"),
                summary.get("generator_version")) == (total, seed, GENERATOR_VERSION):
            return {**summary, "generate_seconds": summary.get("generate_seconds", 0.0),
                    "reused": True, "out": str(target)}
    shutil.rmtree(target, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks.corpus", "--articles", str(total),
                    "--seed", str(seed), "--out", str(target)], check=True, cwd=PROJECT_ROOT,
                   stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    summary = json.loads(summary_path.read_text())
    summary["generate_seconds"] = seconds
    summary_path.write_text(json.dumps(summary, indent=2))
    return {**summary, "reused": False, "out": str(target)}


def write_manifest(full_manifest: Path, folder: Path) -> None:
    """The manifest rows of the files now in `folder` (the generated manifest's order)."""
    present = {p.name for p in folder.iterdir()}
    rows = full_manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [rows[0]] + [row for row in rows[1:] if row.split(",", 1)[0] in present]
    (folder / "manifest.csv").write_text("".join(kept), encoding="utf-8")


def retime(folder: Path) -> None:
    """Rewrite every file of `folder` with the same bytes and a new modification time."""
    for path in sorted(folder.iterdir()):
        if path.is_file():
            copy = path.with_name(f".{path.name}.copy")
            shutil.copyfile(path, copy)
            os.replace(copy, path)


def split_corpus(generated: Path, base_count: int, articles: Path) -> tuple[list[Path], Path]:
    """Link the first `base_count` articles (and their manifest rows) into `articles`.

    Returns the remaining files (the increment) and the full manifest, to add later. Hard links
    keep modification times, so the incremental build sees only the new files as changed.
    """
    source = generated / "articles"
    names = sorted(p.name for p in source.iterdir() if p.name != "manifest.csv")
    present = set(names)
    with (generated / "truth.jsonl").open(encoding="utf-8") as truth:
        order = [name for name in (json.loads(line)["file"] for line in truth) if name in present]
    rest = sorted(present - set(order))
    order += rest  # files the truth does not list (none expected) go to the base
    base, increment = set(order[:base_count]), order[base_count:]
    shutil.rmtree(articles, ignore_errors=True)
    articles.mkdir(parents=True)
    for name in names:
        if name in base:
            os.link(source / name, articles / name)
    manifest = (source / "manifest.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    later = set(increment)
    kept = [manifest[0]] + [row for row in manifest[1:] if row.split(",", 1)[0] not in later]
    (articles / "manifest.csv").write_text("".join(kept), encoding="utf-8")
    return [source / name for name in increment], source / "manifest.csv"


# Appended to the edited files: a line with no date, figure or initiative, so the edited
# articles keep their facts (their ids, and so all their rows, change).
EDIT_LINE = "\nAn editor's note was added to this copy of the report.\n"


def edit_spread(folder: Path, share: float) -> list[Path]:
    """Append `EDIT_LINE` to `share` of the plain-text articles of `folder`, spread evenly over
    it (every 1/share-th in name order): older articles changed, whose rows lie all over the
    warehouse's tables. Each file is written anew (a new inode), never through a hard link."""
    texts = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in (".txt", ".md"))
    step = max(1, round(1 / share))
    edited = texts[step // 2::step] or texts[len(texts) // 2:len(texts) // 2 + 1]  # one, at least
    for path in edited:
        copy = path.with_name(f".{path.name}.copy")
        copy.write_bytes(path.read_bytes() + EDIT_LINE.encode("utf-8"))
        os.replace(copy, path)
    return edited


def build_notes(output: str) -> list[str]:
    """What a build's summary says when it did not apply the change incrementally on the spare
    (it read every article again, or copied the live file)."""
    return [line.strip() for line in output.splitlines()
            if line.strip().startswith(("Every article was extracted",
                                        "The live warehouse was copied"))]


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def build(articles: Path, db: Path, full: bool, quiet: bool = True) -> Measured:
    command = [sys.executable, "-m", "etl", "--articles", str(articles), "--db", str(db)]
    command += ["--quiet"] if quiet else []
    measured = run_measured(command + (["--full"] if full else []))
    if measured.returncode != 0:
        raise RuntimeError(f"build failed ({measured.returncode}):\n{measured.output[-3000:]}")
    return measured


def last_run(db: Path) -> dict[str, object]:
    """The figures of the build that wrote `db` (from its `etl_runs` and table counts)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        run = con.execute("SELECT files_seen, articles_loaded, duplicates, files_failed "
                          "FROM etl_runs ORDER BY started_at DESC LIMIT 1").fetchall()[0]
        counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0]  # noqa: S608
                  for name in ("sentences", "events", "memberships", "search_postings")}
    return {"files_seen": run[0], "articles_loaded": run[1], "duplicates": run[2],
            "files_failed": run[3], "rows": counts}


def run(articles: int, seed: int, workdir: Path, log=print) -> dict[str, object]:
    """Generate, build fully, then +1%, nothing new, and +1% after re-timing every file, each
    built incrementally; return the figures."""
    from benchmarks.accuracy import score_warehouse

    increment = max(1, round(articles * INCREMENT_SHARE))
    generated = workdir / f"corpus-{articles}-{seed}"
    log(f"[{articles:,}] generating {articles + 2 * increment:,} articles ...")
    corpus = generate(articles + 2 * increment, seed, generated)
    folder = workdir / f"articles-{articles}"
    db = workdir / f"warehouse-{articles}.duckdb"
    for leftover in workdir.glob(f"warehouse-{articles}.duckdb*"):
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
    new_files, full_manifest = split_corpus(generated, articles, folder)
    input_bytes = folder_bytes(folder)
    log(f"[{articles:,}] full build of {articles:,} files ({input_bytes / 1e6:,.0f} MB) ...")
    full = build(folder, db, full=True)
    full_run = last_run(db)
    size_full = db.stat().st_size
    log(f"[{articles:,}] scoring against the generated truth ...")
    accuracy = score_warehouse(db, generated / "truth.jsonl", articles_dir=folder)
    first, second = new_files[:len(new_files) // 2], new_files[len(new_files) // 2:]
    for path in first:
        os.link(path, folder / path.name)
    write_manifest(full_manifest, folder)
    log(f"[{articles:,}] incremental build adding {len(first):,} files ...")
    delta = build(folder, db, full=False)
    delta_run = last_run(db)
    log(f"[{articles:,}] incremental build with nothing new ...")
    noop = build(folder, db, full=False)
    log(f"[{articles:,}] every file re-timed, then an incremental build adding "
        f"{len(second):,} files ...")
    retime(folder)
    for path in second:
        os.link(path, folder / path.name)
    write_manifest(full_manifest, folder)
    retimed = build(folder, db, full=False)
    retimed_run = last_run(db)
    edited_files = edit_spread(folder, INCREMENT_SHARE)
    log(f"[{articles:,}] {len(edited_files):,} older files edited, spread over the folder, "
        "then an incremental build ...")
    edited = build(folder, db, full=False, quiet=False)  # its summary says how it applied
    edited_notes = build_notes(edited.output)
    if edited_notes:
        log(f"[{articles:,}] THE EDITED FILES WERE NOT APPLIED INCREMENTALLY: "
            + " ".join(edited_notes))
    return {
        "articles": articles,
        "seed": seed,
        "generate_seconds": round(float(corpus["generate_seconds"]), 2),  # type: ignore[arg-type]
        "input_mb": round(input_bytes / 1e6, 1),
        "full_build_ms": round(full.seconds * 1000),
        "full_articles_per_s": round(articles / full.seconds, 1),
        "full_mb_per_s": round(input_bytes / 1e6 / full.seconds, 2),
        "full_peak_rss_mb": round(full.peak_rss_bytes / 1e6),
        "warehouse_mb": round(size_full / 1e6, 1),
        "full_run": full_run,
        "incremental_added_files": len(first),
        "incremental_build_ms": round(delta.seconds * 1000),
        "incremental_peak_rss_mb": round(delta.peak_rss_bytes / 1e6),
        "incremental_run": delta_run,
        "noop_build_ms": round(noop.seconds * 1000),
        "noop_peak_rss_mb": round(noop.peak_rss_bytes / 1e6),
        "retimed_added_files": len(second),
        "retimed_build_ms": round(retimed.seconds * 1000),
        "retimed_peak_rss_mb": round(retimed.peak_rss_bytes / 1e6),
        "retimed_run": retimed_run,
        "edited_files": len(edited_files),
        "edited_build_ms": round(edited.seconds * 1000),
        "edited_peak_rss_mb": round(edited.peak_rss_bytes / 1e6),
        "edited_run": last_run(db),
        # empty when the build applied the edits incrementally, on the spare
        "edited_notes": edited_notes,
        "accuracy": accuracy,
        "db_path": str(db),
        "articles_dir": str(folder),
        "corpus_dir": str(generated),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.etl_bench",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/im-bench"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(args.articles, args.seed, args.workdir), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
