"""Photos published with the answer, against the stand-in server on 127.0.0.1.

Telegram sendPhoto and sendMediaGroup, MAX's upload flow and post comments, VK's text only: the
multipart bodies, captions and retries as the channel receives them.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.reply import publishing_address
from engine.attachments import FileStore, Upload, store_upload
from engine.clock import VirtualClock
from engine.models import OpenUserTask
from engine.publishing.status import PublicationStatus
from engine.runtime import Runtime
from engine.settings import AttachmentSettings
from engine.versions import deploy_file
from tests.attachment_files import phone_photo, photo
from tests.conftest import PROCESSES
from tests.engine.helpers import send
from tests.publishing.channel_server import ChannelServer
from tests.publishing.publishing_helpers import (
    ANSWER,
    VK_COMMENT,
    complete,
    job_for,
    publication,
    publish_via_channel,
)

pytestmark = pytest.mark.usefixtures("tokens")
Sessions = sessionmaker[Session]
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "photo_answers" / "v1"
TELEGRAM = {"channel": "telegram", "chat_id": -100123, "message_id": 42}
MAX_CHAT = {"channel": "max", "chat_id": 77, "mid": "mid.author"}
LONG = "Здравствуйте! " + "Работы выполнены, площадка убрана. " * 40  # over 1024 characters


@pytest.fixture
def runtime(clock: VirtualClock, tmp_path: Path) -> Runtime:
    """The engine runtime with its attachments in this test's folder."""
    files = AttachmentSettings(directory=tmp_path / "files")
    return Runtime(clock=clock, processes_dir=PROCESSES, attachments=files)


@pytest.fixture
def example(sessions: Sessions, runtime: Runtime) -> Sessions:
    """The example town with the photo fixture as its active version."""
    with sessions.begin() as session:
        deploy_file(
            session, runtime, FIXTURE / "photo_answers.bpmn", "admin", municipality="example"
        )
    return sessions


def case_with_photos(
    sessions: Sessions, runtime: Runtime, reply: dict[str, Any], photos: list[bytes], text: str
) -> int:
    """Drafted with these photos (uploaded on the step), approved: waiting at the publication."""
    case = send(sessions, runtime, "1", payload={"reply": reply}).result.instance.id
    complete(sessions, runtime, case, "screen", screen_decision="process")
    complete(sessions, runtime, case, "route", departments=["housing"])
    hashes = []
    with sessions.begin() as session:
        task = session.scalars(
            select(OpenUserTask).where(OpenUserTask.form_key == "draft_answer")
        ).one()
        for number, content in enumerate(photos):
            row = store_upload(
                session,
                FileStore(runtime.attachments),
                task,
                "photos",
                Upload(f"фото-{number}.jpg", content),
                allowed=("image/jpeg", "image/png"),
                actor="housing",
                now=runtime.clock.now(),
            )
            hashes.append(row.sha256)
    values: dict[str, Any] = {"answer_kind": "final", "answer_text": text}
    if hashes:
        values["photos"] = hashes
    complete(sessions, runtime, case, "draft_answer", **values)
    complete(sessions, runtime, case, "review", review_decision="approve")
    return case


def sent(sessions: Sessions, runtime: Runtime, channel: ChannelServer, case: int) -> Any:
    """Publish through the channel, deliver once; the outbox row afterwards."""
    pub_id = publish_via_channel(sessions, runtime, case)
    assert job_for(channel.url).deliver_one(sessions, runtime)
    return publication(sessions, pub_id)


def test_one_photo_goes_by_send_photo_with_the_answer_as_its_caption(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    picture = photo(color="red")
    case = case_with_photos(example, runtime, TELEGRAM, [picture], ANSWER)
    row = sent(example, runtime, channel, case)
    assert (row.status, row.url, row.last_error) == (
        PublicationStatus.SENT,
        f"https://t.me/town_talk/{row.external_id}",
        None,
    )
    [call] = channel.state.requests
    assert call.path == "/bot123:bot-token/sendPhoto"
    assert call.headers["Content-Type"].startswith("multipart/form-data")
    assert call.form["chat_id"] == "-100123" and call.form["caption"] == ANSWER
    assert json.loads(call.form["reply_parameters"]) == {"message_id": 42}
    name, kind, content = call.files["photo"]
    sha = hashlib.sha256(picture).hexdigest()
    assert (name, kind, content) == (f"{sha[:16]}.jpeg", "image/jpeg", picture)


def test_several_photos_go_as_one_album_captioned_on_the_first(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    pictures = [photo(color=color) for color in ("red", "green", "blue")]
    case = case_with_photos(example, runtime, TELEGRAM, pictures, ANSWER)
    assert sent(example, runtime, channel, case).status is PublicationStatus.SENT
    [call] = channel.state.requests
    assert call.path.endswith("/sendMediaGroup")
    media = json.loads(call.form["media"])
    assert [item["media"] for item in media] == [
        "attach://photo0",
        "attach://photo1",
        "attach://photo2",
    ]
    assert media[0]["caption"] == ANSWER and all("caption" not in item for item in media[1:])
    assert [call.files[f"photo{n}"][2] for n in range(3)] == pictures
    assert len(channel.state.posted) == 1


def test_an_answer_longer_than_a_caption_goes_first_and_the_photos_reply_to_it(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    case = case_with_photos(example, runtime, TELEGRAM, [photo()], LONG.strip())
    row = sent(example, runtime, channel, case)
    text, photos = channel.state.requests
    assert text.path.endswith("/sendMessage") and text.json["text"] == LONG.strip()
    assert text.json["reply_parameters"] == {"message_id": 42}
    assert photos.path.endswith("/sendPhoto") and "caption" not in photos.form
    assert json.loads(photos.form["reply_parameters"]) == {"message_id": int(row.external_id)}


def test_photos_refused_after_the_text_is_out_are_not_retried_but_told(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    case = case_with_photos(example, runtime, TELEGRAM, [photo()], LONG.strip())
    channel.state.script("/sendPhoto", (503, {"ok": False}))
    row = sent(example, runtime, channel, case)
    assert row.status is PublicationStatus.SENT and row.url
    assert "Фотографии не отправлены" in (row.last_error or "")
    assert len(channel.state.calls("/sendMessage")) == 1  # the text is never posted twice


def test_a_failed_photo_send_is_retried_and_posts_once(
    example: Sessions, runtime: Runtime, channel: ChannelServer, clock: VirtualClock
) -> None:
    case = case_with_photos(example, runtime, TELEGRAM, [photo()], ANSWER)
    pub_id = publish_via_channel(example, runtime, case)
    channel.state.script(
        "/sendPhoto", (502, {"ok": False}), (429, {"ok": False, "parameters": {"retry_after": 3}})
    )
    job = job_for(channel.url, backoff_base_seconds=30)
    assert job.deliver_one(example, runtime)
    first = publication(example, pub_id)
    assert first.status is PublicationStatus.RETRYING
    clock.set(first.next_attempt_at)  # type: ignore[arg-type]
    assert job.deliver_one(example, runtime)
    second = publication(example, pub_id)
    assert second.next_attempt_at - clock.now() == timedelta(seconds=3)  # type: ignore[operator]
    clock.set(second.next_attempt_at)  # type: ignore[arg-type]
    assert job.deliver_one(example, runtime)
    assert publication(example, pub_id).status is PublicationStatus.SENT
    assert len(channel.state.calls("/sendPhoto")) == 3 and len(channel.state.posted) == 1


def test_max_uploads_each_photo_then_sends_the_message_with_them(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    pictures = [photo(color="red"), photo(color="blue")]
    case = case_with_photos(example, runtime, MAX_CHAT, pictures, ANSWER)
    row = sent(example, runtime, channel, case)
    assert row.status is PublicationStatus.SENT
    slots = channel.state.calls("/uploads")
    assert [c.query for c in slots] == [{"type": "image"}] * 2
    assert all(c.headers["Authorization"] == "max-bot-token" for c in slots)
    targets = channel.state.calls("/upload-target")
    assert [c.files["data"][2] for c in targets] == pictures
    assert all("Authorization" not in c.headers for c in targets)  # the token stays with MAX
    [message] = channel.state.calls("/messages")
    assert message.query == {"chat_id": "77"}
    assert message.json == {
        "text": ANSWER,
        "link": {"type": "reply", "mid": "mid.author"},
        "attachments": [
            {"type": "image", "payload": {"token": "photo-token-0"}},
            {"type": "image", "payload": {"token": "photo-token-1"}},
        ],
    }


def test_max_retries_while_an_uploaded_photo_is_not_ready(
    example: Sessions, runtime: Runtime, channel: ChannelServer, clock: VirtualClock
) -> None:
    case = case_with_photos(example, runtime, MAX_CHAT, [photo()], ANSWER)
    pub_id = publish_via_channel(example, runtime, case)
    channel.state.script("/messages", (400, {"code": "attachment.not.ready", "message": "wait"}))
    job = job_for(channel.url)
    assert job.deliver_one(example, runtime)
    row = publication(example, pub_id)
    assert row.status is PublicationStatus.RETRYING and "обрабатывается" in (row.last_error or "")
    clock.set(row.next_attempt_at)  # type: ignore[arg-type]
    assert job.deliver_one(example, runtime)
    assert publication(example, pub_id).status is PublicationStatus.SENT
    assert len(channel.state.calls("/messages")) == 2 and len(channel.state.posted) == 1


def test_a_comment_under_a_max_channel_post_is_answered_in_its_comments(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    reply_to = {
        "network": "max",
        "kind": "channel",
        "chat_id": -5,
        "user_id": 9,
        "mid": "mid.comment",
        "replied_mid": "mid.post",
    }
    address = publishing_address(reply_to)
    assert address == {
        "channel": "max",
        "chat_id": -5,
        "mid": "mid.comment",
        "post_mid": "mid.post",
    }
    case = case_with_photos(example, runtime, address, [photo()], ANSWER)
    row = sent(example, runtime, channel, case)
    assert row.status is PublicationStatus.SENT and row.external_id.startswith("mid.c")
    [comment] = channel.state.calls("/comments")
    assert comment.path == "/messages/mid.post/comments"
    assert comment.json["text"] == ANSWER
    assert comment.json["link"] == {"type": "reply", "mid": "mid.comment"}
    assert comment.json["attachments"] == [{"type": "image", "payload": {"token": "photo-token-0"}}]
    assert channel.state.calls("/messages") == []


def test_vk_publishes_the_text_only_and_says_so(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    case = case_with_photos(example, runtime, VK_COMMENT, [photo()], ANSWER)
    row = sent(example, runtime, channel, case)
    assert row.status is PublicationStatus.SENT and len(row.attachments) == 1
    assert "ключа пользователя" in (row.last_error or "")
    assert [c.path for c in channel.state.requests] == ["/method/wall.createComment"]


def test_a_published_photo_carries_no_metadata_but_the_stored_one_keeps_it(
    example: Sessions, runtime: Runtime, channel: ChannelServer
) -> None:
    original = phone_photo()
    case = case_with_photos(example, runtime, TELEGRAM, [original], ANSWER)
    assert sent(example, runtime, channel, case).status is PublicationStatus.SENT
    _name, _kind, published = channel.state.calls("/sendPhoto")[0].files["photo"]
    assert b"PhoneCo" not in published and b"Ispolnitel" not in published
    with Image.open(io.BytesIO(published)) as image:
        assert not image.getexif() and image.size == (200, 400)  # upright, as the phone meant
    stored = FileStore(runtime.attachments).read(hashlib.sha256(original).hexdigest())
    assert stored == original and b"PhoneCo" in stored
