"""The task list: open tasks a user may work on, with remaining time, soonest due first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from engine.access import Scope, Viewer, can_complete, scope_filter
from engine.duties.card import duty_message
from engine.models import Message, OpenUserTask, ProcessInstance, ProcessVersion
from engine.queries.timing import cached_specs, counts_days, time_left, version_calendar
from engine.runtime import Runtime
from engine.worktime import RemainingTime

EXCERPT_LENGTH = 140
PAGE_SIZE = 100
SEARCH_LENGTH = 200  # longer searches are cut: nobody types more, and LIKE stays cheap


@dataclass(frozen=True)
class TaskFilter:
    """What the task list shows: a tab, optional filters and a page."""

    scope: Scope = "mine"
    source: str | None = None
    element_id: str | None = None
    department: str | None = None
    overdue: bool = False
    page: int = 1
    search: str | None = None  # words of the message or its author, or a case number


@dataclass(frozen=True)
class TaskRow:
    """One line of the task list."""

    task: OpenUserTask
    excerpt: str
    source: str
    author: str
    remaining: RemainingTime | None
    can_complete: bool


@dataclass
class TaskPage:
    """A page of the task list and how many tasks match in all."""

    rows: list[TaskRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    pages: int = 1


def first_message_id() -> ColumnElement[int]:
    """SQL: the message that started a task's case (repeats come later, with higher ids)."""
    return (
        select(func.min(Message.id))
        .where(Message.instance_id == OpenUserTask.instance_id)
        .correlate(OpenUserTask)
        .scalar_subquery()
    )


def filtered(viewer: Viewer, chosen: TaskFilter, now: datetime) -> Select[Any]:
    """The open tasks of a tab with the chosen filters (no order, no page)."""
    query = select(OpenUserTask).where(scope_filter(viewer, chosen.scope))
    if chosen.source:
        query = query.where(
            select(Message.id)
            .where(Message.id == first_message_id(), Message.source == chosen.source)
            .exists()
        )
    if chosen.element_id:
        query = query.where(OpenUserTask.element_id == chosen.element_id)
    if chosen.department:
        query = query.where(OpenUserTask.department == chosen.department)
    if chosen.overdue:
        query = query.where(OpenUserTask.due_at < now)
    if chosen.search:
        query = query.where(matches(chosen.search))
    return query


def matches(search: str) -> ColumnElement[bool]:
    """SQL: the case's number is `search` («12», «№ 12»), or a message's text or author has it."""
    # SQLite folds only ASCII case, so the words are tried as typed, in lower case, upper case
    # and capitalised: «мусор» finds «Мусор» on every database.
    words = " ".join(search.split())[:SEARCH_LENGTH]
    spellings = {words, words.lower(), words.upper(), words.capitalize()}
    found = [Message.text.contains(s, autoescape=True) for s in spellings]
    found += [Message.author.contains(s, autoescape=True) for s in spellings]
    in_message = (
        select(Message.id)
        .where(Message.instance_id == OpenUserTask.instance_id, or_(*found))
        .correlate(OpenUserTask)
        .exists()
    )
    number = words.lstrip("№#").strip()
    if number.isdigit() and int(number) < 2**31:
        return or_(OpenUserTask.instance_id == int(number), in_message)
    return in_message


def task_list(session: Session, runtime: Runtime, viewer: Viewer, chosen: TaskFilter) -> TaskPage:
    """A page of open tasks, soonest due first (tasks without a deadline last)."""
    now = runtime.clock.now()
    query = filtered(viewer, chosen, now)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, chosen.page), pages)
    ordered = query.order_by(
        OpenUserTask.due_at.is_(None), OpenUserTask.due_at, OpenUserTask.created_at
    )
    tasks = list(session.scalars(ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    rows = describe(session, runtime, viewer, tasks, now)
    return TaskPage(rows, total, page, pages)


def describe(
    session: Session, runtime: Runtime, viewer: Viewer, tasks: list[OpenUserTask], now: datetime
) -> list[TaskRow]:
    """Task rows with their case's first message and the time left."""
    instance_ids = {task.instance_id for task in tasks}
    messages = _first_messages(session, instance_ids)
    messages |= _duty_stand_ins(session, instance_ids - set(messages))
    versions = _versions(session, instance_ids)
    rows = []
    for task in tasks:
        message = messages.get(task.instance_id)
        sha256, version_id = versions[task.instance_id]
        specs = cached_specs(
            sha256, task.municipality, runtime.processes_dir, _catalog_loader(session, version_id)
        )
        spec = specs.get(task.element_id)
        reader = version_calendar(  # the settings the case runs under, not today's file
            sha256, task.municipality, runtime.processes_dir, _settings_loader(session, version_id)
        )
        left = time_left(
            task.municipality,
            runtime.processes_dir,
            task.created_at,
            task.due_at,
            now,
            working=spec.working if spec else True,
            reader=reader,
            in_days=counts_days(spec),
        )
        rows.append(
            TaskRow(
                task=task,
                excerpt=excerpt(message.text if message else ""),
                source=message.source if message else "",
                author=message.author if message else "",
                remaining=left,
                can_complete=can_complete(viewer, task),
            )
        )
    return rows


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a text on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + "…"


def _first_messages(session: Session, instance_ids: set[int]) -> dict[int, Message]:
    if not instance_ids:
        return {}
    firsts = (
        select(func.min(Message.id))
        .where(Message.instance_id.in_(instance_ids))
        .group_by(Message.instance_id)
    )
    found = session.scalars(select(Message).where(Message.id.in_(firsts)))
    return {message.instance_id: message for message in found if message.instance_id}


def _duty_stand_ins(session: Session, instance_ids: set[int]) -> dict[int, Message]:
    """Cases without a message are scheduled duties': their name stands in (engine/duties)."""
    if not instance_ids:
        return {}
    query = (
        select(ProcessInstance, ProcessVersion.catalog)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessInstance.id.in_(instance_ids), ProcessInstance.process_id.is_not(None))
    )
    return {case.id: duty_message(case, catalog) for case, catalog in session.execute(query)}


def _versions(session: Session, instance_ids: set[int]) -> dict[int, tuple[str, int]]:
    if not instance_ids:
        return {}
    query = (
        select(ProcessInstance.id, ProcessVersion.sha256, ProcessVersion.id)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessInstance.id.in_(instance_ids))
    )
    return {row[0]: (row[1], row[2]) for row in session.execute(query)}


def _catalog_loader(
    session: Session, version_id: int
) -> Callable[[], tuple[dict[str, Any], dict[str, Any] | None]]:
    def load() -> tuple[dict[str, Any], dict[str, Any] | None]:
        query = select(ProcessVersion.catalog, ProcessVersion.deadline_table).where(
            ProcessVersion.id == version_id
        )
        found = session.execute(query).first()
        return (found[0], found[1]) if found else ({"elements": {}}, None)

    return load


def filter_choices(session: Session, viewer: Viewer) -> dict[str, list[tuple[str, str]]]:
    """Values the task-list filters offer: sources and steps present in the municipality."""
    sources = session.scalars(
        select(Message.source)
        .where(Message.municipality == viewer.municipality)
        .distinct()
        .order_by(Message.source)
    )
    steps = session.execute(
        select(OpenUserTask.element_id, func.min(OpenUserTask.name))
        .where(OpenUserTask.municipality == viewer.municipality)
        .group_by(OpenUserTask.element_id)
        .order_by(func.min(OpenUserTask.name))
    )
    return {
        "sources": [(source, source) for source in sources],
        "steps": [(element_id, name) for element_id, name in steps],
    }


def _settings_loader(session: Session, version_id: int) -> Callable[[], str | None]:
    def load() -> str | None:
        query = select(ProcessVersion.settings_yaml).where(ProcessVersion.id == version_id)
        return session.scalar(query)

    return load
