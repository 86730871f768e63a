"""The worker job: claim a due mail, send it over SMTP, settle it — each in its own transaction.

At most once (engine/inbox/mail.py): a worker killed mid-send leaves the row `sending`; after the
lease it is marked failed, not resent. Without an SMTP host the job does nothing and the rows wait.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import sessionmaker

from adapters.mail import smtp
from adapters.mail.render import build
from adapters.mail.settings import MailSettings
from engine.inbox.mail import (
    Outgoing,
    claim_next,
    give_up_interrupted,
    give_up_stale,
    next_moment,
    record_failed,
    record_retry,
    record_sent,
    schedule_digests,
)
from engine.municipalities import load_municipality
from engine.runtime import Runtime

log = logging.getLogger(__name__)
DEFAULT_ZONE = "Europe/Moscow"


class MailJob:
    """Delivers every due mail of the outbox."""

    def __init__(self, settings: MailSettings | None = None) -> None:
        self.settings = settings or MailSettings.from_env()
        self._zones: dict[str, str] = {}

    def __call__(
        self, sessions: sessionmaker[Any], runtime: Runtime, stop: threading.Event
    ) -> float | None:
        """Deliver until none is due; the seconds until the next one is (None: none waits)."""
        if not self.settings.configured:
            return None
        with sessions.begin() as session:
            now = runtime.clock.now()
            schedule_digests(session, lambda m, at: self.digest_moment(runtime, m, at))
            give_up_interrupted(session, now)
            give_up_stale(session, now, timedelta(hours=self.settings.max_age_hours))
        while not stop.is_set() and self.deliver_one(sessions, runtime):
            pass
        with sessions() as session:
            moment = next_moment(session)
        if moment is None:
            return None
        return max((moment - runtime.clock.now()).total_seconds(), 0.0)

    def deliver_one(self, sessions: sessionmaker[Any], runtime: Runtime) -> bool:
        """Claim, send and settle one mail; False when none is due."""
        lease = timedelta(seconds=self.settings.lease_seconds)
        with sessions.begin() as session:
            outgoing = claim_next(session, runtime.clock.now(), lease)
            if outgoing is None:
                return False
            zones = {n.municipality: self.zone(runtime, n.municipality) for n in outgoing.notices}
            message = build(outgoing, self.settings, zones)
        outcome: Exception | None = None
        try:
            smtp.send(self.settings, message)
        except (smtp.TransientMailError, smtp.PermanentMailError) as error:
            outcome = error
        with sessions.begin() as session:
            self._settle(session, runtime.clock.now(), outgoing, outcome)
        return True

    def _settle(
        self, session: Any, now: datetime, outgoing: Outgoing, outcome: Exception | None
    ) -> None:
        if outcome is None:
            record_sent(session, outgoing.ids, now)
            log.info("mail %s sent to %s", outgoing.ids, outgoing.recipient)
        elif (
            isinstance(outcome, smtp.TransientMailError)
            and outgoing.attempts < self.settings.max_attempts
        ):
            delay = self.settings.backoff(outgoing.attempts)
            record_retry(session, outgoing.ids, now, str(outcome), now + timedelta(seconds=delay))
            log.warning("mail %s: %s; retry in %.0f s", outgoing.ids, outcome, delay)
        else:
            record_failed(session, outgoing.ids, now, str(outcome))
            log.error("mail %s failed: %s", outgoing.ids, outcome)

    def digest_moment(self, runtime: Runtime, municipality: str, created: datetime) -> datetime:
        """The first digest hour of the municipality's day after `created`."""
        zone = ZoneInfo(self.zone(runtime, municipality))
        local = created.astimezone(zone)
        moment = local.replace(hour=self.settings.digest_hour, minute=0, second=0, microsecond=0)
        if moment <= local:
            moment += timedelta(days=1)
        return moment.astimezone(ZoneInfo("UTC"))

    def zone(self, runtime: Runtime, municipality: str) -> str:
        """The municipality's time zone (municipality.yaml), Moscow if it cannot be read."""
        if municipality not in self._zones:
            try:
                found = load_municipality(municipality, runtime.processes_dir).timezone
            except Exception:  # a broken folder must not stop the mail of the others
                log.warning("no time zone for %s; mail uses %s", municipality, DEFAULT_ZONE)
                found = DEFAULT_ZONE
            self._zones[municipality] = found
        return self._zones[municipality]


def worker_job() -> MailJob:
    """The entry point `reglament worker` loads (pyproject: reglament.worker_jobs)."""
    return MailJob()
