"""`POST /channels/ok/<municipality>`: the OK Bot API webhook of a group's chats.

OK signs nothing, so the adapter accepts a notification only from the configured source
networks (`networks`, comma-separated CIDRs of OK's servers) and only for the group's own chats
(`chat_ids`, comma-separated `chat:...` ids). `MESSAGE_CREATED` becomes a private message; the
message's `mid` is its identity.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from adapters.channel import (
    Context,
    Forbidden,
    NotConnected,
    WebhookAnswer,
    WebhookRequest,
    from_unix,
    need,
    optional,
    text_or_placeholder,
)
from adapters.intake import Delivery, chat_of, take_in

SOURCE = "ok"
ACTOR = "ok"


def handle(context: Context, request: WebhookRequest) -> WebhookAnswer:
    """Take one notification in; OK gets 200 so it does not redeliver it."""
    municipality = request.municipality
    _check_network(context, municipality, request.remote_addr)
    notification = request.json()
    kind = need(notification, "webhookType", str, "notification")
    if kind != "MESSAGE_CREATED":
        return WebhookAnswer("ok")
    recipient = need(notification, "recipient", dict, "notification")
    chat_id = need(recipient, "chat_id", str, "notification.recipient")
    chats = _listed(context.required(municipality, SOURCE, "chat_ids"))
    if chat_id not in chats:
        raise Forbidden(f"Чат {chat_id} не относится к группе.")
    message = need(notification, "message", dict, "notification")
    mid = need(message, "mid", str, "notification.message")
    incoming = _incoming(notification, message, chat_id, mid)
    if incoming is not None:
        incoming["municipality"] = municipality
    delivery = Delivery(SOURCE, municipality, mid, incoming, page_of=chat_of(incoming))
    take_in(context, delivery, ACTOR)
    return WebhookAnswer("ok")


def _incoming(
    notification: dict[str, Any], message: dict[str, Any], chat_id: str, mid: str
) -> dict[str, Any] | None:
    sender = need(notification, "sender", dict, "notification")
    user_id = need(sender, "user_id", str, "notification.sender")
    if not user_id.startswith("user:"):
        return None  # the group itself (our own answer) or a bot
    name = optional(sender, "name", str, "notification.sender") or user_id
    timestamp = need(notification, "timestamp", int, "notification")
    text = optional(message, "text", str, "notification.message")
    attachments = optional(message, "attachments", list, "notification.message") or []
    kinds = [str(item.get("type")) for item in attachments if isinstance(item, dict)]
    return {
        "source": SOURCE,
        "external_id": mid,
        "channel": "private",
        "official_page": True,
        "author": name[:256],
        "author_id": user_id,
        "text": text_or_placeholder(text, kinds),
        "thread_id": chat_id,
        "received_at": from_unix(timestamp / 1000, "notification.timestamp").isoformat(),
        "payload": {
            "reply_to": {"network": SOURCE, "kind": "chat", "chat_id": chat_id, "mid": mid}
        },
    }


def _check_network(context: Context, municipality: str, address: str | None) -> None:
    listed = context.secret(municipality, SOURCE, "networks")
    if listed is None:
        raise NotConnected(f"Канал ok не подключён для «{municipality}» (нет networks).")
    try:
        networks = [ipaddress.ip_network(item, strict=False) for item in _listed(listed)]
        client = ipaddress.ip_address(address or "")
    except ValueError:
        raise Forbidden("Адрес отправителя не из сетей Одноклассников.") from None
    if not any(client in network for network in networks):
        raise Forbidden(f"Адрес {address} не из сетей Одноклассников.")


def _listed(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]
