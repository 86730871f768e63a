"""Small regulations built in tests: a step after a deadline runs the code under test."""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from sqlalchemy.orm import Session, sessionmaker

from engine.bpmn.catalog import build_catalog, parse_xml
from engine.bpmn.serialization import spec_to_dict
from engine.models import ProcessVersion
from engine.runtime import Runtime
from engine.versions import activate_version, deploy_xml

PROCESS_ID = "after_deadline"
TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="definitions" targetNamespace="http://reglament.test">
  <bpmn:process id="after_deadline" name="Шаг после срока" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="curator" name="Куратор">
        <bpmn:flowNodeRef>wait</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>late</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>to_prepare</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="prepare" name="Подготовить">
      <bpmn:incoming>to_prepare</bpmn:incoming><bpmn:outgoing>to_wait</bpmn:outgoing>
      <bpmn:script>{prepare}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:userTask id="wait" name="Ждать">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="forward" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>to_wait</bpmn:incoming><bpmn:outgoing>to_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="wait_deadline" name="Срок ожидания" attachedToRef="wait">
      <bpmn:documentation>Пример, п. 2.</bpmn:documentation>
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="escalation" value="ends_step" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:outgoing>to_after</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>deadline(received_at, "1 час")</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="after" name="Шаг после срока">
      <bpmn:incoming>to_after</bpmn:incoming>{loop_back_in}
      <bpmn:outgoing>to_check</bpmn:outgoing>
      <bpmn:script>{after}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="check" name="Ещё раз?" default="to_late">
      <bpmn:incoming>to_check</bpmn:incoming>{loop_back_out}
      <bpmn:outgoing>to_late</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="late" name="Разобрать просрочку">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="acknowledge" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>to_late</bpmn:incoming><bpmn:outgoing>to_late_done</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late_deadline" name="Срок разбора" attachedToRef="late"
        cancelActivity="false">
      <bpmn:documentation>Пример, п. 3.</bpmn:documentation>
      <bpmn:outgoing>to_overdue</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>{late_timer}</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>to_done</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="late_done"><bpmn:incoming>to_late_done</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="overdue"><bpmn:incoming>to_overdue</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_prepare" sourceRef="start" targetRef="prepare" />
    <bpmn:sequenceFlow id="to_wait" sourceRef="prepare" targetRef="wait" />
    <bpmn:sequenceFlow id="to_done" sourceRef="wait" targetRef="{on_complete}" />
    <bpmn:sequenceFlow id="to_after" sourceRef="wait_deadline" targetRef="after" />
    <bpmn:sequenceFlow id="to_check" sourceRef="after" targetRef="check" />
    <bpmn:sequenceFlow id="to_late" sourceRef="check" targetRef="late" />{loop_back_flow}
    <bpmn:sequenceFlow id="to_late_done" sourceRef="late" targetRef="late_done" />
    <bpmn:sequenceFlow id="to_overdue" sourceRef="late_deadline" targetRef="overdue" />
  </bpmn:process>
</bpmn:definitions>
"""
LOOP_BACK = """
    <bpmn:sequenceFlow id="again" name="ещё раз" sourceRef="check" targetRef="after">
      <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>"""


def after_deadline(
    after: str = "checked = True",
    *,
    prepare: str = "prepared = True",
    late_timer: str = 'deadline(received_at, "2 часа")',
    loop_while: str | None = None,
    on_complete: str = "done",
) -> str:
    """A regulation whose step `after` runs when the first deadline (1 hour) fires.

    With `loop_while`, the gateway after `after` loops back to it while that condition holds:
    a loop without a wait state. With `on_complete="after"`, completing the first task leads
    to `after` too.
    """
    looping = loop_while is not None
    return TEMPLATE.format(
        prepare=escape(prepare),
        after=escape(after),
        late_timer=escape(late_timer),
        loop_back_in="<bpmn:incoming>again</bpmn:incoming>" if looping else "",
        loop_back_out="<bpmn:outgoing>again</bpmn:outgoing>" if looping else "",
        loop_back_flow=LOOP_BACK.format(condition=escape(loop_while or "")) if looping else "",
        on_complete=on_complete,
    )


def deploy_regulation(
    sessions: sessionmaker[Session], runtime: Runtime, xml: str, label: str = "test"
) -> int:
    """Deploy and activate a test regulation for the example municipality."""
    with sessions.begin() as session:
        deployed = deploy_xml(
            session,
            runtime,
            xml.encode(),
            "test.bpmn",
            "admin",
            municipality="example",
            label=label,
        )
        return deployed.version.id


def store_unchecked(
    sessions: sessionmaker[Session], runtime: Runtime, xml: str, label: str = "legacy"
) -> int:
    """Store and activate a version as an engine without the deploy checks did: parsed only."""
    root = parse_xml(xml.encode())
    parser = SpiffBpmnParser(validator=BpmnValidator())
    parser.add_bpmn_xml(root, "legacy.bpmn")
    spec = parser.get_spec(PROCESS_ID)
    with sessions.begin() as session:
        version = ProcessVersion(
            municipality="example",
            label=label,
            process_id=PROCESS_ID,
            filename="legacy.bpmn",
            sha256=hashlib.sha256(xml.encode()).hexdigest(),
            bpmn_xml=xml,
            spec=spec_to_dict(spec, parser.get_subprocess_specs(PROCESS_ID)),
            catalog=build_catalog(root, PROCESS_ID),
            deployed_at=runtime.clock.now(),
            deployed_by="legacy",
        )
        session.add(version)
        session.flush()
        activate_version(session, runtime, version, "legacy")
        return version.id
