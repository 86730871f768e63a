"""Which diagram elements a case has completed, is at now, and has overdue."""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.util.task import TaskState

from engine.bpmn.serialization import load_state
from engine.clock import using_clock
from engine.models import OpenUserTask, ProcessInstance, ProcessVersion
from engine.runtime import Runtime
from engine.statuses import InstanceStatus
from engine.timers import all_tasks
from engine.versions import load_version


@dataclass(frozen=True)
class DiagramMarks:
    """Element ids to mark on the case's diagram."""

    completed: list[str]
    current: list[str]
    overdue: list[str]


def diagram_marks(
    instance: ProcessInstance,
    version: ProcessVersion,
    runtime: Runtime,
    open_tasks: list[OpenUserTask],
    overdue: set[str],
) -> DiagramMarks:
    """Completed elements come from the stored workflow state; current ones are open tasks."""
    loaded = load_version(version, runtime)
    elements = loaded.catalog["elements"]
    try:
        with using_clock(runtime.clock):
            workflow = load_state(
                instance.state,
                loaded.spec_of(instance.process_id),
                loaded.subprocess_specs,
                loaded.script_engine,
            )
    except Exception:
        if instance.status is not InstanceStatus.ERROR:
            raise
        workflow = None  # an unreadable state is what parked it: the card still shows the reason
    completed = {
        task.task_spec.bpmn_id
        for task in (all_tasks(workflow, TaskState.COMPLETED) if workflow else [])
        if task.task_spec.bpmn_id in elements
    }
    current = {task.element_id for task in open_tasks}
    return DiagramMarks(
        completed=sorted(completed - current),
        current=sorted(current),
        overdue=sorted(overdue),
    )
