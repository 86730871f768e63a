"""Limits a form's `not_after` reads in a case: a deadline of the table, or a stored moment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from engine.ledger.context import start_of
from engine.regulation.terms import due_from

if TYPE_CHECKING:
    from engine.forms.limits import LimitOf
    from engine.ledger.case import CaseLedger


def deadline_limit(
    ledger: CaseLedger, name: str, data: Mapping[str, Any], now: datetime
) -> datetime | None:
    """The due moment of a named deadline for this case, armed or prospective.

    An occurrence still counting gives its due moment. Otherwise the row is counted from its
    start event; when that has not happened yet (the extended deadline counts from the
    intermediate answer's publication), it is counted from now — the earliest it can start.
    """
    rule = ledger.table.rules.get(name)
    if rule is None:
        return None
    entry = ledger.latest(name)
    if entry is not None and entry.state.is_open:
        return entry.due_at
    try:
        if rule.start.kind == "deadline":  # counted from another row, read with the same data
            start = deadline_limit(ledger, rule.start.ref or "", data, now) or now
        else:
            start = start_of(rule, data, ledger.table, ledger.reader)
    except (ValueError, NameError):
        start = now
    return due_from(rule, start, ledger.reader, data)


def case_limits(
    ledger: CaseLedger, data: Mapping[str, Any], now: datetime, zone: ZoneInfo
) -> LimitOf:
    """The resolver of `not_after` limits for one task of a case."""

    def limit_of(source: Mapping[str, Any]) -> datetime | None:
        if "deadline" in source:
            return deadline_limit(ledger, source["deadline"], data, now)
        return _moment(data.get(source.get("data", "")), zone)

    return limit_of


def _moment(value: Any, zone: ZoneInfo) -> datetime | None:
    """A stored moment (ISO text); a bare date stands for its last minute in the zone."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time(23, 59), tzinfo=zone)
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=zone)
