"""MAX Bot API: POST /messages to a chat or a user, replying to the author's message."""

from __future__ import annotations

from typing import Any

import httpx

from adapters.publishing.channels import Outgoing, json_of, post, register, token_key
from adapters.publishing.errors import Delivered, PermanentError, TransientError
from adapters.publishing.rate import per_second
from adapters.publishing.settings import PublishSettings


class MaxPublisher:
    """Sends the answer with a reply link to the author's message."""

    idempotent = False  # no idempotency key in the API: see TelegramPublisher

    def __init__(self, client: httpx.Client, settings: PublishSettings) -> None:
        self.client, self.base = client, settings.base_urls["max"]
        self.limiter = per_second(settings.max_per_second)

    def send(self, outgoing: Outgoing) -> Delivered:
        """POST /messages?chat_id=… (or user_id=…)."""
        where = outgoing.address
        recipient = (
            {"chat_id": where["chat_id"]} if "chat_id" in where else {"user_id": where["user_id"]}
        )
        body: dict[str, Any] = {"text": outgoing.text}
        if where.get("mid"):
            body["link"] = {"type": "reply", "mid": where["mid"]}
        self.limiter.wait(token_key(outgoing.token))
        response = post(
            self.client,
            f"{self.base}/messages",
            params=recipient,
            json=body,
            headers={"Authorization": outgoing.token},
        )
        answer = json_of(response)
        if response.status_code >= 400:
            raise PermanentError(f"MAX отказал ({response.status_code}): {answer.get('message')}")
        message = answer.get("message") or {}
        mid = (message.get("body") or {}).get("mid")
        if not mid:
            raise TransientError("MAX: в ответе нет mid")
        return Delivered(str(mid), message.get("url"))


register("max")(MaxPublisher)
