"""Turn the rows the engine already writes into each recipient's notices and mail, in one flush.

Why a flush listener: the events exist already (a ledger notice, a task's `task_ready` or
`task_assigned` audit row, `answer_publish_failed`, a comment), written by code that knows
nothing of mail. Watching those rows as they are flushed puts the notices and the outbox rows in
the same transaction as the event — one commits with the other or neither — without a second
deadline mechanism and without every event source calling the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, event, insert, select
from sqlalchemy.orm import Session, UOWTransaction

from engine.inbox import kinds
from engine.inbox.status import MailStatus
from engine.models.account import User
from engine.models.audit import AuditEvent
from engine.models.deadline import Notice
from engine.models.inbox import CaseComment, MailMessage, NoticePreference, UserNotice
from engine.models.publication import Publication
from engine.models.task import OpenUserTask
from engine.roles import DEFAULT_REGISTRY
from engine.statuses import AuditKind, NoticeKind

WATCHED = (Notice, AuditEvent, CaseComment)
EXCERPT = 200


@dataclass(frozen=True)
class Draft:
    """A notice to write for some users."""

    kind: str
    key: str
    municipality: str
    instance_id: int | None
    text: str
    at: datetime
    users: list[User]
    due_at: datetime | None = None


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Fan the flushed events out (the new objects still sit in `session.new` here)."""
    found = [obj for obj in session.new if isinstance(obj, WATCHED)]
    if not found:
        return
    connection = session.connection()
    for obj in sorted(found, key=lambda o: (type(o).__name__, o.id)):
        draft = _draft(connection, obj)
        if draft is not None and draft.users:
            write(connection, draft)


def _draft(connection: Connection, obj: Any) -> Draft | None:
    if isinstance(obj, Notice):
        return _from_notice(connection, obj)
    if isinstance(obj, CaseComment):
        return _from_comment(connection, obj)
    if obj.kind is AuditKind.TASK_READY:
        return _from_task_ready(connection, obj)
    if obj.kind is AuditKind.TASK_ASSIGNED:
        return _from_assignment(connection, obj)
    if obj.kind is AuditKind.ANSWER_PUBLISH_FAILED:
        return _from_publication(connection, obj)
    return None


def _from_notice(connection: Connection, notice: Notice) -> Draft:
    breach = notice.kind is NoticeKind.BREACH
    clause = f" ({notice.clause})" if notice.clause else ""
    text = (
        f"Нарушен срок по делу № {notice.instance_id}{clause}"
        if breach
        else f"Приближается срок по делу № {notice.instance_id}{clause}"
    )
    users = _by_role(connection, notice.municipality, notice.recipient_role)
    if notice.recipient_department:
        users = [u for u in users if u.department in (None, notice.recipient_department)]
    return Draft(
        kinds.BREACH if breach else kinds.REMINDER,
        f"notice:{notice.id}",
        notice.municipality,
        notice.instance_id,
        text,
        notice.created_at,
        users,
        due_at=notice.due_at,
    )


def _from_task_ready(connection: Connection, row: AuditEvent) -> Draft | None:
    task = _task(connection, row.task_id)
    if task is None:  # completed within the same flush: nothing to tell
        return None
    role = DEFAULT_REGISTRY.role_of_lane(task.role)
    users = [
        user
        for user in _by_role(connection, task.municipality, role)
        if task.department is None or user.department in (None, task.department)
    ]
    text = f"Новая задача «{task.name}» по делу № {task.instance_id}"
    return _task_draft(kinds.TASK, row, task, text, _without(users, row.actor))


def _from_assignment(connection: Connection, row: AuditEvent) -> Draft | None:
    task = _task(connection, row.task_id)
    assignee = (row.data or {}).get("assignee")
    if task is None or not assignee:
        return None
    text = f"Вам назначена задача «{task.name}» по делу № {task.instance_id}"
    return _task_draft(kinds.ASSIGNED, row, task, text, _by_login(connection, [assignee]))


def _task_draft(
    kind: str, row: AuditEvent, task: OpenUserTask, text: str, users: list[User]
) -> Draft:
    return Draft(
        kind,
        f"audit:{row.id}",
        task.municipality,
        task.instance_id,
        text,
        row.at,
        users,
        due_at=task.due_at,
    )


def _from_publication(connection: Connection, row: AuditEvent) -> Draft | None:
    publication = connection.execute(
        select(Publication.municipality, Publication.actor).where(
            Publication.id == (row.data or {}).get("publication_id")
        )
    ).first()
    if publication is None:
        return None
    municipality, actor = publication
    users = _by_login(connection, [actor]) or _by_role(connection, municipality, "curator")
    error = str((row.data or {}).get("error") or "")[:EXCERPT]
    text = f"Не удалось опубликовать ответ по делу № {row.instance_id}: {error}"
    return Draft(
        kinds.PUBLICATION_FAILED,
        f"audit:{row.id}",
        municipality,
        row.instance_id,
        text,
        row.at,
        users,
    )


def _from_comment(connection: Connection, comment: CaseComment) -> Draft:
    author = _by_login(connection, [comment.author])
    name = author[0].full_name if author else comment.author
    body = " ".join(comment.body.split())
    excerpt = body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"
    users = [
        user
        for user in _by_login(connection, comment.mentions)
        if user.municipality == comment.municipality
    ]
    return Draft(
        kinds.MENTION,
        f"comment:{comment.id}",
        comment.municipality,
        comment.instance_id,
        f"{name} упоминает вас в комментарии к делу № {comment.instance_id}: «{excerpt}»",
        comment.created_at,
        _without(users, comment.author),
    )


def write(connection: Connection, draft: Draft) -> None:
    """Insert the notices (one per user) and, where the user wants that kind, their mail."""
    preferences = _preferences(connection, [user.id for user in draft.users])
    for user in draft.users:
        notice_id = connection.execute(
            insert(UserNotice)
            .values(
                user_id=user.id,
                municipality=draft.municipality,
                kind=draft.kind,
                event_key=draft.key,
                instance_id=draft.instance_id,
                text=draft.text[:1024],
                due_at=draft.due_at,
                created_at=draft.at,
            )
            .returning(UserNotice.id)
        ).scalar_one()
        wanted, digest = preferences.get(user.id, (set(kinds.KINDS), False))
        if user.email and draft.kind in wanted:
            _enqueue(connection, notice_id, user, digest, draft.at)


def _enqueue(
    connection: Connection, notice_id: int, user: User, digest: bool, at: datetime
) -> None:
    connection.execute(
        insert(MailMessage).values(
            notice_id=notice_id,
            user_id=user.id,
            recipient=user.email,
            digest=digest,
            status=MailStatus.PENDING,
            attempts=0,
            next_attempt_at=None if digest else at,  # a digest's row waits for the daily send
            created_at=at,
            updated_at=at,
        )
    )


def _preferences(connection: Connection, user_ids: list[int]) -> dict[int, tuple[set[str], bool]]:
    rows = connection.execute(
        select(
            NoticePreference.user_id, NoticePreference.mail_kinds, NoticePreference.digest
        ).where(NoticePreference.user_id.in_(user_ids))
    )
    return {user_id: (set(mail_kinds or ()), bool(digest)) for user_id, mail_kinds, digest in rows}


def _task(connection: Connection, task_id: str | None) -> OpenUserTask | None:
    if task_id is None:
        return None
    row = connection.execute(
        select(OpenUserTask.__table__).where(OpenUserTask.task_id == task_id)
    ).first()
    return OpenUserTask(**row._mapping) if row is not None else None


def _users(connection: Connection, *where: Any) -> list[User]:
    rows = connection.execute(select(User.__table__).where(User.is_active.is_(True), *where))
    return [User(**row._mapping) for row in rows]


def _by_role(connection: Connection, municipality: str, role: str | None) -> list[User]:
    if role is None:
        return []
    return [u for u in _users(connection, User.municipality == municipality) if role in u.roles]


def _by_login(connection: Connection, logins: list[str]) -> list[User]:
    return _users(connection, User.login.in_(logins)) if logins else []


def _without(users: list[User], login: str) -> list[User]:
    return [user for user in users if user.login != login]
