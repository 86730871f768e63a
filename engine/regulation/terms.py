"""Reading a deadline row's term on a municipality's calendar, and computing its due moment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from engine.municipalities import RegulationCalendar
from engine.regulation.table import DeadlineRule
from engine.worktime import DeadlineSpec, DeadlineSpecError, Unit, parse_deadline


class TermError(ValueError):
    """A row whose term cannot be read as the row says it is counted."""


def rule_spec(rule: DeadlineRule, reader: RegulationCalendar) -> DeadlineSpec:
    """The row's term as the engine counts it: its reading, with `counted` settling plain hours."""
    try:
        parsed = parse_deadline(rule.term)
    except DeadlineSpecError as error:
        raise TermError(str(error)) from error
    if rule.counted is None:
        return reader.read(parsed)
    working = rule.counted == "working"
    explicit_calendar = "календарн" in rule.term.lower() or rule.term.strip().upper().startswith(
        "P"
    )
    explicit_working = parsed.working
    if working and explicit_calendar:
        raise TermError(f"«{rule.term}» — календарное время, а в таблице counted: working")
    if not working and explicit_working:
        raise TermError(f"«{rule.term}» — рабочее время, а в таблице counted: calendar")
    if parsed.unit is Unit.END_OF_WORKING_DAY:
        return parsed
    return DeadlineSpec(parsed.amount, parsed.unit, working, parsed.text)


def due_from(
    rule: DeadlineRule,
    start: datetime,
    reader: RegulationCalendar,
    data: Mapping[str, Any] | None = None,
) -> datetime:
    """The due moment of the row counted from `start`; a person may shorten it (`shortened_by`)."""
    due = reader.calendar.due(start, rule_spec(rule, reader))
    shortened = (data or {}).get(rule.shortened_by) if rule.shortened_by else None
    if isinstance(shortened, str) and shortened.strip():
        due = min(due, reader.due(start, shortened))
    return due


def remaining_working(
    reader: RegulationCalendar, moment: datetime, due: datetime, working: bool
) -> timedelta:
    """The time a deadline has left at `moment`, in the deadline's own kind of time."""
    if due <= moment:
        return timedelta(0)
    if working:
        return reader.calendar.working_time_between(moment, due)
    return due - moment


def resume_due(
    reader: RegulationCalendar, moment: datetime, left: timedelta, working: bool
) -> datetime:
    """The new due moment when a paused deadline resumes with `left` still to run."""
    return reader.calendar.add(moment, left, working=working)


def minus(reader: RegulationCalendar, due: datetime, spec: DeadlineSpec) -> datetime:
    """The moment `spec` before `due` (a reminder), counted in the spec's kind of time."""
    return reader.calendar.due(due, replace(spec, before=True))
