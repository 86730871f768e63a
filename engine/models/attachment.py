"""Files uploaded on a case's steps (photos, documents), stored on disk by content hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class Attachment(Base):
    """One file of one case: the bytes live in the store under `sha256`, never under `name`."""

    __tablename__ = "attachments"
    # The same bytes uploaded twice on a case (a double submit, a refused form sent again) are
    # one row: a form's value names files by hash, so a second row would add nothing.
    __table_args__ = (UniqueConstraint("instance_id", "sha256", name="uq_attachments_case_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    # The file's name as the browser sent it, shown to staff only (never a path on disk).
    name: Mapped[str] = mapped_column(String(255))
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    field: Mapped[str] = mapped_column(String(64))
    # The department of the step it was uploaded on: executors of others may not open it.
    department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    uploaded_by: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)

    @property
    def is_image(self) -> bool:
        """Whether it is a photo (a thumbnail exists, channels may send it as a photo)."""
        return self.media_type.startswith("image/")
