"""Claim and release: one holder at a time, audited, kept across advances."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.instances import complete_task
from engine.models import AuditEvent
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.tasks import TaskClaimedError, TaskNotOpenError, claim_task, release_task
from tests.engine.helpers import deploy_example, only_task, send


@pytest.fixture
def task_id(sessions: sessionmaker[Session], runtime: Runtime) -> str:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    return only_task(sessions, case).task_id


def test_claim_then_release(
    sessions: sessionmaker[Session], runtime: Runtime, task_id: str
) -> None:
    with sessions.begin() as session:
        assert claim_task(session, runtime, task_id, "alice").assignee == "alice"
    with sessions.begin() as session:
        claim_task(session, runtime, task_id, "alice")  # claiming again is harmless
    with pytest.raises(TaskClaimedError, match="alice"), sessions.begin() as session:
        claim_task(session, runtime, task_id, "bob")
    with pytest.raises(TaskClaimedError), sessions.begin() as session:
        release_task(session, runtime, task_id, "bob")
    with sessions.begin() as session:
        assert release_task(session, runtime, task_id, "alice").assignee is None
    with sessions() as session:
        kinds = list(session.scalars(select(AuditEvent.kind).where(AuditEvent.task_id == task_id)))
    assert kinds[-3:] == [AuditKind.TASK_CLAIMED, AuditKind.TASK_CLAIMED, AuditKind.TASK_RELEASED]


def test_a_completed_task_cannot_be_claimed(
    sessions: sessionmaker[Session], runtime: Runtime, task_id: str
) -> None:
    with sessions.begin() as session:
        complete_task(session, runtime, task_id, {"screen_decision": "process"}, "alice")
    with pytest.raises(TaskNotOpenError), sessions.begin() as session:
        claim_task(session, runtime, task_id, "bob")
