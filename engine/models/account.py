"""Staff accounts and substitutions: who may see and complete which task."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class User(Base):
    """A member of staff of one municipality, with roles and (for executors) a department."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(256))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    municipality: Mapped[str] = mapped_column(String(64), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where mail notices go; none: the user gets notices in the page only.
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    # Set when an administrator resets the password: the next sign-in must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # A signed-in session carries the epoch it began in; bumping it ends every such session.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Substitution(Base):
    """An absent user's tasks go to a substitute for a period (Palana, п. 9)."""

    __tablename__ = "substitutions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    absent_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    substitute_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(256), default="")
