"""Linked cases: a repeat message after its case closed opens a new case tied to the earlier one.

Palana п. 13 and Myasnikovsky п. 11: an answer to a repeat message on a question already dealt
with must report the measures taken, and goes to the department(s) that answered before. The new
case carries both as case data the diagram reads (`LINKED_CASE`, `REPORT_MEASURES`); the link
itself is the column `process_instances.linked_to_id`, shown on both case cards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, OpenUserTask, ProcessInstance
from engine.statuses import AuditKind, InstanceStatus

# Case data names the engine writes; a form field may not take them (engine/forms/declaration).
LINKED_CASE = "linked_case"
REPORT_MEASURES = "report_measures"
REPEAT_AT_STEP = "repeat_arrived_at_step"
CLOSED = (InstanceStatus.COMPLETED, InstanceStatus.CANCELLED)


@dataclass(frozen=True)
class CaseLinks:
    """A case's links: the earlier case it continues and the later cases that continue it."""

    earlier: ProcessInstance | None
    later: tuple[ProcessInstance, ...]
    departments: tuple[str, ...] = ()  # those of the earlier case, for the card


@dataclass(frozen=True)
class ThreadCases:
    """The cases of one correlation key: the running one, and the latest closed one."""

    running_id: int | None
    closed_id: int | None


# Read by every intake: built once.
_THREAD = (
    select(ProcessInstance.id, ProcessInstance.status)
    .where(ProcessInstance.correlation_key == bindparam("key"))
    .order_by(ProcessInstance.id)
)


def thread_cases(session: Session, key: str) -> ThreadCases:
    """One read of a thread's cases: where a message of it goes (a repeat, or a new case)."""
    rows = session.execute(_THREAD, {"key": key}).all()
    running = next((id_ for id_, status in rows if status is InstanceStatus.RUNNING), None)
    closed = next((id_ for id_, status in reversed(rows) if status in CLOSED), None)
    return ThreadCases(running, closed)


def case_departments(session: Session, instance_id: int) -> list[str]:
    """Every department a step of the case was assigned to, in the order they were."""
    found: list[str] = []
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == AuditKind.TASK_READY)
        .order_by(AuditEvent.id)
    )
    for event in events:
        department = (event.data or {}).get("department")
        if department and department not in found:
            found.append(str(department))
    return found


def linked_data(session: Session, earlier: ProcessInstance) -> dict[str, Any]:
    """What the new case learns of the earlier one: its id, departments and the duty to report."""
    return {
        LINKED_CASE: {
            "id": earlier.id,
            "departments": case_departments(session, earlier.id),
            "status": earlier.status.value,
            "started_at": earlier.started_at.isoformat(),
            "completed_at": earlier.completed_at.isoformat() if earlier.completed_at else None,
        },
        REPORT_MEASURES: True,
    }


def open_steps(session: Session, instance_id: int) -> list[str]:
    """The element ids of the case's open user tasks, oldest first (where a repeat arrives)."""
    query = (
        select(OpenUserTask.element_id)
        .where(OpenUserTask.instance_id == instance_id)
        .order_by(OpenUserTask.created_at)
    )
    steps: list[str] = []
    for element_id in session.scalars(query):
        if element_id not in steps:
            steps.append(element_id)
    return steps


def case_links(session: Session, instance: ProcessInstance) -> CaseLinks:
    """The earlier case this one continues and the later ones continuing it."""
    earlier = session.get(ProcessInstance, instance.linked_to_id) if instance.linked_to_id else None
    later = session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.linked_to_id == instance.id)
        .order_by(ProcessInstance.id)
    )
    departments = tuple(case_departments(session, earlier.id)) if earlier else ()
    return CaseLinks(earlier, tuple(later), departments)
