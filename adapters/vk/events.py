"""VK Callback API events (API 5.199) translated to the engine's incoming message.

Each event keeps where it happened in `payload.reply_to` (owner, post, comment, topic, peer ids),
so a repeat correlates and the answer can be posted in the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from adapters.channel import Malformed, from_unix, need, optional, text_or_placeholder

SOURCE = "vk"
API_VERSION = "5.199"
# The objects below have had this shape since 5.103 (message_new wraps the message since then).
OLDEST_VERSION = (5, 103)


@dataclass(frozen=True)
class Event:
    """What the Callback API sent: type, event id, community, object."""

    type: str
    event_id: str
    group_id: int
    object: dict[str, Any]


def author_name(from_id: int) -> str:
    """VK's screen name of a user or a community: id123 or club45 (callbacks carry no names)."""
    return f"id{from_id}" if from_id > 0 else f"club{-from_id}"


def _attachments(obj: dict[str, Any]) -> list[str]:
    found = obj.get("attachments")
    if not isinstance(found, list):
        return []
    return [str(item.get("type")) for item in found if isinstance(item, dict)]


def _message(
    event: Event, *, external_id: str, channel: str, from_id: int, date: int, text: Any,
    url: str, thread: str, reply_to: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    where = f"object ({event.type})"
    if text is not None and not isinstance(text, str):
        raise Malformed(f"{where}.text: неверный тип.")
    attachments = _attachments(event.object)
    return {
        "source": SOURCE,
        "external_id": external_id,
        "channel": channel,
        "official_page": True,  # the municipality's own community
        "author": author_name(from_id),
        "author_id": str(from_id),
        "text": text_or_placeholder(text, attachments),
        "url": url,
        "thread_id": thread,
        "received_at": from_unix(date, f"{where}.date").isoformat(),
        "payload": {
            "event_id": event.event_id,
            "attachments": attachments,
            "reply_to": {"network": SOURCE, **reply_to},
        },
    }


def _own(event: Event, from_id: int) -> bool:
    """The community itself wrote it (our published answer coming back)."""
    return from_id == -event.group_id


def wall_reply_new(event: Event) -> dict[str, Any] | None:
    """A comment under a post of the community's wall (channel `comment`)."""
    obj, where = event.object, "object (wall_reply_new)"
    comment_id = need(obj, "id", int, where)
    from_id = need(obj, "from_id", int, where)
    post_id = need(obj, "post_id", int, where)
    owner_id = need(obj, "owner_id", int, where)
    if _own(event, from_id):
        return None
    url = f"https://vk.com/wall{owner_id}_{post_id}?reply={comment_id}"
    parent = optional(obj, "reply_to_comment", int, where)
    stack = optional(obj, "parents_stack", list, where) or []
    # The comment thread is the top-level comment (VK shows replies under it).
    root = stack[0] if stack and isinstance(stack[0], int) else (parent or comment_id)
    if parent:
        url += f"&thread={root}"
    return _message(
        event,
        external_id=f"wall_reply:{owner_id}_{post_id}_{comment_id}",
        channel="comment",
        from_id=from_id,
        date=need(obj, "date", int, where),
        text=obj.get("text"),
        url=url,
        thread=f"wall{owner_id}_{post_id}",
        reply_to={
            "kind": "wall_comment",
            "owner_id": owner_id,
            "post_id": post_id,
            "comment_id": comment_id,
            "reply_to_comment": parent,
            "thread_comment_id": root,
        },
    )


def wall_post_new(event: Event) -> dict[str, Any] | None:
    """A post on the community's wall, such as one suggested to it (channel `feed`)."""
    obj, where = event.object, "object (wall_post_new)"
    post_id = need(obj, "id", int, where)
    owner_id = need(obj, "owner_id", int, where)
    from_id = need(obj, "from_id", int, where)
    post_type = optional(obj, "post_type", str, where) or "post"
    if _own(event, from_id) and post_type != "suggest":
        return None
    return _message(
        event,
        external_id=f"wall_post:{owner_id}_{post_id}",
        channel="feed",
        from_id=from_id,
        date=need(obj, "date", int, where),
        text=obj.get("text"),
        url=f"https://vk.com/wall{owner_id}_{post_id}",
        thread=f"wall{owner_id}_{post_id}",
        reply_to={"kind": "wall_post", "owner_id": owner_id, "post_id": post_id, "type": post_type},
    )


def message_new(event: Event) -> dict[str, Any] | None:
    """A private message to the community (channel `private`)."""
    where = "object (message_new).message"
    obj = need(event.object, "message", dict, "object (message_new)")
    peer_id = need(obj, "peer_id", int, where)
    from_id = need(obj, "from_id", int, where)
    if from_id < 0:
        return None  # another community or a bot
    number = optional(obj, "conversation_message_id", int, where) or need(obj, "id", int, where)
    inner = Event(event.type, event.event_id, event.group_id, obj)
    return _message(
        inner,
        external_id=f"message:{peer_id}_{number}",
        channel="private",
        from_id=from_id,
        date=need(obj, "date", int, where),
        text=obj.get("text"),
        url=f"https://vk.com/gim{event.group_id}?sel={peer_id}",
        thread=f"dialog{peer_id}",
        reply_to={
            "kind": "message",
            "peer_id": peer_id,
            "conversation_message_id": number,
            "message_id": optional(obj, "id", int, where),
        },
    )


def board_post_new(event: Event) -> dict[str, Any] | None:
    """A comment in one of the community's discussions (channel `comment`)."""
    obj, where = event.object, "object (board_post_new)"
    comment_id = need(obj, "id", int, where)
    from_id = need(obj, "from_id", int, where)
    topic_id = need(obj, "topic_id", int, where)
    owner_id = need(obj, "topic_owner_id", int, where)
    if _own(event, from_id):
        return None
    return _message(
        event,
        external_id=f"board:{owner_id}_{topic_id}_{comment_id}",
        channel="comment",
        from_id=from_id,
        date=need(obj, "date", int, where),
        text=obj.get("text"),
        url=f"https://vk.com/topic{owner_id}_{topic_id}?post={comment_id}",
        thread=f"topic{owner_id}_{topic_id}",
        reply_to={
            "kind": "board_comment",
            "group_id": -owner_id,
            "topic_id": topic_id,
            "comment_id": comment_id,
        },
    )


# The events the adapter takes in; every other type is answered `ok` and skipped.
EVENTS: dict[str, Callable[[Event], dict[str, Any] | None]] = {
    "wall_reply_new": wall_reply_new,
    "wall_post_new": wall_post_new,
    "message_new": message_new,
    "board_post_new": board_post_new,
}
