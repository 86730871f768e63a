"""Telegram webhook: the secret header, comments in the discussion group, direct messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from tests.adapters.conftest import messages, post_json, stored
from tests.web.conftest import on_both_databases

URL = "/channels/telegram/example"
SECRET = "tg-webhook-secret_1"
HEADER = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
GROUP = -1001234567890
CHANNEL = -1009876543210


@pytest.fixture(autouse=True)
def _telegram(configure: Callable[..., None]) -> None:
    configure("telegram", secret=SECRET, discussion_chat_id=str(GROUP))


def user(user_id: int = 4242) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Ольга",
        "last_name": "Н.",
        "username": "olga",
    }


def group_message(clock: VirtualClock, message_id: int = 501, **extra: Any) -> dict[str, Any]:
    """A comment: a message of the discussion group replying to the post's automatic forward."""
    return {
        "message_id": message_id,
        "from": user(),
        "chat": {"id": GROUP, "title": "Обсуждение", "type": "supergroup"},
        "date": int(clock.now().timestamp()),
        "message_thread_id": 77,
        "reply_to_message": {
            "message_id": 77,
            "from": {"id": 777000, "is_bot": False, "first_name": "Telegram"},
            "sender_chat": {"id": CHANNEL, "title": "Администрация", "type": "channel"},
            "chat": {"id": GROUP, "title": "Обсуждение", "type": "supergroup"},
            "date": int(clock.now().timestamp()) - 60,
            "is_automatic_forward": True,
            "forward_origin": {
                "type": "channel",
                "chat": {"id": CHANNEL, "title": "Администрация", "type": "channel"},
                "message_id": 12,
                "date": int(clock.now().timestamp()) - 61,
            },
            "text": "Ремонт дорог в 2026 году",
        },
        "text": "А нашу улицу отремонтируют?",
        **extra,
    }


def update(update_id: int, message: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": update_id, "message": message}


def test_a_comment_in_the_discussion_group_starts_a_case(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    answer = post_json(client, URL, update(9001, group_message(clock)), **HEADER)
    assert answer.status_code == 200
    (message,) = messages(sessions)
    assert message.source == "telegram" and message.channel == "comment"
    assert message.external_id == f"{GROUP}:501" and message.author == "Ольга Н."
    assert message.url == "https://t.me/c/1234567890/501?thread=77"
    assert message.payload["reply_to"] == {
        "network": "telegram",
        "kind": "comment",
        "chat_id": GROUP,
        "message_id": 501,
        "thread_id": 77,
    }
    assert message.payload["update_id"] == 9001 and message.instance_id is not None


def test_a_direct_message_is_private(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    direct = {
        "message_id": 3,
        "from": user(),
        "chat": {"id": 4242, "first_name": "Ольга", "type": "private"},
        "date": int(clock.now().timestamp()),
        "photo": [{"file_id": "AgAD", "file_unique_id": "u", "width": 90, "height": 90}],
        "caption": "Вот фото ямы",
    }
    assert post_json(client, URL, update(9002, direct), **HEADER).status_code == 200
    (message,) = messages(sessions)
    assert message.channel == "private" and message.text == "Вот фото ямы"
    assert message.payload["reply_to"]["chat_id"] == 4242


def test_forwards_bots_other_groups_and_chatter_are_skipped(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    forward = group_message(clock, is_automatic_forward=True)
    bot = group_message(clock, **{"from": {"id": 1, "is_bot": True, "first_name": "Bot"}})
    other = group_message(clock, chat={"id": -100555, "type": "supergroup"})
    chatter = {
        k: v
        for k, v in group_message(clock).items()
        if k not in ("reply_to_message", "message_thread_id")
    }
    edited = {"update_id": 9105, "edited_message": group_message(clock)}
    for number, message in enumerate((forward, bot, other, chatter)):
        assert post_json(client, URL, update(9100 + number, message), **HEADER).status_code == 200
    assert post_json(client, URL, edited, **HEADER).status_code == 200
    assert stored(sessions) == (0, 5)


@on_both_databases
def test_a_repeated_update_is_a_no_op(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    body = update(9001, group_message(clock))
    assert post_json(client, URL, body, **HEADER).status_code == 200
    assert post_json(client, URL, body, **HEADER).status_code == 200
    assert stored(sessions) == (1, 1)


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "nope"}])
def test_a_wrong_secret_header_is_refused(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock, headers: dict
) -> None:
    answer = post_json(client, URL, update(9001, group_message(clock)), **headers)
    assert answer.status_code == 403 and stored(sessions) == (0, 0)


def test_malformed_updates_are_400_and_store_nothing(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    good = group_message(clock)
    bodies = [
        b"{",
        {"message": good},
        {"update_id": "1", "message": good},
        update(1, {**good, "chat": None}),
        update(2, {**good, "message_id": "x"}),
        update(3, {**good, "date": "yesterday"}),
        update(4, {**good, "text": ["a"]}),
        update(5, {**good, "text": "x" * 70000}),
        update(6, {**good, "message_thread_id": None, "reply_to_message": {"text": "no id"}}),
        {"update_id": 7, "message": "text"},
    ]
    for body in bodies:
        answer = post_json(client, URL, body, **HEADER)
        assert answer.status_code == 400, (body, answer.text)
    assert stored(sessions) == (0, 0)
