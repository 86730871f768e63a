"""The outbox of answers to publish through a channel's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime, enum_type
from engine.publishing.status import PublicationStatus


class Publication(Base):
    """One answer to deliver: written with the step that approves it, sent by the worker."""

    __tablename__ = "publications"
    __table_args__ = (Index("ix_publications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    # Where the answer goes, read from the message's payload `reply` (docs/publishing.md).
    address: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    text: Mapped[str] = mapped_column(Text)
    # Content hashes of the case's photos sent with the answer (engine/attachments).
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[PublicationStatus] = mapped_column(enum_type(PublicationStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A worker holds a row it is sending until this moment; a crashed worker's row is taken over.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(256), nullable=True)
    url: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    element_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
