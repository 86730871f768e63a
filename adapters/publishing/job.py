"""The worker job: claim a due publication, send it, settle it — each in its own transaction.

Exactly once: the row is claimed (committed) before the request and settled after it. A worker
killed between the two leaves the row `sending`; after its lease another worker takes it over.
VK's `guid`/`random_id` come from the outbox id, so the resend is dropped by VK and the same
comment is acknowledged; a channel without such a key is not resent blindly but marked failed
for the curator to check.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from adapters.publishing import max as _max  # noqa: F401  (registers the channel)
from adapters.publishing import telegram as _telegram  # noqa: F401
from adapters.publishing import vk as _vk  # noqa: F401
from adapters.publishing.channels import PUBLISHERS, Outgoing, Photo, Publisher
from adapters.publishing.errors import Delivered, PermanentError, TransientError
from adapters.publishing.settings import PublishSettings
from adapters.secrets import channel_secret
from engine.attachments import FileStore, UploadRefused, case_attachments
from engine.models import Publication
from engine.publishing.outbox import claim_next, record_failed, record_retry, record_sent
from engine.publishing.status import PublicationStatus
from engine.runtime import Runtime

log = logging.getLogger(__name__)
INTERRUPTED = (
    "Отправка прервана сбоем в момент публикации, а канал не умеет отбрасывать повтор: "
    "проверьте, появился ли ответ, и опубликуйте вручную или повторите отправку."
)


class PublishingJob:
    """Delivers every due publication; keeps one HTTP client and the channels' rate limits."""

    def __init__(self, settings: PublishSettings | None = None) -> None:
        self.settings = settings or PublishSettings.from_env()
        self.client = httpx.Client(timeout=self.settings.timeout_seconds)
        self.publishers: dict[str, Publisher] = {
            name: factory(self.client, self.settings) for name, factory in PUBLISHERS.items()
        }

    def __call__(
        self, sessions: sessionmaker[Any], runtime: Runtime, stop: threading.Event
    ) -> float | None:
        """Deliver until none is due; the seconds until the next one is (None: none waits)."""
        while not stop.is_set() and self.deliver_one(sessions, runtime):
            pass
        return self.seconds_to_next(sessions, runtime)

    def deliver_one(self, sessions: sessionmaker[Any], runtime: Runtime) -> bool:
        """Claim, send and settle one publication; False when none is due."""
        lease = timedelta(seconds=self.settings.lease_seconds)
        with sessions.begin() as session:
            claimed = claim_next(session, runtime.clock.now(), lease)
            if claimed is None:
                return False
            row = claimed.publication
            publisher = self.publishers.get(row.channel)
            outgoing = _outgoing(row, _photos(session, runtime, row))
            interrupted, attempts = claimed.interrupted, row.attempts
        outcome = self._send(publisher, outgoing, interrupted)
        with sessions.begin() as session:
            self._settle(session, runtime, outgoing, attempts, outcome)
        return True

    def _send(
        self, publisher: Publisher | None, outgoing: Outgoing, interrupted: bool
    ) -> Delivered | Exception:
        if publisher is None:
            return PermanentError(f"Канал «{outgoing.channel}» не умеет публиковать ответы.")
        if interrupted and not publisher.idempotent:
            return PermanentError(INTERRUPTED)
        if not outgoing.token:
            return PermanentError(
                f"Не настроен токен канала {outgoing.channel} для {outgoing.municipality} "
                "(docs/publishing.md)."
            )
        try:
            return publisher.send(outgoing)
        except (TransientError, PermanentError) as error:
            return error

    def _settle(
        self,
        session: Any,
        runtime: Runtime,
        outgoing: Outgoing,
        attempts: int,
        outcome: Delivered | Exception,
    ) -> None:
        now = runtime.clock.now()
        if isinstance(outcome, Delivered):
            record_sent(session, outgoing.id, now, outcome.external_id, outcome.url, outcome.note)
            log.info("publication %d sent: %s", outgoing.id, outcome.url or outcome.external_id)
        elif isinstance(outcome, TransientError) and attempts < self.settings.max_attempts:
            delay = outcome.retry_after or self.settings.backoff(attempts)
            record_retry(session, outgoing.id, now, str(outcome), now + timedelta(seconds=delay))
            log.warning("publication %d: %s; retry in %.1f s", outgoing.id, outcome, delay)
        else:
            record_failed(session, outgoing.id, now, str(outcome))
            log.error("publication %d failed: %s", outgoing.id, outcome)

    def seconds_to_next(self, sessions: sessionmaker[Any], runtime: Runtime) -> float | None:
        """When the next retry (or a crashed worker's lease) falls due."""
        with sessions() as session:
            moment = session.scalar(
                select(
                    func.min(func.coalesce(Publication.next_attempt_at, Publication.claimed_until))
                ).where(Publication.status.in_(OPEN))
            )
        if moment is None:
            return None
        return max((moment - runtime.clock.now()).total_seconds(), 0.0)

    def close(self) -> None:
        """Close the HTTP client."""
        self.client.close()


OPEN = (PublicationStatus.PENDING, PublicationStatus.RETRYING, PublicationStatus.SENDING)


def _photos(session: Any, runtime: Runtime, row: Publication) -> tuple[Photo, ...]:
    """The photos of the outbox row, in its order, as files of the attachments store."""
    if not row.attachments:
        return ()
    try:
        store = FileStore(runtime.attachments)
    except UploadRefused:  # no store configured: no photo could have been uploaded either
        return ()
    found = {
        item.sha256: item for item in case_attachments(session, row.instance_id, row.attachments)
    }
    return tuple(
        Photo(sha, found[sha].media_type, store.path(sha))
        for sha in row.attachments or []
        if sha in found and found[sha].is_image
    )


def _outgoing(row: Publication, photos: tuple[Photo, ...] = ()) -> Outgoing:
    return Outgoing(
        id=row.id,
        municipality=row.municipality,
        channel=row.channel,
        address=dict(row.address),
        text=row.text,
        token=channel_secret(row.municipality, row.channel, "token") or "",
        photos=photos,
    )


def worker_job() -> PublishingJob:
    """The entry point `reglament worker` loads (pyproject: reglament.worker_jobs)."""
    return PublishingJob()
