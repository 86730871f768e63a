"""The webhook adapters by channel name: `POST /channels/<name>/<municipality>` dispatches here."""

from __future__ import annotations

from collections.abc import Callable

from adapters.channel import Context, WebhookAnswer, WebhookRequest
from adapters.max import webhook as max_bot
from adapters.ok import poll as ok_poll
from adapters.ok import webhook as ok
from adapters.telegram import webhook as telegram
from adapters.vk import callback as vk

Handler = Callable[[Context, WebhookRequest], WebhookAnswer]

WEBHOOKS: dict[str, Handler] = {
    "vk": vk.handle,
    "telegram": telegram.handle,
    "max": max_bot.handle,
    "ok": ok.handle,
}

# Who a channel's intake acts as (the audit's actor) and the network's name staff read for it.
ACTOR_CHANNELS: dict[str, str] = {
    vk.ACTOR: "ВКонтакте",
    telegram.ACTOR: "Telegram",
    max_bot.ACTOR: "MAX",
    ok.ACTOR: "Одноклассники",
    ok_poll.ACTOR: "Одноклассники",
}
