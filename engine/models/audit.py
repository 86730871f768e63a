"""Append-only audit events and recorded deadline violations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel

from engine.db import Base, UtcDateTime, enum_type
from engine.statuses import AuditKind


class AuditEvent(Base):
    """One state change with its actor and time; rows are only ever inserted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[AuditKind] = mapped_column(enum_type(AuditKind))
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id"), nullable=True, index=True
    )
    version_id: Mapped[int | None] = mapped_column(ForeignKey("process_versions.id"), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Lets one INSERT carry many rows on SQLite and still hand back their ids in order.
    _sentinel: Mapped[int | None] = orm_insert_sentinel()


class Violation(Base):
    """A deadline that passed: it stays visible, with the clause that set it."""

    __tablename__ = "violations"
    __table_args__ = (UniqueConstraint("instance_id", "timer_task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    element_id: Mapped[str] = mapped_column(String(128))
    timer_element_id: Mapped[str] = mapped_column(String(128))
    timer_task_id: Mapped[str] = mapped_column(String(36))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    clause: Mapped[str | None] = mapped_column(String(256), nullable=True)
    # The ledger occurrence breached, and who answered for it at that moment (legal primitives 3).
    deadline_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_deadlines.id"), nullable=True, unique=True
    )
    deadline_name: Mapped[str | None] = mapped_column(String(128), nullable=True)
    responsible_role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    responsible_department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    responsible_user: Mapped[str | None] = mapped_column(String(128), nullable=True)
    outside_office_hours: Mapped[bool] = mapped_column(Boolean, default=False)
