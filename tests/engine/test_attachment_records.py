"""Attachment rows: one per case and hash, even for two uploads of one photo at the same moment."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.attachments import FileStore, Upload, store_upload
from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.models import Attachment, OpenUserTask
from engine.runtime import Runtime
from engine.settings import AttachmentSettings
from tests.attachment_files import photo
from tests.conftest import PROCESSES
from tests.engine.helpers import deploy_example, send

PHOTOS = ("image/jpeg",)


def _draft_task(sessions: sessionmaker[Session], runtime: Runtime) -> OpenUserTask:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime, "1").result.instance.id
    for form_key, data in (
        ("screen", {"screen_decision": "process"}),
        ("route", {"departments": ["housing"]}),
    ):
        with sessions.begin() as session:
            task = session.scalars(
                select(OpenUserTask).where(
                    OpenUserTask.instance_id == case, OpenUserTask.form_key == form_key
                )
            ).one()
            complete_task(session, runtime, task.task_id, data, "curator")
    with sessions() as session:
        return session.scalars(
            select(OpenUserTask).where(OpenUserTask.form_key == "draft_answer")
        ).one()


def test_two_uploads_of_one_photo_at_once_make_one_row(
    sessions: sessionmaker[Session], clock: VirtualClock, tmp_path: Path
) -> None:
    runtime = Runtime(
        clock=clock,
        processes_dir=PROCESSES,
        attachments=AttachmentSettings(directory=tmp_path / "files"),
    )
    task = _draft_task(sessions, runtime)
    store, content = FileStore(runtime.attachments), photo()
    first_stored, second_started = threading.Event(), threading.Event()
    found: dict[str, int] = {}

    def upload(who: str) -> None:
        with sessions.begin() as session:
            row = store_upload(
                session,
                store,
                task,
                "photos",
                Upload(f"{who}.jpg", content),
                allowed=PHOTOS,
                actor=who,
                now=clock.now(),
            )
            found[who] = row.id
            if who == "first":  # hold the transaction open while the second one inserts
                first_stored.set()
                second_started.wait(5)
                threading.Event().wait(0.3)

    first = threading.Thread(target=upload, args=("first",))
    first.start()
    assert first_stored.wait(10)
    second = threading.Thread(target=lambda: (second_started.set(), upload("second")))
    second.start()
    first.join(15)
    second.join(15)
    assert found["first"] == found["second"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Attachment)) == 1
        assert session.scalars(select(Attachment.uploaded_by)).one() == "first"
