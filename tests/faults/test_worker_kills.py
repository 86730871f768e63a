"""Workers killed with `kill -9` mid-drain on PostgreSQL: every due timer fires exactly once."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing.process import BaseProcess
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.common import copy_cases
from engine.clock import VirtualClock
from engine.db import Base, make_engine, make_session_factory
from engine.models import AuditEvent, ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scheduler import due_instance_ids
from engine.statuses import AuditKind, InstanceStatus
from engine.worker import run_worker
from tests.conftest import MSK, POSTGRES_URL, PROCESSES, reset_postgres
from tests.engine.helpers import deploy_example, send

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.skipif(not POSTGRES_URL, reason="REGLAMENT_TEST_POSTGRES_URL not set"),
]
CASES = 1500  # enough that eight kills land mid-drain even when the engine is fast
WORKERS = 3
KILLS = 8
PAUSE_BETWEEN_KILLS = (0.1, 0.3)  # seconds, drawn at random
# fork: a restarted worker is draining within milliseconds (spawn would import everything again).
CONTEXT = multiprocessing.get_context("fork")


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    """An empty engine schema in the PostgreSQL test database."""
    engine = make_engine(str(POSTGRES_URL))
    reset_postgres(engine)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _drain_once(url: str, now: datetime) -> None:
    """A worker process: one wake-up, which drains every free due case, then exit."""
    engine = make_engine(url)
    runtime = Runtime(clock=VirtualClock(now), processes_dir=PROCESSES)
    sessions = make_session_factory(engine)
    run_worker(sessions, runtime, interval_seconds=0, batch_size=20, stop=threading.Event(),
               max_ticks=1)  # fmt: skip


def _start_worker(now: datetime, number: int) -> BaseProcess:
    # Its connections carry its name, so the test sees whether a kill hits it mid-transaction.
    separator = "&" if "?" in str(POSTGRES_URL) else "?"
    url = f"{POSTGRES_URL}{separator}application_name={_name(number)}"
    process = CONTEXT.Process(target=_drain_once, args=(url, now), daemon=True)
    process.start()
    return process


def _name(number: int) -> str:
    return f"fault-worker-{number}"


def _in_transaction(sessions: sessionmaker[Session], number: int) -> bool:
    """Whether a worker's connection is inside a transaction right now."""
    query = text("SELECT state FROM pg_stat_activity WHERE application_name = :name")
    with sessions() as session:
        states = session.scalars(query, {"name": _name(number)}).all()
    return any(state in ("active", "idle in transaction") for state in states)


def _fired(sessions: sessionmaker[Session]) -> Counter[tuple[int | None, str | None]]:
    query = select(AuditEvent.instance_id, AuditEvent.task_id).where(
        AuditEvent.kind == AuditKind.TIMER_FIRED
    )
    with sessions() as session:
        return Counter((row.instance_id, row.task_id) for row in session.execute(query))


@dataclass
class Kills:
    """What the killing did: timers fired by each kill, kills that hit an open transaction."""

    progress: list[int] = field(default_factory=list)
    mid_transaction: int = 0


def _kill_and_restart(
    workers: dict[int, BaseProcess], now: datetime, sessions: sessionmaker[Session]
) -> Kills:
    """Kill a random live worker KILLS times, starting a new one each time."""
    rng = random.Random(20260316)
    kills = Kills()
    while len(kills.progress) < KILLS:
        time.sleep(rng.uniform(*PAUSE_BETWEEN_KILLS))
        alive = [number for number, worker in workers.items() if worker.is_alive()]
        if not alive:
            break
        number = rng.choice(alive)
        kills.mid_transaction += _in_transaction(sessions, number)
        os.kill(workers[number].pid or 0, signal.SIGKILL)
        workers.pop(number).join()
        kills.progress.append(sum(_fired(sessions).values()))
        fresh = WORKERS + len(kills.progress) - 1  # a new name for each restarted worker
        workers[fresh] = _start_worker(now, fresh)
    return kills


def test_workers_killed_mid_drain_fire_every_due_timer_exactly_once(
    pg_engine: Engine, report_figure: Callable[[str, Any], None]
) -> None:
    sessions = make_session_factory(pg_engine)
    clock = VirtualClock(datetime(2026, 3, 16, 10, 0, tzinfo=MSK))
    runtime = Runtime(clock=clock, processes_dir=PROCESSES)
    deploy_example(sessions, runtime)
    first = send(sessions, runtime).result.instance.id
    ids = [first, *copy_cases(pg_engine, first, CASES - 1)]  # real state, own task ids each
    now = clock.now() + timedelta(hours=2)  # every screening deadline has passed
    pg_engine.dispose()  # the forked workers must not share this process's connections
    began = time.perf_counter()
    workers = {number: _start_worker(now, number) for number in range(WORKERS)}
    kills = _kill_and_restart(workers, now, sessions)
    for worker in workers.values():
        worker.join(timeout=120)
    # A killed worker's row lock lives until PostgreSQL notices the dead connection; a worker
    # that finished just before may have skipped that case: the next wake-up takes it.
    last_look = Runtime(clock=VirtualClock(now), processes_dir=PROCESSES)
    run_worker(sessions, last_look, interval_seconds=0, batch_size=50, stop=threading.Event(),
               max_ticks=1)  # fmt: skip
    seconds = time.perf_counter() - began

    fired = _fired(sessions)
    with sessions() as session:
        assert due_instance_ids(session, now, CASES) == []
        parked = session.scalar(
            select(func.count()).where(ProcessInstance.status == InstanceStatus.ERROR)
        )
        violations = session.scalar(select(func.count()).select_from(Violation))
    progress = kills.progress
    assert len(progress) == KILLS and progress[-1] < CASES, progress  # all of them mid-drain
    assert kills.mid_transaction > 0
    assert sorted({case for case, _ in fired}) == sorted(ids)
    assert set(fired.values()) == {1}, [key for key, count in fired.items() if count > 1]
    assert parked == 0 and violations == CASES
    report_figure("cases", CASES)
    report_figure("workers", WORKERS)
    report_figure("kills", len(progress))
    report_figure("kills inside a transaction", kills.mid_transaction)
    report_figure("timers fired at each kill", progress)
    report_figure("seconds", round(seconds, 1))
