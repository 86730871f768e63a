"""What a diagram's `deadline("name")` sees while a case advances: its task and its ledger."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.task import Task

from engine.clock import current_time
from engine.municipalities import RegulationCalendar
from engine.regulation.table import DeadlineRule, DeadlineTable
from engine.regulation.terms import due_from
from engine.task_context import current_task
from engine.timers import is_timer

if TYPE_CHECKING:
    from engine.ledger.case import CaseLedger

_LEDGER: ContextVar[CaseLedger | None] = ContextVar("reglament_ledger", default=None)
# Internal data of a timer task: the named deadlines its expression computed, name → due.
BOUND = "deadlines"


@contextlib.contextmanager
def using_ledger(ledger: CaseLedger) -> Iterator[CaseLedger]:
    """Make a case's ledger visible to `deadline("name")` while the case advances."""
    token = _LEDGER.set(ledger)
    try:
        yield ledger
    finally:
        _LEDGER.reset(token)


def current_ledger() -> CaseLedger | None:
    """The ledger of the case advancing now, if any."""
    return _LEDGER.get()


class UnknownDeadline(NameError):
    """`deadline("name")` with a name the version's table does not have."""


def named_due(
    table: DeadlineTable, reader: RegulationCalendar, name: str, *, bind: bool = True
) -> datetime:
    """The due moment of a named deadline, as the current task's expression asks for it.

    A timer's expression arms a fresh occurrence (counted from the row's start event, at the
    moment the timer starts waiting) and records the binding on the timer; a script or
    condition reads the case's current occurrence from the ledger.
    """
    rule = table.rules.get(name)
    if rule is None:
        raise UnknownDeadline(f"в таблице сроков нет срока «{name}»")
    task: Task | None = current_task()
    ledger = _LEDGER.get()
    data: Mapping[str, Any] = task.data if task is not None else {}
    if bind and task is not None and is_timer(task):
        due = due_from(rule, start_of(rule, data, table, reader), reader, data)
        bound = dict(task._get_internal_data(BOUND) or {})
        bound[name] = due.isoformat()
        task._set_internal_data(**{BOUND: bound})
        return due
    if ledger is not None:
        entry = ledger.latest(name)
        if entry is not None:
            return entry.due_at
    return due_from(rule, start_of(rule, data, table, reader), reader, data)


def start_of(
    rule: DeadlineRule,
    data: Mapping[str, Any],
    table: DeadlineTable,
    reader: RegulationCalendar,
) -> datetime:
    """The moment a row counts from, read from the case data (and the ledger for deadlines)."""
    kind, ref = rule.start.kind, rule.start.ref
    if kind == "step_opened":
        return current_time()
    if kind == "received":
        return _moment(data.get("received_at"), "received_at")
    if kind == "completed":
        ledger = _LEDGER.get()
        stamped = (data.get("completed_at") or {}).get(ref)
        found = stamped or (ledger.completed_at(ref or "") if ledger else None)
        return _moment(found, f"completed_at[{ref}]")
    if kind == "data":
        return _moment(data.get(ref or ""), ref or "")
    # Counted from another deadline's due moment («за 4 часа до истечения срока п. 8»).
    return named_due(table, reader, ref or "", bind=False)


def _moment(value: Any, name: str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"срок считается от «{name}», но в деле нет этого момента")
    return moment
