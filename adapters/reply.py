"""Where a message came from in its channel, for answering it there (publishing reads this).

Every channel adapter stores `payload.reply_to` with at least `network` (vk, telegram, max, ok)
and `kind`, plus the channel's ids (docs/channels.md lists them per channel and kind).
"""

from __future__ import annotations

from typing import Any

from engine.models import Message

REPLY_KEY = "reply_to"


def reply_target(message: Message) -> dict[str, Any] | None:
    """The channel's coordinates of the message, or None (manual intake, ИМ/ПОС imports)."""
    found = (message.payload or {}).get(REPLY_KEY)
    if not isinstance(found, dict) or "network" not in found or "kind" not in found:
        return None
    return dict(found)
