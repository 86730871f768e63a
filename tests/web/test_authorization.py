"""Nobody opens or completes what is not theirs: by direct URL and by form post."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from engine.runtime import Runtime
from tests.web.conftest import login, send_message
from tests.web.helpers import routed_case, tasks_of

DRAFT = {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен сегодня."}


def test_an_executor_cannot_open_or_complete_another_departments_task(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    housing_task, roads_task = tasks_of(sessions, case, "draft_answer")
    client = login(app.test_client(), "housing")
    assert client.get(f"/tasks/{housing_task.task_id}").status_code == 200
    assert client.get(f"/tasks/{roads_task.task_id}").status_code == 403
    refused = client.post(f"/tasks/{roads_task.task_id}", data=DRAFT)
    assert refused.status_code == 403 and "другому подразделению" in refused.text
    assert client.post(f"/tasks/{roads_task.task_id}/claim").status_code == 403
    assert [t.task_id for t in tasks_of(sessions, case, "draft_answer")] == [
        housing_task.task_id,
        roads_task.task_id,
    ]  # still open, nothing changed


def test_the_task_list_shows_an_executor_only_their_department(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    housing_task, roads_task = tasks_of(sessions, case, "draft_answer")
    client = login(app.test_client(), "housing")
    for scope in ("mine", "department", "all"):
        page = client.get(f"/?scope={scope}").text
        assert housing_task.task_id in page and roads_task.task_id not in page


def test_a_user_cannot_see_another_municipalitys_message(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = send_message(sessions, web_runtime)
    (screen,) = tasks_of(sessions, case, "screen")
    client = login(app.test_client(), "perm")
    assert client.get(f"/cases/{case}").status_code == 404
    assert client.get(f"/cases/{case}/diagram.bpmn").status_code == 404
    assert client.get(f"/tasks/{screen.task_id}").status_code == 404
    posted = client.post(f"/tasks/{screen.task_id}", data={"screen_decision": "process"})
    assert posted.status_code == 404
    assert client.post(f"/tasks/{screen.task_id}/claim").status_code == 404
    assert "Не вывозят мусор" not in client.get("/messages/").text
    assert "Не вывозят мусор" not in client.get("/?scope=all").text
    assert tasks_of(sessions, case, "screen")  # untouched


def test_only_curators_register_messages_and_only_heads_name_substitutes(app: Flask) -> None:
    executor = login(app.test_client(), "housing")
    assert executor.get("/messages/new").status_code == 403
    assert executor.post("/messages/new", data={"text": "x"}).status_code == 403
    assert executor.get("/team/").status_code == 403
    assert executor.post("/team/substitutions", data={}).status_code == 403
    assert login(app.test_client(), "head").get("/team/").status_code == 200
