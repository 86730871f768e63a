"""Small counting helpers: cases behind a figure, median and 90th percentile, deadline units."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

from engine.reports.model import Cell

# A deadline's unit, as its text names it (docs/deadlines.md): the first stem found wins.
UNITS: tuple[tuple[str, str, float], ...] = (
    ("минут", "минуты", 60.0),
    ("час", "часы", 3600.0),
    ("дн", "дни", 86400.0),
    ("ден", "дни", 86400.0),
)
DEFAULT_UNIT = ("часы", 3600.0)


def unit_of(text: str | None) -> tuple[str, float]:
    """The unit a deadline's text counts in and its length in seconds (hours if none)."""
    lowered = (text or "").lower()
    for stem, name, seconds in UNITS:
        if stem in lowered:
            return name, seconds
    return DEFAULT_UNIT


def count(cases: Iterable[int]) -> Cell:
    """How many distinct cases, with their ids."""
    ids = tuple(sorted(set(cases)))
    return Cell(len(ids), ids)


def tally(cases: list[int]) -> Cell:
    """How many items (one case may count twice: two deadlines), with the distinct cases."""
    return Cell(len(cases), tuple(sorted(set(cases))))


def median(values: list[float]) -> float | None:
    """The median, or None for no values."""
    return round(statistics.median(values), 2) if values else None


def p90(values: list[float]) -> float | None:
    """The 90th percentile by nearest rank (the value 90 % of steps did not exceed)."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[math.ceil(0.9 * len(ordered)) - 1], 2)


def share(part: int, whole: int) -> float | None:
    """Part of whole in percent, one decimal; None when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else None
