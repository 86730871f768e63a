"""Every process version is a self-testing unit: each scenario beside a BPMN file passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.scenarios import ScenarioResult, find_scenarios, run_file
from engine.traceability import DEADLINE_TABLE, DeadlineRow, load_deadline_table, timers_for
from engine.versions import parse_file
from tests.conftest import PROCESSES

SCENARIOS = find_scenarios([PROCESSES])
VERSIONS = sorted({path.parent for path in PROCESSES.glob("*/v*/*.bpmn")})


def test_every_process_version_has_scenarios() -> None:
    assert VERSIONS and set(VERSIONS) <= {path.parent for path in SCENARIOS}


@pytest.fixture(scope="module")
def results() -> dict[Path, ScenarioResult]:
    """Each scenario run once for the whole module (a malformed file fails only its own test)."""
    return {path: run_file(path, PROCESSES) for path in SCENARIOS}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_scenario_passes(path: Path, results: dict[Path, ScenarioResult]) -> None:
    assert results[path].failure is None, results[path].failure


@pytest.mark.parametrize("version", VERSIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_scenarios_exercise_every_deadline_row(
    version: Path, results: dict[Path, ScenarioResult]
) -> None:
    """A row counts when a scenario armed it in the ledger, or armed or fired its own timer."""
    own = [r for p, r in results.items() if p.parent == version]
    touched = set().union(*(r.elements for r in own))
    armed = set().union(*(r.deadlines for r in own))
    (bpmn,) = version.glob("*.bpmn")
    catalog = parse_file(bpmn).catalog
    rows = load_deadline_table(version / DEADLINE_TABLE)
    unexercised = [
        f"{row.clause}: {row.deadline}"
        for row in rows
        if row.name not in armed and not _timer_touched(row, catalog, touched)
    ]
    assert unexercised == []


def _timer_touched(row: DeadlineRow, catalog: dict[str, Any], touched: set[str]) -> bool:
    return any(
        timer in touched or catalog["elements"][timer]["attached_to"] in touched
        for timer in timers_for(catalog, row)
    )
