"""A deployed regulation version: BPMN XML, its hash and the parsed spec, stored once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class ProcessVersion(Base):
    """One deployed BPMN file of a municipality's regulation."""

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("municipality", "sha256"),
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
