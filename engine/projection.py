"""Keeps the open user-task table in step with a workflow on every save."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import AuditEvent, OpenUserTask, ProcessInstance, User
from engine.statuses import AuditKind
from engine.timers import all_tasks, deadline_of
from engine.violations import SYSTEM_ACTOR


@dataclass(frozen=True)
class ReadyTask:
    """What the projection stores of one READY user task."""

    task_id: str
    element_id: str
    name: str
    lane: str | None
    role: str | None
    department: str | None
    form_key: str
    due_at: datetime | None
    multi_index: int | None
    paused_remaining_seconds: float | None = None


def with_paused_deadlines(
    ready: dict[str, ReadyTask], paused: dict[str, float]
) -> dict[str, ReadyTask]:
    """Tasks whose own deadline is paused show the time it has left instead of a due moment."""
    return {
        task_id: replace(task, due_at=None, paused_remaining_seconds=paused[task_id])
        if task_id in paused
        else task
        for task_id, task in ready.items()
    }


def with_span_deadlines(
    ready: dict[str, ReadyTask], span_due: datetime | None
) -> dict[str, ReadyTask]:
    """A span binds whoever holds the case: each open step shows it when it falls earlier.

    A step whose own deadline is paused keeps showing the time it has left.
    """
    if span_due is None:
        return ready
    return {
        task_id: task
        if task.paused_remaining_seconds is not None
        or (task.due_at is not None and task.due_at <= span_due)
        else replace(task, due_at=span_due)
        for task_id, task in ready.items()
    }


# Workflow data: element → department ("" for none) → who completed it last. Kept by cases
# started since it exists (a redo's author then needs no query); older cases read the audit log.
STEP_AUTHORS = "reglament_step_authors"


def keep_step_authors(workflow: BpmnWorkflow) -> None:
    """A new case records who completes each step from its start."""
    workflow.data[STEP_AUTHORS] = {}


def record_step_author(
    workflow: BpmnWorkflow, element_id: str, department: str | None, actor: str
) -> None:
    """Remember the author of a completion (cases that keep their step authors)."""
    authors = workflow.data.get(STEP_AUTHORS)
    if authors is not None:
        authors.setdefault(element_id, {})[department or ""] = actor


def ready_user_tasks(workflow: BpmnWorkflow, catalog: dict[str, Any]) -> dict[str, ReadyTask]:
    """READY manual tasks of a workflow, keyed by task id."""
    ready = {}
    for task in all_tasks(workflow, TaskState.READY):
        if not task.task_spec.manual:
            continue
        ready[str(task.id)] = _describe(task, catalog)
    return ready


def _describe(task: Task, catalog: dict[str, Any]) -> ReadyTask:
    element_id = task.task_spec.bpmn_id
    element = catalog["elements"].get(element_id, {})
    lane_id = element.get("lane")
    lane = catalog["lanes"].get(lane_id or "", {})
    # Multi-instance items are named by their XML id, which must be unique in the file, so a
    # task may say which data name holds its department (property `department_field`).
    properties = element.get("properties", {})
    department = task.data.get(properties.get("department_field", "department"))
    return ReadyTask(
        task_id=str(task.id),
        element_id=element_id,
        name=task.task_spec.bpmn_name or element_id,
        lane=lane.get("name"),
        role=lane_id,
        department=str(department) if department else None,
        form_key=properties.get("form", ""),
        due_at=deadline_of(task, catalog),
        multi_index=task.data.get("multi_index"),
    )


# Built once: the statements of every advance (only their parameters change).
_OPEN_ROWS = select(OpenUserTask).where(OpenUserTask.instance_id == bindparam("instance_id"))
_COMPLETIONS = (
    select(AuditEvent)
    .where(
        AuditEvent.instance_id == bindparam("instance_id"),
        AuditEvent.kind == AuditKind.TASK_COMPLETED,
        AuditEvent.element_id.in_(bindparam("element_ids", expanding=True)),
    )
    .order_by(AuditEvent.id)
)


def sync_projection(
    session: Session,
    instance: ProcessInstance,
    ready: dict[str, ReadyTask],
    now: datetime,
    authors: dict[str, dict[str, str]] | None = None,
    *,
    new_case: bool = False,
    existing: dict[str, OpenUserTask] | None = None,
) -> tuple[list[ReadyTask], list[str], dict[str, OpenUserTask]]:
    """Upsert READY tasks, delete the rest; returns (new tasks, removed task ids, the rows).

    A case started in this advance (`new_case`) has no rows; `existing` is the case's rows as
    the caller read them under the lock (None: read them here). `authors` is the case's
    record of who completed each step (STEP_AUTHORS), None for a case that keeps none.
    """
    if new_case:
        existing = {}
    elif existing is None:
        existing = open_rows(session, instance.id)
    removed = sorted(set(existing) - set(ready))
    # A step handed on takes over the row of the step it replaces: one UPDATE, not a DELETE
    # and an INSERT (the row is only ever a projection of the open task it names).
    reusable = [existing[task_id] for task_id in reversed(removed)]
    created = []
    new_rows = []
    for task_id, task in ready.items():
        row = existing.get(task_id)
        if row is None:
            values = _values(instance, task, now)
            if reusable:
                new_rows.append(_rewritten(reusable.pop(), values))
            else:
                new_rows.append(OpenUserTask(**values))
                session.add(new_rows[-1])
            created.append(task)
        else:
            if task.due_at is not None or task.paused_remaining_seconds is not None:
                row.due_at = task.due_at  # a passed deadline stays shown, as overdue
            row.paused_remaining_seconds = task.paused_remaining_seconds
            row.department = task.department
    for row in reusable:
        session.delete(row)  # sent with the advance's one flush
    if new_rows and not new_case:  # a new case has done nothing yet to be given back
        give_redos_to_their_authors(session, instance, new_rows, now, authors)
    rows = {task_id: row for task_id, row in existing.items() if task_id in ready}
    rows.update((row.task_id, row) for row in new_rows)
    return created, removed, rows


def open_rows(session: Session, instance_id: int) -> dict[str, OpenUserTask]:
    """A case's open user-task rows by task id (read under its lock)."""
    return {row.task_id: row for row in session.scalars(_OPEN_ROWS, {"instance_id": instance_id})}


def give_redos_to_their_authors(
    session: Session,
    instance: ProcessInstance,
    rows: list[OpenUserTask],
    now: datetime,
    recorded: dict[str, dict[str, str]] | None = None,
) -> None:
    """A step done again (after a return for rework) goes to whoever did it last, not the pool.

    The author's substitutes reach it too (engine/access.py: a task assigned to someone one
    stands in for); an author no longer active leaves it in the pool.
    """
    elements = {row.element_id for row in rows}
    authors = (
        _last_authors(session, instance.id, elements)
        if recorded is None
        else {
            (element, department or None): login
            for element in elements
            for department, login in recorded.get(element, {}).items()
        }
    )
    if not authors:  # a first time through these steps: nobody to give them back to
        return
    active = set(
        session.scalars(
            select(User.login).where(
                User.login.in_({login for login in authors.values()}),
                User.municipality == instance.municipality,
                User.is_active.is_(True),
            )
        )
    )
    for row in rows:
        author = authors.get((row.element_id, row.department))
        if author in active:
            row.assignee = author
            audit.record(
                session,
                AuditKind.TASK_CLAIMED,
                now,
                SYSTEM_ACTOR,
                instance_id=instance.id,
                task_id=row.task_id,
                element_id=row.element_id,
                assignee=author,
                reason="redo",
            )


def _last_authors(
    session: Session, instance_id: int, element_ids: set[str]
) -> dict[tuple[str, str | None], str]:
    """Who last completed each of these steps in the case, per department.

    The rows this transaction has not written yet (the completion that led here) count last.
    """
    stored = session.scalars(
        _COMPLETIONS, {"instance_id": instance_id, "element_ids": sorted(element_ids)}
    )
    pending = [
        row
        for row in audit.pending(session)
        if row.instance_id == instance_id
        and row.kind == AuditKind.TASK_COMPLETED
        and row.element_id in element_ids
    ]
    return {
        (str(event.element_id), (event.data or {}).get("department")): event.actor
        for event in [*stored, *pending]
        if "department" in (event.data or {})  # recorded since steps keep their department
    }


def _values(instance: ProcessInstance, task: ReadyTask, now: datetime) -> dict[str, Any]:
    """Every column of the open-task row of a task that has just become ready."""
    return {
        "task_id": task.task_id,
        "instance_id": instance.id,
        "municipality": instance.municipality,
        "element_id": task.element_id,
        "name": task.name,
        "lane": task.lane,
        "role": task.role,
        "department": task.department,
        "assignee": None,
        "form_key": task.form_key,
        "due_at": task.due_at,
        "created_at": now,
        "multi_index": task.multi_index,
        "paused_remaining_seconds": task.paused_remaining_seconds,
    }


def _rewritten(row: OpenUserTask, values: dict[str, Any]) -> OpenUserTask:
    """A removed task's row made the new task's (its primary key changes with it)."""
    for name, value in values.items():
        setattr(row, name, value)
    return row
