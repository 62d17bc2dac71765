"""Extraction time per MB as one text grows: the figure that shows it stays linear.

    python -m benchmarks.extract_scaling [--sizes 0.1,1,10] [--kinds prose,dense_dates,...]
                                         [--out benchmarks/results]

For each kind of generated text (`benchmarks.scaling_inputs`: news prose, dense dates, and the
same prose as one line without a single sentence end) and each size in MB, it times cleaning
(`etl.normalize.clean_text`) and extraction (`etl.extract.extract_article`, publication date
known) of the one text, and prints seconds and seconds per MB. The slope is the exponent b of
time ~ size^b fitted between the smallest and the largest size: 1.0 is linear, 2.0 quadratic.
The target: 10 MB of prose extracted in under 30 s on the 2-core reference machine. Figures go
to `--out` as `extract-scaling.json`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import scaling_inputs

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
TARGET_PROSE_10MB_S = 30.0
KINDS = {
    "prose": lambda size: scaling_inputs.prose(size),
    "dense_dates": lambda size: scaling_inputs.dense_dates(size),
    "one_sentence": lambda size: scaling_inputs.one_sentence(scaling_inputs.prose(size)),
}


def measure(kind: str, megabytes: float) -> dict[str, Any]:
    """Seconds to clean and to extract one generated text of `kind` of about `megabytes` MB."""
    from etl.extract import extract_article, load_gazetteer, load_themes
    from etl.model import PublicationDate
    from etl.normalize import clean_text

    reference = PROJECT_ROOT / "data" / "reference"
    gazetteer, themes = load_gazetteer(reference), load_themes(reference)
    text = KINDS[kind](int(megabytes * 1_000_000))
    start = time.perf_counter()
    cleaned = clean_text(text).text
    cleaned_at = time.perf_counter()
    result = extract_article(cleaned, PublicationDate(2024, 5, 17), gazetteer, themes)
    done = time.perf_counter()
    size_mb = len(text.encode("utf-8")) / 1_000_000
    return {"kind": kind, "mb": round(size_mb, 3), "clean_s": round(cleaned_at - start, 3),
            "extract_s": round(done - cleaned_at, 3),
            "extract_s_per_mb": round((done - cleaned_at) / size_mb, 3),
            "sentences": len(result.sentences), "dates": len(result.dates),
            "events": len(result.events)}


def slope(rows: list[dict[str, Any]], key: str) -> float | None:
    """Exponent b of time ~ size^b between the smallest and the largest input."""
    low, high = rows[0], rows[-1]
    if high["mb"] <= low["mb"] or low[key] <= 0 or high[key] <= 0:
        return None
    return math.log(high[key] / low[key]) / math.log(high["mb"] / low["mb"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extract_scaling",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0.1,1,10", help="input sizes in MB")
    parser.add_argument("--kinds", default=",".join(KINDS), help="text kinds to generate")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    sizes = sorted(float(s) for s in args.sizes.split(","))
    results: dict[str, Any] = {"sizes_mb": sizes, "kinds": {},
                               "load_average_at_start": os.getloadavg()[0]}
    print("\nExtraction of one text as it grows (seconds; slope 1.0 = linear; load average "
          f"{results['load_average_at_start']:.1f} on {os.cpu_count()} cores)")
    print(f"{'kind':<13} {'MB':>6} {'clean s':>8} {'extract s':>10} {'s/MB':>6} "
          f"{'sentences':>10} {'dates':>8}")
    for kind in args.kinds.split(","):
        rows = []
        for size in sizes:
            row = measure(kind, size)
            rows.append(row)
            print(f"{kind:<13} {row['mb']:>6.2f} {row['clean_s']:>8.2f} {row['extract_s']:>10.2f} "
                  f"{row['extract_s_per_mb']:>6.2f} {row['sentences']:>10,} {row['dates']:>8,}",
                  flush=True)
        extract_slope, clean_slope = slope(rows, "extract_s"), slope(rows, "clean_s")
        results["kinds"][kind] = {"rows": rows, "extract_slope": extract_slope,
                                  "clean_slope": clean_slope}
        print(f"{kind:<13} slope: extract {_fmt(extract_slope)}, clean {_fmt(clean_slope)}")
    prose_rows = results["kinds"].get("prose", {}).get("rows", [])
    ten = [r for r in prose_rows if r["mb"] >= 9.5]
    if ten:
        seconds = ten[-1]["extract_s"]
        verdict = "ok" if seconds < TARGET_PROSE_10MB_S else "MISS"
        print(f"target: 10 MB of prose extracted in < {TARGET_PROSE_10MB_S:.0f} s: "
              f"{seconds:.1f} s {verdict}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "extract-scaling.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    sys.exit(main())
