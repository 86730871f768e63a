"""Firing overdue timers in the order they fell due, before any action touches the case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.clock import FixedClock, using_clock
from engine.timers import fired_timer_ids, next_due

log = logging.getLogger(__name__)

# SpiffWorkflow fires a timer when its due moment is strictly before the clock's now.
_JUST_AFTER = timedelta(microseconds=1)
# An endless cycle timer overdue for weeks would replay every cycle; past this many rounds the
# rest fire together at the current moment (each still dated by its own due moment).
MAX_CATCH_UP_ROUNDS = 500


def catch_up(
    workflow: BpmnWorkflow, now: datetime, settle: Callable[[BpmnWorkflow], None]
) -> dict[str, datetime]:
    """Fire every timer already due at `now`, earliest first, each at its own due moment.

    A deadline that passed while no worker ran is a violation all the same: it must fire before
    a task completion or a message cancels the step it guards. Replaying at the due moment also
    dates what the firing starts (an escalation, a follow-up timer) as it would have happened.
    Returns the fired timer task ids with the moment each fired.
    """
    fired_at: dict[str, datetime] = {}
    already = fired_timer_ids(workflow)
    for _ in range(MAX_CATCH_UP_ROUNDS):
        due = next_due(workflow)
        if due is None or due >= now:
            return fired_at
        with using_clock(FixedClock(due + _JUST_AFTER)):
            settle(workflow)
        fired = fired_timer_ids(workflow)
        for task_id in fired - already:
            fired_at[task_id] = due
        already = fired
        if next_due(workflow) == due:  # it did not fire at its due moment: leave it to `settle`
            log.warning("timer due at %s did not fire during catch-up", due.isoformat())
            return fired_at
    log.warning("catch-up stopped after %d rounds", MAX_CATCH_UP_ROUNDS)
    return fired_at
