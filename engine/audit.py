"""Append-only audit records of every state change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import AuditEvent
from engine.statuses import AuditKind


def record(
    session: Session,
    kind: AuditKind,
    at: datetime,
    actor: str,
    *,
    instance_id: int | None = None,
    version_id: int | None = None,
    task_id: str | None = None,
    element_id: str | None = None,
    **data: Any,
) -> AuditEvent:
    """Add one audit row to the caller's unit of work."""
    event = AuditEvent(
        kind=kind,
        at=at,
        actor=actor,
        instance_id=instance_id,
        version_id=version_id,
        task_id=task_id,
        element_id=element_id,
        data=data,
    )
    session.add(event)
    return event
