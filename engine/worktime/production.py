"""The Russian production calendar: working days, public holidays and pre-holiday days."""

# By default the `holidays` package (holidays.RU) gives each year; a year whose official calendar
# was loaded from a file (`reglament calendar load`) comes from that file instead.

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import holidays

from engine.settings import Settings
from engine.worktime.law import ART_112, is_art_112_date, shortening_reason
from engine.worktime.official import OfficialYear
from engine.worktime.store import load_directory

# Kept for callers that know the table by this name.
ART_112_HOLIDAYS: Final[frozenset[tuple[int, int]]] = frozenset(ART_112)

# Corrections to the `holidays` package, should its data ever disagree with the official
# calendar. Checked against holidays 0.109 for 2024–2027: nothing to correct (the transfers as
# decreed; 248, 247, 247, 247 working days). Keep these tables, cited, if a release drifts.
EXTRA_DAYS_OFF: Final[dict[date, str]] = {}
EXTRA_WORKING_DAYS: Final[dict[date, str]] = {}


class YearStatus(StrEnum):
    """How sure the calendar of a year is."""

    OFFICIAL = "official"  # an official calendar file was loaded for the year
    DECREE = "decree"  # the package has the year's transfers from a government decree
    FORECAST = "forecast"  # art. 112 holidays only: the transfers are not decreed yet

    @property
    def confirmed(self) -> bool:
        """True unless the year's transfers of days off are still a forecast."""
        return self is not YearStatus.FORECAST

    @property
    def label(self) -> str:
        """The status in Russian, for staff and lawyers."""
        return _LABELS[self]


_LABELS = {
    YearStatus.OFFICIAL: "официальный производственный календарь, загружен из файла",
    YearStatus.DECREE: (
        "по постановлению Правительства о переносе выходных дней "
        f"(пакет holidays {getattr(holidays, '__version__', '')})"
    ),
    YearStatus.FORECAST: "прогноз: постановление о переносе выходных дней еще не учтено",
}


class ProductionCalendar:
    """Federal working days, holidays and pre-holiday days, cached per date."""

    def __init__(self, calendars_dir: Path | None = None) -> None:
        # Russian names whatever the server's locale (LANG=C.UTF-8 gives English ones).
        self._ru = holidays.country_holidays("RU", language="ru")
        self._transfers = _package_transfers(getattr(self._ru, "special_public_holidays", {}))
        # A working weekend day → the weekday off whose work it took over.
        self._donors = {
            moved: day for day, moved in self._transfers.items() if moved.weekday() >= 5
        }
        # The package adds a year's transfers once the decree is published (its sources cite
        # the decree), so every year up to the last one it lists is a decree year.
        self._decree_until = max(
            (
                *getattr(self._ru, "special_public_holidays", {}),
                *getattr(self._ru, "special_public_holidays_observed", {}),
            ),
            default=0,
        )
        self.calendars_dir = calendars_dir
        self._official: dict[int, OfficialYear] = {}
        self._signature: int | None = None
        self._working: dict[date, bool] = {}
        # Calendars built on this one drop their caches when it changes.
        self.generation = 0
        self._holds = 0
        self.refresh()

    @contextmanager
    def holding(self) -> Iterator[ProductionCalendar]:
        """Within the block the directory is not looked at again: one page's hundred rows count
        on the calendar as it was when the page began (each `refresh` would `stat` the folder)."""
        self.refresh()
        self._holds += 1
        try:
            yield self
        finally:
            self._holds -= 1

    def refresh(self) -> bool:
        """Re-read the official calendars if their directory changed; True when it did."""
        if self._holds and self.generation:
            return False
        signature = _signature(self.calendars_dir)
        if signature == self._signature and self.generation:
            return False
        self._official = load_directory(self.calendars_dir) if self.calendars_dir else {}
        self._signature = signature
        # A new dict, assigned after the new years: a reader still filling the old one (another
        # thread) cannot put an old answer into the new cache.
        self._working = {}
        self.generation += 1
        return True

    # --- years --------------------------------------------------------------------------------

    def year_status(self, year: int) -> YearStatus:
        """Official (file loaded), decree (the package knows the decree) or forecast."""
        if year in self._official:
            return YearStatus.OFFICIAL
        if year <= self._decree_until:
            return YearStatus.DECREE
        return YearStatus.FORECAST

    def official(self, year: int) -> OfficialYear | None:
        """The loaded official calendar of `year`, if any."""
        return self._official.get(year)

    def official_years(self) -> tuple[int, ...]:
        """Years whose official calendar was loaded."""
        return tuple(sorted(self._official))

    def transfers(self, year: int) -> dict[date, date]:
        """Days off of `year` moved by decree → the day each was moved from."""
        official = self._official.get(year)
        if official is not None:
            return dict(official.transfers)
        return {day: moved for day, moved in self._transfers.items() if day.year == year}

    # --- days ---------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """True when the federal calendar makes `day` a working day for a five-day week."""
        cache = self._working
        cached = cache.get(day)
        if cached is None:
            cached = self._compute_working(day)
            cache[day] = cached
        return cached

    def _compute_working(self, day: date) -> bool:
        official = self._official.get(day.year)
        if official is not None:
            return official.is_working_day(day)
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
        return is_art_112_date(day) and not self.is_working_day(day)

    def is_pre_holiday(self, day: date) -> bool:
        """True when `day` is a working day shortened by art. 95."""
        return self.shortening(day) is not None

    def shortening(self, day: date) -> str | None:
        """Why art. 95 shortens the working day `day` (in Russian), or None for a full day."""
        if not self.is_working_day(day):
            return None
        official = self._official.get(day.year)
        if official is not None:
            return official.shortened.get(day)
        return shortening_reason(day, self.is_public_holiday, self._donors)

    def holiday_name(self, day: date) -> str | None:
        """The name of a day off that is a holiday or a transferred day off, or None."""
        official = self._official.get(day.year)
        if official is not None:
            return official.holiday_name(day)
        name = self._ru.get(day)
        return str(name) if name is not None else None


def unconfirmed_years(production: ProductionCalendar, first: date, last: date) -> tuple[int, ...]:
    """Years from `first` to `last` whose transfers of days off are not decreed yet."""
    years = range(first.year, last.year + 1)
    return tuple(year for year in years if not production.year_status(year).confirmed)


def forecast_note(years: Iterable[int]) -> str:
    """The Russian note shown with a deadline computed through forecast years."""
    listed = ", ".join(str(year) for year in years)
    return (
        f"Срок рассчитан по прогнозу производственного календаря ({listed}): переносы выходных "
        "дней еще не утверждены постановлением Правительства, срок может измениться."
    )


def _package_transfers(special: dict[int, Any]) -> dict[date, date]:
    """holidays.RU's decreed transfers: (to month, to day, from month, from day[, from year])."""
    transfers: dict[date, date] = {}
    for year, entries in special.items():
        for entry in _entries(entries):
            if len(entry) >= 4:
                moved_from = date(entry[4] if len(entry) > 4 else year, entry[2], entry[3])
                transfers[date(year, entry[0], entry[1])] = moved_from
    return transfers


def _entries(entries: Any) -> Iterable[tuple[Any, ...]]:
    """One entry or a tuple of them, as the package writes either."""
    if entries and not isinstance(entries[0], tuple):
        return (entries,)
    return entries


def _signature(directory: Path | None) -> int | None:
    """The directory's modification time: `calendar load` replaces files, which changes it."""
    if directory is None:
        return None
    try:
        return os.stat(directory).st_mtime_ns
    except OSError:
        return None


_SHARED: ProductionCalendar | None = None


def refresh_shared() -> None:
    """Let the process-wide calendar see a newly stored year (no-op before its first use)."""
    if _SHARED is not None:
        _SHARED.refresh()


def production_calendar() -> ProductionCalendar:
    """The process-wide production calendar (its caches are shared by every municipality)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ProductionCalendar(Settings.from_env().calendars_dir)
    return _SHARED
