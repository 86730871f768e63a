"""`expect_data`: the case's data, as a whole or as it was when an element completed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.scenarios.readable import listing, readable
from engine.scenarios.registry import expectation, fail
from engine.scenarios.shapes import ShapeError, text
from engine.timers import all_tasks

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

MISSING = "missing"
_ABSENT = object()


def read_expected_data(value: Any) -> dict[str, Any]:
    """`{name: value, ...}`, or `{at: <element id>, values: {name: value, ...}}`."""
    if not isinstance(value, dict) or not value:
        raise ShapeError("expected a mapping of names to values, or {at: <element>, values: {...}}")
    if "values" not in value:
        if "at" in value:
            raise ShapeError("to read the data at an element write {at: <element>, values: {...}}")
        return {"values": dict(value)}
    unknown = sorted(set(value) - {"at", "values"})
    if unknown:
        raise ShapeError(f"unknown keys {unknown} beside values; known: at, values")
    if not isinstance(value["values"], dict) or not value["values"]:
        raise ShapeError("values: expected a mapping of names to values")
    return {**({"at": text(value["at"])} if "at" in value else {}), "values": dict(value["values"])}


def _completed(workflow: BpmnWorkflow) -> list[Task]:
    """Completed tasks, in the order they completed."""
    return sorted(all_tasks(workflow, TaskState.COMPLETED), key=lambda task: task.last_state_change)


def case_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The whole case's data: the workflow's, then each path's latest completed task, newest last.

    A path's latest task is a completed task none of whose children completed (each instance of a
    multi-instance task is one). The case's last completed task comes last, so a name it holds
    reads as it did before paths were merged.
    """
    data = dict(workflow.data)
    for task in _completed(workflow):
        if not any(child.has_state(TaskState.COMPLETED) for child in task.children):
            data.update(task.data)
    if workflow.last_task is not None:
        data.update(workflow.last_task.data)
    return data


def data_at(workflow: BpmnWorkflow, element: str) -> dict[str, Any] | None:
    """The data of the latest completion of `element`, or None if it never completed."""
    done = [task for task in _completed(workflow) if task.task_spec.bpmn_id == element]
    return dict(done[-1].data) if done else None


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, datetime) and isinstance(actual, str):
        try:
            return expected == datetime.fromisoformat(actual)
        except ValueError:
            return False
    return bool(expected == actual)


@expectation("expect_data", read_expected_data)
def _expect_data(run: _Run, spec: dict[str, Any]) -> None:
    """The case's data (or the data at an element's completion) holds these values."""
    workflow = run.workflow()
    at = spec.get("at")
    data = case_data(workflow) if at is None else data_at(workflow, at)
    if data is None:
        done = sorted({t.task_spec.bpmn_id for t in _completed(workflow) if t.task_spec.bpmn_id})
        fail(f"{at} has not completed; completed: {listing(done)}")
    found = {name: data.get(name, _ABSENT) for name in spec["values"]}
    wrong = {
        name: MISSING if found[name] is _ABSENT else found[name]
        for name, value in spec["values"].items()
        if found[name] is _ABSENT or not _same(value, found[name])
    }
    if wrong:
        where = f" at {at}" if at else ""
        fail(
            f"case data{where} differs: expected {readable(spec['values'], run.zone)}, "
            f"found {readable(wrong, run.zone)}"
        )
