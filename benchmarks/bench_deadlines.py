"""Deadline computations per second, against a naive minute-by-minute walk."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from engine.worktime import Calendar, parse_deadline
from engine.worktime.spec import _parse_cached

MINUTE = timedelta(minutes=1)
SPECS = (
    "30 рабочих минут",
    "8 рабочих часов",
    "5 рабочих дней",
    "8 календарных дней",
    "24 часа",
    "не позднее следующего рабочего дня",
    "за 4 рабочих часа до истечения срока",
)
# Perm 3.3 as the regulation writes it: the longest text the parser reads from scratch.
LEGAL_TEXT = (
    "не позднее чем через 8 (восьми) часов в период служебного времени с момента поступления "
    "сообщения Исполнителю"
)


def _starts(n: int, zone: ZoneInfo) -> list[datetime]:
    """Reproducible random starts over 2025–2026, at any minute of the day."""
    rng = random.Random(42)
    first = datetime(2025, 1, 1, tzinfo=zone)
    return [first + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(n)]


def _rate(func: Callable[[datetime], object], starts: list[datetime]) -> float:
    """Calls per second of func over the starts."""
    began = time.perf_counter()
    for start in starts:
        func(start)
    return len(starts) / (time.perf_counter() - began)


def naive_working_minutes(cal: Calendar, start: datetime, minutes: int) -> datetime:
    """Walk minute by minute, counting minutes the office is open (what we must never do)."""
    at = cal.next_working_moment(start)
    while minutes:
        if cal.is_working_moment(at):
            minutes -= 1
        at += MINUTE
    return at


def naive_working_days(cal: Calendar, start: datetime, days: int) -> datetime:
    """Walk minute by minute from the next midnight, counting dates with an open minute."""
    local = start.astimezone(cal.zone)
    at = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=cal.zone)
    counted, last, end = 0, None, at
    while True:
        if counted == days and at.date() != last:
            return end  # the N-th working date is over: its last open minute ended at `end`
        if cal.is_working_moment(at):
            if at.date() != last:
                counted, last = counted + 1, at.date()
            end = at + MINUTE
        at += MINUTE


def main() -> None:
    """Print deadline computations per second and the ratio to a naive minute walk."""
    cal = Calendar.from_settings({"name": "perm", "timezone": "Asia/Yekaterinburg"})
    fast_starts, slow_starts = _starts(20_000, cal.zone), _starts(60, cal.zone)
    for start in fast_starts[:2000]:  # warm the per-day cache, as a running server would have
        cal.due(start, "5 рабочих дней")
    print(f"{'deadline':<38}{'per second':>14}")
    rates = {}
    for text in SPECS:
        spec = parse_deadline(text)
        rates[text] = _rate(lambda s, spec=spec: cal.due(s, spec), fast_starts)
        print(f"{text:<38}{rates[text]:>14,.0f}")
    parse_rate = _rate(lambda _: parse_deadline("8 рабочих часов"), fast_starts)
    print(f"{'parse only (cached)':<38}{parse_rate:>14,.0f}")
    uncached = _rate(lambda _: _parse_cached.__wrapped__(LEGAL_TEXT), fast_starts)
    print(f"{'parse Perm 3.3 as written (uncached)':<38}{uncached:>14,.0f}")
    print()
    naive = {
        "8 рабочих часов": lambda s: naive_working_minutes(cal, s, 8 * 60),
        "5 рабочих дней": lambda s: naive_working_days(cal, s, 5),
    }
    for text, walk in naive.items():
        assert all(walk(s) == cal.due(s, text) for s in slow_starts[:20]), text
        slow = _rate(walk, slow_starts)
        print(f"{text}: calendar {rates[text]:,.0f}/s, minute walk {slow:,.0f}/s, "
              f"×{rates[text] / slow:,.0f} faster")  # fmt: skip


if __name__ == "__main__":
    main()
