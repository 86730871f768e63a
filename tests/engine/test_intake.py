"""Incoming messages: malformed and duplicate ones refused, repeats reach the running case."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.intake import DuplicateMessage, InvalidMessage, receive_message
from engine.models import AuditEvent, Message, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind
from tests.engine.helpers import deploy_example, incoming, only_task, send


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(autouse=True)
def _deployed(sessions: sessionmaker[Session], runtime: Runtime) -> None:
    deploy_example(sessions, runtime)


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"text": ""}, "text"),
        ({"received_at": "2026-03-16T10:00:00"}, "received_at"),
        ({"received_at": "вчера"}, "received_at"),
        ({"channel": "telegraph"}, "channel"),
        ({"url": "not a url"}, "url"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_malformed_message_is_refused_and_nothing_is_stored(
    sessions: sessionmaker[Session], runtime: Runtime, fields: dict[str, object], bad_field: str
) -> None:
    with pytest.raises(InvalidMessage) as refused:
        send(sessions, runtime, **fields)
    assert bad_field in refused.value.errors
    assert _count(sessions, Message) == 0 and _count(sessions, ProcessInstance) == 0


def test_duplicate_message_is_refused_and_points_at_its_case(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    first = send(sessions, runtime, external_id="42")
    with pytest.raises(DuplicateMessage) as refused:
        send(sessions, runtime, external_id="42", text="другой текст")
    assert refused.value.instance_id == first.result.instance.id
    assert f"case {first.result.instance.id}" in str(refused.value)
    assert _count(sessions, Message) == 1


def test_a_duplicate_that_would_start_a_case_leaves_no_case_in_the_shared_transaction(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    send(sessions, runtime, external_id="42", thread_id="post-1")
    with sessions.begin() as session:  # as the importer does: one transaction, rows refused
        with pytest.raises(DuplicateMessage):
            # Another thread: the intake inserts a new case's row before it finds the twin.
            receive_message(session, runtime, incoming(runtime, "42", thread_id="post-2"), "vk")
        receive_message(session, runtime, incoming(runtime, "43"), "vk")
    assert _count(sessions, Message) == 2 and _count(sessions, ProcessInstance) == 2


def test_repeat_message_reaches_the_running_case(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    from engine.instances import complete_task

    first = send(sessions, runtime, external_id="1", thread_id="post-7")
    case = first.result.instance.id
    for data in ({"screen_decision": "process"}, {"departments": ["roads"]}):
        with sessions.begin() as session:
            complete_task(session, runtime, only_task(sessions, case).task_id, data, "c")
    repeat = send(sessions, runtime, external_id="2", thread_id="post-7", text="Ну где ответ?")
    assert repeat.repeat and repeat.message.instance_id == case
    other = send(sessions, runtime, external_id="3", thread_id="post-8")
    assert not other.repeat and other.result.instance.id != case
    with sessions() as session:
        state = json.loads(session.get_one(ProcessInstance, case).state)
        kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.instance_id == case)))
    noted = [t for t in state["tasks"].values() if t["task_spec"] == "note_repeat_message"]
    assert noted and noted[0]["delta"]["updates"]["measures_required"] is True
    assert AuditKind.MESSAGE_CORRELATED in kinds


def test_repeat_from_another_author_starts_its_own_case(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    first = send(sessions, runtime, external_id="1", thread_id="post-7", author_id="a")
    second = send(sessions, runtime, external_id="2", thread_id="post-7", author_id="b")
    assert second.result.instance.id != first.result.instance.id
