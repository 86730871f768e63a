"""Malformed scenario files are refused before anything runs, naming the file, the step and why."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.scenarios import ScenarioFormatError, load_scenario, run_file
from tests.conftest import PROCESSES, copy_example_version

START = "start: 2026-03-16T10:00:00+03:00\n"


@pytest.fixture
def version(tmp_path: Path) -> Path:
    folder = tmp_path / "example" / "v1"
    folder.mkdir(parents=True)
    copy_example_version(folder)
    shutil.copy(PROCESSES / "example" / "municipality.yaml", tmp_path / "example")
    return folder


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "start: 2026-03-16T10:00:00\nsteps: []\n",
            "start must carry a UTC offset, got 2026-03-16T10:00:00",
        ),
        ("start: 2026-13-01T10:00:00+03:00\nsteps: []\n", "not valid YAML"),
        ("[1, 2", "not valid YAML"),
        (START + "stepz: []\n", "unknown keys ['stepz']"),
        (START + "bpmn: nope.bpmn\n", "bpmn: no such file"),
        (START + "steps: [{jump: 1}]\n", "step 1: unknown keys ['jump']"),
        (START + "steps: [{at: soon, tick: 1}]\n", "step 1: at is not an ISO datetime: 'soon'"),
        (START + "steps: [{at: +1x}]\n", "step 1: offset '+1x'"),
        (
            START + "steps: [{at: +1h}, {at: 2026-03-16T10:30:00+03:00}]\n",
            "step 2: at 2026-03-16T10:30:00+03:00 is before 2026-03-16T11:00:00+03:00",
        ),
        (START + "steps: [{expect_task: {elemnt: screen}}]\n", "step 1: expect_task: unknown keys"),
        (START + "steps: [{expect_task: {due_by: tomorrow}}]\n", "due_by: 'tomorrow' is not an"),
        (START + "steps: [{expect_task: {due_after: 2026-03-16T10:00}}]\n", "needs a UTC offset"),
        (START + "steps: [{expect_task: {count: -1}}]\n", "count must be a whole number ≥ 0"),
        (START + "steps: [{expect_violation: {clause: пункт 3}}]\n", "is not one clause"),
        (START + "steps: [{expect_violation: {due: null}}]\n", "due: null is not an ISO"),
        (START + "steps: [{expect_no_violation: false}]\n", "expected a mapping with keys"),
        (START + "steps: [{expect_end: {completed: 1}}]\n", "completed: expected true or false"),
        (START + "steps: [{expect_completed: 1}]\n", "expect_completed: expected true or false"),
        (START + "steps: [{expect_status: done}]\n", "expected one of running, completed"),
        (START + "steps: [{expect_data: {at: screen}}]\n", "write {at: <element>, values"),
        (START + "steps: [{expect_data: {at: s, values: {}, x: 1}}]\n", "unknown keys ['x']"),
        (START + "steps: [{expect_data: [1]}]\n", "expect_data: expected a mapping"),
        (
            START + "steps: [{expect_task: screen, expect_refused: x}]\n",
            "unknown keys ['expect_refused'] with expect_task",
        ),
        (START + "steps: [{tick: 1, expect_refused: x}]\n", "unknown keys ['expect_refused']"),
        (START + "steps: [{complete: screen, expect_refused: {}}]\n", "missing ['contains']"),
        (
            START + "steps: [{complete: screen, expect_refused: {contains: x, reason: oops}}]\n",
            "reason: expected one of invalid_form",
        ),
        (START + "steps: [{expect_task: screen, again: true}]\n", "unknown keys ['again']"),
        (START + "steps: [{complete: screen, data: [1]}]\n", "data: expected a mapping"),
        (START + "steps: [{complete: screen, tick: 1}]\n", "one action or expectation per step"),
        (START + "message: {form: paper}\n", "message: form: 'paper' is not an intake form"),
        (START + "message: {form: manual, thread: 1}\n", "unknown fields ['thread']"),
        (
            START + "message: {form: manual, received_at: 2026-03-16T08:50:00+03:00}\n",
            "received_at: the form takes the local time as typed",
        ),
        ("municipality: atlantis\n" + START, "municipality atlantis: "),
    ],
)
def test_malformed_scenarios_are_refused(version: Path, text: str, error: str) -> None:
    path = version / "bad.scenario.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioFormatError) as refused:
        load_scenario(path)
    assert str(refused.value).startswith(str(path)) and error in str(refused.value)
    result = run_file(path)  # the runner's entry point reports it as a failed file
    assert not result.passed and result.failure == str(refused.value)


def test_values_are_read_once_at_load(version: Path) -> None:
    path = version / "ok.scenario.yaml"
    path.write_text(
        START + "steps:\n"
        "  - at: +1d2h30m\n"
        "    expect_violation: {clause: '«Пример, п.2»', due_by: 2026-03-16T11:00:00Z}\n"
        "  - expect_no_violation: true\n"
        "  - expect_task: screen\n"
        "  - message: {form: manual, official_page: true, received_at: 2026-03-16 08:50:00}\n",
        encoding="utf-8",
    )
    steps = load_scenario(path).steps
    assert steps[0]["at"].isoformat() == "2026-03-17T12:30:00+03:00"
    assert steps[0]["expect_violation"]["clause"] == "Пример, п. 2"
    assert steps[1]["expect_no_violation"] == {}
    assert steps[2]["expect_task"] == {"element": "screen"}
    assert steps[3]["message"] == {
        "form": "manual",
        "official_page": "1",
        "received_at": "2026-03-16T08:50",
    }
