"""People taking open tasks: a first-come queue and a set of workers per role and department."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engine.worktime import Calendar

PoolKey = tuple[str | None, str | None]


@dataclass(frozen=True)
class Waiting:
    """An open task waiting for someone of its pool."""

    task_id: str
    instance_id: int
    element_id: str
    form_key: str


@dataclass
class WorkerPool:
    """The people of one role (and department): when each is free, what they have done."""

    people: int
    free_at: list[datetime] = field(default_factory=list)
    queue: deque[Waiting] = field(default_factory=deque)
    busy_minutes: float = 0.0
    done: int = 0

    def take(self, now: datetime) -> int | None:
        """The index of a worker free now, or None."""
        for index, moment in enumerate(self.free_at):
            if moment <= now:
                return index
        return None


def finish_moment(
    calendar: Calendar, start: datetime, minutes: float, working_hours: bool
) -> datetime:
    """When work of `minutes` begun at `start` ends: in working time, or straight through."""
    span = timedelta(minutes=minutes)
    if not working_hours:
        return start + span
    return calendar.add(start, span, working=True)
