"""Cases advance through one locked entry point; bad or stale input changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.forms import FormError
from engine.instances import StaleTaskError, complete_task
from engine.models import AuditEvent, OpenUserTask, ProcessInstance, Violation
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.versions import clear_cache
from tests.conftest import MSK
from tests.engine.helpers import deploy_example, only_task, open_tasks, send


@pytest.fixture
def case(sessions: sessionmaker[Session], runtime: Runtime) -> int:
    """A new example case waiting at screening."""
    deploy_example(sessions, runtime)
    return send(sessions, runtime).result.instance.id


def _complete(
    sessions: sessionmaker[Session], runtime: Runtime, task_id: str, **data: object
) -> None:
    with sessions.begin() as session:
        complete_task(session, runtime, task_id, dict(data), "curator1")


def _instance(sessions: sessionmaker[Session], case: int) -> ProcessInstance:
    with sessions() as session:
        return session.get_one(ProcessInstance, case)


def test_a_message_starts_a_case_with_its_first_task_projected(
    sessions: sessionmaker[Session], case: int
) -> None:
    task = only_task(sessions, case)
    assert (task.element_id, task.role, task.lane, task.form_key) == (
        "screen",
        "curator",
        "Куратор",
        "screen",
    )
    assert task.due_at == (task.created_at + timedelta(hours=1))
    instance = _instance(sessions, case)
    assert instance.status is InstanceStatus.RUNNING
    assert instance.next_due_at == task.due_at


def test_state_is_stored_without_the_spec(sessions: sessionmaker[Session], case: int) -> None:
    state = json.loads(_instance(sessions, case).state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert state["data"]["received_at"] == "2026-03-16T07:00:00+00:00"


def test_case_survives_a_restart(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    clear_cache()  # a new process: nothing cached
    _complete(sessions, runtime, only_task(sessions, case).task_id, screen_decision="process")
    assert only_task(sessions, case).element_id == "route"


def test_invalid_form_is_refused_per_field_and_changes_nothing(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    task = only_task(sessions, case)
    before = _instance(sessions, case).state
    with pytest.raises(FormError) as refused:
        _complete(sessions, runtime, task.task_id, screen_decision="not_processed")
    assert refused.value.errors == {"not_processed_reason": ["Укажите основание."]}
    with pytest.raises(FormError) as refused:
        _complete(sessions, runtime, task.task_id, screen_decision="maybe", extra=1)
    assert set(refused.value.errors) == {"screen_decision", "extra"}
    assert _instance(sessions, case).state == before
    assert only_task(sessions, case).task_id == task.task_id


def test_double_submit_is_refused_naming_who_completed(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    task = only_task(sessions, case)
    _complete(sessions, runtime, task.task_id, screen_decision="process")
    revision = _instance(sessions, case).revision
    with pytest.raises(StaleTaskError, match="already completed by curator1"):
        _complete(sessions, runtime, task.task_id, screen_decision="process")
    assert _instance(sessions, case).revision == revision


def test_stale_submit_past_the_projection_is_refused_by_the_locked_state(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    """Two users load the same task; the second finds the state moved on under the lock."""
    task = only_task(sessions, case)
    with sessions.begin() as first, sessions.begin() as second:
        row = second.get_one(OpenUserTask, task.task_id)  # second user's form is open
        complete_task(first, runtime, task.task_id, {"screen_decision": "process"}, "alice")
        first.commit()
        assert row.element_id == "screen"
        with pytest.raises(StaleTaskError, match="alice"):
            complete_task(
                second,
                runtime,
                task.task_id,
                {
                    "screen_decision": "redirect",
                    "redirect_to": "X",
                    "redirect_reasons": "Y",
                    "redirect_phone": "+7 342 200-00-00",
                    "redirect_email": "x@example.ru",
                    "redirect_site": "https://x.example.ru",
                },
                "bob",
            )
    assert only_task(sessions, case).element_id == "route"


def test_multi_instance_routing_projects_one_task_per_department(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    _complete(sessions, runtime, only_task(sessions, case).task_id, screen_decision="process")
    _complete(
        sessions, runtime, only_task(sessions, case).task_id, departments=["transport", "roads"]
    )
    tasks = open_tasks(sessions, case)
    assert sorted((t.element_id, t.department, t.role) for t in tasks) == [
        ("draft_answer", "roads", "executor"),
        ("draft_answer", "transport", "executor"),
    ]
    # 10:00 Monday + 8 working hours (lunch 13–14) = 19:00 → Tuesday 10:00.
    assert {t.due_at for t in tasks} == {runtime.clock.now() + timedelta(hours=24)}


def test_passed_deadline_records_a_violation_with_its_clause(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock, case: int
) -> None:
    from engine.scheduler import tick

    clock.advance(timedelta(hours=1, minutes=1))
    assert tick(sessions, runtime).advanced == [case]
    with sessions() as session:
        violation = session.scalars(select(Violation)).one()
        kinds = [e.kind for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert (violation.element_id, violation.timer_element_id) == ("screen", "screen_deadline")
    assert violation.clause == "Пример, п. 2"
    assert violation.due_at.astimezone(MSK).hour == 11
    assert kinds[-2:] == [AuditKind.TIMER_FIRED, AuditKind.VIOLATION]
    # The non-interrupting deadline leaves the task open, shown as overdue.
    assert only_task(sessions, case).due_at == violation.due_at


def test_audit_log_records_each_change_with_actor(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    _complete(
        sessions,
        runtime,
        only_task(sessions, case).task_id,
        screen_decision="not_processed",
        not_processed_reason="obscenity",
    )
    with sessions() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.instance_id == case)))
    assert [(e.kind, e.actor) for e in events] == [
        (AuditKind.INSTANCE_STARTED, "vk"),
        (AuditKind.TASK_READY, "vk"),
        (AuditKind.TASK_COMPLETED, "curator1"),
        (AuditKind.INSTANCE_COMPLETED, "curator1"),
    ]
    assert events[2].data["values"]["not_processed_reason"] == "obscenity"
    assert _instance(sessions, case).status is InstanceStatus.COMPLETED
    assert open_tasks(sessions, case) == []


def test_stored_state_is_far_smaller_than_spiffs_full_serialization(
    sessions: sessionmaker[Session], runtime: Runtime, case: int
) -> None:
    from engine.bpmn.serialization import full_serialization, load_state
    from engine.models import ProcessVersion
    from engine.versions import load_version

    instance = _instance(sessions, case)
    with sessions() as session:
        loaded = load_version(session.get_one(ProcessVersion, instance.version_id), runtime)
    workflow = load_state(
        instance.state, loaded.spec, loaded.subprocess_specs, loaded.script_engine
    )
    full = full_serialization(workflow)
    assert '"spec"' in full and len(instance.state) < len(full) / 2
