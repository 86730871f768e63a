"""Time left as staff think of it: the term's own unit, the due moment, never «0 мин» late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from engine.worktime import RemainingTime, TrafficLight
from web.i18n import deadline_words, time_left

DUE = datetime(2026, 12, 8, 15, tzinfo=UTC)  # 18:00 in Moscow, the zone without a user


def left(
    hours: float, state: TrafficLight, days: int | None = None, working: bool = True
) -> RemainingTime:
    """A remaining time as the task list computes it."""
    return RemainingTime(timedelta(hours=hours), timedelta(hours=40), state, days, DUE, working)


@pytest.fixture
def speak(app: Flask) -> object:
    """A request context, so the Russian catalog and the zone apply."""
    with app.test_request_context("/"):
        yield


@pytest.mark.usefixtures("speak")
@pytest.mark.parametrize(
    ("remaining", "words"),
    [
        (left(40, TrafficLight.PLENTY, days=5), "осталось 5 рабочих дней (до 08.12 18:00)"),
        (left(8, TrafficLight.PLENTY, days=1), "остался 1 рабочий день (до 08.12 18:00)"),
        (left(24, TrafficLight.PLENTY, days=3), "осталось 3 рабочих дня (до 08.12 18:00)"),
        (left(72, TrafficLight.PLENTY, days=3, working=False), "осталось 3 дня (до 08.12 18:00)"),
        (left(2.5, TrafficLight.LOW, days=0), "осталось 2 ч 30 мин"),  # the due day: hours
        (left(5, TrafficLight.PLENTY), "осталось 5 ч 00 мин"),  # an hour term: hours
        (left(0, TrafficLight.LOW), "рабочего времени не осталось (срок 08.12 18:00)"),
        (left(0, TrafficLight.OVERDUE), "срок истёк 08.12 18:00"),  # never «на 0 мин»
        (left(0, TrafficLight.OVERDUE, days=0), "срок истёк 08.12 18:00"),
        (left(-1.25, TrafficLight.OVERDUE), "просрочено на 1 ч 15 мин"),
        (left(-9, TrafficLight.OVERDUE, days=-2), "просрочено на 2 рабочих дня"),
        (left(-30, TrafficLight.OVERDUE, days=-1, working=False), "просрочено на 1 день"),
        (left(-3, TrafficLight.OVERDUE, days=0), "просрочено на 3 ч 00 мин"),
    ],
)
def test_time_left_speaks_in_the_terms_unit(remaining: RemainingTime, words: str) -> None:
    assert time_left(remaining) == words


@pytest.mark.usefixtures("speak")
def test_the_light_comes_first_but_not_for_overdue() -> None:
    assert deadline_words(left(40, TrafficLight.PLENTY, days=5)).startswith("в срок · осталось 5")
    assert deadline_words(left(0, TrafficLight.OVERDUE)) == "срок истёк 08.12 18:00"
    assert time_left(None) == "без срока"
