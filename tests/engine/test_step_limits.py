"""A step that runs away or fails at run time stops with a clear reason; other cases go on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.limits import RunawayStep, StepFailed, StepLimits
from engine.models import ProcessInstance, Violation
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import InstanceStatus
from tests.conftest import PROCESSES
from tests.engine.helpers import deploy_example, only_task, send
from tests.engine.regulations import after_deadline, deploy_regulation, store_unchecked


def _case(sessions: sessionmaker[Session], case_id: int) -> ProcessInstance:
    with sessions() as session:
        return session.get_one(ProcessInstance, case_id)


def _start_both(
    sessions: sessionmaker[Session], runtime: Runtime, deploy_broken: Callable[[], int]
) -> tuple[int, int]:
    """A case of the example regulation, then one of the version under test (now active)."""
    deploy_example(sessions, runtime)
    healthy = send(sessions, runtime, "healthy").result.instance.id
    deploy_broken()
    broken = send(sessions, runtime, "broken", author_id="id200").result.instance.id
    return healthy, broken


def _assert_parked_and_other_fired(
    sessions: sessionmaker[Session], healthy: int, broken: int, failed: dict[int, str], reason: str
) -> ProcessInstance:
    assert set(failed) == {broken}
    assert reason in failed[broken]
    parked = _case(sessions, broken)
    assert parked.status is InstanceStatus.ERROR and reason in (parked.error or "")
    with sessions() as session:
        fired = session.scalars(select(Violation.instance_id)).all()
    assert healthy in fired  # the healthy case's deadline fired in the same tick
    return parked


def test_a_stored_loop_without_wait_is_stopped_by_the_step_cap(
    sessions: sessionmaker[Session], clock: VirtualClock
) -> None:
    runtime = Runtime(clock=clock, processes_dir=PROCESSES, limits=StepLimits(engine_steps=100))
    looping = after_deadline("laps = 1", loop_while="True")  # deploy refuses it; stored before
    healthy, broken = _start_both(
        sessions, runtime, lambda: store_unchecked(sessions, runtime, looping)
    )
    clock.advance(timedelta(hours=3))
    report = tick(sessions, runtime)
    parked = _assert_parked_and_other_fired(
        sessions, healthy, broken, report.failed, "engine steps in one advance"
    )
    assert (parked.error or "").startswith("RunawayStep: more than 100 engine steps")
    assert "(элемент " in (parked.error or "")


def test_a_runaway_script_after_a_deadline_parks_its_case(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    runaway = after_deadline("for i in range(10000):\n    for j in range(10000):\n        x = i")
    healthy, broken = _start_both(
        sessions, runtime, lambda: deploy_regulation(sessions, runtime, runaway)
    )
    clock.advance(timedelta(hours=3))
    report = tick(sessions, runtime)
    parked = _assert_parked_and_other_fired(
        sessions, healthy, broken, report.failed, "iterated more than 100000 items"
    )
    assert parked.error == (
        "RunawayStep: a script or expression iterated more than 100000 items "
        "(элемент after «Шаг после срока»)"
    )


def test_a_timer_that_raises_at_run_time_parks_its_case(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    # Deploy cannot know what message.get("due") holds; at run time it is None.
    broken_timer = after_deadline(
        prepare='due_from = message.get("due")', late_timer='deadline(due_from, "1 час")'
    )
    healthy, broken = _start_both(
        sessions, runtime, lambda: deploy_regulation(sessions, runtime, broken_timer)
    )
    clock.advance(timedelta(hours=3))
    report = tick(sessions, runtime)
    parked = _assert_parked_and_other_fired(
        sessions, healthy, broken, report.failed, "моментом ISO с часовым поясом, а не None"
    )
    assert (parked.error or "").startswith("StepFailed: Error evaluating expression")
    assert (parked.error or "").endswith("(элемент late_deadline «Срок разбора»)")


def test_a_timer_that_yields_no_date_at_run_time_parks_its_case(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    no_date = after_deadline(prepare='label = message.get("text")', late_timer="label")
    healthy, broken = _start_both(
        sessions, runtime, lambda: deploy_regulation(sessions, runtime, no_date)
    )
    clock.advance(timedelta(hours=3))
    report = tick(sessions, runtime)
    _assert_parked_and_other_fired(
        sessions,
        healthy,
        broken,
        report.failed,
        "выражение таймера дало 'Не вывозят мусор', а не момент ISO с часовым поясом",
    )
    clock.advance(timedelta(hours=3))
    assert tick(sessions, runtime).failed == {}  # parked: not retried every tick


def test_a_completion_reaching_a_failing_step_is_refused_and_changes_nothing(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    runaway = after_deadline("x = 'x' * 10**10", on_complete="after")
    deploy_regulation(sessions, runtime, runaway)
    case = send(sessions, runtime, "1").result.instance.id
    task = only_task(sessions, case)
    with (
        pytest.raises(RunawayStep, match="characters is longer") as stopped,
        sessions.begin() as session,
    ):
        complete_task(session, runtime, task.task_id, {}, "executor")
    assert isinstance(stopped.value, StepFailed) and stopped.value.element_id == "after"
    assert only_task(sessions, case).task_id == task.task_id  # still open, nothing saved
    assert _case(sessions, case).status is InstanceStatus.RUNNING
