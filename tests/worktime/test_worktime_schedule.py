"""Schedules of periodic duties: the forms read, and occurrences over the production calendar."""

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from engine.worktime import Calendar
from engine.worktime.schedule import (
    Period,
    ScheduleError,
    ScheduleRule,
    next_occurrence,
    occurrences,
    parse_schedule,
)
from engine.worktime.schedule_cli import schedule_command

YEKT = ZoneInfo("Asia/Yekaterinburg")
CAL = Calendar.from_settings({"name": "perm", "timezone": "Asia/Yekaterinburg"})


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=YEKT)  # type: ignore[misc]


def moments(text: str, after: datetime, until: datetime) -> list[datetime]:
    return [m.astimezone(YEKT) for m in occurrences(parse_schedule(text), CAL, after, until)]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("каждый рабочий день в 09:00", ScheduleRule(Period.DAY, at=time(9))),
        ("Ежедневно по рабочим дням в 9.30.", ScheduleRule(Period.DAY, at=time(9, 30))),
        ("ежедневно в 10:00", ScheduleRule(Period.DAY, working=False, at=time(10))),
        ("еженедельно", ScheduleRule(Period.WEEK)),
        ("еженедельно, во второй рабочий день недели", ScheduleRule(Period.WEEK, ordinal=2)),
        ("каждый понедельник в 10:00", ScheduleRule(Period.WEEK, weekdays=(0,), at=time(10))),
        ("еженедельно по вторникам и четвергам", ScheduleRule(Period.WEEK, weekdays=(1, 3))),
        ("еженедельно, в среду", ScheduleRule(Period.WEEK, weekdays=(2,))),
        ("ежемесячно", ScheduleRule(Period.MONTH)),
        ("ежемесячно, в 3-й рабочий день", ScheduleRule(Period.MONTH, ordinal=3)),
        ("ежемесячно, до 5-го рабочего дня", ScheduleRule(Period.MONTH, by_working_day=5)),
        (
            "«ежемесячно, не позднее пятого рабочего дня»",
            ScheduleRule(Period.MONTH, by_working_day=5),
        ),
    ],
)
def test_schedules_are_read_as_regulations_word_them(text: str, rule: ScheduleRule) -> None:
    assert parse_schedule(text) == rule
    assert parse_schedule(parse_schedule(text).describe()) == rule  # what staff see reads back


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "пустая периодичность"),
        ("ежеквартально", "«ежеквартально» пока не поддерживается"),
        ("каждый час", "не найдена периодичность"),
        ("каждый рабочий день в 25:00", "нет такого времени 25:00"),
        ("ежемесячно, в 40-й рабочий день", "непонятный порядковый номер"),
        ("ежемесячно, по вечерам", "непонятно «по вечерам»"),
    ],
)
def test_a_schedule_not_read_is_refused_listing_the_accepted_forms(text: str, reason: str) -> None:
    with pytest.raises(ScheduleError, match=reason) as refused:
        parse_schedule(text)
    assert "Принимаются: «каждый рабочий день в 09:00»" in str(refused.value)


def test_working_days_skip_the_may_holidays() -> None:
    # 1–3 and 9–11 May 2026 are days off; 30 April is shortened, but the duty still starts at 9.
    found = moments("каждый рабочий день в 09:00", at(2026, 4, 29, 12), at(2026, 5, 13, 23))
    assert [m.day for m in found] == [30, 4, 5, 6, 7, 8, 12, 13]
    assert found[0] == at(2026, 4, 30, 9)


def test_the_new_year_holidays_have_no_occurrences() -> None:
    # 31 December 2025 was moved to a day off; 1–11 January 2026 are the New Year holidays.
    found = moments("каждый рабочий день в 09:00", at(2025, 12, 29, 12), at(2026, 1, 13, 23))
    assert found == [at(2025, 12, 30, 9), at(2026, 1, 12, 9), at(2026, 1, 13, 9)]


def test_calendar_days_include_holidays_and_weekends() -> None:
    found = moments("ежедневно в 10:00", at(2026, 5, 1), at(2026, 5, 3, 23))
    assert found == [at(2026, 5, 1, 10), at(2026, 5, 2, 10), at(2026, 5, 3, 10)]


def test_a_week_without_working_days_is_skipped() -> None:
    found = moments("еженедельно", at(2025, 12, 29, 12), at(2026, 1, 20))
    assert found == [at(2026, 1, 12, 9), at(2026, 1, 19, 9)]  # the office opening, no time given


def test_a_named_weekday_off_moves_to_the_next_working_day() -> None:
    found = moments("каждый понедельник в 10:00", at(2026, 4, 27, 12), at(2026, 5, 19))
    assert found == [at(2026, 5, 4, 10), at(2026, 5, 12, 10), at(2026, 5, 18, 10)]


def test_monthly_starts_on_the_first_working_day_of_the_month() -> None:
    found = moments("ежемесячно", at(2025, 12, 15), at(2026, 5, 31))
    assert [m.date().isoformat() for m in found] == [
        "2026-01-12",
        "2026-02-02",
        "2026-03-02",
        "2026-04-01",
        "2026-05-04",
    ]


def test_a_month_without_that_many_working_days_is_skipped() -> None:
    found = moments("ежемесячно, в 20-й рабочий день", at(2026, 1, 1), at(2026, 5, 1))
    assert found == [at(2026, 3, 30, 9), at(2026, 4, 28, 9)]  # January has 15, February 19


def test_occurrences_are_strictly_after_and_up_to_including() -> None:
    rule = parse_schedule("каждый рабочий день в 09:00")
    nine = at(2026, 3, 16, 9)
    assert list(occurrences(rule, CAL, nine, nine)) == []
    assert list(occurrences(rule, CAL, at(2026, 3, 16, 8, 59), nine)) == [nine.astimezone(UTC)]


def test_the_wall_time_is_the_municipality_s() -> None:
    rule = parse_schedule("каждый рабочий день в 09:00")
    following = next_occurrence(rule, CAL, at(2026, 3, 13, 9))  # Friday → Monday
    assert following == datetime(2026, 3, 16, 4, 0, tzinfo=UTC)
    assert following.tzinfo is UTC


PROCESSES = str(Path(__file__).resolve().parents[2] / "processes")


def test_the_command_prints_the_next_occurrences_in_the_municipality_s_zone() -> None:
    result = CliRunner().invoke(
        schedule_command,
        ["-m", "chaykovsky", "--from", "2026-05-07T18:00", "--processes-dir", PROCESSES,
         "-n", "2", "каждый рабочий день"],
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.output.splitlines()[1:] == [
        "2026-05-08T09:00:00+05:00",
        "2026-05-12T09:00:00+05:00",
    ]


def test_the_command_refuses_a_schedule_it_cannot_read() -> None:
    result = CliRunner().invoke(
        schedule_command,
        ["-m", "perm", "--from", "2026-05-07T18:00", "--processes-dir", PROCESSES, "ежеквартально"],
    )
    assert result.exit_code == 1
    assert "Не удалось прочитать периодичность «ежеквартально»" in result.output
