"""The live-workflow cache is invisible: a stale or rolled-back workflow is never reused."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine import live
from engine.db import make_engine, make_session_factory
from engine.instances import StaleTaskError, complete_task
from engine.models import AuditEvent, CaseDeadline, OpenUserTask, ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind
from engine.tasks import claim_task
from tests.engine.helpers import deploy_example, only_task, open_tasks, send
from tests.statements import statements

SCREEN = {"screen_decision": "process"}
ROUTE = {"departments": ["housing", "roads"]}
DRAFT = {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен 16 марта."}


def _cached(engine: Engine, instance_id: int) -> Any:
    cache = live._CACHES.get(engine)
    return None if cache is None else cache.workflows.get(instance_id)


def _row(sessions: sessionmaker[Session], instance_id: int) -> ProcessInstance:
    with sessions() as session:
        return session.get_one(ProcessInstance, instance_id)


def _complete(sessions: sessionmaker[Session], runtime: Runtime, task_id: str, data: Any) -> None:
    with sessions.begin() as session:
        complete_task(session, runtime, task_id, data, "curator1")


def _case(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    deploy_example(sessions, runtime)
    return send(sessions, runtime).result.instance.id


def test_a_committed_advance_publishes_exactly_the_saved_state(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    row = _row(sessions, case)
    published = _cached(db_engine, case)
    assert (published.revision, published.state) == (row.revision, row.state)
    _complete(sessions, runtime, only_task(sessions, case).task_id, SCREEN)
    assert _cached(db_engine, case).revision == _row(sessions, case).revision
    assert only_task(sessions, case).element_id == "route"


def test_a_rolled_back_advance_publishes_nothing_and_the_next_one_reloads(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    task_id = only_task(sessions, case).task_id
    with sessions() as session:
        complete_task(session, runtime, task_id, SCREEN, "curator1")
        session.rollback()
        session.execute(select(1))
        session.commit()  # a later commit of the same session publishes nothing either
    assert _cached(db_engine, case) is None  # taken by the rolled-back advance, never put back
    assert only_task(sessions, case).task_id == task_id
    _complete(sessions, runtime, task_id, SCREEN)  # the task is still open in the stored state
    assert only_task(sessions, case).element_id == "route"


def test_a_revision_committed_by_another_process_is_never_served_from_the_cache(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    task_id = only_task(sessions, case).task_id
    stale = _cached(db_engine, case)
    # Another process: its own engine (its own cache) on the same database advances the case.
    other = make_engine(db_engine.url.render_as_string(hide_password=False))
    try:
        _complete(make_session_factory(other), runtime, task_id, SCREEN)
    finally:
        other.dispose()
    assert _cached(db_engine, case) is stale  # this process still holds the old revision
    with pytest.raises(StaleTaskError):  # ... and never uses it: the task is done already
        _complete(sessions, runtime, task_id, SCREEN)
    route = only_task(sessions, case)
    assert route.element_id == "route"
    _complete(sessions, runtime, route.task_id, ROUTE)
    assert {task.element_id for task in open_tasks(sessions, case)} == {"draft_answer"}


def test_a_workflow_of_another_state_with_the_same_revision_is_refused(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    cache = live._CACHES[db_engine]
    entry = cache.workflows[case]
    cache.put(case, live._Live(entry.revision, entry.state + " ", entry.workflow))
    with sessions() as session:
        instance = session.get_one(ProcessInstance, case)
        loaded = live.loaded_version_by_id(session, runtime, instance.version_id)
        assert live.take_live(session, instance, loaded) is None


def test_the_oldest_cases_leave_when_their_states_exceed_the_budget(
    db_engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = _case(sessions, runtime)
    size = len(_row(sessions, first).state)
    monkeypatch.setattr(live, "LIVE_STATE_CHARS", size * 2 + size // 2)  # room for two cases
    cases = [first] + [send(sessions, runtime, str(n)).result.instance.id for n in (2, 3, 4)]
    cache = live._CACHES[db_engine]
    assert list(cache.workflows) == cases[-2:]  # the newest two, within the budget
    assert cache.state_chars == sum(len(entry.state) for entry in cache.workflows.values())
    _complete(sessions, runtime, only_task(sessions, first).task_id, SCREEN)  # loaded, not live
    assert list(cache.workflows) == [cases[-1], first]
    assert only_task(sessions, first).element_id == "route"


@pytest.mark.postgres
def test_concurrent_advances_of_one_case_on_postgres_lose_nothing(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("row locks of two connections: PostgreSQL")
    case = _case(sessions, runtime)
    _complete(sessions, runtime, only_task(sessions, case).task_id, SCREEN)
    _complete(sessions, runtime, only_task(sessions, case).task_id, ROUTE)
    first, second = (task.task_id for task in open_tasks(sessions, case))
    holding = threading.Event()
    errors: list[BaseException] = []

    def slow_first() -> None:
        try:
            with sessions.begin() as session:
                complete_task(session, runtime, first, DRAFT, "executor1")
                holding.set()
                time.sleep(0.5)  # the second draft's advance waits on this row lock
        except BaseException as error:  # reported below
            errors.append(error)
            holding.set()

    thread = threading.Thread(target=slow_first)
    thread.start()
    assert holding.wait(10)
    _complete(sessions, runtime, second, DRAFT)  # blocks until the first commits
    thread.join(10)
    assert not errors
    assert only_task(sessions, case).element_id == "review"  # both drafts counted
    with sessions() as session:
        done = session.scalars(
            select(AuditEvent.task_id).where(
                AuditEvent.instance_id == case, AuditEvent.kind == AuditKind.TASK_COMPLETED
            )
        ).all()
    assert {first, second} <= set(done)


def test_a_case_that_finishes_is_not_held(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    # No advance opens a finished case again: its workflow would only push out running ones.
    case = _case(sessions, runtime)
    assert _cached(db_engine, case) is not None
    refusal = {"screen_decision": "not_processed", "not_processed_reason": "obscenity"}
    _complete(sessions, runtime, only_task(sessions, case).task_id, refusal)
    assert _row(sessions, case).status.value == "completed"
    assert _cached(db_engine, case) is None


def test_the_next_advance_takes_the_committed_deadline_rows_without_reading_them(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    assert _cached(db_engine, case).deadlines  # the intake armed the screening's deadline
    screen = only_task(sessions, case).task_id
    with statements(db_engine) as sent:
        _complete(sessions, runtime, screen, SCREEN)
    reads = [s for s in sent if s.startswith("SELECT case_deadlines.")]
    assert not reads, sent
    cached = _cached(db_engine, case).deadlines
    with sessions() as session:
        query = select(CaseDeadline).where(CaseDeadline.instance_id == case)
        stored = session.scalars(query.order_by(CaseDeadline.id)).all()
        assert len(stored) == len(cached) > 1  # the screening's ended, the routing's armed
        for row, values in zip(stored, cached, strict=True):
            assert values == {key: getattr(row, key) for key in values}


def test_deadline_rows_the_transaction_read_first_are_the_ones_the_advance_ends(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    task_id = only_task(sessions, case).task_id
    with sessions.begin() as session:
        query = select(CaseDeadline).where(CaseDeadline.instance_id == case)
        rows = session.scalars(query).all()  # e.g. a page showed them before the submit
        (screening,) = [row for row in rows if row.task_id == task_id]
        complete_task(session, runtime, task_id, SCREEN, "curator1")
        assert not screening.state.is_open  # the advance ended this very object
    with sessions() as session:
        assert not session.get_one(CaseDeadline, screening.id).state.is_open


def test_the_next_advance_takes_the_committed_open_task_rows_without_reading_them(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    _complete(sessions, runtime, only_task(sessions, case).task_id, SCREEN)
    route = only_task(sessions, case).task_id
    with statements(db_engine) as sent:
        _complete(sessions, runtime, route, ROUTE)
    reads = [s for s in sent if s.startswith("SELECT open_user_tasks.")]  # the lock finds it
    assert not reads, sent
    cached = _cached(db_engine, case).open_tasks
    stored = {task.task_id: task for task in open_tasks(sessions, case)}
    assert {row["task_id"] for row in cached} == set(stored)  # both departments' drafts
    for values in cached:
        assert "assignee" not in values  # a claim writes it outside any advance
        assert values == {key: getattr(stored[values["task_id"]], key) for key in values}


def test_a_claim_made_after_the_commit_is_neither_lost_nor_hidden(
    db_engine: Engine, sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    case = _case(sessions, runtime)
    _complete(sessions, runtime, only_task(sessions, case).task_id, SCREEN)
    _complete(sessions, runtime, only_task(sessions, case).task_id, ROUTE)
    housing, roads = sorted(open_tasks(sessions, case), key=lambda task: str(task.department))
    # Another process claims the housing draft: the case's revision does not change.
    other = make_engine(db_engine.url.render_as_string(hide_password=False))
    try:
        with make_session_factory(other).begin() as session:
            claim_task(session, runtime, housing.task_id, "housing1")
    finally:
        other.dispose()
    with sessions.begin() as session:
        complete_task(session, runtime, roads.task_id, DRAFT, "roads1")
        # The kept row was taken from the cache; its assignee is read when asked for.
        row = session.get_one(OpenUserTask, housing.task_id)
        assert row.assignee == "housing1"
    (left,) = open_tasks(sessions, case)
    assert (left.task_id, left.assignee) == (housing.task_id, "housing1")
