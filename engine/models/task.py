"""The projection of open user tasks, so task lists never deserialize workflows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class OpenUserTask(Base):
    """A READY user task of a running instance, kept in step on every save."""

    __tablename__ = "open_user_tasks"
    __table_args__ = (
        Index("ix_open_user_tasks_role_due", "municipality", "role", "due_at"),
        Index("ix_open_user_tasks_department_due", "municipality", "department", "due_at"),
        Index("ix_open_user_tasks_assignee", "assignee"),
        # A curator's «Все» in the list's order (NULLS LAST: tasks without a deadline last).
        Index("ix_open_user_tasks_due", "municipality", "due_at", "created_at"),
        # The list's step filter reads its choices by skipping through this index.
        Index("ix_open_user_tasks_steps", "municipality", "element_id", "name"),
    )

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64))
    element_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(256))
    lane: Mapped[str | None] = mapped_column(String(256), nullable=True)
    role: Mapped[str | None] = mapped_column(String(64), nullable=True)
    department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    assignee: Mapped[str | None] = mapped_column(String(128), nullable=True)
    form_key: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    multi_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # While the step's deadline is paused (waiting on the author): the working time it has left.
    paused_remaining_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
