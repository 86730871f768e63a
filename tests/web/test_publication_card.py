"""The card and the task list tell the curator where the answer's delivery stands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.api_tokens import create_token
from engine.models import OpenUserTask, Publication
from engine.publishing.status import PublicationStatus
from engine.runtime import Runtime
from tests.publishing.channel_server import ChannelServer
from tests.publishing.publishing_helpers import ANSWER, VK_COMMENT, job_for
from tests.web.conftest import login, send_message
from tests.web.helpers import complete

Sessions = sessionmaker[Session]


@pytest.fixture
def channel(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChannelServer]:
    monkeypatch.setenv("REGLAMENT_CHANNEL_EXAMPLE_VK_TOKEN", "vk-community-token")
    with ChannelServer() as server:
        yield server


def _at_publish(sessions: Sessions, runtime: Runtime) -> int:
    case = send_message(sessions, runtime, payload={"reply": VK_COMMENT})
    complete(sessions, runtime, case, "screen", screen_decision="process")
    complete(sessions, runtime, case, "route", departments=["housing"])
    complete(sessions, runtime, case, "draft_answer", answer_kind="final", answer_text=ANSWER)
    complete(sessions, runtime, case, "review", review_decision="approve")
    return case


def _publish_from_the_page(client: FlaskClient, sessions: Sessions, case: int) -> None:
    with sessions() as session:
        task = session.scalars(
            select(OpenUserTask.task_id).where(OpenUserTask.instance_id == case)
        ).one()
    response = client.post(f"/tasks/{task}", data={"publish_via": "channel"})
    assert response.status_code == 302, response.text


def test_the_card_shows_retry_time_failure_and_then_the_link(
    app: Flask, sessions: Sessions, web_runtime: Runtime, channel: ChannelServer
) -> None:
    case = _at_publish(sessions, web_runtime)
    client = login(app.test_client(), "curator")
    _publish_from_the_page(client, sessions, case)
    assert "Отправляется в канал" in client.get(f"/cases/{case}").text
    job = job_for(channel.url, backoff_base_seconds=600)
    channel.state.script("wall.createComment", (503, {}))
    job.deliver_one(sessions, web_runtime)
    assert "ошибка, повтор в 16.03.2026" in client.get(f"/cases/{case}").text
    with sessions.begin() as session:  # the retry falls due
        row = session.scalars(select(Publication)).one()
        row.next_attempt_at = web_runtime.clock.now()
    deleted = {"error_code": 15, "error_msg": "Access denied: post was deleted"}
    channel.state.script("wall.createComment", (200, {"error": deleted}))
    job.deliver_one(sessions, web_runtime)
    card = client.get(f"/cases/{case}").text
    assert "Не опубликовано" in card and "post was deleted" in card
    listing = client.get("/").text
    assert "Ответы, которые канал не опубликовал" in listing and f"/cases/{case}" in listing
    assert client.post(f"/cases/{case}/publication/retry").status_code == 302
    job.deliver_one(sessions, web_runtime)
    card = client.get(f"/cases/{case}").text
    assert "опубликовано:" in card and "https://vk.com/wall-123_7?reply=500&amp;thread=15" in card
    assert "Опубликованный ответ" in card  # the case's published answer is the channel's link
    assert "Ответы, которые канал не опубликовал" not in client.get("/").text
    with sessions.begin() as session:
        token = create_token(session, web_runtime, "CRM", "example", "admin").plain
    answer = (
        app.test_client()
        .get(f"/api/cases/{case}", headers={"Authorization": f"Bearer {token}"})
        .json["answer"]
    )
    assert answer["text"] == ANSWER
    assert answer["published_url"] == "https://vk.com/wall-123_7?reply=500&thread=15"
    assert answer["publication"]["status"] == "sent"
    assert answer["publication"]["external_id"] == "500"


def test_a_failed_publication_may_be_recorded_by_hand(
    app: Flask, sessions: Sessions, web_runtime: Runtime, channel: ChannelServer
) -> None:
    case = _at_publish(sessions, web_runtime)
    client = login(app.test_client(), "curator")
    _publish_from_the_page(client, sessions, case)
    revoked = {"error_code": 5, "error_msg": "User authorization failed"}
    channel.state.script("wall.createComment", (200, {"error": revoked}))
    job_for(channel.url).deliver_one(sessions, web_runtime)
    bad = client.post(f"/cases/{case}/publication/manual", data={"url": "javascript:1"})
    assert bad.status_code == 422
    link = "https://vk.com/wall-1_7?reply=901"
    assert client.post(f"/cases/{case}/publication/manual", data={"url": link}).status_code == 302
    with sessions() as session:
        row = session.scalars(select(Publication)).one()
        assert (row.status, row.url) == (PublicationStatus.MANUAL, link)
    executor = login(app.test_client(), "housing")
    assert executor.post(f"/cases/{case}/publication/retry").status_code == 403
