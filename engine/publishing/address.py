"""Where an answer goes: the `reply` object an intake adapter puts in the message's payload.

The keys are documented in docs/publishing.md («Reply address»); the intake side fills them:
    {"reply": {"channel": "vk", "owner_id": -1, "post_id": 7, "comment_id": 15}}
    {"reply": {"channel": "vk", "peer_id": 2000000001}}
    {"reply": {"channel": "telegram", "chat_id": -100123, "message_id": 42}}
    {"reply": {"channel": "max", "chat_id": 123, "mid": "mid.abc"}}
    {"reply": {"channel": "max", "chat_id": -7, "mid": "mid.c", "post_mid": "mid.p"}}  (a comment)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

REPLY_KEY = "reply"


class _Address(Schema):
    class Meta:
        unknown = "raise"


class VkAddress(_Address):
    """A comment under a wall post (owner, post, the comment answered) or a community chat."""

    owner_id = fields.Integer(load_default=None, strict=True)
    post_id = fields.Integer(load_default=None, strict=True)
    comment_id = fields.Integer(load_default=None, strict=True)
    peer_id = fields.Integer(load_default=None, strict=True)

    @validates_schema
    def _one_place(self, data: dict[str, Any], **_: Any) -> None:
        wall = data.get("owner_id") is not None and data.get("post_id") is not None
        if wall == (data.get("peer_id") is not None):
            raise ValidationError("Нужны либо owner_id и post_id (комментарий), либо peer_id.")


class TelegramAddress(_Address):
    """A chat (the discussion group, or the author's chat with the bot) and the message answered."""

    chat_id = fields.Raw(required=True)
    message_id = fields.Integer(load_default=None, strict=True)


class MaxAddress(_Address):
    """A chat or a user, and the message answered; `post_mid`: the channel post commented on."""

    chat_id = fields.Integer(load_default=None, strict=True)
    user_id = fields.Integer(load_default=None, strict=True)
    mid = fields.String(load_default=None)
    post_mid = fields.String(load_default=None)

    @validates_schema
    def _one_recipient(self, data: dict[str, Any], **_: Any) -> None:
        if (data.get("chat_id") is None) == (data.get("user_id") is None):
            raise ValidationError("Нужен либо chat_id, либо user_id.")


# Channels whose API the worker publishes through; any other keeps the manual path.
ADDRESS_SCHEMAS: dict[str, type[Schema]] = {
    "vk": VkAddress,
    "telegram": TelegramAddress,
    "max": MaxAddress,
}


@dataclass(frozen=True)
class ReplyAddress:
    """A channel with an API and the place in it the answer goes."""

    channel: str
    where: dict[str, Any]


class NoReplyAddress(ValueError):
    """The message names no place an API can publish to (its reason in Russian)."""


def reply_address(payload: dict[str, Any]) -> ReplyAddress:
    """The checked reply address of a message's payload, or NoReplyAddress with the reason."""
    raw = payload.get(REPLY_KEY)
    if not isinstance(raw, dict) or raw.get("channel") not in ADDRESS_SCHEMAS:
        raise NoReplyAddress(
            "У сообщения нет адреса для ответа через ВКонтакте, Telegram или MAX: "
            "опубликуйте вручную и укажите ссылку."
        )
    where = {key: value for key, value in raw.items() if key != "channel"}
    try:
        loaded = ADDRESS_SCHEMAS[raw["channel"]]().load(where)
    except ValidationError as error:
        raise NoReplyAddress(f"Адрес ответа неполон: {error.normalized_messages()}") from error
    return ReplyAddress(raw["channel"], {k: v for k, v in loaded.items() if v is not None})
