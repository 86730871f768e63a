"""The timer scheduler: finds cases whose next timer is due and advances each in its own job."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.instances import InstanceNotRunning, advance
from engine.models import ProcessInstance
from engine.runtime import Runtime
from engine.statuses import AuditKind, InstanceStatus
from engine.violations import TIMER_ACTOR

log = logging.getLogger(__name__)


def due_instance_ids(session: Session, now: datetime, limit: int) -> list[int]:
    """Running cases whose next timer is due (SpiffWorkflow fires only when due < now)."""
    query = (
        select(ProcessInstance.id)
        .where(ProcessInstance.next_due_at < now, ProcessInstance.status == InstanceStatus.RUNNING)
        .order_by(ProcessInstance.next_due_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def claim_due(session: Session, instance_id: int, now: datetime) -> bool:
    """Claim one due case for this transaction; another worker holding it makes this skip it."""
    query = select(ProcessInstance.id).where(
        ProcessInstance.id == instance_id,
        ProcessInstance.next_due_at < now,
        ProcessInstance.status == InstanceStatus.RUNNING,
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query) is not None


@dataclass
class TickReport:
    """What one scheduler tick did."""

    advanced: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def tick(
    session_factory: sessionmaker[Any],
    runtime: Runtime,
    batch_size: int = 50,
) -> TickReport:
    """Advance every due case, each in a transaction of its own (the worker owns them)."""
    now = runtime.clock.now()
    report = TickReport()
    with session_factory() as session:
        candidates = due_instance_ids(session, now, batch_size)
    for instance_id in candidates:
        try:
            with session_factory.begin() as session:
                if not claim_due(session, instance_id, now):
                    report.skipped.append(instance_id)
                    continue
                advance(session, runtime, instance_id, TIMER_ACTOR)
                report.advanced.append(instance_id)
        except InstanceNotRunning:
            report.skipped.append(instance_id)
        except Exception as error:  # one broken case must not stop the others' deadlines
            log.exception("case %s failed to advance", instance_id)
            report.failed[instance_id] = str(error)
            with session_factory.begin() as session:
                mark_failed(session, runtime, instance_id, error)
    return report


def mark_failed(session: Session, runtime: Runtime, instance_id: int, error: Exception) -> None:
    """Park a case that cannot advance in ERROR, so it is seen and not retried every tick."""
    instance = session.get_one(ProcessInstance, instance_id)
    instance.status = instance.status.guard(InstanceStatus.ERROR)
    instance.error = f"{type(error).__name__}: {error}"
    instance.next_due_at = None  # out of the due index: parked cases must not slow every tick
    audit.record(
        session,
        AuditKind.INSTANCE_FAILED,
        runtime.clock.now(),
        TIMER_ACTOR,
        instance_id=instance_id,
        error=instance.error,
    )
