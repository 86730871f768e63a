"""Days a day term has left, counted on local dates (working days, calendar days, DST)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from engine.worktime import Calendar
from engine.worktime.remaining import whole_days

MOSCOW = ZoneInfo("Europe/Moscow")
CAL = Calendar.from_settings({"timezone": "Europe/Moscow"})


def test_working_days_left_count_the_days_after_today_up_to_the_due_date() -> None:
    now = datetime(2026, 12, 1, 10, tzinfo=MOSCOW)  # Tuesday
    due = datetime(2026, 12, 8, 18, tzinfo=MOSCOW)  # next Tuesday: Wed Thu Fri Mon Tue
    assert whole_days(CAL, now, due, working=True) == 5
    assert whole_days(CAL, now, due, working=False) == 7
    today = datetime(2026, 12, 1, 18, tzinfo=MOSCOW)
    assert whole_days(CAL, now, today, working=True) == 0  # due today: hours, not days


def test_overdue_days_count_only_the_days_wholly_passed() -> None:
    due = datetime(2026, 12, 8, 18, tzinfo=MOSCOW)  # Tuesday
    assert whole_days(CAL, datetime(2026, 12, 8, 20, tzinfo=MOSCOW), due, working=True) == 0
    assert whole_days(CAL, datetime(2026, 12, 9, 10, tzinfo=MOSCOW), due, working=True) == 0
    assert whole_days(CAL, datetime(2026, 12, 11, 10, tzinfo=MOSCOW), due, working=True) == -2
    # Saturday and Sunday are not working days: by Monday morning Wed, Thu and Fri have passed.
    late = datetime(2026, 12, 14, 10, tzinfo=MOSCOW)
    assert whole_days(CAL, late, due, working=True) == -3
    assert whole_days(CAL, late, due, working=False) == -5


def test_days_follow_the_local_date_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    calendar = Calendar.from_settings({"timezone": "Europe/Berlin"})
    now = datetime(2026, 3, 28, 0, 30, tzinfo=berlin)  # 27.03 23:30 UTC
    due = datetime(2026, 3, 30, 0, 30, tzinfo=berlin)  # 47 hours later: clocks went forward
    assert whole_days(calendar, now, due, working=False) == 2
    assert whole_days(calendar, now, due, working=True) == 1  # Monday only


def test_days_use_the_municipalitys_date_not_utcs() -> None:
    kamchatka = ZoneInfo("Asia/Kamchatka")
    calendar = Calendar.from_settings({"timezone": "Asia/Kamchatka"})
    now = datetime(2026, 12, 1, 23, tzinfo=ZoneInfo("UTC"))  # Wednesday 11:00 in Palana
    due = datetime(2026, 12, 3, 18, tzinfo=kamchatka)  # Thursday
    assert whole_days(calendar, now, due, working=True) == 1
