"""Every deadline of the five regulations, from awkward starts, on any server time zone."""

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.worktime import load_calendar

PROCESSES = Path(__file__).resolve().parents[2] / "processes"

# Starts, in the municipality's local time:
#   fri  — Friday evening after hours (17 Oct 2025, 17:30 — half an hour before closing);
#   eve  — the eve of Russia Day, shortened to 17:00 (11 Jun 2025; 12–15 June off);
#   lunch — during the lunch break (Wed 15 Oct 2025, 13:20);
#   night — at night (Wed 15 Oct 2025, 02:00);
#   sat  — the transferred working Saturday, shortened to 17:00 (1 Nov 2025; 2–4 Nov off).
STARTS = {
    "fri": datetime(2025, 10, 17, 17, 30),
    "eve": datetime(2025, 6, 11, 16, 30),
    "lunch": datetime(2025, 10, 15, 13, 20),
    "night": datetime(2025, 10, 15, 2, 0),
    "sat": datetime(2025, 11, 1, 16, 0),
}
KEYS = list(STARTS)


def _d(text: str) -> datetime:
    """'MM-DD HH:MM' in 2025 (every case of the table falls in 2025)."""
    return datetime.strptime(f"2025-{text}", "%Y-%m-%d %H:%M")


# (municipality, clause, deadline text, expected due per start in KEYS order)
TABLE: list[tuple[str, str, str, list[str]]] = [
    # Chaykovsky: plain hours; the working reading is checked too (a per-regulation setting).
    ("chaykovsky", "п.2,4", "в течение 2-х часов",
     ["10-17 19:30", "06-11 18:30", "10-15 15:20", "10-15 04:00", "11-01 18:00"]),
    ("chaykovsky", "п.3", "в течение 8 часов",
     ["10-18 01:30", "06-12 00:30", "10-15 21:20", "10-15 10:00", "11-02 00:00"]),
    ("chaykovsky", "п.2,4 working", "2 рабочих часа",
     ["10-20 10:30", "06-16 10:30", "10-15 16:00", "10-15 11:00", "11-05 10:00"]),
    ("chaykovsky", "п.3 working", "8 рабочих часов",
     ["10-20 17:30", "06-16 17:30", "10-16 13:00", "10-15 18:00", "11-05 17:00"]),
    # Palana
    ("palana", "п.10 curator", "в течение рабочего дня",
     ["10-17 18:00", "06-11 17:00", "10-15 18:00", "10-15 18:00", "11-01 17:00"]),
    ("palana", "п.10 official", "не более 2 рабочих дней",
     ["10-21 18:00", "06-17 18:00", "10-17 18:00", "10-17 18:00", "11-06 18:00"]),
    ("palana", "п.11", "не позднее 5 рабочих дней",
     ["10-24 18:00", "06-20 18:00", "10-22 18:00", "10-22 18:00", "11-11 18:00"]),
    ("palana", "п.12", "до 7 рабочих дней",
     ["10-28 18:00", "06-24 18:00", "10-24 18:00", "10-24 18:00", "11-13 18:00"]),
    # Myasnikovsky
    ("myasnikovsky", "п.7,10", "в течение 30 минут",
     ["10-17 18:00", "06-11 17:00", "10-15 13:50", "10-15 02:30", "11-01 16:30"]),
    ("myasnikovsky", "п.8", "не позднее 24 часов",
     ["10-18 17:30", "06-12 16:30", "10-16 13:20", "10-16 02:00", "11-02 16:00"]),
    # Perm
    ("perm", "3.1", "в течение 1 часа",
     ["10-17 18:30", "06-11 17:30", "10-15 14:20", "10-15 03:00", "11-01 17:00"]),
    ("perm", "3.2.1, 3.7", "не позднее чем через 4 часа",
     ["10-17 21:30", "06-11 20:30", "10-15 17:20", "10-15 06:00", "11-01 20:00"]),
    ("perm", "3.2.2", "не позднее чем через 48 часов",
     ["10-19 17:30", "06-13 16:30", "10-17 13:20", "10-17 02:00", "11-03 16:00"]),
    ("perm", "3.3", "не позднее чем через 8 часов в период служебного времени",
     ["10-20 17:30", "06-16 17:30", "10-16 13:00", "10-15 18:00", "11-05 17:00"]),
    ("perm", "3.4", "не позднее чем через 8 календарных дней",
     ["10-27 18:00", "06-19 18:00", "10-23 18:00", "10-23 18:00", "11-10 18:00"]),
    ("perm", "3.5", "не позднее чем через 30 минут",
     ["10-17 18:00", "06-11 17:00", "10-15 13:50", "10-15 02:30", "11-01 16:30"]),
    ("perm", "3.6", "24 часа",
     ["10-18 17:30", "06-12 16:30", "10-16 13:20", "10-16 02:00", "11-02 16:00"]),
    # Elets
    ("elets", "п.3", "не позднее 8 часов",
     ["10-18 01:30", "06-12 00:30", "10-15 21:20", "10-15 10:00", "11-02 00:00"]),
    ("elets", "п.4,7,8", "в течение 30 рабочих минут",
     ["10-17 18:00", "06-11 17:00", "10-15 14:30", "10-15 09:30", "11-01 16:30"]),
    ("elets", "п.5", "в течение 1 рабочего часа",
     ["10-20 09:30", "06-16 09:30", "10-15 15:00", "10-15 10:00", "11-01 17:00"]),
    ("elets", "п.6", "в течение 6 рабочих часов",
     ["10-20 15:30", "06-16 15:30", "10-16 11:00", "10-15 16:00", "11-05 15:00"]),
    ("elets", "п.9", "не более 7 рабочих дней",
     ["10-28 18:00", "06-24 18:00", "10-24 18:00", "10-24 18:00", "11-13 18:00"]),
]  # fmt: skip

CASES = [
    pytest.param(town, text, key, expected[i], id=f"{town}-{clause}-{key}")
    for town, clause, text, expected in TABLE
    for i, key in enumerate(KEYS)
]


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Kamchatka"])
def server_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test with the process in another time zone; restore it afterwards."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.mark.parametrize(("town", "text", "key", "expected"), CASES)
def test_regulation_deadline(server_tz: str, town: str, text: str, key: str, expected: str) -> None:
    calendar = load_calendar(town, PROCESSES)
    zone = ZoneInfo(calendar.settings.timezone)
    start = STARTS[key].replace(tzinfo=zone)
    due = calendar.due(start.astimezone(UTC), text)  # the engine stores UTC; results are local
    assert due == _d(expected).replace(tzinfo=zone)
    assert due.tzinfo is not None and due.utcoffset() == start.utcoffset()
    assert str(due.tzinfo) == calendar.settings.timezone


def test_palana_runs_on_kamchatka_time_while_the_server_is_in_utc(server_tz: str) -> None:
    palana = load_calendar("palana", PROCESSES)
    # 04:30 UTC is 16:30 in Palana on the eve of Russia Day: half an hour of the day is left.
    start = datetime(2025, 6, 11, 4, 30, tzinfo=UTC)
    assert palana.due(start, "в течение рабочего дня").isoformat() == "2025-06-11T17:00:00+12:00"
    assert palana.due(start, "5 рабочих дней").isoformat() == "2025-06-20T18:00:00+12:00"
    # The same instant is 07:30 in Elets: the office has not opened yet.
    elets = load_calendar("elets", PROCESSES)
    assert elets.due(start, "в течение рабочего дня").isoformat() == "2025-06-11T17:00:00+03:00"
    assert elets.due(start, "1 рабочий час").isoformat() == "2025-06-11T10:00:00+03:00"
    # A Friday-night message in Kamchatka is Friday morning UTC; the Palana clock still rules.
    friday = datetime(2025, 10, 17, 9, 0, tzinfo=UTC)  # 21:00 in Palana
    assert palana.due(friday, "2 рабочих дня").isoformat() == "2025-10-21T18:00:00+12:00"
    assert palana.due(friday, "в течение рабочего дня").isoformat() == "2025-10-20T18:00:00+12:00"
