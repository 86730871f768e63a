"""Calendar settings of a municipality: the `calendar` section of municipality.yaml, validated.

The errors are in Russian (a lawyer or an administrator edits the file) and name the file and the
dotted key; the keys themselves stay as they are written in the file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CALENDAR_KEYS = frozenset(
    {"office_hours", "lunch", "pre_holiday_shortening_minutes", "transferred_working_day"}
    | {"overrides"}
)
OVERRIDE_KEYS = frozenset({"days_off", "holidays", "working_days", "hours"})
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_UNSET: Any = object()
_KINDS = {"list": "список", "str": "строка", "int": "число", "float": "число", "bool": "да/нет"}


class CalendarConfigError(ValueError):
    """A municipality's calendar settings are missing or wrong; the message names file and key."""


@dataclass(frozen=True)
class DayHours:
    """Office hours of one day: opening, closing and an optional lunch break."""

    opens: time
    closes: time
    lunch: tuple[time, time] | None = None

    def intervals(self) -> tuple[tuple[time, time], ...]:
        """The day's office time as (start, end) pairs in local wall-clock time."""
        if self.lunch is None:
            return ((self.opens, self.closes),)
        return ((self.opens, self.lunch[0]), (self.lunch[1], self.closes))


@dataclass(frozen=True)
class CalendarSettings:
    """Everything a Calendar needs: zone, weekly hours, pre-holiday rule, dated overrides."""

    timezone: str
    weekdays: tuple[DayHours | None, ...]
    transferred_working_day: DayHours
    pre_holiday_minutes: int = 60
    days_off: Mapping[date, str] = field(default_factory=dict)
    holidays: Mapping[date, str] = field(default_factory=dict)
    working_days: Mapping[date, DayHours | None] = field(default_factory=dict)
    hours: Mapping[date, DayHours] = field(default_factory=dict)
    name: str = ""
    title: str = ""


class _Reader:
    """Validates one settings mapping; every error names the source and the dotted key."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> CalendarConfigError:
        """An error naming the file and key."""
        return CalendarConfigError(f"{self.source}: {key}: {problem}")

    def mapping(self, value: Any, key: str, allowed: frozenset[str]) -> Mapping[str, Any]:
        """A mapping whose keys are all in `allowed` (None counts as empty)."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.fail(key, f"нужен словарь «ключ: значение», а не {kind(value)}")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            raise self.fail(key, f"неизвестные ключи {unknown}; допустимы: {sorted(allowed)}")
        return value

    def span(self, value: Any, key: str) -> tuple[time, time]:
        """'HH:MM-HH:MM' with the start before the end, both within one day."""
        match = _SPAN.match(value) if isinstance(value, str) else None
        if match is None:
            raise self.fail(key, f"нужны часы «ЧЧ:ММ-ЧЧ:ММ» в кавычках, а не {value!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise self.fail(key, f"такого времени суток нет: {value!r}")
        start, end = time(h1, m1), time(h2, m2)
        if start >= end:
            raise self.fail(key, f"начало должно быть раньше конца: {value!r}")
        return start, end

    def day_hours(
        self, value: Any, key: str, lunch: Any, *, explicit: bool = False
    ) -> DayHours | None:
        """A weekday entry: 'HH:MM-HH:MM', null, or {hours: ..., lunch: ...}."""
        if value is None:
            return None
        if isinstance(value, Mapping):
            entry = self.mapping(value, key, frozenset({"hours", "lunch"}))
            if "hours" not in entry:
                raise self.fail(key, "не указаны часы работы (ключ 'hours')")
            own = "lunch" in entry
            lunch = entry.get("lunch", lunch)
            return self.day_hours(entry["hours"], f"{key}.hours", lunch, explicit=own)
        opens, closes = self.span(value, key)
        if lunch is None:
            return DayHours(opens, closes)
        start, end = self.span(lunch, f"{key} lunch")
        if opens < start < end < closes:
            return DayHours(opens, closes, (start, end))
        if (end <= opens or start >= closes) and not explicit:
            return DayHours(opens, closes)  # the default lunch falls outside a short day
        raise self.fail(key, f"обед {lunch!r} должен быть внутри часов работы {value!r}")

    def day(self, value: Any, key: str) -> date:
        """A calendar date (YAML date or 'YYYY-MM-DD')."""
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise self.fail(key, f"нужна дата ГГГГ-ММ-ДД, а не {value!r}") from None

    def timezone(self, value: Any, key: str) -> str:
        """An IANA time zone name that zoneinfo knows."""
        if not isinstance(value, str) or not value:
            raise self.fail(
                key, f"нужен часовой пояс IANA, например 'Europe/Moscow', а не {value!r}"
            )
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail(key, f"неизвестный часовой пояс {value!r}") from None
        return value

    def text(self, value: Any, key: str, *, required: bool) -> str:
        """A non-empty string, or '' when absent and not required."""
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"нужен непустой текст, а не {value!r}")
        return value


def kind(value: Any) -> str:
    """What a wrong value is, in Russian."""
    return _KINDS.get(type(value).__name__, type(value).__name__)


def parse_settings(raw: Any, source: str = "<settings>") -> CalendarSettings:
    """Validate a municipality mapping (name, title, timezone, calendar) into CalendarSettings."""
    reader = _Reader(source)
    if not isinstance(raw, Mapping):
        raise reader.fail("<top>", f"нужен словарь настроек, а не {kind(raw)}")
    if "timezone" not in raw:
        raise reader.fail("timezone", "не указан (например, timezone: Europe/Moscow)")
    zone = reader.timezone(raw["timezone"], "timezone")
    cal = reader.mapping(raw.get("calendar"), "calendar", CALENDAR_KEYS)
    lunch = cal.get("lunch", "13:00-14:00")
    weekdays = _weekdays(reader, cal.get("office_hours", _UNSET), lunch)
    transferred = reader.day_hours(
        cal.get("transferred_working_day", "09:00-18:00"), "calendar.transferred_working_day", lunch
    )
    if transferred is None:
        raise reader.fail("calendar.transferred_working_day", "нужны часы работы, а не null")
    overrides = _overrides(reader, cal.get("overrides"), lunch)
    return CalendarSettings(
        timezone=zone,
        weekdays=weekdays,
        transferred_working_day=transferred,
        pre_holiday_minutes=_minutes(reader, cal.get("pre_holiday_shortening_minutes", 60)),
        name=reader.text(raw.get("name"), "name", required=False),
        title=reader.text(raw.get("title"), "title", required=False),
        **overrides,
    )


def _minutes(reader: _Reader, value: Any) -> int:
    key = "calendar.pre_holiday_shortening_minutes"
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 240:
        raise reader.fail(key, f"нужно целое число минут 0..240 (ст. 95 ТК РФ: 60), а не {value!r}")
    return value


def _weekdays(reader: _Reader, raw: Any, lunch: Any) -> tuple[DayHours | None, ...]:
    defaults = {day: "09:00-18:00" for day in WEEKDAYS[:5]}
    if raw is _UNSET:
        raw = defaults
    table = reader.mapping(raw, "calendar.office_hours", frozenset(WEEKDAYS))
    return tuple(
        reader.day_hours(table.get(day), f"calendar.office_hours.{day}", lunch) for day in WEEKDAYS
    )


def _overrides(reader: _Reader, raw: Any, lunch: Any) -> dict[str, Any]:
    table = reader.mapping(raw, "calendar.overrides", OVERRIDE_KEYS)
    key = "calendar.overrides"
    days_off = _dated(reader, table.get("days_off"), f"{key}.days_off", lunch, hours=False)
    holidays = _dated(reader, table.get("holidays"), f"{key}.holidays", lunch, hours=False)
    working = _dated(reader, table.get("working_days"), f"{key}.working_days", lunch, hours=None)
    hours = _dated(reader, table.get("hours"), f"{key}.hours", lunch, hours=True)
    clash = sorted((days_off.keys() | holidays.keys()) & (working.keys() | hours.keys()))
    if clash:
        raise reader.fail("calendar.overrides", f"{clash[0]} и выходной, и рабочий день")
    return {
        "days_off": {d: reason for d, (reason, _) in days_off.items()},
        "holidays": {d: reason for d, (reason, _) in holidays.items()},
        "working_days": {d: h for d, (_, h) in working.items()},
        "hours": {d: h for d, (_, h) in hours.items() if h is not None},
    }


def _dated(
    reader: _Reader, raw: Any, key: str, lunch: Any, *, hours: bool | None
) -> dict[date, tuple[str, DayHours | None]]:
    """Dated entries; `hours` True = required, None = optional, False = not allowed."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise reader.fail(key, "нужен список вида {date: ГГГГ-ММ-ДД, reason: ...}")
    result: dict[date, tuple[str, DayHours | None]] = {}
    allowed = frozenset({"date", "reason"} | (set() if hours is False else {"hours", "lunch"}))
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        entry = reader.mapping(item, where, allowed)
        if "date" not in entry:
            raise reader.fail(where, "не указана дата (ключ 'date')")
        day = reader.day(entry["date"], f"{where}.date")
        if day in result:
            raise reader.fail(where, f"дата {day} указана дважды")
        if hours and "hours" not in entry:
            raise reader.fail(where, "не указаны часы работы (ключ 'hours')")
        day_hours = None
        if "hours" in entry:
            day_hours = reader.day_hours(
                entry["hours"], f"{where}.hours", entry.get("lunch", lunch)
            )
            if day_hours is None:
                raise reader.fail(
                    f"{where}.hours", "нужны часы работы; выходной день указывают в days_off"
                )
        reason = reader.text(entry.get("reason"), f"{where}.reason", required=False)
        result[day] = (reason, day_hours)
    return result
