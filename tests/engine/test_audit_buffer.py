"""Audit rows skip the unit of work but are written exactly when it would have flushed them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.accounts import create_user
from engine.inbox import kinds
from engine.models import AuditEvent, UserNotice
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.engine.helpers import deploy_example, open_tasks, send
from tests.statements import statements

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _record(session: Session, actor: str, kind: AuditKind = AuditKind.USER_UPDATED) -> None:
    audit.record(session, kind, AT, actor, user=actor)


def _actors(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent.actor).order_by(AuditEvent.id)))


def test_a_query_sees_the_rows_of_a_session_with_nothing_else_pending(
    db_engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        _record(session, "first")
        _record(session, "second")
        assert not session.new and not session.dirty  # no ORM object: a clean session
        with statements(db_engine) as sent:
            seen = list(session.scalars(select(AuditEvent.actor).order_by(AuditEvent.id)))
        assert seen == ["first", "second"]
        assert [s for s in sent if s.startswith("INSERT INTO audit_events")] == [sent[0]]
        assert audit.pending(session) == []
    assert _actors(sessions) == ["first", "second"]


def test_a_query_without_autoflush_leaves_them_pending_and_the_commit_writes_them(
    db_engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with sessions.begin() as session:
        _record(session, "first")
        with session.no_autoflush:
            assert session.scalars(select(AuditEvent)).all() == []
        assert [row.actor for row in audit.pending(session)] == ["first"]
        with statements(db_engine) as sent:
            session.commit()
        assert sum(s.startswith("INSERT INTO audit_events") for s in sent) == 1
    assert _actors(sessions) == ["first"]


def test_a_rollback_or_a_close_drops_them_and_the_session_writes_nothing_stale(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        _record(session, "rolled back")
        session.rollback()
        _record(session, "closed")
        session.close()
        assert audit.pending(session) == []
        _record(session, "kept")
        session.commit()
    assert _actors(sessions) == ["kept"]


@pytest.mark.parametrize("written_inside", [False, True])
def test_a_savepoint_rolled_back_undoes_only_what_was_recorded_inside_it(
    sessions: sessionmaker[Session], written_inside: bool
) -> None:
    with sessions.begin() as session:
        _record(session, "before")  # still buffered when the savepoint begins
        with pytest.raises(RuntimeError), session.begin_nested():
            _record(session, "inside")
            if written_inside:  # a query inside the savepoint writes the buffer there
                assert session.scalars(select(AuditEvent.actor)).all() == ["before", "inside"]
            raise RuntimeError("undo the savepoint")
        _record(session, "after")
        with session.begin_nested():  # a savepoint released keeps its rows
            _record(session, "released")
    assert _actors(sessions) == ["before", "after", "released"]


def test_a_task_event_written_by_a_commit_alone_still_tells_its_recipient(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    with sessions.begin() as session:
        create_user(
            session,
            login="curator",
            password="secret-password",
            full_name="Curator",
            roles=["curator"],
            municipality="example",
            department=None,
            email="curator@example.ru",
        )
    case = send(sessions, runtime).result.instance.id
    (task,) = open_tasks(sessions, case)
    with sessions.begin() as session:  # nothing but the audit row: no flush runs at commit
        audit.record(
            session,
            AuditKind.TASK_ASSIGNED,
            runtime.clock.now(),
            "head",
            instance_id=case,
            task_id=task.task_id,
            assignee="curator",
        )
    with sessions() as session:
        (event_id,) = session.scalars(
            select(AuditEvent.id).where(AuditEvent.kind == AuditKind.TASK_ASSIGNED)
        )
        notice = session.scalars(select(UserNotice).where(UserNotice.kind == kinds.ASSIGNED)).one()
    assert notice.event_key == f"audit:{event_id}" and notice.instance_id == case
