"""Transient database faults versus errors of the regulation, and the worker's retry delays."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import psycopg
from sqlalchemy import exc
from sqlalchemy.orm.exc import StaleDataError

TransientRule = Callable[[BaseException], bool]
TRANSIENT_RULES: list[TransientRule] = []

# PostgreSQL SQLSTATEs worth another try: serialization_failure, deadlock_detected,
# lock_not_available (lock_timeout, NOWAIT), query_canceled (lock_timeout, statement_timeout),
# admin_shutdown / crash_shutdown / cannot_connect_now (a terminated or restarting server).
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03"})
CONNECTION_SQLSTATE_CLASS = "08"  # connection_exception and its subclasses
SQLITE_BUSY_TEXTS = ("database is locked", "database is busy", "database table is locked")


def transient_rule(rule: TransientRule) -> TransientRule:
    """Register a rule that recognises an error worth retrying."""
    TRANSIENT_RULES.append(rule)
    return rule


def is_transient(error: BaseException) -> bool:
    """Whether the error (or what it was raised from) is a fault of the moment, not the case."""
    return any(rule(link) for link in _causes(error) for rule in TRANSIENT_RULES)


def _causes(error: BaseException) -> Iterator[BaseException]:
    # Explicit chaining only (`raise ... from`): an error raised while handling a lock
    # timeout is still an error of its own.
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__


@transient_rule
def _operational(error: BaseException) -> bool:
    # SQLAlchemy's wrapper of the DBAPI's OperationalError: locks, timeouts, lost connections.
    return isinstance(error, exc.OperationalError | exc.DisconnectionError | exc.TimeoutError)


@transient_rule
def _changed_meanwhile(error: BaseException) -> bool:
    # The row's revision moved under us: someone else advanced the case; look again later.
    return isinstance(error, StaleDataError)


@transient_rule
def _invalidated_connection(error: BaseException) -> bool:
    return isinstance(error, exc.DBAPIError) and error.connection_invalidated


@transient_rule
def _postgres_sqlstate(error: BaseException) -> bool:
    raw = error.orig if isinstance(error, exc.DBAPIError) else error
    code = getattr(raw, "sqlstate", None)
    if not isinstance(code, str):
        return False
    return code in TRANSIENT_SQLSTATES or code.startswith(CONNECTION_SQLSTATE_CLASS)


@transient_rule
def _raw_driver_error(error: BaseException) -> bool:
    # A driver error that reached us unwrapped (raised outside a SQLAlchemy statement).
    if isinstance(error, sqlite3.OperationalError):
        return any(text in str(error) for text in SQLITE_BUSY_TEXTS)
    return isinstance(error, psycopg.OperationalError)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential delays after transient faults: base, doubled each time, capped."""

    base_seconds: float = 1.0
    cap_seconds: float = 60.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th fault in a row."""
        return float(min(self.cap_seconds, self.base_seconds * 2 ** max(attempts - 1, 0)))


@dataclass
class Backoff:
    """Cases this worker retries later after transient faults (its own memory, not the schema)."""

    policy: RetryPolicy = field(default_factory=RetryPolicy)
    monotonic: Callable[[], float] = time.monotonic
    _faults: dict[int, tuple[int, float]] = field(default_factory=dict)

    def failed(self, instance_id: int) -> float:
        """Note one more transient fault of a case; returns the seconds until its retry."""
        attempts = self._faults.get(instance_id, (0, 0.0))[0] + 1
        delay = self.policy.delay(attempts)
        self._faults[instance_id] = (attempts, self.monotonic() + delay)
        return delay

    def succeeded(self, instance_id: int) -> None:
        """Forget a case's faults once it advanced (or left the running cases)."""
        self._faults.pop(instance_id, None)

    def attempts(self, instance_id: int) -> int:
        """Transient faults of a case in a row."""
        return self._faults.get(instance_id, (0, 0.0))[0]

    def waiting(self) -> set[int]:
        """Cases whose retry time has not come yet."""
        now = self.monotonic()
        # A case another worker advanced is never claimed here again: forget it after a while.
        cap = self.policy.cap_seconds
        stale = [case for case, (_, at) in self._faults.items() if at + cap < now]
        for case in stale:
            del self._faults[case]
        return {case for case, (_, retry_at) in self._faults.items() if retry_at > now}

    def seconds_to_next_retry(self) -> float | None:
        """Seconds until the earliest waiting case may be retried, or None if none waits."""
        now = self.monotonic()
        pending = [retry_at - now for _, retry_at in self._faults.values() if retry_at > now]
        return min(pending) if pending else None
