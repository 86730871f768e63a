"""The scheduler advances due cases only, each once, even with several workers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.models import ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scheduler import claim_due, due_instance_ids, tick
from engine.statuses import InstanceStatus
from tests.engine.helpers import deploy_example, send


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
        assert all(i.next_due_at is None for i in session.scalars(select(ProcessInstance)))


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
    assert tick(sessions, runtime).failed == {}


@pytest.mark.postgres
def test_two_workers_never_claim_the_same_case(
    sessions: sessionmaker[Session], clock: VirtualClock, cases: list[int]
) -> None:
    with sessions() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED is PostgreSQL's")
    clock.advance(timedelta(hours=1))
    with sessions.begin() as first, sessions.begin() as second:
        assert claim_due(first, cases[0], clock.now())
        assert not claim_due(second, cases[0], clock.now())
        assert claim_due(second, cases[1], clock.now())
