"""The outbox delivered through the channels' APIs, against a stand-in server on 127.0.0.1."""

from __future__ import annotations

import threading
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.publishing.channels import Outgoing
from adapters.publishing.job import INTERRUPTED
from adapters.publishing.settings import PublishSettings
from adapters.publishing.vk import VkPublisher
from engine.clock import VirtualClock
from engine.forms import FormError
from engine.instances import complete_task
from engine.models import AuditEvent, OpenUserTask, Publication
from engine.publishing.outbox import claim_next, failed_publications, latest_publication
from engine.publishing.status import PublicationStatus
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.engine.helpers import send
from tests.publishing.channel_server import ChannelServer
from tests.publishing.publishing_helpers import (
    ANSWER,
    VK_COMMENT,
    case_at_publish,
    complete,
    job_for,
    publication,
    publish_via_channel,
)

pytestmark = pytest.mark.usefixtures("tokens")
Sessions = sessionmaker[Session]


def test_the_step_writes_its_outbox_row_in_its_own_transaction(
    example: Sessions, runtime: Runtime
) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    with example() as session:
        task = session.scalars(select(OpenUserTask).where(OpenUserTask.instance_id == case)).one()
        complete_task(session, runtime, task.task_id, {"publish_via": "channel"}, "curator")
        assert session.scalar(select(Publication.text)) == ANSWER
        session.rollback()  # the step undone: no row is left behind either
    with example() as session:
        assert session.scalar(select(Publication)) is None
        assert session.scalar(select(OpenUserTask.form_key)) == "publish"
    pub_id = publish_via_channel(example, runtime, case)
    row = publication(example, pub_id)
    assert (row.status, row.channel, row.address) == (
        PublicationStatus.PENDING,
        "vk",
        {"owner_id": -123, "post_id": 7, "comment_id": 15},
    )


def test_the_text_the_curator_edited_is_the_one_sent(example: Sessions, runtime: Runtime) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    edited = "Здравствуйте! Исправленный куратором ответ."
    complete(example, runtime, case, "publish", publish_via="channel", published_text=edited)
    with example() as session:
        assert session.scalar(select(Publication.text)) == edited


def test_without_a_text_every_departments_draft_is_sent_not_the_last_one(
    example: Sessions, runtime: Runtime
) -> None:
    case = send(example, runtime, "2", payload={"reply": VK_COMMENT}).result.instance.id
    complete(example, runtime, case, "screen", screen_decision="process")
    complete(example, runtime, case, "route", departments=["housing", "roads"])
    texts = {"housing": "ЖКХ: мусор вывезен.", "roads": "Дороги: яма заделана."}
    for department, text in texts.items():
        with example.begin() as session:
            task = session.scalars(
                select(OpenUserTask).where(
                    OpenUserTask.instance_id == case, OpenUserTask.department == department
                )
            ).one()
            values = {"answer_kind": "final", "answer_text": text}
            complete_task(session, runtime, task.task_id, values, "executor")
    complete(example, runtime, case, "review", review_decision="approve")
    publish_via_channel(example, runtime, case)
    with example() as session:
        assert (
            session.scalar(select(Publication.text))
            == "ЖКХ: мусор вывезен.\n\nДороги: яма заделана."
        )


def test_a_message_without_a_reply_address_keeps_the_manual_path(
    example: Sessions, runtime: Runtime
) -> None:
    case = case_at_publish(example, runtime, None)
    with pytest.raises(FormError) as refused:
        complete(example, runtime, case, "publish", publish_via="channel")
    assert "опубликуйте вручную" in refused.value.errors["publish_via"][0]
    with pytest.raises(FormError) as no_link:  # the manual path still needs its link
        complete(example, runtime, case, "publish", publish_via="manual")
    assert "published_url" in no_link.value.errors
    complete(example, runtime, case, "publish", published_url="https://vk.com/wall-1_7?reply=3")
    with example() as session:
        assert session.scalar(select(Publication)) is None


def test_vk_comment_is_posted_under_the_post_with_a_guid_and_written_back(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    pub_id = publish_via_channel(example, runtime, case)
    assert job_for(channel.url).deliver_one(example, runtime)
    [call] = channel.state.calls("/method/wall.createComment")
    assert call.method == "POST"
    assert call.form == {
        "owner_id": "-123",
        "post_id": "7",
        "from_group": "123",  # the community -123 itself, as API 5.199 wants
        "reply_to_comment": "15",
        "message": ANSWER,
        "guid": f"reglament-outbox-{pub_id}",
        "access_token": "vk-community-token",
        "v": "5.199",
    }
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.SENT
    assert (row.external_id, row.url) == ("500", "https://vk.com/wall-123_7?reply=500&thread=15")
    with example() as session:
        assert latest_publication(session, case).url == row.url  # type: ignore[union-attr]
        kinds = session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == case))
        assert AuditKind.ANSWER_PUBLISHED in set(kinds)
    assert not job_for(channel.url).deliver_one(example, runtime)  # nothing more to send


def test_vk_community_chat_answer_carries_random_id(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    case = case_at_publish(example, runtime, {"channel": "vk", "peer_id": 2000000001})
    pub_id = publish_via_channel(example, runtime, case)
    job_for(channel.url).deliver_one(example, runtime)
    [call] = channel.state.calls("/method/messages.send")
    assert (call.form["peer_id"], call.form["random_id"]) == ("2000000001", str(pub_id))
    assert publication(example, pub_id).external_id == "900"


def test_network_errors_429_and_5xx_are_retried_with_backoff_and_post_once(
    example: Sessions, runtime: Runtime, channel: ChannelServer, clock: VirtualClock
) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    pub_id = publish_via_channel(example, runtime, case)
    channel.state.script(
        "wall.createComment",
        (502, {"error": "bad gateway"}),
        (429, {"error": "slow down"}),
        (200, {"error": {"error_code": 6, "error_msg": "Too many requests per second"}}),
    )
    job = job_for(channel.url, backoff_base_seconds=30)
    delays = []
    for _ in range(3):
        before = clock.now()
        assert job.deliver_one(example, runtime)
        row = publication(example, pub_id)
        assert row.status is PublicationStatus.RETRYING and row.last_error
        delays.append(row.next_attempt_at - before)  # type: ignore[operator]
        assert not job.deliver_one(example, runtime)  # not before its moment
        clock.set(row.next_attempt_at)  # type: ignore[arg-type]
    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert job.deliver_one(example, runtime)
    assert publication(example, pub_id).status is PublicationStatus.SENT
    calls = channel.state.calls("wall.createComment")
    assert len(calls) == 4 and {c.form["guid"] for c in calls} == {f"reglament-outbox-{pub_id}"}
    assert len(channel.state.posted) == 1


def test_a_network_failure_is_transient(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    pub_id = publish_via_channel(example, runtime, case)
    job_for("http://127.0.0.1:9").deliver_one(example, runtime)  # nothing listens there
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.RETRYING and "сеть" in (row.last_error or "")


@pytest.mark.parametrize(
    ("code", "text"), [(15, "Access denied: post was deleted"), (5, "User authorization failed")]
)
def test_a_permanent_error_stops_retrying_and_is_listed_for_the_curator(
    example: Sessions, runtime: Runtime, channel: ChannelServer, code: int, text: str
) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    pub_id = publish_via_channel(example, runtime, case)
    channel.state.script(
        "wall.createComment", (200, {"error": {"error_code": code, "error_msg": text}})
    )
    job = job_for(channel.url)
    job.deliver_one(example, runtime)
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.FAILED and text in (row.last_error or "")
    assert row.next_attempt_at is None
    assert not job.deliver_one(example, runtime)
    assert job.seconds_to_next(example, runtime) is None
    with example() as session:
        assert [p.id for p in failed_publications(session, "example")] == [pub_id]
    assert len(channel.state.calls("wall.createComment")) == 1


def test_too_many_transient_errors_end_as_failed(
    example: Sessions, runtime: Runtime, channel: ChannelServer, clock: VirtualClock
) -> None:
    case = case_at_publish(example, runtime, VK_COMMENT)
    pub_id = publish_via_channel(example, runtime, case)
    channel.state.script("wall.createComment", *[(503, {})] * 3)
    job = job_for(channel.url, max_attempts=2)
    job.deliver_one(example, runtime)
    clock.advance(timedelta(hours=1))
    job.deliver_one(example, runtime)
    assert publication(example, pub_id).status is PublicationStatus.FAILED


def test_telegram_replies_in_the_discussion_group_at_most_once_a_second_per_chat(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    reply = {"channel": "telegram", "chat_id": -1001234, "message_id": 77}
    first = publish_via_channel(example, runtime, case_at_publish(example, runtime, reply, "1"))
    reply2 = {**reply, "message_id": 78}
    second = publish_via_channel(example, runtime, case_at_publish(example, runtime, reply2, "2"))
    job = job_for(channel.url, telegram_chat_interval_seconds=0.5)
    job(example, runtime, threading.Event())
    calls = channel.state.calls("/sendMessage")
    assert [c.path for c in calls] == ["/bot123:bot-token/sendMessage"] * 2
    assert calls[0].json == {
        "chat_id": -1001234,
        "text": ANSWER,
        "reply_parameters": {"message_id": 77},
    }
    assert calls[1].at - calls[0].at >= 0.45  # the chat's pace, not a speed assertion
    assert publication(example, first).url == "https://t.me/town_talk/41"
    assert publication(example, second).status is PublicationStatus.SENT


def test_telegram_revoked_token_is_permanent(
    example: Sessions, runtime: Runtime, channel: ChannelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGLAMENT_CHANNEL_EXAMPLE_TELEGRAM_TOKEN", "revoked")
    reply = {"channel": "telegram", "chat_id": 555}
    pub_id = publish_via_channel(example, runtime, case_at_publish(example, runtime, reply))
    job_for(channel.url).deliver_one(example, runtime)
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.FAILED and "Unauthorized" in (row.last_error or "")
    assert "revoked" not in (row.last_error or "")


def test_telegram_send_interrupted_by_a_crash_is_not_repeated_blindly(
    example: Sessions, runtime: Runtime, channel: ChannelServer, clock: VirtualClock
) -> None:
    reply = {"channel": "telegram", "chat_id": 555}
    pub_id = publish_via_channel(example, runtime, case_at_publish(example, runtime, reply))
    with example.begin() as session:  # a worker claimed it and died before settling
        assert claim_next(session, clock.now(), timedelta(seconds=120)) is not None
    job = job_for(channel.url)
    assert not job.deliver_one(example, runtime)  # its lease still holds
    clock.advance(timedelta(seconds=121))
    assert job.deliver_one(example, runtime)
    row = publication(example, pub_id)
    assert (row.status, row.last_error) == (PublicationStatus.FAILED, INTERRUPTED)
    assert channel.state.requests == []


def test_max_posts_a_reply_to_the_chat(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    reply = {"channel": "max", "chat_id": 4242, "mid": "mid.abc"}
    pub_id = publish_via_channel(example, runtime, case_at_publish(example, runtime, reply))
    job_for(channel.url).deliver_one(example, runtime)
    [call] = channel.state.calls("/messages")
    assert call.query == {"chat_id": "4242"}
    assert call.headers["Authorization"] == "max-bot-token"
    assert call.json == {"text": ANSWER, "link": {"type": "reply", "mid": "mid.abc"}}
    assert publication(example, pub_id).external_id == "mid.1"


def test_a_channel_without_a_token_fails_with_the_setting_named(
    example: Sessions, runtime: Runtime, channel: ChannelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGLAMENT_CHANNEL_EXAMPLE_VK_TOKEN")
    pub_id = publish_via_channel(example, runtime, case_at_publish(example, runtime, VK_COMMENT))
    job_for(channel.url).deliver_one(example, runtime)
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.FAILED and "токен" in (row.last_error or "")
    assert channel.state.requests == []


def test_vk_keeps_twenty_requests_a_second_per_token(channel: ChannelServer) -> None:
    settings = PublishSettings(base_urls={"vk": channel.url})
    with httpx.Client() as client:
        publisher = VkPublisher(client, settings)
        for number in range(1, 26):
            address = {"owner_id": -1, "post_id": number}
            publisher.send(Outgoing(number, "example", "vk", address, "Ответ", "one-token"))
    moments = [call.at for call in channel.state.calls("wall.createComment")]
    assert len(moments) == 25
    # No window of one second holds more than 20 requests. The moments are the server's: a
    # request held up on its way (a loaded machine) arrives late, so its window looks shorter by
    # that delay; without the limiter the 21 requests would take a few milliseconds.
    assert all(moments[i + 20] - moments[i] >= 0.9 for i in range(len(moments) - 20))


def test_telegram_429_waits_as_long_as_telegram_asks(
    example: Sessions, runtime: Runtime, channel: ChannelServer, clock: VirtualClock
) -> None:
    reply = {"channel": "telegram", "chat_id": 555}
    pub_id = publish_via_channel(example, runtime, case_at_publish(example, runtime, reply))
    slow_down = {"ok": False, "error_code": 429, "parameters": {"retry_after": 7}}
    channel.state.script("/sendMessage", (429, slow_down))
    before = clock.now()
    job_for(channel.url).deliver_one(example, runtime)
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.RETRYING
    assert row.next_attempt_at == before + timedelta(seconds=7)
