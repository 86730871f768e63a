"""Where a polling adapter stopped reading, kept per channel, municipality and key (a topic)."""

from __future__ import annotations

from sqlalchemy import select

from adapters.channel import Context
from engine.models import ChannelCursor


def load_cursor(context: Context, source: str, municipality: str, key: str) -> str | None:
    """The stored position, or None to read from the start."""
    with context.sessions() as session:
        return session.scalar(
            select(ChannelCursor.value).where(
                ChannelCursor.source == source,
                ChannelCursor.municipality == municipality,
                ChannelCursor.key == key,
            )
        )


def save_cursor(context: Context, source: str, municipality: str, key: str, value: str) -> None:
    """Store the position in its own transaction (after the messages before it are in)."""
    with context.sessions.begin() as session:
        found = session.scalar(
            select(ChannelCursor).where(
                ChannelCursor.source == source,
                ChannelCursor.municipality == municipality,
                ChannelCursor.key == key,
            )
        )
        now = context.runtime.clock.now()
        if found is None:
            session.add(
                ChannelCursor(
                    source=source, municipality=municipality, key=key, value=value, updated_at=now
                )
            )
        else:
            found.value, found.updated_at = value, now
