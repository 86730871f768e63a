"""Reading SpiffWorkflow's timers: which are waiting, when they are due, which just fired."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState


def _aware_moment(value: str) -> None:
    if datetime.fromisoformat(value).tzinfo is None:
        raise ValueError("no time zone")


# What SpiffWorkflow does with each kind of timer expression's value (it needs a string).
TIMER_VALUE_READERS: dict[str, Callable[[str], Any]] = {
    "timeDate": _aware_moment,
    "timeDuration": TimerEventDefinition.parse_iso_duration,
    "timeCycle": TimerEventDefinition.parse_iso_recurring_interval,
}
TIMER_VALUE_KINDS = {
    "timeDate": "момент ISO с часовым поясом, какой возвращает deadline(...)",
    "timeDuration": "длительность ISO, например PT2H",
    "timeCycle": "повторяющийся интервал ISO, например R3/PT1H",
}
_KIND_OF_DEFINITION = {
    TimeDateEventDefinition: "timeDate",
    DurationTimerEventDefinition: "timeDuration",
    CycleTimerEventDefinition: "timeCycle",
}


def timer_value_error(kind: str, value: Any) -> str | None:
    """Why a timer expression's value cannot be used by SpiffWorkflow, or None when it can."""
    reader = TIMER_VALUE_READERS.get(kind)
    if reader is None:
        return None
    try:
        if not isinstance(value, str):
            raise TypeError(type(value).__name__)
        reader(value)
    except Exception:  # SpiffWorkflow's parsers raise bare Exception on bad input
        return f"выражение таймера дало {value!r}, а не {TIMER_VALUE_KINDS[kind]}"
    return None


def timer_kind(task: Task, expression: str) -> str | None:
    """The kind of the timer of `task` whose expression this is, if it is one."""
    definition = getattr(task.task_spec, "event_definition", None)
    definitions = getattr(definition, "event_definitions", None) or [definition]
    for candidate in definitions:
        if getattr(candidate, "expression", None) == expression:
            return _KIND_OF_DEFINITION.get(type(candidate))
    return None


def all_tasks(workflow: BpmnWorkflow, state: int = TaskState.ANY_MASK) -> Iterator[Task]:
    """Tasks of the workflow and of all its subprocesses, each exactly once."""
    # SpiffWorkflow's tree walk already descends into subprocesses, so walking each subprocess
    # again would yield its tasks twice; the flat task dicts hold every task once, in creation
    # order, and are cheaper to scan than the tree.
    for owner in (workflow, *workflow.subprocesses.values()):
        for task in owner.tasks.values():
            if task.has_state(state):
                yield task


def is_timer(task: Task) -> bool:
    """Whether a task is a timer event (boundary or intermediate)."""
    definition = getattr(task.task_spec, "event_definition", None)
    return isinstance(definition, TimerEventDefinition)


def waits_for_time(task: Task) -> bool:
    """A timer, or an event-based gateway one of whose events is a timer."""
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return any(isinstance(d, TimerEventDefinition) for d in definition.event_definitions)
    return isinstance(definition, TimerEventDefinition)


def timer_due(task: Task) -> datetime | None:
    """When a waiting timer fires, once SpiffWorkflow has evaluated its expression."""
    value: Any = task._get_internal_data("event_value")
    if value is None:
        return None
    if isinstance(task.task_spec.event_definition, CycleTimerEventDefinition):
        value = value.get("next") if value.get("cycles") != 0 else None
        if value is None:
            return None
    return TimerEventDefinition.get_datetime(value)


def waiting_timers(workflow: BpmnWorkflow) -> list[Task]:
    """Tasks waiting for a moment: timers, and event-based gateways racing a timer."""
    return [task for task in all_tasks(workflow, TaskState.WAITING) if waits_for_time(task)]


def fired_timer_ids(workflow: BpmnWorkflow) -> set[str]:
    """Ids of timer tasks that have fired (completed)."""
    return {str(task.id) for task in all_tasks(workflow, TaskState.COMPLETED) if is_timer(task)}


def next_due(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest moment a waiting timer of this workflow fires."""
    dues = [due for due in map(timer_due, waiting_timers(workflow)) if due is not None]
    return min(dues, default=None)


def deadline_of(user_task: Task, catalog: dict[str, Any]) -> datetime | None:
    """A user task's due moment: its earliest boundary timer that is a deadline."""
    element_id = user_task.task_spec.bpmn_id
    dues = [
        timer_due(timer)
        for timer in _boundary_timers(user_task)
        if catalog["elements"].get(timer.task_spec.bpmn_id, {}).get("attached_to") == element_id
        and is_deadline(catalog, timer.task_spec.bpmn_id)
    ]
    return min((due for due in dues if due is not None), default=None)


def _boundary_timers(user_task: Task) -> Iterator[Task]:
    # Boundary events are siblings of the activity under its BoundaryEventSplit; for a
    # multi-instance activity the READY task is one level deeper, so look a few levels up.
    node: Task | None = user_task
    for _ in range(3):
        if node is None or node.parent is None:
            return
        for sibling in node.parent.children:
            # A fired (completed) non-interrupting timer still tells the task's due moment,
            # also for a task that opened after its deadline had already passed.
            if is_timer(sibling) and sibling.has_state(TaskState.WAITING | TaskState.COMPLETED):
                yield sibling
        node = node.parent


DEADLINE_HOLDERS = ("userTask", "manualTask", "subProcess", "callActivity")


def is_deadline(catalog: dict[str, Any], timer_element_id: str | None) -> bool:
    """A boundary timer on a user task or subprocess is a deadline unless `deadline=false`."""
    element = catalog["elements"].get(timer_element_id or "")
    if element is None or element["attached_to"] is None:
        return False
    attached = catalog["elements"].get(element["attached_to"], {})
    return (
        attached.get("type") in DEADLINE_HOLDERS
        and element["properties"].get("deadline", "true") != "false"
    )


@dataclass(frozen=True)
class FiredTimer:
    """A timer that fired during one advance."""

    task_id: str
    element_id: str
    due_at: datetime | None
    attached_to: str | None
    is_deadline: bool
    clause: str | None


def describe_fired(
    workflow: BpmnWorkflow, task_ids: set[str], catalog: dict[str, Any]
) -> list[FiredTimer]:
    """Details of the timers with the given ids, for audit and violations."""
    fired = []
    for task in all_tasks(workflow, TaskState.COMPLETED):
        if str(task.id) not in task_ids:
            continue
        element_id = task.task_spec.bpmn_id
        element = catalog["elements"].get(element_id, {})
        attached_to = element.get("attached_to")
        clauses = element.get("clauses") or catalog["elements"].get(attached_to or "", {}).get(
            "clauses", []
        )
        fired.append(
            FiredTimer(
                task_id=str(task.id),
                element_id=element_id,
                due_at=timer_due(task),
                attached_to=attached_to,
                is_deadline=is_deadline(catalog, element_id),
                clause="; ".join(clauses) or None,
            )
        )
    return fired
