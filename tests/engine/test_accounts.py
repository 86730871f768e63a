"""Accounts: hashed passwords, refused bad input, substitutes, and who may do which task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.access import (
    AccessDenied,
    NotFound,
    can_complete,
    can_see,
    may_work_on,
    require_task,
    scope_filter,
    viewer_for,
)
from engine.accounts import (
    AccountError,
    authenticate,
    check_password,
    create_user,
    hash_password,
)
from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.models import OpenUserTask, User
from engine.runtime import Runtime
from engine.substitutions import name_substitute, substitutions_of
from tests.engine.helpers import deploy_example, only_task, send


def _user(session: Session, login: str, roles: list[str], **extra: str) -> User:
    extra.setdefault("municipality", "example")
    return create_user(
        session, login=login, password="long-password", full_name=login, roles=roles, **extra
    )


def test_password_is_hashed_with_a_salt_and_checked() -> None:
    first, second = hash_password("long-password"), hash_password("long-password")
    assert first != second and "long-password" not in first
    assert check_password(first, "long-password")
    assert not check_password(first, "wrong-password")
    assert not check_password("not-a-hash", "long-password")


def test_authenticate(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _user(session, "anna", ["curator"])
    with sessions() as session:
        assert authenticate(session, "anna", "long-password") is not None
        assert authenticate(session, "anna", "other-password") is None
        assert authenticate(session, "nobody", "long-password") is None


def test_bad_accounts_are_refused_with_messages_per_field(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _user(session, "anna", ["curator"])
    with sessions() as session, pytest.raises(AccountError) as refused:
        create_user(
            session,
            login="anna",
            password="short",
            full_name="x",
            roles=["executor", "wizard"],
            municipality="example",
        )
    assert set(refused.value.errors) == {"login", "password", "roles", "department"}
    with sessions() as session:
        assert session.scalars(select(User)).all()[0].login == "anna"  # nothing else stored


@pytest.mark.parametrize("email", ["anna", "anna@", "@admin.ru", "anna@admin", "an na@admin.ru"])
def test_a_malformed_mail_address_is_refused(sessions: sessionmaker[Session], email: str) -> None:
    with sessions() as session, pytest.raises(AccountError) as refused:
        _user(session, "anna", ["curator"], email=email)
    assert set(refused.value.errors) == {"email"}


def test_a_mail_address_is_kept_trimmed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        _user(session, "anna", ["curator"], email=" anna@admin.ru ")
    with sessions() as session:
        user = session.scalars(select(User)).one()
        assert (user.email, user.must_change_password) == ("anna@admin.ru", False)


def _case_with_draft_tasks(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    with sessions.begin() as session:
        complete_task(
            session,
            runtime,
            only_task(sessions, case).task_id,
            {"screen_decision": "process"},
            "curator",
        )
    with sessions.begin() as session:
        complete_task(
            session,
            runtime,
            only_task(sessions, case).task_id,
            {"departments": ["housing", "roads"]},
            "curator",
        )
    return case


def test_executors_work_on_their_department_and_curators_see_all(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case_with_draft_tasks(sessions, runtime)
    now = runtime.clock.now()
    with sessions.begin() as session:
        housing = _user(session, "housing", ["executor"], department="housing")
        curator = _user(session, "curator", ["curator"])
        stranger = _user(session, "perm", ["curator"], municipality="perm")
    with sessions() as session:
        tasks = {t.department: t for t in session.scalars(select(OpenUserTask))}
        housing_view = viewer_for(session, housing, now)
        curator_view = viewer_for(session, curator, now)
        stranger_view = viewer_for(session, stranger, now)
        assert can_complete(housing_view, tasks["housing"])
        assert not can_see(housing_view, tasks["roads"])
        assert can_see(curator_view, tasks["roads"]) and not can_complete(
            curator_view, tasks["roads"]
        )
        assert not can_see(stranger_view, tasks["housing"])
        with pytest.raises(AccessDenied):
            require_task(session, housing_view, tasks["roads"].task_id)
        with pytest.raises(NotFound):
            require_task(session, stranger_view, tasks["housing"].task_id)
        assert case


def test_sql_scopes_agree_with_the_rules(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    _case_with_draft_tasks(sessions, runtime)
    now = runtime.clock.now()
    with sessions.begin() as session:
        people = [
            _user(session, "housing", ["executor"], department="housing"),
            _user(session, "curator", ["curator"]),
            _user(session, "head", ["head"]),
            _user(session, "admin", ["administrator"]),
            _user(session, "perm", ["curator"], municipality="perm"),
        ]
    with sessions() as session:
        everything = list(session.scalars(select(OpenUserTask)))
        for person in people:
            viewer = viewer_for(session, person, now)
            listed = set(
                session.scalars(
                    select(OpenUserTask.task_id).where(scope_filter(viewer, "department"))
                )
            )
            expected = {task.task_id for task in everything if may_work_on(viewer, task)}
            assert listed == expected, person.login


def test_a_substitute_works_on_the_absent_colleagues_tasks_for_the_period(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _case_with_draft_tasks(sessions, runtime)
    now = clock.now()
    with sessions.begin() as session:
        absent = _user(session, "housing", ["executor"], department="housing")
        substitute = _user(session, "roads", ["executor"], department="roads")
        name_substitute(
            session,
            absent,
            substitute,
            now,
            now + timedelta(days=3),
            "отпуск",
            now=now,
            actor="head",
        )
    with sessions() as session:
        housing_task = session.scalars(
            select(OpenUserTask).where(OpenUserTask.department == "housing")
        ).one()
        during = viewer_for(session, session.get_one(User, substitute.id), now)
        after = viewer_for(session, session.get_one(User, substitute.id), now + timedelta(days=4))
        assert can_complete(during, housing_task)
        assert not can_complete(after, housing_task)
        assert [
            absent_user.login for _, absent_user, _ in substitutions_of(session, "example")
        ] == ["housing"]


def test_a_substitution_must_make_sense(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    now = clock.now()
    with sessions.begin() as session:
        anna = _user(session, "anna", ["executor"], department="housing")
        boris = _user(session, "boris", ["executor"], department="roads", municipality="perm")
    with sessions() as session, pytest.raises(AccountError) as refused:
        name_substitute(session, anna, boris, now, now - timedelta(days=1), now=now, actor="head")
    assert set(refused.value.errors) == {"substitute", "ends_at"}
