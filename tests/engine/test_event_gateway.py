"""An event-based gateway racing a reply against a timer: the scheduler wakes it on time."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.clock import VirtualClock, using_clock
from engine.timers import next_due
from tests.conftest import MSK

GATEWAY_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="t">
  <bpmn:message id="reply_message" name="repeat_message" />
  <bpmn:process id="await_reply" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="race">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="no_reply"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>"2026-03-16T12:00:00+03:00"</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="reply"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="reply_message" />
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="closed_without_reply"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="replied"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="race" />
    <bpmn:sequenceFlow id="f2" sourceRef="race" targetRef="no_reply" />
    <bpmn:sequenceFlow id="f3" sourceRef="race" targetRef="reply" />
    <bpmn:sequenceFlow id="f4" sourceRef="no_reply" targetRef="closed_without_reply" />
    <bpmn:sequenceFlow id="f5" sourceRef="reply" targetRef="replied" />
  </bpmn:process>
</bpmn:definitions>"""


def test_event_based_gateway_timer_sets_next_due(tmp_path: Path) -> None:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(GATEWAY_BPMN.encode(), "race.bpmn")
    clock = VirtualClock(datetime(2026, 3, 16, 10, 0, tzinfo=MSK))
    with using_clock(clock):
        workflow = BpmnWorkflow(parser.get_spec("await_reply"))
        workflow.do_engine_steps()
        workflow.refresh_timers()
        assert next_due(workflow) == datetime(2026, 3, 16, 12, 0, tzinfo=MSK)
        clock.advance(timedelta(hours=2, seconds=1))
        workflow.refresh_timers()
        workflow.do_engine_steps()
    assert workflow.is_completed()
    ended = [t.task_spec.bpmn_id for t in workflow.get_tasks() if t.task_spec.bpmn_id]
    assert "closed_without_reply" in ended
