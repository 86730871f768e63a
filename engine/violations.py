"""Recording fired timers and the deadline violations among them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import audit
from engine.models import ProcessInstance, Violation
from engine.statuses import AuditKind
from engine.timers import FiredTimer

TIMER_ACTOR = "timer"


def record_fired(
    session: Session,
    instance: ProcessInstance,
    fired: list[FiredTimer],
    now: datetime,
    fired_at: Mapping[str, datetime] | None = None,
) -> list[Violation]:
    """Audit each fired timer; a deadline that passed becomes a lasting violation.

    `fired_at` holds the moments of timers replayed late (no worker ran at their due moment):
    their audit rows are dated by that moment and say when they were recorded.
    """
    violations = []
    for timer in fired:
        due = timer.due_at.isoformat() if timer.due_at else None
        at = (fired_at or {}).get(timer.task_id, now)
        late: dict[str, Any] = {"recorded_at": now.isoformat()} if at != now else {}
        audit.record(
            session,
            AuditKind.TIMER_FIRED,
            at,
            TIMER_ACTOR,
            instance_id=instance.id,
            task_id=timer.task_id,
            element_id=timer.element_id,
            due=due,
            **late,
        )
        if not timer.is_deadline:
            continue
        violation = Violation(
            instance_id=instance.id,
            municipality=instance.municipality,
            element_id=timer.attached_to or timer.element_id,
            timer_element_id=timer.element_id,
            timer_task_id=timer.task_id,
            due_at=timer.due_at or now,
            recorded_at=now,
            clause=timer.clause,
        )
        session.add(violation)
        violations.append(violation)
        audit.record(
            session,
            AuditKind.VIOLATION,
            at,
            TIMER_ACTOR,
            instance_id=instance.id,
            task_id=timer.task_id,
            element_id=violation.element_id,
            due=due,
            clause=timer.clause,
            **late,
        )
    return violations
