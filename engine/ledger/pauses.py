"""Pausing a deadline while the case waits on the author (Elets п. 3, Palana п. 7), resuming it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine import audit
from engine.models import CaseDeadline
from engine.regulation.table import DeadlineRule
from engine.regulation.terms import due_from, remaining_working, resume_due
from engine.statuses import AuditKind, DeadlineState
from engine.timers import all_tasks
from engine.violations import TIMER_ACTOR

if TYPE_CHECKING:
    from engine.ledger.case import CaseLedger

# A paused step timer must not fire: SpiffWorkflow reads its due moment from its internal data.
_NEVER = "9999-12-31T23:59:59+00:00"


def pause(
    ledger: CaseLedger, workflow: BpmnWorkflow, entry: CaseDeadline, moment: datetime
) -> None:
    """Stop the clock of an occurrence, keeping the time it had left."""
    left = remaining_working(ledger.reader, moment, entry.due_at, entry.working)
    entry.state = entry.state.guard(DeadlineState.PAUSED)
    entry.paused_at = moment
    entry.remaining_seconds = left.total_seconds()
    _set_timer(workflow, entry, _NEVER)
    audit.record(
        ledger.session,
        AuditKind.DEADLINE_PAUSED,
        moment,
        TIMER_ACTOR,
        instance_id=ledger.instance.id,
        element_id=entry.element_id,
        deadline=entry.name,
        remaining_seconds=entry.remaining_seconds,
    )


def resume(
    ledger: CaseLedger,
    workflow: BpmnWorkflow,
    entry: CaseDeadline,
    rule: DeadlineRule,
    moment: datetime,
) -> None:
    """Start the clock again: with the time left, or afresh from now (the table says which)."""
    assert rule.pause is not None
    if rule.pause.mode == "restart":
        entry.start_at = moment
        entry.due_at = due_from(rule, moment, ledger.reader)
    else:
        left = timedelta(seconds=entry.remaining_seconds or 0)
        entry.due_at = resume_due(ledger.reader, moment, left, entry.working)
    entry.state = entry.state.guard(DeadlineState.ARMED)
    entry.paused_at = None
    entry.remaining_seconds = None
    _set_timer(workflow, entry, entry.due_at.isoformat())
    audit.record(
        ledger.session,
        AuditKind.DEADLINE_RESUMED,
        moment,
        TIMER_ACTOR,
        instance_id=ledger.instance.id,
        element_id=entry.element_id,
        deadline=entry.name,
        due=entry.due_at.isoformat(),
    )


def _set_timer(workflow: BpmnWorkflow, entry: CaseDeadline, value: str) -> None:
    if entry.timer_task_id is None:
        return
    for task in all_tasks(workflow):
        if str(task.id) == entry.timer_task_id:
            task._set_internal_data(event_value=value)
            return
