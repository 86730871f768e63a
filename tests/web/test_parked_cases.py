"""A case parked by an error of its regulation: its card says why, administrators resume it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.clock import VirtualClock
from engine.models import AuditEvent, OpenUserTask, ProcessInstance
from engine.recovery import mark_failed
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind, InstanceStatus
from tests.engine.regulations import after_deadline, deploy_regulation
from tests.web.conftest import PASSWORD, login, send_message
from tests.web.helpers import tasks_of

STOPPED = "Дело остановлено из-за ошибки регламента"
RESUME = "Возобновить"


@pytest.fixture
def admins(sessions: sessionmaker[Session]) -> None:
    """An administrator of the example town and one of Perm."""
    with sessions.begin() as session:
        for login_name, municipality in (("admin", "example"), ("permadmin", "perm")):
            create_user(
                session,
                login=login_name,
                password=PASSWORD,
                full_name=f"Администратор {municipality}",
                roles=["administrator"],
                municipality=municipality,
            )


@pytest.fixture
def parked(
    sessions: sessionmaker[Session], web_runtime: Runtime, clock: VirtualClock, admins: None
) -> tuple[int, str]:
    """A case the worker parked because its state could not be read, and its good state."""
    case = send_message(sessions, web_runtime)
    with sessions.begin() as session:
        instance = session.get_one(ProcessInstance, case)
        good_state, instance.state = instance.state, "{not json"
    clock.advance(timedelta(hours=2))
    assert list(tick(sessions, web_runtime).failed) == [case]
    return case, good_state


def _status(sessions: sessionmaker[Session], case: int) -> InstanceStatus:
    with sessions() as session:
        return session.get_one(ProcessInstance, case).status


def test_the_card_shows_the_reason_and_only_an_administrator_may_resume(
    app: Flask, sessions: sessionmaker[Session], parked: tuple[int, str]
) -> None:
    case, good_state = parked
    curator = login(app.test_client(), "curator")
    page = curator.get(f"/cases/{case}").text
    assert STOPPED in page and "JSONDecodeError" in page and RESUME not in page
    assert "Попросите администратора возобновить дело." in page
    assert curator.post(f"/cases/{case}/retry").status_code == 403
    assert login(app.test_client(), "permadmin").post(f"/cases/{case}/retry").status_code == 404
    admin = login(app.test_client(), "admin")
    assert RESUME in admin.get(f"/cases/{case}").text
    with sessions.begin() as session:  # the cause is repaired
        session.get_one(ProcessInstance, case).state = good_state
    resumed = admin.post(f"/cases/{case}/retry", follow_redirects=True)
    assert resumed.status_code == 200 and "Дело возобновлено." in resumed.text
    assert STOPPED not in resumed.text and "Дело возобновлено после ошибки" in resumed.text
    assert _status(sessions, case) is InstanceStatus.RUNNING
    with sessions() as session:
        retried = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.INSTANCE_RETRIED)
        ).one()
    assert (retried.actor, retried.instance_id) == ("admin", case)
    again = admin.post(f"/cases/{case}/retry")
    assert again.status_code == 409 and "Дело не остановлено: возобновлять нечего." in again.text


def test_a_resume_that_fails_again_keeps_the_case_stopped_with_the_new_reason(
    app: Flask, sessions: sessionmaker[Session], parked: tuple[int, str]
) -> None:
    case, _ = parked
    with sessions.begin() as session:
        session.get_one(ProcessInstance, case).state = "[]"
    admin = login(app.test_client(), "admin")
    page = admin.post(f"/cases/{case}/retry", follow_redirects=True).text
    assert "Регламент снова завершился ошибкой; дело остаётся остановленным." in page
    with sessions() as session:
        instance = session.get_one(ProcessInstance, case)
        failures = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.kind == AuditKind.INSTANCE_FAILED)
        ).all()
    assert instance.status is InstanceStatus.ERROR
    assert instance.error and "JSONDecodeError" not in instance.error
    assert failures == ["timer", "admin"]


def test_a_task_of_a_parked_case_says_so_and_its_submit_is_refused(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    with sessions.begin() as session:  # e.g. a script of the regulation raised
        mark_failed(session, web_runtime, case, ZeroDivisionError("division by zero"))
    (screen,) = tasks_of(sessions, case, "screen")
    curator = login(app.test_client(), "curator")
    page = curator.get(f"/tasks/{screen.task_id}").text
    assert f"{STOPPED}: этот шаг нельзя выполнить" in page and "Завершить шаг" not in page
    refused = curator.post(f"/tasks/{screen.task_id}", data={"screen_decision": "process"})
    assert refused.status_code == 409 and f"{STOPPED}: этот шаг нельзя выполнить" in refused.text
    with sessions() as session:
        assert session.get(OpenUserTask, screen.task_id) is not None
        completed = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.TASK_COMPLETED)
        ).all()
    assert completed == [] and _status(sessions, case) is InstanceStatus.ERROR


def test_a_step_the_regulation_cannot_run_parks_the_case_and_answers_409(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime, admins: None
) -> None:
    """A runaway script after the step: no 500, nothing of the step kept, the case parked."""
    runaway = after_deadline("x = 'x' * 10**10", on_complete="after")
    deploy_regulation(sessions, web_runtime, runaway)
    case = send_message(sessions, web_runtime)
    [task] = tasks_of(sessions, case, "forward")
    curator = login(app.test_client(), "admin")  # the test regulation's steps have no lane
    response = curator.post(f"/tasks/{task.task_id}", data={"comment": "Передано"})
    assert response.status_code == 409 and STOPPED in response.text
    assert _status(sessions, case) is InstanceStatus.ERROR
    with sessions() as session:
        instance = session.get_one(ProcessInstance, case)
        assert "after" in (instance.error or "") and session.get(OpenUserTask, task.task_id)
    again = curator.post(f"/tasks/{task.task_id}", data={"comment": "Передано"})
    assert again.status_code == 409 and STOPPED in again.text
