"""Deliveries a channel has made (each seen once, so a retry is a no-op) and polling cursors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UtcDateTime


class ChannelReceipt(Base):
    """One delivery of a channel (VK event_id, Telegram update_id...) taken in."""

    __tablename__ = "channel_receipts"
    __table_args__ = (UniqueConstraint("source", "municipality", "receipt_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    municipality: Mapped[str] = mapped_column(String(64))
    receipt_id: Mapped[str] = mapped_column(String(256))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # None: the delivery was seen and deliberately not made a message (our own reply, a bot).
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id"), nullable=True, index=True
    )


class ChannelCursor(Base):
    """Where a polled channel's reading stopped (OK's `anchor` per topic), so the next poll
    goes on from there instead of re-reading the topic."""

    __tablename__ = "channel_cursors"
    __table_args__ = (UniqueConstraint("source", "municipality", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    municipality: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(256))
    value: Mapped[str] = mapped_column(String(1024))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
