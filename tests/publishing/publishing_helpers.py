"""A case of the example at its publication step, its message carrying a reply address."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from adapters.publishing.job import PublishingJob
from adapters.publishing.settings import PublishSettings
from engine.instances import complete_task
from engine.models import OpenUserTask, Publication
from engine.runtime import Runtime
from tests.engine.helpers import send

ANSWER = "Здравствуйте! Мусор вывезен 16 марта, график восстановлен."
VK_COMMENT = {"channel": "vk", "owner_id": -123, "post_id": 7, "comment_id": 15}


def complete(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, form_key: str, **data: Any
) -> None:
    """Complete the case's open task of this form."""
    with sessions.begin() as session:
        task = session.scalars(
            select(OpenUserTask).where(
                OpenUserTask.instance_id == case, OpenUserTask.form_key == form_key
            )
        ).one()
        complete_task(session, runtime, task.task_id, data, "curator")


def case_at_publish(
    sessions: sessionmaker[Session],
    runtime: Runtime,
    reply: dict[str, Any] | None,
    external_id: str = "1",
) -> int:
    """Screened, routed, drafted and approved: the case waits at «Опубликовать ответ»."""
    payload = {"reply": reply} if reply else {}
    case = send(sessions, runtime, external_id, payload=payload).result.instance.id
    complete(sessions, runtime, case, "screen", screen_decision="process")
    complete(sessions, runtime, case, "route", departments=["housing"])
    complete(sessions, runtime, case, "draft_answer", answer_kind="final", answer_text=ANSWER)
    complete(sessions, runtime, case, "review", review_decision="approve")
    return case


def publish_via_channel(sessions: sessionmaker[Session], runtime: Runtime, case: int) -> int:
    """Complete the publication step choosing the channel; returns the outbox row's id."""
    complete(sessions, runtime, case, "publish", publish_via="channel")
    with sessions() as session:
        return session.scalars(select(Publication.id).where(Publication.instance_id == case)).one()


def publication(sessions: sessionmaker[Session], pub_id: int) -> Publication:
    """The outbox row as stored now."""
    with sessions() as session:
        return session.get_one(Publication, pub_id)


def job_for(url: str, **options: Any) -> PublishingJob:
    """The publishing job aimed at the stand-in server."""
    urls = {"vk": url, "telegram": url, "max": url}
    return PublishingJob(PublishSettings(base_urls=urls, **options))
