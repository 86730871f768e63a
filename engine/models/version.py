"""A deployed regulation version: BPMN XML, its hash and the parsed spec, stored once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class ProcessVersion(Base):
    """One deployed BPMN file of a municipality's regulation."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("municipality", "sha256"),
        UniqueConstraint("municipality", "label", name="uq_process_versions_municipality_label"),
        Index("ix_process_versions_active", "municipality", "is_active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    process_id: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(512))
    sha256: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    catalog: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The version's deadline table (deadlines.yaml, format 2); None for a legacy list.
    deadline_table: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The version's step forms, normalized (engine/forms/spec.py); None: deployed before forms
    # were declared, so the library as the engine has it applies.
    forms: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    deployed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deployed_by: Mapped[str] = mapped_column(String(128))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    # municipality.yaml as it was at deploy: the calendar, office hours and departments the
    # version's cases run under (None: deployed before snapshots, the file on disk applies).
    settings_yaml: Mapped[str | None] = mapped_column(Text, nullable=True)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    activated_by: Mapped[str | None] = mapped_column(String(128), nullable=True)


class VersionActivation(Base):
    """A switch of the active version: now, on a date (performed once), or a rollback."""

    __tablename__ = "version_activations"
    __table_args__ = (
        Index("ix_version_activations_pending", "municipality", "performed_at", "effective_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    # The version active when the switch was performed: what a rollback returns to.
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_versions.id"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # ActivationKind
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    requested_by: Mapped[str] = mapped_column(String(128))
    effective_at: Mapped[datetime] = mapped_column(UtcDateTime)
    performed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
