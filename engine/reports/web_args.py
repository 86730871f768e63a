"""Report filters from request arguments: Russian errors naming the field, defaults by month."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from engine.reports.model import Filters


class BadFilter(ValueError):
    """A filter the report cannot use; the message names the field in Russian."""


def month_bounds(today: date) -> tuple[date, date]:
    """The first and last day of `today`'s month."""
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def filters_from(args: Mapping[str, str], municipality: str, now: datetime, zone: str) -> Filters:
    """Period (default: this month in the municipality's zone), department and source."""
    default_from, default_to = month_bounds(now.astimezone(ZoneInfo(zone)).date())
    if args.get("month"):
        default_from, default_to = month_bounds(_month(args["month"]))
    date_from = _date(args.get("from"), "Период с", default_from)
    date_to = _date(args.get("to"), "Период по", default_to)
    if date_to < date_from:
        raise BadFilter("«Период по»: конец периода раньше его начала")
    if (date_to - date_from).days > 366:
        raise BadFilter("«Период по»: отчёт строится не больше чем за год")
    return Filters(
        municipality,
        date_from,
        date_to,
        args.get("department") or None,
        args.get("source") or None,
    )


def _month(raw: str) -> date:
    try:
        return date.fromisoformat(f"{raw}-01")
    except ValueError as error:
        raise BadFilter(f"«Месяц»: в виде ГГГГ-ММ, а не «{raw[:40]}»") from error


def _date(raw: str | None, field: str, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise BadFilter(f"«{field}»: дата в виде ГГГГ-ММ-ДД, а не «{raw[:40]}»") from error
