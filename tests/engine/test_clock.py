"""The injected clock drives SpiffWorkflow's timers; timers fire only when due < now."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.clock import SystemClock, VirtualClock, current_time, using_clock
from tests.conftest import MSK

TIMER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="t">
  <bpmn:process id="timer_process" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate>"2026-03-16T12:00:00+03:00"</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>"""

DUE = datetime(2026, 3, 16, 12, 0, tzinfo=MSK)


def _timer_workflow() -> BpmnWorkflow:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(TIMER_BPMN.encode(), "timer.bpmn")
    return BpmnWorkflow(parser.get_spec("timer_process"))


def test_virtual_clock_moves_only_forward() -> None:
    clock = VirtualClock(DUE)
    clock.advance(timedelta(minutes=5))
    assert clock.now() == DUE + timedelta(minutes=5)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(DUE)
    with pytest.raises(ValueError, match="naive"):
        VirtualClock(datetime(2026, 1, 1))


def test_spiff_timer_module_reads_the_injected_clock() -> None:
    clock = VirtualClock(DUE - timedelta(days=400))
    with using_clock(clock):
        assert spiff_timer.datetime.now(DUE.tzinfo) == clock.now()
        assert current_time() == clock.now()
    assert isinstance(current_time(), datetime)
    assert abs(SystemClock().now() - current_time()) < timedelta(minutes=1)


def test_timer_fires_only_after_due_and_after_refresh() -> None:
    """Regression: due < now is strict, and moving the clock alone fires nothing."""
    clock = VirtualClock(DUE - timedelta(hours=1))
    with using_clock(clock):
        workflow = _timer_workflow()
        workflow.do_engine_steps()
        assert not workflow.is_completed()

        clock.set(DUE)  # exactly due: not yet
        workflow.refresh_timers()
        workflow.do_engine_steps()
        assert not workflow.is_completed()

        clock.advance(timedelta(seconds=1))
        workflow.do_engine_steps()  # engine steps alone do not carry the timer through
        assert not workflow.is_completed()

        workflow.refresh_timers()
        workflow.do_engine_steps()
        assert workflow.is_completed()
