"""A draft version edited in the browser's modeler: its files and a revision for stale saves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class VersionDraft(Base):
    """A regulation version not deployed yet: never active, deployed only through the checks."""

    __tablename__ = "version_drafts"
    __table_args__ = (UniqueConstraint("municipality", "label", name="uq_version_drafts_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(64))
    # The version folder the draft started from: its scenarios test the draft.
    base_label: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(512))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms_yaml: Mapped[str | None] = mapped_column(Text, nullable=True)
    deadlines_yaml: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Each save bumps it; a save based on an older revision is refused (two editors).
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(128))
    updated_by: Mapped[str] = mapped_column(String(128))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
