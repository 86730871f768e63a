"""`POST /channels/max/<municipality>`: the MAX bot API webhook of one municipality's bot.

Settings (channel `max`): `secret` (given to `POST /subscriptions`, sent back in
`X-Max-Bot-Api-Secret`). `message_created` updates of dialogs, chats and channels become
messages; the message's `mid` is its identity, so a redelivered update is a no-op.
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

SOURCE = "max"
ACTOR = "max"
SECRET_HEADER = "X-Max-Bot-Api-Secret"
# MAX's chat types and the engine's channel: a dialog is private, a chat's or a channel's
# message is public (a comment on the page).
CHANNELS = {"dialog": "private", "chat": "comment", "channel": "comment"}


def handle(context: Context, request: WebhookRequest) -> WebhookAnswer:
    """Take one update in; answered 200 so MAX does not redeliver it."""
    municipality = request.municipality
    expected = context.required(municipality, SOURCE, "secret")
    if not same_secret(request.header(SECRET_HEADER), expected):
        raise Forbidden(f"Неверный {SECRET_HEADER}.")
    update = request.json()
    kind = need(update, "update_type", str, "update")
    if kind != "message_created":
        need(update, "timestamp", int, "update")
        return WebhookAnswer('{"success": true}', content_type="application/json")
    message = need(update, "message", dict, "update")
    body = need(message, "body", dict, "update.message")
    mid = need(body, "mid", str, "update.message.body")
    incoming = _incoming(message, body, mid)
    if incoming is not None:
        incoming["municipality"] = municipality
    delivery = Delivery(SOURCE, municipality, mid, incoming, page_of=chat_of(incoming))
    take_in(context, delivery, ACTOR)
    return WebhookAnswer('{"success": true}', content_type="application/json")


def _incoming(message: dict[str, Any], body: dict[str, Any], mid: str) -> dict[str, Any] | None:
    where = "update.message"
    recipient = need(message, "recipient", dict, where)
    chat_type = need(recipient, "chat_type", str, f"{where}.recipient")
    chat_id = optional(recipient, "chat_id", int, f"{where}.recipient")
    timestamp = need(message, "timestamp", int, where)
    text = optional(body, "text", str, f"{where}.body")
    sender = optional(message, "sender", dict, where)
    if sender is None or optional(sender, "is_bot", bool, f"{where}.sender"):
        return None  # a channel's own post or a bot (our published answer included)
    channel = CHANNELS.get(chat_type)
    if channel is None:
        return None
    user_id = need(sender, "user_id", int, f"{where}.sender")
    replied = _replied_mid(message)
    thread = (
        f"dialog{chat_id}" if channel == "private" else f"{chat_type}{chat_id}:{replied or mid}"
    )
    attachments = optional(body, "attachments", list, f"{where}.body") or []
    kinds = [str(item.get("type")) for item in attachments if isinstance(item, dict)]
    url = optional(message, "url", str, where)
    return {
        "source": SOURCE,
        "external_id": mid,
        "channel": channel,
        "official_page": True,
        "author": _name(sender, user_id),
        "author_id": str(user_id),
        "text": text_or_placeholder(text, kinds),
        "url": url if url and url.startswith(("https://", "http://")) else None,
        "thread_id": thread,
        "received_at": from_unix(timestamp / 1000, f"{where}.timestamp").isoformat(),
        "payload": {
            "reply_to": {
                "network": SOURCE,
                "kind": chat_type,
                "chat_id": chat_id,
                "user_id": user_id,
                "mid": mid,
                "replied_mid": replied,
            }
        },
    }


def _replied_mid(message: dict[str, Any]) -> str | None:
    """The message this one answers (a comment on a post links to the post)."""
    link = optional(message, "link", dict, "update.message")
    if link is None or link.get("type") != "reply":
        return None
    linked = need(link, "message", dict, "update.message.link")
    return need(linked, "mid", str, "update.message.link.message")


def _name(sender: dict[str, Any], user_id: int) -> str:
    name = sender.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [sender.get("first_name"), sender.get("last_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    return name[:256] or f"id{user_id}"
