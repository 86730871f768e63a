"""Every process version is a self-testing unit: each scenario beside a BPMN file passes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.regulation.table import EMPTY_TABLE
from engine.scenarios import ScenarioResult, find_scenarios, run_file
from engine.scenarios.coverage import uncovered_by_version
from engine.scenarios.trace import clauses_of
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


# Clauses cited only by a lane (a role's definition): no step implements them, so no trace
# can exercise them. The coverage lists them as uncovered; every other cited clause is covered.
LANE_ONLY = {
    "chaykovsky/v1": ["Чайковский, п. 5"],
    "elets/v1": [],
    "example/v1": [],
    "myasnikovsky/v1": ["Мясниковский, п. 2"],
    "palana/v1": ["Палана, п. 3", "Палана, п. 4"],
    "perm/v1": ["Пермь, п. 1.2.1", "Пермь, п. 1.2.2"],
}


def test_every_clause_a_step_or_deadline_cites_is_exercised_by_a_scenario(
    results: dict[Path, ScenarioResult],
) -> None:
    assert uncovered_by_version(list(results.values())) == LANE_ONLY


def test_a_lane_citation_alone_covers_nothing() -> None:
    catalog = parse_file(PROCESSES / "perm" / "v1" / "perm.bpmn").catalog
    assert "Пермь, п. 1.2.1" in catalog["lanes"]["curator"]["clauses"]
    exercised = clauses_of({"screen"}, catalog, EMPTY_TABLE, set())
    assert "Пермь, п. 1.2.1" not in exercised  # the curator's lane cites it; the step does not
    assert {"Пермь, п. 1.3", "Пермь, п. 3.1"} <= exercised  # the step's own and its timer's


def test_rework_grounds_are_covered_only_by_a_scenario_with_rework(
    results: dict[Path, ScenarioResult],
) -> None:
    perm = PROCESSES / "perm" / "v1"
    grounds = {f"Пермь, п. 3.7.{n}" for n in range(1, 5)}
    without = results[perm / "main_feed_two_departments.scenario.yaml"]
    with_rework = results[perm / "admin_page_pre_holiday_rework.scenario.yaml"]
    assert "review_answer" in without.elements and not grounds & without.clauses
    assert grounds <= with_rework.clauses


def test_a_table_row_armed_covers_its_clause() -> None:
    """The example's answer span (п. 6) is a row no element cites: arming it covers it."""
    example = PROCESSES / "example" / "v1"
    catalog = parse_file(example / "example.bpmn").catalog
    assert not any("Пример, п. 6" in e["clauses"] for e in catalog["elements"].values())
    result = run_file(example / "main_path.scenario.yaml", PROCESSES)
    assert "answer" in result.deadlines and "Пример, п. 6" in result.clauses
