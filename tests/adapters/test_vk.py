"""VK Callback API: confirmation, the secret, the four events, retries, malformed payloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from adapters.reply import reply_target
from engine.clock import VirtualClock
from engine.publishing.address import ReplyAddress, reply_address
from tests.adapters.conftest import messages, post_json, stored
from tests.web.conftest import on_both_databases

URL = "/channels/vk/example"
GROUP = 218000111
SECRET = "vk-callback-secret-1"


@pytest.fixture(autouse=True)
def _vk(configure: Callable[..., None]) -> None:
    configure("vk", confirmation="a1b2c3d4", secret=SECRET, group_id=str(GROUP))


def event(kind: str, obj: dict[str, Any], event_id: str = "e1", **extra: Any) -> dict[str, Any]:
    """An event as VK's documentation shows it (API 5.199)."""
    return {
        "group_id": GROUP,
        "type": kind,
        "event_id": event_id,
        "v": "5.199",
        "object": obj,
        "secret": SECRET,
        **extra,
    }


def comment(clock: VirtualClock, comment_id: int = 55, post_id: int = 10, **extra: Any) -> dict:
    return {
        "id": comment_id,
        "from_id": 777,
        "date": int(clock.now().timestamp()),
        "text": "Когда починят дорогу на Ленина?",
        "post_id": post_id,
        "owner_id": -GROUP,
        "parents_stack": [],
        "thread": {"count": 0},
        **extra,
    }


def test_confirmation_returns_the_configured_string(client: FlaskClient) -> None:
    answer = post_json(client, URL, {"type": "confirmation", "group_id": GROUP})
    assert answer.status_code == 200 and answer.text == "a1b2c3d4"
    other = post_json(client, URL, {"type": "confirmation", "group_id": 1})
    assert other.status_code == 403


def test_a_comment_starts_a_case_with_where_to_answer(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    reply = comment(clock, reply_to_comment=54, parents_stack=[50, 54])
    answer = post_json(client, URL, event("wall_reply_new", reply))
    assert answer.status_code == 200 and answer.text == "ok"
    (message,) = messages(sessions)
    assert message.source == "vk" and message.channel == "comment"
    assert message.external_id == f"wall_reply:-{GROUP}_10_55"
    assert message.author_id == "777" and message.author == "id777"
    assert message.url == f"https://vk.com/wall-{GROUP}_10?reply=55&thread=50"
    assert message.instance_id is not None and message.official_page
    assert message.payload["reply_to"] == {
        "network": "vk",
        "kind": "wall_comment",
        "owner_id": -GROUP,
        "post_id": 10,
        "comment_id": 55,
        "reply_to_comment": 54,
        "thread_comment_id": 50,
    }
    assert message.payload["event_id"] == "e1"


def test_a_second_comment_of_the_author_under_the_post_is_a_repeat(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    post_json(client, URL, event("wall_reply_new", comment(clock)))
    post_json(client, URL, event("wall_reply_new", comment(clock, comment_id=56), event_id="e2"))
    first, second = messages(sessions)
    assert (
        first.instance_id == second.instance_id and first.correlation_key == second.correlation_key
    )


@on_both_databases
def test_retries_are_no_ops_answered_ok(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    body = event("wall_reply_new", comment(clock))
    assert post_json(client, URL, body).text == "ok"
    retried = post_json(client, URL, body, **{"X-Retry-Counter": "1"})
    assert retried.status_code == 200 and retried.text == "ok"
    # The same comment under a new event id (a second callback server) is still one message.
    again = post_json(client, URL, {**body, "event_id": "e9"})
    assert again.status_code == 200 and again.text == "ok"
    assert stored(sessions) == (1, 1)


def test_private_message_post_and_discussion(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    now = int(clock.now().timestamp())
    private = {
        "message": {
            "date": now,
            "from_id": 888,
            "id": 1201,
            "out": 0,
            "peer_id": 888,
            "text": "Добрый день, у нас не убирают снег",
            "conversation_message_id": 17,
            "attachments": [],
        },
        "client_info": {"button_actions": ["text"], "keyboard": True, "lang_id": 0},
    }
    post = {
        "id": 301,
        "from_id": 999,
        "owner_id": -GROUP,
        "date": now,
        "post_type": "suggest",
        "text": "",
        "attachments": [{"type": "photo", "photo": {"id": 1}}],
    }
    board = {
        "id": 12,
        "from_id": 555,
        "date": now,
        "text": "Вопрос по остановке",
        "topic_id": 40,
        "topic_owner_id": -GROUP,
    }
    for number, (kind, obj) in enumerate(
        (("message_new", private), ("wall_post_new", post), ("board_post_new", board))
    ):
        assert post_json(client, URL, event(kind, obj, event_id=f"k{number}")).text == "ok"
    dialog, suggested, topic = messages(sessions)
    assert dialog.channel == "private" and dialog.external_id == "message:888_17"
    assert dialog.payload["reply_to"]["peer_id"] == 888
    assert dialog.url == f"https://vk.com/gim{GROUP}?sel=888"
    assert suggested.channel == "feed" and suggested.text.startswith("[сообщение без текста")
    assert "photo" in suggested.text and suggested.payload["reply_to"]["type"] == "suggest"
    assert topic.channel == "comment" and topic.external_id == f"board:-{GROUP}_40_12"
    assert topic.url == f"https://vk.com/topic-{GROUP}_40?post=12"
    assert topic.payload["reply_to"]["topic_id"] == 40


def test_the_communitys_own_comment_and_other_events_are_skipped(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    own = event("wall_reply_new", comment(clock, from_id=-GROUP))
    assert post_json(client, URL, own).text == "ok"
    join = event("group_join", {"user_id": 1, "join_type": "join"}, event_id="e2")
    assert post_json(client, URL, join).text == "ok"
    assert stored(sessions) == (0, 2)


@pytest.mark.parametrize("secret", ["wrong", None])
def test_a_wrong_or_missing_secret_is_refused(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock, secret: str | None
) -> None:
    body = event("wall_reply_new", comment(clock), secret=secret)
    if secret is None:
        del body["secret"]
    answer = post_json(client, URL, body)
    assert answer.status_code == 403 and "secret" in answer.text
    assert stored(sessions) == (0, 0)


def test_another_communitys_event_is_refused(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    answer = post_json(client, URL, event("wall_reply_new", comment(clock), group_id=5))
    assert answer.status_code == 403 and stored(sessions) == (0, 0)


def malformed_bodies(clock: VirtualClock) -> list[Any]:
    good = event("wall_reply_new", comment(clock))
    return [
        b"not json",
        b"[1, 2]",
        "\u00ff".encode("latin-1"),
        {k: v for k, v in good.items() if k != "type"},
        {**good, "group_id": "218000111"},
        {**good, "object": []},
        {**good, "event_id": None},
        {**good, "object": {**good["object"], "post_id": "10"}},
        {**good, "object": {**good["object"], "id": True}},
        {**good, "object": {**good["object"], "text": 5}},
        {**good, "object": {**good["object"], "date": 10**20}},
        {**good, "object": {**good["object"], "date": 0}},  # 1970: older than the intake allows
        {**good, "object": {**good["object"], "text": "a\x00b"}},
        {**good, "v": "5.80"},
        event("message_new", {"message": {"peer_id": 1}}),
    ]


def test_malformed_payloads_are_400_and_store_nothing(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    for body in malformed_bodies(clock):
        answer = post_json(client, URL, body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.text
    assert stored(sessions) == (0, 0)


def test_unconnected_municipality_and_unknown_channel_are_404(
    client: FlaskClient, clock: VirtualClock
) -> None:
    body = event("wall_reply_new", comment(clock))
    assert post_json(client, "/channels/vk/perm", body).status_code == 404  # no secret set
    assert post_json(client, "/channels/vk/nowhere", body).status_code == 404
    assert post_json(client, "/channels/fax/example", body).status_code == 404
    assert client.get(URL).status_code == 405


def test_two_communities_on_one_url_have_their_own_confirmation_and_page(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock, configure: Any
) -> None:
    head, administration = GROUP, 218000222
    configure(
        "vk",
        group_id=f"{head}, {administration}",
        confirmation_218000222="ffff0000",
        pages=f"{head}=head,{administration}=administration",
    )
    confirm = post_json(client, URL, {"type": "confirmation", "group_id": administration})
    assert confirm.text == "ffff0000"
    assert post_json(client, URL, {"type": "confirmation", "group_id": head}).text == "a1b2c3d4"
    theirs = comment(clock, owner_id=-administration)
    post_json(client, URL, event("wall_reply_new", theirs, group_id=administration))
    post_json(client, URL, event("wall_reply_new", comment(clock, comment_id=99), event_id="e2"))
    administration_message, head_message = messages(sessions)
    assert administration_message.payload["page"] == "administration"
    assert head_message.payload["page"] == "head"


def test_publishing_reads_where_to_answer(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    post_json(client, URL, event("wall_reply_new", comment(clock)))
    (message,) = messages(sessions)
    target = reply_target(message)
    assert target is not None and (target["network"], target["kind"]) == ("vk", "wall_comment")
    assert (target["owner_id"], target["post_id"], target["comment_id"]) == (-GROUP, 10, 55)
    message.payload = {"found_by": "manual_monitoring"}
    assert reply_target(message) is None


def test_a_comment_keeps_the_address_the_publishing_worker_answers_at(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    answer = post_json(client, URL, event("wall_reply_new", comment(clock)))
    assert answer.status_code == 200
    (message,) = messages(sessions)
    address = reply_address(message.payload)  # what engine/publishing reads
    assert address == ReplyAddress("vk", {"owner_id": -GROUP, "post_id": 10, "comment_id": 55})


def test_a_private_message_is_answered_in_its_dialog(
    client: FlaskClient, sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    private = {
        "message": {
            "id": 0,
            "date": int(clock.now().timestamp()),
            "peer_id": 777,
            "from_id": 777,
            "text": "Здравствуйте, когда уберут снег?",
            "conversation_message_id": 3,
        }
    }
    assert post_json(client, URL, event("message_new", private)).status_code == 200
    (message,) = messages(sessions)
    assert reply_address(message.payload) == ReplyAddress("vk", {"peer_id": 777})
