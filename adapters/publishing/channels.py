"""What every channel's publisher is given and answers, and the registry by channel name."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from adapters.publishing.errors import Delivered, PermanentError, TransientError
from adapters.publishing.settings import PublishSettings
from engine.attachments import without_metadata


@dataclass(frozen=True)
class Photo:
    """A photo sent with the answer: where its bytes are (the attachments store) and its type."""

    sha256: str
    media_type: str
    path: Path

    @property
    def filename(self) -> str:
        """The multipart part's name: hash and extension, nothing a user typed."""
        return f"{self.sha256[:16]}.{self.media_type.rsplit('/', 1)[-1]}"

    def content(self) -> bytes:
        """The photo as published; a file gone from the store is final (the curator attaches it)."""
        try:
            # What a public channel gets carries no EXIF (GPS, the phone, its owner).
            return without_metadata(self.path.read_bytes(), self.media_type)
        except OSError as error:
            raise PermanentError(
                f"Фотография {self.sha256[:12]} не найдена в хранилище."
            ) from error


@dataclass(frozen=True)
class Outgoing:
    """One outbox row as a publisher needs it (plain values: no session is open)."""

    id: int
    municipality: str
    channel: str
    address: dict[str, Any]
    text: str
    token: str
    photos: tuple[Photo, ...] = ()

    @property
    def idempotency_key(self) -> str:
        """Derived from the outbox id: a resend after a crash carries the same key."""
        return f"reglament-outbox-{self.id}"


class Publisher(Protocol):
    """Sends one answer; raises TransientError or PermanentError."""

    # Whether the channel drops a resend with the same key (VK's guid and random_id).
    idempotent: bool

    def send(self, outgoing: Outgoing) -> Delivered:
        """Publish and return the channel's id and link."""
        ...


PublisherFactory = Callable[[httpx.Client, PublishSettings], Publisher]
PUBLISHERS: dict[str, PublisherFactory] = {}


def register(channel: str) -> Callable[[PublisherFactory], PublisherFactory]:
    """Register a channel's publisher under the name its reply address uses."""

    def decorate(factory: PublisherFactory) -> PublisherFactory:
        PUBLISHERS[channel] = factory
        return factory

    return decorate


def token_key(token: str) -> str:
    """A rate-limit key for a token that never keeps the token itself in memory dumps or logs."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def post(client: httpx.Client, url: str, **options: Any) -> httpx.Response:
    """POST; a network failure, a 429 and a 5xx are transient, other HTTP errors final."""
    try:
        response = client.post(url, **options)
    except httpx.HTTPError as error:
        raise TransientError(f"сеть: {type(error).__name__}") from error
    if response.status_code == 429:
        raise TransientError("429: слишком много запросов", _retry_after(response))
    if response.status_code >= 500:
        raise TransientError(f"{response.status_code}: ошибка сервера канала")
    return response


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object; anything else is the channel's fault, tried again."""
    try:
        body = response.json()
    except ValueError as error:
        raise TransientError(f"{response.status_code}: ответ не JSON") from error
    if not isinstance(body, dict):
        raise TransientError(f"{response.status_code}: неожиданный ответ")
    return body


def _retry_after(response: httpx.Response) -> float | None:
    """The wait a 429 asks for: the header, or Telegram's `parameters.retry_after`."""
    value: Any = response.headers.get("Retry-After")
    if value is None:
        try:
            value = (response.json().get("parameters") or {}).get("retry_after")
        except (ValueError, AttributeError):
            return None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def refuse(reason: str) -> PermanentError:
    """A final refusal, its reason in Russian for the curator."""
    return PermanentError(reason)
