"""Reading a report's cohort: the cases started in the period, their messages, deadlines, steps."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from engine.models import AuditEvent, CaseDeadline, Message, ProcessInstance
from engine.statuses import AuditKind, DeadlineState, InstanceStatus


@dataclass(frozen=True, slots=True)
class MessageRow:
    """A message of a cohort case; `repeat` when it is not the case's first."""

    id: int
    instance_id: int
    source: str
    channel: str
    received_at: datetime
    repeat: bool


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """The columns of a ledger occurrence the report reads (plain rows: no ORM identity map)."""

    instance_id: int
    name: str
    clause: str | None
    text: str
    span: bool
    element_id: str | None
    task_id: str | None
    state: DeadlineState
    armed_at: datetime
    responsible_department: str | None
    responsible_user: str | None


DEADLINE_COLUMNS = tuple(getattr(CaseDeadline, name) for name in DeadlineRow.__slots__)


@dataclass(frozen=True, slots=True)
class StepRow:
    """A user task of a cohort case: when it opened and closed, in which department, by whom."""

    instance_id: int
    task_id: str
    element_id: str
    department: str | None
    ready_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    values: dict[str, Any]


@dataclass
class Cohort:
    """Everything the report counts, read once."""

    cases: dict[int, InstanceStatus] = field(default_factory=dict)
    messages: list[MessageRow] = field(default_factory=list)
    deadlines: list[DeadlineRow] = field(default_factory=list)
    steps: dict[str, StepRow] = field(default_factory=dict)
    _by_case: dict[int, list[StepRow]] = field(default_factory=dict, repr=False)
    _deadlines_by_case: dict[int, list[DeadlineRow]] = field(default_factory=dict, repr=False)

    def steps_of(self, instance_id: int) -> list[StepRow]:
        """A case's steps (grouped once, on first use)."""
        if not self._by_case:
            for step in self.steps.values():
                self._by_case.setdefault(step.instance_id, []).append(step)
        return self._by_case.get(instance_id, [])

    def deadlines_of(self, instance_id: int) -> list[DeadlineRow]:
        """A case's deadline occurrences (grouped once, on first use)."""
        if not self._deadlines_by_case:
            for deadline in self.deadlines:
                self._deadlines_by_case.setdefault(deadline.instance_id, []).append(deadline)
        return self._deadlines_by_case.get(instance_id, [])


def cohort_query(municipality: str, start: datetime, end: datetime) -> Select[Any]:
    """The ids of the cases whose first message arrived in [start, end): the report's main query."""
    return select(ProcessInstance.id).where(
        ProcessInstance.municipality == municipality,
        ProcessInstance.started_at >= start,
        ProcessInstance.started_at < end,
    )


def load_cohort(
    session: Session, municipality: str, start: datetime, end: datetime, source: str | None
) -> Cohort:
    """Read the cohort: four queries, each on an indexed column."""
    ids = cohort_query(municipality, start, end).subquery()
    cohort = Cohort()
    statuses = select(ProcessInstance.id, ProcessInstance.status).where(
        ProcessInstance.id.in_(select(ids.c.id))
    )
    cohort.cases = {row.id: row.status for row in session.execute(statuses)}
    cohort.messages = _messages(session, ids)
    if source is not None:
        first = {m.instance_id for m in cohort.messages if not m.repeat and m.source == source}
        cohort.cases = {key: value for key, value in cohort.cases.items() if key in first}
        cohort.messages = [m for m in cohort.messages if m.instance_id in first]
    deadlines = select(*DEADLINE_COLUMNS).where(CaseDeadline.instance_id.in_(select(ids.c.id)))
    cohort.deadlines = [
        DeadlineRow(*row) for row in session.execute(deadlines) if row.instance_id in cohort.cases
    ]
    cohort.steps = _steps(session, ids, cohort.cases)
    return cohort


def _messages(session: Session, ids: Any) -> list[MessageRow]:
    query = (
        select(
            Message.id, Message.instance_id, Message.source, Message.channel, Message.received_at
        )
        .where(Message.instance_id.in_(select(ids.c.id)))
        .order_by(Message.instance_id, Message.id)
    )
    rows, seen = [], set()
    for row in session.execute(query):
        instance_id = int(row.instance_id or 0)  # the query keeps only messages of a case
        rows.append(
            MessageRow(
                row.id, instance_id, row.source, row.channel, row.received_at, instance_id in seen
            )
        )
        seen.add(instance_id)
    return rows


# The form fields the report reads from a completion (library names, engine/forms/library.yaml):
# the database extracts them, so the events' whole JSON is never decoded in Python.
VALUE_FIELDS = (
    "screen_decision",
    "not_processed_reason",
    "redirect_to",
    "answer_kind",
    "review_decision",
    "topic",
)
LIST_FIELDS = ("rework_reasons",)


def _steps(session: Session, ids: Any, cases: dict[int, InstanceStatus]) -> dict[str, StepRow]:
    values = [AuditEvent.data[("values", name)].as_string() for name in VALUE_FIELDS]
    lists = [AuditEvent.data[("values", name)].as_json() for name in LIST_FIELDS]
    query = (
        select(
            AuditEvent.instance_id,
            AuditEvent.task_id,
            AuditEvent.element_id,
            AuditEvent.kind,
            AuditEvent.at,
            AuditEvent.actor,
            AuditEvent.data[("department",)].as_string(),
            *values,
            *lists,
        )
        .where(
            AuditEvent.instance_id.in_(select(ids.c.id)),
            AuditEvent.kind.in_((AuditKind.TASK_READY, AuditKind.TASK_COMPLETED)),
        )
        .order_by(AuditEvent.id)
    )
    names = VALUE_FIELDS + LIST_FIELDS
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for event in session.execute(query):
        instance_id, task_id, element_id, kind, at, actor, department, *fields = event
        if instance_id not in cases or task_id is None:
            continue
        entry = found[task_id]
        entry.update(instance_id=instance_id, element_id=element_id)
        if kind is AuditKind.TASK_READY:
            entry.update(ready_at=at, department=department)
        else:
            given = {name: v for name, v in zip(names, fields, strict=True) if v is not None}
            entry.update(completed_at=at, completed_by=actor, values=given)
    return {task_id: _step(task_id, entry) for task_id, entry in found.items()}


def _step(task_id: str, entry: dict[str, Any]) -> StepRow:
    return StepRow(
        instance_id=entry["instance_id"],
        task_id=task_id,
        element_id=entry.get("element_id") or "",
        department=entry.get("department"),
        ready_at=entry.get("ready_at"),
        completed_at=entry.get("completed_at"),
        completed_by=entry.get("completed_by"),
        values=entry.get("values") or {},
    )


def overdue_now(session: Session, municipality: str, now: datetime) -> list[CaseDeadline]:
    """Every deadline of a running case that is past due and not yet done, whatever the period."""
    running = select(ProcessInstance.id).where(
        ProcessInstance.municipality == municipality,
        ProcessInstance.status == InstanceStatus.RUNNING,
    )
    query = select(CaseDeadline).where(
        CaseDeadline.municipality == municipality,
        CaseDeadline.instance_id.in_(running),
        (
            (CaseDeadline.state == DeadlineState.ARMED) & (CaseDeadline.due_at < now)
            | (CaseDeadline.state == DeadlineState.BREACHED) & CaseDeadline.ended_at.is_(None)
        ),
    )
    return list(session.scalars(query.order_by(CaseDeadline.due_at)))
