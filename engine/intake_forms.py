"""Intake forms: how a message typed in by staff becomes the incoming message the engine takes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from engine.incoming import MAX_EXTERNAL_ID
from engine.intake import InvalidMessage

MANUAL_FIELDS = (
    "source",
    "external_id",
    "channel",
    "author",
    "author_id",
    "text",
    "url",
    "received_at",
    "official_page",
)
UNREADABLE_MOMENT = "Укажите дату и время."

Build = Callable[[Mapping[str, str], str, tzinfo, datetime], dict[str, object]]


@dataclass(frozen=True)
class IntakeForm:
    """A form staff enter messages with: its fields (all text) and how it builds the message."""

    fields: tuple[str, ...]
    build: Build


def manual_intake_message(
    values: Mapping[str, str], municipality: str, zone: tzinfo, now: datetime
) -> dict[str, object]:
    """The incoming message of the manual-intake form (Palana, п. 8): fields as typed, as text.

    The local time is read in the municipality's zone; an empty one means now. A missing field
    counts as an empty one, and an empty answer is dropped so the schema says «Обязательное поле.».
    """
    value = {name: values.get(name, "") for name in MANUAL_FIELDS}
    received = now
    if value["received_at"]:
        try:
            received = datetime.fromisoformat(value["received_at"]).replace(tzinfo=zone)
        except ValueError as error:
            raise InvalidMessage({"received_at": [UNREADABLE_MOMENT]}) from error
    incoming: dict[str, object] = {
        "municipality": municipality,
        "source": value["source"],
        "external_id": value["external_id"] or post_id_of(value["url"]),
        "channel": value["channel"] or "feed",
        "official_page": bool(value["official_page"]),
        "author": value["author"],
        "author_id": value["author_id"] or value["author"],
        "text": value["text"],
        "url": value["url"],
        "received_at": received.isoformat(),
        "payload": {"found_by": "manual_monitoring"},
    }
    return {key: item for key, item in incoming.items() if item != ""}


def post_id_of(url: str) -> str:
    """The post's link as its id; a link longer than the id column is known by its digest."""
    if len(url) <= MAX_EXTERNAL_ID:
        return url
    return "sha256:" + hashlib.sha256(url.encode("utf-8", "replace")).hexdigest()


INTAKE_FORMS: dict[str, IntakeForm] = {"manual": IntakeForm(MANUAL_FIELDS, manual_intake_message)}
