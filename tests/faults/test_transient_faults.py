"""Transient faults never park a healthy case; a failing regulation does; the worker lives on."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.db import make_session_factory
from engine.faults import Backoff, RetryPolicy
from engine.models import AuditEvent, ProcessInstance
from engine.runtime import Runtime
from engine.scheduler import due_instance_ids, tick
from engine.statuses import AuditKind, InstanceStatus
from engine.worker import run_worker
from tests.engine.helpers import deploy_example, send
from tests.faults.breakage import DroppedConnections, RaisingStatements, impatient_engine

pytestmark = pytest.mark.faults
CLAIM = r"SKIP LOCKED|RETURNING"  # the claim statement on PostgreSQL and on SQLite
AUDIT_INSERT = r"INSERT INTO audit_events"
Figure = Callable[[str, Any], None]


@pytest.fixture
def due_cases(sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock) -> list[int]:
    """Three cases, received a minute apart, whose screening deadline has passed."""
    deploy_example(sessions, runtime)
    ids = []
    for number in range(3):
        ids.append(send(sessions, runtime, external_id=str(number)).result.instance.id)
        clock.advance(timedelta(minutes=1))
    clock.advance(timedelta(hours=2))
    return ids


@pytest.fixture
def moments() -> list[float]:
    """The worker's monotonic time for backoffs, moved by the test."""
    return [0.0]


@pytest.fixture
def backoff(moments: list[float]) -> Backoff:
    """Per-case backoff of one second, doubled, on the test's monotonic time."""
    return Backoff(RetryPolicy(base_seconds=1, cap_seconds=8), monotonic=lambda: moments[0])


def fired(sessions: sessionmaker[Session]) -> Counter[tuple[int | None, str | None]]:
    """How often each timer (case, timer task id) fired."""
    query = select(AuditEvent.instance_id, AuditEvent.task_id).where(
        AuditEvent.kind == AuditKind.TIMER_FIRED
    )
    with sessions() as session:
        return Counter((row.instance_id, row.task_id) for row in session.execute(query))


def statuses(sessions: sessionmaker[Session], ids: list[int]) -> list[InstanceStatus]:
    """The cases' statuses, in the order given."""
    with sessions() as session:
        return [session.get_one(ProcessInstance, case).status for case in ids]


def test_a_connection_dropped_mid_advance_keeps_the_case_running_and_it_fires_later_once(
    db_engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    due_cases: list[int],
    backoff: Backoff,
    moments: list[float],
    report_figure: Figure,
) -> None:
    dropping = DroppedConnections(db_engine, AUDIT_INSERT)  # while saving the first case
    report = tick(sessions, runtime, backoff=backoff)
    dropping.close()
    assert list(report.retrying) == due_cases[:1] and report.advanced == due_cases[1:]
    assert report.failed == {} and statuses(sessions, due_cases) == [InstanceStatus.RUNNING] * 3
    assert due_cases[0] not in {case for case, _ in fired(sessions)}
    assert tick(sessions, runtime, backoff=backoff).advanced == []  # still backing off
    moments[0] += 1.5
    assert tick(sessions, runtime, backoff=backoff).advanced == due_cases[:1]
    counts = fired(sessions)
    assert sorted(case for case, _ in counts) == due_cases and set(counts.values()) == {1}
    report_figure("connections dropped", dropping.dropped)
    report_figure("cases", len(due_cases))


@pytest.mark.postgres
def test_a_lock_timeout_keeps_cases_running_until_the_lock_is_gone(
    db_engine: Engine,
    runtime: Runtime,
    due_cases: list[int],
    backoff: Backoff,
    moments: list[float],
    report_figure: Figure,
) -> None:
    if db_engine.dialect.name != "postgresql":
        pytest.skip("lock_timeout is PostgreSQL's")
    worker_engine = impatient_engine(db_engine)
    worker = make_session_factory(worker_engine)
    with db_engine.connect() as holder:  # e.g. a maintenance job holds the audit log
        holder.execute(text("LOCK TABLE audit_events IN EXCLUSIVE MODE"))
        report = tick(worker, runtime, backoff=backoff)
        holder.rollback()
    assert sorted(report.retrying) == due_cases and report.advanced == []
    assert all("LockNotAvailable" in reason for reason in report.retrying.values())
    assert statuses(worker, due_cases) == [InstanceStatus.RUNNING] * 3
    moments[0] += 1.5
    assert tick(worker, runtime, backoff=backoff).advanced == due_cases
    assert set(fired(worker).values()) == {1} and len(fired(worker)) == 3
    worker_engine.dispose()
    report_figure("lock timeouts", len(report.retrying))


def test_a_database_locked_by_another_process_delays_the_worker_but_loses_nothing(
    db_engine: Engine, runtime: Runtime, clock: VirtualClock, due_cases: list[int]
) -> None:
    impatient = impatient_engine(db_engine)
    worker = make_session_factory(impatient)
    sqlite = db_engine.dialect.name == "sqlite"
    holding = "BEGIN IMMEDIATE" if sqlite else "LOCK TABLE process_instances IN EXCLUSIVE MODE"
    never = threading.Event()
    with db_engine.connect() as holder:
        holder.exec_driver_sql(holding)
        assert run_worker(worker, runtime, interval_seconds=0, batch_size=10, stop=never,
                          max_ticks=1) == 1  # fmt: skip
        holder.rollback()
    with worker() as session:
        assert due_instance_ids(session, clock.now(), 10) == due_cases  # nothing lost, none fired
    run_worker(worker, runtime, interval_seconds=0, batch_size=10, stop=never, max_ticks=1)
    assert statuses(worker, due_cases) == [InstanceStatus.RUNNING] * 3
    assert set(fired(worker).values()) == {1} and len(fired(worker)) == 3
    impatient.dispose()


def test_a_failing_regulation_parks_its_case_even_when_the_first_parking_fails(
    db_engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    due_cases: list[int],
    backoff: Backoff,
    moments: list[float],
) -> None:
    with sessions.begin() as session:
        session.get_one(ProcessInstance, due_cases[0]).state = "{not json"
    dropping = DroppedConnections(db_engine, AUDIT_INSERT)  # the broken case fails before any
    report = tick(sessions, runtime, backoff=backoff)  # insert, so this drops its parking
    dropping.close()
    assert dropping.dropped == 1 and list(report.retrying) == due_cases[:1]
    assert report.failed == {} and report.advanced == due_cases[1:]
    assert statuses(sessions, due_cases)[0] is InstanceStatus.RUNNING
    moments[0] += 1.5
    parked = tick(sessions, runtime, backoff=backoff)
    assert list(parked.failed) == due_cases[:1] and "JSONDecodeError" in parked.failed[due_cases[0]]
    assert statuses(sessions, due_cases) == [InstanceStatus.ERROR] + [InstanceStatus.RUNNING] * 2
    with sessions() as session:
        failures = session.scalars(
            select(AuditEvent.instance_id).where(AuditEvent.kind == AuditKind.INSTANCE_FAILED)
        ).all()
    assert failures == due_cases[:1]


def test_the_worker_outlives_a_wake_up_that_raises(
    db_engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    due_cases: list[int],
    report_figure: Figure,
) -> None:
    bug = RaisingStatements(db_engine, CLAIM, lambda: RuntimeError("a bug in the claim"))
    wake_ups = run_worker(
        sessions,
        runtime,
        interval_seconds=0,
        batch_size=10,
        stop=threading.Event(),
        max_ticks=2,
        retry=RetryPolicy(base_seconds=0.01),
    )
    bug.close()
    assert wake_ups == 2 and bug.remaining == 0
    assert set(fired(sessions).values()) == {1} and len(fired(sessions)) == len(due_cases)
    report_figure("wake-ups that raised", 1)
