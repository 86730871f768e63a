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
    # Set for a term counted in days: whole (working) days left, negative once overdue; the
    # page then speaks in days, as the regulation does, down to the due day itself.
    days: int | None = None
    due_at: datetime | None = None
    working: bool = True

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


def whole_days(calendar: Calendar, now: datetime, due_at: datetime, *, working: bool) -> int:
    """Days a day term has left: those after today up to the due date; negative once overdue."""
    # Overdue counts only the days wholly passed since the due date, so the due day's own
    # evening is hours late, not a day.
    today = as_utc(now).astimezone(calendar.zone).date()
    last = as_utc(due_at).astimezone(calendar.zone).date()
    first, end, sign = (today, last, 1) if as_utc(now) < as_utc(due_at) else (last, today, -1)
    if not working:
        return sign * max(0, (end - first).days - (0 if sign > 0 else 1))
    days = [
        first + timedelta(days=n) for n in range(1, (end - first).days + (1 if sign > 0 else 0))
    ]
    return sign * sum(1 for day in days if calendar.is_working_day(day))


def _span(calendar: Calendar, a: datetime, b: datetime, working: bool) -> timedelta:
    if working:
        return calendar.working_time_between(a, b)
    return b - a
