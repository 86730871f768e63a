"""The scheduler claims due cases one by one: each fired once, none blocked by a held one."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.db import make_engine, make_session_factory
from engine.faults import Backoff, is_transient
from engine.instances import lock_instance
from engine.models import AuditEvent, CaseDeadline, ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scheduler import claim_due, claim_next_due, due_instance_ids, tick
from engine.statuses import AuditKind, InstanceStatus
from engine.worker import drain, run_worker
from tests.engine.helpers import deploy_example, send
from tests.statements import statements


@pytest.fixture
def cases(sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock) -> list[int]:
    """Three cases, received 0, 20 and 40 minutes apart."""
    deploy_example(sessions, runtime)
    ids = []
    for number in range(3):
        ids.append(send(sessions, runtime, external_id=str(number)).result.instance.id)
        clock.advance(timedelta(minutes=20))
    return ids


def test_only_due_cases_are_found_in_due_order(
    sessions: sessionmaker[Session], clock: VirtualClock, cases: list[int]
) -> None:
    clock.set(clock.now() + timedelta(minutes=1))  # 11:01: the first deadline (11:00) passed
    with sessions() as session:
        assert due_instance_ids(session, clock.now(), 10) == cases[:1]
        assert due_instance_ids(session, clock.now() + timedelta(hours=1), 10) == cases


def test_tick_fires_each_due_timer_once(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, cases: list[int]
) -> None:
    clock.advance(timedelta(hours=1))
    assert tick(sessions, runtime).advanced == cases
    assert tick(sessions, runtime).advanced == []
    with sessions() as session:
        assert len(session.scalars(select(Violation)).all()) == 3
        # Only the answer's overall term (a span, Пример, п. 6) is still to come: first its
        # reminder to the curator, 4 working hours before it runs out.
        spans = dict(
            session.execute(
                select(CaseDeadline.instance_id, CaseDeadline.remind_at).where(
                    CaseDeadline.name == "answer"
                )
            ).all()
        )
        instances = list(session.scalars(select(ProcessInstance)))
        assert [i.next_due_at for i in instances] == [spans[i.id] for i in instances]


def test_a_claim_says_whether_another_case_is_due_beside_it(
    sessions: sessionmaker[Session], clock: VirtualClock, cases: list[int]
) -> None:
    clock.set(clock.now() + timedelta(minutes=1))  # only the first case's deadline has passed
    later = clock.now() + timedelta(hours=1)  # all three have
    with sessions.begin() as session:
        alone = claim_due(session, clock.now())
        assert alone is not None and alone.instance.id == cases[0] and not alone.others_due
    with sessions.begin() as session:
        first = claim_due(session, later)
        assert first is not None and first.instance.id == cases[0] and first.others_due
    with sessions.begin() as session:
        last = claim_due(session, later, skip=cases[:2])
        assert last is not None and last.instance.id == cases[2] and not last.others_due


def test_a_tick_stops_on_the_claim_that_took_the_last_due_case(
    db_engine: Engine,
    sessions: sessionmaker[Session],
    runtime: Runtime,
    clock: VirtualClock,
    cases: list[int],
) -> None:
    clock.advance(timedelta(hours=1))
    with statements(db_engine) as sent:
        report = tick(sessions, runtime)
    assert report.advanced == cases and report.drained
    claims = [sql for sql in sent if "others_due" in sql]
    assert len(claims) == len(cases)  # one claim a case, none more to find that none is left
    assert tick(sessions, runtime).advanced == []  # and indeed none was left


def test_a_case_that_fails_is_parked_in_error_and_others_go_on(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, cases: list[int]
) -> None:
    with sessions.begin() as session:
        session.get_one(ProcessInstance, cases[0]).state = "{not json"
    clock.advance(timedelta(hours=1))
    report = tick(sessions, runtime)
    assert report.advanced == cases[1:] and list(report.failed) == [cases[0]]
    with sessions() as session:
        broken = session.get_one(ProcessInstance, cases[0])
    assert broken.status is InstanceStatus.ERROR and "JSONDecodeError" in (broken.error or "")
    assert broken.next_due_at is None  # parked out of the due index
    with sessions() as session:
        reasons = session.scalars(
            select(AuditEvent.data).where(AuditEvent.kind == AuditKind.INSTANCE_FAILED)
        ).all()
    assert [reason["error"] for reason in reasons] == [broken.error]
    assert tick(sessions, runtime).failed == {}


def _on_postgres(sessions: sessionmaker[Session]) -> None:
    with sessions() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's")


@pytest.mark.postgres
def test_workers_claim_different_cases_in_due_order(
    sessions: sessionmaker[Session], clock: VirtualClock, cases: list[int]
) -> None:
    _on_postgres(sessions)
    clock.advance(timedelta(hours=1))
    now = clock.now()
    with sessions.begin() as first, sessions.begin() as second, sessions.begin() as third:
        assert claim_next_due(first, now) == cases[0]
        assert claim_next_due(second, now) == cases[1]  # the first worker's case is skipped
        assert claim_next_due(third, now, skip=[cases[2]]) is None
        assert claim_next_due(third, now) == cases[2]


@pytest.mark.postgres
def test_a_case_held_by_another_transaction_does_not_stop_the_drain(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, cases: list[int]
) -> None:
    _on_postgres(sessions)
    clock.advance(timedelta(hours=1))
    with sessions.begin() as request:
        lock_instance(request, cases[0])  # a staff member completing a step of the first case
        report = drain(sessions, runtime, 1, Backoff(), threading.Event())
        assert report.advanced == cases[1:] and report.drained
    assert tick(sessions, runtime).advanced == cases[:1]  # its request ended: it fires now


def test_on_sqlite_a_second_worker_queues_behind_the_first(
    db_engine: Engine, sessions: sessionmaker[Session], clock: VirtualClock, cases: list[int]
) -> None:
    if db_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer")
    impatient = make_engine(db_engine.url.render_as_string(hide_password=False))
    event.listen(impatient, "connect", lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=50"))
    clock.advance(timedelta(hours=1))
    with sessions.begin() as first:
        assert claim_next_due(first, clock.now()) == cases[0]  # holds the write lock
        with (
            pytest.raises(OperationalError, match="database is locked") as refused,
            make_session_factory(impatient).begin() as second,
        ):
            claim_next_due(second, clock.now())
    assert is_transient(refused.value)
    with make_session_factory(impatient).begin() as second:
        assert claim_next_due(second, clock.now()) == cases[0]  # the first one let it go
    impatient.dispose()


def test_one_wake_up_drains_every_batch_without_pausing(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, cases: list[int]
) -> None:
    clock.advance(timedelta(hours=1))
    stop = threading.Event()
    assert (
        run_worker(sessions, runtime, interval_seconds=3600, batch_size=1, stop=stop, max_ticks=1)
        == 1
    )
    with sessions() as session:
        fired = session.scalars(
            select(AuditEvent.instance_id).where(AuditEvent.kind == AuditKind.TIMER_FIRED)
        ).all()
    assert sorted(fired) == cases


def test_stop_interrupts_the_sleep_between_wake_ups(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, cases: list[int]
) -> None:
    clock.advance(timedelta(hours=1))
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        args=(sessions, runtime),
        kwargs={"interval_seconds": 3600, "batch_size": 10, "stop": stop},
    )
    worker.start()
    for _ in range(200):  # until the first wake-up has drained: the worker sleeps an hour now
        with sessions() as session:
            if not due_instance_ids(session, clock.now(), 10):
                break
        time.sleep(0.05)
    stop.set()
    worker.join(timeout=10)
    assert not worker.is_alive()
    with sessions() as session:
        assert due_instance_ids(session, clock.now(), 10) == []
