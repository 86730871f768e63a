"""A task's page: the step, the regulation's requirements for it, and its case."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Viewer, can_complete, require_task
from engine.deadlines import deadline_names
from engine.models import AuditEvent, OpenUserTask, ProcessInstance, User
from engine.municipalities import RegulationCalendar
from engine.queries.answer import CHANNEL_LIMITS, DRAFT_FIELD, Draft, Return
from engine.queries.case_terms import CaseTerm, case_terms
from engine.queries.cases import CaseCard, case_card
from engine.queries.timing import version_calendar
from engine.regulation.table import EMPTY_TABLE, DeadlineRule, DeadlineTable, table_from_dict
from engine.regulation.terms import TermError, rule_spec
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus


@dataclass(frozen=True)
class Requirement:
    """A rule of the regulation that applies to a step, with its clauses."""

    kind: str  # "step", "deadline" or "lane"
    title: str
    text: str
    clauses: list[str]


@dataclass
class TaskView:
    """What the task page shows."""

    task_id: str
    element_id: str
    name: str
    form_key: str
    can_complete: bool
    requirements: list[Requirement]
    card: CaseCard
    # The due moment was computed through a year whose calendar is only a forecast.
    forecast_note: str | None = None
    department: str | None = None
    # The case's overall (span) deadlines bind every step: an approver sees the clock running.
    case_terms: list[CaseTerm] = field(default_factory=list)

    @property
    def drafts_step(self) -> bool:
        """Whether this step writes the answer (its form has the answer's text field)."""
        return self.card.forms.form(self.form_key).field(DRAFT_FIELD) is not None

    @property
    def previous_draft(self) -> Draft | None:
        """This step's own last draft, when the step is done again (after a return for rework)."""
        return self.card.answer.last_draft(self.element_id, self.department)

    @property
    def returned(self) -> Return | None:
        """Why this step's last draft was sent back, when it is being redone."""
        return self.card.answer.return_for(self.element_id, self.department)

    @property
    def return_reasons(self) -> list[str]:
        """The reasons of the return, as the returning step's form words them."""
        returned = self.returned
        if returned is None:
            return []
        label = self.card.forms.value_label
        return [label(returned.form, "rework_reasons", reason) for reason in returned.reasons]

    @property
    def answer_limit(self) -> int | None:
        """The longest answer the message's channel accepts, if it has a known limit."""
        return CHANNEL_LIMITS.get(self.card.message.source)

    @property
    def stopped(self) -> bool:
        """Whether the case is parked by an error of its regulation (nothing can be completed)."""
        return self.card.instance.status is InstanceStatus.ERROR

    @property
    def row(self) -> Any:
        """The task's own row in the case's open tasks."""
        return next(row for row in self.card.open_tasks if row.task.task_id == self.task_id)


@dataclass(frozen=True)
class Completion:
    """Who completed a task, and when."""

    actor: str
    actor_name: str
    at: datetime


def task_view(session: Session, runtime: Runtime, viewer: Viewer, task_id: str) -> TaskView:
    """A task the viewer may see, with requirements and its case card."""
    task = require_task(session, viewer, task_id)
    card = case_card(session, runtime, viewer, task.instance_id)
    version = card.version  # the settings snapshot its cases run under
    reader = version_calendar(
        version.sha256, task.municipality, runtime.processes_dir, lambda: version.settings_yaml
    )
    table = table_from_dict(card.version.deadline_table)
    forecast = (
        reader.calendar.forecast_warning(task.created_at, task.due_at) if task.due_at else None
    )
    return TaskView(
        task_id=task.task_id,
        element_id=task.element_id,
        name=task.name,
        form_key=task.form_key,
        can_complete=can_complete(viewer, task),
        requirements=requirements(card.catalog, task.element_id, table, reader),
        card=card,
        forecast_note=forecast,
        department=task.department,
        case_terms=case_terms(card.deadlines, reader, runtime.clock.now()),
    )


def requirements(
    catalog: dict[str, Any],
    element_id: str,
    table: DeadlineTable = EMPTY_TABLE,
    reader: RegulationCalendar | None = None,
) -> list[Requirement]:
    """The step's documentation, its deadlines (from the table) and its lane's."""
    elements = catalog["elements"]
    element = elements.get(element_id, {})
    found = []
    if element.get("documentation"):
        found.append(
            Requirement("step", element["name"], element["documentation"], element["clauses"])
        )
    for timer in elements.values():
        if timer.get("attached_to") != element_id or not timer.get("timer"):
            continue
        named = [n for n in deadline_names(timer["timer"]["expression"] or "") if n in table]
        if named:
            found += [_deadline(table[name], reader, elements) for name in named]
        else:
            text = timer.get("documentation") or timer.get("name") or ""
            found.append(Requirement("deadline", timer.get("name", ""), text, timer["clauses"]))
    # The answer's overall terms hold whatever step the case is in (docs/deadlines.md).
    found += [_deadline(rule, reader, elements) for rule in table.spans()]
    lane = catalog["lanes"].get(element.get("lane") or "", {})
    if lane.get("documentation"):
        found.append(Requirement("lane", lane["name"], lane["documentation"], lane["clauses"]))
    return found


def _deadline(
    rule: DeadlineRule, reader: RegulationCalendar | None, elements: dict[str, Any]
) -> Requirement:
    """A row of the deadline table as staff read it: the words, how they are counted, from when."""
    parts = []
    if rule.reading:
        parts.append(f"читается как «{rule.reading}»")
    if reader is not None:
        with contextlib.suppress(TermError):
            spec = rule_spec(rule, reader)
            parts.append("в рабочем времени" if spec.working else "в календарном времени")
    parts.append(rule.start.describe())
    if rule.is_span:
        names = [str(elements.get(step, {}).get("name") or step) for step in rule.until]
        parts.append("до завершения шага «" + "», «".join(names) + "»")
    text = ", ".join(parts) + "."
    if rule.note:
        text += f" {rule.note}"
    title = ("Общий срок: " if rule.is_span else "Срок: ") + f"«{rule.text}»"
    return Requirement("deadline", title, text[:1].upper() + text[1:], [rule.clause])


def completion_of(session: Session, viewer: Viewer, task_id: str) -> Completion | None:
    """Who completed a task of the viewer's municipality (a stale submit names them), or None."""
    event = session.scalar(
        select(AuditEvent)
        .join(ProcessInstance, ProcessInstance.id == AuditEvent.instance_id)
        .where(
            AuditEvent.task_id == task_id,
            AuditEvent.kind == AuditKind.TASK_COMPLETED,
            ProcessInstance.municipality == viewer.municipality,
        )
        .order_by(AuditEvent.id.desc())
    )
    if event is None:
        return None
    user = session.scalar(select(User).where(User.login == event.actor))
    return Completion(event.actor, user.full_name if user else event.actor, event.at)


@dataclass(frozen=True)
class NextStep:
    """An open step of a case just advanced: what it is, who does it, whether the viewer can."""

    task_id: str
    name: str
    lane: str | None
    role: str | None
    department: str | None
    assignee: str | None
    assignee_name: str | None
    can_complete: bool


def next_steps(session: Session, viewer: Viewer, instance_id: int) -> list[NextStep]:
    """The case's open steps after an advance, earliest due first."""
    rows = session.execute(
        select(OpenUserTask, User.full_name)
        .outerjoin(User, User.login == OpenUserTask.assignee)
        .where(OpenUserTask.instance_id == instance_id)
        .order_by(OpenUserTask.due_at, OpenUserTask.created_at)
    )
    return [
        NextStep(
            task_id=row.task_id,
            name=row.name,
            lane=row.lane,
            role=row.role,
            department=row.department,
            assignee=row.assignee,
            assignee_name=name or row.assignee,
            can_complete=can_complete(viewer, row),
        )
        for row, name in rows
        if row.municipality == viewer.municipality
    ]
