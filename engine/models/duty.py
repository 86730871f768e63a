"""Occurrences of scheduled duties: one row per duty and moment, so each starts exactly once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class DutyOccurrence(Base):
    """One occurrence of a duty's schedule and the case the worker started for it."""

    __tablename__ = "duty_occurrences"
    __table_args__ = (
        # Two workers racing for one occurrence: the second insert fails, no second case.
        UniqueConstraint("version_id", "start_event", "occurs_at", name="uq_duty_occurrence"),
        # Catch-up starts after the duty's last occurrence in the municipality, any version.
        Index("ix_duty_occurrences_last", "municipality", "start_event", "occurs_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    municipality: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str] = mapped_column(String(128))
    start_event: Mapped[str] = mapped_column(String(128))
    occurs_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Started by catch-up after the worker was down: the case is dated at `occurs_at` all the
    # same, so its deadlines count from the schedule, not from the late start.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id"), nullable=True, index=True
    )
