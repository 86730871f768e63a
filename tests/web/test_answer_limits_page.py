"""The task page refuses a promised date after the extended term as a Russian field error."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.models import ProcessInstance
from engine.runtime import Runtime
from tests.web.conftest import login, send_message
from tests.web.helpers import routed_case, tasks_of


def _revision(sessions: sessionmaker[Session], case: int) -> int:
    with sessions() as session:
        return session.scalars(
            select(ProcessInstance.revision).where(ProcessInstance.id == case)
        ).one()


def test_a_promised_date_after_the_extended_term_is_refused_and_kept(
    app: Flask, sessions: sessionmaker[Session], web_runtime: Runtime
) -> None:
    case = routed_case(sessions, web_runtime, send_message(sessions, web_runtime))
    housing_task, _ = tasks_of(sessions, case, "draft_answer")
    before = _revision(sessions, case)
    client = login(app.test_client(), "housing")
    answer = {"answer_kind": "intermediate", "answer_text": "Здравствуйте! Уточняем сроки."}
    response = client.post(
        f"/tasks/{housing_task.task_id}", data={**answer, "final_answer_promised_at": "2026-12-31"}
    )
    assert response.status_code == 422
    assert 'id="final_answer_promised_at-errors"' in response.text
    assert "Обещанная дата позже продлённого срока окончательного ответа" in response.text
    assert 'value="2026-12-31"' in response.text  # what was typed stays
    assert _revision(sessions, case) == before  # the case did not move
    missing = client.post(f"/tasks/{housing_task.task_id}", data=answer)
    assert missing.status_code == 422
    assert "Укажите, когда будет дан окончательный ответ." in missing.text
