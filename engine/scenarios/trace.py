"""The trace of a run as JSON-ready events, and the clauses it exercised."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.models import AuditEvent
from engine.regulation.table import DeadlineTable
from engine.statuses import AuditKind
from engine.timers import all_tasks
from engine.worktime.production import production_calendar, unconfirmed_years

TRACED = {
    AuditKind.TASK_READY: "task_ready",
    AuditKind.TASK_COMPLETED: "task_completed",
    AuditKind.TIMER_FIRED: "timer_fired",
    AuditKind.VIOLATION: "violation",
    AuditKind.MESSAGE_CORRELATED: "message_correlated",
    AuditKind.INSTANCE_COMPLETED: "instance_completed",
}
DETAIL_KEYS = ("lane", "due", "clause", "values")


def trace_events(events: list[AuditEvent]) -> list[dict[str, Any]]:
    """Trace lines of the traced audit kinds."""
    lines: list[dict[str, Any]] = []
    for event in events:
        name = TRACED.get(event.kind)
        if name is None:
            continue
        line: dict[str, Any] = {"event": name, "at": event.at.isoformat(), "actor": event.actor}
        if event.element_id:
            line["element"] = event.element_id
        line.update({key: event.data[key] for key in DETAIL_KEYS if key in event.data})
        years = _unconfirmed(line)
        if years:
            line["due_unconfirmed"] = years
        lines.append(line)
    return lines


def _unconfirmed(line: dict[str, Any]) -> list[int]:
    """Forecast years (transfers not decreed) between the event and its due moment."""
    due_text = line.get("due")
    if not isinstance(due_text, str):
        return []
    try:
        due = datetime.fromisoformat(due_text)
        at = datetime.fromisoformat(line["at"]).astimezone(due.tzinfo)
    except (ValueError, TypeError):
        return []
    first, last = sorted((at.date(), due.date()))
    return list(unconfirmed_years(production_calendar(), first, last))


def completed_elements(workflow: BpmnWorkflow) -> set[str]:
    """Element ids of every completed task of a case, script tasks and gateways included."""
    return {
        task.task_spec.bpmn_id
        for task in all_tasks(workflow, TaskState.COMPLETED)
        if task.task_spec.bpmn_id
    }


def clauses_of(
    element_ids: set[str], catalog: dict[str, Any], table: DeadlineTable, armed: set[str]
) -> set[str]:
    """Clauses cited by the elements a run exercised and by the deadline rows it armed."""
    # A timer is exercised once its step opened (it was armed). A lane's citation alone covers
    # nothing: a role takes part in every path, so it proves no clause.
    elements = catalog["elements"]
    exercised = set(element_ids) | {
        element["id"]
        for element in elements.values()
        if element["timer"] and element["attached_to"] in element_ids
    }
    clauses: set[str] = set()
    for element_id in exercised:
        clauses.update(elements.get(element_id, {}).get("clauses", []))
    for name in armed:
        if name in table:
            clauses.update(part.strip() for part in table[name].clause.split(";"))
    return clauses
