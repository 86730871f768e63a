"""A migration of running cases between versions, run by the worker, and its per-case verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class MigrationRun(Base):
    """A batch an administrator asked for: queued, then worked through by the worker in chunks."""

    __tablename__ = "migration_runs"
    __table_args__ = (Index("ix_migration_runs_open", "finished_at", "municipality"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64))
    from_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    to_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    recompute: Mapped[bool] = mapped_column(Boolean, default=False)
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # A worker holds the run while it works a chunk; a crashed worker's lease runs out.
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class MigrationRunCase(Base):
    """One case of a run: pending (no verdict yet) or its verdict, as the batch reached it."""

    __tablename__ = "migration_run_cases"

    run_id: Mapped[int] = mapped_column(ForeignKey("migration_runs.id"), primary_key=True)
    instance_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    can: Mapped[bool | None] = mapped_column(Boolean, nullable=True)  # None: not reached yet
    verdict: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
