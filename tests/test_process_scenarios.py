"""Every process version is a self-testing unit: each scenario beside a BPMN file passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.scenarios import find_scenarios, load_scenario, run_scenario
from tests.conftest import PROCESSES

SCENARIOS = find_scenarios([PROCESSES])


def test_every_process_version_has_scenarios() -> None:
    versions = {path.parent for path in PROCESSES.glob("*/v*/*.bpmn")}
    assert versions and versions <= {path.parent for path in SCENARIOS}


@pytest.mark.parametrize(
    "path", SCENARIOS, ids=lambda path: f"{path.parent.parent.name}/{path.name}"
)
def test_scenario_passes(path: Path) -> None:
    result = run_scenario(load_scenario(path), PROCESSES)
    assert result.failure is None, result.failure
