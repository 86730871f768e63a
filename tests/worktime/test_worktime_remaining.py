"""Remaining time and the traffic light of the task list."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.worktime import Calendar, RemainingTime, TrafficLight, remaining

PERM = ZoneInfo("Asia/Yekaterinburg")
CAL = Calendar.from_settings({"timezone": "Asia/Yekaterinburg"})
START = datetime(2025, 10, 15, 10, tzinfo=PERM)  # Wednesday
DUE = CAL.due(START, "8 рабочих часов")  # Thursday 10:00


def test_plenty_of_time() -> None:
    left = remaining(CAL, START, DUE, datetime(2025, 10, 15, 12, tzinfo=PERM))
    assert left == RemainingTime(timedelta(hours=6), timedelta(hours=8), TrafficLight.PLENTY)
    assert left.fraction_left == 0.75


def test_night_does_not_count_and_under_a_quarter_is_low() -> None:
    at_night = remaining(CAL, START, DUE, datetime(2025, 10, 16, 3, tzinfo=PERM))
    assert at_night.left == timedelta(hours=1) and at_night.state is TrafficLight.LOW


def test_overdue_counts_working_time_past_the_deadline() -> None:
    late = remaining(CAL, START, DUE, datetime(2025, 10, 16, 15, tzinfo=PERM))
    assert late.state is TrafficLight.OVERDUE
    assert late.left == -timedelta(hours=4)
    assert late.fraction_left == 0.0
    exactly = remaining(CAL, START, DUE, DUE)
    assert exactly.state is TrafficLight.OVERDUE and exactly.left == timedelta(0)


def test_calendar_deadlines_count_elapsed_time() -> None:
    due = CAL.due(START, "24 часа")
    left = remaining(CAL, START, due, START + timedelta(hours=20), working=False)
    assert left.left == timedelta(hours=4) and left.state is TrafficLight.LOW
    # Read in working time, at 22:00 only Thursday 09:00–10:00 is left of 8 office hours.
    evening = remaining(CAL, START, due, START + timedelta(hours=12))
    assert evening.state is TrafficLight.LOW and evening.left == timedelta(hours=1)
    # A calendar deadline due at night leaves no office time, yet it is not overdue.
    night_due = datetime(2025, 10, 15, 23, tzinfo=PERM)
    late = remaining(CAL, START, night_due, datetime(2025, 10, 15, 20, tzinfo=PERM))
    assert late.left == timedelta(0) and late.state is TrafficLight.LOW


def test_traffic_light_values_are_strings() -> None:
    assert [s.value for s in TrafficLight] == ["plenty", "low", "overdue"]
