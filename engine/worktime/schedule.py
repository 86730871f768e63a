"""Schedules of periodic duties as regulations word them («каждый рабочий день в 09:00»)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from engine.worktime import phrases
from engine.worktime.calendar import Calendar, as_utc


class Period(StrEnum):
    """What a schedule repeats over."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class ScheduleRule:
    """When the occurrences of a duty begin, on a municipality's working calendar."""

    # `working` on a daily rule: working days only. Weekly and monthly rules start on the
    # `ordinal`-th working day of the period, or on named `weekdays` (a day off moves the
    # occurrence to the next working day). `at` is local wall time; None: the office opening.
    # `by_working_day` («до 5-го рабочего дня») is shown to staff; the term itself is a row of
    # the deadline table, so the schedule never repeats it.

    period: Period
    working: bool = True
    ordinal: int = 1
    weekdays: tuple[int, ...] = ()
    at: time | None = None
    by_working_day: int | None = None
    text: str = field(default="", compare=False)

    def describe(self) -> str:
        """The schedule in Russian, e.g. «каждый рабочий день в 09:00»."""
        when = f" в {self.at:%H:%M}" if self.at else ""
        if self.period is Period.DAY:
            head = "каждый рабочий день" if self.working else "ежедневно"
        elif self.weekdays:
            names = " и ".join(_WEEKDAY_PLURAL[day] for day in self.weekdays)
            head = f"еженедельно по {names}"
        elif self.by_working_day:  # begins on the first working day of the period
            head = f"{_ADVERB[self.period]}, до {self.by_working_day}-го рабочего дня"
        else:
            unit = "недели" if self.period is Period.WEEK else "месяца"
            head = f"{_ADVERB[self.period]}, в {self.ordinal}-й рабочий день {unit}"
        return head + when


class ScheduleError(ValueError):
    """A schedule text the parser cannot read; the message lists the accepted forms."""

    def __init__(self, text: str, reason: str = "") -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"Не удалось прочитать периодичность «{text}»{why}. Принимаются: {ACCEPTED}."
        )


ACCEPTED = (
    "«каждый рабочий день в 09:00», «ежедневно в 10:00», «еженедельно» (первый рабочий день "
    "недели), «еженедельно, во второй рабочий день недели», «каждый понедельник в 10:00», "
    "«еженедельно по вторникам и четвергам в 11:00», «ежемесячно» (первый рабочий день "
    "месяца), «ежемесячно, в 3-й рабочий день», «ежемесячно, до 5-го рабочего дня»; время "
    "«в ЧЧ:ММ» — местное, без него — начало рабочего дня"
)

_ADVERB = {Period.WEEK: "еженедельно", Period.MONTH: "ежемесячно"}
_WEEKDAYS = (
    ("понедельник", "понедельникам"),
    ("вторник", "вторникам"),
    ("среду", "средам", "среда"),
    ("четверг", "четвергам"),
    ("пятницу", "пятницам", "пятница"),
    ("субботу", "субботам", "суббота"),
    ("воскресенье", "воскресеньям"),
)
_WEEKDAY_OF = {form: day for day, forms in enumerate(_WEEKDAYS) for form in forms}
_WEEKDAY_PLURAL = {day: forms[1] for day, forms in enumerate(_WEEKDAYS)}
_ORDINAL_WORDS = {
    **dict.fromkeys(("первый", "первого"), 1),
    **dict.fromkeys(("второй", "второго"), 2),
    **dict.fromkeys(("третий", "третьего"), 3),
    **dict.fromkeys(("четвертый", "четвертого"), 4),
    **dict.fromkeys(("пятый", "пятого"), 5),
    **dict.fromkeys(("шестой", "шестого"), 6),
    **dict.fromkeys(("седьмой", "седьмого"), 7),
    **dict.fromkeys(("восьмой", "восьмого"), 8),
    **dict.fromkeys(("девятый", "девятого"), 9),
    **dict.fromkeys(("десятый", "десятого"), 10),
}
_AT = re.compile(r"(?:^|,? )в (?P<h>\d{1,2})[:.](?P<m>\d{2})(?: ч(?:асов|аса|ас)?)?$")
_ORDINAL = re.compile(r"^(?P<n>\d{1,2})(?:-?(?:й|го|ый|ого|ой))?$")
_DAILY_WORKING = frozenset(
    {"каждый рабочий день", "ежедневно по рабочим дням", "по рабочим дням"}
    | {"ежедневно в рабочие дни", "в рабочие дни"}
)
_DAILY = frozenset({"ежедневно", "каждый день", "ежедневно, включая выходные"})
_WEEKLY = frozenset({"еженедельно", "каждую неделю", "раз в неделю"})
_MONTHLY = frozenset({"ежемесячно", "каждый месяц", "раз в месяц"})
# Longest first: «еженедельно, во вторник» is not cut as «еженедельно, в».
_WEEKDAY_LEADS: tuple[str, ...] = ("каждый ", "каждую ", "каждое ", "еженедельно по ")
_WEEKDAY_LEADS += ("еженедельно, во ", "еженедельно, в ", "по ", "во ", "в ")
_MAX_ORDINAL = {Period.WEEK: 5, Period.MONTH: 23}


def parse_schedule(text: str) -> ScheduleRule:
    """Read a duty's schedule; raise ScheduleError listing the accepted forms."""
    if not isinstance(text, str) or not text.strip():
        raise ScheduleError(str(text), "пустая периодичность")
    clean = phrases.normalize(text)
    at, body = _split_time(text, clean)
    rule = _read_body(text, body.strip(" ,"))
    return ScheduleRule(
        rule.period, rule.working, rule.ordinal, rule.weekdays, at, rule.by_working_day, text
    )


def _split_time(text: str, clean: str) -> tuple[time | None, str]:
    match = _AT.search(clean)
    if match is None:
        return None, clean
    hour, minute = int(match["h"]), int(match["m"])
    if hour > 23 or minute > 59:
        raise ScheduleError(text, f"нет такого времени {hour}:{minute:02d}")
    return time(hour, minute), clean[: match.start()]


def _read_body(text: str, body: str) -> ScheduleRule:
    if body in _DAILY_WORKING:
        return ScheduleRule(Period.DAY)
    if body in _DAILY:
        return ScheduleRule(Period.DAY, working=False)
    weekdays = _weekdays(body)
    if weekdays:
        return ScheduleRule(Period.WEEK, weekdays=weekdays)
    head, _, rest = body.partition(",")
    head, rest = head.strip(), rest.strip()
    for period, heads in ((Period.WEEK, _WEEKLY), (Period.MONTH, _MONTHLY)):
        if head in heads:
            return _periodic(text, period, rest)
    if head in phrases.PERIODIC:
        raise ScheduleError(text, f"«{head}» пока не поддерживается")
    raise ScheduleError(text, "не найдена периодичность")


def _weekdays(body: str) -> tuple[int, ...]:
    """«каждый понедельник», «еженедельно по вторникам и четвергам», «еженедельно, в среду»."""
    for lead in _WEEKDAY_LEADS:
        if body.startswith(lead):
            words = re.split(r",? и (?:во? )?|, (?:во? )?", body[len(lead) :].strip())
            days = [_WEEKDAY_OF.get(word) for word in words]
            if days and all(day is not None for day in days):
                return tuple(sorted({day for day in days if day is not None}))
    return ()


def _periodic(text: str, period: Period, rest: str) -> ScheduleRule:
    """«еженедельно[, в N-й рабочий день недели]», «ежемесячно[, до N-го рабочего дня]»."""
    if not rest:
        return ScheduleRule(period)
    by = re.fullmatch(r"(?:до|не позднее) (?P<n>\S+) рабочего дня(?: месяца| недели)?", rest)
    if by is not None:
        return ScheduleRule(period, by_working_day=_ordinal(text, by["n"], period))
    on = re.fullmatch(r"(?:в|во) (?P<n>\S+) рабочий день(?: месяца| недели)?", rest)
    if on is not None:
        return ScheduleRule(period, ordinal=_ordinal(text, on["n"], period))
    weekdays = _weekdays("еженедельно, " + rest) if period is Period.WEEK else ()
    if weekdays:
        return ScheduleRule(period, weekdays=weekdays)
    raise ScheduleError(text, f"непонятно «{rest}»")


def _ordinal(text: str, word: str, period: Period) -> int:
    match = _ORDINAL.match(word)
    value = int(match["n"]) if match else _ORDINAL_WORDS.get(word)
    if value is None or not 1 <= value <= _MAX_ORDINAL[period]:
        raise ScheduleError(text, f"непонятный порядковый номер рабочего дня «{word}»")
    return value


# --- occurrences ------------------------------------------------------------------------------

MAX_PERIODS = 3700  # ten years of days: a calendar with no working day ends the search


def occurrences(
    rule: ScheduleRule, calendar: Calendar, after: datetime, until: datetime
) -> Iterator[datetime]:
    """The occurrence moments (UTC) strictly after `after`, up to and including `until`."""
    start, end = as_utc(after), as_utc(until)
    day = start.astimezone(calendar.zone).date()
    for _ in range(MAX_PERIODS):
        for moment in _in_period(rule, calendar, day):
            if moment > end:
                return
            if moment > start:
                yield moment
        day = _next_period(rule.period, day)
    return


def next_occurrence(rule: ScheduleRule, calendar: Calendar, after: datetime) -> datetime:
    """The first occurrence strictly after `after`."""
    for moment in occurrences(rule, calendar, after, after + timedelta(days=MAX_PERIODS)):
        return moment
    raise ScheduleError(rule.text, "ни одного рабочего дня в ближайшие десять лет")


def _period_start(period: Period, day: date) -> date:
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    return day


def _next_period(period: Period, day: date) -> date:
    start = _period_start(period, day)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    if period is Period.MONTH:
        return (start + timedelta(days=32)).replace(day=1)
    return start + timedelta(days=1)


def _in_period(rule: ScheduleRule, calendar: Calendar, day: date) -> list[datetime]:
    """The occurrences of the period that contains `day`, in order."""
    if rule.period is Period.DAY:
        if rule.working and not calendar.is_working_day(day):
            return []
        return [_moment(rule, calendar, day)]
    start = _period_start(rule.period, day)
    end = _next_period(rule.period, day)
    if rule.weekdays:
        days = [_on_or_after_working(calendar, start + timedelta(days=wd)) for wd in rule.weekdays]
        return sorted({_moment(rule, calendar, found) for found in days})
    working = [
        start + timedelta(days=offset)
        for offset in range((end - start).days)
        if calendar.is_working_day(start + timedelta(days=offset))
    ]
    if len(working) < rule.ordinal:
        return []  # a period without that many working days (the New Year holidays) is skipped
    return [_moment(rule, calendar, working[rule.ordinal - 1])]


def _on_or_after_working(calendar: Calendar, day: date) -> date:
    for offset in range(MAX_PERIODS):
        candidate = day + timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise ScheduleError("", "ни одного рабочего дня в ближайшие десять лет")


def _moment(rule: ScheduleRule, calendar: Calendar, day: date) -> datetime:
    if rule.at is not None:
        return as_utc(datetime.combine(day, rule.at, tzinfo=calendar.zone))
    intervals = calendar.intervals(day)
    if intervals:
        return intervals[0][0]
    return as_utc(datetime.combine(day, time(0, 0), tzinfo=calendar.zone))
