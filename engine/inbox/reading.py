"""A user's notices in the page: the unread count, the list, marking read, mail preferences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from engine.inbox import kinds
from engine.models import MailMessage, NoticePreference, UserNotice

PAGE_SIZE = 50
MAX_PAGE = 10_000


@dataclass(frozen=True)
class Preferences:
    """Which kinds a user gets by mail, and whether as one daily digest."""

    mail_kinds: frozenset[str]
    digest: bool


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notices are unread."""
    return session.scalar(unread_query(user_id)) or 0


def unread_query(user_id: int) -> Select[int]:
    """SQL: the count of the user's unread notices."""
    return (
        select(func.count())
        .select_from(UserNotice)
        .where(UserNotice.user_id == user_id, UserNotice.read_at.is_(None))
    )


def notices_of(
    session: Session, user_id: int, *, unread_only: bool = False, page: int = 1
) -> list[UserNotice]:
    """The user's notices, newest first, a page at a time."""
    query = select(UserNotice).where(UserNotice.user_id == user_id)
    if unread_only:
        query = query.where(UserNotice.read_at.is_(None))
    query = query.order_by(UserNotice.created_at.desc(), UserNotice.id.desc())
    page = min(max(page, 1), MAX_PAGE)  # an absurd page number must not overflow the offset
    return list(session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))


class NotYours(LookupError):
    """No such notice among the user's own."""


def mail_of(session: Session, notice_ids: Iterable[int]) -> dict[int, MailMessage]:
    """The mail of each of these notices that has one, by notice id."""
    ids = list(notice_ids)
    if not ids:
        return {}
    rows = session.scalars(select(MailMessage).where(MailMessage.notice_id.in_(ids)))
    return {row.notice_id: row for row in rows}


def mark_read(session: Session, user_id: int, now: datetime, notice_id: int | None = None) -> int:
    """Mark one notice (or all) of the user read; twice is a no-op; another's is `NotYours`."""
    if (
        notice_id is not None
        and session.scalar(
            select(UserNotice.id).where(UserNotice.id == notice_id, UserNotice.user_id == user_id)
        )
        is None
    ):
        raise NotYours(str(notice_id))
    query = update(UserNotice).where(UserNotice.user_id == user_id, UserNotice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(UserNotice.id == notice_id)
    result = session.execute(query.values(read_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def preferences_of(session: Session, user_id: int) -> Preferences:
    """The user's choice; without one, every kind by mail, one at a time."""
    row = session.get(NoticePreference, user_id)
    if row is None:
        return Preferences(frozenset(kinds.KINDS), False)
    return Preferences(frozenset(row.mail_kinds or ()), bool(row.digest))


def set_preferences(
    session: Session, user_id: int, mail_kinds: Iterable[str], digest: bool
) -> Preferences:
    """Store the user's choice (unknown kinds are ignored)."""
    chosen = [kind for kind in kinds.KINDS if kind in set(mail_kinds)]
    row = session.get(NoticePreference, user_id)
    if row is None:
        row = NoticePreference(user_id=user_id, mail_kinds=chosen, digest=digest)
        session.add(row)
    else:
        row.mail_kinds, row.digest = chosen, digest
    return Preferences(frozenset(chosen), digest)
