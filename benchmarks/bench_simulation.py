"""Simulation speed: Perm's default staff on a city's stream (about 3,000 messages a month)."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path

from benchmarks.common import PROCESSES, sized
from benchmarks.report import REPORT, Goal
from engine.simulation import simulate

DAYS = 2
PER_DAY = 100  # 3,000 a month
PROFILE = f"""
per_day: {PER_DAY}
hours: [1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2]
sources: {{vk: 0.5, ok: 0.15, monitoring: 0.25, incident_manager: 0.1}}
channels: {{feed: 0.8, private: 0.2}}
repeat_share: 0.05
obscene_share: 0.03
"""


def main() -> None:
    """Messages per second of a run, the month's stream extrapolated, peak resident memory."""
    with tempfile.TemporaryDirectory(prefix="reglament-bench-sim-") as folder:
        rate = Path(folder) / "profile.yaml"
        rate.write_text(PROFILE, encoding="utf-8")
        began = time.perf_counter()
        days = sized(DAYS, 1)
        REPORT.setting("simulation", days=days, per_day=PER_DAY, municipality="perm")
        (run,) = simulate("perm", PROCESSES, days=days, rate=rate, seed=1)
        took = time.perf_counter() - began
        # Peak resident memory of the process (tracemalloc would slow the run it measures).
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    per_message = took / max(run["messages"], 1)
    print(
        f"  {run['messages']} messages over {DAYS} days in {took:.1f} s "
        f"({per_message * 1000:.0f} ms a message, {run['cases']} cases); "
        f"a month of 3,000 messages ≈ {per_message * 3000:.0f} s; "
        f"peak resident memory {peak / 2**20:.0f} MiB"
    )
    REPORT.add("simulation", "ms per simulated message", per_message * 1000, "ms")
    month = per_message * 3000
    REPORT.add("simulation", "a month of 3,000 messages", month, "s", Goal(60), "issue 17")
