"""A step done again goes to its last author: read from the case's own record, or, for a case
from before that record, from the audit log."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import create_user
from engine.instances import complete_task
from engine.models import ProcessInstance
from engine.projection import STEP_AUTHORS
from engine.runtime import Runtime
from tests.engine.helpers import deploy_example, open_tasks, send
from tests.statements import statements

DRAFT = {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен."}
REWORK = {"review_decision": "rework", "rework_reasons": ["formal"]}


def _staff(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for login, department in (("housing1", "housing"), ("roads1", "roads")):
            create_user(
                session,
                login=login,
                password="long-password",
                full_name=login,
                roles=["executor"],
                municipality="example",
                department=department,
            )


def _complete(
    sessions: sessionmaker[Session], runtime: Runtime, case: int, element: str, data: dict
) -> None:
    for task in [t for t in open_tasks(sessions, case) if t.element_id == element]:
        with sessions.begin() as session:
            actor = f"{task.department}1" if task.department else "curator1"
            complete_task(session, runtime, task.task_id, data, actor)


def _drafted(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    deploy_example(sessions, runtime)
    _staff(sessions)
    case = send(sessions, runtime).result.instance.id
    _complete(sessions, runtime, case, "screen", {"screen_decision": "process"})
    _complete(sessions, runtime, case, "route", {"departments": ["housing", "roads"]})
    _complete(sessions, runtime, case, "draft_answer", DRAFT)
    return case


def _redo_assignees(sessions: sessionmaker[Session], case: int) -> dict[str | None, str | None]:
    return {
        task.department: task.assignee
        for task in open_tasks(sessions, case)
        if task.element_id == "draft_answer"
    }


def test_a_new_case_gives_a_redo_to_its_author_without_reading_the_audit_log(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _drafted(sessions, runtime)
    with sessions() as session:
        state = json.loads(session.get_one(ProcessInstance, case).state)
    assert state["data"][STEP_AUTHORS]["draft_answer"] == {"housing": "housing1", "roads": "roads1"}
    with statements(db_engine) as sent:
        _complete(sessions, runtime, case, "review", REWORK)
    assert not [s for s in sent if s.startswith("SELECT") and "FROM audit_events" in s], sent
    assert _redo_assignees(sessions, case) == {"housing": "housing1", "roads": "roads1"}


@pytest.mark.parametrize("redo_twice", [False, True])
def test_a_case_from_before_the_record_finds_its_authors_in_the_audit_log(
    sessions: sessionmaker[Session], runtime: Runtime, redo_twice: bool
) -> None:
    case = _drafted(sessions, runtime)
    with sessions.begin() as session:
        instance = session.get_one(ProcessInstance, case)
        state = json.loads(instance.state)
        del state["data"][STEP_AUTHORS]  # as a case started before the record existed
        instance.state = json.dumps(state)  # a state the live workflow is not: it is read
    _complete(sessions, runtime, case, "review", REWORK)
    if redo_twice:
        _complete(sessions, runtime, case, "draft_answer", DRAFT)
        _complete(sessions, runtime, case, "review", REWORK)
    assert _redo_assignees(sessions, case) == {"housing": "housing1", "roads": "roads1"}
    with sessions() as session:
        stored = session.scalar(select(ProcessInstance.state).where(ProcessInstance.id == case))
    assert STEP_AUTHORS not in json.loads(stored or "{}")["data"]
