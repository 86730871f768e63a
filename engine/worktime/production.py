"""The Russian production calendar: working days, public holidays and pre-holiday days."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Final

import holidays

# Non-working public holidays listed in Labour Code art. 112 part 1 (month, day). Only these make
# the working day before them one hour shorter (art. 95); transferred days off do not.
ART_112_HOLIDAYS: Final[frozenset[tuple[int, int]]] = frozenset(
    {(1, d) for d in range(1, 9)} | {(2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4)}
)

# Pre-holiday days that the plain art. 95 rule cannot derive, because a transferred working
# Saturday takes over the pre-holiday status of the weekday it swapped with.
PRE_HOLIDAY_ADDITIONS: Final[dict[date, str]] = {
    # Постановление Правительства РФ от 04.10.2024 № 1335: Saturday 1 November 2025 is worked
    # instead of Monday 3 November (the eve of 4 November); Минтруд's production calendar for 2025
    # lists it as shortened by one hour (7 March, 30 April, 11 June, 1 November; 1972 hours).
    date(2025, 11, 1): "рабочая суббота вместо 3 ноября, канун Дня народного единства",
}

# Corrections to the `holidays` package, should its data ever disagree with the official
# calendar. Checked against holidays 0.109 for 2025 and 2026: nothing to correct (247 working
# days each, transfers as decreed). Keep these tables, cited, if a future release drifts.
EXTRA_DAYS_OFF: Final[dict[date, str]] = {}
EXTRA_WORKING_DAYS: Final[dict[date, str]] = {}


class ProductionCalendar:
    """Federal working days, holidays and pre-holiday days, cached per date."""

    def __init__(self) -> None:
        self._ru = holidays.country_holidays("RU")
        self._working: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        """True when the federal calendar makes `day` a working day for a five-day week."""
        cached = self._working.get(day)
        if cached is None:
            cached = self._compute_working(day)
            self._working[day] = cached
        return cached

    def _compute_working(self, day: date) -> bool:
        if day in EXTRA_DAYS_OFF:
            return False
        if day in EXTRA_WORKING_DAYS:
            return True
        return bool(self._ru.is_working_day(day))

    def is_transferred_working_day(self, day: date) -> bool:
        """True for a weekend day the government has made a working day (e.g. 1 Nov 2025)."""
        return day.weekday() >= 5 and self.is_working_day(day)

    def is_public_holiday(self, day: date) -> bool:
        """True for a non-working public holiday of art. 112 part 1 (not a transferred day)."""
        return (day.month, day.day) in ART_112_HOLIDAYS and day in self._ru

    def is_pre_holiday(self, day: date) -> bool:
        """True when `day` is a working day shortened by art. 95 (eve of a public holiday)."""
        if not self.is_working_day(day):
            return False
        return day in PRE_HOLIDAY_ADDITIONS or self.is_public_holiday(day + timedelta(days=1))

    def holiday_name(self, day: date) -> str | None:
        """The `holidays` package's name for a day off, or None."""
        name = self._ru.get(day)
        return str(name) if name is not None else None


_SHARED: ProductionCalendar | None = None


def production_calendar() -> ProductionCalendar:
    """The process-wide production calendar (its caches are shared by every municipality)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ProductionCalendar()
    return _SHARED
