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


# The intake's coordinates → the publishing worker's reply address (engine/publishing/address.py,
# docs/publishing.md «Reply address»), per (network, kind). A kind without an entry (VK board
# comments, Одноклассники, a Telegram channel post) keeps the manual path.
def _vk_comment(at: dict[str, Any]) -> dict[str, Any]:
    return {
        "channel": "vk",
        "owner_id": at["owner_id"],
        "post_id": at["post_id"],
        "comment_id": at.get("comment_id"),
    }


def _vk_post(at: dict[str, Any]) -> dict[str, Any]:
    return {"channel": "vk", "owner_id": at["owner_id"], "post_id": at["post_id"]}


def _vk_message(at: dict[str, Any]) -> dict[str, Any]:
    return {"channel": "vk", "peer_id": at["peer_id"]}


def _telegram(at: dict[str, Any]) -> dict[str, Any]:
    return {"channel": "telegram", "chat_id": at["chat_id"], "message_id": at.get("message_id")}


def _max(at: dict[str, Any]) -> dict[str, Any]:
    recipient = (
        {"chat_id": at["chat_id"]} if at.get("chat_id") is not None else {"user_id": at["user_id"]}
    )
    return {"channel": "max", **recipient, "mid": at.get("mid")}


def _max_comment(at: dict[str, Any]) -> dict[str, Any]:
    # A comment under a channel's post is answered in the post's comments (MAX's comments API).
    return {**_max(at), "post_mid": at.get("replied_mid")}


ADDRESSES = {
    ("vk", "wall_comment"): _vk_comment,
    ("vk", "wall_post"): _vk_post,
    ("vk", "message"): _vk_message,
    ("telegram", "comment"): _telegram,
    ("telegram", "private"): _telegram,
    ("max", "chat"): _max,
    ("max", "dialog"): _max,
    ("max", "channel"): _max_comment,
}


def publishing_address(reply_to: dict[str, Any]) -> dict[str, Any] | None:
    """Where the publishing worker answers a message taken in at `reply_to`, if it can."""
    make = ADDRESSES.get((str(reply_to.get("network")), str(reply_to.get("kind"))))
    if make is None:
        return None
    try:
        address = make(reply_to)
    except KeyError:  # coordinates without the ids the channel's API needs
        return None
    return {key: value for key, value in address.items() if value is not None}
