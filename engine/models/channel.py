"""Deliveries a channel has made: a webhook event or update seen once, so its retry is a no-op."""

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
