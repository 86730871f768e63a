"""A municipality's working calendar and deadline arithmetic, exact to the second."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from engine.worktime.production import (
    ProductionCalendar,
    forecast_note,
    production_calendar,
    unconfirmed_years,
)
from engine.worktime.settings import CalendarSettings, DayHours, parse_settings
from engine.worktime.spec import DeadlineSpec, Unit, parse_deadline

ONE_DAY = timedelta(days=1)
# Ten years without a single working minute means broken settings, not a long deadline.
MAX_SEARCH_DAYS = 3660
Interval = tuple[datetime, datetime]


class CalendarError(ValueError):
    """Arithmetic the calendar cannot do (naive datetime, negative duration, no working time)."""


class Calendar:
    """Office hours of one municipality on top of the Russian production calendar."""

    def __init__(
        self, settings: CalendarSettings, production: ProductionCalendar | None = None
    ) -> None:
        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)
        self.production = production or production_calendar()
        self._intervals: dict[date, tuple[Interval, ...]] = {}
        self._generation = self.production.generation

    @classmethod
    def from_settings(cls, raw: Mapping[str, Any], source: str = "<settings>") -> Calendar:
        """Build from a municipality mapping (timezone, calendar, ...), validated."""
        return cls(parse_settings(raw, source))

    @property
    def name(self) -> str:
        """The municipality's code name, e.g. 'perm'."""
        return self.settings.name

    def __repr__(self) -> str:
        return f"Calendar({self.settings.name or '?'}, {self.settings.timezone})"

    # --- days -------------------------------------------------------------------------------

    def day_hours(self, day: date) -> DayHours | None:
        """The office hours in force on `day` after every rule, or None for a day off."""
        s = self.settings
        if day in s.hours:
            return s.hours[day]
        if day in s.days_off or day in s.holidays:
            return None
        weekday_hours = s.weekdays[day.weekday()]
        base: DayHours | None
        if day in s.working_days:
            base = s.working_days[day] or weekday_hours or s.transferred_working_day
        elif self.production.is_working_day(day):
            weekend = day.weekday() >= 5
            base = (weekday_hours or s.transferred_working_day) if weekend else weekday_hours
        elif day.weekday() >= 5 and weekday_hours and self.production.holiday_name(day) is None:
            base = weekday_hours  # an office that works ordinary Saturdays
        else:
            return None
        if base is not None and self.is_pre_holiday(day):
            return _shortened(base, s.pre_holiday_minutes)
        return base

    def is_pre_holiday(self, day: date) -> bool:
        """True when `day` is the eve of a federal or regional holiday (art. 95)."""
        if day in self.settings.hours:
            return False
        return self.production.is_pre_holiday(day) or day + ONE_DAY in self.settings.holidays

    def is_working_day(self, day: date) -> bool:
        """True when the office is open at some point on `day`."""
        return bool(self.intervals(day))

    def intervals(self, day: date) -> tuple[Interval, ...]:
        """The day's office time as UTC (start, end) pairs, cached."""
        cache = self._intervals
        cached = cache.get(day)
        if cached is None:
            hours = self.day_hours(day)
            spans = hours.intervals() if hours else ()
            cached = tuple((self._instant(day, a), self._instant(day, b)) for a, b in spans)
            cache[day] = cached
        return cached

    def _instant(self, day: date, wall: time) -> datetime:
        local = datetime.combine(day, wall, tzinfo=self.zone)
        return local.astimezone(UTC)

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _next_working_date(self, day: date, step: timedelta = ONE_DAY) -> date:
        for _ in range(MAX_SEARCH_DAYS):
            day += step
            if self.intervals(day):
                return day
        raise CalendarError(f"{self!r}: no working day within ten years from {day}")

    def _previous_working_date(self, day: date) -> date:
        return self._next_working_date(day, -ONE_DAY)

    def refresh(self) -> None:
        """Drop cached days when the production calendar changed (an official year loaded)."""
        self.production.refresh()
        if self._generation != self.production.generation:
            self._intervals = {}
            self._generation = self.production.generation

    def _close(self, day: date) -> datetime:
        return self.intervals(day)[-1][1].astimezone(self.zone)

    # --- moments ----------------------------------------------------------------------------

    def is_working_moment(self, moment: datetime) -> bool:
        """True when the office is open at `moment` (opening included, closing excluded)."""
        at = as_utc(moment)
        return any(a <= at < b for a, b in self.intervals(self._local_date(at)))

    def next_working_moment(self, moment: datetime) -> datetime:
        """`moment` itself when the office is open, else the next opening."""
        at = as_utc(moment)
        day = self._local_date(at)
        for _ in range(MAX_SEARCH_DAYS):
            for a, b in self.intervals(day):
                if at < b:
                    return max(a, at).astimezone(self.zone)
            day += ONE_DAY
        raise CalendarError(f"{self!r}: no working time within ten years after {moment}")

    def end_of_working_day(self, moment: datetime) -> datetime:
        """Closing time of the current working day, or of the next one once today's is over."""
        at = as_utc(moment)
        day = self._local_date(at)
        spans = self.intervals(day)
        if spans and at < spans[-1][1]:
            return self._close(day)
        return self._close(self._next_working_date(day))

    # --- arithmetic -------------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta, *, working: bool = True) -> datetime:
        """`start` plus working (office-time) or calendar (elapsed) `duration`."""
        at = as_utc(start)
        if duration < timedelta(0):
            raise CalendarError(f"negative duration {duration}")
        if not working or not duration:
            return (at + duration).astimezone(self.zone)
        return self._add_working(at, duration).astimezone(self.zone)

    def _add_working(self, at: datetime, left: timedelta) -> datetime:
        day = self._local_date(at)
        for _ in range(MAX_SEARCH_DAYS):
            for a, b in self.intervals(day):
                if b <= at:
                    continue
                a = max(a, at)
                if left <= b - a:
                    return a + left
                left -= b - a
            day += ONE_DAY
        raise CalendarError(f"{self!r}: no working time within ten years after {at}")

    def subtract(self, anchor: datetime, duration: timedelta, *, working: bool = True) -> datetime:
        """The latest moment with `duration` of working (or elapsed) time left before `anchor`."""
        at = as_utc(anchor)
        if duration < timedelta(0):
            raise CalendarError(f"negative duration {duration}")
        if not working or not duration:
            return (at - duration).astimezone(self.zone)
        return self._subtract_working(at, duration).astimezone(self.zone)

    def _subtract_working(self, at: datetime, left: timedelta) -> datetime:
        day = self._local_date(at)
        for _ in range(MAX_SEARCH_DAYS):
            for a, b in reversed(self.intervals(day)):
                if a >= at:
                    continue
                b = min(b, at)
                if left <= b - a:
                    return b - left
                left -= b - a
            day -= ONE_DAY
        raise CalendarError(f"{self!r}: no working time within ten years before {at}")

    def add_days(self, start: datetime, days: int, *, working: bool = True) -> datetime:
        """Civil Code days: from the next day (191), moved off days off (193), at closing (194)."""
        if days < 1:
            raise CalendarError(f"a day-counted period needs at least 1 day, got {days}")
        day = self._local_date(as_utc(start))
        if working:
            for _ in range(days):
                day = self._next_working_date(day)
            return self._close(day)
        day += timedelta(days=days)
        if not self.intervals(day):
            day = self._next_working_date(day)
        return self._close(day)

    def subtract_days(self, anchor: datetime, days: int, *, working: bool = True) -> datetime:
        """«за N дней до …»: closing of the day N (working) days before the anchor's day."""
        # A calendar count landing on a day off moves to the previous working day, not the
        # next: a term counted backwards must not end later than it says.
        if days < 1:
            raise CalendarError(f"a day-counted period needs at least 1 day, got {days}")
        day = self._local_date(as_utc(anchor))
        if working:
            for _ in range(days):
                day = self._previous_working_date(day)
            return self._close(day)
        day -= timedelta(days=days)
        if not self.intervals(day):
            day = self._previous_working_date(day)
        return self._close(day)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time between two moments; negative when b is before a."""
        self.refresh()
        lo, hi = as_utc(a), as_utc(b)
        if hi < lo:
            return -self.working_time_between(b, a)
        total = timedelta(0)
        day, last = self._local_date(lo), self._local_date(hi)
        while day <= last:
            for start, end in self.intervals(day):
                overlap = min(end, hi) - max(start, lo)
                if overlap > timedelta(0):
                    total += overlap
            day += ONE_DAY
        return total

    def due(self, start: datetime, spec: str | DeadlineSpec) -> datetime:
        """The due moment of a deadline from `start` (for a `before` one: from the anchor)."""
        # «за 4 часа до истечения срока …»: `start` is that other deadline's due moment.
        if isinstance(spec, str):
            spec = parse_deadline(spec)
        self.refresh()
        counts = _BACKWARD if spec.before else _FORWARD
        count = counts.get(spec.unit)
        if count is None:
            raise CalendarError(f"«{spec.describe()}» cannot be counted backwards")
        return count(self, start, spec)

    # --- how sure the calendar is -------------------------------------------------------------

    def is_confirmed(self, moment: datetime | date) -> bool:
        """True when the year of `moment` (local date) has decreed or official transfers."""
        self.refresh()
        day = self._local_date(as_utc(moment)) if isinstance(moment, datetime) else moment
        return self.production.year_status(day.year).confirmed

    def unconfirmed_years(self, start: datetime, due: datetime) -> tuple[int, ...]:
        """Years between `start` and `due` (either order) whose calendar is only a forecast."""
        self.refresh()
        first, last = sorted((self._local_date(as_utc(start)), self._local_date(as_utc(due))))
        return unconfirmed_years(self.production, first, last)

    def forecast_warning(
        self, start: datetime, due: datetime, spec: DeadlineSpec | None = None
    ) -> str | None:
        """A note for staff when `due` was computed through a forecast year, else None."""
        # Calendar hours and minutes never depend on the production calendar: no note.
        if spec is not None and spec.is_clock_time:
            return None
        years = self.unconfirmed_years(start, due)
        return forecast_note(years) if years else None


Count = Callable[[Calendar, datetime, DeadlineSpec], datetime]


def _clock(calendar: Calendar, start: datetime, spec: DeadlineSpec) -> datetime:
    return calendar.add(start, spec.duration, working=spec.working)


def _clock_back(calendar: Calendar, anchor: datetime, spec: DeadlineSpec) -> datetime:
    return calendar.subtract(anchor, spec.duration, working=spec.working)


# How each unit is counted forward from a start, and back from an anchor («за … до …»).
_FORWARD: dict[Unit, Count] = {
    Unit.SECOND: _clock,
    Unit.MINUTE: _clock,
    Unit.HOUR: _clock,
    Unit.DAY: lambda cal, start, spec: cal.add_days(start, spec.amount, working=spec.working),
    Unit.END_OF_WORKING_DAY: lambda cal, start, _: cal.end_of_working_day(start),
    Unit.END_OF_NEXT_WORKING_DAY: lambda cal, start, _: cal.add_days(start, 1),
}
_BACKWARD: dict[Unit, Count] = {
    Unit.SECOND: _clock_back,
    Unit.MINUTE: _clock_back,
    Unit.HOUR: _clock_back,
    Unit.DAY: lambda cal, anchor, spec: cal.subtract_days(
        anchor, spec.amount, working=spec.working
    ),
}


def as_utc(moment: datetime) -> datetime:
    """The moment in UTC; naive datetimes are refused because their zone is a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError(f"naive datetime {moment.isoformat()}: pass an aware datetime")
    return moment.astimezone(UTC)


def _shortened(hours: DayHours, minutes: int) -> DayHours | None:
    """The day's hours with `minutes` cut from the end of the day (art. 95)."""
    spans = [(_minutes(a), _minutes(b)) for a, b in hours.intervals()]
    cut = minutes
    while cut and spans:
        a, b = spans[-1]
        if b - a > cut:
            spans[-1], cut = (a, b - cut), 0
        else:
            spans.pop()
            cut -= b - a
    if not spans:
        return None
    if len(spans) == 1:
        return DayHours(_wall(spans[0][0]), _wall(spans[0][1]))
    (a, b), (c, d) = spans
    return DayHours(_wall(a), _wall(d), (_wall(b), _wall(c)))


def _minutes(wall: time) -> int:
    return wall.hour * 60 + wall.minute


def _wall(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)
