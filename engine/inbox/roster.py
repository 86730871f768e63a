"""Each municipality's active staff, kept per process while the staff's revision stands.

Why: every advance that opens a step tells the step's lane (capture.py), and staff change
rarely. Triggers give one value a new random one with every change to a user a notice reads
(engine/models/staff_revision.py); the statement that locks a case or a thread reads that value
with it (`REVISION`, then `note_revision`), so a roster kept for that same revision is current
without a query. A transaction that writes users after its lock does not trust what it noted.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, event, select
from sqlalchemy.orm import Session

from engine.models.account import User
from engine.models.staff_revision import ROW_ID, StaffRevision

_NOTED = "roster.noted"  # (the transaction, the revision its lock read)
_WROTE_USERS = "roster.wrote_users"  # the transaction that flushed a change to a user

# A column for the lock statements: the revision as of the lock.
REVISION = (
    select(StaffRevision.revision).where(StaffRevision.id == ROW_ID).scalar_subquery()
).label("staff_revision")


@dataclass(frozen=True)
class Recipient:
    """What a notice needs of an active user (plain values: no ORM object per user per flush)."""

    id: int
    login: str
    full_name: str
    roles: Any
    department: str | None
    email: str | None


_COLUMNS = (User.id, User.login, User.full_name, User.roles, User.department, User.email)
# The revision and the roster in one statement (one snapshot); the outer join keeps the revision
# of a municipality with nobody in it.
_ROSTER = (
    select(StaffRevision.revision, *_COLUMNS)
    .outerjoin(User, and_(User.is_active.is_(True), User.municipality == bindparam("municipality")))
    .where(StaffRevision.id == ROW_ID)
)
_KEPT: weakref.WeakKeyDictionary[Engine, dict[str, tuple[int, list[Recipient]]]] = (
    weakref.WeakKeyDictionary()
)


def note_revision(session: Session, revision: int | None) -> None:
    """What the transaction's lock read of the staff's revision."""
    transaction = session.get_transaction()
    if transaction is not None:
        session.info[_NOTED] = (weakref.ref(transaction), revision)


def staff_of(session: Session, connection: Connection, municipality: str) -> list[Recipient]:
    """Everyone active in the municipality: the kept roster when it is current, else read."""
    kept = _KEPT.setdefault(connection.engine, {})
    noted = _noted_revision(session)
    found = kept.get(municipality)
    if found is not None and noted is not None and found[0] == noted:
        return found[1]
    rows = connection.execute(_ROSTER, {"municipality": municipality}).all()
    staff = [Recipient(*row[1:]) for row in rows if row.id is not None]
    if rows:  # a value this transaction wrote and then rolls back is never read by another
        kept[municipality] = (rows[0].revision, staff)
    return staff


def _noted_revision(session: Session) -> int | None:
    noted = session.info.get(_NOTED)
    transaction = session.get_transaction()
    if noted is None or noted[0]() is not transaction:
        return None  # noted by an earlier transaction of this session
    wrote = session.info.get(_WROTE_USERS)
    if wrote is not None and wrote() is transaction:
        return None  # its own change may have come after the lock
    revision: int | None = noted[1]
    return revision


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, *_: Any) -> None:
    """A flush that writes a user makes this transaction's roster its own."""
    transaction = session.get_transaction()
    if transaction is None:
        return
    if any(isinstance(obj, User) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_WROTE_USERS] = weakref.ref(transaction)
