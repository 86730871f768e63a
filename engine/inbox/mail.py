"""The mail outbox's transitions: schedule digests, claim with a lease, settle, each guarded.

The sending (SMTP) is the adapters' job (adapters/mail/). Delivery is at most once: a row is
claimed (committed) before the SMTP conversation and settled after it; a worker killed between
the two leaves it `sending`, and after its lease the row is marked failed, never resent — the
notice is still in the user's inbox in the page, while a mail sent twice cannot be taken back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from engine.inbox.status import MailStatus
from engine.models import MailMessage, User, UserNotice

INTERRUPTED = "Отправка прервана сбоем: письмо могло уйти, поэтому повторно не отправляется."
STALE = "Письмо устарело, пока почта была недоступна: уведомление осталось на странице."
OPEN = (MailStatus.PENDING, MailStatus.RETRYING, MailStatus.SENDING)
DigestMoment = Callable[[str, datetime], datetime]  # (municipality, created) -> its digest's send


@dataclass(frozen=True)
class Outgoing:
    """One mail to send: a single notice, or a user's digest of several."""

    ids: tuple[int, ...]
    recipient: str
    full_name: str
    digest: bool
    notices: tuple[UserNotice, ...]
    attempts: int


def schedule_digests(session: Session, moment: DigestMoment) -> int:
    """Give each new digest row the moment its day's digest goes out."""
    rows = session.execute(
        select(MailMessage, UserNotice.municipality)
        .join(UserNotice, UserNotice.id == MailMessage.notice_id)
        .where(MailMessage.digest.is_(True), MailMessage.next_attempt_at.is_(None))
        .where(MailMessage.status == MailStatus.PENDING)
    ).all()
    for row, municipality in rows:
        row.next_attempt_at = moment(municipality, row.created_at)
    return len(rows)


def give_up_interrupted(session: Session, now: datetime) -> int:
    """Rows a crashed worker held past the lease: failed, not resent (at most once)."""
    result = session.execute(
        update(MailMessage)
        .where(MailMessage.status == MailStatus.SENDING, MailMessage.claimed_until <= now)
        .values(
            status=MailStatus.FAILED,
            last_error=INTERRUPTED,
            claimed_until=None,
            next_attempt_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def give_up_stale(session: Session, now: datetime, max_age: timedelta) -> int:
    """Rows waiting longer than `max_age` (no SMTP for days): failed, not sent late in a flood."""
    result = session.execute(
        update(MailMessage)
        .where(
            MailMessage.status.in_((MailStatus.PENDING, MailStatus.RETRYING)),
            MailMessage.created_at <= now - max_age,
        )
        .values(
            status=MailStatus.FAILED,
            last_error=STALE,
            next_attempt_at=None,
            claimed_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def claim_next(session: Session, now: datetime, lease: timedelta) -> Outgoing | None:
    """Take the next due mail (with the rest of its user's digest, if it is one)."""
    due = (MailMessage.status.in_((MailStatus.PENDING, MailStatus.RETRYING))) & (
        MailMessage.next_attempt_at <= now
    )
    first = session.scalars(
        select(MailMessage).where(due).order_by(MailMessage.next_attempt_at, MailMessage.id)
    ).first()
    if first is None:
        return None
    group = [first]
    if first.digest:
        group = list(
            session.scalars(
                select(MailMessage)
                .where(due, MailMessage.user_id == first.user_id, MailMessage.digest.is_(True))
                .order_by(MailMessage.created_at, MailMessage.id)
            )
        )
    taken = [row for row in group if _take(session, row, now, lease)]
    if not taken:
        return None
    return _outgoing(session, taken)


def _take(session: Session, row: MailMessage, now: datetime, lease: timedelta) -> bool:
    """Only the worker whose update matched the row as read holds it (several may run)."""
    status, attempts = row.status, row.attempts
    result = session.execute(
        update(MailMessage)
        .where(
            MailMessage.id == row.id,
            MailMessage.status == status,
            MailMessage.attempts == attempts,
        )
        .values(
            status=status.guard(MailStatus.SENDING),
            attempts=attempts + 1,
            claimed_until=now + lease,
            next_attempt_at=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _outgoing(session: Session, rows: Sequence[MailMessage]) -> Outgoing:
    ids = tuple(row.id for row in rows)
    held = list(
        session.scalars(
            select(MailMessage)
            .where(MailMessage.id.in_(ids))
            .execution_options(populate_existing=True)
        )
    )
    notices = session.scalars(
        select(UserNotice)
        .where(UserNotice.id.in_([row.notice_id for row in held]))
        .order_by(UserNotice.created_at, UserNotice.id)
    )
    user = session.get_one(User, held[0].user_id)
    return Outgoing(
        ids=ids,
        recipient=held[0].recipient,
        full_name=user.full_name,
        digest=held[0].digest,
        notices=tuple(notices),
        attempts=max(row.attempts for row in held),
    )


def record_sent(session: Session, ids: Sequence[int], now: datetime) -> None:
    """The SMTP server accepted the mail."""
    for row in _held(session, ids):
        row.status = row.status.guard(MailStatus.SENT)
        row.sent_at = row.updated_at = now
        row.claimed_until = row.next_attempt_at = None
        row.last_error = None


def record_retry(
    session: Session, ids: Sequence[int], now: datetime, error: str, at: datetime
) -> None:
    """The SMTP server failed for now: tried again at `at`."""
    for row in _held(session, ids):
        row.status = row.status.guard(MailStatus.RETRYING)
        row.last_error, row.next_attempt_at, row.updated_at = error, at, now
        row.claimed_until = None


def record_failed(session: Session, ids: Sequence[int], now: datetime, error: str) -> None:
    """Refused for good: no more tries (the notice stays in the page)."""
    for row in _held(session, ids):
        row.status = row.status.guard(MailStatus.FAILED)
        row.last_error, row.updated_at = error, now
        row.claimed_until = row.next_attempt_at = None


def _held(session: Session, ids: Sequence[int]) -> list[MailMessage]:
    return list(
        session.scalars(
            select(MailMessage)
            .where(MailMessage.id.in_(ids), MailMessage.status == MailStatus.SENDING)
            .execution_options(populate_existing=True)
        )
    )


def next_moment(session: Session) -> datetime | None:
    """When the next mail (a retry, a digest, a crashed worker's lease) falls due."""
    return session.scalar(
        select(
            func.min(func.coalesce(MailMessage.next_attempt_at, MailMessage.claimed_until))
        ).where(
            MailMessage.status.in_(OPEN),
            or_(MailMessage.next_attempt_at.is_not(None), MailMessage.claimed_until.is_not(None)),
        )
    )
