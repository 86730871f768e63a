"""Injected time: the only place in the engine that may read the wall clock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer


class Clock(Protocol):
    """Anything that tells the current aware time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class VirtualClock:
    """A clock that moves only when told to: scenarios and tests run on it."""

    def __init__(self, start: datetime) -> None:
        _require_aware(start)
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move forward by a duration."""
        if delta < timedelta(0):
            raise ValueError("a virtual clock never moves backwards")
        self._now += delta

    def set(self, moment: datetime) -> None:
        """Move forward to a moment."""
        _require_aware(moment)
        if moment < self._now:
            raise ValueError(f"a virtual clock never moves backwards: {moment} < {self._now}")
        self._now = moment.astimezone(UTC)


class FixedClock:
    """A clock stopped at one moment: the engine replays overdue timers at their due moments."""

    def __init__(self, moment: datetime) -> None:
        _require_aware(moment)
        self._now = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self._now


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the engine needs aware times")


SYSTEM_CLOCK = SystemClock()
_active_clock: ContextVar[Clock | None] = ContextVar("reglament_clock", default=None)


@contextlib.contextmanager
def using_clock(clock: Clock) -> Iterator[Clock]:
    """Make SpiffWorkflow's timers read `clock` while the block runs."""
    token = _active_clock.set(clock)
    try:
        yield clock
    finally:
        _active_clock.reset(token)


class _ClockedDatetime(datetime):
    """`datetime` whose `now()` reads the active injected clock instead of the wall."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = current_time()
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


def install_spiff_clock() -> None:
    """Point SpiffWorkflow's timer module at the injected clock (it reads `datetime.now(UTC)`)."""
    spiff_timer.datetime = _ClockedDatetime


install_spiff_clock()


def current_time() -> datetime:
    """The active injected clock's time (for diagram functions such as `now()`)."""
    return (_active_clock.get() or SYSTEM_CLOCK).now()
