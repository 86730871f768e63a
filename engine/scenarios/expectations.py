"""Scenario expectations on tasks, violations, end events and the case's status.

Every key of an expectation's mapping but `count` selects: an item matches when it meets them all.
Without `count` at least one item must match; with it exactly that many (`count: 0`: none).
"""

from __future__ import annotations

from collections.abc import Sized
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.models import OpenUserTask, Violation
from engine.scenarios.readable import listing, readable
from engine.scenarios.registry import expectation, fail
from engine.scenarios.shapes import DUES, Shape, choice, clause, count, flag, moment, text
from engine.statuses import InstanceStatus

if TYPE_CHECKING:
    from engine.scenarios.runner import ReachedEnd, _Run

TASK = Shape(
    {"element": text, "lane": text, "department": text, "count": count, **DUES},
    shorthand="element",
)
VIOLATION_FIELDS = {"element": text, "clause": clause}
VIOLATION = Shape(
    {
        **VIOLATION_FIELDS,
        "count": count,
        "due": moment,
        "due_by": moment,
        "due_after": moment,
        "outside_office_hours": flag,
    },
    shorthand="element",
)
NO_VIOLATION = Shape(VIOLATION_FIELDS, shorthand="element", true_means_empty=True)
END = Shape(
    {"element": text, "clause": clause, "completed": flag, "count": count}, shorthand="element"
)


def cited(clauses: str | None) -> list[str]:
    """The clauses a violation cites: its «; »-joined normalised clauses, each whole."""
    return [part.strip() for part in (clauses or "").split(";") if part.strip()]


def due_matches(due: datetime | None, spec: dict[str, Any]) -> bool:
    """`due` exact (null: none), `due_by` due ≤ moment, `due_after` due > moment."""
    if "due" in spec and due != spec["due"]:
        return False
    if "due_by" in spec and (due is None or due > spec["due_by"]):
        return False
    return not ("due_after" in spec and (due is None or due <= spec["due_after"]))


def expect_count(run: _Run, noun: str, spec: dict[str, Any], found: Sized, context: str) -> None:
    """At least one match, or exactly `count`; the failure says what was looked for and seen."""
    selected = {k: v for k, v in spec.items() if k != "count"}
    criteria = readable(selected, run.zone) if selected else "anything"
    wanted = spec.get("count")
    if wanted is None and len(found) == 0:
        fail(f"expected {noun} matching {criteria}, found none; {context}")
    if wanted is not None and len(found) != wanted:
        fail(f"expected {wanted} {noun} matching {criteria}, found {len(found)}; {context}")


def _task_matches(task: OpenUserTask, spec: dict[str, Any]) -> bool:
    return (
        spec.get("element") in (None, task.element_id)
        and spec.get("lane") in (None, task.role)
        and spec.get("department") in (None, task.department)
        and due_matches(task.due_at, spec)
    )


@expectation("expect_task", TASK)
def _expect_task(run: _Run, spec: dict[str, Any]) -> None:
    """Open tasks by element, lane (role), department and due."""
    matches = [task for task in run.open_tasks() if _task_matches(task, spec)]
    expect_count(run, "open task(s)", spec, matches, run.describe())


@expectation("expect_no_task", text)
def _expect_no_task(run: _Run, element: str) -> None:
    """No open task with that element id."""
    if any(task.element_id == element for task in run.open_tasks()):
        fail(f"expected no open task {element}; {run.describe()}")


def _violation_matches(violation: Violation, spec: dict[str, Any]) -> bool:
    return (
        spec.get("element") in (None, violation.element_id)
        and ("clause" not in spec or spec["clause"] in cited(violation.clause))
        and due_matches(violation.due_at, spec)
        and spec.get("outside_office_hours") in (None, violation.outside_office_hours)
    )


def _recorded(run: _Run, violations: list[Violation]) -> str:
    lines = [
        f"{v.element_id} due {run.moment(v.due_at)} citing «{v.clause or 'no clause'}»"
        for v in violations
    ]
    return f"recorded violations: {listing(lines)}"


@expectation("expect_violation", VIOLATION)
def _expect_violation(run: _Run, spec: dict[str, Any]) -> None:
    """Violations by element (the step), clause, due moment or bounds."""
    violations = run.violations()
    matches = [v for v in violations if _violation_matches(v, spec)]
    expect_count(run, "violation(s)", spec, matches, _recorded(run, violations))


@expectation("expect_no_violation", NO_VIOLATION)
def _expect_no_violation(run: _Run, spec: dict[str, Any]) -> None:
    """No violation at all (`true`), or none on that element and/or citing that clause."""
    _expect_violation(run, {**spec, "count": 0})


def _end_matches(end: ReachedEnd, spec: dict[str, Any]) -> bool:
    return spec.get("element") in (None, end.element_id) and (
        "clause" not in spec or spec["clause"] in end.clauses
    )


@expectation("expect_end", END)
def _expect_end(run: _Run, spec: dict[str, Any]) -> None:
    """End events reached, by id or by the clause their documentation cites; `completed` too."""
    ends = run.reached_ends()
    matches = [end for end in ends if _end_matches(end, spec)]
    seen = [f"{end.element_id} («{'; '.join(end.clauses) or 'no clause'}»)" for end in ends]
    selection = {key: value for key, value in spec.items() if key != "completed"}
    expect_count(run, "end event(s) reached", selection, matches, f"reached: {listing(seen)}")
    if "completed" in spec:
        _expect_completed(run, spec["completed"])


@expectation("expect_completed", flag)
def _expect_completed(run: _Run, expected: bool) -> None:
    """The case completed (true) or not (false)."""
    status = run.instance().status
    if expected != (status is InstanceStatus.COMPLETED):
        fail(f"expected completed={readable(expected, run.zone)}, case is {status.value}")


@expectation("expect_status", choice(*(status.value for status in InstanceStatus)))
def _expect_status(run: _Run, expected: str) -> None:
    """The case's status: running, completed, error, cancelled."""
    status = run.instance().status
    if status.value != expected:
        fail(f"expected case {expected}, it is {status.value}")
