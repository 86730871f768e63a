"""A roster a process keeps is used only while the staff's revision stands (inbox/roster.py).

Another process is another engine on the same database: its changes reach this one's notices
through the revision the triggers move, never through anything in memory.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.db import make_engine, make_session_factory
from engine.inbox import kinds
from engine.inbox.roster import note_revision, staff_of
from engine.intake import receive_message
from engine.models import StaffRevision, User, UserNotice
from engine.runtime import Runtime
from tests.engine.helpers import deploy_example, incoming, send
from tests.statements import statements
from tests.web.helpers import complete

PASSWORD = "secret-password"


def _add(session: Session, login: str, roles: list[str], department: str | None = None) -> None:
    create_user(
        session,
        login=login,
        password=PASSWORD,
        full_name=login.title(),
        roles=roles,
        municipality="example",
        department=department,
    )


def _revision(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalars(select(StaffRevision.revision)).one()


def _told(sessions: sessionmaker[Session], login: str) -> int:
    with sessions() as session:
        query = (
            select(UserNotice)
            .join(User, User.id == UserNotice.user_id)
            .where(User.login == login, UserNotice.kind == kinds.TASK)
        )
        return len(session.scalars(query).all())


def _example_with_a_curator(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    deploy_example(sessions, runtime)
    with sessions.begin() as session:
        _add(session, "curator", ["curator"])


@pytest.fixture
def other_process(db_engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions of a second engine on the same database: what another process would hold."""
    engine = make_engine(db_engine.url.render_as_string(hide_password=False))
    yield make_session_factory(engine)
    engine.dispose()


def test_the_revision_moves_with_every_change_a_notice_reads_and_not_with_a_sign_in(
    sessions: sessionmaker[Session],
) -> None:
    seen = {_revision(sessions)}
    with sessions.begin() as session:
        _add(session, "curator", ["curator"])
    seen.add(_revision(sessions))
    for change in ({"department": "housing"}, {"roles": ["head"]}, {"is_active": False}):
        with sessions.begin() as session:
            session.execute(update(User).where(User.login == "curator").values(**change))
        seen.add(_revision(sessions))
    assert len(seen) == 5  # each change a new value
    with sessions.begin() as session:  # what a sign-in writes
        session.execute(
            update(User).values(failed_logins=User.failed_logins + 1, password_hash="x")
        )
    assert _revision(sessions) in seen and len(seen) == 5
    with sessions.begin() as session:
        session.execute(User.__table__.delete())
    assert _revision(sessions) not in seen


def test_a_user_added_by_another_process_is_told_of_the_next_step(
    sessions: sessionmaker[Session], runtime: Runtime, other_process: sessionmaker[Session]
) -> None:
    _example_with_a_curator(sessions, runtime)
    first = send(sessions, runtime, "1").result.instance.id  # this process keeps the roster
    assert _told(sessions, "curator") == 1
    with other_process.begin() as session:
        _add(session, "housing", ["executor"], "housing")
        _add(session, "late", ["curator"])
    complete(sessions, runtime, first, "screen", screen_decision="process")
    assert _told(sessions, "late") == 1  # the routing step
    complete(sessions, runtime, first, "route", departments=["housing"])
    assert _told(sessions, "housing") == 1
    send(sessions, runtime, "2")
    assert _told(sessions, "late") == 2  # and a new message's screening


def test_a_user_deactivated_by_another_process_is_told_no_more(
    sessions: sessionmaker[Session], runtime: Runtime, other_process: sessionmaker[Session]
) -> None:
    _example_with_a_curator(sessions, runtime)
    send(sessions, runtime, "1")
    with other_process.begin() as session:
        session.execute(update(User).where(User.login == "curator").values(is_active=False))
    send(sessions, runtime, "2")
    assert _told(sessions, "curator") == 1


def test_a_current_roster_costs_no_statement_and_a_stale_one_is_read_again(
    db_engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    other_process: sessionmaker[Session],
) -> None:
    _example_with_a_curator(sessions, runtime)
    send(sessions, runtime, "1")
    with statements(db_engine) as sent:
        send(sessions, runtime, "2")
    assert not [s for s in sent if "FROM staff_revision LEFT OUTER JOIN users" in s], sent
    with other_process.begin() as session:
        _add(session, "curator2", ["curator"])
    with statements(db_engine) as sent:
        send(sessions, runtime, "3")
    assert [s for s in sent if "FROM staff_revision LEFT OUTER JOIN users" in s], sent
    assert _told(sessions, "curator2") == 1


def test_a_user_added_in_a_transaction_rolled_back_is_not_kept(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    _example_with_a_curator(sessions, runtime)
    send(sessions, runtime, "1")
    with sessions() as session:
        _add(session, "ghost", ["curator"])
        session.flush()
        receive_message(session, runtime, incoming(runtime, "2"), "vk")  # told in it...
        session.rollback()  # ...which never happened
    send(sessions, runtime, "3")
    assert _told(sessions, "ghost") == 0
    assert _told(sessions, "curator") == 2


def test_a_transaction_that_writes_a_user_after_its_lock_reads_the_roster_again(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    send(sessions, runtime, "1")  # keeps the example's (empty) roster
    revision = _revision(sessions)
    with sessions() as session:
        session.connection()  # the transaction begins, as with a lock statement
        note_revision(session, revision)  # as that lock would
        _add(session, "curator", ["curator"])
        session.flush()
        assert [user.login for user in staff_of(session, session.connection(), "example")] == [
            "curator"
        ]
        session.rollback()
