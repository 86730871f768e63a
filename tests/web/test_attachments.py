"""Photos and files uploaded on an answer step: limits, sniffing, thumbnails, rights, outbox."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.publishing.job import PublishingJob
from adapters.publishing.settings import PublishSettings
from engine.attachments import FileStore
from engine.clock import VirtualClock
from engine.models import Attachment, AuditEvent, Publication
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.versions import deploy_file
from tests.attachment_files import PDF, TEXT_AS_JPEG, photo, truncated_jpeg
from tests.publishing.channel_server import ChannelServer
from tests.web.conftest import login, make_app, on_both_databases, send_message
from tests.web.helpers import complete, tasks_of
from web.db import extension_state

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "photo_answers" / "v1"
ANSWER = "Здравствуйте! Мусор вывезен, контейнерная площадка убрана."
MAX_BYTES = 300_000
Sessions = sessionmaker[Session]


@pytest.fixture
def files_dir(tmp_path: Path) -> Path:
    """Where this test's uploads go (REGLAMENT_ATTACHMENTS_DIR)."""
    return tmp_path / "files"


@pytest.fixture
def app(
    database: str, clock: VirtualClock, files_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """The web app with the photo fixture deployed as the example's active version."""
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_DIR", str(files_dir))
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_MAX_BYTES", str(MAX_BYTES))
    monkeypatch.setenv("REGLAMENT_ATTACHMENTS_MAX_PIXELS", str(4_000_000))
    flask_app = make_app(database, clock)
    state = extension_state(flask_app)
    with state["sessions"].begin() as session:
        deploy_file(
            session,
            state["runtime"],
            FIXTURE / "photo_answers.bpmn",
            "admin",
            municipality="example",
            label="photos",
        )
    yield flask_app
    state["engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


def at_draft(sessions: Sessions, runtime: Runtime, **payload: Any) -> tuple[int, str]:
    """A case routed to housing: its id and the draft task's id."""
    case = send_message(sessions, runtime, payload=payload)
    complete(sessions, runtime, case, "screen", screen_decision="process")
    complete(sessions, runtime, case, "route", departments=["housing"])
    return case, tasks_of(sessions, case, "draft_answer")[0].task_id


def draft(client: FlaskClient, task_id: str, *files: tuple[bytes, str], **fields: Any) -> Any:
    """Submit the draft form as a browser does: multipart, files under `photos`."""
    data: dict[str, Any] = {"answer_kind": "final", "answer_text": ANSWER, **fields}
    if files:
        data["photos"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/tasks/{task_id}", data=data, content_type="multipart/form-data")


def rows(sessions: Sessions) -> list[Attachment]:
    with sessions() as session:
        return list(session.scalars(select(Attachment).order_by(Attachment.id)))


@on_both_databases
def test_a_photo_is_stored_by_its_hash_with_a_thumbnail_and_audited(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime, files_dir: Path
) -> None:
    case, task_id = at_draft(sessions, web_runtime)
    picture = photo(1600, 1200)
    response = draft(login(client, "housing"), task_id, (picture, "../../etc/Фото 1.jpg"))
    assert response.status_code == 302, response.text
    [row] = rows(sessions)
    sha = hashlib.sha256(picture).hexdigest()
    assert (row.sha256, row.media_type, row.size, row.name) == (
        sha,
        "image/jpeg",
        len(picture),
        "Фото 1.jpg",
    )
    assert (row.instance_id, row.department, row.uploaded_by) == (case, "housing", "housing")
    store = FileStore(web_runtime.attachments)
    assert store.path(sha).read_bytes() == picture
    with Image.open(store.thumbnail_path(sha)) as thumb:
        assert max(thumb.size) == 320 and thumb.format == "JPEG"
    # No name a user typed ever became a path.
    assert not [p for p in files_dir.rglob("*") if "Фото" in p.name or "etc" in p.parts]
    with sessions() as session:
        added = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.ATTACHMENT_ADDED)
        ).one()
        done = session.scalars(
            select(AuditEvent).where(
                AuditEvent.kind == AuditKind.TASK_COMPLETED, AuditEvent.task_id == task_id
            )
        ).one()
    assert (added.actor, added.data["sha256"], added.data["field"]) == ("housing", sha, "photos")
    assert done.data["values"]["photos"] == [sha]


def test_a_final_answer_without_photos_is_refused_and_keeps_the_text(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    response = draft(login(client, "housing"), task_id)
    assert response.status_code == 422
    assert "Приложите фотографии." in response.text
    assert ANSWER in response.text
    other = draft(client, task_id, answer_kind="clarification")
    assert other.status_code == 302, other.text  # no photos asked of a question to the author


def test_a_refused_file_keeps_the_form_and_the_accepted_photo(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    good = photo(color="blue")
    login(client, "housing")
    response = draft(client, task_id, (good, "good.jpg"), (TEXT_AS_JPEG, "evil.jpg"))
    assert response.status_code == 422
    assert "evil.jpg: Недопустимый тип файла: можно JPEG, PNG, WebP, GIF." in response.text
    assert "Обязательное поле." not in response.text  # the rest of the form was fine
    assert ANSWER in response.text
    sha = hashlib.sha256(good).hexdigest()
    assert [row.sha256 for row in rows(sessions)] == [sha]  # kept although the form was refused
    assert f'name="photos" value="{sha}" checked' in response.text
    assert f"/files/{sha}/thumbnail" in response.text
    # Sent again with the kept photo (and the same photo once more): one row, step done.
    response = client.post(
        f"/tasks/{task_id}",
        data={
            "answer_kind": "final",
            "answer_text": ANSWER,
            "photos": [sha, (io.BytesIO(good), "good.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.text
    assert len(rows(sessions)) == 1


def test_a_refused_file_and_another_field_s_error_show_together(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    login(client, "housing")
    response = draft(client, task_id, (TEXT_AS_JPEG, "evil.jpg"), answer_text="")
    assert response.status_code == 422
    assert "evil.jpg: Недопустимый тип файла" in response.text
    assert "Обязательное поле." in response.text  # the answer's text, reported at once
    assert "Приложите фотографии." in response.text


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PDF, "act.jpg", "Недопустимый тип файла"),  # a PDF is no photo, whatever its name
        (truncated_jpeg(), "cut.jpg", "Файл повреждён или не является изображением."),
        (photo(2500, 2000, kind="PNG"), "huge.png", "Изображение слишком большое"),
        (b"\xff\xd8\xff" + b"\0" * MAX_BYTES, "big.jpg", "Файл больше 293 КБ."),
        (b"", "empty.jpg", "Файл пуст."),
    ],
)
def test_files_are_judged_by_their_bytes(
    client: FlaskClient,
    sessions: Sessions,
    web_runtime: Runtime,
    content: bytes,
    name: str,
    message: str,
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    response = draft(login(client, "housing"), task_id, (content, name))
    assert response.status_code == 422
    assert message in response.text
    assert rows(sessions) == []


def test_a_png_named_pdf_is_taken_as_the_png_it_is(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    response = draft(login(client, "housing"), task_id, (photo(kind="PNG"), "scan.pdf"))
    assert response.status_code == 302
    assert rows(sessions)[0].media_type == "image/png"


def test_a_forged_file_reference_is_refused(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    login(client, "housing")
    for forged in ("a" * 64, "../../etc/passwd"):
        response = client.post(
            f"/tasks/{task_id}",
            data={"answer_kind": "final", "answer_text": ANSWER, "photos": forged},
            content_type="multipart/form-data",
        )
        assert response.status_code == 422
        assert "Файл не найден в этом деле" in response.text


@on_both_databases
def test_a_stale_double_submit_stores_nothing_twice(
    client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    login(client, "housing")
    picture = photo()
    assert draft(client, task_id, (picture, "a.jpg")).status_code == 302
    assert draft(client, task_id, (picture, "a.jpg")).status_code == 409
    with sessions() as session:
        added = session.scalar(
            select(func.count()).where(AuditEvent.kind == AuditKind.ATTACHMENT_ADDED)
        )
    assert len(rows(sessions)) == 1 and added == 1


@on_both_databases
def test_files_are_served_only_to_those_who_may_see_the_case(
    app: Flask, client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    case, task_id = at_draft(sessions, web_runtime)
    picture = photo()
    sha = hashlib.sha256(picture).hexdigest()
    assert draft(login(client, "housing"), task_id, (picture, "a.jpg")).status_code == 302
    original, thumb = f"/cases/{case}/files/{sha}", f"/cases/{case}/files/{sha}/thumbnail"
    mine = client.get(original)
    assert (mine.status_code, mine.mimetype, mine.data) == (200, "image/jpeg", picture)
    assert mine.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(thumb).mimetype == "image/jpeg"
    expected = {"curator": 200, "head": 200, "roads": 403, "perm": 404}
    for user, status in expected.items():
        other = app.test_client()
        login(other, user)
        assert (user, other.get(original).status_code) == (user, status)
        assert (user, other.get(thumb).status_code) == (user, status)
    assert client.get(f"/cases/{case}/files/{'b' * 64}").status_code == 404
    assert client.get(f"/cases/{case}/files/..%2F..%2Fetc").status_code == 404
    anonymous = app.test_client().get(original)
    assert anonymous.status_code == 302  # to the sign-in page
    FileStore(web_runtime.attachments).path(sha).unlink()  # the file gone, the row kept
    assert client.get(original).status_code == 404


def test_photos_are_shown_at_review_and_on_the_card_and_carried_to_the_publication(
    app: Flask, client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    reply = {"channel": "telegram", "chat_id": -100123, "message_id": 42}
    case, task_id = at_draft(sessions, web_runtime, reply=reply)
    first, second = photo(color="red"), photo(color="yellow")
    hashes = [hashlib.sha256(item).hexdigest() for item in (first, second)]
    response = draft(login(client, "housing"), task_id, (first, "1.jpg"), (second, "2.jpg"))
    assert response.status_code == 302
    curator = app.test_client()
    login(curator, "curator")
    review = tasks_of(sessions, case, "review")[0].task_id
    page = curator.get(f"/tasks/{review}").text
    assert "Фотографии и файлы ответа" in page
    assert all(f"/cases/{case}/files/{sha}/thumbnail" in page for sha in hashes)
    card = curator.get(f"/cases/{case}").text
    assert "Фотографии и файлы дела" in card and all(sha in card for sha in hashes)
    # The history names the files, never their hashes.
    assert "Фотографии выполненных работ: 1.jpg, 2.jpg" in card
    assert f": {hashes[0]}" not in card
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    publish = tasks_of(sessions, case, "publish")[0].task_id
    page = curator.get(f"/tasks/{publish}").text
    assert all(f"/files/{sha}/thumbnail" in page for sha in hashes)
    assert curator.post(f"/tasks/{publish}", data={"publish_via": "channel"}).status_code == 302
    with sessions() as session:
        assert session.scalar(select(Publication.attachments)) == hashes


def test_a_body_over_the_request_limit_gets_a_russian_page(
    app: Flask, client: FlaskClient, sessions: Sessions, web_runtime: Runtime
) -> None:
    _case, task_id = at_draft(sessions, web_runtime)
    login(client, "housing")
    app.config["MAX_CONTENT_LENGTH"] = 100_000
    response = draft(
        client, task_id, (photo(), "a.jpg"), (b"\xff\xd8\xff" + b"\0" * 200_000, "b.jpg")
    )
    assert response.status_code == 413
    assert "Слишком большой запрос" in response.text
    assert rows(sessions) == []


def test_vk_says_before_and_after_publication_that_its_photos_go_by_hand(
    app: Flask,
    client: FlaskClient,
    sessions: Sessions,
    web_runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGLAMENT_CHANNEL_EXAMPLE_VK_TOKEN", "vk-community-token")
    reply = {"channel": "vk", "owner_id": -123, "post_id": 7, "comment_id": 15}
    case, task_id = at_draft(sessions, web_runtime, reply=reply)
    assert draft(login(client, "housing"), task_id, (photo(), "1.jpg")).status_code == 302
    complete(sessions, web_runtime, case, "review", review_decision="approve")
    curator = app.test_client()
    login(curator, "curator")
    publish = tasks_of(sessions, case, "publish")[0].task_id
    assert "ответ публикуется только текстом" in curator.get(f"/tasks/{publish}").text
    assert curator.post(f"/tasks/{publish}", data={"publish_via": "channel"}).status_code == 302
    with ChannelServer() as channel:
        job = PublishingJob(
            PublishSettings(base_urls=dict.fromkeys(("vk", "telegram", "max"), channel.url))
        )
        assert job.deliver_one(sessions, web_runtime)
        job.close()
        assert [c.path for c in channel.state.requests] == ["/method/wall.createComment"]
    card = curator.get(f"/cases/{case}").text
    assert "Фотографий к ответу: 1" in card
    assert "загрузка фото на стену требует ключа пользователя" in card
