"""The scenario runner fails on every unmet expectation, naming the step."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.scenarios import ScenarioFormatError, load_scenario, run_scenario
from tests.conftest import EXAMPLE_BPMN, PROCESSES

HEADER = "start: 2026-03-16T10:00:00+03:00\nmessage: {text: Яма}\nsteps:\n"


@pytest.fixture
def version(tmp_path: Path) -> Path:
    folder = tmp_path / "example" / "v1"
    folder.mkdir(parents=True)
    shutil.copy(EXAMPLE_BPMN, folder)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    return folder


def _run(version: Path, steps: str) -> str | None:
    path = version / "x.scenario.yaml"
    path.write_text(HEADER + steps, encoding="utf-8")
    return run_scenario(load_scenario(path), version.parent.parent).failure


@pytest.mark.parametrize(
    ("steps", "failure"),
    [
        ("  - expect_data: {priority: high}\n", "case data differs"),
        ("  - expect_task: {element: route}\n", "expected open task 'route'"),
        ("  - expect_task: {element: screen, lane: executor}\n", "expected executor"),
        ("  - expect_no_task: screen\n", "expected no open task 'screen'"),
        ("  - expect_violation: screen\n", "expected a violation on 'screen'"),
        ("  - expect_completed: true\n", "case is running"),
        ("  - complete: screen\n    data: {screen_decision: maybe}\n", "screen_decision"),
        ("  - complete: screen\n    as: executor\n    data: {}\n", "not executor"),
    ],
)
def test_unmet_expectations_fail_with_the_step(version: Path, steps: str, failure: str) -> None:
    result = _run(version, steps)
    assert result is not None and result.startswith("step 1") and failure in result


def test_met_expectations_pass(version: Path) -> None:
    steps = "  - expect_data: {priority: normal}\n  - expect_task: {element: screen, count: 1}\n"
    assert _run(version, steps) is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("start: 2026-03-16T10:00:00\nsteps: []\n", "UTC offset"),
        ("start: 2026-03-16T10:00:00+03:00\nsteps: [{jump: 1}]\n", "unknown keys"),
        ("start: 2026-03-16T10:00:00+03:00\nsteps: [{at: soon, tick: 1}]\n", None),
        ("[1, 2", "not valid YAML"),
    ],
)
def test_malformed_scenarios_are_refused(version: Path, text: str, error: str | None) -> None:
    path = version / "bad.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    if error is None:
        assert "not an ISO datetime" in (
            run_scenario(load_scenario(path), version.parent.parent).failure or ""
        )
        return
    with pytest.raises(ScenarioFormatError, match=error):
        load_scenario(path)
