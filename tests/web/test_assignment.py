"""Curators, heads and administrators give a step to a named colleague, or back to the pool."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import AuditEvent
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.web.conftest import login, send_message
from tests.web.helpers import routed_case, tasks_of


def housing_task(sessions: sessionmaker[Session], runtime: Runtime) -> str:
    case = routed_case(sessions, runtime, send_message(sessions, runtime, text="Крыша"))
    task = next(t for t in tasks_of(sessions, case, "draft_answer") if t.department == "housing")
    return task.task_id


def test_the_head_assigns_a_step_to_a_colleague_who_may_do_it(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    task_id = housing_task(sessions, web_runtime)
    head = login(app.test_client(), "head")
    page = head.get(f"/tasks/{task_id}").text
    assert "Назначить шаг" in page and "Борис ЖКХ" in page
    assert "Вера Дороги" not in page.split("Назначить шаг")[1]  # another department's executor
    response = head.post(f"/tasks/{task_id}/assign", data={"assignee": "housing"})
    assert response.status_code == 302
    with sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.TASK_ASSIGNED)
        ).one()
        assert (event.actor, event.data["assignee"]) == ("head", "housing")
    assert "Шаг назначен сотруднику" in head.get(f"/tasks/{task_id}").text  # in the history


def test_a_step_cannot_go_to_someone_who_may_not_do_it(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    task_id = housing_task(sessions, web_runtime)
    head = login(app.test_client(), "head")
    response = head.post(f"/tasks/{task_id}/assign", data={"assignee": "roads"})
    assert response.status_code == 403
    assert "не может выполнять этот шаг" in response.text
    assert (
        next(t for t in tasks_of(sessions, 1, "draft_answer") if t.task_id == task_id).assignee
        is None
    )


def test_an_executor_may_not_assign_and_sees_no_form(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    task_id = housing_task(sessions, web_runtime)
    executor = login(app.test_client(), "housing")
    assert "Назначить шаг" not in executor.get(f"/tasks/{task_id}").text
    response = executor.post(f"/tasks/{task_id}/assign", data={"assignee": "housing"})
    assert response.status_code == 403


def test_the_head_releases_a_step_a_colleague_took_and_cannot_finish(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    task_id = housing_task(sessions, web_runtime)
    executor = login(app.test_client(), "housing")
    executor.post(f"/tasks/{task_id}/claim", data={"next": "/"})
    head = login(app.test_client(), "head")
    assert head.post(f"/tasks/{task_id}/assign", data={"assignee": ""}).status_code == 302
    task = next(t for t in tasks_of(sessions, 1, "draft_answer") if t.task_id == task_id)
    assert task.assignee is None
