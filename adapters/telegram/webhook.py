"""`POST /channels/telegram/<municipality>`: the Bot API webhook of one municipality's bot.

Settings (channel `telegram`): `secret` (the `secret_token` given to setWebhook, sent back in
`X-Telegram-Bot-Api-Secret-Token`), `discussion_chat_id` (optional: the channel's linked
discussion group; comments of other groups are skipped).
Comments on a channel post arrive as messages of the discussion group in the post's thread
(replies to the automatic forward of the post); direct messages come from private chats.
"""

from __future__ import annotations

from typing import Any

from adapters.channel import (
    Context,
    Forbidden,
    WebhookAnswer,
    WebhookRequest,
    from_unix,
    need,
    optional,
    same_secret,
    text_or_placeholder,
)
from adapters.intake import Delivery, chat_of, take_in

SOURCE = "telegram"
ACTOR = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MEDIA = ("photo", "video", "document", "audio", "voice", "sticker", "animation", "location")


def handle(context: Context, request: WebhookRequest) -> WebhookAnswer:
    """Take one update in; Telegram stops retrying once it gets 200."""
    municipality = request.municipality
    expected = context.required(municipality, SOURCE, "secret")
    if not same_secret(request.header(SECRET_HEADER), expected):
        raise Forbidden(f"Неверный {SECRET_HEADER}.")
    update = request.json()
    update_id = need(update, "update_id", int, "update")
    message = optional(update, "message", dict, "update")
    incoming = None
    if message is not None:
        incoming = _incoming(context, municipality, message)
    if incoming is not None:
        incoming["municipality"] = municipality
        incoming["payload"]["update_id"] = update_id
    delivery = Delivery(SOURCE, municipality, str(update_id), incoming, page_of=chat_of(incoming))
    take_in(context, delivery, ACTOR)
    return WebhookAnswer("ok")


def _incoming(
    context: Context, municipality: str, message: dict[str, Any]
) -> dict[str, Any] | None:
    where = "update.message"
    message_id = need(message, "message_id", int, where)
    chat = need(message, "chat", dict, where)
    chat_id = need(chat, "id", int, f"{where}.chat")
    chat_type = need(chat, "type", str, f"{where}.chat")
    sender = optional(message, "from", dict, where)
    date = need(message, "date", int, where)
    text = optional(message, "text", str, where) or optional(message, "caption", str, where)
    if sender is None or optional(sender, "is_bot", bool, f"{where}.from"):
        return None  # a channel's own post, an anonymous admin, or a bot
    place: dict[str, Any] | None = None
    if chat_type == "private":
        place = _private(chat_id, message_id)
    elif chat_type in ("group", "supergroup"):
        place = _comment(context, municipality, message, chat, message_id)
    if place is None:  # a channel's own chat type, or not a comment
        return None
    user_id = need(sender, "id", int, f"{where}.from")
    return {
        "source": SOURCE,
        "external_id": f"{chat_id}:{message_id}",
        "official_page": True,
        "author": _name(sender, user_id),
        "author_id": str(user_id),
        "text": text_or_placeholder(text, [kind for kind in MEDIA if kind in message]),
        "received_at": from_unix(date, f"{where}.date").isoformat(),
        **place,
    }


def _private(chat_id: int, message_id: int) -> dict[str, Any]:
    return {
        "channel": "private",
        "url": None,
        "thread_id": f"chat{chat_id}",
        "payload": {
            "reply_to": {
                "network": SOURCE,
                "kind": "private",
                "chat_id": chat_id,
                "message_id": message_id,
            }
        },
    }


def _comment(
    context: Context,
    municipality: str,
    message: dict[str, Any],
    chat: dict[str, Any],
    message_id: int,
) -> dict[str, Any] | None:
    where = "update.message"
    chat_id = chat["id"]
    expected = context.secret(municipality, SOURCE, "discussion_chat_id")
    if expected is not None and str(chat_id) != expected.strip():
        return None  # a group other than the channel's discussion group
    if optional(message, "is_automatic_forward", bool, where):
        return None  # the channel post itself, forwarded into the group
    replied = optional(message, "reply_to_message", dict, where)
    thread = optional(message, "message_thread_id", int, where)
    if replied is None and thread is None:
        return None  # chatter in the group, not a comment on a post
    if thread is None:
        thread = need(replied, "message_id", int, f"{where}.reply_to_message")
    return {
        "channel": "comment",
        "url": _link(chat, message_id, thread),
        "thread_id": f"post{chat_id}_{thread}",
        "payload": {
            "reply_to": {
                "network": SOURCE,
                "kind": "comment",
                "chat_id": chat_id,
                "message_id": message_id,
                "thread_id": thread,
            }
        },
    }


def _link(chat: dict[str, Any], message_id: int, thread: int) -> str | None:
    """t.me link to the comment: by the group's username, else by its internal id."""
    username = chat.get("username")
    if isinstance(username, str) and username:
        return f"https://t.me/{username}/{message_id}?thread={thread}"
    digits = str(chat["id"])
    if digits.startswith("-100"):
        return f"https://t.me/c/{digits[4:]}/{message_id}?thread={thread}"
    return None


def _name(sender: dict[str, Any], user_id: int) -> str:
    parts = [sender.get("first_name"), sender.get("last_name")]
    name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    username = sender.get("username")
    if not name and isinstance(username, str):
        name = f"@{username}"
    return name[:256] or f"id{user_id}"
