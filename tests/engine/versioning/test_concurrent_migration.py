"""A migration while a worker fires the same cases' timers: every case whole, once each."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.models import CaseDeadline, ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import DeadlineState
from engine.versioning.batch import migrate_batch, plan_for
from tests.engine.helpers import send
from tests.engine.versioning.helpers import deploy, example_processes

CASES = 8


@pytest.fixture
def admin_runtime(clock: VirtualClock, tmp_path: Path) -> Runtime:
    """The runtime on a processes folder with the example's v1 and v2."""
    return Runtime(clock=clock, processes_dir=example_processes(tmp_path))


def test_migrating_while_a_worker_fires_timers(
    sessions: sessionmaker[Session], admin_runtime: Runtime, clock: VirtualClock
) -> None:
    deploy(sessions, admin_runtime, "v1")
    cases = [
        send(sessions, admin_runtime, str(n), author_id=f"id{n}").message.instance_id
        for n in range(CASES)
    ]
    deploy(sessions, admin_runtime, "v2")
    clock.advance(timedelta(hours=3))  # every screening term (1 working hour) has passed
    with sessions() as session:
        plan = plan_for(session, "example", "v1", "v2")
    stop = threading.Event()
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            while not stop.is_set():
                tick(sessions, admin_runtime, batch_size=2)
        except BaseException as error:  # reported below
            errors.append(error)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        verdicts = migrate_batch(
            sessions, admin_runtime, plan, [c for c in cases if c], "admin", dry_run=False
        )
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert all(verdict.can for verdict in verdicts)
    tick(sessions, admin_runtime)
    with sessions() as session:
        versions = set(session.scalars(select(ProcessInstance.version_id)))
        assert versions == {plan.new.id}
        breached = session.scalars(
            select(CaseDeadline.state).where(CaseDeadline.name == "screen")
        ).all()
        assert breached == [DeadlineState.BREACHED] * CASES
        violations = session.scalar(select(func.count()).select_from(Violation))
        assert violations == CASES  # each breach recorded once, whoever fired it
