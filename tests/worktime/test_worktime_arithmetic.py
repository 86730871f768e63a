"""Working-time arithmetic: office hours, lunch, overrides, DST, and the Civil Code day rules."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.worktime import Calendar, CalendarError, DayHours

YEKT = ZoneInfo("Asia/Yekaterinburg")
BERLIN = ZoneInfo("Europe/Berlin")
CAL = Calendar.from_settings({"name": "perm", "timezone": "Asia/Yekaterinburg"})


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=YEKT)  # type: ignore[misc]


def test_minutes_run_from_the_moment_itself() -> None:
    assert CAL.add(at(2025, 10, 15, 10, 7), timedelta(minutes=30)) == at(2025, 10, 15, 10, 37)


def test_start_outside_office_hours_counts_from_the_next_working_moment() -> None:
    assert CAL.add(at(2025, 10, 15, 7, 0), timedelta(hours=1)) == at(2025, 10, 15, 10, 0)
    assert CAL.add(at(2025, 10, 15, 13, 30), timedelta(hours=1)) == at(2025, 10, 15, 15, 0)
    assert CAL.next_working_moment(at(2025, 10, 18, 12)) == at(2025, 10, 20, 9)
    assert CAL.next_working_moment(at(2025, 10, 20, 9, 5)) == at(2025, 10, 20, 9, 5)


def test_time_ending_exactly_at_lunch_ends_at_lunch() -> None:
    assert CAL.add(at(2025, 10, 15, 9), timedelta(hours=4)) == at(2025, 10, 15, 13)


def test_zero_duration_is_the_start_and_negative_is_refused() -> None:
    start = at(2025, 10, 18, 3)
    assert CAL.add(start, timedelta(0)) == start
    with pytest.raises(CalendarError, match="negative"):
        CAL.add(start, timedelta(minutes=-1))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(CalendarError, match="naive"):
        CAL.due(datetime(2025, 10, 15, 10), "1 рабочий час")
    with pytest.raises(CalendarError, match="naive"):
        CAL.is_working_moment(datetime(2025, 10, 15, 10))


def test_is_working_moment_includes_opening_and_excludes_closing() -> None:
    assert CAL.is_working_moment(at(2025, 10, 15, 9))
    assert not CAL.is_working_moment(at(2025, 10, 15, 13))
    assert CAL.is_working_moment(at(2025, 10, 15, 14))
    assert not CAL.is_working_moment(at(2025, 10, 15, 18))
    assert CAL.is_working_moment(datetime(2025, 10, 15, 4, tzinfo=UTC))  # 09:00 in Perm


def test_working_time_between() -> None:
    assert CAL.working_time_between(at(2025, 10, 17, 17), at(2025, 10, 20, 10)) == timedelta(
        hours=2
    )
    assert CAL.working_time_between(at(2025, 10, 15, 12), at(2025, 10, 15, 15)) == timedelta(
        hours=2
    )
    assert CAL.working_time_between(at(2025, 10, 18), at(2025, 10, 19, 23)) == timedelta(0)


def test_end_of_working_day() -> None:
    assert CAL.end_of_working_day(at(2025, 10, 15, 7)) == at(2025, 10, 15, 18)
    assert CAL.end_of_working_day(at(2025, 10, 15, 17, 59)) == at(2025, 10, 15, 18)
    assert CAL.end_of_working_day(at(2025, 10, 15, 18)) == at(2025, 10, 16, 18)
    assert CAL.end_of_working_day(at(2025, 12, 30, 19)) == at(2026, 1, 12, 18)


def test_civil_code_days_start_the_next_day_and_skip_days_off() -> None:
    # Art. 191: the event's own day does not count, even at 08:00.
    assert CAL.due(at(2025, 10, 15, 8), "1 рабочий день") == at(2025, 10, 16, 18)
    # Art. 193: 8 calendar days from 28 Dec 2025 end on 5 Jan (off) → first working day, 12 Jan.
    assert CAL.due(at(2025, 12, 28, 12), "8 календарных дней") == at(2026, 1, 12, 18)
    # A last day that is a shortened eve ends at 17:00 (art. 194 with art. 95).
    assert CAL.due(at(2025, 6, 3, 12), "8 календарных дней") == at(2025, 6, 11, 17)
    with pytest.raises(CalendarError):
        CAL.add_days(at(2025, 6, 3), 0)


def test_results_are_in_the_municipality_zone_whatever_the_input_zone() -> None:
    start = datetime(2025, 10, 15, 10, tzinfo=ZoneInfo("America/New_York"))  # 19:00 in Perm
    due = CAL.due(start, "1 рабочий час")
    assert due == at(2025, 10, 16, 10)
    assert due.tzinfo == YEKT


def test_dst_switches_do_not_shift_deadlines() -> None:
    berlin = Calendar.from_settings({"timezone": "Europe/Berlin"})
    friday = datetime(2025, 3, 28, 17, tzinfo=BERLIN)  # CET; Monday is CEST
    due = berlin.add(friday, timedelta(hours=2))
    assert due == datetime(2025, 3, 31, 10, tzinfo=BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
    assert berlin.working_time_between(friday, due) == timedelta(hours=2)
    # Calendar hours are elapsed hours: 24 h across the spring switch is 13:00 by the wall clock.
    saturday = datetime(2025, 3, 29, 12, tzinfo=BERLIN)
    assert berlin.due(saturday, "24 часа") == datetime(2025, 3, 30, 13, tzinfo=BERLIN)


def _custom(calendar: dict[str, object]) -> Calendar:
    return Calendar.from_settings({"timezone": "Europe/Moscow", "calendar": calendar})


def test_overrides_extra_day_off_regional_holiday_extra_working_day_and_hours() -> None:
    cal = _custom(
        {
            "overrides": {
                "days_off": [{"date": date(2025, 10, 15), "reason": "день города"}],
                "holidays": [{"date": "2025-10-21", "reason": "региональный праздник"}],
                "working_days": [
                    {"date": "2025-10-25"},
                    {"date": "2025-10-26", "hours": "10:00-15:00"},
                ],
                "hours": [{"date": "2025-10-28", "hours": "09:00-16:00", "lunch": None}],
            }
        }
    )  # fmt: skip
    assert not cal.is_working_day(date(2025, 10, 15))
    assert not cal.is_working_day(date(2025, 10, 21))
    assert cal.day_hours(date(2025, 10, 20)) == DayHours(time(9), time(17), (time(13), time(14)))
    assert cal.day_hours(date(2025, 10, 25)) == DayHours(time(9), time(18), (time(13), time(14)))
    assert cal.day_hours(date(2025, 10, 26)) == DayHours(time(10), time(15), (time(13), time(14)))
    assert cal.day_hours(date(2025, 10, 28)) == DayHours(time(9), time(16))


def test_weekday_hours_and_shortening_across_lunch() -> None:
    cal = _custom(
        {
            "office_hours": {
                "mon": "08:00-17:00",
                "fri": {"hours": "09:00-14:30", "lunch": None},
                "sat": "10:00-13:00",
            },
            "pre_holiday_shortening_minutes": 120,
        }
    )
    assert cal.day_hours(date(2025, 10, 13)) == DayHours(time(8), time(17), (time(13), time(14)))
    assert cal.day_hours(date(2025, 10, 17)) == DayHours(time(9), time(14, 30))
    assert cal.day_hours(date(2025, 10, 14)) is None  # Tuesday not listed → closed
    # The default lunch (13:00–14:00) falls outside Saturday's hours, so it is dropped.
    assert cal.day_hours(date(2025, 10, 18)) == DayHours(time(10), time(13))
    assert cal.day_hours(date(2025, 11, 8)) is not None  # an ordinary Saturday in a 6-day office
    assert cal.day_hours(date(2025, 11, 4)) is None  # a holiday even for that office
    assert cal.day_hours(date(2026, 4, 30)) is None  # an eve, but Thursday is closed here
    assert cal.day_hours(date(2025, 3, 7)) == DayHours(time(9), time(12, 30))  # 14:30 − 2 h


def test_shortening_that_eats_the_afternoon_cuts_into_the_morning() -> None:
    cal = _custom({"office_hours": {"fri": "09:00-14:30"}, "pre_holiday_shortening_minutes": 60})
    # Friday 7 March 2025: 09:00–13:00 and 14:00–14:30, an hour less → 09:00–12:30.
    assert cal.day_hours(date(2025, 3, 7)) == DayHours(time(9), time(12, 30))


def test_calendar_with_no_working_days_raises_instead_of_looping() -> None:
    cal = _custom({"office_hours": {}})  # only transferred Saturdays would be worked
    assert cal.due(datetime(2025, 1, 1, tzinfo=UTC), "1 рабочий час").date() == date(2025, 11, 1)
    with pytest.raises(CalendarError, match="ten years"):
        cal.due(datetime(2028, 1, 1, tzinfo=UTC), "1 рабочий час")
