"""Properties of working-time arithmetic, on a plain zone and on a zone with DST."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.worktime import Calendar

CALENDARS = [
    Calendar.from_settings({"timezone": "Asia/Kamchatka"}),
    # Russia has no DST; Berlin does, so the arithmetic is checked across both switches.
    Calendar.from_settings({"timezone": "Europe/Berlin", "calendar": {"lunch": None}}),
    Calendar.from_settings(
        {
            "timezone": "Europe/Moscow",
            "calendar": {
                "office_hours": {"mon": {"hours": "08:30-17:15", "lunch": "12:00-12:45"}},
                "overrides": {"hours": [{"date": "2025-12-30", "hours": "09:00-12:00"}]},
            },
        }
    ),
]
PROFILE = settings(max_examples=300, deadline=None, database=None)

calendars = st.sampled_from(CALENDARS)
naive_moments = st.datetimes(min_value=datetime(2024, 12, 1), max_value=datetime(2026, 12, 1))
minutes = st.integers(min_value=1, max_value=60 * 8 * 25)
durations = minutes.map(lambda m: timedelta(minutes=m))
seconds = st.integers(min_value=0, max_value=3600 * 30).map(lambda s: timedelta(seconds=s))


def _aware(calendar: Calendar, naive: datetime) -> datetime:
    """A real instant in the calendar's zone (skipped wall times are shifted by fold rules)."""
    zone = ZoneInfo(calendar.settings.timezone)
    return naive.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")).astimezone(zone)


def _within_office_hours(calendar: Calendar, moment: datetime) -> bool:
    day = moment.astimezone(calendar.zone).date()
    return any(a <= moment <= b for a, b in calendar.intervals(day))


@PROFILE
@given(calendars, naive_moments, durations)
def test_adding_working_time_lands_in_office_hours(cal: Calendar, naive: datetime, d: timedelta):
    due = cal.add(_aware(cal, naive), d)
    assert _within_office_hours(cal, due)
    assert str(due.tzinfo) == cal.settings.timezone


@PROFILE
@given(calendars, naive_moments, durations, durations)
def test_adding_a_then_b_is_adding_a_plus_b(
    cal: Calendar, naive: datetime, a: timedelta, b: timedelta
) -> None:
    start = _aware(cal, naive)
    assert cal.add(cal.add(start, a), b) == cal.add(start, a + b)


@PROFILE
@given(calendars, naive_moments, st.one_of(durations, seconds))
def test_working_time_to_the_deadline_is_the_duration(
    cal: Calendar, naive: datetime, d: timedelta
) -> None:
    start = _aware(cal, naive)
    due = cal.add(start, d)
    assert cal.working_time_between(start, due) == d
    assert cal.working_time_between(due, start) == -d


@PROFILE
@given(calendars, naive_moments, st.integers(min_value=1, max_value=30), st.booleans())
def test_day_counted_periods_end_at_closing_of_a_later_working_day(
    cal: Calendar, naive: datetime, days: int, working: bool
) -> None:
    start = _aware(cal, naive)
    due = cal.add_days(start, days, working=working)
    day = due.astimezone(cal.zone).date()
    assert day > start.astimezone(cal.zone).date()
    assert cal.intervals(day)[-1][1] == due
    if working:
        assert cal.add_days(start, days + 1) > due


@PROFILE
@given(calendars, naive_moments, seconds)
def test_calendar_time_is_elapsed_time(cal: Calendar, naive: datetime, d: timedelta) -> None:
    start = _aware(cal, naive)
    assert cal.add(start, d, working=False) - start == d
