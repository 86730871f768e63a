"""Simulation speed and memory: Perm's default staff on a city's stream (3,000 messages a month)."""

from __future__ import annotations

import multiprocessing
import resource
import tempfile
import time
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks.common import PROCESSES, sized
from benchmarks.report import REPORT, Goal
from engine.simulation import simulate
from engine.simulation.api import DEFAULT_START, version_bpmn
from engine.simulation.model import SIMULATION_DIR, STAFF_FILE, load_profile, load_staff
from engine.simulation.run import Simulation
from engine.simulation.stream import generate

# Speed: Perm's own default stream (processes/perm/simulation/, about 3,000 messages a month)
# over a whole month, as `reglament simulate -m perm --days 30` runs it: a month's cases live
# longer and carry more history than the first days', so a short run extrapolated would flatter.
DAYS = 30
PER_DAY = 100  # the memory runs' stream: 3,000 a month
# Memory: a lighter stream over a week and a month, each run in a fresh process of its own so
# that its peak resident size is its own (ru_maxrss never goes down).
MEMORY_PER_DAY = 30
MEMORY_DAYS = (7, 30)
COMPARE_DAYS = 3  # `--compare`: two runs side by side against one (one after the other: 2.0)
ZONE = "Asia/Yekaterinburg"
PROFILE = f"""
per_day: {PER_DAY}
hours: [1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 4, 6, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6, 5, 4, 3, 2]
sources: {{vk: 0.5, ok: 0.15, monitoring: 0.25, incident_manager: 0.1}}
channels: {{feed: 0.8, private: 0.2}}
repeat_share: 0.05
obscene_share: 0.03
"""


def main() -> None:
    """The seconds of a month of Perm's stream (extrapolated with --quick), peak memory."""
    with tempfile.TemporaryDirectory(prefix="reglament-bench-sim-") as folder:
        _speed()
        _compare()
        memory_rate = Path(folder) / "memory.yaml"
        lighter = PROFILE.replace(f"per_day: {PER_DAY}", f"per_day: {MEMORY_PER_DAY}")
        memory_rate.write_text(lighter, encoding="utf-8")
        for days in MEMORY_DAYS:
            _show_memory(days, _in_child(memory_rate, days))


def _speed() -> None:
    """The speed run (not under tracemalloc, which would slow what it measures)."""
    began, cpu = time.perf_counter(), time.process_time()
    days = sized(DAYS, 2)
    REPORT.setting("simulation", days=days, municipality="perm", stream="perm's default")
    (run,) = simulate("perm", PROCESSES, days=days, seed=1)
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    per_message = took / max(run["messages"], 1)
    # The database runs inside the process: its CPU time is the whole run, whatever the load.
    cpu_per_message = cpu / max(run["messages"], 1)
    month = took * DAYS / days  # measured when the run is the month itself
    how = "measured" if days == DAYS else f"extrapolated from {days} days"
    print(
        f"  {run['messages']} messages over {days} days in {took:.1f} s, {cpu:.1f} s of CPU "
        f"({per_message * 1000:.0f} ms a message, {cpu_per_message * 1000:.0f} ms of CPU; "
        f"{run['cases']} cases); a month of Perm's stream {month:.0f} s ({how}); "
        f"peak resident memory {peak / 2**20:.0f} MiB"
    )
    REPORT.add("simulation", "ms per simulated message", per_message * 1000, "ms")
    REPORT.add("simulation", "CPU ms per simulated message", cpu_per_message * 1000, "ms")
    REPORT.add("simulation", "a month of Perm's stream", month, "s", Goal(60), f"issue 17; {how}")


def _compare() -> None:
    """A comparison of two versions (here the version with itself) against one run alone."""
    days = sized(COMPARE_DAYS, 1)
    began = time.perf_counter()
    simulate("perm", PROCESSES, days=days, seed=1)
    alone = time.perf_counter() - began
    began = time.perf_counter()
    simulate("perm", PROCESSES, days=days, seed=1, version="v1", compare="v1")
    pair = time.perf_counter() - began
    print(
        f"  --compare over {days} days: {pair:.1f} s against {alone:.1f} s for one run "
        f"(×{pair / alone:.2f}; the two runs go side by side in processes of their own)"
    )
    REPORT.add("simulation", "a comparison ÷ one run (side by side)", pair / alone, "×")


def _in_child(rate: Path, days: int) -> dict[str, Any]:
    """Run the memory measurement in a forked process and return its figures."""
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        return pool.apply(_memory_run, (str(rate), days))


def _memory_run(rate: str, days: int) -> dict[str, Any]:
    """One run of `days` days: its figures, the simulator's holdings and the peak RSS."""
    start = datetime.combine(DEFAULT_START, clock_time(0), tzinfo=ZoneInfo(ZONE))
    stream = generate(load_profile(Path(rate)), start, days, ZONE, 1)
    staff = load_staff(PROCESSES / "perm" / SIMULATION_DIR / STAFF_FILE)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    run = Simulation(version_bpmn(PROCESSES, "perm", None), PROCESSES, staff, start, days, 1)
    result = run.run(stream)
    took = time.perf_counter() - began
    return {
        "messages": result.messages,
        "seconds": took,
        "rss_before_kib": before,
        "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "memory": result.memory,
    }


def _show_memory(days: int, figures: dict[str, Any]) -> None:
    memory = figures["memory"]
    print(
        f"  memory, {days} days ({figures['messages']} messages, {figures['seconds']:.0f} s): "
        f"peak RSS {figures['rss_peak_kib'] / 1024:.0f} MiB "
        f"(process before the run {figures['rss_before_kib'] / 1024:.0f} MiB); "
        f"in-memory database at most {memory.database_peak_bytes / 2**20:.1f} MiB; "
        f"workflows held at most {memory.workflows_peak}, at the end {memory.workflows_at_end} "
        f"(running {memory.running_at_end}), released {memory.released}, "
        f"finished still held {memory.finished_holding}"
    )
