"""Compared runs in processes of their own: the same figures, errors and deaths reported."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.simulation import simulate
from engine.simulation.api import version_bpmn
from engine.simulation.model import SIMULATION_DIR, STAFF_FILE, SimulationInputError, load_staff
from engine.simulation.parallel import RunInterrupted, SimulationJob, run_side_by_side
from tests.conftest import PROCESSES
from tests.simulation.test_simulation import light_rate


class DyingJob(SimulationJob):
    """A run whose process ends at once, saying nothing (killed, out of memory)."""

    def run(self, progress: Any = None) -> dict[str, Any]:
        os._exit(3)


def _processes_with_v2(tmp_path: Path) -> Path:
    processes = tmp_path / "processes"
    shutil.copytree(PROCESSES / "perm", processes / "perm")
    shutil.copytree(processes / "perm" / "v1", processes / "perm" / "v2")
    for name in ("perm.bpmn", "deadlines.yaml"):  # п. 3.2.1: 4 hours become 1 hour
        path = processes / "perm" / "v2" / name
        path.write_text(path.read_text(encoding="utf-8").replace("4 часа", "1 час"))
    return processes


def test_a_comparison_has_the_figures_of_its_runs_one_after_the_other(tmp_path: Path) -> None:
    processes = _processes_with_v2(tmp_path)
    rate = light_rate(tmp_path, "perm")
    told: list[float] = []
    pair = simulate(
        "perm",
        processes,
        days=1,
        rate=rate,
        seed=3,
        version="v1",
        compare="v2",
        progress=told.append,
    )
    alone = [
        simulate("perm", processes, days=1, rate=rate, seed=3, version=label)[0]
        for label in ("v1", "v2")
    ]
    assert pair == alone
    assert pair[0] != pair[1]  # two versions, really run: the shorter term shows
    assert told and told[-1] == 1.0 and all(0 <= f <= 1 for f in told)


def _job(tmp_path: Path, bpmn: Path) -> SimulationJob:
    staff = load_staff(PROCESSES / "perm" / SIMULATION_DIR / STAFF_FILE)
    start = datetime(2026, 3, 2, tzinfo=ZoneInfo("Asia/Yekaterinburg"))
    return SimulationJob(bpmn, tmp_path / "processes", staff, start, 1, 1, [])


def test_a_run_that_fails_raises_its_own_error_in_the_caller(tmp_path: Path) -> None:
    processes = _processes_with_v2(tmp_path)
    good = version_bpmn(processes, "perm", "v1")
    broken = version_bpmn(processes, "perm", "v2")
    broken.write_text("<definitions>не BPMN", encoding="utf-8")
    jobs = [_job(tmp_path, good), _job(tmp_path, broken)]
    with pytest.raises(SimulationInputError, match=r"версия «v2» не принимается: .*XML"):
        run_side_by_side(jobs)


def _dying(job: SimulationJob) -> DyingJob:
    return DyingJob(**{name: getattr(job, name) for name in job.__dataclass_fields__})


def test_a_run_whose_process_dies_is_named(tmp_path: Path) -> None:
    processes = _processes_with_v2(tmp_path)
    job = _job(tmp_path, version_bpmn(processes, "perm", "v1"))
    with pytest.raises(RunInterrupted, match="прогон версии «v1» прервался \\(код выхода 3\\)"):
        run_side_by_side([job, _dying(job)])


def test_the_command_refuses_a_broken_version_naming_it(tmp_path: Path) -> None:
    processes = _processes_with_v2(tmp_path)
    version_bpmn(processes, "perm", "v2").write_text("<definitions>не BPMN", encoding="utf-8")
    env = {"REGLAMENT_PROCESSES_DIR": str(processes)}
    for extra in ([], ["--version", "v1", "--compare", "v2"]):
        args = ["simulate", "-m", "perm", "--days", "1", *extra]
        result = CliRunner().invoke(main, args, env=env)
        assert result.exit_code == 1, result.output
        assert "Error: версия «v2» не принимается" in result.output
        assert "Traceback" not in result.output
