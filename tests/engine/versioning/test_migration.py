"""Migrating running example cases from v1 to v2 (a shorter term... longer here, and a new step)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import complete_task
from engine.models import AuditEvent, CaseDeadline, ProcessInstance
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind, InstanceStatus
from engine.versioning.batch import cases_to_migrate, migrate_batch, plan_for
from engine.versioning.migration import MigrationPlan
from tests.engine.helpers import only_task, send
from tests.engine.versioning.helpers import deploy, example_processes

# The example's steps in order with what completes each (v2 adds «approve» after review).
STEPS: list[tuple[str, dict[str, Any]]] = [
    ("screen", {"screen_decision": "process"}),
    ("route", {"departments": ["housing"]}),
    ("draft_answer", {"answer_kind": "final", "answer_text": "Здравствуйте! Мусор вывезен."}),
    ("review", {"review_decision": "approve"}),
    ("approve", {"published_url": "https://vk.com/wall-1_1?reply=2"}),
    ("publish", {"published_url": "https://vk.com/wall-1_1?reply=3"}),
]
DATA = dict(STEPS)


@pytest.fixture
def admin_runtime(clock: VirtualClock, tmp_path: Path) -> Runtime:
    """The runtime on a processes folder with the example's v1 and v2."""
    return Runtime(clock=clock, processes_dir=example_processes(tmp_path))


def _complete(sessions: sessionmaker[Session], runtime: Runtime, instance_id: int) -> str:
    task = only_task(sessions, instance_id)
    with sessions.begin() as session:
        complete_task(session, runtime, task.task_id, DATA[task.element_id], "curator")
    return task.element_id


def _case_at(sessions: sessionmaker[Session], runtime: Runtime, number: int, steps: int) -> int:
    """A new case advanced through `steps` steps."""
    intake = send(sessions, runtime, str(number), author_id=f"id{number}")
    instance_id = intake.message.instance_id
    assert instance_id is not None
    for _ in range(steps):
        _complete(sessions, runtime, instance_id)
    return instance_id


def _plan(sessions: sessionmaker[Session], old: str, new: str, **options: Any) -> MigrationPlan:
    with sessions() as session:
        return plan_for(session, "example", old, new, **options)


def _finish(sessions: sessionmaker[Session], runtime: Runtime, instance_id: int) -> list[str]:
    done = []
    for _ in range(len(STEPS) + 1):
        with sessions() as session:
            if session.get_one(ProcessInstance, instance_id).status is InstanceStatus.COMPLETED:
                return done
        done.append(_complete(sessions, runtime, instance_id))
    raise AssertionError(f"case {instance_id} did not finish: {done}")


def _screen_due(sessions: sessionmaker[Session], instance_id: int) -> Any:
    with sessions() as session:
        query = select(CaseDeadline).where(
            CaseDeadline.instance_id == instance_id, CaseDeadline.name == "screen"
        )
        return session.scalars(query).one().due_at


def test_cases_at_every_step_migrate_the_dry_run_equals_the_real_run(
    sessions: sessionmaker[Session], admin_runtime: Runtime
) -> None:
    deploy(sessions, admin_runtime, "v1")
    cases = [_case_at(sessions, admin_runtime, number, number) for number in range(4)]
    cases.append(_case_at(sessions, admin_runtime, 9, 4))  # at publish
    deploy(sessions, admin_runtime, "v2")
    plan = _plan(sessions, "v1", "v2")
    with sessions() as session:
        assert cases_to_migrate(session, plan) == cases
    dry = migrate_batch(sessions, admin_runtime, plan, cases, "admin", dry_run=True)
    with sessions() as session:  # nothing moved
        assert cases_to_migrate(session, plan) == cases
    real = migrate_batch(sessions, admin_runtime, plan, cases, "admin", dry_run=False)
    assert [v.as_json() for v in dry] == [v.as_json() for v in real]
    assert all(verdict.can for verdict in real), [v.reason for v in real]
    assert [v.steps_before for v in real] == [[s] for s in ("screen", "route", "draft_answer")] + [
        ["review"],
        ["publish"],
    ]
    again = migrate_batch(sessions, admin_runtime, plan, cases, "admin", dry_run=False)
    assert all(verdict.already for verdict in again)  # re-running is a no-op
    with sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.INSTANCE_MIGRATED)
        ).all()
        assert sorted(event.instance_id for event in events) == cases
    finished = [_finish(sessions, admin_runtime, instance_id) for instance_id in cases]
    assert finished[0] == ["screen", "route", "draft_answer", "review", "approve", "publish"]
    assert finished[3] == ["review", "approve", "publish"]  # the new step, on v2
    assert finished[4] == ["publish"]


def test_armed_deadlines_keep_their_due_moment_unless_recomputed(
    sessions: sessionmaker[Session], admin_runtime: Runtime, clock: VirtualClock
) -> None:
    deploy(sessions, admin_runtime, "v1")
    kept, recounted = (_case_at(sessions, admin_runtime, number, 0) for number in (1, 2))
    due = _screen_due(sessions, kept)  # 1 working hour from receipt
    deploy(sessions, admin_runtime, "v2")  # 2 working hours
    [keep] = migrate_batch(
        sessions, admin_runtime, _plan(sessions, "v1", "v2"), [kept], "admin", dry_run=False
    )
    recompute = _plan(sessions, "v1", "v2", recompute=True)
    [moved] = migrate_batch(sessions, admin_runtime, recompute, [recounted], "admin", dry_run=False)
    assert _screen_due(sessions, kept) == due and keep.deadlines[0].new_text == "1 рабочий час"
    assert _screen_due(sessions, recounted) == due + timedelta(hours=1)
    assert moved.deadlines[0].old_due != moved.deadlines[0].new_due
    assert moved.deadlines[0].new_text == "2 рабочих часа"
    clock.advance(timedelta(hours=1, minutes=30))  # past the kept term, before the recounted
    tick(sessions, admin_runtime)
    with sessions() as session:
        states = {
            entry.instance_id: entry.state.value
            for entry in session.scalars(select(CaseDeadline).where(CaseDeadline.name == "screen"))
        }
    assert states == {kept: "breached", recounted: "armed"}


def test_a_case_on_a_removed_step_needs_a_mapping(
    sessions: sessionmaker[Session], admin_runtime: Runtime, tmp_path: Path
) -> None:
    deploy(sessions, admin_runtime, "v1")
    deploy(sessions, admin_runtime, "v2")
    at_approve = _case_at(sessions, admin_runtime, 1, 4)
    assert only_task(sessions, at_approve).element_id == "approve"
    back = _plan(sessions, "v2", "v1")
    [refused] = migrate_batch(sessions, admin_runtime, back, [at_approve], "admin", dry_run=True)
    assert not refused.can and "«Согласовать ответ» (approve)" in refused.reason
    mapped = _plan(sessions, "v2", "v1", mapping={"approve": "publish"})
    [dry] = migrate_batch(sessions, admin_runtime, mapped, [at_approve], "admin", dry_run=True)
    [real] = migrate_batch(sessions, admin_runtime, mapped, [at_approve], "admin", dry_run=False)
    assert dry.as_json() == real.as_json() and real.can
    assert real.steps_after == ["publish"]
    assert _finish(sessions, admin_runtime, at_approve) == ["publish"]


def test_a_broken_case_is_refused_alone_and_a_re_run_moves_no_case_twice(
    sessions: sessionmaker[Session], admin_runtime: Runtime
) -> None:
    deploy(sessions, admin_runtime, "v1")
    cases = [_case_at(sessions, admin_runtime, number, 0) for number in range(3)]
    deploy(sessions, admin_runtime, "v2")
    with sessions.begin() as session:  # the middle case's stored state is damaged
        session.get_one(ProcessInstance, cases[1]).state = "{}"
    plan = _plan(sessions, "v1", "v2")
    first = migrate_batch(sessions, admin_runtime, plan, cases, "admin", dry_run=False)
    assert [verdict.can for verdict in first] == [True, False, True]
    assert "ошибка при переносе" in first[1].reason
    with sessions() as session:
        versions = [session.get_one(ProcessInstance, case).version_id for case in cases]
    assert versions == [plan.new.id, plan.old.id, plan.new.id]  # each case whole on one version
    again = migrate_batch(sessions, admin_runtime, plan, cases, "admin", dry_run=False)
    assert [verdict.already for verdict in again] == [True, False, True]
