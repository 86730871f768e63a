"""Notices of breaches and reminders: the inbox staff acknowledge, and delivery channels (mail)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine.models import Notice
from engine.statuses import AuditKind

log = logging.getLogger(__name__)

NoticeChannel = Callable[[Notice], None]
# Delivery channels by name (the staff-work issue plugs mail in here); none by default: the
# task list's «Уведомления» tab is where notices are read and acknowledged.
NOTICE_CHANNELS: dict[str, NoticeChannel] = {}


class NoticeNotFound(LookupError):
    """No such notice for this user."""


def notice_channel(name: str) -> Callable[[NoticeChannel], NoticeChannel]:
    """Register a delivery channel (called once per notice, after the notice is committed)."""

    def register(channel: NoticeChannel) -> NoticeChannel:
        NOTICE_CHANNELS[name] = channel
        return channel

    return register


def inbox_filter(
    municipality: str, roles: frozenset[str], departments: frozenset[str]
) -> ColumnElement[bool]:
    """Notices addressed to any of these roles (department-bound ones to these departments)."""
    return and_(
        Notice.municipality == municipality,
        Notice.recipient_role.in_(roles),
        or_(Notice.recipient_department.is_(None), Notice.recipient_department.in_(departments)),
    )


def acknowledge(
    session: Session,
    notice_id: int,
    *,
    municipality: str,
    roles: frozenset[str],
    departments: frozenset[str],
    actor: str,
    comment: str,
    now: datetime,
) -> Notice:
    """Mark a notice read, with an optional comment; audited. Acknowledging twice is a no-op."""
    addressed = (
        Notice.municipality == municipality  # an administrator may close any of them
        if "administrator" in roles
        else inbox_filter(municipality, roles, departments)
    )
    notice = session.scalar(select(Notice).where(Notice.id == notice_id, addressed))
    if notice is None:
        raise NoticeNotFound(str(notice_id))
    if notice.acknowledged_at is not None:
        return notice
    notice.acknowledged_at = now
    notice.acknowledged_by = actor
    notice.comment = comment.strip() or None
    audit.record(
        session,
        AuditKind.NOTICE_ACKNOWLEDGED,
        now,
        actor,
        instance_id=notice.instance_id,
        element_id=notice.element_id,
        notice=notice.id,
        comment=notice.comment,
    )
    return notice


def deliver_pending(sessions: sessionmaker[Any], now: datetime, batch: int = 100) -> int:
    """Hand undelivered notices to every channel, each notice in its own transaction."""
    if not NOTICE_CHANNELS:
        return 0
    with sessions() as session:
        ids = list(
            session.scalars(
                select(Notice.id)
                .where(Notice.delivered_at.is_(None))
                .order_by(Notice.id)
                .limit(batch)
            )
        )
    delivered = 0
    for notice_id in ids:
        with sessions.begin() as session:
            notice = session.get(Notice, notice_id, with_for_update=True)
            if notice is None or notice.delivered_at is not None:
                continue
            failed = []
            for name, channel in NOTICE_CHANNELS.items():
                try:
                    channel(notice)
                except Exception:  # one channel's failure must not stop the others
                    log.exception("notice %s: channel %s failed", notice_id, name)
                    failed.append(name)
            if not failed:  # otherwise it stays in the outbox and is offered again
                notice.delivered_at = now
                delivered += 1
    return delivered
