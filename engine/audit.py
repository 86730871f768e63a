"""Append-only audit records of every state change.

An advance writes two or three audit rows and reads none back, so they skip the unit of work:
`record` keeps a plain row in a buffer of the caller's transaction, and the buffer goes to the
database in one Core `INSERT` (one statement for many rows on both databases: the table's insert
sentinel, migration 0022) exactly when the unit of work would have flushed those rows — with
the session's next flush, before a query that autoflushes, before a commit, a savepoint's begin
or its release. A rollback drops the buffer (it holds only rows recorded since the transaction
or savepoint undone began). So a query in the same transaction sees them as it saw pending
objects; code that must see rows not written yet (a query under `no_autoflush`) reads
`pending(session)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, event, insert, inspect
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from engine.audit_rows import LISTENERS, AuditRow, Listener
from engine.models import AuditEvent
from engine.statuses import AuditKind

__all__ = ["LISTENERS", "AuditRow", "Listener", "pending", "record", "write"]


_TABLE = cast(Table, AuditEvent.__table__)
# Built once; the ids come back in the rows' order (the sentinel makes that hold on SQLite too).
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_KEY = "engine.audit.buffer"


@dataclass
class _Buffer:
    """The rows a transaction (or its innermost savepoint) recorded and has not written."""

    rows: list[AuditRow] = field(default_factory=list)

    def take(self) -> list[AuditRow]:
        """Every buffered row, leaving the buffer empty."""
        rows, self.rows = self.rows, []
        return rows


def record(
    session: Session,
    kind: AuditKind,
    at: datetime,
    actor: str,
    *,
    instance_id: int | None = None,
    version_id: int | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    **data: Any,
) -> None:
    """Add one audit row to the caller's transaction (written with its next flush)."""
    if session.get_transaction() is None:
        # As `session.add` would: the row belongs to a transaction, which ends with it.
        session.connection()
    _buffer(session).rows.append(
        AuditRow(kind, at, actor, instance_id, version_id, task_id, element_id, data)
    )


def pending(session: Session) -> list[AuditRow]:
    """The rows this transaction recorded and has not written yet, oldest first."""
    buffer: _Buffer | None = session.info.get(_KEY)
    return list(buffer.rows) if buffer is not None else []


def write(
    session: Session, flush: UOWTransaction | None = None, connection: Connection | None = None
) -> None:
    """Send the buffered rows in one INSERT and tell the listeners, with the rows' ids."""
    buffer: _Buffer | None = session.info.get(_KEY)
    if buffer is None or not buffer.rows:
        return
    rows = buffer.take()
    if connection is None:
        connection = session.connection(bind_arguments={"mapper": AuditEvent})
    ids = connection.execute(_INSERT, [row.values() for row in rows]).scalars()
    for row, row_id in zip(rows, ids, strict=True):
        row.id = row_id
    for listener in LISTENERS:
        listener(session, connection, rows, flush)


def _buffer(session: Session) -> _Buffer:
    buffer: _Buffer | None = session.info.get(_KEY)
    if buffer is None:
        buffer = session.info[_KEY] = _Buffer()
    return buffer


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, flush: UOWTransaction, _objects: Any) -> None:
    write(session, flush)


@event.listens_for(Session, "do_orm_execute")
def _before_query(state: ORMExecuteState) -> None:
    # A session whose only change is the buffer is clean to SQLAlchemy and would not flush:
    # write it wherever the query would have autoflushed (an ORM statement, autoflush on).
    session = state.session
    buffer: _Buffer | None = session.info.get(_KEY)
    if buffer is None or not buffer.rows or not session.autoflush or not state.is_orm_statement:
        return
    if not state.is_select or state.load_options._autoflush:
        write(session)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write(session)  # a clean session's commit runs no flush (a savepoint's release too)


@event.listens_for(Session, "after_transaction_create")
def _before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # As a savepoint's begin flushes: the rows recorded before it are written outside it (on
    # the enclosing transaction's connection; the SAVEPOINT is sent with the savepoint's first
    # statement), so what a rollback of it or of the whole transaction undoes is what the buffer
    # holds then.
    parent = transaction.parent
    buffer: _Buffer | None = session.info.get(_KEY)
    if transaction.nested and parent is not None and buffer is not None and buffer.rows:
        write(session, connection=parent.connection(inspect(AuditEvent)))


@event.listens_for(Session, "after_soft_rollback")
def _drop(session: Session, _previous: SessionTransaction) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # committed (written), rolled back or closed
        session.info.pop(_KEY, None)
