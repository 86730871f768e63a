"""How a channel's answer is classified: delivered, worth retrying, or final."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Delivered:
    """The channel published the answer: its own id and, where it has one, a link."""

    external_id: str
    url: str | None
    # What did not go with it (photos a channel refused after the text was posted), in Russian.
    note: str | None = None


class TransientError(Exception):
    """A network error, 429 or 5xx: tried again later (`retry_after` when the channel says)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(Exception):
    """The channel refuses for good (deleted post, revoked token): the curator is told."""
