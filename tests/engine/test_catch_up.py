"""Deadlines that passed while no worker ran are never lost: they fire before any action."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import VirtualClock
from engine.instances import complete_task, read_workflow
from engine.models import AuditEvent, Violation
from engine.runtime import Runtime
from engine.scheduler import tick
from engine.statuses import AuditKind
from engine.timers import all_tasks
from engine.versions import deploy_xml
from tests.conftest import MSK
from tests.engine.helpers import deploy_example, only_task, send

MONDAY_11 = datetime(2026, 3, 16, 11, 0, tzinfo=MSK)

# screen (1 working hour) → when late, an escalation whose own term runs from the breach.
ESCALATION_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="catch_up_definitions" targetNamespace="https://reglament.example/bpmn">
  <bpmn:process id="catch_up" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="curator" name="Куратор">
        <bpmn:flowNodeRef>screen</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>escalate</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="screen" name="Рассмотреть">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="screen" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="screen_deadline" cancelActivity="false" attachedToRef="screen">
      <bpmn:documentation>Пример, п. 2.</bpmn:documentation>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>deadline(received_at, "1 рабочий час")</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="escalate" name="Принять меры">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="acknowledge" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="escalate_deadline" cancelActivity="false" attachedToRef="escalate">
      <bpmn:documentation>Пример, п. 3.</bpmn:documentation>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="escalated"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="escalation_late"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="screen" />
    <bpmn:sequenceFlow id="f2" sourceRef="screen" targetRef="done" />
    <bpmn:sequenceFlow id="f3" sourceRef="screen_deadline" targetRef="escalate" />
    <bpmn:sequenceFlow id="f4" sourceRef="escalate" targetRef="escalated" />
    <bpmn:sequenceFlow id="f5" sourceRef="escalate_deadline" targetRef="escalation_late" />
  </bpmn:process>
</bpmn:definitions>
"""

# The step inside a subprocess: its timer is reached through the subprocess's own task dict.
SUBPROCESS_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="nested_definitions" targetNamespace="https://reglament.example/bpmn">
  <bpmn:process id="nested" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="curator" name="Куратор">
        <bpmn:flowNodeRef>screen</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:subProcess id="answer" name="Ответ">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:startEvent id="inner_start"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
      <bpmn:userTask id="screen" name="Рассмотреть">
        <bpmn:extensionElements><spiffworkflow:properties>
          <spiffworkflow:property name="form" value="screen" />
        </spiffworkflow:properties></bpmn:extensionElements>
        <bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
      </bpmn:userTask>
      <bpmn:boundaryEvent id="screen_deadline" cancelActivity="false" attachedToRef="screen">
        <bpmn:documentation>Пример, п. 2.</bpmn:documentation>
        <bpmn:outgoing>g3</bpmn:outgoing>
        <bpmn:timerEventDefinition>
          <bpmn:timeDate>deadline(received_at, "1 рабочий час")</bpmn:timeDate>
        </bpmn:timerEventDefinition>
      </bpmn:boundaryEvent>
      <bpmn:endEvent id="inner_done"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
      <bpmn:endEvent id="inner_late"><bpmn:incoming>g3</bpmn:incoming></bpmn:endEvent>
      <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="screen" />
      <bpmn:sequenceFlow id="g2" sourceRef="screen" targetRef="inner_done" />
      <bpmn:sequenceFlow id="g3" sourceRef="screen_deadline" targetRef="inner_late" />
    </bpmn:subProcess>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="answer" />
    <bpmn:sequenceFlow id="f2" sourceRef="answer" targetRef="done" />
  </bpmn:process>
</bpmn:definitions>
"""


def _deploy(sessions: sessionmaker[Session], runtime: Runtime, xml: str, label: str) -> None:
    with sessions.begin() as session:
        deploy_xml(
            session, runtime, xml.encode(), f"{label}.bpmn", "admin",
            municipality="example", label=label,
        )  # fmt: skip


def _complete(sessions: sessionmaker[Session], runtime: Runtime, task_id: str) -> None:
    with sessions.begin() as session:
        complete_task(session, runtime, task_id, {"screen_decision": "process"}, "curator1")


def _violations(sessions: sessionmaker[Session]) -> list[Violation]:
    with sessions() as session:
        return list(session.scalars(select(Violation).order_by(Violation.due_at)))


def _events(sessions: sessionmaker[Session], kind: AuditKind) -> list[AuditEvent]:
    with sessions() as session:
        query = select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
        return list(session.scalars(query))


def test_a_step_completed_a_day_late_without_a_worker_keeps_its_violation(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    clock.set(MONDAY_11 + timedelta(days=1))  # no worker ran since Monday 10:00
    _complete(sessions, runtime, only_task(sessions, case).task_id)
    [violation] = _violations(sessions)
    assert (violation.element_id, violation.due_at) == ("screen", MONDAY_11)
    assert violation.recorded_at == clock.now()
    [event] = _events(sessions, AuditKind.VIOLATION)
    assert event.at == MONDAY_11, "the violation is dated by the deadline, not the completion"
    assert event.data["recorded_at"] == clock.now().isoformat()
    [completed] = _events(sessions, AuditKind.TASK_COMPLETED)
    assert completed.at == clock.now()


def test_a_worker_tick_afterwards_records_nothing_twice(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    clock.set(MONDAY_11 + timedelta(hours=3))
    _complete(sessions, runtime, only_task(sessions, case).task_id)
    clock.advance(timedelta(minutes=5))
    tick(sessions, runtime)
    assert [v.element_id for v in _violations(sessions)] == ["screen"]
    assert len(_events(sessions, AuditKind.TIMER_FIRED)) == 1


def test_overdue_timers_replay_in_order_at_their_own_due_moments(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime, ESCALATION_BPMN, "catch_up")
    case = send(sessions, runtime).result.instance.id
    clock.set(MONDAY_11 + timedelta(days=1))
    _complete(sessions, runtime, only_task(sessions, case).task_id)
    # The escalation opened at the breach (11:00) and its own hour ran out at 12:00 — both are
    # recorded, each dated by its own moment, although nobody looked until Tuesday.
    due = [(v.element_id, v.due_at) for v in _violations(sessions)]
    assert due == [
        ("screen", MONDAY_11),
        ("escalate", MONDAY_11 + timedelta(hours=1, microseconds=1)),
    ]
    fired = [event.at for event in _events(sessions, AuditKind.TIMER_FIRED)]
    assert fired == sorted(fired) and fired[0] == MONDAY_11


def test_a_timer_inside_a_running_subprocess_is_seen_and_fired_once(
    sessions: sessionmaker[Session], runtime: Runtime, clock: VirtualClock
) -> None:
    _deploy(sessions, runtime, SUBPROCESS_BPMN, "nested")
    case = send(sessions, runtime).result.instance.id
    with sessions() as session:
        workflow = read_workflow(session, runtime, case)
    ids = [task.id for task in all_tasks(workflow)]
    assert len(ids) == len(set(ids)), "a subprocess's tasks are walked once"
    clock.set(MONDAY_11 + timedelta(minutes=1))
    assert tick(sessions, runtime).advanced == [case]
    assert len(_events(sessions, AuditKind.TIMER_FIRED)) == 1
    assert [v.element_id for v in _violations(sessions)] == ["screen"]
