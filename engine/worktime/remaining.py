"""How much time is left on a deadline, and the traffic light the task list shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from engine.worktime.calendar import Calendar, as_utc

# Under a quarter of the period left turns the light amber.
LOW_FRACTION = 0.25


class TrafficLight(StrEnum):
    """The state of a deadline: plenty of time, under 25% left, or overdue."""

    PLENTY = "plenty"
    LOW = "low"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class RemainingTime:
    """Time left (negative once overdue), the whole period, and the light."""

    left: timedelta
    total: timedelta
    state: TrafficLight

    @property
    def fraction_left(self) -> float:
        """Share of the period still left, 0.0 once overdue; 1.0 for an empty period not due."""
        if self.state is TrafficLight.OVERDUE:
            return 0.0
        if self.total <= timedelta(0):
            return 1.0
        return max(0.0, self.left / self.total)


def remaining(
    calendar: Calendar,
    started_at: datetime,
    due_at: datetime,
    now: datetime,
    *,
    working: bool = True,
) -> RemainingTime:
    """Working (or, with working=False, elapsed) time left until `due_at`, seen at `now`."""
    start, due, at = as_utc(started_at), as_utc(due_at), as_utc(now)
    total = _span(calendar, start, due, working)
    if at >= due:
        return RemainingTime(-_span(calendar, due, at, working), total, TrafficLight.OVERDUE)
    left = _span(calendar, at, due, working)
    low = total > timedelta(0) and left < total * LOW_FRACTION
    # Calendar deadlines can have no office time left yet not be due (a night shift).
    state = TrafficLight.LOW if low or (working and not left) else TrafficLight.PLENTY
    return RemainingTime(left, total, state)


def _span(calendar: Calendar, a: datetime, b: datetime, working: bool) -> timedelta:
    if working:
        return calendar.working_time_between(a, b)
    return b - a
