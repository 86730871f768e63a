"""Properties of working-time arithmetic (plain zones and DST) and of the deadline language."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.worktime import Calendar, DeadlineSpec, DeadlineSpecError, Unit, parse_deadline
from engine.worktime.numerals import Case, spell

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
    # Elapsed time, compared in UTC: within one zone, aware subtraction is wall-clock arithmetic
    # and misses the hour a DST fall-back repeats (Europe/Berlin, 26 October 2025).
    assert cal.add(start, d, working=False).astimezone(UTC) - start.astimezone(UTC) == d


@PROFILE
@given(calendars, naive_moments, minutes)
def test_counting_back_undoes_counting_forward_on_working_moments(
    cal: Calendar, naive: datetime, m: int
) -> None:
    start = cal.next_working_moment(_aware(cal, naive))
    forward = DeadlineSpec(m, Unit.MINUTE, True)
    back = DeadlineSpec(m, Unit.MINUTE, True, before=True, anchor_phrase="срока")
    assert cal.due(cal.due(start, forward), back) == start


@PROFILE
@given(calendars, naive_moments, durations)
def test_counting_back_leaves_exactly_the_duration(
    cal: Calendar, naive: datetime, d: timedelta
) -> None:
    anchor = _aware(cal, naive)
    moment = cal.subtract(anchor, d)
    assert cal.working_time_between(moment, anchor) == d
    assert _within_office_hours(cal, moment)
    # Elapsed time, compared in UTC: aware arithmetic within one zone is wall-clock arithmetic,
    # and an ambiguous wall time (the DST fold) never equals another zone's datetime (PEP 495).
    assert cal.subtract(anchor, d, working=False).astimezone(UTC) == anchor.astimezone(UTC) - d


@PROFILE
@given(calendars, naive_moments, st.integers(min_value=1, max_value=30), st.booleans())
def test_days_counted_back_end_at_closing_of_an_earlier_working_day(
    cal: Calendar, naive: datetime, days: int, working: bool
) -> None:
    anchor = _aware(cal, naive)
    due = cal.subtract_days(anchor, days, working=working)
    day = due.astimezone(cal.zone).date()
    assert day < anchor.astimezone(cal.zone).date()
    assert cal.intervals(day)[-1][1] == due


numbers = st.integers(min_value=1, max_value=999)
cases = st.sampled_from(list(Case))


@settings(max_examples=500, deadline=None, database=None)
@given(numbers, cases, st.sampled_from(["рабочих часов", "календарных дней", "минут"]))
def test_numbers_in_words_read_as_the_digits(n: int, case: Case, rest: str) -> None:
    words = spell(n, case)
    assert parse_deadline(f"в течение {words} {rest}").amount == n
    assert parse_deadline(f"{n} ({words}) {rest}") == parse_deadline(f"{n} {rest}")


@settings(max_examples=300, deadline=None, database=None)
@given(numbers, numbers, cases)
def test_digits_and_words_that_disagree_are_refused(n: int, m: int, case: Case) -> None:
    assume(n != m)
    with pytest.raises(DeadlineSpecError, match=f"пишите «{n} \\("):
        parse_deadline(f"{n} ({spell(m, case)}) рабочих дней")


EVENTS = [
    "поступления сообщения Исполнителю",
    "выявления сообщения из открытых источников",
    "получения ответа на сообщение от Исполнителя (ей)",
    "поступления сообщения в подсистему «Система Инцидент»",
]
terms = st.builds(
    DeadlineSpec,
    numbers,
    st.sampled_from([Unit.SECOND, Unit.MINUTE, Unit.HOUR, Unit.DAY]),
    st.booleans(),
)


@st.composite
def specs(draw: st.DrawFn) -> DeadlineSpec:
    spec = draw(
        st.one_of(
            terms,
            st.sampled_from(
                [
                    DeadlineSpec(1, Unit.END_OF_WORKING_DAY, True),
                    DeadlineSpec(1, Unit.END_OF_NEXT_WORKING_DAY, True),
                ]
            ),
        )
    )
    tail = draw(st.sampled_from(["none", "from", "before"]))
    if tail == "from":
        return replace(spec, from_phrase=draw(st.sampled_from(EVENTS)))
    if tail == "before" and spec.unit in (Unit.SECOND, Unit.MINUTE, Unit.HOUR, Unit.DAY):
        anchor = draw(st.sampled_from(["срока", "срока, указанного в п. 8"]))
        return replace(spec, before=True, anchor_phrase=anchor)
    return spec


@settings(max_examples=500, deadline=None, database=None)
@given(specs())
def test_every_spec_is_described_in_russian_that_reads_back_the_same(spec: DeadlineSpec) -> None:
    assert parse_deadline(spec.describe()) == spec
