"""`simulate()`: the library call behind `reglament simulate` (tests call it directly)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from engine.municipalities import is_known, load_municipality
from engine.simulation.model import (
    PROFILE_FILE,
    SIMULATION_DIR,
    STAFF_FILE,
    SimulationInputError,
    load_profile,
    load_staff,
)
from engine.simulation.parallel import SimulationJob, run_side_by_side
from engine.simulation.run import Progress
from engine.simulation.stream import Arrival, generate, read_messages

DEFAULT_START = date(2026, 3, 2)  # a Monday: runs are comparable and reproducible by default
MAX_DAYS = 92


def version_bpmn(processes_dir: Path, municipality: str, label: str | None) -> Path:
    """The BPMN file of a version folder (the newest `vN` when no label is given)."""
    folder = processes_dir / municipality
    if label is None:
        labels = sorted(
            (p.name for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"v\d+", p.name)),
            key=lambda name: int(name[1:]),
        )
        if not labels:
            raise SimulationInputError(f"{folder}: нет ни одной версии регламента (v1, v2, …)")
        label = labels[-1]
    found = sorted((folder / label).glob("*.bpmn"))
    if len(found) != 1:
        raise SimulationInputError(
            f"{folder / label}: нужна ровно одна BPMN-схема версии «{label}»"
        )
    return found[0]


def simulate(
    municipality: str,
    processes_dir: Path,
    *,
    days: int,
    version: str | None = None,
    compare: str | None = None,
    messages: Path | None = None,
    rate: Path | None = None,
    staff: Path | None = None,
    seed: int = 1,
    start: date = DEFAULT_START,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """Run the version (and the compared one) on one stream and seed; their figures."""
    if not is_known(municipality, processes_dir):
        raise SimulationInputError(f"нет муниципалитета «{municipality}» в {processes_dir}")
    if not 1 <= days <= MAX_DAYS:
        raise SimulationInputError(f"--days: от 1 до {MAX_DAYS}, а не {days}")
    zone = load_municipality(municipality, processes_dir).timezone
    begin = datetime.combine(start, time(0), tzinfo=ZoneInfo(zone))
    defaults = processes_dir / municipality / SIMULATION_DIR
    model = load_staff(staff or defaults / STAFF_FILE)
    arrivals = _stream(messages, rate or defaults / PROFILE_FILE, begin, days, zone, seed)
    labels = [version, compare] if compare else [version]
    jobs = [
        SimulationJob(
            version_bpmn(processes_dir, municipality, label),
            processes_dir,
            model,
            begin,
            days,
            seed,
            arrivals,
        )
        for label in labels
    ]
    if len(jobs) == 1:
        return [jobs[0].run(progress)]
    return run_side_by_side(jobs, progress)  # two versions: a process each (simulation/README)


def _stream(
    messages: Path | None, rate: Path, begin: datetime, days: int, zone: str, seed: int
) -> list[Arrival]:
    if messages is not None:
        return read_messages(messages)
    return generate(load_profile(rate), begin, days, zone, seed)
