"""The outbox: a publication written with the step, then claimed, sent and settled by a worker.

The engine owns the rows and their transitions; the sending itself (HTTP) is the adapters' job
(adapters/publishing/), each transition in a transaction of the job's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine import audit
from engine.attachments import referenced
from engine.forms import FormError
from engine.models import AuditEvent, Message, Publication
from engine.publishing.address import NoReplyAddress, ReplyAddress, reply_address
from engine.publishing.status import PublicationStatus
from engine.queries.answer import Answer, answer_of
from engine.statuses import AuditKind

# The publish form's field that chooses the channel's API over the manual path.
PUBLISH_VIA = "publish_via"
PUBLISHED_TEXT = "published_text"  # the answer as published, edited by the curator or not
VIA_CHANNEL = "channel"
NO_TEXT = "Нет текста ответа для отправки: опубликуйте вручную и укажите ссылку."


@dataclass(frozen=True)
class PlannedPublication:
    """What completing the publication step will enqueue."""

    address: ReplyAddress
    text: str
    # Content hashes of the photos that go with the answer (the approved drafts' and the step's).
    photos: tuple[str, ...] = ()


def plan_publication(
    session: Session, instance_id: int, form_key: str, values: dict[str, Any]
) -> PlannedPublication | None:
    """The publication a step's values ask for, or None (manual); FormError when it cannot be."""
    if values.get(PUBLISH_VIA) != VIA_CHANNEL:
        return None
    message = session.scalars(
        select(Message).where(Message.instance_id == instance_id).order_by(Message.id)
    ).first()
    try:
        address = reply_address(message.payload if message else {})
    except NoReplyAddress as error:
        raise FormError(form_key, {PUBLISH_VIA: [str(error)]}) from error
    answer = _approved_answer(session, instance_id)
    drafts = answer.drafts
    edited = values.get(PUBLISHED_TEXT) or values.get("answer_text")  # as the curator left it
    # Without an edit: every department's current draft, in turn, as the publication form shows.
    text = str(edited or answer.drafts_text).strip()
    if not text:
        raise FormError(form_key, {PUBLISH_VIA: [NO_TEXT]})
    files = referenced(session, instance_id, [*(draft.values for draft in drafts), values])
    return PlannedPublication(address, text, tuple(row.sha256 for row in files if row.is_image))


def _approved_answer(session: Session, instance_id: int) -> Answer:
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.instance_id == instance_id, AuditEvent.kind == AuditKind.TASK_COMPLETED)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return answer_of(list(events))


def enqueue(
    session: Session,
    planned: PlannedPublication,
    *,
    instance_id: int,
    municipality: str,
    now: datetime,
    actor: str,
    task_id: str | None = None,
    element_id: str | None = None,
) -> Publication:
    """Add the outbox row to the caller's unit of work (the step's own transaction)."""
    row = Publication(
        instance_id=instance_id,
        municipality=municipality,
        channel=planned.address.channel,
        address=planned.address.where,
        text=planned.text,
        attachments=list(planned.photos),
        status=PublicationStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        actor=actor,
        task_id=task_id,
        element_id=element_id,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Claimed:
    """A publication a worker now holds; `interrupted` when an earlier worker died holding it."""

    publication: Publication
    interrupted: bool


def claim_next(session: Session, now: datetime, lease: timedelta) -> Claimed | None:
    """Take the next due publication (or one a crashed worker held past its lease)."""
    due = or_(
        Publication.status.in_((PublicationStatus.PENDING, PublicationStatus.RETRYING))
        & (Publication.next_attempt_at <= now),
        (Publication.status == PublicationStatus.SENDING) & (Publication.claimed_until <= now),
    )
    candidates = session.execute(
        select(Publication.id, Publication.status, Publication.attempts)
        .where(due)
        .order_by(Publication.next_attempt_at, Publication.id)
        .limit(20)
    ).all()
    for pub_id, status, attempts in candidates:
        # Only the worker whose update matched the row as read holds it (several may run).
        taken = session.execute(
            update(Publication)
            .where(
                Publication.id == pub_id,
                Publication.status == status,
                Publication.attempts == attempts,
            )
            .values(
                status=status.guard(PublicationStatus.SENDING),
                attempts=attempts + 1,
                claimed_until=now + lease,
                # The next moment anything can happen to it: its take-over if this worker dies.
                next_attempt_at=now + lease,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            row = session.get_one(Publication, pub_id, populate_existing=True)
            return Claimed(row, interrupted=status is PublicationStatus.SENDING)
    return None


def record_sent(
    session: Session,
    pub_id: int,
    now: datetime,
    external_id: str,
    url: str | None,
    note: str | None = None,
) -> Publication:
    """The channel acknowledged: the post's id and link are written back to the case.

    `note` says what did not go with it (photos refused after the text was posted); the card
    shows it beside the link, so the curator adds them by hand.
    """
    row = _held(session, pub_id)
    row.status = row.status.guard(PublicationStatus.SENT)
    row.external_id, row.url, row.sent_at, row.updated_at = external_id, url, now, now
    row.claimed_until = row.next_attempt_at = None
    row.last_error = note
    audit.record(
        session,
        AuditKind.ANSWER_PUBLISHED,
        now,
        row.actor,  # the curator who sent it; the worker only carried it
        instance_id=row.instance_id,
        publication_id=row.id,
        channel=row.channel,
        external_id=external_id,
        url=url,
        photos=len(row.attachments or []),
        note=note,
    )
    return row


def record_retry(session: Session, pub_id: int, now: datetime, error: str, at: datetime) -> None:
    """A transient failure: tried again at `at`."""
    row = _held(session, pub_id)
    row.status = row.status.guard(PublicationStatus.RETRYING)
    row.last_error, row.next_attempt_at, row.updated_at = error, at, now
    row.claimed_until = None


def record_failed(session: Session, pub_id: int, now: datetime, error: str) -> None:
    """A permanent failure: no more tries; the curator is told on the card and the task list."""
    row = _held(session, pub_id)
    row.status = row.status.guard(PublicationStatus.FAILED)
    row.last_error, row.updated_at = error, now
    row.claimed_until = row.next_attempt_at = None
    audit.record(
        session,
        AuditKind.ANSWER_PUBLISH_FAILED,
        now,
        "worker",
        instance_id=row.instance_id,
        publication_id=row.id,
        channel=row.channel,
        error=error,
    )


def retry_failed(session: Session, pub_id: int, now: datetime, actor: str) -> Publication:
    """The curator asks to send a failed publication again (after fixing the token, say)."""
    row = session.get_one(Publication, pub_id, populate_existing=True)
    row.status = row.status.guard(PublicationStatus.PENDING)
    row.next_attempt_at, row.updated_at, row.attempts = now, now, 0
    audit.record(
        session,
        AuditKind.ANSWER_PUBLISH_RETRIED,
        now,
        actor,
        instance_id=row.instance_id,
        publication_id=row.id,
    )
    return row


def record_manual(
    session: Session, pub_id: int, now: datetime, url: str, actor: str
) -> Publication:
    """The curator published by hand and records the link instead of the worker."""
    row = session.get_one(Publication, pub_id, populate_existing=True)
    row.status = row.status.guard(PublicationStatus.MANUAL)
    row.url, row.sent_at, row.updated_at = url, now, now
    row.next_attempt_at = row.claimed_until = None
    audit.record(
        session,
        AuditKind.ANSWER_PUBLISHED,
        now,
        actor,
        instance_id=row.instance_id,
        publication_id=row.id,
        channel=row.channel,
        url=url,
        manual=True,
    )
    return row


def _held(session: Session, pub_id: int) -> Publication:
    return session.get_one(Publication, pub_id, populate_existing=True)


def latest_publication(session: Session, instance_id: int) -> Publication | None:
    """The case's last publication through a channel, if any."""
    return session.scalars(
        select(Publication)
        .where(Publication.instance_id == instance_id)
        .order_by(Publication.id.desc())
    ).first()


def failed_publications(session: Session, municipality: str) -> list[Publication]:
    """Publications the worker gave up on: the task list shows them to the curator."""
    return list(
        session.scalars(
            select(Publication)
            .where(
                Publication.municipality == municipality,
                Publication.status == PublicationStatus.FAILED,
            )
            .order_by(Publication.updated_at.desc())
        )
    )
