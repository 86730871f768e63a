"""The case card: the message, its repeats and author's history, timeline, violations, answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import Viewer, require_instance
from engine.deadlines import deadline_names
from engine.duties.card import duty_message
from engine.forms import VersionForms
from engine.linked import CaseLinks, case_links
from engine.models import (
    AuditEvent,
    CaseDeadline,
    Message,
    OpenUserTask,
    ProcessInstance,
    ProcessVersion,
    User,
)
from engine.models import Violation as ViolationRow
from engine.queries.answer import Answer, answer_of
from engine.queries.diagram import DiagramMarks, diagram_marks
from engine.queries.tasks import TaskRow, describe
from engine.regulation.table import DeadlineTable, table_from_dict
from engine.runtime import Runtime
from engine.statuses import AuditKind, DeadlineState
from engine.versions import load_version
from engine.violations import ENGINE_ACTOR_NAMES

EARLIER_MESSAGES_SHOWN = 10


@dataclass(frozen=True)
class TimelineEntry:
    """One audit event as staff read it: when, what, who, at which step."""

    at: datetime
    kind: AuditKind
    actor: str  # a login or an engine actor; staff read it through web/naming.person_name
    element_id: str | None
    element_name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Violation:
    """A passed deadline with the step it bound, the clause that set it and who answered."""

    element_id: str
    element_name: str
    due_at: datetime
    recorded_at: datetime
    clause: str | None
    deadline_text: str | None = None
    responsible_role: str | None = None
    responsible_department: str | None = None
    responsible_user: str | None = None
    outside_office_hours: bool = False


@dataclass(frozen=True)
class Deadline:
    """One deadline occurrence of the case, as the ledger holds it."""

    name: str
    clause: str | None
    text: str
    span: bool
    step_name: str
    state: DeadlineState
    due_at: datetime
    remaining_seconds: float | None
    ended_at: datetime | None
    working: bool = True
    start_at: datetime | None = None


@dataclass
class CaseCard:
    """Everything the message card shows about one case."""

    instance: ProcessInstance
    version: ProcessVersion
    message: Message
    repeats: list[Message]
    earlier: list[Message]
    timeline: list[TimelineEntry]
    violations: list[Violation]
    deadlines: list[Deadline]
    open_tasks: list[TaskRow]
    answer: Answer
    marks: DiagramMarks
    forms: VersionForms  # the version's forms: labels of the recorded values
    catalog: dict[str, Any] = field(repr=False, default_factory=dict)
    # Timer element id → the term of the deadline table's row it names, shown on the diagram.
    terms: dict[str, str] = field(default_factory=dict)
    # The earlier case this one continues and the later ones (Palana п. 13), on both cards.
    links: CaseLinks | None = None


def case_card(session: Session, runtime: Runtime, viewer: Viewer, instance_id: int) -> CaseCard:
    """The card of a case of the viewer's municipality (NotFound for any other)."""
    instance = require_instance(session, viewer, instance_id)
    version = session.get_one(ProcessVersion, instance.version_id)
    catalog = version.catalog
    messages = list(
        session.scalars(
            select(Message).where(Message.instance_id == instance.id).order_by(Message.id)
        )
    )
    # A scheduled duty's case has no message: its name and schedule stand in (engine/duties).
    first = messages[0] if messages else duty_message(instance, catalog)
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(AuditEvent.instance_id == instance.id)
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    )
    tasks = list(
        session.scalars(
            select(OpenUserTask)
            .where(OpenUserTask.instance_id == instance.id)
            .order_by(OpenUserTask.due_at, OpenUserTask.created_at)
        )
    )
    violations = _violations(session, instance.id, catalog)
    names = _names(session, events)
    return CaseCard(
        instance=instance,
        version=version,
        message=first,
        repeats=messages[1:],
        earlier=earlier_messages(session, first) if messages else [],
        timeline=[_entry(event, catalog) for event in events],
        violations=violations,
        deadlines=_deadlines(session, instance.id, catalog),
        open_tasks=describe(session, runtime, viewer, tasks, runtime.clock.now()),
        answer=answer_of(events, names),
        marks=diagram_marks(
            instance, version, runtime, tasks, {item.element_id for item in violations}
        ),
        forms=load_version(version, runtime).forms,
        catalog=catalog,
        terms=timer_terms(catalog, table_from_dict(version.deadline_table)),
        links=case_links(session, instance),
    )


def timer_terms(catalog: dict[str, Any], table: DeadlineTable) -> dict[str, str]:
    """Each timer naming rows of the deadline table, with their terms in the document's words."""
    terms = {}
    for element in catalog["elements"].values():
        timer = element.get("timer")
        names = [n for n in deadline_names((timer or {}).get("expression") or "") if n in table]
        if names:
            terms[element["id"]] = " / ".join(table[name].text for name in names)
    return terms


def element_name(catalog: dict[str, Any], element_id: str | None) -> str:
    """The element's name in the diagram, or its id."""
    if not element_id:
        return ""
    return str(catalog["elements"].get(element_id, {}).get("name") or element_id)


def earlier_messages(session: Session, message: Message) -> list[Message]:
    """The author's earlier messages in the same municipality, newest first."""
    query = (
        select(Message)
        .where(
            Message.municipality == message.municipality,
            Message.author_id == message.author_id,
            Message.id < message.id,
        )
        .order_by(Message.id.desc())
        .limit(EARLIER_MESSAGES_SHOWN)
    )
    return list(session.scalars(query))


def _names(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    logins = {event.actor for event in events}
    query = select(User.login, User.full_name).where(User.login.in_(logins))
    return {**ENGINE_ACTOR_NAMES, **{login: name for login, name in session.execute(query)}}


def _entry(event: AuditEvent, catalog: dict[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        at=event.at,
        kind=event.kind,
        actor=event.actor,
        element_id=event.element_id,
        element_name=element_name(catalog, event.element_id),
        data=dict(event.data or {}),
    )


def _violations(session: Session, instance_id: int, catalog: dict[str, Any]) -> list[Violation]:
    rows = session.execute(
        select(ViolationRow, CaseDeadline.text)
        .outerjoin(CaseDeadline, CaseDeadline.id == ViolationRow.deadline_id)
        .where(ViolationRow.instance_id == instance_id)
        .order_by(ViolationRow.due_at)
    )
    return [
        Violation(
            element_id=row.element_id,
            element_name=element_name(catalog, row.element_id),
            due_at=row.due_at,
            recorded_at=row.recorded_at,
            clause=row.clause,
            deadline_text=text,
            responsible_role=row.responsible_role,
            responsible_department=row.responsible_department,
            responsible_user=row.responsible_user,
            outside_office_hours=row.outside_office_hours,
        )
        for row, text in rows
    ]


def _deadlines(session: Session, instance_id: int, catalog: dict[str, Any]) -> list[Deadline]:
    rows = session.scalars(
        select(CaseDeadline)
        .where(CaseDeadline.instance_id == instance_id)
        .order_by(CaseDeadline.due_at, CaseDeadline.id)
    )
    return [
        Deadline(
            name=row.name,
            clause=row.clause,
            text=row.text,
            span=row.span,
            step_name=element_name(catalog, row.element_id) if row.element_id else "",
            state=row.state,
            due_at=row.due_at,
            remaining_seconds=row.remaining_seconds,
            ended_at=row.ended_at,
            working=row.working,
            start_at=row.start_at,
        )
        for row in rows
    ]
