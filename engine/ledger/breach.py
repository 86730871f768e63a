"""A breach: one violation with who answered for it then, and the notices the table names."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import audit
from engine.models import CaseDeadline, Notice, OpenUserTask, Violation
from engine.regulation.table import HOLDER
from engine.statuses import AuditKind, DeadlineState, NoticeKind
from engine.timers import all_tasks
from engine.violations import TIMER_ACTOR

if TYPE_CHECKING:
    from engine.ledger.case import CaseLedger

# A notice addressed to `responsible` goes to whoever answers for the breach.
RESPONSIBLE = "responsible"
_ASSIGNEES = select(OpenUserTask.task_id, OpenUserTask.assignee).where(
    OpenUserTask.task_id.in_(bindparam("task_ids", expanding=True))
)


class Breach:
    """Recording one breached (or nearly breached) deadline occurrence."""

    def __init__(self, ledger: CaseLedger, entry: CaseDeadline, workflow: BpmnWorkflow) -> None:
        self.ledger = ledger
        self.entry = entry
        self.workflow = workflow
        self.rule = ledger.table.rules.get(entry.name)

    def record(self) -> Violation:
        """Mark the occurrence breached at its due moment and write its violation and notices."""
        entry, ledger = self.entry, self.ledger
        entry.state = entry.state.guard(DeadlineState.BREACHED)
        entry.breached_at = entry.due_at
        holders = self.holders()
        primary = holders[0] if holders else {}
        entry.holders = holders
        entry.responsible_role = primary.get("role")
        entry.responsible_department = primary.get("department")
        entry.responsible_user = primary.get("user")
        # A calendar-time term may run out at night: the administration judges culpability.
        entry.outside_office_hours = not entry.working and not (
            ledger.reader.calendar.is_working_moment(entry.due_at)
        )
        if entry.id is None:  # armed in this advance: the violation and notices refer to its id
            ledger.session.flush()
        violation = self._violation(primary)
        ledger.violations.append(violation)
        self._audit(primary)
        for role in self.rule.notify if self.rule else ():
            self._notice(NoticeKind.BREACH, role, primary)
        return violation

    def remind(self) -> None:
        """Send the reminder the table names before the due moment."""
        entry = self.entry
        entry.reminded_at = entry.remind_at
        if self.rule is None or self.rule.remind is None:
            return
        if entry.id is None:  # the notices refer to the occurrence's id
            self.ledger.session.flush()
        primary = (self.holders() or [{}])[0]
        for role in self.rule.remind.to:
            self._notice(NoticeKind.REMINDER, role, primary)

    def holders(self) -> list[dict[str, Any]]:
        """Who held the work at the breach: the step's open tasks, or the case's (a span)."""
        open_tasks = [
            task
            for task in all_tasks(self.workflow, TaskState.READY)
            if task.task_spec.manual and self._covers(task)
        ]
        assignees = self._assignees([str(task.id) for task in open_tasks])
        found = [self._holder(task, assignees) for task in open_tasks]
        wanted = self.rule.responsible if self.rule and self.rule.responsible else HOLDER
        if wanted != HOLDER:
            found = [holder for holder in found if holder["role"] == wanted] or [{"role": wanted}]
        if not found and self.entry.element_id:
            found = [{"role": self._role(self.entry.element_id), "element": self.entry.element_id}]
        return found

    def _covers(self, task: Task) -> bool:
        if self.entry.span:  # the case's open steps, or its subprocess instance's
            parent = getattr(task.workflow, "parent_task_id", None)
            return self.entry.scope_id is None or str(parent) == self.entry.scope_id
        node: Task | None = task
        while node is not None:  # the step itself, or one instance of a multi-instance step
            if str(node.id) == self.entry.task_id:
                return True
            node = node.parent
        return False

    def _holder(self, task: Task, assignees: dict[str, str | None]) -> dict[str, Any]:
        element_id = task.task_spec.bpmn_id
        element = self.ledger.loaded.catalog["elements"].get(element_id, {})
        field = (element.get("properties") or {}).get("department_field", "department")
        department = task.data.get(field)
        return {
            "element": element_id,
            "role": self._role(element_id),
            "department": str(department) if department else None,
            "user": assignees.get(str(task.id)),
        }

    def _role(self, element_id: str) -> str | None:
        element = self.ledger.loaded.catalog["elements"].get(element_id, {})
        return self.ledger.loaded.roles.role_of_lane(element.get("lane"))

    def _assignees(self, task_ids: list[str]) -> dict[str, str | None]:
        if not task_ids:
            return {}
        session = self.ledger.session
        # The advance writes its open tasks when it saves, after the ledger: unless the caller
        # changed one earlier in the transaction, nothing pending bears on this read.
        if _changes_open_tasks(session):
            session.flush()
        with session.no_autoflush:
            rows = session.execute(_ASSIGNEES, {"task_ids": task_ids})
        return {task_id: assignee for task_id, assignee in rows}

    def _violation(self, primary: dict[str, Any]) -> Violation:
        entry, ledger = self.entry, self.ledger
        violation = Violation(
            instance_id=ledger.instance.id,
            municipality=ledger.instance.municipality,
            element_id=entry.element_id or primary.get("element") or entry.name,
            timer_element_id=entry.timer_element_id or entry.name,
            timer_task_id=entry.key[:36] if entry.timer_task_id else f"d{entry.id}",
            due_at=entry.due_at,
            recorded_at=ledger.now,
            clause=entry.clause,
            deadline_id=entry.id,
            deadline_name=entry.name,
            responsible_role=entry.responsible_role,
            responsible_department=entry.responsible_department,
            responsible_user=entry.responsible_user,
            outside_office_hours=entry.outside_office_hours,
        )
        ledger.session.add(violation)
        return violation

    def _audit(self, primary: dict[str, Any]) -> None:
        entry, ledger = self.entry, self.ledger
        late: dict[str, Any] = (
            {"recorded_at": ledger.now.isoformat()} if entry.due_at < ledger.now else {}
        )
        audit.record(
            ledger.session,
            AuditKind.VIOLATION,
            min(entry.due_at, ledger.now),
            TIMER_ACTOR,
            instance_id=ledger.instance.id,
            task_id=entry.timer_task_id,
            element_id=entry.element_id or primary.get("element"),
            due=entry.due_at.isoformat(),
            clause=entry.clause,
            deadline=entry.name,
            responsible=primary or None,
            outside_office_hours=entry.outside_office_hours,
            **late,
        )

    def _notice(self, kind: NoticeKind, role: str, primary: dict[str, Any]) -> None:
        entry, ledger = self.entry, self.ledger
        recipient, department = role, None
        if role == RESPONSIBLE:
            recipient, department = primary.get("role") or role, primary.get("department")
        notice = Notice(
            instance_id=ledger.instance.id,
            municipality=ledger.instance.municipality,
            deadline_id=entry.id,
            kind=kind,
            recipient_role=recipient,
            recipient_department=department,
            clause=entry.clause,
            element_id=entry.element_id or primary.get("element"),
            due_at=entry.due_at,
            responsible_role=primary.get("role"),
            responsible_department=primary.get("department"),
            responsible_user=primary.get("user"),
            created_at=ledger.now,
        )
        ledger.session.add(notice)
        ledger.notices.append(notice)
        audit.record(
            ledger.session,
            AuditKind.NOTICE_SENT,
            ledger.now,
            TIMER_ACTOR,
            instance_id=ledger.instance.id,
            element_id=notice.element_id,
            deadline=entry.name,
            notice_kind=kind.value,
            to=recipient,
        )


def withdraw(ledger: CaseLedger, entry: CaseDeadline, by: CaseDeadline, moment: datetime) -> None:
    """A later term replaced a breached one (`superseded_by`): its violation goes, audited."""
    entry.state = entry.state.guard(DeadlineState.SUPERSEDED)
    violation = ledger.session.scalar(select(Violation).where(Violation.deadline_id == entry.id))
    if violation is None:
        return
    # The audit keeps what was withdrawn and why; notices already sent stay as they were.
    audit.record(
        ledger.session,
        AuditKind.VIOLATION_WITHDRAWN,
        moment,
        TIMER_ACTOR,
        instance_id=entry.instance_id,
        element_id=violation.element_id,
        deadline=entry.name,
        clause=violation.clause,
        due=violation.due_at.isoformat(),
        responsible_role=violation.responsible_role,
        responsible_department=violation.responsible_department,
        superseded_by=by.name,
        superseded_by_clause=by.clause,
    )
    if violation in ledger.violations:
        ledger.violations.remove(violation)
    ledger.session.delete(violation)


def _changes_open_tasks(session: Session) -> bool:
    """Whether the unit of work holds an open task's change not yet sent."""
    pending = (*session.new, *session.dirty, *session.deleted)
    return any(isinstance(obj, OpenUserTask) for obj in pending)
