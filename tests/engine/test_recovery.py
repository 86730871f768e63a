"""A parked case resumes (audited, its due timers fire), or stops again with the new reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.cli import main
from engine.clock import VirtualClock
from engine.db import Base, make_engine, make_session_factory
from engine.models import AuditEvent, ProcessInstance, Violation
from engine.recovery import InstanceNotParked, retry_case
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind, InstanceStatus
from tests.conftest import PROCESSES
from tests.engine.helpers import deploy_example, send


def park_with_broken_state(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> tuple[int, str]:
    """A due case whose state cannot be read: the worker parks it. Returns it and its state."""
    instance_id = send(sessions, runtime).result.instance.id
    with sessions.begin() as session:
        instance = session.get_one(ProcessInstance, instance_id)
        good_state, instance.state = instance.state, "{not json"
    clock.advance(timedelta(hours=2))  # the screening deadline (1 working hour) passed
    assert list(tick(sessions, runtime).failed) == [instance_id]
    return instance_id, good_state


def _kinds(session: Session, instance_id: int) -> list[AuditKind]:
    query = select(AuditEvent.kind).where(AuditEvent.instance_id == instance_id)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_resumed_case_runs_again_and_its_missed_deadline_fires_once(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    instance_id, good_state = park_with_broken_state(sessions, runtime, clock)
    with sessions.begin() as session:  # the administrator repaired what broke it
        session.get_one(ProcessInstance, instance_id).state = good_state
    with sessions.begin() as session:
        result = retry_case(session, runtime, instance_id, "example.admin")
    assert not result.parked_again and result.advanced and result.advanced.fired_timers
    with sessions() as session:
        instance = session.get_one(ProcessInstance, instance_id)
        assert instance.status is InstanceStatus.RUNNING and instance.error is None
        assert instance.next_due_at is None or instance.next_due_at > clock.now()
        kinds = _kinds(session, instance_id)
        retried = session.scalars(
            select(AuditEvent).where(AuditEvent.kind == AuditKind.INSTANCE_RETRIED)
        ).one()
        assert session.scalars(select(Violation)).one().instance_id == instance_id
    assert kinds.count(AuditKind.TIMER_FIRED) == 1
    assert kinds.index(AuditKind.INSTANCE_FAILED) < kinds.index(AuditKind.INSTANCE_RETRIED)
    assert retried.actor == "example.admin"
    assert "JSONDecodeError" in retried.data["previous_error"]
    assert tick(sessions, runtime).advanced == []  # nothing left due: fired exactly once


def test_a_case_that_fails_again_is_parked_again_with_the_new_reason(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    instance_id, _ = park_with_broken_state(sessions, runtime, clock)
    with sessions.begin() as session:
        session.get_one(ProcessInstance, instance_id).state = "[]"  # a different breakage
    with sessions.begin() as session:
        result = retry_case(session, runtime, instance_id, "example.admin")
    assert result.parked_again and result.error and "JSONDecodeError" not in result.error
    with sessions() as session:
        instance = session.get_one(ProcessInstance, instance_id)
        kinds = _kinds(session, instance_id)
    assert instance.status is InstanceStatus.ERROR and instance.error == result.error
    assert kinds[-2:] == [AuditKind.INSTANCE_RETRIED, AuditKind.INSTANCE_FAILED]
    assert AuditKind.TIMER_FIRED not in kinds


def test_only_a_parked_case_can_be_resumed(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    deploy_example(sessions, runtime)
    instance_id = send(sessions, runtime).result.instance.id
    with sessions.begin() as session, pytest.raises(InstanceNotParked, match="running"):
        retry_case(session, runtime, instance_id, "example.admin")


def test_the_command_line_lists_shows_and_resumes_parked_cases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: VirtualClock
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("REGLAMENT_DATABASE_URL", url)
    monkeypatch.setenv("REGLAMENT_PROCESSES_DIR", str(PROCESSES))
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    sessions = make_session_factory(engine)
    runtime = Runtime(clock=clock, processes_dir=PROCESSES)
    deploy_example(sessions, runtime)
    instance_id, good_state = park_with_broken_state(sessions, runtime, clock)
    runner = CliRunner()
    listed = runner.invoke(main, ["case", "list", "--status", "error"])
    assert listed.exit_code == 0 and f"{instance_id}\texample\terror" in listed.output
    assert "JSONDecodeError" in runner.invoke(main, ["case", "show", str(instance_id)]).output
    again = runner.invoke(main, ["case", "retry", str(instance_id), "--actor", "ops"])
    assert again.exit_code == 1 and "failed again and stays parked" in again.output
    with sessions.begin() as session:
        session.get_one(ProcessInstance, instance_id).state = good_state
    resumed = runner.invoke(main, ["case", "retry", str(instance_id), "--actor", "ops"])
    assert resumed.exit_code == 0 and "resumed: running" in resumed.output, resumed.output
    refused = runner.invoke(main, ["case", "retry", str(instance_id)])
    assert refused.exit_code == 1 and "not parked" in refused.output
    assert runner.invoke(main, ["case", "retry", "999"]).exit_code == 1
    with sessions() as session:
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.kind == AuditKind.INSTANCE_RETRIED)
        ).all()
    assert actors == ["ops", "ops"]
    engine.dispose()
