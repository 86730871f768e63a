"""Telegram Bot API: sendMessage with reply_parameters (the discussion group or the bot's chat)."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.publishing.channels import Outgoing, json_of, post, register
from adapters.publishing.errors import Delivered, PermanentError
from adapters.publishing.rate import RateLimiter
from adapters.publishing.settings import PublishSettings


class TelegramPublisher:
    """Replies to the author's message in its chat, about one message per second per chat."""

    # The Bot API has no idempotency key: a send interrupted by a crash is not repeated blindly
    # (the curator checks the chat), so an answer is never posted twice.
    idempotent = False

    def __init__(self, client: httpx.Client, settings: PublishSettings) -> None:
        self.client, self.base = client, settings.base_urls["telegram"]
        self.limiter = RateLimiter(1, settings.telegram_chat_interval_seconds)

    def send(self, outgoing: Outgoing) -> Delivered:
        """sendMessage; a 429 tells when to try again (parameters.retry_after)."""
        where = outgoing.address
        body: dict[str, Any] = {"chat_id": where["chat_id"], "text": outgoing.text}
        if where.get("message_id"):
            body["reply_parameters"] = {"message_id": where["message_id"]}
        self.limiter.wait(str(where["chat_id"]))
        url = f"{self.base}/bot{outgoing.token}/sendMessage"
        # post() names only the error's type, never the URL that carries the token.
        answer = json_of(post(self.client, url, json=body))
        if not answer.get("ok"):
            raise PermanentError(f"Telegram отказал: {answer.get('description', '')}")
        result = answer.get("result") or {}
        return Delivered(str(result.get("message_id")), _link(result))


def _link(result: dict[str, Any]) -> str | None:
    chat = result.get("chat") or {}
    number = result.get("message_id")
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{number}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):  # a supergroup without a public name
        return f"https://t.me/c/{chat_id[4:]}/{number}"
    return None


register("telegram")(TelegramPublisher)
