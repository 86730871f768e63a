"""Terms counted back from another deadline, and «не позднее следующего рабочего дня»."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from engine.worktime import Calendar, CalendarError, DeadlineSpec, Unit, load_calendar
from tests.conftest import PROCESSES

YEKT = ZoneInfo("Asia/Yekaterinburg")
MSK = ZoneInfo("Europe/Moscow")
CAL = Calendar.from_settings({"name": "perm", "timezone": "Asia/Yekaterinburg"})


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=YEKT)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("anchor", "text", "due"),
    [
        # Monday 09:30 minus one office hour: half an hour on Monday, half on Friday.
        (at(2025, 10, 20, 9, 30), "за 1 рабочий час до истечения срока", at(2025, 10, 17, 17, 30)),
        # Lunch does not count: 15:00 − 4 h = 14:00 → (lunch) → 13:00 − 3 h = 10:00.
        (at(2025, 10, 15, 15), "за 4 рабочих часа до истечения срока", at(2025, 10, 15, 10)),
        # Time running out exactly at opening ends there, not at the previous closing.
        (at(2025, 10, 20, 10), "за 1 рабочий час до истечения срока", at(2025, 10, 20, 9)),
        # An anchor at night counts back from the last closing.
        (at(2025, 10, 15, 2), "за 1 рабочий час до истечения срока", at(2025, 10, 14, 17)),
        # The shortened working Saturday 1 Nov 2025 closes at 17:00.
        (at(2025, 11, 5, 9, 30), "за 1 рабочий час до истечения срока", at(2025, 11, 1, 16, 30)),
        # Calendar hours are elapsed time, whatever the office hours.
        (at(2025, 10, 18, 17, 30), "за 4 часа до истечения срока", at(2025, 10, 18, 13, 30)),
        # Days: the closing of the day N working days before the anchor's day.
        (at(2025, 11, 10, 18), "за 2 рабочих дня до истечения срока", at(2025, 11, 6, 18)),
        (at(2025, 11, 10, 12), "за 1 рабочий день до истечения срока", at(2025, 11, 7, 18)),
        # Calendar days landing on a day off move back, to the shortened Saturday 1 November.
        (at(2025, 11, 5, 18), "за 3 календарных дня до истечения срока", at(2025, 11, 1, 17)),
        (at(2025, 10, 25, 10), "за 10 календарных дней до истечения срока", at(2025, 10, 15, 18)),
    ],
)
def test_counted_back_from_the_anchor(anchor: datetime, text: str, due: datetime) -> None:
    assert CAL.due(anchor, text) == due


def test_myasnikovsky_draft_is_due_4_hours_before_the_24_hour_deadline() -> None:
    """Myasnikovsky 10: the draft goes to the department 4 hours before the п. 8 deadline."""
    calendar = load_calendar("myasnikovsky", PROCESSES)
    received = datetime(2025, 10, 17, 17, 30, tzinfo=MSK)
    answer_due = calendar.due(received, "не позднее 24 часов с момента поступления от куратора")
    draft_due = calendar.due(
        answer_due,
        "не позднее чем за 4 часа до истечения срока, предусмотренного пунктом 8 настоящего "
        "Положения",
    )
    assert draft_due == datetime(2025, 10, 18, 13, 30, tzinfo=MSK)
    assert draft_due == calendar.due(received, "20 часов")  # what the diagram writes today


def test_subtract_refuses_negative_durations_and_reads_zero_as_the_anchor() -> None:
    anchor = at(2025, 10, 15, 3)
    assert CAL.subtract(anchor, timedelta(0)) == anchor
    with pytest.raises(CalendarError, match="negative"):
        CAL.subtract(anchor, timedelta(minutes=-1))
    with pytest.raises(CalendarError, match="at least 1 day"):
        CAL.subtract_days(anchor, 0)


def test_ends_of_days_cannot_be_counted_backwards() -> None:
    spec = DeadlineSpec(1, Unit.END_OF_WORKING_DAY, True, before=True)
    with pytest.raises(CalendarError, match="backwards"):
        CAL.due(at(2025, 10, 15, 12), spec)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (at(2025, 10, 15, 10), at(2025, 10, 16, 18)),  # Wednesday → end of Thursday
        (at(2025, 10, 17, 17, 30), at(2025, 10, 20, 18)),  # Friday evening → end of Monday
        (at(2025, 10, 18, 12), at(2025, 10, 20, 18)),  # a Saturday → end of Monday
        (at(2025, 10, 20, 2), at(2025, 10, 21, 18)),  # Monday night: the next day is Tuesday
        (at(2025, 10, 31, 17, 30), at(2025, 11, 1, 17)),  # the shortened working Saturday
        (at(2025, 11, 1, 16), at(2025, 11, 5, 18)),  # 2–4 November are off
    ],
)
def test_not_later_than_the_next_working_day(start: datetime, due: datetime) -> None:
    assert CAL.due(start, "не позднее следующего рабочего дня") == due
    assert CAL.due(start, "1 рабочий день") == due  # the Civil Code reading agrees
