"""Turn the rows the engine already writes into each recipient's notices and mail, in one flush.

Why a flush listener: the events exist already (a ledger notice, a task's `task_ready` or
`task_assigned` audit row, `answer_publish_failed`, a comment), written by code that knows
nothing of mail. Watching those rows as they are flushed puts the notices and the outbox rows in
the same transaction as the event — one commits with the other or neither — without a second
deadline mechanism and without every event source calling the inbox. Audit rows are not ORM
objects (engine/audit.py): their batch is handed over as it is written, which is at the start of
a flush (it then joins that flush's fan-out, in the order the flush always used: audit rows,
comments, notices) or before a query or a commit that flushes nothing else (fanned out then).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, event, insert, select
from sqlalchemy.orm import Session, UOWTransaction

from engine.audit_rows import LISTENERS, AuditRow
from engine.inbox import kinds
from engine.inbox.roster import Recipient, staff_of
from engine.inbox.status import MailStatus
from engine.models.account import Substitution
from engine.models.deadline import Notice
from engine.models.inbox import CaseComment, MailMessage, NoticePreference, UserNotice
from engine.models.instance import ProcessInstance
from engine.models.publication import Publication
from engine.models.task import OpenUserTask
from engine.models.version import ProcessVersion
from engine.roles import DEFAULT_REGISTRY, RoleRegistry
from engine.statuses import AuditKind, NoticeKind
from engine.versioning.snapshot import settings_from_snapshot

WATCHED = (Notice, CaseComment)
AUDIT_KINDS = frozenset(
    (AuditKind.TASK_READY, AuditKind.TASK_ASSIGNED, AuditKind.ANSWER_PUBLISH_FAILED)
)
_WRITTEN = "inbox.audit_rows"  # the audit rows written at a flush's start, for its fan-out
# A session whose info holds this key tells nobody: a simulation's throwaway database has no
# accounts, so reading its (empty) roster at every flush would only cost time.
SILENT = "reglament_inbox_silent"
EXCERPT = 200
ALL_KINDS = frozenset(kinds.KINDS)


@dataclass(frozen=True)
class Draft:
    """A notice to write for some users."""

    kind: str
    key: str
    municipality: str
    instance_id: int | None
    text: str
    at: datetime
    users: list[Recipient]
    due_at: datetime | None = None
    actor: str | None = None  # who caused it: never told of their own act


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, context: UOWTransaction) -> None:
    """Fan the flushed events out (the new objects still sit in `session.new` here)."""
    rows: list[AuditRow] = context.attributes.pop(_WRITTEN, [])
    if session.info.get(SILENT):
        return
    found = [obj for obj in session.new if isinstance(obj, WATCHED)]
    if not found and not rows:
        return
    objects = sorted(found, key=lambda o: (type(o).__name__, o.id))
    _fan_out(session, session.connection(), [*rows, *objects])


def _audit_written(
    session: Session, connection: Connection, rows: list[AuditRow], flush: UOWTransaction | None
) -> None:
    """Audit rows just written: fanned out with their flush, or now if no flush wrote them."""
    watched = [row for row in rows if row.kind in AUDIT_KINDS]
    if not watched or session.info.get(SILENT):
        return
    if flush is not None:
        flush.attributes.setdefault(_WRITTEN, []).extend(watched)
    else:
        _fan_out(session, connection, watched)


LISTENERS.append(_audit_written)


def _fan_out(session: Session, connection: Connection, events: list[Any]) -> None:
    staff = Staff(connection, session)
    for obj in events:
        draft = _draft(connection, staff, obj)
        if draft is not None and draft.users:
            write(connection, staff.with_substitutes(draft))


class Staff:
    """The active users of each municipality, read once per flush."""

    def __init__(self, connection: Connection, session: Session) -> None:
        self.connection = connection
        self.session = session
        self.loaded: dict[str, list[Recipient]] = {}

    def of(self, municipality: str) -> list[Recipient]:
        """Everyone active in the municipality."""
        if municipality not in self.loaded:
            self.loaded[municipality] = staff_of(self.session, self.connection, municipality)
        return self.loaded[municipality]

    def working_in(self, task: OpenUserTask) -> list[Recipient]:
        """Those whose roles act in the task's lane, under the roles its version runs with."""
        staff = self.of(task.municipality)
        if not staff:  # nobody to tell (a simulation's database): no roles to read
            return []
        lanes_of = self.registry(task.municipality, task.instance_id).lanes_of
        return [user for user in staff if task.role in lanes_of(user.roles)]

    def registry(self, municipality: str, instance_id: int) -> RoleRegistry:
        """The roles of the case's version: its municipality.yaml snapshot's (Myasnikovsky's
        curators work in the lane `department`), or today's defaults for an older version."""
        version_id = self._version_of(instance_id)
        known = _roles_of_versions(self.connection)
        if version_id not in known:  # a version's snapshot never changes: read it once
            text = self.connection.execute(
                select(ProcessVersion.settings_yaml).where(ProcessVersion.id == version_id)
            ).scalar()
            known[version_id] = _registry_of(municipality, text)
        return known[version_id]

    def _version_of(self, instance_id: int) -> int | None:
        """The case's version, from the row the flush holds (the advance locked it) or read."""
        key = self.session.identity_key(ProcessInstance, instance_id)
        instance = self.session.identity_map.get(key)
        if isinstance(instance, ProcessInstance) and instance.version_id is not None:
            return instance.version_id
        return self.connection.execute(
            select(ProcessInstance.version_id).where(ProcessInstance.id == instance_id)
        ).scalar()

    def by_role(self, municipality: str, role: str | None) -> list[Recipient]:
        """Those with the role (none for no role)."""
        return [user for user in self.of(municipality) if role is not None and role in user.roles]

    def by_login(self, municipality: str, logins: list[str]) -> list[Recipient]:
        """Those with these logins."""
        wanted = set(logins)
        return [user for user in self.of(municipality) if user.login in wanted]

    def with_substitutes(self, draft: Draft) -> Draft:
        """Whoever stands in for a recipient at the event is told too (Palana, п. 9)."""
        told = {user.id for user in draft.users}
        standing_in = set(
            self.connection.execute(
                select(Substitution.substitute_user_id).where(
                    Substitution.absent_user_id.in_(told),
                    Substitution.starts_at <= draft.at,
                    Substitution.ends_at > draft.at,
                )
            ).scalars()
        )
        extra = [
            user
            for user in self.of(draft.municipality)
            if user.id in standing_in - told and user.login != draft.actor
        ]
        return replace(draft, users=[*draft.users, *extra]) if extra else draft


def _draft(connection: Connection, staff: Staff, obj: Any) -> Draft | None:
    if isinstance(obj, Notice):
        return _from_notice(staff, obj)
    if isinstance(obj, CaseComment):
        return _from_comment(staff, obj)
    if obj.kind is AuditKind.TASK_READY:
        return _from_task_ready(connection, staff, obj)
    if obj.kind is AuditKind.TASK_ASSIGNED:
        return _from_assignment(connection, staff, obj)
    if obj.kind is AuditKind.ANSWER_PUBLISH_FAILED:
        return _from_publication(connection, staff, obj)
    return None


def _from_notice(staff: Staff, notice: Notice) -> Draft:
    breach = notice.kind is NoticeKind.BREACH
    clause = f" ({notice.clause})" if notice.clause else ""
    text = (
        f"Нарушен срок по делу № {notice.instance_id}{clause}"
        if breach
        else f"Приближается срок по делу № {notice.instance_id}{clause}"
    )
    users = staff.by_role(notice.municipality, notice.recipient_role)
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


def _from_task_ready(connection: Connection, staff: Staff, row: AuditRow) -> Draft | None:
    task = _task(connection, staff, row.task_id)
    if task is None:  # completed within the same flush: nothing to tell
        return None
    users = [
        user
        for user in staff.working_in(task)
        if task.department is None or user.department in (None, task.department)
    ]
    text = f"Новая задача «{task.name}» по делу № {task.instance_id}"
    return replace(
        _task_draft(kinds.TASK, row, task, text, _without(users, row.actor)), actor=row.actor
    )


def _from_assignment(connection: Connection, staff: Staff, row: AuditRow) -> Draft | None:
    task = _task(connection, staff, row.task_id)
    assignee = (row.data or {}).get("assignee")
    if task is None or not assignee:
        return None
    text = f"Вам назначена задача «{task.name}» по делу № {task.instance_id}"
    users = staff.by_login(task.municipality, [assignee])
    return _task_draft(kinds.ASSIGNED, row, task, text, users)


def _task_draft(
    kind: str, row: AuditRow, task: OpenUserTask, text: str, users: list[Recipient]
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


def _from_publication(connection: Connection, staff: Staff, row: AuditRow) -> Draft | None:
    publication = connection.execute(
        select(Publication.municipality, Publication.actor).where(
            Publication.id == (row.data or {}).get("publication_id")
        )
    ).first()
    if publication is None:
        return None
    municipality, actor = publication
    users = staff.by_login(municipality, [actor]) or staff.by_role(municipality, "curator")
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


def _from_comment(staff: Staff, comment: CaseComment) -> Draft:
    author = staff.by_login(comment.municipality, [comment.author])
    name = author[0].full_name if author else comment.author
    body = " ".join(comment.body.split())
    excerpt = body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"
    users = staff.by_login(comment.municipality, comment.mentions)
    return Draft(
        kinds.MENTION,
        f"comment:{comment.id}",
        comment.municipality,
        comment.instance_id,
        f"{name} упоминает вас в комментарии к делу № {comment.instance_id}: «{excerpt}»",
        comment.created_at,
        _without(users, comment.author),
        actor=comment.author,
    )


def write(connection: Connection, draft: Draft) -> None:
    """Insert the notices (one per user) and, where the user wants that kind, their mail."""
    rows = [
        {
            "user_id": user.id,
            "municipality": draft.municipality,
            "kind": draft.kind,
            "event_key": draft.key,
            "instance_id": draft.instance_id,
            "text": draft.text[:1024],
            "due_at": draft.due_at,
            "created_at": draft.at,
        }
        for user in draft.users
    ]
    inserted = connection.execute(
        insert(UserNotice).returning(UserNotice.id, sort_by_parameter_order=True), rows
    ).scalars()
    preferences = _preferences(connection, [user.id for user in draft.users])
    mails = [
        _mail(notice_id, user, draft.at, digest)
        for notice_id, user in zip(inserted, draft.users, strict=True)
        for wanted, digest in [preferences.get(user.id, (ALL_KINDS, False))]
        if user.email and draft.kind in wanted
    ]
    if mails:
        connection.execute(insert(MailMessage), mails)


def _mail(notice_id: int, user: Recipient, at: datetime, digest: bool) -> dict[str, Any]:
    return {
        "notice_id": notice_id,
        "user_id": user.id,
        "recipient": user.email,
        "digest": digest,
        "status": MailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": None if digest else at,  # a digest's row waits for the daily send
        "created_at": at,
        "updated_at": at,
    }


def _preferences(
    connection: Connection, user_ids: list[int]
) -> dict[int, tuple[frozenset[str], bool]]:
    rows = connection.execute(
        select(
            NoticePreference.user_id, NoticePreference.mail_kinds, NoticePreference.digest
        ).where(NoticePreference.user_id.in_(user_ids))
    )
    return {
        user_id: (frozenset(mail_kinds or ()), bool(digest)) for user_id, mail_kinds, digest in rows
    }


_ROLES: weakref.WeakKeyDictionary[Engine, dict[int | None, RoleRegistry]] = (
    weakref.WeakKeyDictionary()
)


def _roles_of_versions(connection: Connection) -> dict[int | None, RoleRegistry]:
    """Each database's version id → roles (a disposed test database takes its entries along)."""
    return _ROLES.setdefault(connection.engine, {})


@lru_cache(maxsize=64)
def _registry_of(municipality: str, settings_yaml: str | None) -> RoleRegistry:
    """The roles of a version's municipality.yaml snapshot, read as deploy reads it (once per
    text, not per flush); a version from before snapshots: today's roles."""
    if not settings_yaml:
        return DEFAULT_REGISTRY
    settings, _calendar = settings_from_snapshot(municipality, settings_yaml, "municipality.yaml")
    return settings.roles


def _task(connection: Connection, staff: Staff, task_id: str | None) -> OpenUserTask | None:
    if task_id is None:
        return None
    # The row this flush just wrote is in the session (still among its new objects here, or
    # its changed ones: a step handed on rewrites the row of the step before); a deleted one
    # has left it.
    session = staff.session
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, OpenUserTask) and obj.task_id == task_id:
            return obj
    held = session.identity_map.get(session.identity_key(OpenUserTask, task_id))
    if isinstance(held, OpenUserTask):
        return None if held in session.deleted else held
    row = connection.execute(
        select(OpenUserTask.__table__).where(OpenUserTask.task_id == task_id)
    ).first()
    return OpenUserTask(**row._mapping) if row is not None else None


def _without(users: list[Recipient], login: str) -> list[Recipient]:
    return [user for user in users if user.login != login]
