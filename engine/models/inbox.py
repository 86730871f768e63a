"""Comments on cases, each user's notices, their mail preferences and the mail outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, orm_insert_sentinel

from engine.db import Base, UtcDateTime, enum_type
from engine.inbox.status import MailStatus


class CaseComment(Base):
    """An internal note on a case between staff; never published."""

    __tablename__ = "case_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"), index=True)
    municipality: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(128))  # the login
    body: Mapped[str] = mapped_column(Text)
    mentions: Mapped[list[str]] = mapped_column(JSON, default=list)  # logins
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserNotice(Base):
    """One event told to one user: the page's inbox and the source of its mail."""

    __tablename__ = "user_notices"
    __table_args__ = (
        # One notice per event and recipient: the same event seen twice adds nothing.
        UniqueConstraint("user_id", "event_key"),
        Index("ix_user_notices_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Lets one INSERT carry many rows on SQLite and still hand back their ids in order.
    _sentinel: Mapped[int | None] = orm_insert_sentinel()
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    municipality: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(160))
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instances.id"), nullable=True
    )
    text: Mapped[str] = mapped_column(String(1024))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class NoticePreference(Base):
    """Which kinds of notice a user gets by mail, and whether as one daily digest."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    mail_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    digest: Mapped[bool] = mapped_column(Boolean, default=False)


class MailMessage(Base):
    """The mail outbox: one row per notice, written in the event's transaction."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique: a notice is mailed at most once (the key per event and recipient).
    notice_id: Mapped[int] = mapped_column(ForeignKey("user_notices.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(320))
    digest: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MailStatus] = mapped_column(enum_type(MailStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
