"""Running a scenario: a fresh database, the real engine, a virtual clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from engine.clock import VirtualClock
from engine.db import Base, make_session_factory
from engine.instances import complete_task, read_workflow
from engine.intake import receive_message
from engine.intake_forms import INTAKE_FORMS
from engine.models import (
    AuditEvent,
    CaseDeadline,
    DutyOccurrence,
    Message,
    Notice,
    OpenUserTask,
    ProcessInstance,
    ProcessVersion,
    Violation,
)
from engine.regulation.table import DeadlineTable, table_from_dict
from engine.runtime import Runtime
from engine.scenarios.actions import FORM_KEY
from engine.scenarios.keys import ACTIONS, EXPECTATIONS
from engine.scenarios.loader import Scenario, ScenarioFormatError, load_scenario
from engine.scenarios.readable import in_zone, listing, moment_text, readable
from engine.scenarios.refusals import REFUSED_KEY, perform_refused, refusal_text
from engine.scenarios.registry import ScenarioFailure, fail
from engine.scenarios.trace import clauses_of, completed_elements, trace_events
from engine.scheduler import tick
from engine.timers import all_tasks
from engine.traceability import cited_clauses
from engine.versions import VersionFiles, deploy_files

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

    path: Path
    name: str
    failure: str | None
    trace: list[dict[str, Any]] = field(default_factory=list)
    clauses: set[str] = field(default_factory=set)
    elements: set[str] = field(default_factory=set)
    deadlines: set[str] = field(default_factory=set)  # the table's deadlines the run armed
    cited: set[str] = field(default_factory=set)  # every clause the deployed version cites

    @property
    def passed(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class ReachedEnd:
    """A completed end event of the case and the clauses its documentation cites."""

    element_id: str
    clauses: tuple[str, ...]


@dataclass(frozen=True)
class CompletedTask:
    """A task the scenario completed, so `again: true` can submit it once more."""

    element_id: str
    department: str | None
    task_id: str


class _Run:
    """The state of one scenario run."""

    def __init__(
        self, scenario: Scenario, processes_dir: Path, files: VersionFiles | None = None
    ) -> None:
        self.scenario = scenario
        self.files = files or VersionFiles.read(scenario.bpmn, processes_dir)
        self.zone = scenario.zone
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        Base.metadata.create_all(engine)
        self.sessions: sessionmaker[Session] = make_session_factory(engine)
        self.clock = VirtualClock(scenario.start)
        self.runtime = Runtime(clock=self.clock, processes_dir=processes_dir)
        self.instance_id: int | None = None
        self.messages = 0
        self.last_incoming: dict[str, Any] | None = None
        self.completed: list[CompletedTask] = []

    def moment(self, value: datetime | None) -> str:
        """A moment as failure messages print it: in the municipality's zone."""
        return moment_text(value, self.zone)

    def deploy(self) -> None:
        with self.sessions.begin() as session:
            deploy_files(
                session,
                self.runtime,
                self.files,
                ACTOR,
                municipality=self.scenario.municipality,
                label=self.scenario.bpmn.parent.name,
            )

    def send(self, fields: dict[str, Any]) -> None:
        """An incoming message: defaults fill the rest, or an intake form builds it."""
        self.messages += 1
        if FORM_KEY in fields:
            values = {name: value for name, value in fields.items() if name != FORM_KEY}
            form = INTAKE_FORMS[fields[FORM_KEY]]
            incoming = form.build(values, self.scenario.municipality, self.zone, self.clock.now())
        else:
            incoming = {
                **MESSAGE_DEFAULTS,
                "external_id": f"scenario-{self.messages}",
                **fields,
                "municipality": self.scenario.municipality,
                "received_at": self.clock.now().isoformat(),
            }
        self._receive(incoming)

    def send_again(self, fields: dict[str, Any]) -> None:
        """The last message delivered once more (its fields overridden by `fields`)."""
        if self.last_incoming is None:
            fail("no message was delivered before to send again")
        self._receive({**self.last_incoming, **fields})

    def _receive(self, incoming: dict[str, Any]) -> None:
        with self.sessions.begin() as session:
            intake = receive_message(session, self.runtime, incoming, ACTOR)
            # A linked case (a repeat after the case closed) becomes the case the steps follow.
            if self.instance_id is None or intake.linked_to is not None:
                self.instance_id = intake.result.instance.id
        self.last_incoming = incoming

    def move_to(self, moment: datetime) -> None:
        self.clock.set(moment)
        while tick(self.sessions, self.runtime).advanced:
            pass
        if self.instance_id is None and self.scenario.duty is not None:
            self.instance_id = self.duty_cases()[0].instance_id if self.duty_cases() else None

    def duty_cases(self) -> list[DutyOccurrence]:
        """The occurrences of the scenario's duty (every duty's without one), earliest first."""
        with self.sessions() as session:
            query = select(DutyOccurrence).order_by(DutyOccurrence.occurs_at)
            if self.scenario.duty is not None:
                query = query.where(DutyOccurrence.process_id == self.scenario.duty)
            return list(session.scalars(query))

    def complete(self, step: dict[str, Any]) -> None:
        """Complete the open task of the step; `again: true` resubmits the last completed one."""
        element, department = step["complete"], step.get("department")
        if step.get("again"):
            task_id = self._completed_before(element, department)
        else:
            task = self._open_task(element, department)
            if "as" in step and task.role != step["as"]:
                fail(f"{task.element_id} is in lane {task.role}, not {step['as']}")
            task_id, department = task.task_id, task.department
        with self.sessions.begin() as session:
            complete_task(session, self.runtime, task_id, step.get("data") or {}, ACTOR)
        self.completed.append(CompletedTask(element, department, task_id))

    def _completed_before(self, element: str, department: str | None) -> str:
        for done in reversed(self.completed):
            if done.element_id == element and department in (None, done.department):
                return done.task_id
        fail(f"no task {element}{_dept(department)} was completed earlier to complete again")

    def open_tasks(self) -> list[OpenUserTask]:
        with self.sessions() as session:
            query = select(OpenUserTask).where(OpenUserTask.instance_id == self.instance_id)
            return list(session.scalars(query.order_by(OpenUserTask.created_at)))

    def _open_task(self, element: str, department: str | None) -> OpenUserTask:
        for task in self.open_tasks():
            if task.element_id == element and department in (None, task.department):
                return task
        fail(f"no open task {element}{_dept(department)}; {self.describe()}")

    def describe(self) -> str:
        """The open tasks now, each with its lane and due moment in the municipality's zone."""
        tasks = [
            f"{t.element_id}{_dept(t.department)} ({t.role or 'no lane'}) "
            f"due {self.moment(t.due_at)}"
            for t in self.open_tasks()
        ]
        return f"open tasks at {self.moment(self.clock.now())}: {listing(tasks)}"

    def instance(self) -> ProcessInstance:
        with self.sessions() as session:
            return session.get_one(ProcessInstance, self.instance_id)

    def violations(self) -> list[Violation]:
        with self.sessions() as session:
            query = select(Violation).where(Violation.instance_id == self.instance_id)
            return list(session.scalars(query.order_by(Violation.id)))

    def notices(self) -> list[Notice]:
        with self.sessions() as session:
            query = select(Notice).where(Notice.instance_id == self.instance_id)
            return list(session.scalars(query.order_by(Notice.id)))

    def all_deadlines(self) -> list[CaseDeadline]:
        with self.sessions() as session:
            return list(session.scalars(select(CaseDeadline)))

    def deadlines(self) -> list[CaseDeadline]:
        with self.sessions() as session:
            query = select(CaseDeadline).where(CaseDeadline.instance_id == self.instance_id)
            return list(session.scalars(query.order_by(CaseDeadline.id)))

    def workflow(self, instance_id: int | None = None) -> BpmnWorkflow:
        with self.sessions() as session:
            return read_workflow(session, self.runtime, instance_id or self.instance_id or 0)

    def reached_ends(self) -> list[ReachedEnd]:
        """Every completed end event of the case, in the workflow and its subprocesses."""
        elements = self.catalog()["elements"]
        return [
            ReachedEnd(task.task_spec.bpmn_id, tuple(elements[task.task_spec.bpmn_id]["clauses"]))
            for task in all_tasks(self.workflow(), TaskState.COMPLETED)
            if elements.get(task.task_spec.bpmn_id or "", {}).get("type") == "endEvent"
        ]

    def snapshot(self) -> dict[str, Any]:
        """What a refused action must leave as it was, part by part."""
        with self.sessions() as session:
            cases = session.execute(
                select(
                    ProcessInstance.id,
                    ProcessInstance.status,
                    ProcessInstance.revision,
                    ProcessInstance.state,
                    ProcessInstance.next_due_at,
                ).order_by(ProcessInstance.id)
            )
            return {
                "cases (status, revision, state)": [tuple(row) for row in cases],
                "open tasks": sorted(session.scalars(select(OpenUserTask.task_id))),
                "messages": _count(session, Message),
                "violations": _count(session, Violation),
                "audit log": _count(session, AuditEvent),
            }

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

    def table(self) -> DeadlineTable:
        """The deployed version's deadline table (empty for an old-format table)."""
        with self.sessions() as session:
            stored = session.scalars(select(ProcessVersion.deadline_table)).one_or_none()
        return table_from_dict(stored)

    def deployed(self) -> bool:
        with self.sessions() as session:
            return _count(session, ProcessVersion) > 0


def _count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _dept(department: str | None) -> str:
    return f" [{department}]" if department else ""


def run_file(path: Path, processes_dir: Path | None = None) -> ScenarioResult:
    """Load and run one file; a malformed one is a failed result naming the file and why."""
    try:
        scenario = load_scenario(path, processes_dir)
    except ScenarioFormatError as error:
        return ScenarioResult(path, path.name, str(error))
    return run_scenario(scenario)


def run_scenario(
    scenario: Scenario, processes_dir: Path | None = None, files: VersionFiles | None = None
) -> ScenarioResult:
    """Run every step (on `files` when given, else its BPMN's folder); the first miss fails."""
    run = _Run(scenario, processes_dir or scenario.processes_dir, files)
    failure = None
    try:
        run.deploy()
        _start(run)
        for number, step in enumerate(scenario.steps, 1):
            try:
                _do_step(run, step)
            except Exception as error:
                label = _label(step, run)
                reason = _reason(error, run)
                raise ScenarioFailure(f"step {number} {label}: {reason}") from error
    except Exception as error:
        failure = str(error)
    if not run.deployed():
        return ScenarioResult(scenario.path, scenario.name, failure)
    trace, elements = run.trace()
    armed = {entry.name for entry in run.all_deadlines()}
    catalog, table = run.catalog(), run.table()
    clauses = clauses_of(elements, catalog, table, armed)
    cited = cited_clauses(catalog, table)
    return ScenarioResult(
        scenario.path, scenario.name, failure, trace, clauses, elements, armed, cited
    )


def _start(run: _Run) -> None:
    if run.scenario.duty is not None:
        return  # the schedule starts the case when a step moves the clock past an occurrence
    try:
        run.send(run.scenario.message)
    except Exception as error:
        raise ScenarioFailure(f"message: {_reason(error, run)}") from error


def _reason(error: Exception, run: _Run) -> str:
    if isinstance(error, ScenarioFailure):
        return str(error)
    return in_zone(refusal_text(error) or f"{type(error).__name__}: {error}", run.zone)


def _label(step: dict[str, Any], run: _Run) -> str:
    return ", ".join(
        f"{key}={readable(value, run.zone)}" for key, value in step.items() if key != "data"
    )


def _do_step(run: _Run, step: dict[str, Any]) -> None:
    if "at" in step:
        run.move_to(step["at"])
    for key, value in step.items():
        if key in EXPECTATIONS:
            EXPECTATIONS[key].check(run, value)
        elif key in ACTIONS:
            act = ACTIONS[key].act
            if REFUSED_KEY in step:
                perform_refused(run, step[REFUSED_KEY], partial(act, run, step))
            else:
                act(run, step)
