"""The message registry: every message of a municipality, searchable and filtered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from engine.access import Viewer
from engine.models import Message, OpenUserTask, ProcessInstance, Violation
from engine.queries.tasks import excerpt, loose_scan
from engine.queries.timing import municipality_settings
from engine.runtime import Runtime
from engine.statuses import InstanceStatus

PAGE_SIZE = 50


@dataclass(frozen=True)
class MessageFilter:
    """The registry's search: status, source, overdue only, a period and text."""

    status: InstanceStatus | None = None
    source: str | None = None
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None
    text: str = ""
    page: int = 1


@dataclass(frozen=True)
class MessageRow:
    """One line of the registry."""

    message: Message
    excerpt: str
    status: InstanceStatus | None
    overdue: bool
    repeat: bool


@dataclass
class MessagePage:
    """A page of the registry and how many messages match in all."""

    rows: list[MessageRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def overdue_case(now: datetime) -> ColumnElement[bool]:
    """SQL: the message's case has a recorded violation or an open task past its deadline."""
    violated = select(Violation.id).where(Violation.instance_id == Message.instance_id).exists()
    late = (
        select(OpenUserTask.task_id)
        .where(OpenUserTask.instance_id == Message.instance_id, OpenUserTask.due_at < now)
        .exists()
    )
    return or_(violated, late)


def search(
    session: Session, runtime: Runtime, viewer: Viewer, chosen: MessageFilter
) -> MessagePage:
    """Messages of the viewer's municipality, newest first."""
    now = runtime.clock.now()
    query = _filtered(runtime, viewer, chosen, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, chosen.page), pages)
    found = session.execute(
        query.add_columns(ProcessInstance.status, overdue_case(now))
        .order_by(Message.received_at.desc(), Message.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    rows = [
        MessageRow(message, excerpt(message.text), status, bool(late), False)
        for message, status, late in found
    ]
    return MessagePage(_mark_repeats(session, rows), total, page, pages)


def _filtered(
    runtime: Runtime, viewer: Viewer, chosen: MessageFilter, now: datetime
) -> Select[Any]:
    query = (
        select(Message)
        .outerjoin(ProcessInstance, ProcessInstance.id == Message.instance_id)
        .where(Message.municipality == viewer.municipality)
    )
    if chosen.status is not None:
        query = query.where(ProcessInstance.status == chosen.status)
    if chosen.source:
        query = query.where(Message.source == chosen.source)
    if chosen.overdue:
        query = query.where(overdue_case(now))
    zone = municipality_settings(viewer.municipality, runtime.processes_dir).timezone
    if chosen.received_from:
        query = query.where(Message.received_at >= _local_midnight(chosen.received_from, zone))
    if chosen.received_to:
        next_day = chosen.received_to + timedelta(days=1)
        query = query.where(Message.received_at < _local_midnight(next_day, zone))
    words = chosen.text.strip()
    if words:
        folded = words.lower()  # % and _ typed by staff are searched for, not wildcards
        query = query.where(
            or_(
                func.lower(Message.text).contains(folded, autoescape=True),
                func.lower(Message.author).contains(folded, autoescape=True),
            )
        )
    return query


def _local_midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def _mark_repeats(session: Session, rows: list[MessageRow]) -> list[MessageRow]:
    instance_ids = {row.message.instance_id for row in rows if row.message.instance_id}
    if not instance_ids:
        return rows
    firsts = set(
        session.scalars(
            select(func.min(Message.id))
            .where(Message.instance_id.in_(instance_ids))
            .group_by(Message.instance_id)
        )
    )
    return [
        MessageRow(row.message, row.excerpt, row.status, row.overdue, row.message.id not in firsts)
        for row in rows
    ]


def sources(session: Session, viewer: Viewer) -> list[str]:
    """Sources the municipality's messages came from."""
    found = loose_scan(Message.source, Message.municipality == viewer.municipality)
    return list(session.scalars(select(found.c.value).order_by(found.c.value)))
