"""The task list: open tasks a user may work on, with remaining time, soonest due first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    Subquery,
    bindparam,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from engine.access import Scope, Viewer, can_complete, scope_filter
from engine.duties.card import duty_message
from engine.models import Message, OpenUserTask, ProcessInstance, ProcessVersion
from engine.municipalities import RegulationCalendar
from engine.queries.timing import cached_specs, counts_days, time_left, version_calendar
from engine.runtime import Runtime
from engine.worktime import RemainingTime
from engine.worktime.production import production_calendar
from engine.worktime.spec import DeadlineSpec

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
    # lower() folds Unicode case on both databases (engine/db.py gives SQLite Python's), so
    # «мусор» finds «Мусор» and «МУСОР» in one LIKE, as the message registry's search does.
    words = " ".join(search.split())[:SEARCH_LENGTH]
    folded = words.lower()
    found = [
        func.lower(Message.text).contains(folded, autoescape=True),
        func.lower(Message.author).contains(folded, autoescape=True),
    ]
    # A scalar subquery, not EXISTS: PostgreSQL would turn EXISTS into a join driven by a scan
    # of every message (it cannot tell how many match); this asks each open task's own
    # messages, by their index, so the cost follows the open tasks, not the archive.
    in_message = (
        select(Message.id)
        .where(Message.instance_id == OpenUserTask.instance_id, or_(*found))
        .correlate(OpenUserTask)
        .limit(1)
        .scalar_subquery()
        .is_not(None)
    )
    number = words.lstrip("№#").strip()
    if number.isdigit() and int(number) < 2**31:
        return or_(OpenUserTask.instance_id == int(number), in_message)
    return in_message


def task_list(session: Session, runtime: Runtime, viewer: Viewer, chosen: TaskFilter) -> TaskPage:
    """A page of open tasks, soonest due first (tasks without a deadline last)."""
    now = runtime.clock.now()
    query = filtered(viewer, chosen, now)
    count = select(func.count()).select_from(query.subquery())
    # NULLS LAST rather than `due_at IS NULL` first: the same order, read from the index.
    ordered = query.order_by(OpenUserTask.due_at.asc().nulls_last(), OpenUserTask.created_at)
    # The count rides along as an uncorrelated column (computed once), so a page costs one
    # round trip; only an empty page (none match, or a page past the last) asks it alone.
    counted = with_case(ordered).add_columns(count.scalar_subquery().label("total"))
    page = max(1, chosen.page)
    found = _page_of(session, counted, page)
    if found:
        total = int(found[0][-1])
    else:
        total = session.scalar(count) or 0
        if total and page > 1:  # past the last page: the last one, as before
            page = -(-total // PAGE_SIZE)
            found = _page_of(session, counted, page)
    pages = max(1, -(-total // PAGE_SIZE))
    rows = _rows(session, runtime, viewer, [row[:-1] for row in found], now)
    return TaskPage(rows, total, min(page, pages), pages)


def _page_of(session: Session, query: Select[Any], page: int) -> list[Any]:
    """The rows of one page of an ordered query."""
    return list(session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))


def with_case(query: Select[Any]) -> Select[Any]:
    """The tasks with their case's version and first message, in the one statement."""
    # One statement rather than three: the page, then messages and versions by instance id.
    # An alias, so the filters' own subqueries on messages never correlate to this join.
    first = aliased(Message)
    return (
        query.add_columns(
            ProcessVersion.sha256,
            ProcessVersion.id,
            first.id,
            first.text,
            first.source,
            first.author,
        )
        .join(ProcessInstance, ProcessInstance.id == OpenUserTask.instance_id)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .outerjoin(first, first.id == first_message_id())
    )


def describe(
    session: Session, runtime: Runtime, viewer: Viewer, tasks: list[OpenUserTask], now: datetime
) -> list[TaskRow]:
    """Task rows with their case's first message and the time left (a case card's tasks)."""
    if not tasks:
        return []
    query = with_case(
        select(OpenUserTask).where(OpenUserTask.task_id.in_(t.task_id for t in tasks))
    )
    found = {row[0].task_id: row for row in session.execute(query)}
    return _rows(session, runtime, viewer, [found[task.task_id] for task in tasks], now)


def _rows(
    session: Session, runtime: Runtime, viewer: Viewer, found: list[Any], now: datetime
) -> list[TaskRow]:
    """Task rows from (task, version hash, version id, message id, text, source, author)."""
    # Cases without a message are scheduled duties': their name stands in (engine/duties).
    stand_ins = _duty_stand_ins(session, {row[0].instance_id for row in found if row[3] is None})
    terms = _VersionTerms(session, runtime)
    with production_calendar().holding():  # the page's rows count on one calendar
        return [_row(terms, runtime, viewer, stand_ins, now, *row) for row in found]


def _row(
    terms: _VersionTerms,
    runtime: Runtime,
    viewer: Viewer,
    stand_ins: dict[int, Message],
    now: datetime,
    task: OpenUserTask,
    sha256: str,
    version_id: int,
    message_id: int | None,
    *words: str,
) -> TaskRow:
    """One task's row: its case's first message (or a duty's stand-in) and the time left."""
    stand_in = stand_ins.get(task.instance_id)
    text, source, author = words if message_id is not None else _words_of(stand_in)
    specs, reader = terms.of(task.municipality, sha256, version_id)
    spec = specs.get(task.element_id)
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
    return TaskRow(
        task=task,
        excerpt=excerpt(text),
        source=source,
        author=author,
        remaining=left,
        can_complete=can_complete(viewer, task),
    )


def _words_of(message: Message | None) -> tuple[str, str, str]:
    """A message's text, source and author; empty for none."""
    return (message.text, message.source, message.author) if message else ("", "", "")


class _VersionTerms:
    """Each version's deadline terms and calendar, looked up once a page, not once a row."""

    def __init__(self, session: Session, runtime: Runtime) -> None:
        self.session, self.runtime = session, runtime
        self.found: dict[tuple[str, str], tuple[dict[str, DeadlineSpec], RegulationCalendar]] = {}

    def of(
        self, municipality: str, sha256: str, version_id: int
    ) -> tuple[dict[str, DeadlineSpec], RegulationCalendar]:
        """The terms by element id and the calendar a version's cases run under."""
        key = (municipality, sha256)
        if key not in self.found:
            folder = self.runtime.processes_dir
            specs = cached_specs(
                sha256, municipality, folder, _catalog_loader(self.session, version_id)
            )
            reader = version_calendar(  # the settings the case runs under, not today's file
                sha256, municipality, folder, _settings_loader(self.session, version_id)
            )
            self.found[key] = (specs, reader)
        return self.found[key]


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """The start of a text on one line, cut at a word with an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= length:
        return flat
    return flat[:length].rsplit(" ", 1)[0] + "…"


def _duty_stand_ins(session: Session, instance_ids: set[int]) -> dict[int, Message]:
    """The name of each scheduled duty's case, standing in for the message it has not."""
    if not instance_ids:
        return {}
    query = (
        select(ProcessInstance, ProcessVersion.catalog)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessInstance.id.in_(instance_ids), ProcessInstance.process_id.is_not(None))
    )
    return {case.id: duty_message(case, catalog) for case, catalog in session.execute(query)}


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
    choices: dict[str, list[tuple[str, str]]] = {"sources": [], "steps": []}
    for kind, value, label in session.execute(_choices_query(), {"here": viewer.municipality}):
        choices[kind].append((value, label))
    return choices


@functools.cache
def _choices_query() -> Select[Any]:
    """SQL: both filters' values in one statement, each line saying which list it belongs to."""
    # Built once: composing two recursive scans costs more than running them.
    here: BindParameter[str] = bindparam("here")
    sources = loose_scan(Message.source, Message.municipality == here, name="sources")
    step_ids = loose_scan(OpenUserTask.element_id, OpenUserTask.municipality == here, name="steps")
    name = (
        select(func.min(OpenUserTask.name))
        .where(OpenUserTask.municipality == here, OpenUserTask.element_id == step_ids.c.value)
        .scalar_subquery()
    )
    both = union_all(
        select(literal("sources").label("kind"), sources.c.value, sources.c.value.label("label")),
        select(literal("steps"), step_ids.c.value, name),
    ).subquery()
    return select(both.c.kind, both.c.value, both.c.label).order_by(both.c.kind, both.c.label)


def loose_scan(
    column: InstrumentedAttribute[str], *where: ColumnElement[bool], name: str = "found"
) -> Subquery:
    """SQL: the distinct values of a column by one index probe each, not a scan of the rows."""
    # Each step asks the index for the next value above the last one, so three sources among
    # 100,000 messages cost four probes. Needs an index on the `where` columns, then `column`.
    first = select(func.min(column).label("value")).where(*where).cte(name, recursive=True)
    following = select(func.min(column)).where(*where, column > first.c.value).scalar_subquery()
    found = first.union_all(select(following).where(first.c.value.is_not(None)))
    return select(found.c.value).where(found.c.value.is_not(None)).subquery()


def _settings_loader(session: Session, version_id: int) -> Callable[[], str | None]:
    def load() -> str | None:
        query = select(ProcessVersion.settings_yaml).where(ProcessVersion.id == version_id)
        return session.scalar(query)

    return load
