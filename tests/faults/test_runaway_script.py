"""Runaway scripts among healthy cases: each is stopped and parked, the others' deadlines fire."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.limits import StepLimits
from engine.models import ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import InstanceStatus
from tests.conftest import PROCESSES
from tests.engine.helpers import deploy_example, send
from tests.engine.regulations import after_deadline, deploy_regulation, store_unchecked

pytestmark = pytest.mark.faults

HEALTHY_CASES = 6
LIMITS = StepLimits(time_seconds=2.0, memory_mb=64, engine_steps=200)
HOARD = "s = 'x' * 1000000\nkept = []\nfor i in range(10000):\n    kept.append(list(s))"
SLOW = "s = 'x' * 1000000\nfor i in range(10000):\n    t = s.replace('x', 'y')"
NESTED = "for i in range(10000):\n    for j in range(10000):\n        x = i * j"
# The step after the first deadline of each version, and the reason that must park its case.
RUNAWAYS: dict[str, tuple[str, dict[str, Any], str]] = {
    "nested loops": (NESTED, {}, "iterated more than 100000 items"),
    "huge allocation": ("x = [0] * 10**9", {}, "a list of 1000000000 items"),
    "doubling string": ("s = 'ab'\nfor i in range(64):\n    s += s", {}, "characters is longer"),
    "slow work": (SLOW, {}, "ran longer than 2 s"),
    "memory hoarding": (HOARD, {}, "grew the process's memory"),
    "loop without wait": ("laps = 1", {"loop_while": "True"}, "more than 200 engine steps"),
}


@pytest.fixture
def limited(clock: VirtualClock) -> Runtime:
    """The runtime with a short time budget, so that the suite stays fast."""
    return Runtime(clock=clock, processes_dir=PROCESSES, limits=LIMITS)


def _start_runaways(sessions: sessionmaker[Session], runtime: Runtime) -> dict[int, str]:
    cases = {}
    for number, (name, (after, options, _reason)) in enumerate(RUNAWAYS.items()):
        xml = after_deadline(after, **options)
        # deploy refuses a loop without a wait state: store it as an older engine did
        store: Callable[..., int] = deploy_regulation
        if "loop_while" in options:
            store = store_unchecked
        store(sessions, runtime, xml, label=f"runaway{number}")
        intake = send(sessions, runtime, f"runaway{number}", author_id=f"runaway{number}")
        cases[intake.result.instance.id] = name
    return cases


def test_runaway_scripts_are_parked_and_healthy_deadlines_fire(
    sessions: sessionmaker[Session],
    limited: Runtime,
    clock: VirtualClock,
    db_engine: Engine,
    report_figure: Callable[[str, Any], None],
) -> None:
    deploy_example(sessions, limited)
    healthy = [send(sessions, limited, f"ok{n}").result.instance.id for n in range(HEALTHY_CASES)]
    runaways = _start_runaways(sessions, limited)
    clock.advance(timedelta(hours=3))  # every first deadline (1 hour) has passed

    started = time.perf_counter()
    report = tick(sessions, limited)
    elapsed = time.perf_counter() - started

    assert set(report.failed) == set(runaways)
    assert sorted(report.advanced) == sorted(healthy)
    with sessions() as session:
        for case_id, name in runaways.items():
            parked = session.get_one(ProcessInstance, case_id)
            assert parked.status is InstanceStatus.ERROR, name
            assert RUNAWAYS[name][2] in (parked.error or ""), (name, parked.error)
            assert "(элемент " in (parked.error or ""), name
        fired = set(session.scalars(select(Violation.instance_id)))
    assert fired == set(healthy)
    _assert_database_is_free(db_engine, min(runaways))
    clock.advance(timedelta(hours=3))
    assert tick(sessions, limited).failed == {}  # parked cases are not retried

    report_figure("healthy cases fired", len(healthy))
    report_figure("runaway cases parked", len(runaways))
    report_figure("time budget per advance, s", LIMITS.time_seconds)
    report_figure("memory budget per advance, MB", LIMITS.memory_mb)
    report_figure("engine steps per advance", LIMITS.engine_steps)
    report_figure("tick with every runaway, s", round(elapsed, 2))


def _assert_database_is_free(db_engine: Engine, case_id: int) -> None:
    """Another writer gets the parked case's row at once: no lock was left behind."""
    if db_engine.dialect.name == "sqlite":
        path = db_engine.url.database
        assert path is not None
        connection = sqlite3.connect(path, timeout=0)  # a held lock fails at once
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "UPDATE process_instances SET revision = revision WHERE id = ?", (case_id,)
            )
            connection.commit()
        finally:
            connection.close()
        return
    with db_engine.connect() as connection:
        query = "SELECT id FROM process_instances WHERE id = :id FOR UPDATE NOWAIT"
        assert connection.execute(text(query), {"id": case_id}).scalar() == case_id
        connection.rollback()
