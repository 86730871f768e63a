"""Time left as staff think of it: the term's own unit, the due moment, never «0 мин» late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import flask_babel
import pytest
from flask import Flask

from engine.worktime import RemainingTime, TrafficLight
from web.i18n import (
    DATE,
    DATE_TIME,
    SHORT_DATE_TIME,
    day,
    deadline_words,
    gettext,
    ngettext,
    short_when,
    time_left,
    when,
)

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


@pytest.mark.parametrize("zone", ["Europe/Moscow", "Asia/Vladivostok", "Europe/Berlin"])
def test_dates_are_written_as_babel_writes_their_patterns(app: Flask, zone: str) -> None:
    # `when`, `day` and `short_when` write Babel's patterns by hand (speed); every zone,
    # a summer-time change and a naive moment (read as UTC) give Babel's own text.
    moments = [
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        datetime(2026, 12, 31, 21, 5, tzinfo=UTC),
        datetime(2026, 1, 1, 23, 59),  # naive
        datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=5))),
    ]
    with app.test_request_context("/"):
        flask_babel.get_babel().timezone_selector = lambda: zone
        flask_babel.refresh()
        for moment in moments:
            assert when(moment) == flask_babel.format_datetime(moment, DATE_TIME)
            assert day(moment) == flask_babel.format_datetime(moment, DATE)
            assert short_when(moment) == flask_babel.format_datetime(moment, SHORT_DATE_TIME)
        if zone == "Asia/Vladivostok":  # the zone is the selector's, not the default one
            assert when(moments[3]) == "01.01.2027 07:05"
    assert when(None) == day(None) == short_when(None) == "—"


@pytest.mark.usefixtures("speak")
@pytest.mark.parametrize("num", [0, 1, 2, 5, 11, 21, 22])
def test_the_request_catalog_words_as_flask_babel(num: int) -> None:
    # web.i18n keeps the request's catalog itself (speed); the words are Flask-Babel's.
    singular, plural = "%(num)d working day left", "%(num)d working days left"
    assert ngettext(singular, plural, num) == flask_babel.ngettext(singular, plural, num)
    phrase = "%(time)s left"
    assert gettext(phrase, time="2 ч") == flask_babel.gettext(phrase, time="2 ч")
    assert gettext("no deadline") == flask_babel.gettext("no deadline") == "без срока"
