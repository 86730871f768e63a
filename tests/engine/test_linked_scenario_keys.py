"""`expect_linked` is read at load: a malformed value is refused naming the step and why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.scenarios import ScenarioFormatError, load_scenario
from tests.conftest import PROCESSES, copy_example_version


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("{earlier: -1}", "earlier: count must be a whole number ≥ 0"),
        ("{departments: roads}", "departments: expected a list of department ids"),
        ("{linked: true}", "unknown keys ['linked']"),
        ("{report_measures: 1}", "report_measures: expected true or false"),
    ],
)
def test_a_malformed_expect_linked_is_refused_at_load(
    tmp_path: Path, value: str, error: str
) -> None:
    folder = tmp_path / "example" / "v1"
    folder.mkdir(parents=True)
    copy_example_version(folder)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    path = folder / "bad.scenario.yaml"
    path.write_text(f"start: 2026-03-16T10:00:00+03:00\nsteps: [{{expect_linked: {value}}}]\n")
    with pytest.raises(ScenarioFormatError, match="step 1") as refused:
        load_scenario(path)
    assert error in str(refused.value)
