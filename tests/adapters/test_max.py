"""MAX webhook: the secret header, message_created of a dialog and a chat, dedupe by mid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from tests.adapters.conftest import messages, post_json, stored
from tests.web.conftest import on_both_databases

URL = "/channels/max/example"
SECRET = "max-webhook-secret"
HEADER = {"X-Max-Bot-Api-Secret": SECRET}


@pytest.fixture(autouse=True)
def _max(configure: Callable[..., None]) -> None:
    configure("max", secret=SECRET)


def created(
    clock: VirtualClock, mid: str = "mid.0001", chat_type: str = "dialog", **extra: Any
) -> dict[str, Any]:
    """A `message_created` update as MAX documents it (times in milliseconds)."""
    now = int(clock.now().timestamp() * 1000)
    return {
        "update_type": "message_created",
        "timestamp": now,
        "message": {
            "sender": {
                "user_id": 5001,
                "first_name": "Пётр",
                "last_name": "",
                "is_bot": False,
                "name": "Пётр",
            },
            "recipient": {"chat_id": 70001, "chat_type": chat_type, "user_id": 9000},
            "timestamp": now,
            "body": {"mid": mid, "seq": 1, "text": "Не работает фонарь у школы", "attachments": []},
            **extra,
        },
        "user_locale": "ru",
    }


def test_a_dialog_message_is_private(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    answer = post_json(client, URL, created(clock), **HEADER)
    assert answer.status_code == 200 and answer.json == {"success": True}
    (message,) = messages(sessions)
    assert message.source == "max" and message.channel == "private"
    assert message.external_id == "mid.0001" and message.author == "Пётр"
    assert message.payload["reply_to"]["chat_id"] == 70001
    assert message.instance_id is not None


def test_a_chat_reply_is_a_comment_threaded_on_the_post(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    link = {"type": "reply", "message": {"mid": "mid.post", "text": "Пост"}}
    for mid in ("mid.1", "mid.2"):
        body = created(clock, mid, chat_type="chat", link=link, url="https://max.ru/c/1/x")
        assert post_json(client, URL, body, **HEADER).status_code == 200
    first, second = messages(sessions)
    assert first.channel == "comment" and first.url == "https://max.ru/c/1/x"
    assert first.payload["reply_to"]["replied_mid"] == "mid.post"
    assert first.instance_id == second.instance_id  # the second is a repeat in the same case


@on_both_databases
def test_redelivery_bots_and_other_updates(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    assert post_json(client, URL, created(clock), **HEADER).status_code == 200
    assert post_json(client, URL, created(clock), **HEADER).status_code == 200
    bot = created(clock, "mid.bot")
    bot["message"]["sender"]["is_bot"] = True
    assert post_json(client, URL, bot, **HEADER).status_code == 200
    started = {"update_type": "bot_started", "timestamp": 1, "chat_id": 1, "user": {}}
    assert post_json(client, URL, started, **HEADER).status_code == 200
    assert stored(sessions) == (1, 2)


@pytest.mark.parametrize("headers", [{}, {"X-Max-Bot-Api-Secret": "x"}])
def test_a_wrong_secret_is_refused(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock, headers: dict
) -> None:
    assert post_json(client, URL, created(clock), **headers).status_code == 403
    assert stored(sessions) == (0, 0)


def test_malformed_updates_are_400_and_store_nothing(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    good = created(clock)
    message = good["message"]
    bodies = [
        b"",
        {**good, "update_type": None},
        {**good, "message": None},
        {**good, "message": {**message, "body": {"text": "no mid"}}},
        {**good, "message": {**message, "recipient": {"chat_id": 1}}},
        {**good, "message": {**message, "timestamp": "now"}},
        {**good, "message": {**message, "sender": {"name": "no id"}}},
        {**good, "message": {**message, "body": {**message["body"], "text": {"a": 1}}}},
        {**good, "message": {**message, "link": {"type": "reply"}}},
    ]
    for body in bodies:
        answer = post_json(client, URL, body, **HEADER)
        assert answer.status_code == 400, (body, answer.text)
    assert stored(sessions) == (0, 0)
