"""Firing overdue timers in the order they fell due, before any action touches the case."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from SpiffWorkflow.bpmn import BpmnWorkflow

from engine.clock import FixedClock, using_clock
from engine.timers import next_due


class Observer(Protocol):
    """What else keeps time in a case (the deadline ledger: spans and reminders)."""

    def next_moment(self) -> datetime | None: ...

    def observe(self, workflow: BpmnWorkflow, moment: datetime) -> None: ...


log = logging.getLogger(__name__)

# SpiffWorkflow fires a timer when its due moment is strictly before the clock's now.
_JUST_AFTER = timedelta(microseconds=1)
# An endless cycle timer overdue for weeks would replay every cycle; past this many rounds the
# rest fire together at the current moment (each still dated by its own due moment).
MAX_CATCH_UP_ROUNDS = 500


def catch_up(
    workflow: BpmnWorkflow,
    now: datetime,
    settle: Callable[[BpmnWorkflow], None],
    observer: Observer | None = None,
) -> None:
    """Fire every timer already due at `now`, earliest first, each at its own due moment.

    A deadline that passed while no worker ran is a violation all the same: it must fire before
    a task completion or a message cancels the step it guards. Replaying at the due moment also
    dates what the firing starts (an escalation, a follow-up timer) as it would have happened;
    the observer (the deadline ledger) sees the case after each round, at that moment.
    """
    for _ in range(MAX_CATCH_UP_ROUNDS):
        due = _earliest(workflow, observer)
        if due is None or due >= now:
            return
        with using_clock(FixedClock(due + _JUST_AFTER)):
            settle(workflow)
            if observer is not None:
                observer.observe(workflow, due + _JUST_AFTER)
        if _earliest(workflow, observer) == due:  # it did not fire: leave it to `settle`
            log.warning("timer due at %s did not fire during catch-up", due.isoformat())
            return
    log.warning("catch-up stopped after %d rounds", MAX_CATCH_UP_ROUNDS)


def _earliest(workflow: BpmnWorkflow, observer: Observer | None) -> datetime | None:
    moments = [next_due(workflow), observer.next_moment() if observer is not None else None]
    return min((moment for moment in moments if moment is not None), default=None)
