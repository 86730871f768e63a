"""Deadline texts as the five regulations write them, in Russian and ISO 8601."""

import pytest

from engine.worktime import DeadlineSpec, DeadlineSpecError, Unit, parse_deadline, plural

W, C = True, False


@pytest.mark.parametrize(
    ("text", "amount", "unit", "working"),
    [
        ("30 рабочих минут", 30, Unit.MINUTE, W),
        ("1 рабочая минута", 1, Unit.MINUTE, W),
        ("2 рабочие минуты", 2, Unit.MINUTE, W),
        ("1 рабочий час", 1, Unit.HOUR, W),
        ("в течение 1 рабочего часа", 1, Unit.HOUR, W),
        ("8 рабочих часов", 8, Unit.HOUR, W),
        ("6 рабочих часов", 6, Unit.HOUR, W),
        ("22 рабочих часа", 22, Unit.HOUR, W),
        ("21 рабочий час", 21, Unit.HOUR, W),
        ("8 часов в период служебного времени", 8, Unit.HOUR, W),
        ("не позднее чем через 8 часов в период служебного времени", 8, Unit.HOUR, W),
        ("1 рабочий день", 1, Unit.DAY, W),
        ("2 рабочих дня", 2, Unit.DAY, W),
        ("не более 2 рабочих дней", 2, Unit.DAY, W),
        ("5 рабочих дней", 5, Unit.DAY, W),
        ("не позднее 5 рабочих дней", 5, Unit.DAY, W),
        ("до 7 рабочих дней", 7, Unit.DAY, W),
        ("8 календарных дней", 8, Unit.DAY, C),
        ("1 календарный день", 1, Unit.DAY, C),
        ("3 календарных дня", 3, Unit.DAY, C),
        ("24 часа", 24, Unit.HOUR, C),
        ("48 часов", 48, Unit.HOUR, C),
        ("2 часа", 2, Unit.HOUR, C),
        ("в течение 2-х часов", 2, Unit.HOUR, C),
        ("в течение 1 часа", 1, Unit.HOUR, C),
        ("в течение часа", 1, Unit.HOUR, C),
        ("не позднее чем через 4 часа", 4, Unit.HOUR, C),
        ("в течение 30 минут", 30, Unit.MINUTE, C),
        ("в течение суток", 24, Unit.HOUR, C),
        ("2 суток", 48, Unit.HOUR, C),
        ("полчаса", 30, Unit.MINUTE, C),
        ("в течение двух рабочих дней", 2, Unit.DAY, W),
        ("  В течение  8 ЧАСОВ. ", 8, Unit.HOUR, C),
        ("«5 рабочих дней»", 5, Unit.DAY, W),
        ("PT8H", 8, Unit.HOUR, C),
        ("pt30m", 30, Unit.MINUTE, C),
        ("PT1H30M", 90, Unit.MINUTE, C),
        ("P2D", 48, Unit.HOUR, C),
        ("P1W", 168, Unit.HOUR, C),
        ("PT45S", 45, Unit.SECOND, C),
    ],
)
def test_reads(text: str, amount: int, unit: Unit, working: bool) -> None:
    assert parse_deadline(text) == DeadlineSpec(amount, unit, working)


@pytest.mark.parametrize(
    "text",
    ["в течение рабочего дня", "В течение рабочего дня.", "до конца рабочего дня"],
)
def test_within_the_working_day(text: str) -> None:
    assert parse_deadline(text).unit is Unit.END_OF_WORKING_DAY


@pytest.mark.parametrize(
    "text",
    [
        "",
        "скоро",
        "5 рабочих лет",
        "0 рабочих часов",
        "P",
        "PT",
        "P1M",
        "P1Y",
        "PT0S",
        "8 календарных часов в период служебного времени",
        "2 рабочих дня в период служебного времени",
        "2 рабочих суток",
        "5 веселых дней",
        "в течение дня",
        "8 часов с момента",
        "1.5 часа",
    ],
)
def test_refuses_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(DeadlineSpecError) as caught:
        parse_deadline(text)
    message = str(caught.value)
    assert "Принимаются" in message
    assert "«8 рабочих часов»" in message and "PT8H" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        (DeadlineSpec(1, Unit.HOUR, W), "1 рабочий час"),
        (DeadlineSpec(2, Unit.HOUR, W), "2 рабочих часа"),
        (DeadlineSpec(11, Unit.HOUR, W), "11 рабочих часов"),
        (DeadlineSpec(21, Unit.DAY, W), "21 рабочий день"),
        (DeadlineSpec(5, Unit.DAY, W), "5 рабочих дней"),
        (DeadlineSpec(1, Unit.MINUTE, W), "1 рабочая минута"),
        (DeadlineSpec(3, Unit.MINUTE, W), "3 рабочие минуты"),
        (DeadlineSpec(30, Unit.MINUTE, W), "30 рабочих минут"),
        (DeadlineSpec(8, Unit.DAY, C), "8 календарных дней"),
        (DeadlineSpec(2, Unit.DAY, C), "2 календарных дня"),
        (DeadlineSpec(24, Unit.HOUR, C), "24 часа"),
        (DeadlineSpec(1, Unit.END_OF_WORKING_DAY, W), "в течение рабочего дня"),
    ],
)
def test_describes_with_correct_plural(spec: DeadlineSpec, text: str) -> None:
    assert spec.describe() == text == str(spec)
    assert parse_deadline(text) == spec


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (1, "час"),
        (2, "часа"),
        (4, "часа"),
        (5, "часов"),
        (11, "часов"),
        (12, "часов"),
        (14, "часов"),
        (21, "час"),
        (22, "часа"),
        (111, "часов"),
        (101, "час"),
    ],
)
def test_plural(n: int, form: str) -> None:
    assert plural(n, "час", "часа", "часов") == form


def test_days_are_not_a_fixed_duration() -> None:
    with pytest.raises(ValueError, match="not a fixed duration"):
        _ = parse_deadline("2 рабочих дня").duration


def test_non_string_is_refused() -> None:
    with pytest.raises(DeadlineSpecError):
        parse_deadline(8)  # type: ignore[arg-type]
