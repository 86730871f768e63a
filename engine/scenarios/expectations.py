"""Scenario expectations, registered by step key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.statuses import InstanceStatus

if TYPE_CHECKING:
    from engine.scenarios.runner import _Run

Expectation = Callable[["_Run", Any], None]
EXPECTATIONS: dict[str, Expectation] = {}


def expectation(key: str) -> Callable[[Expectation], Expectation]:
    """Register a check under a step key."""

    def register(check: Expectation) -> Expectation:
        EXPECTATIONS[key] = check
        return check

    return register


class ScenarioFailure(AssertionError):
    """An expectation of a scenario step that did not hold."""


def _fail(message: str) -> None:
    raise ScenarioFailure(message)


def _moment(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"expected due {value!r} needs a UTC offset")
    return moment


@expectation("expect_task")
def _expect_task(run: _Run, expected: Any) -> None:
    spec = expected if isinstance(expected, dict) else {"element": expected}
    matches = [
        task
        for task in run.open_tasks()
        if task.element_id == spec["element"] and spec.get("department") in (None, task.department)
    ]
    if not matches:
        _fail(f"expected open task {spec['element']!r}; {run.describe()}")
    if "count" in spec and len(matches) != spec["count"]:
        _fail(f"expected {spec['count']} open {spec['element']!r}, found {len(matches)}")
    for task in matches:
        if "lane" in spec and task.role != spec["lane"]:
            _fail(f"{task.element_id} is in lane {task.role}, expected {spec['lane']}")
        if "due" in spec:
            want = _moment(spec["due"]) if spec["due"] is not None else None
            if task.due_at != want:
                got = (
                    task.due_at.astimezone(want.tzinfo).isoformat()
                    if task.due_at and want
                    else task.due_at
                )
                _fail(f"{task.element_id} due {got}, expected {spec['due']}")


@expectation("expect_no_task")
def _expect_no_task(run: _Run, element: str) -> None:
    if any(task.element_id == element for task in run.open_tasks()):
        _fail(f"expected no open task {element!r}; {run.describe()}")


@expectation("expect_violation")
def _expect_violation(run: _Run, expected: Any) -> None:
    spec = expected if isinstance(expected, dict) else {"element": expected}
    found = [v for v in run.violations() if v.element_id == spec["element"]]
    if not found:
        recorded = [(v.element_id, v.due_at.isoformat()) for v in run.violations()]
        _fail(f"expected a violation on {spec['element']!r}; recorded: {recorded}")
    if "due" in spec and all(v.due_at != _moment(spec["due"]) for v in found):
        _fail(f"violation on {spec['element']} due {[v.due_at.isoformat() for v in found]}")
    if "clause" in spec and all(spec["clause"] not in (v.clause or "") for v in found):
        _fail(f"violation on {spec['element']} cites {[v.clause for v in found]}")
    if "count" in spec and len(found) != spec["count"]:
        _fail(f"expected {spec['count']} violations on {spec['element']}, found {len(found)}")


@expectation("expect_completed")
def _expect_completed(run: _Run, expected: Any) -> None:
    status = run.instance().status
    if bool(expected) != (status is InstanceStatus.COMPLETED):
        _fail(f"expected completed={bool(expected)}, case is {status.value}")


@expectation("expect_status")
def _expect_status(run: _Run, expected: str) -> None:
    status = run.instance().status
    if status.value != expected:
        _fail(f"expected case {expected}, it is {status.value}")


@expectation("expect_data")
def _expect_data(run: _Run, expected: Any) -> None:
    """The data at the case's last completed step holds these values (a subset match)."""
    if not isinstance(expected, dict):
        _fail("expect_data needs a mapping of names to values")
    workflow = run.workflow()
    data = workflow.last_task.data if workflow.last_task is not None else workflow.data
    wrong = {
        key: data.get(key, "<missing>") for key, value in expected.items() if data.get(key) != value
    }
    if wrong:
        _fail(f"case data differs: expected {expected}, found {wrong}")


@expectation("expect_notice")
def _expect_notice(run: _Run, expected: Any) -> None:
    """A notice (breach or reminder) reached a role, optionally for a clause or a deadline."""
    spec = expected if isinstance(expected, dict) else {"role": expected}
    found = [
        notice
        for notice in run.notices()
        if notice.recipient_role == spec.get("role", notice.recipient_role)
        and notice.kind.value == spec.get("kind", notice.kind.value)
        and spec.get("clause") in (None, notice.clause)
        and spec.get("department") in (None, notice.recipient_department)
    ]
    wanted = spec.get("count")
    if wanted is None and not found:
        sent = [(n.kind.value, n.recipient_role, n.clause) for n in run.notices()]
        _fail(f"expected a notice {spec}; sent: {sent or 'none'}")
    if wanted is not None and len(found) != wanted:
        _fail(f"expected {wanted} notices {spec}, found {len(found)}")


@expectation("expect_deadline")
def _expect_deadline(run: _Run, expected: Any) -> None:
    """A deadline of the table in this case: its state (armed, paused, met, breached), due."""
    if not isinstance(expected, dict) or "name" not in expected:
        _fail("expect_deadline needs {name: <row of deadlines.yaml>, state: ..., due: ...}")
    found = [entry for entry in run.deadlines() if entry.name == expected["name"]]
    if not found:
        _fail(f"no deadline {expected['name']!r} was armed in this case")
    entry = found[-1]
    if "state" in expected and entry.state.value != expected["state"]:
        _fail(f"deadline {entry.name} is {entry.state.value}, expected {expected['state']}")
    if "due" in expected and entry.due_at != _moment(expected["due"]):
        _fail(f"deadline {entry.name} due {entry.due_at.isoformat()}, expected {expected['due']}")
    if "responsible" in expected and entry.responsible_role != expected["responsible"]:
        _fail(f"deadline {entry.name}: responsible {entry.responsible_role}")
    if "count" in expected and len(found) != expected["count"]:
        _fail(f"expected {expected['count']} occurrences of {entry.name}, found {len(found)}")
