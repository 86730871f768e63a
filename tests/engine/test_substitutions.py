"""Substitutes: task access of the absent colleague, never administration; ended early; dated."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.access import can_complete, can_see, viewer_for
from engine.accounts import AccountError, create_user
from engine.clock import VirtualClock
from engine.models import AuditEvent, OpenUserTask, Substitution, User
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.substitutions import (
    SubstitutionNotFound,
    SubstitutionState,
    end_substitution,
    name_substitute,
    state_of,
    substituted_users,
    user_and_absent,
)
from tests.engine.helpers import deploy_example, only_task, send


def _user(session: Session, login: str, roles: list[str], **extra: str) -> User:
    extra.setdefault("municipality", "example")
    return create_user(
        session, login=login, password="long-password", full_name=login, roles=roles, **extra
    )


def _name(session: Session, absent: User, substitute: User, now: datetime) -> Substitution:
    return name_substitute(
        session, absent, substitute, now, now + timedelta(days=3), now=now, actor="head"
    )


def test_a_head_standing_in_for_the_administrator_gains_no_administrator_rights(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    now = clock.now()
    with sessions.begin() as session:
        admin = _user(session, "admin", ["administrator"])
        head = _user(session, "head", ["head"])
        _name(session, admin, head, now)  # the head names himself
    with sessions() as session:
        screen = only_task(sessions, case)
        viewer = viewer_for(session, session.get_one(User, head.id), now)
        assert viewer.roles == {"head"} and viewer.own_roles == {"head"}
        assert "admin" in viewer.acts_for  # tasks the administrator claimed are his to finish
        assert can_see(viewer, screen) and not can_complete(viewer, screen)  # a curator's task
        admin_view = viewer_for(session, session.get_one(User, admin.id), now)
        assert can_complete(admin_view, screen)


def test_a_substitute_gets_task_roles_and_department_but_not_the_administration(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        head = _user(session, "head", ["head"])
        boss = _user(session, "boss", ["head", "administrator"])
        housing = _user(session, "housing", ["executor"], department="housing")
        curator = _user(session, "curator", ["curator"])
        _name(session, head, curator, now)
        _name(session, boss, curator, now)
        _name(session, housing, curator, now)
    with sessions() as session:
        viewer = viewer_for(session, session.get_one(User, curator.id), now)
    assert viewer.roles == {"curator", "head", "executor"}
    assert viewer.own_roles == {"curator"} and viewer.departments == {"housing"}


def test_the_user_and_whom_they_stand_in_for_come_in_one_query(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        head = _user(session, "head", ["head"])
        housing = _user(session, "housing", ["executor"], department="housing")
        curator = _user(session, "curator", ["curator"])
        _name(session, housing, curator, now)
        _name(session, head, curator, now + timedelta(days=1))  # not yet
    with sessions() as session:
        user, absent = user_and_absent(session, curator.id, now)
        assert user is not None and user.login == "curator"
        assert [person.login for person in absent] == ["housing"]
        assert absent == substituted_users(session, user, now)
        later = now + timedelta(days=2)
        assert user_and_absent(session, curator.id, later)[1] == substituted_users(
            session, user, later
        )
        assert user_and_absent(session, 10_000, now) == (None, [])


def test_a_substitution_ends_early_with_an_audit_row(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        absent = _user(session, "housing", ["executor"], department="housing")
        substitute = _user(session, "roads", ["executor"], department="roads")
        current = _name(session, absent, substitute, now)
        later = name_substitute(
            session,
            absent,
            substitute,
            now + timedelta(days=10),
            now + timedelta(days=12),
            now=now,
            actor="head",
        )
    clock.advance(timedelta(hours=5))
    with sessions.begin() as session:
        end_substitution(session, current.id, "example", clock.now(), "head")
        end_substitution(session, later.id, "example", clock.now(), "head")
    with sessions() as session:
        ended = session.get_one(Substitution, current.id)
        assert (
            ended.ends_at == clock.now() and state_of(ended, clock.now()) is SubstitutionState.OVER
        )
        never = session.get_one(Substitution, later.id)
        assert never.ends_at == never.starts_at  # an upcoming one never starts
        assert substituted_users(session, session.get_one(User, substitute.id), clock.now()) == []
        assert not substituted_users(
            session, session.get_one(User, substitute.id), now + timedelta(days=11)
        )
        kinds = list(session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))
        assert kinds == [AuditKind.SUBSTITUTION_NAMED] * 2 + [AuditKind.SUBSTITUTION_ENDED] * 2
        with pytest.raises(AccountError) as over:
            end_substitution(session, current.id, "example", clock.now(), "head")
        assert set(over.value.errors) == {"substitution"}
        with pytest.raises(SubstitutionNotFound):
            end_substitution(session, current.id, "perm", clock.now(), "head")
        with pytest.raises(SubstitutionNotFound):
            end_substitution(session, 10_000, "example", clock.now(), "head")


@pytest.mark.parametrize(
    ("starts_in", "lasts", "field"),
    [
        (timedelta(days=-10), timedelta(days=5), "ends_at"),  # already over
        (timedelta(0), timedelta(days=400), "ends_at"),  # longer than a year
        (timedelta(days=400), timedelta(days=2), "starts_at"),  # too far ahead
        (timedelta(0), timedelta(0), "ends_at"),  # empty
    ],
)
def test_the_period_must_be_sane(
    sessions: sessionmaker[Session],
    clock: VirtualClock,
    starts_in: timedelta,
    lasts: timedelta,
    field: str,
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        anna = _user(session, "anna", ["executor"], department="housing")
        boris = _user(session, "boris", ["executor"], department="roads")
    with sessions() as session, pytest.raises(AccountError) as refused:
        name_substitute(
            session, anna, boris, now + starts_in, now + starts_in + lasts, now=now, actor="head"
        )
    assert set(refused.value.errors) == {field}


def test_a_long_reason_and_a_closed_substitute_are_refused(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        anna = _user(session, "anna", ["executor"], department="housing")
        boris = _user(session, "boris", ["executor"], department="roads")
        boris.is_active = False
    with sessions() as session, pytest.raises(AccountError) as refused:
        name_substitute(
            session, anna, boris, now, now + timedelta(days=1), "x" * 300, now=now, actor="head"
        )
    assert set(refused.value.errors) == {"reason", "substitute"}
    with sessions() as session:
        assert session.scalars(select(OpenUserTask)).all() == []
