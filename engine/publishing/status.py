"""The lifecycle of one outbox row, with guarded transitions."""

from __future__ import annotations

import enum

from engine.statuses import TransitionError


class PublicationStatus(enum.StrEnum):
    """Where an answer's delivery stands."""

    PENDING = "pending"  # written with the step; never tried
    SENDING = "sending"  # a worker holds it (claimed_until) and may have sent it
    RETRYING = "retrying"  # a transient error: tried again at next_attempt_at
    SENT = "sent"  # the channel acknowledged it: external id and link recorded
    FAILED = "failed"  # a permanent error: the curator publishes by hand or retries
    MANUAL = "manual"  # the curator published it by hand and recorded the link

    def guard(self, target: PublicationStatus) -> PublicationStatus:
        """Return `target` if allowed from here, else raise `TransitionError`."""
        if target not in _TRANSITIONS[self]:
            raise TransitionError(f"publication cannot go from {self.value} to {target.value}")
        return target

    @property
    def is_open(self) -> bool:
        """Still to be delivered by the worker."""
        return self in (
            PublicationStatus.PENDING,
            PublicationStatus.SENDING,
            PublicationStatus.RETRYING,
        )


_S = PublicationStatus
_TRANSITIONS: dict[PublicationStatus, frozenset[PublicationStatus]] = {
    _S.PENDING: frozenset({_S.SENDING, _S.MANUAL}),
    # A crashed worker's row is taken over: SENDING again.
    _S.SENDING: frozenset({_S.SENDING, _S.SENT, _S.RETRYING, _S.FAILED}),
    _S.RETRYING: frozenset({_S.SENDING, _S.MANUAL}),
    _S.SENT: frozenset(),
    _S.FAILED: frozenset({_S.PENDING, _S.MANUAL}),
    _S.MANUAL: frozenset(),
}
