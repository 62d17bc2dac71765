"""The build profile of `make bench` at toy size: every stage is found in the call tree."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import profile


def test_the_profile_times_every_stage_of_a_full_build(tmp_path: Path) -> None:
    out = tmp_path / "profile.json"
    code = profile.main(["--articles", "30", "--workdir", str(tmp_path), "--json", str(out)])

    assert code == 0
    figures = json.loads(out.read_text())
    stages = figures["stages_s"]
    assert set(stages) == {label.strip() for label, _, _ in profile.STAGES}
    # a generated corpus exercises every stage, so each must be found in the call tree (a
    # renamed function would silently read as zero)
    missing = sorted(name for name, seconds in stages.items() if seconds <= 0)
    assert not missing, f"stages not found in the profile: {missing}"
    extraction = sum(stages[label.strip()] for label, _, _ in profile.STAGES
                     if label.startswith("  "))
    assert extraction <= stages["extract (all rules)"] <= figures["wall_s"]
