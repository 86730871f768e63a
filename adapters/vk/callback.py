"""`POST /channels/vk/<municipality>`: the VK Callback API server of one municipality.

Settings (adapters/secrets.py, channel `vk`): `confirmation` (the string VK asks the server
to return), `secret` (the «Секретный ключ» VK puts in every event), `group_id` (optional,
comma-separated: events of another community are refused); several communities on one URL may
each have `confirmation_<group_id>` and a page in `pages` (`<group_id>=head,...`).
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.channel import (
    Context,
    Forbidden,
    Malformed,
    WebhookAnswer,
    WebhookRequest,
    need,
    optional,
    same_secret,
)
from adapters.intake import Delivery, take_in
from adapters.vk.events import EVENTS, OLDEST_VERSION, SOURCE, Event

log = logging.getLogger("reglament.adapters.vk")
ACTOR = "vk"


def handle(context: Context, request: WebhookRequest) -> WebhookAnswer:
    """Confirm the server, or take one event in; VK stops retrying once it reads `ok`."""
    municipality = request.municipality
    body = request.json()
    kind = need(body, "type", str, "body")
    group_id = need(body, "group_id", int, "body")
    _check_group(context, municipality, group_id)
    if kind == "confirmation":
        _check_secret(context, municipality, body, required=False)
        # Several communities on one URL: each has its own confirmation string.
        own = context.secret(municipality, SOURCE, f"confirmation_{group_id}")
        return WebhookAnswer(own or context.required(municipality, SOURCE, "confirmation"))
    _check_secret(context, municipality, body, required=True)
    _check_version(body)
    event = Event(
        type=kind,
        event_id=need(body, "event_id", str, "body"),
        group_id=group_id,
        object=need(body, "object", dict, "body"),
    )
    translate = EVENTS.get(kind)
    incoming = translate(event) if translate else None
    if incoming is not None:
        incoming["municipality"] = municipality
    delivery = Delivery(SOURCE, municipality, event.event_id, incoming, page_of=str(group_id))
    outcome = take_in(context, delivery, ACTOR)
    log.info(
        "vk %s %s %s (retry %s): %s",
        municipality,
        kind,
        event.event_id,
        request.header("X-Retry-Counter") or 0,
        outcome,
    )
    return WebhookAnswer("ok")


def _check_group(context: Context, municipality: str, group_id: int) -> None:
    expected = context.secret(municipality, SOURCE, "group_id")
    allowed = {item.strip() for item in (expected or "").split(",") if item.strip()}
    if allowed and str(group_id) not in allowed:
        raise Forbidden(f"Событие другого сообщества ({group_id}).")


def _check_secret(
    context: Context, municipality: str, body: dict[str, Any], *, required: bool
) -> None:
    expected = context.required(municipality, SOURCE, "secret")
    given = optional(body, "secret", str, "body")
    if given is None and not required:
        return  # VK's confirmation request may come without the secret
    if not same_secret(given, expected):
        raise Forbidden("Неверный секретный ключ (secret).")


def _check_version(body: dict[str, Any]) -> None:
    version = optional(body, "v", str, "body")
    if version is None:
        return
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        raise Malformed(f"body.v: неверная версия API «{version}».") from None
    if (major, minor) < OLDEST_VERSION:
        raise Malformed(f"body.v: версия API {version} устарела; укажите в настройках 5.199.")
