"""The case's overall (span) deadlines, shown on every step of the case with the time left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.municipalities import RegulationCalendar
from engine.queries.cases import Deadline
from engine.queries.timing import counts_days, left_on
from engine.statuses import DeadlineState
from engine.worktime import DeadlineSpecError, RemainingTime


@dataclass(frozen=True)
class CaseTerm:
    """A span deadline still binding the case: its words, clause, due moment and time left."""

    text: str
    clause: str | None
    due_at: datetime
    remaining: RemainingTime | None
    paused_seconds: float | None = None


def binding(deadline: Deadline) -> bool:
    """A span counts while armed or paused, and once breached until its end step completes."""
    if not deadline.span:
        return False
    if deadline.state is DeadlineState.BREACHED:
        return deadline.ended_at is None
    return deadline.state in (DeadlineState.ARMED, DeadlineState.PAUSED)


def case_terms(
    deadlines: list[Deadline], reader: RegulationCalendar, now: datetime
) -> list[CaseTerm]:
    """The case's binding spans, soonest first, each in its own unit (days or hours)."""
    terms = []
    for deadline in deadlines:
        if not binding(deadline):
            continue
        if deadline.state is DeadlineState.PAUSED:
            paused = deadline.remaining_seconds or 0.0
            terms.append(CaseTerm(deadline.text, deadline.clause, deadline.due_at, None, paused))
            continue
        left = left_on(
            reader.calendar,
            deadline.start_at or deadline.due_at,
            deadline.due_at,
            now,
            working=deadline.working,
            in_days=in_days(reader, deadline.text),
        )
        terms.append(CaseTerm(deadline.text, deadline.clause, deadline.due_at, left))
    return sorted(terms, key=lambda term: term.due_at)


def in_days(reader: RegulationCalendar, text: str) -> bool:
    """Whether a ledger row's words count days («2 рабочих дня»), read as deploy read them."""
    try:
        return counts_days(reader.read(text))
    except DeadlineSpecError:
        return False
