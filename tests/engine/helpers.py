"""Small helpers for engine tests: deploy the example and send messages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.forms import FormContext, VersionForms, library
from engine.intake import Intake, receive_message
from engine.models import OpenUserTask, ProcessVersion
from engine.runtime import Runtime
from engine.versions import deploy_file
from tests.conftest import EXAMPLE_BPMN


def deploy_example(sessions: sessionmaker[Session], runtime: Runtime) -> ProcessVersion:
    """Deploy and activate the example regulation."""
    with sessions.begin() as session:
        return deploy_file(session, runtime, EXAMPLE_BPMN, "admin").version


def library_forms(context: FormContext | None = None) -> VersionForms:
    """The library's forms compiled for a municipality (default: one listing no departments)."""
    return VersionForms(library(), context or FormContext())


def incoming(runtime: Runtime, external_id: str = "1", **fields: Any) -> dict[str, Any]:
    """An example message as a source delivers it."""
    return {
        "municipality": "example",
        "source": "vk",
        "external_id": external_id,
        "author": "Иван Петров",
        "author_id": "id100",
        "text": "Не вывозят мусор",
        "received_at": runtime.clock.now().isoformat(),
        **fields,
    }


def send(
    sessions: sessionmaker[Session], runtime: Runtime, external_id: str = "1", **fields: Any
) -> Intake:
    """Receive one message in its own transaction."""
    with sessions.begin() as session:
        return receive_message(session, runtime, incoming(runtime, external_id, **fields), "vk")


def open_tasks(sessions: sessionmaker[Session], instance_id: int) -> list[OpenUserTask]:
    """The projection rows of one case."""
    with sessions() as session:
        query = select(OpenUserTask).where(OpenUserTask.instance_id == instance_id)
        return list(session.scalars(query.order_by(OpenUserTask.element_id)))


def only_task(sessions: sessionmaker[Session], instance_id: int) -> OpenUserTask:
    """The single open task of a case."""
    tasks = open_tasks(sessions, instance_id)
    assert len(tasks) == 1, tasks
    return tasks[0]
