"""The lifecycle of one mail in the outbox, with guarded transitions."""

from __future__ import annotations

import enum

from engine.statuses import TransitionError


class MailStatus(enum.StrEnum):
    """Where a notice's mail stands."""

    PENDING = "pending"  # written with the event; never tried (a digest's waits for its hour)
    SENDING = "sending"  # a worker holds it and may have handed it to the SMTP server
    RETRYING = "retrying"  # the SMTP server refused for now: tried again at next_attempt_at
    SENT = "sent"  # the SMTP server accepted it
    FAILED = "failed"  # refused for good, or interrupted mid-send (never resent: at most once)

    def guard(self, target: MailStatus) -> MailStatus:
        """Return `target` if allowed from here, else raise `TransitionError`."""
        if target not in _TRANSITIONS[self]:
            raise TransitionError(f"mail cannot go from {self.value} to {target.value}")
        return target


_M = MailStatus
_TRANSITIONS: dict[MailStatus, frozenset[MailStatus]] = {
    _M.PENDING: frozenset({_M.SENDING, _M.FAILED}),  # failed: stale (engine/inbox/mail.py)
    _M.SENDING: frozenset({_M.SENT, _M.RETRYING, _M.FAILED}),
    _M.RETRYING: frozenset({_M.SENDING, _M.FAILED}),
    _M.SENT: frozenset(),
    _M.FAILED: frozenset(),
}
