"""An adapter's unit of work: one delivery taken in once, in its own transaction."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.channel import Context, Malformed, Unavailable
from adapters.reply import REPLY_KEY, publishing_address
from engine.intake import DuplicateMessage, InvalidMessage, receive_message
from engine.models import ChannelReceipt
from engine.publishing.address import REPLY_KEY as PUBLISHING_KEY
from engine.versions import NoActiveVersion


class Outcome(enum.StrEnum):
    """What became of a delivery."""

    ACCEPTED = "accepted"  # a new message: a new case or a repeat in a running one
    DUPLICATE = "duplicate"  # seen before (same delivery id or same message ids): nothing done
    IGNORED = "ignored"  # not a citizen's message (our own reply, a bot, an event we skip)


@dataclass(frozen=True)
class Delivery:
    """One delivery of a channel: its id (event_id, update_id...) and the message, if any."""

    source: str
    municipality: str
    receipt_id: str | None
    incoming: dict[str, Any] | None  # None: seen, but not a message to take in
    page_of: str | None = None  # the community or chat it came to (the `pages` setting's key)


def take_in(context: Context, delivery: Delivery, actor: str) -> Outcome:
    """Receive the delivery's message once; a repeat of it or of its message is a no-op."""
    try:
        with context.sessions.begin() as session:
            return _take_in(session, context, delivery, actor)
    except DuplicateMessage:
        return Outcome.DUPLICATE  # the transaction is rolled back: nothing of this try stays
    except IntegrityError:
        # A simultaneous twin of the same delivery committed its receipt first.
        if _seen(context, delivery):
            return Outcome.DUPLICATE
        raise


def _take_in(session: Session, context: Context, delivery: Delivery, actor: str) -> Outcome:
    if delivery.receipt_id is not None and _receipt(session, delivery) is not None:
        return Outcome.DUPLICATE
    message_id = None
    if delivery.incoming is not None:
        incoming = with_page(context, delivery, delivery.incoming)
        try:
            intake = receive_message(session, context.runtime, incoming, actor)
        except InvalidMessage as error:
            raise Malformed(_flat(error.errors)) from error
        except NoActiveVersion as error:
            raise Unavailable(str(error)) from error
        message_id = intake.message.id
    if delivery.receipt_id is not None:
        session.add(
            ChannelReceipt(
                source=delivery.source,
                municipality=delivery.municipality,
                receipt_id=delivery.receipt_id,
                received_at=context.runtime.clock.now(),
                message_id=message_id,
            )
        )
        session.flush()
    return Outcome.ACCEPTED if message_id is not None else Outcome.IGNORED


def with_page(context: Context, delivery: Delivery, incoming: dict[str, Any]) -> dict[str, Any]:
    """Whose page the channel is, as the administrator set it: the regulation's deadlines
    depend on it (Perm 3.2 for the Head's pages, 3.3 for the administration's).

    Settings `official_page` (`false` for a page that is not official; default true), `page`
    (e.g. `head`, `administration`; the diagram reads it as `message.page`) and `pages`
    (`<community id>=<page>,...` when one channel serves several communities).
    """
    municipality, source = delivery.municipality, delivery.source
    official = (context.secret(municipality, source, "official_page") or "true").strip().lower()
    pages = _pairs(context.secret(municipality, source, "pages") or "")
    page = pages.get(delivery.page_of or "") or context.secret(municipality, source, "page")
    payload = dict(incoming.get("payload") or {})
    if page:
        payload["page"] = page.strip()
    address = publishing_address(payload.get(REPLY_KEY) or {})
    if address is not None:  # the answer can go back through the channel's API
        payload[PUBLISHING_KEY] = address
    return {**incoming, "official_page": official not in OFF, "payload": payload}


OFF = frozenset({"false", "no", "0", "нет"})


def _pairs(text: str) -> dict[str, str]:
    """`a=b, c=d` as a dictionary."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs}


def chat_of(incoming: dict[str, Any] | None) -> str | None:
    """The chat a message came to (its `reply_to.chat_id`), the `pages` key of chat channels."""
    if incoming is None:
        return None
    chat = (incoming.get("payload") or {}).get("reply_to", {}).get("chat_id")
    return None if chat is None else str(chat)


def _receipt(session: Session, delivery: Delivery) -> ChannelReceipt | None:
    return session.scalar(
        select(ChannelReceipt).where(
            ChannelReceipt.source == delivery.source,
            ChannelReceipt.municipality == delivery.municipality,
            ChannelReceipt.receipt_id == delivery.receipt_id,
        )
    )


def _seen(context: Context, delivery: Delivery) -> bool:
    if delivery.receipt_id is None:
        return False
    with context.sessions() as session:
        return _receipt(session, delivery) is not None


def _flat(errors: dict[str, Any]) -> str:
    """Field messages in one line: «text: Поле обязательно.; url: ...»."""
    parts = []
    for name, messages in errors.items():
        texts = messages if isinstance(messages, list) else [str(messages)]
        parts.append(f"{name}: {' '.join(str(text) for text in texts)}")
    return "; ".join(parts)
