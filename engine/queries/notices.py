"""The notices inbox: breaches and reminders addressed to the viewer's roles, newest first."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.orm import Session

from engine.access import Viewer
from engine.inbox.reading import unread_query
from engine.models import CaseDeadline, Message, Notice, ProcessVersion, User
from engine.models import ProcessInstance as Instance
from engine.notices import inbox_filter
from engine.queries.case_terms import in_days
from engine.queries.timing import left_on, regulation_calendar
from engine.statuses import NoticeKind
from engine.worktime import RemainingTime

PAGE_SIZE = 50


@dataclass(frozen=True)
class NoticeRow:
    """One notice as staff read it: the case, the step, the deadline, who answered, how late."""

    notice: Notice
    deadline_name: str
    deadline_text: str
    step_name: str
    excerpt: str
    lateness_seconds: float
    # How late, in the term's own unit, up to the step's completion or now (breaches only).
    late: RemainingTime | None = None
    responsible_name: str | None = None  # the person who held the step, by name


@dataclass(frozen=True)
class NoticePage:
    """A page of the inbox."""

    rows: list[NoticeRow]
    total: int
    unread: int


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    if "administrator" in viewer.roles:  # administrators see every notice of the municipality
        return Notice.municipality == viewer.municipality
    return inbox_filter(viewer.municipality, viewer.roles, viewer.departments)


def unread_notices(session: Session, viewer: Viewer) -> int:
    """How many notices addressed to the viewer nobody has acknowledged yet."""
    query = select(func.count(Notice.id)).where(_visible(viewer), Notice.acknowledged_at.is_(None))
    return int(session.scalar(query) or 0)


def unread_counts(session: Session, viewer: Viewer) -> tuple[int, int]:
    """Unacknowledged notices to the viewer's roles and the viewer's own unread, together."""
    # The task list shows both counters: one round trip, on a statement built once.
    administrator = "administrator" in viewer.roles
    values: dict[str, object] = {"municipality": viewer.municipality, "user_id": viewer.user_id}
    if not administrator:
        values |= {"roles": sorted(viewer.roles), "departments": sorted(viewer.departments)}
    found = session.execute(_unread_counts(administrator), values).one()
    return int(found[0] or 0), int(found[1] or 0)


@functools.cache
def _unread_counts(administrator: bool) -> Select[int, int]:
    """SQL: `unread_notices` and the user's unread count as two columns of one row."""
    municipality: BindParameter[str] = bindparam("municipality")
    visible: ColumnElement[bool] = Notice.municipality == municipality
    if not administrator:  # as `_visible`, the viewer's roles and departments bound later
        roles: BindParameter[str] = bindparam("roles", expanding=True)
        departments: BindParameter[str] = bindparam("departments", expanding=True)
        visible = inbox_filter(municipality, roles, departments)  # type: ignore[arg-type]
    notices = select(func.count(Notice.id)).where(visible, Notice.acknowledged_at.is_(None))
    mine = unread_query(bindparam("user_id"))  # type: ignore[arg-type]
    return select(notices.scalar_subquery(), mine.scalar_subquery())


def notice_inbox(
    session: Session,
    viewer: Viewer,
    now: datetime,
    *,
    unread_only: bool = True,
    page: int = 1,
    processes_dir: Path | None = None,
) -> NoticePage:
    """The viewer's notices, unacknowledged only unless asked for all; how late with a calendar."""
    condition = _visible(viewer)
    only: ColumnElement[bool] = Notice.acknowledged_at.is_(None) if unread_only else true()
    total = int(session.scalar(select(func.count(Notice.id)).where(condition, only)) or 0)
    query = (
        select(Notice, CaseDeadline, ProcessVersion.catalog)
        .join(CaseDeadline, CaseDeadline.id == Notice.deadline_id)
        .join(Instance, Instance.id == Notice.instance_id)
        .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
        .where(condition, only)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    )
    found = list(session.execute(query))
    texts = _first_texts(session, {notice.instance_id for notice, _d, _c in found})
    names = _names(session, viewer.municipality, {n.responsible_user for n, _d, _c in found})
    rows = [
        NoticeRow(
            notice=notice,
            deadline_name=deadline.name,
            deadline_text=deadline.text,
            step_name=_name(catalog, notice.element_id),
            excerpt=texts.get(notice.instance_id, "")[:140],
            lateness_seconds=(now - notice.due_at).total_seconds(),
            late=_late(notice, deadline, now, processes_dir),
            responsible_name=names.get(notice.responsible_user or ""),
        )
        for notice, deadline, catalog in found
    ]
    return NoticePage(rows, total, unread_notices(session, viewer))


def _late(
    notice: Notice, deadline: CaseDeadline, now: datetime, processes_dir: Path | None
) -> RemainingTime | None:
    """How late a breach is, counted as its term counts: up to the step's completion, or now."""
    if processes_dir is None or notice.kind is not NoticeKind.BREACH:
        return None
    reader = regulation_calendar(notice.municipality, processes_dir)
    until = deadline.ended_at or now
    return left_on(
        reader.calendar,
        deadline.start_at,
        deadline.due_at,
        max(until, deadline.due_at),
        working=deadline.working,
        in_days=in_days(reader, deadline.text),
    )


def _names(session: Session, municipality: str, logins: set[str | None]) -> dict[str, str]:
    """Full names of the municipality's users among `logins`."""
    wanted = {login for login in logins if login}
    if not wanted:
        return {}
    query = select(User.login, User.full_name).where(
        User.municipality == municipality, User.login.in_(wanted)
    )
    return {login: name for login, name in session.execute(query)}


def _name(catalog: dict[str, object], element_id: str | None) -> str:
    elements = catalog.get("elements") if isinstance(catalog, dict) else None
    element = elements.get(element_id or "", {}) if isinstance(elements, dict) else {}
    return str(element.get("name") or element_id or "")


def _first_texts(session: Session, instance_ids: set[int]) -> dict[int, str]:
    if not instance_ids:
        return {}
    first = (
        select(func.min(Message.id))
        .where(Message.instance_id.in_(instance_ids))
        .group_by(Message.instance_id)
    )
    query = select(Message.instance_id, Message.text).where(Message.id.in_(first))
    return {instance_id: text for instance_id, text in session.execute(query) if instance_id}
