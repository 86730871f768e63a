"""A settle asks SpiffWorkflow for nothing when nothing can happen: no engine task, no due timer."""

from __future__ import annotations

from datetime import timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import FixedClock, using_clock
from engine.instances import _at_rest, read_workflow
from engine.runtime import Runtime
from engine.timers import next_due
from tests.engine.helpers import deploy_example, send


def _new_case(sessions: sessionmaker[Session], runtime: Runtime) -> BpmnWorkflow:
    """The workflow of a case just received: its screening waits for the curator."""
    deploy_example(sessions, runtime)
    case = send(sessions, runtime).result.instance.id
    with sessions() as session:
        return read_workflow(session, runtime, case)


def test_a_case_waiting_for_people_is_at_rest_until_a_timer_is_past_due(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    workflow = _new_case(sessions, runtime)
    due = next_due(workflow)
    assert due is not None
    with using_clock(FixedClock(due)):
        assert _at_rest(workflow)  # SpiffWorkflow fires a timer only once its moment has passed
    with using_clock(FixedClock(due + timedelta(microseconds=1))):
        assert not _at_rest(workflow)


def test_a_completed_step_leaves_the_case_not_at_rest(
    sessions: sessionmaker[Session], runtime: Runtime
) -> None:
    workflow = _new_case(sessions, runtime)
    screen = next(t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "screen")
    screen.data["screen_decision"] = "process"
    with using_clock(runtime.clock):
        screen.run()  # what follows the step is an engine task now READY (its gateway)
        assert not _at_rest(workflow)
