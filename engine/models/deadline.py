"""The deadline ledger (each duty's term in each case) and the notices its breaches send."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel

from engine.db import Base, UtcDateTime, enum_type
from engine.statuses import DeadlineState, NoticeKind


class CaseDeadline(Base):
    """One occurrence of a duty's deadline in a case: armed once, breached at most once."""

    __tablename__ = "case_deadlines"
    __table_args__ = (
        UniqueConstraint("instance_id", "key"),
        Index("ix_case_deadlines_state", "municipality", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Lets one INSERT carry many rows on SQLite and still hand back their ids in order.
    _sentinel: Mapped[int | None] = orm_insert_sentinel()
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64))
    # What makes the occurrence unique in the case: the bound timer's task id, or the span's
    # name with its occurrence number.
    key: Mapped[str] = mapped_column(String(160))
    name: Mapped[str] = mapped_column(String(128))
    clause: Mapped[str | None] = mapped_column(String(256), nullable=True)
    text: Mapped[str] = mapped_column(String(256))
    span: Mapped[bool] = mapped_column(Boolean, default=False)
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    timer_task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    timer_element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    # A span started and ended inside one instance of a subprocess (a department's answer) is
    # that instance's: the subprocess task's id. None: the case's.
    scope_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[DeadlineState] = mapped_column(enum_type(DeadlineState))
    armed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    working: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    remaining_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    responsible_role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    responsible_department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    responsible_user: Mapped[str | None] = mapped_column(String(128), nullable=True)
    holders: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outside_office_hours: Mapped[bool] = mapped_column(Boolean, default=False)


class Notice(Base):
    """A breach (or a reminder) told to a role; it never holds up the case."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("deadline_id", "kind", "recipient_role"),
        Index("ix_notices_inbox", "municipality", "recipient_role", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64))
    deadline_id: Mapped[int] = mapped_column(ForeignKey("case_deadlines.id"))
    kind: Mapped[NoticeKind] = mapped_column(enum_type(NoticeKind))
    recipient_role: Mapped[str] = mapped_column(String(64))
    recipient_department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    clause: Mapped[str | None] = mapped_column(String(256), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    responsible_role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    responsible_department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    responsible_user: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The outbox for delivery channels (mail): a delivery job sets this after it sent the notice.
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
