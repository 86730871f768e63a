"""Running a scenario: a fresh database, the real engine, a virtual clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from engine.clock import VirtualClock
from engine.db import Base, make_session_factory
from engine.instances import complete_task, read_workflow
from engine.intake import receive_message
from engine.models import AuditEvent, OpenUserTask, ProcessInstance, ProcessVersion, Violation
from engine.runtime import Runtime
from engine.scenarios.expectations import EXPECTATIONS, ScenarioFailure
from engine.scenarios.loader import Scenario, resolve_at
from engine.scenarios.trace import clauses_of, completed_elements, trace_events
from engine.scheduler import tick
from engine.versions import deploy_file

ACTOR = "scenario"
MESSAGE_DEFAULTS = {
    "source": "vk",
    "author": "Автор сообщения",
    "author_id": "scenario-author",
    "text": "Текст сообщения гражданина",
    "channel": "feed",
}


@dataclass
class ScenarioResult:
    """A scenario's outcome, its trace and the elements it exercised."""

    scenario: Scenario
    failure: str | None
    trace: list[dict[str, Any]] = field(default_factory=list)
    clauses: set[str] = field(default_factory=set)
    elements: set[str] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return self.failure is None


class _Run:
    """The state of one scenario run."""

    def __init__(self, scenario: Scenario, processes_dir: Path) -> None:
        self.scenario = scenario
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        Base.metadata.create_all(engine)
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        self.clock = VirtualClock(scenario.start)
        self.runtime = Runtime(clock=self.clock, processes_dir=processes_dir)
        self.instance_id: int | None = None
        self.messages = 0

    def deploy(self) -> None:
        with self.sessions.begin() as session:
            deploy_file(
                session,
                self.runtime,
                self.scenario.bpmn,
                ACTOR,
                municipality=self.scenario.municipality,
                label=self.scenario.bpmn.parent.name,
            )

    def send(self, fields: dict[str, Any]) -> None:
        self.messages += 1
        incoming = {
            **MESSAGE_DEFAULTS,
            "external_id": f"scenario-{self.messages}",
            **fields,
            "municipality": self.scenario.municipality,
            "received_at": self.clock.now().isoformat(),
        }
        with self.sessions.begin() as session:
            intake = receive_message(session, self.runtime, incoming, ACTOR)
            self.instance_id = self.instance_id or intake.result.instance.id

    def move_to(self, moment: datetime) -> None:
        self.clock.set(moment)
        while tick(self.sessions, self.runtime).advanced:
            pass

    def complete(self, step: dict[str, Any]) -> None:
        task = self._open_task(step["complete"], step.get("department"))
        if "as" in step and task.role != step["as"]:
            raise ScenarioFailure(f"{task.element_id} is in lane {task.role}, not {step['as']}")
        with self.sessions.begin() as session:
            complete_task(session, self.runtime, task.task_id, step.get("data") or {}, ACTOR)

    def open_tasks(self) -> list[OpenUserTask]:
        with self.sessions() as session:
            query = select(OpenUserTask).where(OpenUserTask.instance_id == self.instance_id)
            return list(session.scalars(query.order_by(OpenUserTask.created_at)))

    def _open_task(self, element: str, department: str | None) -> OpenUserTask:
        for task in self.open_tasks():
            if task.element_id == element and department in (None, task.department):
                return task
        raise ScenarioFailure(f"no open task {element!r}{_dept(department)}; {self.describe()}")

    def describe(self) -> str:
        tasks = [
            f"{t.element_id}{_dept(t.department)} due {_iso(t.due_at)}" for t in self.open_tasks()
        ]
        return f"open tasks at {self.clock.now().isoformat()}: {tasks or 'none'}"

    def instance(self) -> ProcessInstance:
        with self.sessions() as session:
            return session.get_one(ProcessInstance, self.instance_id)

    def violations(self) -> list[Violation]:
        with self.sessions() as session:
            query = select(Violation).where(Violation.instance_id == self.instance_id)
            return list(session.scalars(query))

    def workflow(self) -> BpmnWorkflow:
        with self.sessions() as session:
            return read_workflow(session, self.runtime, self.instance_id or 0)

    def trace(self) -> tuple[list[dict[str, Any]], set[str]]:
        """Trace lines and every element the case touched (traced or completed)."""
        with self.sessions() as session:
            events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        lines = trace_events(events)
        elements = {line["element"] for line in lines if "element" in line}
        if self.instance_id is not None:
            elements |= completed_elements(self.workflow())
        return lines, elements

    def catalog(self) -> dict[str, Any]:
        """The deployed version's catalog (empty when the deploy itself was refused)."""
        with self.sessions() as session:
            found = session.scalars(select(ProcessVersion.catalog)).one_or_none()
        return found or {"elements": {}, "lanes": {}}


def _dept(department: str | None) -> str:
    return f" [{department}]" if department else ""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def run_scenario(scenario: Scenario, processes_dir: Path) -> ScenarioResult:
    """Run every step; the first unmet expectation fails the scenario."""
    run = _Run(scenario, processes_dir)
    failure = None
    try:
        run.deploy()
        run.send(scenario.message)
        for number, step in enumerate(scenario.steps, 1):
            try:
                _do_step(run, step)
            except (ScenarioFailure, ValueError, LookupError, RuntimeError) as error:
                raise ScenarioFailure(f"step {number} {_label(step)}: {error}") from error
    except Exception as error:
        failure = str(error)
    trace, elements = run.trace()
    clauses = clauses_of(elements, run.catalog()) | set(scenario.covers)
    return ScenarioResult(scenario, failure, trace, clauses, elements)


def _label(step: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in step.items() if key != "data")


def _do_step(run: _Run, step: dict[str, Any]) -> None:
    if "at" in step:
        run.move_to(resolve_at(step["at"], run.scenario.start, run.scenario.path))
    for key, check in EXPECTATIONS.items():
        if key in step:
            check(run, step[key])
    if "tick" in step:
        run.move_to(run.clock.now())
    if "message" in step:
        run.send(step["message"] or {})
    if "complete" in step:
        run.complete(step)
