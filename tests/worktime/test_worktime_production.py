"""The official Russian production calendars for 2025 and 2026, as the office sees them."""

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.worktime import Calendar, DayHours, ProductionCalendar, YearStatus, production_calendar
from engine.worktime.official import read_official
from engine.worktime.store import save_year

MOSCOW = ZoneInfo("Europe/Moscow")
FIXTURES = Path(__file__).parent / "calendars"
CAL = Calendar.from_settings({"timezone": "Europe/Moscow"})


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_247_working_days(year: int) -> None:
    assert sum(CAL.is_working_day(d) for d in _days(year)) == 247


@pytest.mark.parametrize("year", [2025, 2026])
def test_norm_of_hours_is_1972_for_a_40_hour_week(year: int) -> None:
    # 247 days × 8 h − 4 shortened pre-holiday days × 1 h (Минтруд's calendars for both years).
    start = datetime(year, 1, 1, tzinfo=MOSCOW)
    end = datetime(year + 1, 1, 1, tzinfo=MOSCOW)
    assert CAL.working_time_between(start, end) == timedelta(hours=1972)


@pytest.mark.parametrize(
    ("year", "per_month"),
    [
        (2025, [17, 20, 21, 22, 18, 19, 23, 21, 22, 23, 19, 22]),
        (2026, [15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22]),
    ],
)
def test_working_days_per_month(year: int, per_month: list[int]) -> None:
    counted = [0] * 12
    for d in _days(year):
        counted[d.month - 1] += CAL.is_working_day(d)
    assert counted == per_month


@pytest.mark.parametrize(
    ("year", "eves"),
    [
        (2025, {date(2025, 3, 7), date(2025, 4, 30), date(2025, 6, 11), date(2025, 11, 1)}),
        (2026, {date(2026, 4, 30), date(2026, 5, 8), date(2026, 6, 11), date(2026, 11, 3)}),
    ],
)
def test_pre_holiday_days_are_one_hour_shorter(year: int, eves: set[date]) -> None:
    shortened = {d for d in _days(year) if CAL.is_working_day(d) and CAL.is_pre_holiday(d)}
    assert shortened == eves
    for d in eves:
        assert CAL.day_hours(d) == DayHours(time(9), time(17), (time(13), time(14)))


def test_2025_new_year_holidays() -> None:
    off = [date(2025, 1, d) for d in range(1, 9)]
    assert not any(CAL.is_working_day(d) for d in off)
    assert CAL.is_working_day(date(2025, 1, 9))
    assert not CAL.is_working_day(date(2025, 12, 31))  # transferred from Sunday 5 January
    assert CAL.is_working_day(date(2025, 12, 30))
    assert not CAL.is_pre_holiday(date(2025, 12, 30))  # 31 Dec is a transferred day off


def test_2025_may_holidays() -> None:
    may = {d: CAL.is_working_day(date(2025, 5, d)) for d in range(1, 13)}
    assert [d for d, working in may.items() if not working] == [1, 2, 3, 4, 8, 9, 10, 11]


def test_1_november_2025_is_a_shortened_working_saturday() -> None:
    saturday = date(2025, 11, 1)
    assert production_calendar().is_transferred_working_day(saturday)
    assert CAL.day_hours(saturday) == DayHours(time(9), time(17), (time(13), time(14)))
    assert [CAL.is_working_day(date(2025, 11, d)) for d in (2, 3, 4, 5)] == [
        False,
        False,
        False,
        True,
    ]


def test_2026_days_off_9_january_and_31_december() -> None:
    assert not CAL.is_working_day(date(2026, 1, 9))
    assert not CAL.is_working_day(date(2026, 12, 31))
    assert CAL.is_working_day(date(2026, 1, 12))
    assert not CAL.is_working_day(date(2026, 3, 9))  # 8 March falls on a Sunday
    assert not CAL.is_working_day(date(2026, 5, 11))  # 9 May falls on a Saturday


def test_ordinary_week_has_lunch() -> None:
    assert CAL.day_hours(date(2025, 10, 15)) == DayHours(time(9), time(18), (time(13), time(14)))
    assert CAL.day_hours(date(2025, 10, 18)) is None


@pytest.mark.parametrize(
    ("saturday", "shortened"),
    [
        (date(2025, 11, 1), True),  # instead of Mon 3 Nov, the eve of 4 November
        (date(2024, 11, 2), True),  # instead of Tue 30 Apr, the eve of 1 May
        (date(2024, 4, 27), False),  # instead of Mon 29 Apr: not an eve
        (date(2024, 12, 28), False),  # instead of Mon 30 Dec: 31 Dec is no art. 112 holiday
        (date(2027, 2, 20), True),  # instead of Mon 22 Feb, the eve of 23 February
    ],
)
def test_working_saturdays_take_over_the_shortening_of_the_weekday_they_replace(
    saturday: date, shortened: bool
) -> None:
    production = production_calendar()
    assert production.is_transferred_working_day(saturday)
    assert production.is_pre_holiday(saturday) is shortened
    hours = DayHours(time(9), time(17 if shortened else 18), (time(13), time(14)))
    assert CAL.day_hours(saturday) == hours
    if shortened:
        assert "кануна праздника" in (production.shortening(saturday) or "")


def test_2024_norm_is_1979_hours_with_the_derived_short_saturday() -> None:
    start, end = datetime(2024, 1, 1, tzinfo=MOSCOW), datetime(2025, 1, 1, tzinfo=MOSCOW)
    assert sum(CAL.is_working_day(d) for d in _days(2024)) == 248
    # 248 × 8 − 5 (22 Feb, 7 Mar, 8 May, 11 Jun, Saturday 2 Nov): Минтруд's 2024 calendar.
    assert CAL.working_time_between(start, end) == timedelta(hours=1979)


def test_year_status_from_the_package() -> None:
    production = ProductionCalendar(None)
    assert production.year_status(2025) is YearStatus.DECREE
    assert production.year_status(2027) is YearStatus.DECREE  # holidays 0.109 has the decree
    assert production.year_status(2028) is YearStatus.FORECAST
    assert not YearStatus.FORECAST.confirmed and YearStatus.OFFICIAL.confirmed
    assert "прогноз" in YearStatus.FORECAST.label


def test_a_loaded_official_year_overrides_the_package(tmp_path: Path) -> None:
    production = ProductionCalendar(tmp_path)
    calendar = Calendar.from_settings({"timezone": "Europe/Moscow"})
    calendar = Calendar(calendar.settings, production)
    monday = datetime(2026, 6, 15, 10, tzinfo=MOSCOW)
    assert calendar.due(monday, "1 рабочий день") == datetime(2026, 6, 16, 18, tzinfo=MOSCOW)
    # The real 2026 file, edited so that the override is visible: 16 June made a day off.
    data = (FIXTURES / "xmlcalendar-ru-2026.xml").read_text(encoding="utf-8")
    data = data.replace('<day d="11.03"', '<day d="06.16" t="1"/>\n    <day d="11.03"')
    save_year(tmp_path, read_official(data.encode(), "calendar.xml"))
    assert production.year_status(2026) is YearStatus.DECREE  # not re-read yet
    assert calendar.due(monday, "1 рабочий день") == datetime(2026, 6, 17, 18, tzinfo=MOSCOW)
    assert production.year_status(2026) is YearStatus.OFFICIAL
    assert production.holiday_name(date(2026, 6, 16)) == "Нерабочий день"
    assert production.year_status(2025) is YearStatus.DECREE
    assert production.official_years() == (2026,)


def test_while_held_the_calendar_counts_as_it_was_and_sees_a_change_after(
    tmp_path: Path,
) -> None:
    production = ProductionCalendar(tmp_path)
    calendar = Calendar(Calendar.from_settings({"timezone": "Europe/Moscow"}).settings, production)
    monday = datetime(2026, 6, 15, 10, tzinfo=MOSCOW)
    data = (FIXTURES / "xmlcalendar-ru-2026.xml").read_text(encoding="utf-8")
    data = data.replace('<day d="11.03"', '<day d="06.16" t="1"/>\n    <day d="11.03"')
    with production.holding():  # one page's rows: the folder is not looked at per row
        save_year(tmp_path, read_official(data.encode(), "calendar.xml"))
        assert calendar.due(monday, "1 рабочий день") == datetime(2026, 6, 16, 18, tzinfo=MOSCOW)
    assert calendar.due(monday, "1 рабочий день") == datetime(2026, 6, 17, 18, tzinfo=MOSCOW)
