"""Incoming messages and the process instances that answer them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime, enum_type
from engine.statuses import InstanceStatus


class Message(Base):
    """A citizen's message from a source; a repeat one points at the running case."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # The message registry lists newest first; a card finds the author's earlier messages.
        Index("ix_messages_registry", "municipality", "received_at"),
        Index("ix_messages_author", "municipality", "author_id"),
        # The task list's source filter reads its choices by skipping through this index.
        Index("ix_messages_sources", "municipality", "source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(256))
    channel: Mapped[str] = mapped_column(String(32), default="feed")
    official_page: Mapped[bool] = mapped_column(Boolean, default=False)
    author: Mapped[str] = mapped_column(String(256))
    author_id: Mapped[str] = mapped_column(String(256))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    correlation_key: Mapped[str] = mapped_column(String(512), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id"), nullable=True, index=True
    )


class ProcessInstance(Base):
    """One message's case: its workflow state (without the spec) and scheduling columns."""

    __tablename__ = "process_instances"
    __table_args__ = (
        Index("ix_process_instances_due", "next_due_at"),
        Index("ix_process_instances_correlation", "correlation_key", "status"),
        # The timeliness report's cohort: a municipality's cases started in a period.
        Index("ix_process_instances_started", "municipality", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[InstanceStatus] = mapped_column(
        enum_type(InstanceStatus), default=InstanceStatus.RUNNING
    )
    correlation_key: Mapped[str] = mapped_column(String(512))
    # The process the case runs: None for the version's message process, else a scheduled
    # duty's process id (engine/duties).
    process_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    state: Mapped[str] = mapped_column(Text)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # A repeat message after the case closed starts a new case linked to the earlier one
    # (Palana п. 13, Myasnikovsky п. 11): the later case points back at it.
    linked_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id", name="fk_process_instances_linked_to_id"),
        nullable=True,
        index=True,
    )

    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012  (read once by the mapper)
