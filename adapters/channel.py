"""What every webhook adapter shares: the request it reads, the answer, refusals, wire reading.

Adapters do not import Flask: `web/channels.py` turns the HTTP request into a `WebhookRequest`
and a `WebhookAnswer` (or a refusal) back into a response.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from adapters.secrets import channel_secret
from engine.runtime import Runtime

T = TypeVar("T")
# A webhook body larger than this is no message of a citizen (VK's own limit is far lower).
MAX_BODY_BYTES = 1_000_000


class Refusal(Exception):
    """A delivery refused with an HTTP status and a Russian reason; nothing is stored."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Malformed(Refusal):
    """The payload is not what the channel documents (400)."""

    status = 400


class Forbidden(Refusal):
    """A wrong or missing secret, or a sender we do not accept (403)."""

    status = 403


class NotConnected(Refusal):
    """The municipality has not connected this channel (404)."""

    status = 404


class Unavailable(Refusal):
    """Nothing to start the case on yet (no active regulation): the channel should retry (503)."""

    status = 503


@dataclass(frozen=True)
class WebhookRequest:
    """One HTTP delivery of a channel, as the adapter sees it."""

    municipality: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case
    remote_addr: str | None = None

    def header(self, name: str) -> str | None:
        """A header's value (names compared in lower case)."""
        return self.headers.get(name.lower())

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, else 400."""
        if len(self.body) > MAX_BODY_BYTES:
            raise Malformed(f"Тело запроса больше {MAX_BODY_BYTES} байт.")
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise Malformed("Тело запроса — не JSON.") from None
        if not isinstance(data, dict):
            raise Malformed("Тело запроса — не JSON-объект.")
        return data


@dataclass(frozen=True)
class WebhookAnswer:
    """What the channel gets back."""

    body: str = "ok"
    status: int = 200
    content_type: str = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Context:
    """What an adapter's handler works with: its own transactions, the engine runtime, secrets."""

    sessions: sessionmaker[Session]
    runtime: Runtime
    environ: Mapping[str, str] | None = None  # None: the process environment

    def secret(self, municipality: str, channel: str, name: str) -> str | None:
        """One configured secret or setting of a municipality's channel."""
        return channel_secret(municipality, channel, name, self.environ)

    def required(self, municipality: str, channel: str, name: str) -> str:
        """A setting the channel cannot work without; 404 when it is not configured."""
        value = self.secret(municipality, channel, name)
        if value is None:
            raise NotConnected(f"Канал {channel} не подключён для «{municipality}» (нет {name}).")
        return value


def same_secret(given: str | None, expected: str) -> bool:
    """Constant-time comparison, so the secret cannot be guessed by timing."""
    if given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def need(obj: Any, key: str, kind: type[T] | tuple[type, ...], where: str) -> T:
    """A field the wire format documents as required, of its documented type, else 400."""
    if not isinstance(obj, dict):
        raise Malformed(f"{where}: ожидается объект.")
    value = obj.get(key)
    if value is None:
        raise Malformed(f"{where}.{key}: поле обязательно.")
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
        raise Malformed(f"{where}.{key}: неверный тип.")
    return value  # type: ignore[return-value]


def optional(
    obj: dict[str, Any], key: str, kind: type[T] | tuple[type, ...], where: str
) -> T | None:
    """A field the wire format may leave out; of its type when present, else 400."""
    if obj.get(key) is None:
        return None
    return need(obj, key, kind, where)


def from_unix(seconds: int | float, where: str) -> datetime:
    """A UNIX time of the wire as an aware UTC datetime, else 400."""
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise Malformed(f"{where}: неверная дата.") from None


def text_or_placeholder(text: str | None, attachments: list[str]) -> str:
    """The message's text; a photo without words still becomes a message the curator sees."""
    if text and text.strip():
        return text
    kinds = ", ".join(attachments) if attachments else "нет"
    return f"[сообщение без текста; вложения: {kinds}]"
