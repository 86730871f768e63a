"""Moments and values as failure messages print them: in the municipality's zone, never reprs."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo
from typing import Any

# An ISO moment with an offset inside an engine message: «… by x at 2026-03-16T06:10:00+00:00».
_ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[+-]\d\d:\d\d|Z)")


def moment_text(moment: datetime | None, zone: tzinfo) -> str:
    """A moment in the municipality's zone as ISO 8601 with its offset, the form scenarios use."""
    return moment.astimezone(zone).isoformat() if moment is not None else "none"


def readable(value: Any, zone: tzinfo | None = None) -> str:
    """A scenario value as YAML-like text: `{element: screen, due: 2026-03-16T11:00:00+03:00}`."""
    if isinstance(value, datetime):
        return moment_text(value, zone) if value.tzinfo and zone else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {readable(v, zone)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(readable(item, zone) for item in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def shown(value: Any) -> str:
    """A value as the scenario wrote it, for format errors: text quoted, never a repr."""
    return f"'{value}'" if isinstance(value, str) else readable(value)


def listing(items: list[str]) -> str:
    """Items one after another, or «none»."""
    return "; ".join(items) if items else "none"


def in_zone(message: str, zone: tzinfo) -> str:
    """An engine message with every ISO moment in it restated in the municipality's zone."""

    def restate(found: re.Match[str]) -> str:
        return moment_text(datetime.fromisoformat(found[0]), zone)

    return _ISO_MOMENT.sub(restate, message)
